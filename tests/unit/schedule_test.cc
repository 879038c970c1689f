// Schedules and item status: hand-worked cases at every boundary.
#include "programmes/schedule.h"

#include <gtest/gtest.h>

#include <map>

#include "programmes/status.h"

namespace onechild {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

Date ymd(int y, unsigned m, unsigned d) {
  return Date{year{y}, month{m}, day{d}};
}
Day dd(int y, unsigned m, unsigned d) {
  return to_day(ymd(y, m, d));
}

class Book {
 public:
  Book() : book_(shipped(), words_) {}

  static std::vector<Schedule> shipped() {
    auto s = load_schedules(std::string(ONECHILD_CONFIG_DIR) + "/schedules");
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    return s.ok() ? std::move(*s) : std::vector<Schedule>{};
  }

  ChildFacts child(Date birth, std::string_view sex = "female") {
    ChildFacts c;
    c.child_id = 1;
    c.birth = to_day(birth);
    c.sex = words_.intern(sex);
    c.sources = {words_.intern("gp"), words_.intern("community")};
    std::sort(c.sources.begin(), c.sources.end());
    return c;
  }
  void add(ChildFacts& c, std::string_view kind, std::string_view code, Date on,
           std::string_view status = "completed", std::string_view value = "") {
    Fact f;
    f.kind = words_.intern(kind);
    f.code = words_.intern(code);
    f.status = words_.intern(status);
    f.value = words_.intern(value);
    f.start = to_day(on);
    c.facts.push_back(f);
    std::sort(c.facts.begin(), c.facts.end(),
              [](const Fact& a, const Fact& b) { return a.start < b.start; });
  }
  // item id -> result
  std::map<std::string, ItemResult> status(const ChildFacts& c, Date as_of) {
    std::vector<ItemResult> out;
    book_.evaluate(c, to_day(as_of), out);
    std::map<std::string, ItemResult> by_id;
    for (const ItemResult& r : out)
      by_id[book_.items()[r.item]->id] = r;
    return by_id;
  }
  std::string status_of(const ChildFacts& c, Date as_of, const std::string& item) {
    const auto all = status(c, as_of);
    const auto it = all.find(item);
    return it == all.end() ? "n/a" : std::string(status_name(it->second.status));
  }

  Vocabulary& words() { return words_; }

 private:
  Vocabulary words_;
  ScheduleBook book_;
};

constexpr std::string_view kSixInOne = "1162640003";
constexpr std::string_view kFiveInOne = "414619005";

TEST(When, ParsesAgesSchoolYearsAndRefusesNonsense) {
  auto w = When::parse("3y4m");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->on(ymd(2020, 1, 31)), ymd(2023, 5, 31));
  EXPECT_EQ(When::parse("18m28d")->on(ymd(2024, 7, 1)), ymd(2026, 1, 29));
  // A month without the day falls on its last day (a 31 May birth at 1 month).
  EXPECT_EQ(When::parse("1m")->on(ymd(2024, 5, 31)), ymd(2024, 6, 30));
  // A 29 February birthday falls on 28 February in other years.
  EXPECT_EQ(When::parse("1y")->on(ymd(2024, 2, 29)), ymd(2025, 2, 28));
  // Reception starts in the September after the fourth birthday: born 31
  // August 2012 -> Reception 2016, Year 8 from 1 Sept 2024 to 31 August 2025;
  // born 1 September 2012 -> a year later.
  EXPECT_EQ(When::parse("year 8 start")->on(ymd(2012, 8, 31)), ymd(2024, 9, 1));
  EXPECT_EQ(When::parse("year 8 start")->on(ymd(2012, 9, 1)), ymd(2025, 9, 1));
  EXPECT_EQ(When::parse("year 9 end")->on(ymd(2012, 8, 31)), ymd(2026, 8, 31));
  for (const char* bad : {"", "8", "w8", "8x", "-1d", "year", "year 8", "year x start",
                          "year 8 middle", "year 20 start", "9999999999d"}) {
    EXPECT_FALSE(When::parse(bad).ok()) << bad;
  }
}

TEST(Schedule, ShippedSchedulesLoad) {
  auto s = load_schedules(std::string(ONECHILD_CONFIG_DIR) + "/schedules");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  std::map<std::string, size_t> items;
  for (const Schedule& sc : *s)
    items[sc.id] = sc.items.size();
  EXPECT_EQ(items["hcp"], 4u);
  EXPECT_GE(items["imms"], 30u);
}

