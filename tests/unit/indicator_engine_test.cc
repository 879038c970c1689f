// The outcomes engine on hand-built populations whose figures are worked
// out by hand: each measure type, each breakdown, periods, suppression
// (primary and secondary) as published, and the statistics attached.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "analytics/case_finding.h"
#include "analytics/engine.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

Date ymd(int y, unsigned m, unsigned d) {
  return Date{year{y}, month{m}, day{d}};
}
const Date kAsOf = ymd(2026, 3, 31);  // periods: 1 Apr 2025 - 31 Mar 2026, and the years before

// Two local authorities, four LSOAs at IMD deciles 1, 2, 5, 10; two PCNs of
// two practices each.
const AreaReference& reference() {
  static const AreaReference ref = [] {
    // A fresh directory per process: ctest runs these tests in parallel, and
    // a shared one let a process read another's half-written file.
    const testing::TempDir tmp;
    const auto& dir = tmp.path();
    std::ofstream(dir / "geography.csv")
        << "lsoa_code,lsoa_name,imd_decile,ward_code,ward_name,local_authority_code,"
           "local_authority_name,icb_code,icb_ods_code,icb_name,postcode_district\n"
           "L1,A,1,W,W,LA1,Northbridge,I,Q,ICB,AA1\nL2,B,2,W,W,LA1,Northbridge,I,Q,ICB,AA1\n"
           "L5,C,5,W,W,LA2,Southdale,I,Q,ICB,BB1\nL10,D,10,W,W,LA2,Southdale,I,Q,ICB,BB1\n";
    std::ofstream(dir / "postcodes.csv") << "postcode,lsoa_code,ward_code,local_authority_code\n"
                                            "AA1 1AA,L1,W,LA1\nAA1 2AA,L2,W,LA1\n"
                                            "BB1 5AA,L5,W,LA2\nBB1 9AA,L10,W,LA2\n";
    std::ofstream(dir / "organisations.csv")
        << "code,name,type,parent_code,local_authority_code,child_health_hub_from\n"
           "PCN1,First PCN,pcn,,LA1,\nPCN2,Second PCN,pcn,,LA2,\n"
           "P1,Practice 1,gp-practice,PCN1,LA1,2024-04-01\nP2,Practice 2,gp-practice,PCN1,LA1,\n"
           "P3,Practice 3,gp-practice,PCN2,LA2,\nP4,Practice 4,gp-practice,PCN2,LA2,\n";
    auto r = AreaReference::load(dir.string());
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return std::move(*r);
  }();
  return ref;
}

const ProgrammeRules& rules() {
  static const ProgrammeRules r = [] {
    auto x = ProgrammeRules::load(ONECHILD_CONFIG_DIR);
    EXPECT_TRUE(x.ok()) << x.error().to_string();
    return std::move(*x);
  }();
  return r;
}

const CoverageSpec& coverage() {
  static const CoverageSpec c = [] {
    auto x = load_coverage(std::string(ONECHILD_CONFIG_DIR) + "/coverage.toml");
    EXPECT_TRUE(x.ok()) << x.error().to_string();
    return std::move(*x);
  }();
  return c;
}

const std::vector<double> kEsp = {5000, 5500, 5500, 5500, 6000};

struct Person {
  Date birth;
  std::string sex = "female", postcode = "AA1 1AA", practice = "P1", ethnicity = "A";
};

