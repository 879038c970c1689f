// Definitions' event matchers and conditions compiled against a snapshot's
// vocabulary: a pattern list becomes a table over word ids, so testing a
// fact is a few array reads.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "analytics/indicator_definition.h"
#include "programmes/facts.h"

namespace onechild {

// The leading number of every word ("87.4 %" -> 87.4), NaN for none.
class WordNumbers {
 public:
  explicit WordNumbers(const Vocabulary& words);
  double operator[](uint32_t word) const { return numbers_[word]; }

 private:
  std::vector<double> numbers_;
};

// A child's facts grouped by kind (each group in start order), so a rule
// reads only the kinds it matches. Rebuilt per child; keeps its storage.
class FactIndex {
 public:
  void build(const ChildFacts& child);
  std::span<const Fact> of(uint32_t kind) const;

 private:
  std::vector<Fact> facts_;  // by kind, then start
  struct Group {
    uint32_t kind, begin, end;
  };
  std::vector<Group> groups_;
};

class FactMatcher {
 public:
  FactMatcher(const EventMatcher& matcher, const Vocabulary& words, const WordNumbers& numbers);
  bool matches(const Fact& f) const;
  bool never() const { return kind_ == UINT32_MAX; }  // no record has the kind
  uint32_t kind() const { return kind_; }

 private:
  // Per word: whether it matches the list; empty when the list was empty.
  static std::vector<char> table(const std::vector<std::string>& patterns, const Vocabulary& words);
  uint32_t kind_ = UINT32_MAX;
  std::vector<char> codes_, values_, statuses_;
  double min_ = 0, max_ = 0;
  bool has_min_ = false, has_max_ = false;
  const WordNumbers* numbers_;
};

class ConditionRule {
 public:
  ConditionRule(const Condition& condition, const Vocabulary& words, const WordNumbers& numbers);
  // Whether the condition holds for the child on `anchor`. `immunised`
  // answers the kImmunised condition (the schedule is the engine's).
  bool holds(const ChildFacts& child, Day anchor, const std::function<bool(Day)>& immunised) const;
  // The same through an index, with the window's first excluded day
  // (months_before(anchor, months())) worked out by the caller.
  bool holds(const FactIndex& facts, Day anchor, Day window_from,
             const std::function<bool(Day)>& immunised) const;
  int months() const { return months_; }
  bool any_matches(const Fact& f) const;
  // The matching events the condition looks at on `anchor` (the window for
  // within / none-within, up to the anchor otherwise) and the last one's day.
  struct Evidence {
    int count = 0;
    Day last = kNoDay;
  };
  Evidence evidence(const ChildFacts& child, Day anchor) const;

 private:
  // Calls visit(fact) for each matching event in the condition's window, in
  // date order, until it returns false.
  template <typename Visit>
  void each_match(const ChildFacts& child, Day anchor, Visit&& visit) const;

  Condition::When when_;
  int months_;
  int at_least_;
  std::vector<FactMatcher> any_;
  std::vector<uint32_t> kinds_;  // the matchers' kinds, once each
};

// The day `months` calendar months before `anchor`: a "within 12 months"
// window is (that day, anchor].
Day months_before(Day anchor, int months);

}  // namespace onechild
