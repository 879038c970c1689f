// What the outcomes engine publishes: CSV and JSON files (one row per
// indicator, period, breakdown and group), the store's indicator_results
// for the web app, and the Markdown reference of the definitions
// (docs/indicators.md). Suppressed cells are written empty and marked.
#pragma once

#include <string>
#include <vector>

#include "analytics/engine.h"
#include "store/database.h"

namespace onechild {

std::string indicators_csv(const std::vector<IndicatorResult>& results);
std::string indicators_json(const std::vector<IndicatorResult>& results, Date as_of);

// Appends a run and its cells in one transaction; returns the run id.
Result<int64_t> store_indicator_results(Database& db, const std::vector<IndicatorResult>& results,
                                        Date as_of, int64_t children);

// The definitions as Markdown: one section per domain, each indicator with
// what it counts, its method, unit, polarity, disclosure rule and source.
std::string indicators_markdown(const std::vector<IndicatorDefinition>& definitions);

}  // namespace onechild
