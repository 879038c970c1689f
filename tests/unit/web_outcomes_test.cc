// The outcomes dashboard, one indicator (page, JSON, CSV) and the board
// summary, through the router as a browser would reach them. The figures are
// stored with the engine's own writer (store_indicator_results), so the pages
// read exactly what `onechild indicators` leaves behind.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "access/users.h"
#include "analytics/indicator_output.h"
#include "analytics/indicator_store_read.h"
#include "api/router.h"
#include "support/temp_dir.h"
#include "support/web_session.h"

namespace onechild::api {
namespace {

using testing::TempDir;
using namespace std::chrono;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kPassword = "a long enough password";

Date day(int y, int m, int d) {
  return year{y} / month{static_cast<unsigned>(m)} / d;
}

IndicatorDefinition definition(std::string id, std::string name, stats::Polarity polarity) {
  IndicatorDefinition d;
  d.id = std::move(id);
  d.name = std::move(name);
  d.domain = "Immunisation";
  d.unit = "%";
  d.method = Method::kProportion;
  d.polarity = polarity;
  d.source = "UKHSA COVER";
  d.measure.type = MeasureType::kCoverage;
  d.measure.target = "12m-6in1";
  return d;
}

IndicatorCell make_cell(int period, std::string breakdown, std::string group, std::string name,
                        int64_t x, int64_t n) {
  IndicatorCell c;
  c.period = period;
  c.period_start = day(2025 - period, 11, 1);
  c.period_end = day(2026 - period, 10, 31);
  c.breakdown = std::move(breakdown);
  c.group = std::move(group);
  c.group_name = std::move(name);
  c.numerator = x;
  c.denominator = n;
  c.value = 100.0 * static_cast<double>(x) / static_cast<double>(n);
  c.ci95 = stats::wilson(static_cast<double>(x), static_cast<double>(n), stats::kZ95);
  c.ci95 = {c.ci95.lower * 100, c.ci95.upper * 100};
  c.ci998 = c.ci95;
  c.benchmark = 90;
  c.funnel95 = c.funnel998 = {kNaN, kNaN};
  return c;
}

IndicatorCell hidden(IndicatorCell c, Suppressed how) {
  c.suppressed = how;
  c.numerator = -1;
  c.value = kNaN;
  c.ci95 = c.ci998 = {kNaN, kNaN};
  return c;
}

class WebOutcomesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(add_user(*db, "analyst", "Ann", "analyst", kPassword, "ICB").ok());
    ASSERT_TRUE(add_user(*db, "hv", "Hana", "health-visitor", kPassword, "TEAM1").ok());
    mmr_ = definition("mmr1-24m", "MMR1 at 24 months", stats::Polarity::kHigherIsBetter);
    ae_ =
        definition("ae-attendances", "A&E attendances <under 5>", stats::Polarity::kLowerIsBetter);
    ae_.domain = "Hospital";
    ok_ =
        definition("dtap-12m", "DTaP/IPV/Hib/HepB at 12 months", stats::Polarity::kHigherIsBetter);
  }