class Fixture {
 public:
  size_t child(const Person& p) {
    ChildFacts c;
    c.child_id = static_cast<int64_t>(pop_.children.size() + 1);
    c.birth = to_day(p.birth);
    c.sex = pop_.words.intern(p.sex);
    c.postcode = pop_.words.intern(p.postcode);
    c.practice = pop_.words.intern(p.practice);
    c.ethnicity = pop_.words.intern(p.ethnicity);
    c.sources = {pop_.words.intern("gp")};
    pop_.children.push_back(std::move(c));
    return pop_.children.size() - 1;
  }
  void event(size_t child, std::string_view kind, std::string_view code, Date start,
             std::string_view status = "", std::string_view value = "",
             std::optional<Date> end = std::nullopt) {
    Fact f;
    f.kind = pop_.words.intern(kind);
    f.code = pop_.words.intern(code);
    f.status = pop_.words.intern(status);
    f.value = pop_.words.intern(value);
    f.start = to_day(start);
    f.end = end ? to_day(*end) : kNoDay;
    auto& facts = pop_.children[child].facts;
    facts.push_back(f);
    std::sort(facts.begin(), facts.end(),
              [](const Fact& a, const Fact& b) { return a.start < b.start; });
  }
  ChildFacts& at(size_t i) { return pop_.children[i]; }

  // Computes the indicators defined in `toml` (one file's worth).
  std::vector<IndicatorResult> compute(const std::string& toml) {
    auto defs = parse_indicators(toml, "test.toml");
    EXPECT_TRUE(defs.ok()) << defs.error().to_string();
    defs_ = std::move(*defs);
    auto groups = parse_vulnerable_groups(R"toml(
[[group]]
id = "looked-after"
name = "Looked after"
when = "open"
any = [{ kind = "social-care-episode", codes = ["V2", "C*"] }]

[[group]]
id = "long-term-condition"
name = "Long-term condition"
when = "before"
any = [{ kind = "condition", codes = ["195967001"] }]
)toml",
                                          "groups.toml");
    EXPECT_TRUE(groups.ok());
    snapshot_ = make_snapshot(pop_, reference(), *groups, kAsOf);
    EngineOptions o;
    o.as_of = kAsOf;
    o.england = england;
    auto r = compute_indicators(defs_, snapshot_, rules(), coverage(), kEsp, o);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? std::move(*r) : std::vector<IndicatorResult>{};
  }

  std::map<std::string, double, std::less<>> england;

 private:
  Population pop_;
  std::vector<IndicatorDefinition> defs_;
  Snapshot snapshot_;

 public:
  Snapshot snapshot(std::vector<VulnerableGroup> groups = {}) {
    return make_snapshot(pop_, reference(), std::move(groups), kAsOf);
  }
};

const IndicatorCell* find(const IndicatorResult& r, std::string_view breakdown,
                          std::string_view group, int period = 0) {
  for (const IndicatorCell& c : r.cells) {
    if (c.breakdown == breakdown && c.group == group && c.period == period) return &c;
  }
  return nullptr;
}

constexpr std::string_view kAeRate = R"toml(
[[indicator]]
id = "ae-0-4"
name = "A&E attendances (0-4 years)"
domain = "Urgent care"
unit = "per 1,000"
method = "crude-rate"
polarity = "lower-is-better"
source = "test"
suppress = { numerator = [0, 0] }
measure = { type = "events", ages = [0, 4], event = { kind = "ed-attendance" } }
)toml";

TEST(IndicatorEngine, EventRateByHand) {
  Fixture f;
  // Mid-period (30 Sep 2025) ages: 0, 2, 4 count; a 5-year-old does not.
  const size_t a = f.child({ymd(2025, 6, 1)});
  const size_t b = f.child({ymd(2023, 1, 1)});
  const size_t c = f.child({ymd(2021, 1, 1)});
  const size_t d = f.child({ymd(2020, 9, 1)});
  f.event(a, "ed-attendance", "x", ymd(2025, 7, 1));
  f.event(b, "ed-attendance", "x", ymd(2025, 4, 1));   // first day of the period
  f.event(b, "ed-attendance", "x", ymd(2025, 3, 31));  // the period before
  f.event(c, "ed-attendance", "x", ymd(2026, 1, 10));  // aged 5 at the attendance: not 0-4
  f.event(d, "ed-attendance", "x", ymd(2024, 6, 1));   // aged 3 then: the period before
  const auto results = f.compute(std::string(kAeRate));
  ASSERT_EQ(results.size(), 1u);
  const IndicatorCell* all = find(results[0], "all", "all");
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(all->numerator, 2);
  EXPECT_EQ(all->denominator, 3);
  EXPECT_DOUBLE_EQ(all->value, 2.0 / 3.0 * 1000);
  const stats::Interval exact = stats::byar(2, stats::kZ95);
  EXPECT_NEAR(all->ci95.lower, exact.lower / 3 * 1000, 1e-9);
  EXPECT_NEAR(all->ci95.upper, exact.upper / 3 * 1000, 1e-9);
  EXPECT_EQ(all->period_start, ymd(2025, 4, 1));
  EXPECT_EQ(all->period_end, ymd(2026, 3, 31));
  // Period 1 (April 2024 - March 2025): b's and d's attendances; a not born
  // at its middle (30 Sep 2024), b 1, c 3, d 4.
  const IndicatorCell* before = find(results[0], "all", "all", 1);
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->numerator, 2);
  EXPECT_EQ(before->denominator, 3);
  EXPECT_EQ(before->period_end, ymd(2025, 3, 31));
}

