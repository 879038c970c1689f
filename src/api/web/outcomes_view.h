// Shared parts of the outcomes pages (outcomes.cc: the dashboard and the
// board summary; outcomes_indicator.cc: one indicator, its JSON and CSV):
// the latest run with its definitions, and how a stored figure is shown.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/indicator_store_read.h"
#include "api/web/page.h"

namespace onechild::api::outcomes {

// One indicator as the run recorded it (indicator_runs.definitions).
struct Definition {
  std::string id, name, domain, unit, method, method_name, polarity, source, description, counts;
  int period_months = 12;
  bool has_rule = false;  // runs before the rule was recorded have none
  int64_t numerator_min = 0, numerator_max = 0, denominator_min = 0, denominator_max = 0;
};

struct Dashboard {
  StoredRun run;
  std::vector<Definition> definitions;  // in the engine's order (by file, then as written)
  const Definition* find(std::string_view id) const;
  std::vector<std::string> ids() const;
};

// The latest run and its definitions; nullopt before any run.
std::optional<Dashboard> load_dashboard(Database& db);

// The selectable breakdowns, as the engine names them, with their labels.
struct BreakdownName {
  const char* id;
  const char* label;
};
const std::vector<BreakdownName>& breakdown_names();
const char* breakdown_label(std::string_view id);  // nullptr for an unknown id

bool suppressed(const StoredCell& c);
std::string number_text(double v);  // one decimal place; "" for NaN
std::string count_text(const std::optional<int64_t>& v);
std::string value_html(const StoredCell& c, const Definition& d);  // "*" when suppressed
std::string ci_text(const StoredCell& c, const Definition& d);
std::string benchmark_text(const StoredCell& c, const Definition& d);  // "Not available" for none
std::string counts_html(const StoredCell& c);
std::string period_text(const StoredCell& c);
std::string comparison_html(const StoredCell& c);
std::string trend_html(const StoredCell& c, const Definition& d);
// Worse than the benchmark, or a significant trend the wrong way.
bool worse(const StoredCell& c);
bool deteriorating(const StoredCell& c, const Definition& d);
std::string polarity_text(const Definition& d);
// "a count between 1 and 7", from the run's disclosure rule.
std::string suppression_rule_text(const Definition& d);
// The "*" legend under a table.
std::string suppression_legend(const std::string& rule_text);
// Computed when, for what date, over how many children.
std::string run_text(const StoredRun& run);
// The page for a store with no run yet: how to compute the figures.
HttpResponse no_run_page(const PageContext& ctx, const std::string& title,
                         const std::string& active);
// Aggregates only: analysts, IG officers and data managers (`view-aggregates`).
std::optional<HttpResponse> refuse_unless_aggregates(const PageContext& ctx);
// An audited aggregate view: no child.
void audit_view(const PageContext& ctx, const std::string& detail);

}  // namespace onechild::api::outcomes
