// The statutory and national clocks (src/programmes/clocks.h) and their
// settings (programmes_config.h), on records built by hand: every boundary is
// worked out in a comment and tested on both sides.
#include "programmes/clocks.h"

#include <gtest/gtest.h>

#include <optional>

#include "core/date.h"

namespace onechild {
namespace {

using namespace std::chrono;

Day d(int y, unsigned m, unsigned dd) {
  return to_day(Date{year{y}, month{m}, day{dd}});
}

const BankHolidays& shipped_holidays() {
  static const BankHolidays holidays = [] {
    auto loaded = BankHolidays::load(BankHolidays::default_path());
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.error().to_string();
      return *BankHolidays::parse("date,name\n2024-12-25,Christmas Day\n", "fallback");
    }
    return std::move(loaded).value();
  }();
  return holidays;
}

// A fact's fields other than kind and start: F().code("C1").end(day).
struct F {
  std::string code_, display_, status_, value_, source_ = "src";
  Day end_ = kNoDay;
  F& code(std::string v) { return code_ = std::move(v), *this; }
  F& display(std::string v) { return display_ = std::move(v), *this; }
  F& status(std::string v) { return status_ = std::move(v), *this; }
  F& value(std::string v) { return value_ = std::move(v), *this; }
  F& end(Day v) { return end_ = v, *this; }
  F& source(std::string v) { return source_ = std::move(v), *this; }
};

// A child's record, built fact by fact.
class Record {
 public:
  Record(Vocabulary& words, Day birth) : words_(words) { child_.birth = birth; }

  Record& add(std::string_view kind, Day start, const F& f = F()) {
    Fact fact;
    fact.source = words_.intern(f.source_);
    fact.kind = words_.intern(kind);
    fact.code = words_.intern(f.code_);
    fact.display = words_.intern(f.display_);
    fact.status = words_.intern(f.status_);
    fact.value = words_.intern(f.value_);
    fact.start = start;
    fact.end = f.end_;
    child_.facts.push_back(fact);
    return *this;
  }
  ChildFacts& child() { return child_; }

  // Shapes of the store's events.
  Record& looked_after(Day start, Day end, std::string legal = "C1") {
    return add("social-care-episode", start, F().code(legal).display("Looked after").end(end));
  }
  Record& health_assessment(Day on, bool initial) {
    return add("social-care-episode", on,
               F().display(initial ? "Initial health assessment" : "Review health assessment")
                   .value("immunisations up to date Y, dental check Y"));
  }
  Record& ehc_request(Day requested, Day decided, std::string decision, bool exceptions) {
    return add("ehc-request", requested,
               F().status(decision)
                   .value(exceptions ? "exceptions apply Y" : "exceptions apply N")
                   .end(decided));
  }
  Record& ehc_outcome(Day requested, Day outcome, std::string what) {
    add("ehc-assessment", requested, F().status(what).end(outcome));
    if (what == "plan") add("ehc-plan", outcome);
    return *this;
  }
  Record& condition(std::string snomed, Day diagnosed) {
    return add("condition", diagnosed, F().code(snomed).status("active"));
  }
  Record& outpatient(std::string function, Day on, std::string status = "attended") {
    return add("outpatient-appointment", on, F().code(function).status(status).value("first"));
  }

 private:
  Vocabulary& words_;
  ChildFacts child_;
};

class Clocks : public ::testing::Test {
 protected:
  // The clocks with the given id, evaluated on as_of.
  std::vector<ClockResult> run(const ChildFacts& child, Day as_of, std::string_view id,
                               const ProgrammesConfig& config = ProgrammesConfig()) {
    const ClockBook book(config, shipped_holidays(), words);
    std::vector<ClockResult> all, out;
    book.evaluate(child, as_of, all);
    for (ClockResult& r : all) {
      if (r.clock == id) out.push_back(std::move(r));
    }
    return out;
  }
  // The one clock with the id; fails the test if there is not exactly one.
  std::optional<ClockResult> one(const ChildFacts& child, Day as_of, std::string_view id,
                                 const ProgrammesConfig& config = ProgrammesConfig()) {
    auto all = run(child, as_of, id, config);
    EXPECT_EQ(all.size(), 1u) << id;
    if (all.size() != 1) return std::nullopt;
    return all.front();
  }

