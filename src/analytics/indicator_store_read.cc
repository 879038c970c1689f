#include "analytics/indicator_store_read.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace onechild {
namespace {

constexpr const char* kColumns =
    "indicator, period, period_start, period_end, breakdown, group_code, group_name, numerator, "
    "denominator, value, lower_95, upper_95, lower_99_8, upper_99_8, benchmark, compared_95, "
    "compared_99_8, funnel_lower_95, funnel_upper_95, funnel_lower_99_8, funnel_upper_99_8, "
    "trend, suppressed";

double real(const Statement& row, int col) {
  return row.column_is_null(col) ? std::numeric_limits<double>::quiet_NaN()
                                 : row.column_double(col);
}

std::optional<int64_t> count(const Statement& row, int col) {
  if (row.column_is_null(col)) return std::nullopt;
  return row.column_int64(col);
}

StoredCell cell_of(const Statement& row) {
  StoredCell c;
  c.indicator = row.column_text(0);
  c.period = static_cast<int>(row.column_int64(1));
  c.period_start = row.column_text(2);
  c.period_end = row.column_text(3);
  c.breakdown = row.column_text(4);
  c.group = row.column_text(5);
  c.group_name = row.column_text(6);
  c.numerator = count(row, 7);
  c.denominator = count(row, 8);
  c.value = real(row, 9);
  c.lower95 = real(row, 10);
  c.upper95 = real(row, 11);
  c.lower998 = real(row, 12);
  c.upper998 = real(row, 13);
  c.benchmark = real(row, 14);
  c.compared95 = row.column_text(15);
  c.compared998 = row.column_text(16);
  c.funnel_lower95 = real(row, 17);
  c.funnel_upper95 = real(row, 18);
  c.funnel_lower998 = real(row, 19);
  c.funnel_upper998 = real(row, 20);
  c.trend = row.column_text(21);
  c.suppressed = row.column_text(22);
  return c;
}

}  // namespace

Result<std::optional<StoredRun>> latest_indicator_run(Database& db) {
  auto stmt = db.prepare(
      "SELECT id, computed_at, as_of, children, definitions FROM indicator_runs "
      "ORDER BY id DESC LIMIT 1");
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<StoredRun>();
  return std::optional<StoredRun>(StoredRun{stmt->column_int64(0), stmt->column_text(1),
                                            stmt->column_text(2), stmt->column_int64(3),
                                            stmt->column_text(4)});
}

Result<std::vector<StoredCell>> stored_cells(Database& db, int64_t run, std::string_view indicator,
                                             std::string_view breakdown,
                                             const std::vector<int>& periods) {
  // One seek per period on (run_id, indicator, period, breakdown).
  auto stmt = db.prepare(std::string("SELECT ") + kColumns +
                         " FROM indicator_results WHERE run_id = ?1 AND indicator = ?2 AND "
                         "period = ?3 AND breakdown = ?4 ORDER BY group_code");
  if (!stmt.ok()) return stmt.error();
  std::vector<StoredCell> out;
  for (int period : periods) {
    stmt->reset();
    stmt->bind(1, run).bind(2, indicator).bind(3, int64_t{period}).bind(4, breakdown);
    if (Status s = stmt->each_row([&](const Statement& row) { out.push_back(cell_of(row)); });
        !s.ok()) {
      return s.error();
    }
  }
  return out;
}

Result<std::vector<StoredCell>> stored_totals(Database& db, int64_t run,
                                              const std::vector<std::string>& indicators) {
  auto stmt = db.prepare(std::string("SELECT ") + kColumns +
                         " FROM indicator_results WHERE run_id = ?1 AND indicator = ?2 AND "
                         "period = 0 AND breakdown = 'all' AND group_code = 'all'");
  if (!stmt.ok()) return stmt.error();
  std::vector<StoredCell> out;
  for (const std::string& id : indicators) {
    stmt->reset();
    stmt->bind(1, run).bind(2, id);
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    if (*row) out.push_back(cell_of(*stmt));
  }
  return out;
}

std::optional<StoredSii> sii_of_deciles(const std::vector<StoredCell>& deciles,
                                        std::string_view method) {
  const bool proportion = method == "proportion";
  if (!proportion && method != "crude-rate") return std::nullopt;
  // Most deprived first: decile 1 .. 10 (group codes are the decile's
  // number; "not-known" has none and is left out).
  std::vector<std::pair<int, const StoredCell*>> shown;
  for (const StoredCell& c : deciles) {
    int decile = 0;
    const char* end = c.group.data() + c.group.size();
    const auto parsed = std::from_chars(c.group.data(), end, decile);
    if (parsed.ec != std::errc() || parsed.ptr != end || decile < 1 || decile > 10) continue;
    if (!c.numerator || !c.denominator || *c.denominator <= 0 || std::isnan(c.value)) continue;
    shown.emplace_back(decile, &c);
  }
  std::sort(shown.begin(), shown.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<stats::SiiGroup> groups;
  for (const auto& [decile, c] : shown) {
    const double x = static_cast<double>(*c->numerator), n = static_cast<double>(*c->denominator);
    // In the unit without knowing its multiplier: value = x/n * m, so the
    // engine's m*sqrt(p(1-p)/n) is value*sqrt((1-p)/x), and m*sqrt(x)/n is value/sqrt(x).
    double se = 0;
    if (x > 0) se = proportion ? c->value * std::sqrt((1 - x / n) / x) : c->value / std::sqrt(x);
    groups.push_back({c->value, n, se});
  }
  if (groups.size() < 2) return std::nullopt;
  auto sii = stats::slope_index(groups);
  if (!sii) return std::nullopt;
  return StoredSii{*sii, static_cast<int>(groups.size())};
}

}  // namespace onechild
