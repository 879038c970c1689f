// What the programmes read about a child: the events of the integrated
// record that schedules, clocks and signals use. Text is interned in a
// Vocabulary so that half a million children fit in memory and every rule
// compares integers, not strings.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/date.h"

namespace onechild {

// A date as a day number (days since 1970-01-01): rules do arithmetic on it.
using Day = int32_t;
constexpr Day kNoDay = INT32_MIN;
Day to_day(Date date);
Date from_day(Day day);

// Interned strings; id 0 is the empty string (a missing field).
class Vocabulary {
 public:
  Vocabulary();
  uint32_t intern(std::string_view text);
  // The id of text if it was ever interned.
  std::optional<uint32_t> find(std::string_view text) const;
  const std::string& text(uint32_t id) const { return texts_[id]; }
  uint32_t size() const { return static_cast<uint32_t>(texts_.size()); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;
  std::vector<std::string> texts_;
};

// The ids of texts, sorted and unique, for contains_id.
std::vector<uint32_t> intern_sorted(Vocabulary& words, const std::vector<std::string>& texts);
inline bool contains_id(const std::vector<uint32_t>& sorted_ids, uint32_t id) {
  return std::binary_search(sorted_ids.begin(), sorted_ids.end(), id);
}

// One event of the record. Field meanings follow source_events.
struct Fact {
  uint32_t source = 0;  // source system code ("gp", "social_care_westmoor")
  uint32_t kind = 0;    // "immunisation", "encounter", "social-care-episode", ...
  uint32_t code = 0, display = 0, status = 0, value = 0;
  Day start = kNoDay;
  Day end = kNoDay;
};

struct ChildFacts {
  int64_t child_id = 0;
  Day birth = kNoDay;             // the birth date most of the child's records give
  uint32_t sex = 0;               // "male", "female", or empty
  uint32_t practice = 0;          // GP practice ODS code, empty when no source says
  uint32_t postcode = 0;          // the GP's address, else the first source's
  uint32_t ethnicity = 0;         // NHS ethnic category letter, commonest stated
  Day died = kNoDay;              // items falling due after death do not apply
  Day left = kNoDay;              // moved out of the ICS: undone items are "moved-out"
  std::vector<uint32_t> sources;  // source systems with a record of the child, ascending
  std::vector<Fact> facts;        // ordered by start, then kind
};

struct Population {
  Vocabulary words;
  std::vector<ChildFacts> children;  // ordered by child id
};

}  // namespace onechild