  // Three indicators: MMR worse than England, A&E increasing (lower is
  // better: deteriorating), DTaP fine. MMR has every chart breakdown.
  void store_run() {
    IndicatorResult mmr{&mmr_, {}, std::nullopt};
    for (int p = 0; p < 5; ++p) {
      IndicatorCell total = make_cell(p, "all", "all", "All", 800 + 10 * p, 1000);
      total.benchmark = 95;
      total.compared95 = stats::Comparison::kWorse;
      total.trend = stats::Trend::kDecreasing;
      mmr.cells.push_back(total);
    }
    mmr.cells.push_back(make_cell(0, "local-authority", "E06000001", "Hartlepool", 300, 400));
    mmr.cells.push_back(make_cell(0, "local-authority", "E06000002", "Middlesbrough", 500, 600));
    IndicatorCell practice = make_cell(0, "practice", "A81001", "<b>Practice & Co</b>", 90, 100);
    practice.funnel95 = {70, 95};
    practice.funnel998 = {65, 89};  // 90% is above the 99.8% limit
    mmr.cells.push_back(practice);
    mmr.cells.push_back(
        hidden(make_cell(0, "practice", "A81002", "Small Practice", 5, 9), Suppressed::kPrimary));
    for (int q = 1; q <= 5; ++q) {
      for (int p = 0; p < 2; ++p) {
        mmr.cells.push_back(make_cell(p, "imd-quintile", std::to_string(q),
                                      "Quintile " + std::to_string(q), 140 + 10 * q, 200));
      }
    }
    for (int d = 1; d <= 10; ++d) {
      mmr.cells.push_back(make_cell(0, "imd-decile", std::to_string(d),
                                    "Decile " + std::to_string(d), 70 + 2 * d + d % 3, 100));
    }
    IndicatorResult ae{&ae_, {}, std::nullopt};
    IndicatorCell a = make_cell(0, "all", "all", "All", 40, 1000);
    a.trend = stats::Trend::kIncreasing;
    a.compared95 = stats::Comparison::kSimilar;
    ae.cells.push_back(a);
    IndicatorResult ok{&ok_, {}, std::nullopt};
    IndicatorCell o = make_cell(0, "all", "all", "All", 950, 1000);
    o.compared95 = stats::Comparison::kBetter;
    o.trend = stats::Trend::kNoSignificantChange;
    ok.cells.push_back(o);
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(store_indicator_results(*db, {mmr, ae, ok}, day(2026, 11, 1), 2000).ok());
  }

  HttpResponse get(const std::string& target, const std::string& cookie) {
    return router_.handle({"GET", target, cookie, "", "localhost", ""});
  }
  std::string log_in(const std::string& username) {
    const std::string cookie =
        testing::session_cookie_of(testing::post_login(router_, username, kPassword));
    EXPECT_FALSE(cookie.empty());
    return cookie;
  }
  int64_t audit_count(const char* action, const char* outcome = "allowed") {
    auto db = Database::open(dir_.file("x.db"));
    auto stmt = db->prepare("SELECT count(*) FROM audit_events WHERE action = ?1 AND outcome = ?2");
    stmt->bind(1, action).bind(2, outcome);
    EXPECT_TRUE(*stmt->step());
    return stmt->column_int64(0);
  }

  TempDir dir_;
  ConnectionPool pool_{dir_.file("x.db")};
  Router router_{pool_, dir_.path().string()};
  IndicatorDefinition mmr_, ae_, ok_;
};

TEST_F(WebOutcomesTest, WithoutARunSaysHowToComputeThem) {
  const std::string cookie = log_in("analyst");
  for (const char* target : {"/outcomes", "/board", "/outcomes/mmr1-24m"}) {
    auto r = get(target, cookie);
    EXPECT_EQ(r.status, 200) << target;
    EXPECT_NE(r.body.find("No indicators have been computed yet"), std::string::npos) << target;
    EXPECT_NE(r.body.find("onechild indicators --db"), std::string::npos) << target;
  }
  EXPECT_EQ(get("/outcomes/mmr1-24m.json", cookie).status, 404);
}

TEST_F(WebOutcomesTest, DashboardShowsEveryIndicatorWithComparisonAndTrendInWords) {
  store_run();
  const std::string cookie = log_in("analyst");
  const int64_t before = audit_count("view-indicators");
  auto r = get("/outcomes", cookie);
  ASSERT_EQ(r.status, 200);
  const std::string& b = r.body;
  EXPECT_NE(b.find(R"(href="/outcomes/mmr1-24m">MMR1 at 24 months</a>)"), std::string::npos);
  EXPECT_NE(b.find("80.0%"), std::string::npos);        // 800 / 1000
  EXPECT_NE(b.find("800 / 1,000"), std::string::npos);  // count / denominator
  EXPECT_NE(b.find("nhsuk-tag--red\">Worse"), std::string::npos);
  EXPECT_NE(b.find("nhsuk-tag--green\">Better"), std::string::npos);
  EXPECT_NE(b.find("nhsuk-tag--yellow\">Similar"), std::string::npos);
  EXPECT_NE(b.find("Decreasing (getting worse)"), std::string::npos);
  EXPECT_NE(b.find("Increasing (getting worse)"), std::string::npos);  // lower is better
  EXPECT_NE(b.find("No significant change"), std::string::npos);
  EXPECT_NE(b.find("<h2 id=\"domain-hospital\">Hospital</h2>"), std::string::npos);
  EXPECT_NE(b.find("Computed "), std::string::npos);
  EXPECT_NE(b.find("for 1 November 2026, over 2,000 children"), std::string::npos);
  EXPECT_NE(b.find("a count between 1 and 7"), std::string::npos);  // the legend, from the run
  // Names are escaped.
  EXPECT_NE(b.find("A&amp;E attendances &lt;under 5&gt;"), std::string::npos);
  EXPECT_EQ(b.find("<under 5>"), std::string::npos);
  EXPECT_EQ(audit_count("view-indicators"), before + 1);
}

