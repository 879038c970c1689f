// Blocking: which pairs of records are worth comparing at all.
//
// Comparing every record with every other is n^2/2 pairs (5 x 10^11 for a
// million records). Each blocking rule keeps the pairs that agree exactly on
// a key (NHS number; surname sound + date of birth; ...); the union of the
// rules is scored. A true match is lost only when it disagrees on every
// rule's key, which is why the rules use different fields.
#pragma once

#include <cstdint>
#include <vector>

#include "link/records.h"

namespace onechild::linkage {

struct Pair {
  uint32_t a, b;  // record indexes, a < b
  friend bool operator==(const Pair&, const Pair&) = default;
};

struct BlockingStats {
  std::string rule;
  int64_t pairs = 0;           // pairs this rule added (not found by an earlier rule)
  int64_t blocks_skipped = 0;  // blocks larger than max_block_size, not compared
  int64_t records_skipped = 0;
};

struct Candidates {
  std::vector<Pair> pairs;  // sorted, no repeats
  std::vector<BlockingStats> stats;
};

// The union of every rule's pairs. With only_new, a pair must include at
// least one record not yet linked (child == 0): the existing index is not
// compared with itself again.
Candidates block(const RecordSet& records, bool only_new);

// One rule's pairs, for training m inside that rule's blocks; a uniform
// sample of max_pairs when the rule gives more.
std::vector<Pair> block_for_training(const RecordSet& records, const BlockingRule& rule,
                                     int64_t max_pairs, uint64_t seed);

// The 64-bit blocking key of a record under a rule; 0 when a part is missing.
uint64_t blocking_key(const RecordSet& records, const BlockingRule& rule, size_t r);

}  // namespace onechild::linkage
