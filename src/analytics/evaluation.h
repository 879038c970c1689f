// The child health hub evaluation (docs/evaluation.md): hospital use of the
// children registered at hub practices in the months before and after the
// hub started, against children at other practices matched on age band,
// IMD quintile and long-term condition; a difference-in-differences with a
// cluster-bootstrap (by address) confidence interval. Deterministic: the
// same snapshot, reference and options give the same figures.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analytics/area_reference.h"
#include "analytics/indicator_definition.h"
#include "analytics/snapshot.h"
#include "analytics/statistics.h"
#include "programmes/load_facts.h"

namespace onechild {

// Asthma, epilepsy or type 1 diabetes recorded before the day (the
// "long-term-condition" group of config/vulnerable_groups.toml).
Condition default_long_term_condition();

struct EvaluationOptions {
  Date as_of;           // a hub is evaluated once its after-window has ended by this day
  int months = 12;      // each window: [start - months, start) and [start, start + months)
  int bootstrap = 500;  // bootstrap replicates for the intervals (0: none)
  uint64_t seed = 1;
  Condition long_term_condition = default_long_term_condition();  // matched on, at the start
};

struct OutcomeEffect {
  std::string outcome;  // "ed-attendances", "outpatient-appointments", "emergency-admissions"
  // Events in each window; the comparison's are as counted, before weighting.
  int64_t events_before_i = 0, events_after_i = 0, events_before_c = 0, events_after_c = 0;
  // Per 1,000 child-years; the comparison's re-weighted to the intervention's strata.
  double rate_before_i = 0, rate_after_i = 0, rate_before_c = 0, rate_after_c = 0;
  double did = 0;  // (after_i - before_i) - (after_c - before_c), per 1,000 child-years
  stats::Interval did_ci95{};
  double relative = 0;  // (after_i / before_i) / (after_c / before_c) - 1: -0.2 is 20% fewer
  stats::Interval relative_ci95{};
};

struct EvaluationResult {
  std::vector<Date> hub_starts;     // the index dates evaluated
  int64_t hub_practices = 0;        // practices in the hubs evaluated
  int64_t hub_practices_later = 0;  // hubs whose after-window has not ended by as_of
  // Matched and counted; a comparison child once for each hub start.
  int64_t intervention_children = 0, comparison_children = 0;
  int64_t intervention_unmatched = 0, comparison_unmatched = 0;  // in one-sided strata, dropped
  size_t strata = 0;                                             // strata holding both groups
  std::vector<OutcomeEffect> outcomes;
  std::string method;
};

// The event kinds and codes evaluate_hubs reads: what load_population needs.
FactFilter evaluation_filter(const EvaluationOptions& options);

// An error when no hub has a complete after-window by as_of, or no stratum
// holds children of both groups.
Result<EvaluationResult> evaluate_hubs(const Snapshot& snapshot, const AreaReference& reference,
                                       const EvaluationOptions& options);

std::string evaluation_json(const EvaluationResult& result, const EvaluationOptions& options);
std::string evaluation_csv(const EvaluationResult& result);      // one row per outcome
std::string evaluation_summary(const EvaluationResult& result);  // for a terminal

}  // namespace onechild