TEST(Schedule, RefusesMistakesWithTheirPlace) {
  const std::string head =
      "[schedule]\nid = \"x\"\nname = \"X\"\nsource = \"s\"\n"
      "[courses]\nc = { kind = \"immunisation\", codes = [\"1\"] }\n";
  const std::string item = "[[item]]\nid = \"a\"\nname = \"A\"\ncourse = \"c\"\n";
  struct Case {
    std::string text, expect;
  } cases[] = {
      {head + item + "due = \"8w\"\nby = \"12w\"\ncolour = 1\n", "unknown setting 'colour'"},
      {head + "[[item]]\nid = \"a\"\nname = \"A\"\ncourse = \"d\"\ndue = \"8w\"\nby = \"9w\"\n",
       "course 'd' is not in [courses]"},
      {head + item + "due = \"8w\"\n", "'due' and 'by' are required"},
      {head + item + "due = \"8q\"\nby = \"9w\"\n", "is not an age"},
      {head + item + "due = \"8w\"\nby = \"9w\"\n" + item + "due = \"8w\"\nby = \"9w\"\n",
       "the id is used twice"},
      {head + item +
           "due = \"8w\"\nby = \"9w\"\nborn_from = 2024-01-01\nborn_before = 2023-01-01\n",
       "'born_before' must be after 'born_from'"},
      {head + item + "due = \"8w\"\nby = \"9w\"\ndose = 0\n", "'dose' must be"},
      {head + item + "due = \"8w\"\nby = \"9w\"\nsex = \"m\"\n", "'sex' must be"},
      {head, "no [[item]] entries"},
      {"[schedule\n", "x.toml:1"},
  };
  for (const Case& c : cases) {
    auto s = parse_schedule(c.text, "x.toml");
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_NE(s.error().message().find(c.expect), std::string::npos) << s.error().message();
    EXPECT_NE(s.error().message().find("x.toml"), std::string::npos);
  }
}

// The new birth visit is on time by day 14 (C2), late from day 15 (C3).
TEST(Status, NewBirthVisitDay14IsOnTimeDay15IsLate) {
  Book b;
  const Date birth = ymd(2026, 1, 1);
  auto on14 = b.child(birth), on15 = b.child(birth);
  b.add(on14, "encounter", "new-birth-visit", ymd(2026, 1, 15), "finished");
  b.add(on15, "encounter", "new-birth-visit", ymd(2026, 1, 16), "finished");
  EXPECT_EQ(b.status_of(on14, ymd(2026, 3, 1), "new-birth-visit"), "done-on-time");
  EXPECT_EQ(b.status_of(on15, ymd(2026, 3, 1), "new-birth-visit"), "done-late");

  const auto none = b.child(birth);
  EXPECT_EQ(b.status_of(none, ymd(2026, 1, 10), "new-birth-visit"), "not-yet-due");  // day 9
  EXPECT_EQ(b.status_of(none, ymd(2026, 1, 11), "new-birth-visit"), "due");          // day 10
  EXPECT_EQ(b.status_of(none, ymd(2026, 1, 15), "new-birth-visit"), "due");          // day 14
  EXPECT_EQ(b.status_of(none, ymd(2026, 1, 16), "new-birth-visit"), "overdue");      // day 15
  EXPECT_EQ(b.status_of(none, ymd(2026, 2, 26), "new-birth-visit"), "overdue");      // 8 weeks
  EXPECT_EQ(b.status_of(none, ymd(2026, 2, 27), "new-birth-visit"), "missed");
}

TEST(Status, TwelveMonthReviewByTwelveAndByFifteenMonths) {
  Book b;
  auto c = b.child(ymd(2025, 3, 10));
  b.add(c, "encounter", "12-month-review", ymd(2026, 5, 1), "finished");  // 13 months
  const auto r = b.status(c, ymd(2026, 12, 1)).at("12-month-review");
  EXPECT_EQ(r.status, ItemStatus::kDoneLate);
  EXPECT_TRUE(r.done_by_also);
  EXPECT_EQ(r.by, dd(2026, 3, 10));
}