  Vocabulary words;
};

#define EXPECT_STATE(result, expected)                                                        \
  do {                                                                                        \
    ASSERT_TRUE(result.has_value());                                                          \
    EXPECT_EQ(clock_state_name(result->state), clock_state_name(expected)) << result->detail; \
  } while (0)

// --- Settings ---------------------------------------------------------------

TEST(ProgrammesConfig, ShippedFileMatchesTheDefaults) {
  auto loaded = load_programmes_config(default_programmes_config_path());
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  const ProgrammesConfig& c = *loaded;
  const ProgrammesConfig def;
  EXPECT_EQ(c.ehc_decision.weeks, 6);
  EXPECT_EQ(c.ehc_plan.weeks, 20);
  EXPECT_EQ(c.ehc_no_plan.weeks, 16);
  EXPECT_TRUE(c.ehc_plan.exceptions);
  EXPECT_EQ(c.ehc_plan.applies_from, def.ehc_plan.applies_from);
  EXPECT_EQ(c.lac_initial.working_days, 20);
  EXPECT_EQ(c.lac_review.months_under, 6);
  EXPECT_EQ(c.lac_review.months_from, 12);
  EXPECT_EQ(c.lac_review.switch_age.months, 60);
  EXPECT_EQ(c.transition_plan.due.kind, When::Kind::kSchoolYearEnd);
  EXPECT_EQ(c.transition_plan.due.school_year, 9);
  EXPECT_EQ(c.transition_plan.from.months, 13 * 12);
  EXPECT_EQ(c.transition_plan.conditions, def.transition_plan.conditions);
  EXPECT_EQ(c.adult_service.functions, def.adult_service.functions);
  EXPECT_EQ(c.adult_service.allowance_days, def.adult_service.allowance_days);
  EXPECT_EQ(c.camhs.weeks, 4);
  EXPECT_EQ(c.camhs.closed_without_contact, "missed");
  EXPECT_EQ(c.community_paediatrics.weeks, 13);
  EXPECT_EQ(c.community_paediatrics.reasons, def.community_paediatrics.reasons);
  EXPECT_EQ(c.epilepsy_specialist.weeks, 2);
  EXPECT_EQ(c.autism_diagnosis.weeks, def.autism_diagnosis.weeks);
  EXPECT_EQ(c.epilepsy_diagnosis.weeks, 2);
  EXPECT_EQ(c.was_not_brought.threshold, 2);
  EXPECT_EQ(c.was_not_brought.window_months, 12);
  EXPECT_EQ(c.unscheduled.threshold, 3);
  EXPECT_EQ(c.injuries.threshold, 3);
  EXPECT_EQ(c.injuries.ed_codes, def.injuries.ed_codes);
  ASSERT_EQ(c.injuries.admission_codes.size(), 1u);
  EXPECT_EQ(c.injuries.admission_codes[0].from, "S00");
  EXPECT_EQ(c.injuries.admission_codes[0].to, "T79");
  EXPECT_EQ(c.attended, def.attended);
  EXPECT_FALSE(c.ehc_plan.source.empty());
}

TEST(ProgrammesConfig, EmptyFileIsTheDefaults) {
  auto c = parse_programmes_config("", "empty.toml");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->ehc_plan.weeks, 20);
  EXPECT_EQ(c->origin, "empty.toml");
}

TEST(ProgrammesConfig, Overrides) {
  auto c = parse_programmes_config(R"(
[clock.transition-plan]
due = "14y"
conditions = []
[clock.adult-service.functions]
46635009 = ["307", "301"]
[clock.camhs-first-contact]
closed_without_contact = "excluded"
[signal.injuries]
admission_codes = ["s00-t79", "X60-X84"]
admission_methods = ["21"]
)",
                                   "t.toml");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->transition_plan.due.kind, When::Kind::kAge);
  EXPECT_EQ(c->transition_plan.due.months, 14 * 12);
  EXPECT_TRUE(c->transition_plan.conditions.empty());
  ASSERT_EQ(c->adult_service.functions.size(), 1u);
  EXPECT_EQ(c->adult_service.functions.at("46635009"), (std::vector<std::string>{"307", "301"}));
  EXPECT_EQ(c->camhs.closed_without_contact, "excluded");
  ASSERT_EQ(c->injuries.admission_codes.size(), 2u);
  EXPECT_TRUE(c->injuries.admission_codes[0].contains("T391"));
  EXPECT_TRUE(c->injuries.admission_codes[0].contains("s525"));
  EXPECT_FALSE(c->injuries.admission_codes[0].contains("T80"));
  EXPECT_FALSE(c->injuries.admission_codes[0].contains("R568"));
  EXPECT_TRUE(c->injuries.admission_codes[1].contains("X609"));
}

// Each error names the file, the table and the key.
void expect_error(std::string_view text, std::initializer_list<std::string_view> parts) {
  auto c = parse_programmes_config(text, "bad.toml");
  ASSERT_FALSE(c.ok()) << text;
  const std::string message = c.error().message();
  EXPECT_TRUE(c.error().is_user_error());
  EXPECT_NE(message.find("bad.toml"), std::string::npos) << message;
  for (std::string_view part : parts) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
  }
}

TEST(ProgrammesConfig, UnknownKeysAreRefused) {
  expect_error("[clock.ehc-plan]\nweeks = 20\nwekks = 3\n",
               {"[clock.ehc-plan]", "unknown setting 'wekks'"});
  expect_error("[clock.ehc-plans]\nweeks = 20\n", {"[clock.ehc-plans]", "unknown clock"});
  expect_error("[signal.bruises]\nthreshold = 2\n", {"unknown signal 'bruises'"});
  expect_error("[clocks.ehc-plan]\nweeks = 20\n", {"file", "unknown setting 'clocks'"});
  expect_error("[common]\nattend = [\"attended\"]\n", {"[common]", "'attend'"});
  expect_error("[signal.injuries]\nwindow = 12\n", {"[signal.injuries]", "'window'"});
}