TEST(IndicatorEngine, EveryBreakdownAddsUpToTheTotal) {
  Fixture f;
  const Person people[] = {
      {ymd(2022, 1, 1), "female", "AA1 1AA", "P1", "A"},  // decile 1, LA1, PCN1
      {ymd(2022, 2, 1), "male", "AA1 2AA", "P2", "H"},    // decile 2, LA1, PCN1
      {ymd(2022, 3, 1), "male", "BB1 5AA", "P3", "M"},    // decile 5, LA2, PCN2
      {ymd(2022, 4, 1), "female", "BB1 9AA", "P4", "D"},  // decile 10, LA2, PCN2
      {ymd(2022, 5, 1), "", "ZZ9 9ZZ", "X9", "Z"},        // nothing known
  };
  for (const Person& p : people) {
    const size_t i = f.child(p);
    for (int k = 0; k <= static_cast<int>(i); ++k)
      f.event(i, "ed-attendance", "x", ymd(2025, 5, 1 + static_cast<unsigned>(k)));
  }
  f.event(0, "social-care-episode", "V2", ymd(2024, 1, 1));
  f.event(1, "condition", "195967001", ymd(2023, 1, 1));
  const auto r = f.compute(std::string(kAeRate));
  ASSERT_EQ(r.size(), 1u);
  const auto num = [&](std::string_view b, std::string_view g) {
    const IndicatorCell* c = find(r[0], b, g);
    return c == nullptr ? int64_t{-99} : c->numerator;
  };
  EXPECT_EQ(num("all", "all"), 1 + 2 + 3 + 4 + 5);
  EXPECT_EQ(num("sex", "female"), 1 + 4);
  EXPECT_EQ(num("sex", "male"), 2 + 3);
  EXPECT_EQ(num("sex", "not-known"), 5);
  EXPECT_EQ(num("ethnic-group", "white"), 1);
  EXPECT_EQ(num("ethnic-group", "asian"), 2);
  EXPECT_EQ(num("ethnic-group", "black"), 3);
  EXPECT_EQ(num("ethnic-group", "mixed"), 4);
  EXPECT_EQ(num("ethnic-group", "not-known"), 5);
  EXPECT_EQ(num("imd-decile", "1"), 1);
  EXPECT_EQ(num("imd-decile", "2"), 2);
  EXPECT_EQ(num("imd-decile", "5"), 3);
  EXPECT_EQ(num("imd-decile", "10"), 4);
  EXPECT_EQ(num("imd-decile", "not-known"), 5);
  EXPECT_EQ(num("imd-quintile", "1"), 1 + 2);
  EXPECT_EQ(num("imd-quintile", "3"), 3);
  EXPECT_EQ(num("imd-quintile", "5"), 4);
  EXPECT_EQ(num("core20", "core20"), 1 + 2);
  EXPECT_EQ(num("core20", "other"), 3 + 4);
  EXPECT_EQ(num("local-authority", "LA1"), 1 + 2);
  EXPECT_EQ(num("local-authority", "LA2"), 3 + 4);
  EXPECT_EQ(num("pcn", "PCN1"), 1 + 2);
  EXPECT_EQ(num("pcn", "PCN2"), 3 + 4);
  EXPECT_EQ(num("practice", "P3"), 3);
  EXPECT_EQ(num("practice", "X9"), 5);  // a practice the reference does not know, kept
  EXPECT_EQ(num("pcn", "not-known"), 5);
  EXPECT_EQ(num("vulnerable-group", "looked-after"), 1);
  EXPECT_EQ(num("vulnerable-group", "long-term-condition"), 2);
  // Everyone is 3-4 at the middle of the period: one age band, not shown.
  EXPECT_EQ(find(r[0], "age-band", "0-4"), nullptr);
  EXPECT_EQ(find(r[0], "local-authority", "LA1")->group_name, "Northbridge");
  EXPECT_EQ(find(r[0], "practice", "P1")->group_name, "Practice 1");
}