// 1 July 2024 is the first birthday of the new schedule: no Hib/MenC at one,
// an 18-month appointment (6-in-1 and MMRV), MMRV at 3 years 4 months.
TEST(Status, BornThirtiethJuneVersusFirstJuly2024) {
  Book b;
  const auto old_cohort = b.status(b.child(ymd(2024, 6, 30)), ymd(2026, 12, 2));
  const auto new_cohort = b.status(b.child(ymd(2024, 7, 1)), ymd(2026, 12, 2));
  EXPECT_TRUE(old_cohort.contains("hibmenc"));
  EXPECT_FALSE(old_cohort.contains("6in1-4"));
  EXPECT_FALSE(old_cohort.contains("mmrv-1-18m"));
  EXPECT_TRUE(old_cohort.contains("mmrv-preschool"));
  EXPECT_FALSE(new_cohort.contains("hibmenc"));
  EXPECT_TRUE(new_cohort.contains("6in1-4"));
  EXPECT_TRUE(new_cohort.contains("mmrv-1-18m"));
  EXPECT_TRUE(new_cohort.contains("mmrv-2-preschool"));
  EXPECT_FALSE(new_cohort.contains("mmrv-preschool"));
  // Both had MMR at one; the 18-month dose fell due on 1 January 2026.
  EXPECT_TRUE(old_cohort.contains("mmr-1"));
  EXPECT_TRUE(new_cohort.contains("mmr-1"));
  EXPECT_EQ(new_cohort.at("6in1-4").due, dd(2026, 1, 1));
  EXPECT_EQ(new_cohort.at("6in1-4").status, ItemStatus::kOverdue);
}

// MenB moved from 16 to 12 weeks, PCV from 12 to 16, for babies reaching 12
// weeks on or after 1 July 2025 (born on or after 8 April 2025).
TEST(Status, July2025PrimaryChangeByTwelveWeekDate) {
  Book b;
  const auto before = b.status(b.child(ymd(2025, 4, 7)), ymd(2026, 12, 2));
  const auto after = b.status(b.child(ymd(2025, 4, 8)), ymd(2026, 12, 2));
  EXPECT_TRUE(before.contains("menb-2-16w"));
  EXPECT_TRUE(before.contains("pcv-1-12w"));
  EXPECT_TRUE(after.contains("menb-2-12w"));
  EXPECT_TRUE(after.contains("pcv-1-16w"));
  EXPECT_FALSE(after.contains("menb-2-16w"));
  // 8 April 2025 + 12 weeks = 1 July 2025.
  EXPECT_EQ(after.at("menb-2-12w").due, dd(2025, 7, 1));
}

TEST(Status, DosesOfACourseCountAcrossProductsInDateOrder) {
  Book b;
  auto c = b.child(ymd(2017, 5, 1));
  b.add(c, "immunisation", kFiveInOne, ymd(2017, 6, 26));  // 8 weeks
  b.add(c, "immunisation", kSixInOne, ymd(2017, 7, 24));   // 12 weeks
  b.add(c, "immunisation", kSixInOne, ymd(2017, 9, 30));   // 22 weeks: late
  const auto r = b.status(c, ymd(2018, 1, 1));
  EXPECT_EQ(r.at("6in1-1").status, ItemStatus::kDoneOnTime);
  EXPECT_EQ(r.at("6in1-2").status, ItemStatus::kDoneOnTime);
  EXPECT_EQ(r.at("6in1-3").status, ItemStatus::kDoneLate);
  EXPECT_EQ(r.at("6in1-3").done, dd(2017, 9, 30));
}

// The GP and the child health service may both record the same jab: two
// records of a course on one day are one dose.
TEST(Status, TwoRecordsOfOneDoseOnOneDayAreOneDose) {
  Book b;
  auto c = b.child(ymd(2026, 1, 5));
  b.add(c, "immunisation", kSixInOne, ymd(2026, 3, 2));
  b.add(c, "immunisation", kSixInOne, ymd(2026, 3, 2));
  const auto r = b.status(c, ymd(2026, 4, 1));
  EXPECT_EQ(r.at("6in1-1").status, ItemStatus::kDoneOnTime);
  EXPECT_EQ(r.at("6in1-2").status, ItemStatus::kDue);
}