TEST(ProgrammesConfig, WrongTypesAreRefused) {
  expect_error("[clock.ehc-decision]\nweeks = \"six\"\n",
               {"[clock.ehc-decision]", "'weeks' must be a whole number from 1 to 520"});
  expect_error("[clock.ehc-decision]\nweeks = 6.0\n", {"'weeks'"});
  expect_error("[clock.ehc-plan]\nexceptions = \"yes\"\n", {"'exceptions' must be true or false"});
  expect_error("[clock.ehc-plan]\napplies_from = \"2014-09-01\"\n",
               {"'applies_from' must be a date"});
  expect_error("[clock.lac-review-health]\nswitch_age = 5\n", {"'switch_age' must be an age"});
  expect_error("[clock.lac-review-health]\nswitch_age = \"year 1 start\"\n", {"'switch_age'"});
  expect_error("[clock.transition-plan]\ndue = \"fourteen\"\n",
               {"[clock.transition-plan]", "'due'"});
  expect_error("[clock.transition-plan]\nconditions = \"46635009\"\n", {"'conditions'"});
  expect_error("[clock.adult-service]\nfunctions = [\"307\"]\n", {"'functions' must be a table"});
  expect_error("[clock.adult-service.functions]\n46635009 = \"307\"\n", {"'functions.46635009'"});
  expect_error("[signal.was-not-brought]\nstatuses = []\n", {"'statuses'", "at least one"});
  expect_error("[signal.injuries]\nadmission_codes = [\"T79-S00\"]\n",
               {"'admission_codes'", "'T79-S00'"});
  expect_error("[signal.injuries]\nexternal_causes = [\"V1\"]\n", {"'external_causes'"});
  expect_error("[clock.camhs-first-contact]\nclosed_without_contact = \"maybe\"\n",
               {"'closed_without_contact'"});
  expect_error("clock = 3\n", {"[clock]", "must be a table"});
  expect_error("[clock]\nehc-plan = 3\n", {"[clock.ehc-plan]", "must be a table"});
  expect_error("[clock.ehc-plan]\nname = \"\"\n", {"'name' must be a non-empty text"});
}

TEST(ProgrammesConfig, OutOfRangeNumbersAreRefused) {
  expect_error("[clock.ehc-plan]\nweeks = -20\n", {"[clock.ehc-plan]", "'weeks'", "1 to 520"});
  expect_error("[clock.ehc-decision]\nweeks = 0\n", {"'weeks'"});
  expect_error("[clock.lac-initial-health]\nworking_days = -1\n", {"'working_days'"});
  expect_error("[clock.lac-initial-health]\nworking_days = 99999999999\n", {"'working_days'"});
  expect_error("[clock.adult-service]\nallowance_days = -1\n", {"'allowance_days'"});
  expect_error("[signal.was-not-brought]\nthreshold = 0\n", {"'threshold'"});
  expect_error("[signal.unscheduled-care]\nwindow_months = -12\n", {"'window_months'"});
  expect_error("[clock.adult-service]\nat = \"99y\"\n", {"'at'", "up to 30 years"});
}

TEST(ProgrammesConfig, SyntaxErrorsNameTheLine) {
  expect_error("[clock.ehc-plan]\nweeks = = 3\n", {"bad.toml:2"});
}

TEST(ProgrammesConfig, MissingFileIsAnIoError) {
  auto c = load_programmes_config("/nonexistent/programmes.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), Error::Code::kIoError);
}

// --- Looked-after children: initial health assessment ---------------------

// Looked after from Friday 13 December 2024. Counting the working days after
// it (the start is not counted):
//   Mon 16 .. Fri 20 Dec        1-5
//   Mon 23, Tue 24              6-7
//   Wed 25 Christmas Day, Thu 26 Boxing Day: bank holidays
//   Fri 27                      8
//   Mon 30, Tue 31              9-10
//   Wed 1 Jan New Year's Day: bank holiday
//   Thu 2, Fri 3 Jan            11-12
//   Mon 6 .. Fri 10 Jan         13-17
//   Mon 13, Tue 14, Wed 15 Jan  18-20
// so the assessment is due by Wednesday 15 January 2025.
TEST_F(Clocks, InitialHealthAssessmentAcrossChristmas) {
  const Day start = d(2024, 12, 13), due = d(2025, 1, 15);
  {
    Record r(words, d(2015, 3, 1));
    r.looked_after(start, kNoDay).health_assessment(due, true);
    auto c = one(r.child(), d(2025, 6, 1), clock_id::kLacInitialHealth);
    EXPECT_STATE(c, ClockState::kMet);
    EXPECT_EQ(c->start, start);
    EXPECT_EQ(c->due, due);
    EXPECT_EQ(c->stopped, due);
  }
  {
    Record r(words, d(2015, 3, 1));
    r.looked_after(start, kNoDay).health_assessment(d(2025, 1, 16), true);  // Thursday
    auto c = one(r.child(), d(2025, 6, 1), clock_id::kLacInitialHealth);
    EXPECT_STATE(c, ClockState::kMissed);
    EXPECT_EQ(c->due, due);
  }
  {
    Record r(words, d(2015, 3, 1));
    r.looked_after(start, kNoDay);
    EXPECT_STATE(one(r.child(), d(2025, 1, 15), clock_id::kLacInitialHealth), ClockState::kRunning);
    EXPECT_STATE(one(r.child(), d(2025, 1, 16), clock_id::kLacInitialHealth), ClockState::kOverdue);
    EXPECT_TRUE(run(r.child(), d(2024, 12, 12), clock_id::kLacInitialHealth).empty());
  }
  {
    // The assessment recorded later than the evaluation date is not known yet.
    Record r(words, d(2015, 3, 1));
    r.looked_after(start, kNoDay).health_assessment(d(2025, 1, 10), true);
    auto c = one(r.child(), d(2025, 1, 9), clock_id::kLacInitialHealth);
    EXPECT_STATE(c, ClockState::kRunning);
    EXPECT_EQ(c->stopped, kNoDay);
  }
}

TEST_F(Clocks, PeriodsOfCare) {
  // C1 then C2 the day C1 ends: one period, one initial assessment.
  Record r(words, d(2015, 3, 1));
  r.looked_after(d(2024, 3, 4), d(2024, 9, 2), "C1")
      .health_assessment(d(2024, 3, 20), true)
      .looked_after(d(2024, 9, 2), d(2025, 1, 10), "C2")
      // A new period a day after the last ended: a new initial assessment.
      .looked_after(d(2025, 1, 11), kNoDay, "V2");
  auto all = run(r.child(), d(2025, 6, 1), clock_id::kLacInitialHealth);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].start, d(2024, 3, 4));
  EXPECT_EQ(clock_state_name(all[0].state), "met");
  EXPECT_EQ(all[1].start, d(2025, 1, 11));
  EXPECT_EQ(clock_state_name(all[1].state), "overdue");

  // With gap_days = 1 the three episodes are one period.
  ProgrammesConfig joined;
  joined.lac_initial.gap_days = 1;
  EXPECT_EQ(run(r.child(), d(2025, 6, 1), clock_id::kLacInitialHealth, joined).size(), 1u);
}

