#include "analytics/conditions.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/text.h"
#include "programmes/schedule.h"

namespace onechild {

WordNumbers::WordNumbers(const Vocabulary& words) {
  numbers_.resize(words.size(), std::numeric_limits<double>::quiet_NaN());
  for (uint32_t id = 0; id < words.size(); ++id) {
    const std::string& t = words.text(id);
    double v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec == std::errc() && end != t.data() && std::isfinite(v)) numbers_[id] = v;
  }
}

std::vector<char> FactMatcher::table(const std::vector<std::string>& patterns,
                                     const Vocabulary& words) {
  std::vector<char> t;
  if (patterns.empty()) return t;
  t.resize(words.size(), 0);
  for (uint32_t id = 0; id < words.size(); ++id) {
    for (const std::string& p : patterns) {
      if (glob_match(p, words.text(id))) {
        t[id] = 1;
        break;
      }
    }
  }
  return t;
}

FactMatcher::FactMatcher(const EventMatcher& m, const Vocabulary& words, const WordNumbers& numbers)
    : numbers_(&numbers) {
  if (auto kind = words.find(m.kind)) kind_ = *kind;
  codes_ = table(m.codes, words);
  values_ = table(m.values, words);
  statuses_ = table(m.statuses, words);
  if (m.min_value) has_min_ = true, min_ = *m.min_value;
  if (m.max_value) has_max_ = true, max_ = *m.max_value;
}

bool FactMatcher::matches(const Fact& f) const {
  if (f.kind != kind_) return false;
  if (!codes_.empty() && !codes_[f.code]) return false;
  if (!values_.empty() && !values_[f.value]) return false;
  if (!statuses_.empty() && !statuses_[f.status]) return false;
  if (has_min_ || has_max_) {
    const double v = (*numbers_)[f.value];
    if (std::isnan(v) || (has_min_ && v < min_) || (has_max_ && v > max_)) return false;
  }
  return true;
}

ConditionRule::ConditionRule(const Condition& c, const Vocabulary& words,
                             const WordNumbers& numbers)
    : when_(c.when), months_(c.within_months), at_least_(c.at_least) {
  for (const EventMatcher& m : c.any) {
    any_.emplace_back(m, words, numbers);
    const uint32_t kind = any_.back().kind();
    if (kind != UINT32_MAX && std::find(kinds_.begin(), kinds_.end(), kind) == kinds_.end()) {
      kinds_.push_back(kind);
    }
  }
}

void FactIndex::build(const ChildFacts& child) {
  // A counting sort on the few kinds a child has: stable, so each kind keeps
  // the facts' start order, and no comparison sort per child.
  groups_.clear();
  const auto group_of = [&](uint32_t kind) -> Group& {
    for (Group& g : groups_) {
      if (g.kind == kind) return g;
    }
    return groups_.emplace_back(Group{kind, 0, 0});
  };
  for (const Fact& f : child.facts)
    ++group_of(f.kind).end;  // a count for now
  uint32_t at = 0;
  for (Group& g : groups_) {
    g.begin = at;
    at += g.end;
    g.end = g.begin;  // the next free place while scattering
  }
  facts_.resize(child.facts.size());
  for (const Fact& f : child.facts)
    facts_[group_of(f.kind).end++] = f;
}

std::span<const Fact> FactIndex::of(uint32_t kind) const {
  for (const Group& g : groups_) {
    if (g.kind == kind) return {facts_.data() + g.begin, g.end - g.begin};
  }
  return {};
}

bool ConditionRule::holds(const FactIndex& facts, Day anchor, Day window_from,
                          const std::function<bool(Day)>& immunised) const {
  using When = Condition::When;
  if (when_ == When::kImmunised) return immunised(anchor);
  const bool windowed = when_ == When::kWithin || when_ == When::kNoneWithin;
  int found = 0;
  for (const uint32_t kind : kinds_) {
    for (const Fact& f : facts.of(kind)) {
      if (f.start > anchor) break;  // each kind's facts are in start order
      if (windowed && f.start <= window_from) continue;
      if (when_ == When::kOpen && f.end != kNoDay && f.end < anchor) continue;
      if (any_matches(f) && ++found >= at_least_) return when_ != When::kNoneWithin;
    }
  }
  return when_ == When::kNoneWithin;
}

bool ConditionRule::any_matches(const Fact& f) const {
  for (const FactMatcher& m : any_) {
    if (m.matches(f)) return true;
  }
  return false;
}

Day months_before(Day anchor, int months) {
  return to_day(add_months(from_day(anchor), -months));
}

template <typename Visit>
void ConditionRule::each_match(const ChildFacts& child, Day anchor, Visit&& visit) const {
  using When = Condition::When;
  const Day from = when_ == When::kWithin || when_ == When::kNoneWithin
                       ? months_before(anchor, months_)
                       : kNoDay;
  for (const Fact& f : child.facts) {
    if (f.start > anchor) break;  // facts are in start order
    if (from != kNoDay && f.start <= from) continue;
    if (when_ == When::kOpen && f.end != kNoDay && f.end < anchor) continue;
    if (any_matches(f) && !visit(f)) return;
  }
}

bool ConditionRule::holds(const ChildFacts& child, Day anchor,
                          const std::function<bool(Day)>& immunised) const {
  using When = Condition::When;
  if (when_ == When::kImmunised) return immunised(anchor);
  int found = 0;
  each_match(child, anchor, [&](const Fact&) { return ++found < at_least_; });
  return (found >= at_least_) != (when_ == When::kNoneWithin);
}

ConditionRule::Evidence ConditionRule::evidence(const ChildFacts& child, Day anchor) const {
  Evidence e;
  if (when_ == Condition::When::kImmunised) return e;
  each_match(child, anchor, [&](const Fact& f) {
    ++e.count, e.last = f.start;
    return true;
  });
  return e;
}

}  // namespace onechild
