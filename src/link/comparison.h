// Comparison: which level of each field two records fall in.
//
// Level codes per field: 0 when either record lacks the value ("null", no
// evidence either way), 1..k for the model's levels in the order the model
// file lists them (the first that holds wins), k+1 for "else" (none held).
#pragma once

#include <cstdint>
#include <vector>

#include "link/nicknames.h"
#include "link/records.h"

namespace onechild::linkage {

constexpr uint8_t kNullLevel = 0;

// A pair's level codes, 4 bits per field (at most 16 fields).
using LevelVector = uint64_t;

inline uint8_t level_at(LevelVector v, size_t field) {
  return static_cast<uint8_t>((v >> (4 * field)) & 15U);
}

class Comparer {
 public:
  Comparer(const RecordSet& records, const Nicknames& nicknames);

  uint8_t level(size_t field, size_t a, size_t b) const;
  LevelVector levels(size_t a, size_t b) const;

  // The level code of "else" for a field: one more than its last level.
  uint8_t else_level(size_t field) const {
    return static_cast<uint8_t>(records_.spec().fields[field].levels.size() + 1);
  }

 private:
  // `similarity` caches one field's Jaro-Winkler score across its levels
  // (negative until computed): two thresholds, one computation.
  bool holds(const Level& level, size_t field, size_t a, size_t b, double& similarity) const;

  const RecordSet& records_;
  const Nicknames& nicknames_;
  std::vector<std::vector<bool>> in_nicknames_;  // [field][value id]: has variants at all
};

}  // namespace onechild::linkage