TEST(IndicatorEngine, AgeBandsShownWhenThePopulationSpansThem) {
  Fixture f;
  const size_t young = f.child({ymd(2020, 1, 1)});  // 5 at mid-period
  const size_t older = f.child({ymd(2012, 1, 1)});  // 13
  f.event(young, "admission", "S52", ymd(2025, 6, 1), "21");
  f.event(older, "admission", "S52", ymd(2025, 6, 1), "21");
  f.event(older, "admission", "S52", ymd(2025, 7, 1), "11");  // elective: not counted
  const auto r = f.compute(R"toml(
[[indicator]]
id = "injury"
name = "Injury admissions"
domain = "Injuries"
unit = "per 10,000"
method = "crude-rate"
polarity = "lower-is-better"
source = "test"
suppress = { numerator = [0, 0] }
measure = { type = "events", ages = [0, 14], event = { kind = "admission", codes = ["S*"], statuses = ["2*"] } }
)toml");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(find(r[0], "all", "all")->numerator, 2);
  ASSERT_NE(find(r[0], "age-band", "5-9"), nullptr);
  EXPECT_EQ(find(r[0], "age-band", "5-9")->numerator, 1);
  EXPECT_EQ(find(r[0], "age-band", "10-14")->numerator, 1);
  EXPECT_EQ(find(r[0], "age-band", "10-14")->denominator, 1);
  EXPECT_EQ(find(r[0], "age-band", "0-4"), nullptr);  // nobody there
}

TEST(IndicatorEngine, ShareNeedsEverySameDayTest) {
  Fixture f;
  const size_t a = f.child({ymd(2020, 1, 1)});
  const size_t b = f.child({ymd(2020, 1, 1)});
  const size_t c = f.child({ymd(2020, 1, 1)});
  f.event(a, "encounter", "ncmp-reception", ymd(2025, 6, 1));
  f.event(a, "observation", "bmi-centile-uk90", ymd(2025, 6, 1), "final", "96.1 %");
  f.event(b, "encounter", "ncmp-reception", ymd(2025, 6, 2));
  f.event(b, "observation", "bmi-centile-uk90", ymd(2025, 6, 2), "final", "94.9 %");
  f.event(c, "encounter", "ncmp-reception", ymd(2025, 6, 3));
  f.event(c, "observation", "bmi-centile-uk90", ymd(2025, 6, 4), "final", "99 %");  // next day
  const auto r = f.compute(R"toml(
[[indicator]]
id = "obese"
name = "Obesity"
domain = "HCP"
unit = "%"
method = "proportion"
polarity = "lower-is-better"
source = "test"
suppress = { numerator = [0, 0] }
[indicator.measure]
type = "share"
event = { kind = "encounter", codes = ["ncmp-reception"] }
same_day = [{ kind = "observation", codes = ["bmi-centile-uk90"], min_value = 95 }]
)toml");
  ASSERT_EQ(r.size(), 1u);
  const IndicatorCell* all = find(r[0], "all", "all");
  EXPECT_EQ(all->numerator, 1);
  EXPECT_EQ(all->denominator, 3);
  const stats::Interval w = stats::wilson(1, 3, stats::kZ95);
  EXPECT_NEAR(all->ci95.lower, w.lower * 100, 1e-9);
  EXPECT_NEAR(all->ci95.upper, w.upper * 100, 1e-9);
}