TEST_F(Clocks, LeavingCareWithoutAnInitialAssessment) {
  // Left on the due day: the clock does not apply.
  Record left_in_time(words, d(2015, 3, 1));
  left_in_time.looked_after(d(2024, 12, 13), d(2025, 1, 15));
  EXPECT_TRUE(run(left_in_time.child(), d(2025, 6, 1), clock_id::kLacInitialHealth).empty());
  // Left after it: missed, stopped on the day care ended.
  Record left_late(words, d(2015, 3, 1));
  left_late.looked_after(d(2024, 12, 13), d(2025, 2, 1));
  auto c = one(left_late.child(), d(2025, 6, 1), clock_id::kLacInitialHealth);
  EXPECT_STATE(c, ClockState::kMissed);
  EXPECT_EQ(c->stopped, d(2025, 2, 1));
  // Not a child: care starting on the 18th birthday.
  Record adult(words, d(2006, 12, 13));
  adult.looked_after(d(2024, 12, 13), kNoDay);
  EXPECT_TRUE(run(adult.child(), d(2025, 6, 1), clock_id::kLacInitialHealth).empty());
}

// --- Looked-after children: review health assessments ---------------------

// Born 10 June 2022: 1 on the initial assessment of 10 January 2024, so the
// first review is due 6 months later, 10 July 2024.
TEST_F(Clocks, ReviewEverySixMonthsUnderFive) {
  for (const auto& [reviewed, expected] :
       {std::pair{d(2024, 7, 10), ClockState::kMet}, {d(2024, 7, 11), ClockState::kMissed}}) {
    Record r(words, d(2022, 6, 10));
    r.looked_after(d(2024, 1, 2), kNoDay)
        .health_assessment(d(2024, 1, 10), true)
        .health_assessment(reviewed, false);
    auto all = run(r.child(), d(2024, 8, 1), clock_id::kLacReviewHealth);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].start, d(2024, 1, 10));
    EXPECT_EQ(all[0].due, d(2024, 7, 10));
    EXPECT_EQ(clock_state_name(all[0].state), clock_state_name(expected));
    // The next one: still under 5, due 6 months after the review.
    EXPECT_EQ(all[1].start, reviewed);
    EXPECT_EQ(all[1].due, reviewed == d(2024, 7, 10) ? d(2025, 1, 10) : d(2025, 1, 11));
    EXPECT_EQ(clock_state_name(all[1].state), "running");
  }
}

// Born 15 March 2019. A review on 14 March 2024 is the last day under 5: the
// next is due 6 months later (14 September 2024). A review on the 5th
// birthday, 15 March 2024, is at 5: the next is due 12 months later (15 March
// 2025).
TEST_F(Clocks, ReviewOnTheFifthBirthdaySetsTwelveMonths) {
  const Day birth = d(2019, 3, 15);
  {
    Record r(words, birth);
    r.looked_after(d(2023, 9, 1), kNoDay).health_assessment(d(2024, 3, 14), true);
    auto c = one(r.child(), d(2024, 4, 1), clock_id::kLacReviewHealth);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->due, d(2024, 9, 14));
  }
  {
    Record r(words, birth);
    r.looked_after(d(2023, 9, 1), kNoDay).health_assessment(d(2024, 3, 15), true);
    auto c = one(r.child(), d(2024, 4, 1), clock_id::kLacReviewHealth);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->due, d(2025, 3, 15));
    EXPECT_STATE(c, ClockState::kRunning);
    EXPECT_STATE(one(r.child(), d(2025, 3, 16), clock_id::kLacReviewHealth), ClockState::kOverdue);
  }
}

// Born 29 February 2020: the 5th birthday is taken as 28 February 2025 (the
// month's last day, as schedules count ages), so a review that day is at 5.
// 31 August + 6 months falls on the last day of February.
TEST_F(Clocks, ReviewMonthEnds) {
  Record r(words, d(2020, 2, 29));
  r.looked_after(d(2024, 8, 1), kNoDay)
      .health_assessment(d(2024, 8, 31), true)
      .health_assessment(d(2025, 2, 28), false);
  auto all = run(r.child(), d(2025, 3, 1), clock_id::kLacReviewHealth);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].due, d(2025, 2, 28));
  EXPECT_EQ(clock_state_name(all[0].state), "met");
  EXPECT_EQ(all[1].due, d(2026, 2, 28));
}

