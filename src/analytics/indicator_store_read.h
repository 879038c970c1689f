// Reading the outcomes engine's stored results (indicator_runs and
// indicator_results, schema migration 8) back for the web app's dashboard.
// Every query is a lookup on the primary key's prefix (run_id, indicator,
// period, breakdown), so a page costs the rows it shows, whatever the ICS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/statistics.h"
#include "core/error.h"
#include "store/database.h"

namespace onechild {

struct StoredRun {
  int64_t id = 0;
  std::string computed_at, as_of;
  int64_t children = 0;
  std::string definitions;  // JSON array, as the engine wrote it
};

// One row of indicator_results. Reals are NaN where the store has NULL;
// a suppressed cell has no counts and no value.
struct StoredCell {
  std::string indicator;
  int period = 0;
  std::string period_start, period_end, breakdown, group, group_name;
  std::optional<int64_t> numerator, denominator;
  double value, lower95, upper95, lower998, upper998, benchmark;
  std::string compared95, compared998;
  double funnel_lower95, funnel_upper95, funnel_lower998, funnel_upper998;
  std::string trend, suppressed;  // trend_name(); '', 'primary', 'secondary'
};

// The newest run; nullopt before `onechild indicators` has run.
Result<std::optional<StoredRun>> latest_indicator_run(Database& db);

// The cells of one indicator and breakdown in the given periods (0 the
// latest), by period then group as stored.
Result<std::vector<StoredCell>> stored_cells(Database& db, int64_t run, std::string_view indicator,
                                             std::string_view breakdown,
                                             const std::vector<int>& periods);

// Each indicator's ICS total (breakdown 'all') in the latest period, in the
// order given; an indicator without one is left out.
Result<std::vector<StoredCell>> stored_totals(Database& db, int64_t run,
                                              const std::vector<std::string>& indicators);

// The slope index of inequality from stored IMD decile cells (the engine
// writes it only to its CSV/JSON files). Each decile's standard error comes
// from its counts as the engine's does (proportion: sqrt(p(1-p)/n), crude
// rate: sqrt(x)/n, in the unit); suppressed deciles have no counts and are
// left out, so `deciles` says how many it rests on. Proportions and crude
// rates only; nullopt with fewer than two deciles.
struct StoredSii {
  stats::Sii sii;
  int deciles = 0;
};
std::optional<StoredSii> sii_of_deciles(const std::vector<StoredCell>& deciles,
                                        std::string_view method);

}  // namespace onechild
