// Clustering: from scored pairs to children.
//
// A child is a connected set of records joined by pairs at or above the
// auto-link weight, built strongest pair first, under constraints that stop
// a chain of plausible pairs from joining two children:
// - a feed that keeps one record per person never contributes two records to
//   one child; a feed known to repeat people may, but only when those two
//   records would at least go to review on their own (a chain through other
//   records must not join two people a feed holds apart, such as twins);
// - a data manager's "different" decision is never crossed, and their "same"
//   decision is always followed;
// - two children already in the index are never merged automatically: the
//   pair goes to review.
// Pairs in the review band whose records end in different children, and
// that could be merged without breaking a constraint, go to review: the
// strongest pair for each two children.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "link/records.h"

namespace onechild::linkage {

struct ScoredPair {
  uint32_t a, b;  // record indexes
  float weight;   // match weight without the prior
};

struct Decision {
  uint32_t a, b;
  bool same;
};

struct ReviewCandidate {
  uint32_t a, b;
  float weight;
  bool existing_children;  // both records already belong to (different) children
};

struct ChildMerge {
  int64_t from, into;  // existing child ids joined by a "same" decision
};

struct Clustering {
  std::vector<uint32_t> root;  // per record: the record that represents its cluster
  std::vector<ReviewCandidate> review;
  std::vector<ChildMerge> merges;
  int64_t auto_pairs = 0;            // pairs at or above the auto-link weight
  int64_t refused_one_per_feed = 0;  // auto pairs refused: a feed would give one child twice
  int64_t refused_by_decision = 0;   // auto pairs refused: a person said "different"
  int64_t refused_existing = 0;      // auto pairs between two existing children (to review)
};

struct ClusterOptions {
  double auto_weight;    // match weight without the prior, the auto-link threshold
  double review_weight;  // the review threshold
  std::vector<bool> source_repeats_people;           // per RecordSet source
  bool chain_duplicates = false;                     // ModelSpec::chain_duplicates
  std::function<double(uint32_t, uint32_t)> weight;  // any two records' match weight
};

Clustering cluster(const RecordSet& records, const std::vector<ScoredPair>& pairs,
                   const std::vector<Decision>& decisions, const ClusterOptions& options);

}  // namespace onechild::linkage