TEST_F(Clocks, ReviewsEndWithCare) {
  // Care ended before the review fell due: no clock after the last assessment.
  Record r(words, d(2015, 1, 1));
  r.looked_after(d(2024, 1, 2), d(2024, 6, 1)).health_assessment(d(2024, 1, 10), true);
  EXPECT_TRUE(run(r.child(), d(2025, 6, 1), clock_id::kLacReviewHealth).empty());
  // Care ended after it without a review: missed when care ended.
  Record late(words, d(2015, 1, 1));
  late.looked_after(d(2024, 1, 2), d(2025, 3, 1)).health_assessment(d(2024, 1, 10), true);
  auto c = one(late.child(), d(2025, 6, 1), clock_id::kLacReviewHealth);
  EXPECT_STATE(c, ClockState::kMissed);
  EXPECT_EQ(c->due, d(2025, 1, 10));
  EXPECT_EQ(c->stopped, d(2025, 3, 1));
  // A review falling due on the 18th birthday does not apply.
  Record adult(words, d(2007, 1, 10));
  adult.looked_after(d(2023, 6, 1), kNoDay).health_assessment(d(2024, 1, 10), true);
  EXPECT_TRUE(run(adult.child(), d(2025, 6, 1), clock_id::kLacReviewHealth).empty());
}

// --- EHC needs assessments --------------------------------------------------

// Requested Monday 9 January 2023: the decision is due on day 42, Monday 20
// February; the plan on day 140, Monday 29 May; a no-plan notice on day 112,
// Monday 1 May.
TEST_F(Clocks, EhcDecisionSixWeeks) {
  const Day requested = d(2023, 1, 9);
  for (const auto& [decided, expected] :
       {std::pair{requested + 42, ClockState::kMet}, {requested + 43, ClockState::kMissed}}) {
    Record r(words, d(2015, 5, 5));
    r.ehc_request(requested, decided, "not assess", false);
    auto c = one(r.child(), d(2024, 1, 1), clock_id::kEhcDecision);
    EXPECT_STATE(c, expected);
    EXPECT_EQ(c->due, d(2023, 2, 20));
    EXPECT_TRUE(run(r.child(), d(2024, 1, 1), clock_id::kEhcPlan).empty());  // not assessed
  }
  Record waiting(words, d(2015, 5, 5));
  waiting.ehc_request(requested, kNoDay, "", false);
  EXPECT_STATE(one(waiting.child(), requested + 42, clock_id::kEhcDecision), ClockState::kRunning);
  EXPECT_STATE(one(waiting.child(), requested + 43, clock_id::kEhcDecision), ClockState::kOverdue);
  // A decision dated after the evaluation date is not known yet.
  Record later(words, d(2015, 5, 5));
  later.ehc_request(requested, requested + 30, "assess", false);
  EXPECT_STATE(one(later.child(), requested + 20, clock_id::kEhcDecision), ClockState::kRunning);
  EXPECT_TRUE(run(later.child(), requested + 20, clock_id::kEhcPlan).empty());
}

TEST_F(Clocks, EhcPlanTwentyWeeks) {
  const Day requested = d(2023, 1, 9);
  struct Case {
    int day;
    bool exceptions;
    ClockState expected;
  };
  for (const Case& k :
       {Case{140, false, ClockState::kMet}, Case{141, false, ClockState::kMissed},
        Case{140, true, ClockState::kMet}, Case{141, true, ClockState::kException}}) {
    Record r(words, d(2015, 5, 5));
    r.ehc_request(requested, requested + 35, "assess", k.exceptions)
        .ehc_outcome(requested, requested + k.day, "plan");
    auto c = one(r.child(), d(2024, 1, 1), clock_id::kEhcPlan);
    EXPECT_STATE(c, k.expected);
    EXPECT_EQ(c->due, d(2023, 5, 29));
    EXPECT_EQ(c->stopped, requested + k.day);
  }
  // Still assessing: running to day 140, then overdue, or an exception.
  for (const bool exceptions : {false, true}) {
    Record r(words, d(2015, 5, 5));
    r.ehc_request(requested, requested + 35, "assess", exceptions);
    EXPECT_STATE(one(r.child(), requested + 140, clock_id::kEhcPlan), ClockState::kRunning);
    EXPECT_STATE(one(r.child(), requested + 141, clock_id::kEhcPlan),
                 exceptions ? ClockState::kException : ClockState::kOverdue);
  }
  // With exceptions = false the flag is ignored.
  ProgrammesConfig strict;
  strict.ehc_plan.exceptions = false;
  Record r(words, d(2015, 5, 5));
  r.ehc_request(requested, requested + 35, "assess", true)
      .ehc_outcome(requested, requested + 141, "plan");
  EXPECT_STATE(one(r.child(), d(2024, 1, 1), clock_id::kEhcPlan, strict), ClockState::kMissed);
}

TEST_F(Clocks, EhcNoPlanSixteenWeeks) {
  const Day requested = d(2023, 1, 9);
  for (const auto& [day, expected] :
       {std::pair{112, ClockState::kMet}, {113, ClockState::kMissed}}) {
    Record r(words, d(2015, 5, 5));
    r.ehc_request(requested, requested + 35, "assess", false)
        .ehc_outcome(requested, requested + day, "no plan");
    auto c = one(r.child(), d(2024, 1, 1), clock_id::kEhcNoPlan);
    EXPECT_STATE(c, expected);
    EXPECT_EQ(c->due, d(2023, 5, 1));
    EXPECT_TRUE(run(r.child(), d(2024, 1, 1), clock_id::kEhcPlan).empty());
  }
}