TEST(Status, RefusalsAndContraindicationsApplyToTheNextDose) {
  Book b;
  auto c = b.child(ymd(2026, 1, 5));
  b.add(c, "immunisation", kSixInOne, ymd(2026, 3, 2));
  b.add(c, "immunisation", kSixInOne, ymd(2026, 3, 30), "not-done", "PATOBJ");
  auto m = b.child(ymd(2026, 1, 5));
  b.add(m, "immunisation", "871761004", ymd(2026, 3, 2), "not-done", "MEDPREC");
  const auto r = b.status(c, ymd(2026, 6, 1));
  EXPECT_EQ(r.at("6in1-1").status, ItemStatus::kDoneOnTime);
  EXPECT_EQ(r.at("6in1-2").status, ItemStatus::kDeclined);
  EXPECT_EQ(r.at("6in1-3").status, ItemStatus::kOverdue);  // a refusal is of one dose
  EXPECT_EQ(b.status_of(m, ymd(2026, 6, 1), "rota-1"), "contraindicated");
  EXPECT_EQ(b.status_of(m, ymd(2026, 6, 22), "rota-2"), "overdue");  // 24 weeks
  EXPECT_EQ(b.status_of(m, ymd(2026, 6, 23), "rota-2"), "missed");
}

TEST(Status, MovedOutDiedAndSexFilters) {
  Book b;
  auto moved = b.child(ymd(2026, 1, 5));
  moved.left = dd(2026, 2, 1);
  EXPECT_EQ(b.status_of(moved, ymd(2026, 6, 1), "6in1-1"), "moved-out");
  auto died = b.child(ymd(2026, 1, 5));
  died.died = dd(2026, 2, 1);
  EXPECT_EQ(b.status_of(died, ymd(2026, 6, 1), "6in1-1"), "n/a");
  EXPECT_EQ(b.status_of(died, ymd(2026, 6, 1), "new-birth-visit"), "missed");
  // HPV for boys from Year 8 in 2019/20: born from 1 September 2006.
  EXPECT_EQ(b.status_of(b.child(ymd(2006, 8, 31), "male"), ymd(2026, 1, 1), "hpv-boys"), "n/a");
  EXPECT_EQ(b.status_of(b.child(ymd(2006, 9, 1), "male"), ymd(2026, 1, 1), "hpv-boys"), "overdue");
  EXPECT_EQ(b.status_of(b.child(ymd(2006, 9, 1), "female"), ymd(2026, 1, 1), "hpv-girls"),
            "overdue");
}

// Immunisations are judged for children registered with a GP (the record
// that holds every routine dose); reviews for those known to health visiting
// or a GP. A hospital or council record alone puts a child on neither list.
TEST(Status, OnlyTheProgrammesPopulationIsListed) {
  Book b;
  auto c = b.child(ymd(2026, 1, 5));
  Vocabulary& w = b.words();
  c.sources = {w.intern("acute"), w.intern("social_care_westmoor")};
  EXPECT_EQ(b.status_of(c, ymd(2026, 6, 1), "6in1-1"), "n/a");
  EXPECT_EQ(b.status_of(c, ymd(2026, 6, 1), "new-birth-visit"), "n/a");
  c.sources = {w.intern("community")};
  EXPECT_EQ(b.status_of(c, ymd(2026, 6, 1), "6in1-1"), "n/a");
  EXPECT_EQ(b.status_of(c, ymd(2026, 6, 1), "new-birth-visit"), "missed");
  c.sources = {w.intern("gp")};
  EXPECT_EQ(b.status_of(c, ymd(2026, 6, 1), "6in1-1"), "overdue");
}

TEST(Status, MmrvCatchUpRunsFromNovember2026ToMarch2028) {
  Book b;
  const auto c = b.child(ymd(2021, 6, 1));
  EXPECT_EQ(b.status_of(c, ymd(2026, 10, 31), "mmrv-catch-up"), "not-yet-due");
  EXPECT_EQ(b.status_of(c, ymd(2026, 11, 1), "mmrv-catch-up"), "due");
  EXPECT_EQ(b.status_of(c, ymd(2028, 4, 1), "mmrv-catch-up"), "missed");
  EXPECT_EQ(b.status_of(b.child(ymd(2022, 9, 1)), ymd(2026, 12, 1), "mmrv-catch-up"), "n/a");
}

}  // namespace
}  // namespace onechild