TEST(IndicatorEngine, PeopleConditionsOnTheAnchorDay) {
  Fixture f;
  const size_t open = f.child({ymd(2015, 1, 1)});
  const size_t ended = f.child({ymd(2015, 1, 1)});
  const size_t adult = f.child({ymd(2005, 1, 1)});  // 21: outside 0-17
  f.child({ymd(2015, 1, 1)});                       // nothing: denominator only
  f.event(open, "social-care-episode", "N1", ymd(2025, 1, 1));
  f.event(ended, "social-care-episode", "N2", ymd(2024, 6, 1), "", "", ymd(2026, 3, 30));
  f.event(adult, "social-care-episode", "N1", ymd(2025, 1, 1));
  const auto r = f.compute(R"toml(
[[indicator]]
id = "cin"
name = "Children in need"
domain = "Social care"
unit = "per 10,000"
method = "crude-rate"
polarity = "no-judgement"
source = "test"
suppress = { numerator = [0, 0] }
[indicator.measure]
type = "people"
ages = [0, 17]
numerator = [{ when = "open", any = [{ kind = "social-care-episode", codes = ["N*"] }] }]

[[indicator]]
id = "composite"
name = "Composite"
domain = "Integrated care"
unit = "%"
method = "proportion"
polarity = "higher-is-better"
source = "test"
suppress = { numerator = [0, 0] }
[indicator.measure]
type = "people"
ages = [0, 17]
population = [{ when = "before", any = [{ kind = "social-care-episode" }] }]
numerator = [{ when = "none-within", months = 12, any = [{ kind = "social-care-episode", codes = ["N2"] }] }]
)toml");
  ASSERT_EQ(r.size(), 2u);
  // On 31 March 2026 only `open` is open (ended closed the day before).
  EXPECT_EQ(find(r[0], "all", "all")->numerator, 1);
  EXPECT_EQ(find(r[0], "all", "all")->denominator, 3);
  // On 31 March 2025 both were open.
  EXPECT_EQ(find(r[0], "all", "all", 1)->numerator, 2);
  // Composite: both children with an episode are the population; only the
  // one whose N2 started more than 12 months before meets "none within".
  EXPECT_EQ(find(r[1], "all", "all")->denominator, 2);
  EXPECT_EQ(find(r[1], "all", "all")->numerator, 2);     // N2 began 1 Jun 2024: outside
  EXPECT_EQ(find(r[1], "all", "all", 1)->numerator, 1);  // 31 Mar 2025: N2 began within 12 months
}

TEST(IndicatorEngine, SuppressedCellsAreHiddenAndCannotBeDerived) {
  Fixture f;
  // LA1: 20 attendances; LA2: 3 (primary); the total would give LA2 away,
  // so one more cell of the local-authority breakdown is hidden.
  const size_t a = f.child({ymd(2022, 1, 1), "female", "AA1 1AA", "P1"});
  const size_t b = f.child({ymd(2022, 1, 1), "female", "BB1 5AA", "P3"});
  for (unsigned i = 1; i <= 20; ++i)
    f.event(a, "ed-attendance", "x", ymd(2025, 5, i));
  for (unsigned i = 1; i <= 3; ++i)
    f.event(b, "ed-attendance", "x", ymd(2025, 6, i));
  const auto r = f.compute(R"toml(
[[indicator]]
id = "ae"
name = "A&E"
domain = "Urgent care"
unit = "per 1,000"
method = "crude-rate"
polarity = "lower-is-better"
source = "test"
measure = { type = "events", ages = [0, 4], event = { kind = "ed-attendance" } }
)toml");
  ASSERT_EQ(r.size(), 1u);
  const IndicatorCell* la2 = find(r[0], "local-authority", "LA2");
  const IndicatorCell* la1 = find(r[0], "local-authority", "LA1");
  ASSERT_NE(la1, nullptr);
  ASSERT_NE(la2, nullptr);
  EXPECT_EQ(la2->suppressed, Suppressed::kPrimary);
  EXPECT_EQ(la2->numerator, -1);
  EXPECT_TRUE(std::isnan(la2->value));
  EXPECT_TRUE(std::isnan(la2->ci95.lower));
  EXPECT_EQ(la2->compared95, stats::Comparison::kNotCompared);
  EXPECT_EQ(la1->suppressed, Suppressed::kSecondary);
  EXPECT_EQ(la1->numerator, -1);
  EXPECT_EQ(find(r[0], "all", "all")->numerator, 23);
  EXPECT_EQ(find(r[0], "all", "all")->suppressed, Suppressed::kNo);
}