TEST_F(Clocks, EhcBeforeTheRegulations) {
  Record r(words, d(2005, 5, 5));
  r.ehc_request(d(2014, 8, 31), d(2014, 10, 1), "assess", false)
      .ehc_outcome(d(2014, 8, 31), d(2015, 3, 1), "plan")
      .ehc_request(d(2014, 9, 1), d(2014, 10, 1), "not assess", false);
  auto decisions = run(r.child(), d(2016, 1, 1), clock_id::kEhcDecision);
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].start, d(2014, 9, 1));
  EXPECT_TRUE(run(r.child(), d(2016, 1, 1), clock_id::kEhcPlan).empty());
}

// --- Transition -------------------------------------------------------------

// Born 15 October 2008: Reception from September 2013 (the September after
// the 4th birthday), so Year 9 is 2022/23 and ends 31 August 2023. 13th
// birthday 15 October 2021; 14th 15 October 2022; 18th 15 October 2026.
TEST_F(Clocks, TransitionPlanByTheEndOfYearNine) {
  const Day birth = d(2008, 10, 15);
  for (const auto& [planned, expected] :
       {std::pair{d(2023, 8, 31), ClockState::kMet}, {d(2023, 9, 1), ClockState::kMissed}}) {
    Record r(words, birth);
    r.condition("46635009", d(2018, 11, 1)).add("care-plan", planned, F().code("transition"));
    auto c = one(r.child(), d(2024, 1, 1), clock_id::kTransitionPlan);
    EXPECT_STATE(c, expected);
    EXPECT_EQ(c->start, d(2021, 10, 15));
    EXPECT_EQ(c->due, d(2023, 8, 31));
  }
  // The age reading: due on the 14th birthday.
  ProgrammesConfig at14;
  at14.transition_plan.due = age_years(14);
  Record r(words, birth);
  r.condition("84757009", d(2018, 11, 1)).add("care-plan", d(2022, 10, 16), F().code("transition"));
  auto c = one(r.child(), d(2024, 1, 1), clock_id::kTransitionPlan, at14);
  EXPECT_STATE(c, ClockState::kMissed);
  EXPECT_EQ(c->due, d(2022, 10, 15));
  // Not yet 13: no clock.
  EXPECT_TRUE(run(r.child(), d(2021, 10, 14), clock_id::kTransitionPlan).empty());
  // Nobody qualifying: no clock.
  Record well(words, birth);
  well.condition("195967001", d(2012, 1, 1));
  EXPECT_TRUE(run(well.child(), d(2024, 1, 1), clock_id::kTransitionPlan).empty());
}

TEST_F(Clocks, TransitionForLateQualifiers) {
  const Day birth = d(2008, 10, 15);
  // Diagnosed at 15 (1 December 2023): the clock starts then and is due 3
  // months later, 1 March 2024.
  Record r(words, birth);
  r.condition("46635009", d(2023, 12, 1));
  auto c = one(r.child(), d(2024, 3, 1), clock_id::kTransitionPlan);
  EXPECT_STATE(c, ClockState::kRunning);
  EXPECT_EQ(c->start, d(2023, 12, 1));
  EXPECT_EQ(c->due, d(2024, 3, 1));
  EXPECT_STATE(one(r.child(), d(2024, 3, 2), clock_id::kTransitionPlan), ClockState::kOverdue);
  // No plan by the 18th birthday: missed, stopped then.
  auto at18 = one(r.child(), d(2026, 10, 15), clock_id::kTransitionPlan);
  EXPECT_STATE(at18, ClockState::kMissed);
  EXPECT_EQ(at18->stopped, d(2026, 10, 15));
  // An EHC plan qualifies too; diagnosed at 18 does not.
  Record ehc(words, birth);
  ehc.add("ehc-plan", d(2016, 3, 1)).condition("46635009", d(2026, 10, 15));
  auto e = one(ehc.child(), d(2022, 1, 1), clock_id::kTransitionPlan);
  ASSERT_TRUE(e);
  EXPECT_NE(e->detail.find("EHC plan"), std::string::npos) << e->detail;
  Record adult(words, birth);
  adult.condition("46635009", d(2026, 10, 15));
  EXPECT_TRUE(run(adult.child(), d(2027, 1, 1), clock_id::kTransitionPlan).empty());
}

// Born 20 May 2006: 18 on 20 May 2024; with 30 days' allowance the adult
// service must have seen them by 19 June 2024.
TEST_F(Clocks, AdultServiceNoGap) {
  const Day birth = d(2006, 5, 20);
  {
    Record r(words, birth);
    r.condition("46635009", d(2016, 1, 1)).outpatient("307", d(2024, 6, 19));
    auto c = one(r.child(), d(2025, 1, 1), clock_id::kAdultService);
    EXPECT_STATE(c, ClockState::kMet);
    EXPECT_EQ(c->start, d(2024, 5, 20));
    EXPECT_EQ(c->due, d(2024, 6, 19));
  }
  {
    // A gap: missed the first adult appointment, seen in November.
    Record r(words, birth);
    r.condition("46635009", d(2016, 1, 1))
        .outpatient("307", d(2024, 6, 1), "did-not-attend")
        .outpatient("307", d(2024, 11, 1));
    auto c = one(r.child(), d(2025, 1, 1), clock_id::kAdultService);
    EXPECT_STATE(c, ClockState::kMissed);
    EXPECT_EQ(c->stopped, d(2024, 11, 1));
  }
  {
    // A joint clinic before 18 meets it; epilepsy goes to neurology (400).
    Record r(words, birth);
    r.condition("84757009", d(2016, 1, 1))
        .outpatient("307", d(2024, 5, 1))
        .outpatient("400", d(2024, 4, 1), "attended-late");
    auto c = one(r.child(), d(2025, 1, 1), clock_id::kAdultService);
    EXPECT_STATE(c, ClockState::kMet);
    EXPECT_EQ(c->stopped, d(2024, 4, 1));
  }
  {
    // Not yet 18: no clock; never seen: overdue.
    Record r(words, birth);
    r.condition("46635009", d(2016, 1, 1)).outpatient("263", d(2024, 3, 1));
    EXPECT_TRUE(run(r.child(), d(2024, 5, 19), clock_id::kAdultService).empty());
    EXPECT_STATE(one(r.child(), d(2024, 6, 19), clock_id::kAdultService), ClockState::kRunning);
    EXPECT_STATE(one(r.child(), d(2024, 6, 20), clock_id::kAdultService), ClockState::kOverdue);
  }
  {
    // Asthma has no adult service clock.
    Record r(words, birth);
    r.condition("195967001", d(2016, 1, 1));
    EXPECT_TRUE(run(r.child(), d(2025, 1, 1), clock_id::kAdultService).empty());
  }
}

