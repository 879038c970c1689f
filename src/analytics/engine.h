// The outcomes engine: every indicator definition applied to every child of
// a snapshot, for the latest period and the ones before it, counted in every
// breakdown group at once; then the statistics (interval, benchmark
// comparison, funnel limits, trend, slope index of inequality) and
// disclosure control. docs/indicators.md describes each step.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analytics/indicator_definition.h"
#include "analytics/snapshot.h"
#include "analytics/statistics.h"
#include "analytics/suppression.h"
#include "programmes/coverage.h"
#include "programmes/programmes.h"

namespace onechild {

struct IndicatorCell {
  int period = 0;  // 0 the latest, 1 the one before, ...
  Date period_start, period_end;
  std::string breakdown;  // "all" or one of all_breakdowns()
  std::string group;      // "all", "0-4", "female", an area code, a group id
  std::string group_name;
  int64_t numerator = 0, denominator = 0;  // medians: both the number of durations
  double value;                            // in the unit; NaN when there is nothing to show
  stats::Interval ci95, ci998;             // NaN where not calculable
  double benchmark;                        // the value compared with; NaN for none
  stats::Comparison compared95 = stats::Comparison::kNotCompared;
  stats::Comparison compared998 = stats::Comparison::kNotCompared;
  stats::Interval funnel95, funnel998;  // areas: control limits for this denominator
  stats::Trend trend = stats::Trend::kCannotCalculate;  // this cell over the periods
  Suppressed suppressed = Suppressed::kNo;
};

struct IndicatorResult {
  const IndicatorDefinition* definition = nullptr;
  std::vector<IndicatorCell> cells;  // by period, then breakdown, then group
  std::optional<stats::Sii> sii;     // latest period, across IMD deciles
};

struct EngineOptions {
  Date as_of;
  int periods = 5;  // the latest and the four before it: the trend needs five
  // England values by indicator id: the benchmark for the ICS total
  // (breakdown groups are compared with the ICS).
  std::map<std::string, double, std::less<>> england;
  int threads = 2;
};

// The definitions must outlive the results. Interns into the snapshot's
// vocabulary (the programme rules' codes).
Result<std::vector<IndicatorResult>> compute_indicators(
    const std::vector<IndicatorDefinition>& definitions, Snapshot& snapshot,
    const ProgrammeRules& rules, const CoverageSpec& coverage,
    const std::vector<double>& standard_population, const EngineOptions& options);

// ESP2013 weights for the five 5-year bands 0-4 .. 20-24, from
// config/reference/esp2013.csv (age_band,weight for all 20 bands).
Result<std::vector<double>> load_standard_population(const std::string& path);

}  // namespace onechild
