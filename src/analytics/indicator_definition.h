// Indicator definitions as data (config/indicators/*.toml; the format is in
// docs/indicators.md §1). A definition names what is counted: a measure of
// one of six types, each a rule the engine applies to every child:
//   coverage  - COVER measures of config/coverage.toml (children reaching a birthday)
//   schedule  - a schedule item done on time (children whose deadline fell in the period)
//   clock     - a statutory clock met, or its median duration
//   events    - events per population (a crude or directly standardised rate)
//   share     - of events of one kind, those meeting a test on the same day
//   people    - of a population of children, those meeting conditions
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/statistics.h"
#include "analytics/suppression.h"
#include "core/error.h"

namespace onechild {

// Events of one kind whose code, value and status match one of the patterns
// of each list (core/text.h glob_match: "S*", "X6*", "*SEN K*").
// Empty lists match anything.
struct EventMatcher {
  std::string kind;
  std::vector<std::string> codes;
  std::vector<std::string> values;  // patterns on the event's value (an external cause)
  std::vector<std::string> statuses;
  std::optional<double> min_value, max_value;  // on the value's leading number ("87.4 %")
};

// A condition on a child relative to an anchor day (a period's end, or a
// birthday in the period): an event on or before it, within the months up
// to it, open on it (started, not ended), none within the months; or no
// immunisation overdue or missed on it.
struct Condition {
  enum class When { kBefore, kWithin, kOpen, kNoneWithin, kImmunised } when = When::kBefore;
  std::vector<EventMatcher> any;  // one event matching any of these
  int within_months = 12;         // kWithin / kNoneWithin: the months up to the anchor
  int at_least = 1;               // kBefore / kWithin: this many matching events
};

enum class MeasureType { kCoverage, kSchedule, kClock, kEvents, kShare, kPeople };
enum class Method { kProportion, kCrudeRate, kDsr, kMedian };
std::string_view method_name(Method m);  // "proportion (Wilson)", ...

struct Measure {
  MeasureType type = MeasureType::kPeople;
  std::string target;             // coverage measure id, schedule item id, or clock id
  bool also_by = false;           // schedule: the item's second deadline (12 months by 15 months)
  int min_age = 0, max_age = 24;  // events, people: ages counted (whole years, inclusive)
  EventMatcher event;             // events: what is counted; share: the unit
  std::vector<EventMatcher> same_day;  // share: every one matched on the unit's day
  std::vector<Condition> population;   // people: all must hold to be counted
  std::vector<Condition> numerator;    // people: all must hold
  std::optional<int> birthday;         // people: anchor on this birthday in the period
};

struct IndicatorDefinition {
  std::string id, name, domain, description;
  std::string unit;  // "%", "per 1,000", "per 10,000", "per 100,000", "days"
  double multiplier = 100;
  Method method = Method::kProportion;
  stats::Polarity polarity = stats::Polarity::kNoJudgement;
  int period_months = 12;
  Measure measure;
  std::vector<std::string> breakdowns;  // empty: every breakdown
  SuppressionRule suppression;
  std::string source, origin;  // origin: the file, for messages
};

// Parses a file of [[indicator]] tables; errors name origin and indicator.
Result<std::vector<IndicatorDefinition>> parse_indicators(std::string_view toml,
                                                          const std::string& origin);
// Every *.toml in dir, in file name order; ids must be unique.
Result<std::vector<IndicatorDefinition>> load_indicators(const std::string& dir);
std::string default_indicators_dir();  // ONECHILD_CONFIG_DIR "/indicators"

// The breakdown names, in output order.
const std::vector<std::string>& all_breakdowns();

// A vulnerable group (config/vulnerable_groups.toml).
struct VulnerableGroup {
  std::string id, name;
  Condition condition;
};
Result<std::vector<VulnerableGroup>> parse_vulnerable_groups(std::string_view toml,
                                                             const std::string& origin);
Result<std::vector<VulnerableGroup>> load_vulnerable_groups(const std::string& path);

}  // namespace onechild
