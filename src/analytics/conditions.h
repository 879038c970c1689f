// Definitions' event matchers and conditions compiled against a snapshot's
// vocabulary: a pattern list becomes a table over word ids, so testing a
// fact is a few array reads.
#pragma once

#include <cstdint>
#include <functional>
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

class FactMatcher {
 public:
  FactMatcher(const EventMatcher& matcher, const Vocabulary& words, const WordNumbers& numbers);
  bool matches(const Fact& f) const;
  bool never() const { return kind_ == UINT32_MAX; }  // no record has the kind

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
  bool holds(const ChildFacts& child, Day anchor,
             const std::function<bool(Day)>& immunised) const;
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
};

// The day `months` calendar months before `anchor`: a "within 12 months"
// window is (that day, anchor].
Day months_before(Day anchor, int months);

}  // namespace onechild