// --- CAMHS --------------------------------------------------------------------

// Referred 1 March 2024: 4 weeks is day 28, 29 March.
TEST_F(Clocks, CamhsFirstContactFourWeeks) {
  const Day referred = d(2024, 3, 1);
  for (const auto& [day, expected] : {std::pair{28, ClockState::kMet}, {29, ClockState::kMissed}}) {
    Record r(words, d(2010, 1, 1));
    r.add("mental-health-referral", referred, F().code("A1").value("Anxiety"))
        .add("mental-health-contact", referred + 10, F().code("01").status("did-not-attend"))
        .add("mental-health-contact", referred + day, F().code("01").status("attended"));
    auto c = one(r.child(), d(2024, 12, 1), clock_id::kCamhsFirstContact);
    EXPECT_STATE(c, expected);
    EXPECT_EQ(c->due, d(2024, 3, 29));
    EXPECT_EQ(c->stopped, referred + day);
  }
}

TEST_F(Clocks, CamhsClosedWithoutContact) {
  Record r(words, d(2010, 1, 1));
  r.add("mental-health-referral", d(2024, 3, 1), F().code("A1").end(d(2024, 3, 20)))
      // After the discharge: not this referral's contact.
      .add("mental-health-contact", d(2024, 3, 25), F().code("01").status("attended"));
  auto c = one(r.child(), d(2024, 12, 1), clock_id::kCamhsFirstContact);
  EXPECT_STATE(c, ClockState::kMissed);
  EXPECT_EQ(c->stopped, d(2024, 3, 20));
  ProgrammesConfig excluded;
  excluded.camhs.closed_without_contact = "excluded";
  EXPECT_TRUE(run(r.child(), d(2024, 12, 1), clock_id::kCamhsFirstContact, excluded).empty());
}

TEST_F(Clocks, CamhsContactsBelongToTheLatestReferral) {
  Record r(words, d(2010, 1, 1));
  r.add("mental-health-referral", d(2024, 1, 10), F().code("A1"))
      .add("mental-health-referral", d(2024, 3, 1), F().code("H1").value("Self harm"))
      .add("mental-health-contact", d(2024, 3, 3), F().code("01").status("attended"));
  auto all = run(r.child(), d(2024, 12, 1), clock_id::kCamhsFirstContact);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(clock_state_name(all[0].state), "missed");  // referred again without contact
  EXPECT_EQ(all[0].stopped, d(2024, 3, 1));
  EXPECT_EQ(clock_state_name(all[1].state), "met");
  EXPECT_EQ(all[1].stopped, d(2024, 3, 3));
}

// --- Community paediatrics, first seizure, time to diagnosis ---------------

// Referred 1 March 2024: 13 weeks is day 91, 31 May 2024.
TEST_F(Clocks, CommunityPaediatricsThirteenWeeks) {
  for (const auto& [day, expected] : {std::pair{91, ClockState::kMet}, {92, ClockState::kMissed}}) {
    Record r(words, d(2018, 1, 1));
    r.add("service-request", d(2024, 3, 1),
          F().code("community-paediatrics").status("completed").value("Suspected autism"))
        .add("encounter", d(2024, 3, 1) + day, F().code("diagnostic-assessment"));
    auto c = one(r.child(), d(2024, 12, 1), clock_id::kCommunityPaediatrics);
    EXPECT_STATE(c, expected);
    EXPECT_EQ(c->due, d(2024, 5, 31));
  }
  ProgrammesConfig autism_only;
  autism_only.community_paediatrics.reasons = {"Suspected autism"};
  Record adhd(words, d(2018, 1, 1));
  adhd.add("service-request", d(2024, 3, 1),
           F().code("community-paediatrics").status("active").value("Suspected ADHD"));
  EXPECT_STATE(one(adhd.child(), d(2024, 6, 1), clock_id::kCommunityPaediatrics),
               ClockState::kOverdue);
  EXPECT_TRUE(
      run(adhd.child(), d(2024, 6, 1), clock_id::kCommunityPaediatrics, autism_only).empty());
}

