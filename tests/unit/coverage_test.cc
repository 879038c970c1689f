// COVER-style coverage: hand-built populations at each boundary (the birthday,
// the quarter, the cohort), the shipped measures and malformed files.
#include "programmes/coverage.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace onechild {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

Date ymd(int y, unsigned m, unsigned d) {
  return Date{year{y}, month{m}, day{d}};
}

constexpr std::string_view kSixInOne = "1162640003";
constexpr std::string_view kPcv = "836398006";
constexpr std::string_view kHibMenC = "871871007";
constexpr std::string_view kMmr = "871831003";
constexpr std::string_view kMmrv = "871908002";

const std::vector<Schedule>& shipped_schedules() {
  static const std::vector<Schedule> schedules = [] {
    auto s = load_schedules(std::string(ONECHILD_CONFIG_DIR) + "/schedules");
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    return s.ok() ? std::move(*s) : std::vector<Schedule>{};
  }();
  return schedules;
}

const CoverageSpec& shipped_spec() {
  static const CoverageSpec spec = [] {
    auto s = load_coverage(default_coverage_path());
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    return s.ok() ? std::move(*s) : CoverageSpec{};
  }();
  return spec;
}

struct Counts {
  int64_t numerator = -1, denominator = -1;
  bool operator==(const Counts&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Counts& c) {
  return os << c.numerator << "/" << c.denominator;
}

// A population built by hand, and the cells computed from it.
class Pop {
 public:
  size_t child(Date birth, std::string_view practice = "") {
    ChildFacts c;
    c.child_id = static_cast<int64_t>(p_.children.size() + 1);
    c.birth = to_day(birth);
    c.practice = practice.empty() ? 0 : p_.words.intern(practice);
    c.sources = {p_.words.intern("gp")};  // registered: the immunisation schedule's population
    p_.children.push_back(std::move(c));
    return p_.children.size() - 1;
  }
  ChildFacts& at(size_t i) { return p_.children[i]; }
  uint32_t word(std::string_view text) { return p_.words.intern(text); }
  void dose(size_t i, std::string_view code, Date on, std::string_view status = "completed") {
    Fact f;
    f.kind = p_.words.intern("immunisation");
    f.code = p_.words.intern(code);
    f.status = p_.words.intern(status);
    f.start = to_day(on);
    auto& facts = p_.children[i].facts;
    facts.push_back(f);
    std::stable_sort(facts.begin(), facts.end(),
                     [](const Fact& a, const Fact& b) { return a.start < b.start; });
  }
  void compute(Date as_of, int quarters, bool by_practice = false,
               const CoverageSpec& spec = shipped_spec()) {
    auto r = compute_coverage(spec, shipped_schedules(), p_, as_of, quarters, by_practice);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    cells_ = std::move(*r);
  }
  // The cell's counts; -1/-1 when there is no such cell.
  Counts cell(std::string_view measure, std::string_view quarter,
              std::string_view group = "") const {
    for (const CoverageCell& c : cells_) {
      if (c.measure == measure && c.quarter == quarter && c.group == group) {
        return {c.numerator, c.denominator};
      }
    }
    return {};
  }
  const std::vector<CoverageCell>& cells() const { return cells_; }