TEST_F(WebOutcomesTest, OtherRolesAreRefusedAndTheRefusalAudited) {
  store_run();
  const std::string cookie = log_in("hv");
  const int64_t before = audit_count("denied", "denied");
  for (const char* target : {"/outcomes", "/board", "/outcomes/mmr1-24m", "/outcomes/mmr1-24m.json",
                             "/outcomes/mmr1-24m.csv?breakdown=sex"}) {
    auto r = get(target, cookie);
    EXPECT_EQ(r.status, 403) << target;
    EXPECT_EQ(r.body.find("80.0"), std::string::npos) << target;
  }
  EXPECT_EQ(audit_count("denied", "denied"), before + 5);
  EXPECT_EQ(audit_count("view-indicators"), 0);
  // Signed out: to the login page.
  EXPECT_EQ(get("/outcomes", "").status, 303);
}

TEST_F(WebOutcomesTest, IndicatorPageHasDefinitionBreakdownAndChartData) {
  store_run();
  const std::string cookie = log_in("analyst");
  auto r = get("/outcomes/mmr1-24m", cookie);
  ASSERT_EQ(r.status, 200);
  const std::string& b = r.body;
  EXPECT_NE(b.find("<h1>MMR1 at 24 months</h1>"), std::string::npos);
  // The definition on hand, from the run's definitions.
  EXPECT_NE(b.find(R"(<details class="nhsuk-details" id="definition">)"), std::string::npos);
  EXPECT_NE(b.find("COVER measure <code>12m-6in1</code>"), std::string::npos);
  EXPECT_NE(b.find("proportion (Wilson score interval)"), std::string::npos);
  EXPECT_NE(b.find("Higher is better"), std::string::npos);
  EXPECT_NE(b.find("UKHSA COVER"), std::string::npos);
  // The selector, defaulting to place, with the place rows.
  EXPECT_NE(b.find(R"(<label class="nhsuk-label" for="breakdown">Break down by</label>)"),
            std::string::npos);
  EXPECT_NE(b.find(R"(<option value="local-authority" selected>)"), std::string::npos);
  EXPECT_NE(b.find("Hartlepool"), std::string::npos);
  EXPECT_NE(b.find(R"(href="/outcomes/mmr1-24m.csv?breakdown=local-authority")"),
            std::string::npos);
  // Charts from JSON, with the figures in tables and the SII in words.
  EXPECT_NE(
      b.find(R"(data-chart="funnel" data-breakdown="practice" data-src="/outcomes/mmr1-24m.json")"),
      std::string::npos);
  EXPECT_NE(b.find(R"(id="trend-table")"), std::string::npos);
  EXPECT_NE(b.find("Slope index of inequality: "), std::string::npos);
  EXPECT_NE(b.find("from 10 of 10 IMD deciles"), std::string::npos);
  // One practice has limits (the other is suppressed) and sits above them.
  EXPECT_NE(b.find("1 practice plotted: 1 above and 0 below the 99.8% control limits"),
            std::string::npos);
  // A practice name is escaped; a suppressed practice is marked, not zero.
  EXPECT_NE(b.find("&lt;b&gt;Practice &amp; Co&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(b.find("<b>Practice"), std::string::npos);
  EXPECT_NE(
      b.find(
          R"(<span aria-hidden="true">*</span><span class="nhsuk-u-visually-hidden">suppressed</span>)"),
      std::string::npos);
  EXPECT_EQ(b.find("<script>"), std::string::npos);
  EXPECT_EQ(b.find("style=\""), std::string::npos);
}

TEST_F(WebOutcomesTest, BreakdownSelectorShowsQuintiles) {
  store_run();
  const std::string cookie = log_in("analyst");
  auto r = get("/outcomes/mmr1-24m?breakdown=imd-quintile", cookie);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"(<option value="imd-quintile" selected>IMD quintile</option>)"),
            std::string::npos);
  for (int q = 1; q <= 5; ++q) {
    EXPECT_NE(r.body.find("<th scope=\"row\" class=\"nhsuk-table__header\">Quintile " +
                          std::to_string(q) + "</th>"),
              std::string::npos);
  }
  // A breakdown this indicator lacks says so.
  auto sex = get("/outcomes/mmr1-24m?breakdown=sex", cookie);
  EXPECT_EQ(sex.status, 200);
  EXPECT_NE(sex.body.find("no figures by Sex"), std::string::npos);
}