// Referred for autism, then for ADHD while waiting: the assessments are
// matched in order, the first to the autism referral.
TEST_F(Clocks, CommunityPaediatricsOverlappingReferrals) {
  Record r(words, d(2012, 1, 1));
  r.add("service-request", d(2021, 2, 10),
        F().code("community-paediatrics").value("Suspected autism"))
      .add("service-request", d(2021, 9, 5),
           F().code("community-paediatrics").value("Suspected ADHD"))
      .add("service-request", d(2021, 9, 5),  // the same referral from a second record
           F().code("community-paediatrics").value("Suspected ADHD").source("other"))
      .add("encounter", d(2023, 3, 2), F().code("diagnostic-assessment"));
  auto all = run(r.child(), d(2024, 1, 1), clock_id::kCommunityPaediatrics);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].start, d(2021, 2, 10));
  EXPECT_EQ(all[0].stopped, d(2023, 3, 2));
  EXPECT_EQ(all[1].start, d(2021, 9, 5));
  EXPECT_EQ(clock_state_name(all[1].state), "overdue");
  // Both referrals on one day are two referrals.
  Record same_day(words, d(2012, 1, 1));
  same_day
      .add("service-request", d(2021, 2, 10),
           F().code("community-paediatrics").value("Suspected autism"))
      .add("service-request", d(2021, 2, 10),
           F().code("community-paediatrics").value("Suspected ADHD"));
  EXPECT_EQ(run(same_day.child(), d(2024, 1, 1), clock_id::kCommunityPaediatrics).size(), 2u);
}

// A first seizure in the ED on 1 March 2024: seen in paediatric neurology
// (421) by 15 March.
TEST_F(Clocks, FirstSeizureSeenInTwoWeeks) {
  for (const auto& [day, expected] : {std::pair{14, ClockState::kMet}, {15, ClockState::kMissed}}) {
    Record r(words, d(2015, 1, 1));
    r.add("ed-attendance", d(2024, 3, 1), F().code("91175000").display("Seizure"))
        .outpatient("421", d(2024, 3, 1) + day)
        .condition("84757009", d(2024, 4, 1));
    auto c = one(r.child(), d(2024, 12, 1), clock_id::kEpilepsySpecialist);
    EXPECT_STATE(c, expected);
    EXPECT_EQ(c->due, d(2024, 3, 15));
    // Presentation to diagnosis: 31 days against 14.
    auto dx = one(r.child(), d(2024, 12, 1), clock_id::kEpilepsyDiagnosis);
    EXPECT_STATE(dx, ClockState::kMissed);
    EXPECT_EQ(dx->start, d(2024, 3, 1));
    EXPECT_EQ(dx->stopped, d(2024, 4, 1));
  }
  // A seizure after the diagnosis is not a first seizure.
  Record known(words, d(2015, 1, 1));
  known.condition("84757009", d(2023, 1, 1))
      .add("ed-attendance", d(2024, 3, 1), F().code("91175000"));
  EXPECT_TRUE(run(known.child(), d(2024, 12, 1), clock_id::kEpilepsySpecialist).empty());
  EXPECT_TRUE(run(known.child(), d(2024, 12, 1), clock_id::kEpilepsyDiagnosis).empty());
}

TEST_F(Clocks, AutismReferralToDiagnosis) {
  Record r(words, d(2016, 1, 1));
  r.add("service-request", d(2022, 1, 10),
        F().code("community-paediatrics").value("Suspected autism"))
      .condition("35919005", d(2022, 1, 10) + 91);
  auto c = one(r.child(), d(2024, 1, 1), clock_id::kAutismDiagnosis);
  EXPECT_STATE(c, ClockState::kMet);
  // Without the diagnosis there is no time-to-diagnosis clock.
  Record waiting(words, d(2016, 1, 1));
  waiting.add("service-request", d(2022, 1, 10),
              F().code("community-paediatrics").value("Suspected autism"));
  EXPECT_TRUE(run(waiting.child(), d(2024, 1, 1), clock_id::kAutismDiagnosis).empty());
}

// --- Death and moving out ---------------------------------------------------

TEST_F(Clocks, DeathEndsClocksNotYetDue) {
  Record r(words, d(2015, 3, 1));
  r.looked_after(d(2024, 12, 13), kNoDay);
  r.child().died = d(2025, 1, 10);  // before the due day, 15 January
  EXPECT_TRUE(run(r.child(), d(2025, 6, 1), clock_id::kLacInitialHealth).empty());
  r.child().died = d(2025, 2, 1);  // overdue when the child died
  auto c = one(r.child(), d(2025, 6, 1), clock_id::kLacInitialHealth);
  EXPECT_STATE(c, ClockState::kOverdue);
  EXPECT_NE(c->detail.find("died 2025-02-01"), std::string::npos) << c->detail;
  r.child().died = kNoDay;
  r.child().left = d(2025, 1, 14);
  EXPECT_TRUE(run(r.child(), d(2025, 6, 1), clock_id::kLacInitialHealth).empty());
}

TEST_F(Clocks, DisabledClocksAreNotShown) {
  ProgrammesConfig off;
  off.lac_initial.enabled = false;
  Record r(words, d(2015, 3, 1));
  r.looked_after(d(2024, 12, 13), kNoDay);
  EXPECT_TRUE(run(r.child(), d(2025, 6, 1), clock_id::kLacInitialHealth, off).empty());
}

TEST(ClockState, Names) {
  EXPECT_EQ(clock_state_name(ClockState::kRunning), "running");
  EXPECT_EQ(clock_state_name(ClockState::kOverdue), "overdue");
  EXPECT_EQ(clock_state_name(ClockState::kMet), "met");
  EXPECT_EQ(clock_state_name(ClockState::kMissed), "missed");
  EXPECT_EQ(clock_state_name(ClockState::kException), "exception");
}

}  // namespace
}  // namespace onechild