 private:
  Population p_;
  std::vector<CoverageCell> cells_;
};

// Three 6-in-1 doses at 8, 12 weeks and the given day.
void three_six_in_one(Pop& pop, size_t c, Date birth, Date third) {
  pop.dose(c, kSixInOne, add_days(birth, 56));
  pop.dose(c, kSixInOne, add_days(birth, 84));
  pop.dose(c, kSixInOne, third);
}

TEST(Coverage, ADoseOnTheBirthdayCountsTheDayAfterDoesNot) {
  Pop pop;
  const Date birth = ymd(2025, 4, 8);  // 1st birthday 8 April 2026
  const size_t on = pop.child(birth), after = pop.child(birth);
  three_six_in_one(pop, on, birth, ymd(2026, 4, 8));
  three_six_in_one(pop, after, birth, ymd(2026, 4, 9));
  pop.compute(ymd(2026, 6, 30), 1);
  EXPECT_EQ(pop.cell("12m-6in1", "2026-Q2"), (Counts{1, 2}));
  // Born from 8 April 2025: one primary PCV dose; none given here.
  EXPECT_EQ(pop.cell("12m-pcv", "2026-Q2"), (Counts{0, 2}));
}

TEST(Coverage, QuarterOfTheBirthdayThirtyFirstMarchVersusFirstApril) {
  Pop pop;
  pop.child(ymd(2025, 3, 31));  // 1st birthday 31 March 2026: Q1
  pop.child(ymd(2025, 4, 1));   // 1 April 2026: Q2
  pop.child(ymd(2024, 2, 29));  // 28 February 2025: Q1 of 2025
  pop.compute(ymd(2026, 6, 30), 6);
  EXPECT_EQ(pop.cell("12m-6in1", "2026-Q1"), (Counts{0, 1}));
  EXPECT_EQ(pop.cell("12m-6in1", "2026-Q2"), (Counts{0, 1}));
  EXPECT_EQ(pop.cell("12m-6in1", "2025-Q1"), (Counts{0, 1}));
  EXPECT_EQ(pop.cell("12m-6in1", "2025-Q2"), (Counts{0, 0}));
  EXPECT_EQ(pop.cell("12m-6in1", "2024-Q4"), (Counts{}));  // before the six quarters
  EXPECT_EQ(pop.cells().front().quarter, "2025-Q1");       // oldest first
  EXPECT_EQ(pop.cells().back().quarter, "2026-Q2");
}

TEST(Coverage, OnlyQuartersEndedByTheEvaluationDate) {
  Pop pop;
  pop.child(ymd(2025, 4, 1));  // 1st birthday in 2026-Q2
  pop.compute(ymd(2026, 6, 29), 1);
  EXPECT_EQ(pop.cell("12m-6in1", "2026-Q1"), (Counts{0, 0}));
  EXPECT_EQ(pop.cell("12m-6in1", "2026-Q2"), (Counts{}));
  pop.compute(ymd(2026, 6, 30), 1);
  EXPECT_EQ(pop.cell("12m-6in1", "2026-Q2"), (Counts{0, 1}));
}

// 1 July 2024: Hib/MenC removed, the 18-month 6-in-1 and a second measles
// dose by two. The cohorts split exactly at a quarter of 2nd birthdays.
TEST(Coverage, BornThirtiethJuneVersusFirstJuly2024AtTwentyFourMonths) {
  Pop pop;
  const Date old_birth = ymd(2024, 6, 30), new_birth = ymd(2024, 7, 1);
  const size_t old_cohort = pop.child(old_birth), new_cohort = pop.child(new_birth);
  for (size_t c : {old_cohort, new_cohort}) {
    const Date birth = c == old_cohort ? old_birth : new_birth;
    three_six_in_one(pop, c, birth, add_days(birth, 112));
    pop.dose(c, kHibMenC, add_days(birth, 366));
    pop.dose(c, kMmr, add_days(birth, 366));
  }
  pop.compute(ymd(2026, 9, 30), 2);
  EXPECT_EQ(pop.cell("24m-hibmenc", "2026-Q2"), (Counts{1, 1}));
  EXPECT_EQ(pop.cell("24m-hibmenc", "2026-Q3"), (Counts{}));  // not for this cohort
  EXPECT_EQ(pop.cell("24m-6in1", "2026-Q2"), (Counts{1, 1}));
  EXPECT_EQ(pop.cell("24m-6in1", "2026-Q3"), (Counts{0, 1}));  // needs the 18-month dose
  EXPECT_EQ(pop.cell("24m-mmr1", "2026-Q3"), (Counts{1, 1}));
  EXPECT_EQ(pop.cell("24m-mmr2", "2026-Q2"), (Counts{}));
  EXPECT_EQ(pop.cell("24m-mmr2", "2026-Q3"), (Counts{0, 1}));

  // The 18-month appointment: 6-in-1 and MMRV.
  pop.dose(new_cohort, kSixInOne, ymd(2026, 1, 1));
  pop.dose(new_cohort, kMmrv, ymd(2026, 1, 1));
  pop.compute(ymd(2026, 9, 30), 2);
  EXPECT_EQ(pop.cell("24m-6in1", "2026-Q3"), (Counts{1, 1}));
  EXPECT_EQ(pop.cell("24m-mmr2", "2026-Q3"), (Counts{1, 1}));

  // Which series a quarter of 2nd birthdays has: no Hib/MenC from 2026-Q3.
  std::set<std::string> q3;
  for (const CoverageCell& c : pop.cells()) {
    if (c.quarter == "2026-Q3" && c.measure.starts_with("24m-")) q3.insert(c.measure);
  }
  EXPECT_EQ(q3, (std::set<std::string>{"24m-6in1", "24m-mmr1", "24m-mmr2", "24m-pcv-booster",
                                       "24m-menb-booster"}));
}

// PCV's 2020 change falls inside a quarter of 1st birthdays: one series,
// each child measured by their own cohort's definition.
TEST(Coverage, PcvPrimaryBornEighthVersusNinthOctober2019) {
  Pop pop;
  const size_t two_dose = pop.child(ymd(2019, 10, 8)), one_dose = pop.child(ymd(2019, 10, 9));
  pop.dose(two_dose, kPcv, ymd(2020, 1, 1));
  pop.dose(one_dose, kPcv, ymd(2020, 1, 1));
  pop.compute(ymd(2020, 12, 31), 1);
  EXPECT_EQ(pop.cell("12m-pcv", "2020-Q4"), (Counts{1, 2}));
  EXPECT_EQ(std::count_if(pop.cells().begin(), pop.cells().end(),
                          [](const CoverageCell& c) { return c.measure == "12m-pcv"; }),
            1);
}

TEST(Coverage, NotDoneDoesNotCountSameDayRecordsAreOneDose) {
  Pop pop;
  const Date birth = ymd(2025, 5, 10);
  const size_t refused = pop.child(birth), duplicated = pop.child(birth),
               other_statuses = pop.child(birth), before_birth = pop.child(birth);
  pop.dose(refused, kSixInOne, ymd(2025, 7, 5));
  pop.dose(refused, kSixInOne, ymd(2025, 8, 2));
  pop.dose(refused, kSixInOne, ymd(2025, 9, 1), "not-done");
  // The GP and the child health record both hold the second dose.
  pop.dose(duplicated, kSixInOne, ymd(2025, 7, 5));
  pop.dose(duplicated, kSixInOne, ymd(2025, 8, 2));
  pop.dose(duplicated, kSixInOne, ymd(2025, 8, 2));
  pop.dose(other_statuses, kSixInOne, ymd(2025, 7, 5), "");
  pop.dose(other_statuses, kSixInOne, ymd(2025, 8, 2), "finished");
  pop.dose(other_statuses, kSixInOne, ymd(2025, 9, 1), "entered-in-error");
  pop.dose(other_statuses, kSixInOne, ymd(2025, 9, 2), "completed");
  pop.dose(before_birth, kSixInOne, ymd(2025, 5, 9));  // a wrong date counts for nothing
  pop.dose(before_birth, kSixInOne, ymd(2025, 7, 5));
  pop.dose(before_birth, kSixInOne, ymd(2025, 8, 2));
  pop.compute(ymd(2026, 6, 30), 1);
  EXPECT_EQ(pop.cell("12m-6in1", "2026-Q2"), (Counts{1, 4}));  // other_statuses only
}

TEST(Coverage, DenominatorLeavesOutUnknownBirthDeathsAndMovesOut) {
  Pop pop;
  const Date birth = ymd(2025, 5, 10), birthday = ymd(2026, 5, 10);
  pop.child(birth);                         // counted
  pop.at(pop.child(birth)).birth = kNoDay;  // no birth date
  pop.at(pop.child(birth)).died = to_day(add_days(birthday, -1));
  pop.at(pop.child(birth)).died = to_day(birthday);          // counted: alive on the birthday
  pop.at(pop.child(birth)).left = to_day(ymd(2026, 6, 30));  // gone by the quarter's end
  pop.at(pop.child(birth)).left = to_day(ymd(2026, 7, 1));   // counted
  pop.compute(ymd(2026, 6, 30), 1);
  EXPECT_EQ(pop.cell("12m-6in1", "2026-Q2"), (Counts{0, 3}));
}

TEST(Coverage, ByPracticeEveryoneFirstThenPracticesByCodeThenNone) {
  Pop pop;
  const Date birth = ymd(2025, 5, 10);
  const size_t a = pop.child(birth, "B82005");
  pop.child(birth, "A81001");
  pop.child(birth);
  three_six_in_one(pop, a, birth, ymd(2025, 9, 1));
  pop.compute(ymd(2026, 6, 30), 1, true);
  std::vector<std::string> groups;
  for (const CoverageCell& c : pop.cells()) {
    if (c.measure == "12m-6in1") groups.push_back(c.group);
  }
  EXPECT_EQ(groups, (std::vector<std::string>{"", "A81001", "B82005", "(none)"}));
  EXPECT_EQ(pop.cell("12m-6in1", "2026-Q2"), (Counts{1, 3}));
  EXPECT_EQ(pop.cell("12m-6in1", "2026-Q2", "B82005"), (Counts{1, 1}));
  EXPECT_EQ(pop.cell("12m-6in1", "2026-Q2", "A81001"), (Counts{0, 1}));
  // No children reach 24 months there: everyone's cell, no practice cells.
  EXPECT_EQ(pop.cell("24m-6in1", "2026-Q2"), (Counts{0, 0}));
  EXPECT_EQ(pop.cell("24m-6in1", "2026-Q2", "A81001"), (Counts{}));
}

TEST(Coverage, ShippedMeasuresLoadAndNameCoursesOfTheSchedule) {
  const CoverageSpec& spec = shipped_spec();
  ASSERT_FALSE(spec.measures.empty());
  EXPECT_DOUBLE_EQ(spec.target, 0.95);
  auto imms = load_schedule(std::string(ONECHILD_CONFIG_DIR) + "/schedules/immunisations.toml");
  ASSERT_TRUE(imms.ok()) << imms.error().to_string();
  std::set<std::string> courses;
  for (const ScheduleItem& item : imms->items)
    courses.insert(item.course);
  std::set<std::string> ids;
  for (const CoverageMeasure& m : spec.measures) {
    EXPECT_TRUE(courses.contains(m.course)) << m.id << ": " << m.course;
    EXPECT_TRUE(m.age.months == 12 || m.age.months == 24 || m.age.months == 60) << m.id;
    EXPECT_EQ(m.age.days, 0) << m.id;
    EXPECT_FALSE(m.source.empty()) << m.id;
    ids.insert(m.id);
  }
  for (const char* id :
       {"12m-6in1", "12m-pcv", "12m-rota", "12m-menb", "24m-6in1", "24m-mmr1", "24m-hibmenc",
        "24m-pcv-booster", "24m-menb-booster", "5y-6in1", "5y-preschool", "5y-mmr1", "5y-mmr2"}) {
    EXPECT_TRUE(ids.contains(id)) << id;
  }
  // Every course resolves against the shipped schedule.
  Population empty;
  auto cells = compute_coverage(spec, shipped_schedules(), empty, ymd(2026, 12, 31), 8, true);
  ASSERT_TRUE(cells.ok()) << cells.error().to_string();
  EXPECT_FALSE(cells->empty());
}

TEST(Coverage, RefusesMistakesNamingTheFileAndMeasure) {
  const std::string head = "[coverage]\nname = \"C\"\nsource = \"s\"\ntarget = 0.95\n";
  const std::string measure = "[[measure]]\nid = \"m1\"\nname = \"M\"\ncourse = \"dtap\"\n";
  const std::string ok = measure + "age = \"1y\"\ndoses = 3\n";
  struct Case {
    std::string text, expect;
  } cases[] = {
      {head + ok + "colour = 1\n", "measure 'm1': unknown setting 'colour'"},
      {head + ok + "[extra]\n", "file: unknown setting 'extra'"},
      {"[coverage]\nname = \"C\"\nsource = \"s\"\ntarget = 0.95\nowner = \"x\"\n" + ok,
       "[coverage]: unknown setting 'owner'"},
      {head + measure + "age = \"1y\"\ndoses = 0\n", "measure 'm1': 'doses' must be"},
      {head + measure + "age = \"1y\"\ndoses = 1.5\n", "measure 'm1': 'doses' must be"},
      {head + measure + "age = \"1y\"\n", "measure 'm1': 'doses' is required"},
      {head + measure + "age = \"1x\"\ndoses = 3\n", "measure 'm1' age: '1x' is not an age"},
      {head + measure + "age = \"year 8 start\"\ndoses = 3\n", "measure 'm1': 'age' must be"},
      {head + measure + "age = \"0d\"\ndoses = 3\n", "measure 'm1': 'age' must be"},
      {head + measure + "age = \"30y\"\ndoses = 3\n", "measure 'm1': 'age' must be"},
      {head + measure + "doses = 3\n", "measure 'm1': 'age' is required"},
      {head + ok + "born_from = 2024-07-01\nborn_before = 2024-07-01\n",
       "measure 'm1': 'born_before' must be after 'born_from'"},
      {head + ok + "born_from = \"2024-07-01\"\n", "measure 'm1': 'born_from' must be a date"},
      {head + "[[measure]]\nname = \"M\"\n", "[[measure]] 1: 'id' is required"},
      {head + "[[measure]]\nid = \"a b\"\n", "[[measure]] 1: 'id' may hold only"},
      {head + ok + ok, "measure 'm1' (entry 2): entries sharing an id must be for cohorts"},
      {head + ok + "born_before = 2020-01-01\n" + ok + "born_from = 2019-12-31\n",
       "must be for cohorts that do not overlap"},
      {head + ok + "born_before = 2020-01-01\n" +
           "[[measure]]\nid = \"m1\"\nname = \"M\"\ncourse = \"dtap\"\nage = \"2y\"\ndoses = 3\n",
       "entries sharing an id must have the same age"},
      {head, "file: no [[measure]] entries"},
      {ok, "file: a [coverage] table is required"},
      {"[coverage]\nname = \"C\"\nsource = \"s\"\ntarget = 95\n" + ok, "'target' must be a share"},
      {"[coverage]\nname = \"C\"\nsource = \"s\"\n" + ok, "'target' is required"},
      {"[coverage\n", "x.toml:1"},
  };
  for (const Case& c : cases) {
    auto s = parse_coverage(c.text, "x.toml");
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_NE(s.error().message().find(c.expect), std::string::npos) << s.error().message();
    EXPECT_TRUE(s.error().message().starts_with("x.toml")) << s.error().message();
  }

  // Two cohorts of one series, and a target given as a whole number.
  auto two = parse_coverage("[coverage]\nname = \"C\"\nsource = \"s\"\ntarget = 1\n" + ok +
                                "born_before = 2020-01-01\n" + ok + "born_from = 2020-01-01\n",
                            "x.toml");
  ASSERT_TRUE(two.ok()) << two.error().to_string();
  EXPECT_EQ(two->measures.size(), 2u);
  EXPECT_EQ(two->measures[0].source, "s");
}

TEST(Coverage, ComputeRefusesUnknownCoursesAndBadArguments) {
  auto spec = parse_coverage(
      "[coverage]\nname = \"C\"\nsource = \"s\"\ntarget = 0.95\n"
      "[[measure]]\nid = \"flu\"\nname = \"Flu\"\ncourse = \"flu\"\nage = \"2y\"\ndoses = 1\n",
      "local.toml");
  ASSERT_TRUE(spec.ok()) << spec.error().to_string();
  Population empty;
  auto r = compute_coverage(*spec, shipped_schedules(), empty, ymd(2026, 12, 31), 4, false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("local.toml: measure 'flu': course 'flu' is not a course"),
            std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("immunisations.toml"), std::string::npos);

  r = compute_coverage(shipped_spec(), {}, empty, ymd(2026, 12, 31), 4, false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("no immunisation schedule"), std::string::npos);
  for (int quarters : {0, -1, 401}) {
    EXPECT_FALSE(compute_coverage(shipped_spec(), shipped_schedules(), empty, ymd(2026, 12, 31),
                                  quarters, false)
                     .ok());
  }
  EXPECT_FALSE(
      compute_coverage(shipped_spec(), shipped_schedules(), empty, ymd(2026, 2, 30), 4, false)
          .ok());
}

TEST(Coverage, MissingFileIsAnIoError) {
  auto r = load_coverage("/nonexistent/coverage.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Error::Code::kIoError);
}

}  // namespace
}  // namespace onechild

namespace onechild {
namespace {

// COVER counts the registered population: a child known only to a hospital
// is not in the denominator.
TEST(Coverage, OnlyChildrenRegisteredWithAGpAreCounted) {
  Pop pop;
  const Date birth = ymd(2025, 4, 8);
  pop.child(birth);
  const size_t hospital_only = pop.child(birth);
  pop.at(hospital_only).sources = {pop.word("acute")};
  pop.compute(ymd(2026, 6, 30), 1);
  EXPECT_EQ(pop.cell("12m-6in1", "2026-Q2"), (Counts{0, 1}));
}

}  // namespace
}  // namespace onechild