TEST_F(WebOutcomesTest, BadAddressesAreClientErrorsNotFailures) {
  store_run();
  const std::string cookie = log_in("analyst");
  auto unknown = get("/outcomes/mmr1-24m?breakdown=%3Cscript%3Ex", cookie);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("nhsuk-error-summary"), std::string::npos);
  EXPECT_NE(unknown.body.find(R"(href="#breakdown">Select a breakdown from the list)"),
            std::string::npos);
  EXPECT_EQ(unknown.body.find("<script>"), std::string::npos);
  EXPECT_NE(unknown.body.find("<title>Error: "), std::string::npos);
  // A malformed escape is dropped: the default breakdown.
  EXPECT_EQ(get("/outcomes/mmr1-24m?breakdown=%zz", cookie).status, 200);
  EXPECT_EQ(get("/outcomes/no-such-indicator", cookie).status, 404);
  EXPECT_EQ(get("/outcomes/no-such-indicator.csv?breakdown=sex", cookie).status, 404);
  EXPECT_EQ(get("/outcomes/..%2F..%2Fetc", cookie).status, 404);
  EXPECT_EQ(get("/outcomes/MMR1'--", cookie).status, 404);
  EXPECT_EQ(get("/outcomes/mmr1-24m.csv", cookie).status, 400);
  EXPECT_EQ(get("/outcomes/mmr1-24m.csv?breakdown=drop+table", cookie).status, 400);
}

TEST_F(WebOutcomesTest, FormsArePostedNowhereAndAPostWithoutTokenIsRefused) {
  store_run();
  const std::string cookie = log_in("analyst");
  auto no_token = router_.handle(
      {"POST", "/outcomes/mmr1-24m", cookie, "http://localhost", "localhost", "breakdown=sex"});
  EXPECT_EQ(no_token.status, 403);
  const std::string token = testing::form_token(router_, cookie);
  auto with_token =
      router_.handle({"POST", "/board", cookie, "http://localhost", "localhost", "csrf=" + token});
  EXPECT_EQ(with_token.status, 405);
}

TEST_F(WebOutcomesTest, JsonHasWhatTheChartsDraw) {
  store_run();
  const std::string cookie = log_in("analyst");
  const int64_t before = audit_count("view-indicators");
  auto r = get("/outcomes/mmr1-24m.json", cookie);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("application/json", 0), 0u);
  const auto json = boost::json::parse(r.body).as_object();
  EXPECT_EQ(json.at("unit").as_string(), "%");
  const auto& trend = json.at("trend").as_array();
  ASSERT_EQ(trend.size(), 5u);
  EXPECT_EQ(trend[0].as_object().at("period").as_int64(), 4);  // oldest first
  EXPECT_DOUBLE_EQ(trend[4].as_object().at("value").as_double(), 80.0);
  const auto& practices = json.at("breakdowns").as_object().at("practice").as_array();
  ASSERT_EQ(practices.size(), 2u);
  EXPECT_DOUBLE_EQ(practices[0].as_object().at("funnel99_8").as_array()[1].as_double(), 89);
  EXPECT_TRUE(practices[1].as_object().at("value").is_null());  // suppressed: null, never 0
  EXPECT_EQ(practices[1].as_object().at("suppressed").as_string(), "primary");
  EXPECT_EQ(json.at("breakdowns").as_object().at("local-authority").as_array().size(), 2u);
  // The SII: deciles from about 72% (most deprived) to 92%: a positive slope.
  const auto& sii = json.at("sii").as_object();
  EXPECT_GT(sii.at("slope").as_double(), 15);
  EXPECT_LT(sii.at("ci95").as_array()[0].as_double(), sii.at("slope").as_double());
  EXPECT_EQ(sii.at("deciles").as_int64(), 10);
  EXPECT_EQ(audit_count("view-indicators"), before + 1);
}