TEST(IndicatorEngine, BenchmarkIsEnglandForTheTotalAndTheIcsForGroups) {
  Fixture f;
  for (int i = 0; i < 40; ++i) {
    const size_t c = f.child({ymd(2022, 1, 1), i < 20 ? "female" : "male"});
    const int visits = i < 20 ? 3 : 0;  // girls attend, boys do not
    for (int v = 0; v < visits; ++v)
      f.event(c, "ed-attendance", "x", ymd(2025, 5, 1 + static_cast<unsigned>(v)));
  }
  f.england["ae-0-4"] = 650.0;
  const auto r = f.compute(std::string(kAeRate));
  const IndicatorCell* all = find(r[0], "all", "all");
  EXPECT_DOUBLE_EQ(all->value, 60.0 / 40 * 1000);  // 1,500 per 1,000
  EXPECT_EQ(all->benchmark, 650.0);
  EXPECT_EQ(all->compared95, stats::Comparison::kWorse);  // lower is better
  const IndicatorCell* girls = find(r[0], "sex", "female");
  EXPECT_DOUBLE_EQ(girls->benchmark, all->value);
  EXPECT_EQ(girls->compared95, stats::Comparison::kWorse);
  EXPECT_EQ(find(r[0], "sex", "male")->compared95, stats::Comparison::kBetter);
  // Funnel limits for practices around the ICS rate, for the practice's size.
  const IndicatorCell* p1 = find(r[0], "practice", "P1");
  ASSERT_NE(p1, nullptr);
  EXPECT_LT(p1->funnel95.lower, all->value);
  EXPECT_GT(p1->funnel95.upper, all->value);
  EXPECT_LT(p1->funnel998.lower, p1->funnel95.lower);
}

TEST(IndicatorEngine, DsrByHand) {
  Fixture f;
  // 10-14: 10 children, 6 events; 15-19: 10 children, 8 events (ages at the middle of the period).
  for (int i = 0; i < 20; ++i) {
    const size_t c = f.child({i < 10 ? ymd(2013, 1, 1) : ymd(2008, 1, 1)});
    const int events = i < 10 ? (i < 6 ? 1 : 0) : (i < 18 ? 1 : 0);
    if (events) f.event(c, "admission", "S00", ymd(2025, 6, 1), "21", "X78");
  }
  const auto r = f.compute(R"toml(
[[indicator]]
id = "self-harm"
name = "Self-harm"
domain = "Mental health"
unit = "per 100,000"
method = "dsr"
polarity = "lower-is-better"
source = "test"
suppress = { numerator = [0, 0] }
measure = { type = "events", ages = [10, 24], event = { kind = "admission", values = ["X6*", "X7*"], statuses = ["2*"] } }
)toml");
  const IndicatorCell* all = find(r[0], "all", "all");
  const double expected = (6.0 / 10 * 5500 + 8.0 / 10 * 5500) / (5500 + 5500) * 1e5;
  EXPECT_NEAR(all->value, expected, 1e-6);
  const std::vector<stats::DsrStratum> strata = {{6, 10, 5500}, {8, 10, 5500}};
  const stats::Dsr d = stats::dobson_dsr(strata);
  EXPECT_NEAR(all->ci95.lower, d.ci95.lower * 1e5, 1e-6);
  EXPECT_NEAR(all->ci95.upper, d.ci95.upper * 1e5, 1e-6);
}

