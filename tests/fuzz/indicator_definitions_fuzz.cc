// parse_indicators, parse_vulnerable_groups and parse_case_finding on the same arbitrary text:
// a list or an error naming the file, never a crash or an exception
// escaping. A definition either accepts keeps the promises the engine relies
// on (a known unit and its multiplier, a method that suits the measure, ages
// within 0-24, ordered suppression ranges, conditions with events unless
// 'immunised', ids of lower-case letters, digits and '-').
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "analytics/case_finding.h"
#include "analytics/indicator_definition.h"
#include "core/text.h"

namespace {

using namespace onechild;

void check(bool condition) {
  if (!condition) std::abort();
}

bool valid_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

void check_matcher(const EventMatcher& m) {
  check(!m.kind.empty());
  for (const auto* list : {&m.codes, &m.values, &m.statuses}) {
    for (const std::string& pattern : *list) {
      check(!pattern.empty());
      check(glob_match(pattern, pattern));  // '*' and '?' match themselves
    }
  }
}

void check_condition(const Condition& c) {
  check(c.any.empty() == (c.when == Condition::When::kImmunised));
  check(c.within_months >= 1 && c.within_months <= 120);
  for (const EventMatcher& m : c.any)
    check_matcher(m);
}

void check_definition(const IndicatorDefinition& d) {
  check(valid_id(d.id));
  check(!d.name.empty() && !d.domain.empty() && !d.source.empty());
  check(d.origin == "fuzz.toml");
  const double multiplier = d.unit == "%"             ? 100
                            : d.unit == "per 1,000"   ? 1000
                            : d.unit == "per 10,000"  ? 10000
                            : d.unit == "per 100,000" ? 1e5
                            : d.unit == "days"        ? 1
                                                      : -1;
  check(multiplier == d.multiplier);
  check(d.period_months >= 1 && d.period_months <= 60);
  check((d.method == Method::kMedian) == (d.unit == "days"));
  if (d.method == Method::kMedian) check(d.measure.type == MeasureType::kClock);
  if (d.method == Method::kDsr) check(d.measure.type == MeasureType::kEvents);
  if (d.measure.type == MeasureType::kEvents) check(d.method != Method::kProportion);
  check(!method_name(d.method).empty());

  const Measure& m = d.measure;
  check(0 <= m.min_age && m.min_age <= m.max_age && m.max_age <= 24);
  const bool targeted = m.type == MeasureType::kCoverage || m.type == MeasureType::kSchedule ||
                        m.type == MeasureType::kClock;
  check(targeted != m.target.empty());
  if (m.type == MeasureType::kEvents || m.type == MeasureType::kShare) check_matcher(m.event);
  if (m.type == MeasureType::kShare) check(!m.same_day.empty());
  if (m.type == MeasureType::kPeople) check(!m.numerator.empty());
  if (m.birthday) check(*m.birthday >= 1 && *m.birthday <= 24);
  for (const EventMatcher& e : m.same_day)
    check_matcher(e);
  for (const auto* list : {&m.population, &m.numerator}) {
    for (const Condition& c : *list)
      check_condition(c);
  }

  const auto& all = all_breakdowns();
  for (const std::string& b : d.breakdowns)
    check(std::find(all.begin(), all.end(), b) != all.end());
  const SuppressionRule& s = d.suppression;
  check(0 <= s.numerator_min && s.numerator_min <= s.numerator_max);
  check(0 <= s.denominator_min && s.denominator_min <= s.denominator_max);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto defs = parse_indicators(text, "fuzz.toml");
  if (!defs.ok()) {
    check(defs.error().message().starts_with("fuzz.toml"));
  } else {
    for (const IndicatorDefinition& d : *defs)
      check_definition(d);
  }

  auto groups = parse_vulnerable_groups(text, "fuzz.toml");
  if (!groups.ok()) {
    check(groups.error().message().starts_with("fuzz.toml"));
  } else {
    for (const VulnerableGroup& g : *groups) {
      check(valid_id(g.id) && !g.name.empty());
      check_condition(g.condition);
    }
  }

  auto lists = parse_case_finding(text, "fuzz.toml");
  if (!lists.ok()) {
    check(lists.error().message().starts_with("fuzz.toml"));
  } else {
    for (const CaseFindingList& l : *lists) {
      check(!l.id.empty() && !l.name.empty());
      for (const Condition& c : l.population)
        check_condition(c);
      for (const Condition& c : l.criteria)
        check_condition(c);
    }
  }
  return 0;
}