TEST_F(WebOutcomesTest, CsvDownloadHasHeaderRowsAndEmptyFlaggedSuppressedCells) {
  store_run();
  const std::string cookie = log_in("analyst");
  auto r = get("/outcomes/mmr1-24m.csv?breakdown=practice", cookie);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(testing::header_of(r, "Content-Disposition"),
            "attachment; filename=\"onechild-mmr1-24m-practice-2026-11-01.csv\"");
  EXPECT_EQ(r.body.rfind("indicator,name,unit,period_start,period_end,breakdown,group,", 0), 0u);
  EXPECT_NE(r.body.find(",practice,A81002,Small Practice,,9,,,,,,90,not-compared,not-compared,"
                        "cannot-calculate,primary\n"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(",practice,A81001,<b>Practice & Co</b>,90,100,90,"), std::string::npos);
  auto q = get("/outcomes/mmr1-24m.csv?breakdown=imd-quintile", cookie);
  int rows = 0;
  for (char c : q.body)
    rows += c == '\n';
  EXPECT_EQ(rows, 1 + 10);  // header, 5 quintiles in 2 periods
  EXPECT_GE(audit_count("view-indicators"), 2);
}

TEST_F(WebOutcomesTest, BoardCountsAlertsInWords) {
  store_run();
  const std::string cookie = log_in("analyst");
  auto r = get("/board", cookie);
  ASSERT_EQ(r.status, 200);
  const std::string& b = r.body;
  EXPECT_NE(b.find("2 indicators need attention"), std::string::npos);
  EXPECT_NE(b.find("MMR1 at 24 months</a>: worse than England and getting worse"),
            std::string::npos);
  EXPECT_NE(b.find("A&amp;E attendances &lt;under 5&gt;</a>: getting worse"), std::string::npos);
  EXPECT_EQ(b.find("DTaP/IPV/Hib/HepB at 12 months</a>:"), std::string::npos);  // no alert
  EXPECT_NE(b.find("onechild-board"), std::string::npos);  // the print stylesheet's hook
  EXPECT_NE(b.find("95.0%"), std::string::npos);           // England
}

TEST(StoredSii, MatchesTheEnginesSlopeIndexFromCounts) {
  // The engine: SE in the unit = 100 * sqrt(p(1-p)/n); from stored cells
  // the same without knowing the multiplier.
  std::vector<StoredCell> cells;
  std::vector<stats::SiiGroup> expected;
  for (int d = 1; d <= 10; ++d) {
    StoredCell c;
    c.group = std::to_string(d);
    c.numerator = 50 + 3 * d;
    c.denominator = 100 + d;
    const double p = static_cast<double>(*c.numerator) / static_cast<double>(*c.denominator);
    c.value = 100 * p;
    cells.push_back(c);
    expected.push_back({100 * p, static_cast<double>(*c.denominator),
                        100 * std::sqrt(p * (1 - p) / static_cast<double>(*c.denominator))});
  }
  StoredCell unknown = cells.front();
  unknown.group = "not-known";
  cells.push_back(unknown);
  std::swap(cells[0], cells[9]);  // the order stored does not matter
  const auto sii = sii_of_deciles(cells, "proportion");
  const auto engine = stats::slope_index(expected);
  ASSERT_TRUE(sii && engine);
  EXPECT_NEAR(sii->sii.slope, engine->slope, 1e-9);
  EXPECT_NEAR(sii->sii.ci95.lower, engine->ci95.lower, 1e-9);
  EXPECT_EQ(sii->deciles, 10);
  EXPECT_FALSE(sii_of_deciles(cells, "median"));
  cells.resize(1);
  EXPECT_FALSE(sii_of_deciles(cells, "proportion"));
}

}  // namespace
}  // namespace onechild::api