TEST(IndicatorEngine, UnknownTargetsAreErrors) {
  Fixture f;
  f.child({ymd(2020, 1, 1)});
  auto defs = parse_indicators(R"toml(
[[indicator]]
id = "x"
name = "X"
domain = "D"
unit = "%"
method = "proportion"
polarity = "higher-is-better"
source = "test"
measure = { type = "clock", clock = "no-such-clock" }
)toml",
                               "x.toml");
  ASSERT_TRUE(defs.ok());
  Snapshot s = make_snapshot(Population{}, reference(), {}, kAsOf);
  EngineOptions o;
  o.as_of = kAsOf;
  auto r = compute_indicators(*defs, s, rules(), coverage(), kEsp, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("clock 'no-such-clock' is not defined"), std::string::npos);
}

TEST(CaseFinding, ListsChildrenMeetingEveryConditionCore20First) {
  Fixture f;
  const size_t deprived = f.child({ymd(2015, 1, 1), "female", "AA1 1AA"});  // decile 1
  const size_t affluent = f.child({ymd(2014, 1, 1), "male", "BB1 9AA"});    // decile 10
  const size_t once = f.child({ymd(2014, 1, 1), "male", "AA1 2AA"});
  const size_t no_asthma = f.child({ymd(2014, 1, 1)});
  for (size_t c : {deprived, affluent, once})
    f.event(c, "condition", "195967001", ymd(2020, 1, 1));
  for (size_t c : {deprived, affluent, no_asthma}) {
    f.event(c, "ed-attendance", "195967001", ymd(2025, 6, 1));
    f.event(c, "ed-attendance", "195967001", ymd(2026, 2, 1));
  }
  f.event(once, "ed-attendance", "195967001", ymd(2026, 2, 1));
  f.event(once, "ed-attendance", "195967001", ymd(2024, 2, 1));  // over 12 months before
  auto lists = parse_case_finding(R"toml(
[[list]]
id = "asthma-repeated-ed"
name = "Asthma with repeated ED attendances"
area = "Asthma"
source = "test"
population = [{ when = "before", any = [{ kind = "condition", codes = ["195967001"] }] }]
criteria = [{ when = "within", months = 12, at_least = 2, any = [{ kind = "ed-attendance", codes = ["195967001"] }] }]
)toml",
                                  "cases.toml");
  ASSERT_TRUE(lists.ok()) << lists.error().to_string();
  const Snapshot s = f.snapshot();
  const auto rows = find_cases(*lists, s, kAsOf);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].child_id, s.population.children[deprived].child_id);  // Core20 first
  EXPECT_TRUE(rows[0].core20);
  EXPECT_EQ(rows[0].events, 2);
  EXPECT_EQ(rows[0].last_event, ymd(2026, 2, 1));
  EXPECT_EQ(rows[1].child_id, s.population.children[affluent].child_id);
  EXPECT_FALSE(rows[1].core20);
  EXPECT_EQ(rows[1].imd_decile, 10);
  EXPECT_EQ(case_finding_csv(rows).substr(0, 5), "list,");

  auto bad = parse_case_finding(
      "[[list]]\nid = \"x\"\nname = \"X\"\narea = \"A\"\nsource = \"s\"\n"
      "population = []\ncriteria = [{ when = \"sometimes\", any = [] }]\n",
      "bad.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("bad.toml: list 'x' criteria: when 'sometimes'"),
            std::string::npos)
      << bad.error().message();
}

TEST(CaseFinding, ShippedListsParse) {
  auto lists = load_case_finding(std::string(ONECHILD_CONFIG_DIR) + "/case_finding.toml");
  ASSERT_TRUE(lists.ok()) << lists.error().to_string();
  EXPECT_EQ(lists->size(), 6u);
}

}  // namespace
}  // namespace onechild
