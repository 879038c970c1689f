// Signals of concern (src/programmes/signals.h): each at one below its
// threshold, at it, and with an event just outside the window.
#include "programmes/signals.h"

#include <gtest/gtest.h>

#include <optional>

#include "core/date.h"

namespace onechild {
namespace {

using namespace std::chrono;

Day d(int y, unsigned m, unsigned dd) {
  return to_day(Date{year{y}, month{m}, day{dd}});
}

const BankHolidays& holidays() {
  static const BankHolidays h = *BankHolidays::parse("date,name\n2024-12-25,Christmas Day\n", "t");
  return h;
}

class Signals : public ::testing::Test {
 protected:
  void add(std::string_view kind, Day start, std::string_view code, std::string_view status = "",
           std::string_view value = "") {
    Fact f;
    f.kind = words.intern(kind);
    f.code = words.intern(code);
    f.status = words.intern(status);
    f.value = words.intern(value);
    f.start = start;
    child.facts.push_back(f);
  }
  void dna(Day on, std::string_view kind = "outpatient-appointment") {
    add(kind, on, kind == "outpatient-appointment" ? "420" : "01", "did-not-attend");
  }
  std::optional<SignalResult> signal(Day as_of, std::string_view id,
                                     const ProgrammesConfig& config = ProgrammesConfig()) {
    const SignalBook book(config, holidays(), words);
    std::vector<SignalResult> out;
    book.evaluate(child, as_of, out);
    std::optional<SignalResult> found;
    for (const SignalResult& s : out) {
      if (s.signal == id) {
        EXPECT_FALSE(found.has_value()) << "two results for " << id;
        found = s;
      }
    }
    return found;
  }

  Vocabulary words;
  ChildFacts child = [] {
    ChildFacts c;
    c.birth = d(2015, 1, 1);
    return c;
  }();
};

// On 30 June 2025 the 12-month window is 1 July 2024 to 30 June 2025
// (365 days after 30 June 2024).
TEST_F(Signals, WasNotBroughtTwoInTwelveMonths) {
  const Day as_of = d(2025, 6, 30);
  dna(d(2025, 6, 30));
  EXPECT_FALSE(signal(as_of, signal_id::kWasNotBrought));  // 1: threshold - 1
  dna(d(2024, 6, 30));                                     // the day before the window
  EXPECT_FALSE(signal(as_of, signal_id::kWasNotBrought));
  dna(d(2024, 7, 1), "mental-health-contact");  // the window's first day
  auto s = signal(as_of, signal_id::kWasNotBrought);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->count, 2);
  EXPECT_EQ(s->threshold, 2);
  EXPECT_EQ(s->first, d(2024, 7, 1));
  EXPECT_EQ(s->last, d(2025, 6, 30));
  EXPECT_EQ(s->window_days, 365);
  // A day later the July 2024 one has left the window... and one on the
  // evaluation date's tomorrow is not known yet.
  dna(d(2025, 7, 2));
  EXPECT_FALSE(signal(d(2025, 7, 1), signal_id::kWasNotBrought));
}

TEST_F(Signals, WasNotBroughtCountsOnlyMissedChildAppointments) {
  const Day as_of = d(2025, 6, 30);
  dna(d(2025, 1, 10));
  add("outpatient-appointment", d(2025, 2, 10), "420", "attended");
  add("outpatient-appointment", d(2025, 3, 10), "420", "cancelled-by-patient");
  add("mental-health-contact", d(2025, 4, 10), "01", "cancelled-by-patient");
  EXPECT_FALSE(signal(as_of, signal_id::kWasNotBrought));
  dna(d(2025, 1, 10));  // the same appointment from a second record: still one
  EXPECT_FALSE(signal(as_of, signal_id::kWasNotBrought));
  // At 18 a missed appointment is the young person's own.
  child.birth = d(2007, 3, 1);
  dna(d(2025, 3, 1));
  EXPECT_FALSE(signal(as_of, signal_id::kWasNotBrought));
  dna(d(2025, 2, 28));
  EXPECT_TRUE(signal(as_of, signal_id::kWasNotBrought));
}

TEST_F(Signals, ThresholdAndWindowAreSettings) {
  ProgrammesConfig c;
  c.was_not_brought.threshold = 3;
  c.was_not_brought.window_months = 6;
  const Day as_of = d(2025, 8, 31);  // six months: 1 March to 31 August 2025
  dna(d(2025, 2, 28));
  dna(d(2025, 3, 1));
  dna(d(2025, 8, 31));
  EXPECT_FALSE(signal(as_of, signal_id::kWasNotBrought, c));
  dna(d(2025, 5, 5));
  auto s = signal(as_of, signal_id::kWasNotBrought, c);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->count, 3);
  EXPECT_EQ(s->window_days, 184);  // 1 March .. 31 August
  c.was_not_brought.enabled = false;
  EXPECT_FALSE(signal(as_of, signal_id::kWasNotBrought, c));
}

TEST_F(Signals, UnscheduledCareThreeInTwelveMonths) {
  const Day as_of = d(2025, 6, 30);
  add("ed-attendance", d(2024, 6, 30), "34014006", "01");  // outside
  add("ed-attendance", d(2024, 12, 1), "34014006", "01");
  add("ed-attendance", d(2025, 3, 1), "21522001", "03");
  EXPECT_FALSE(signal(as_of, signal_id::kUnscheduledCare));
  add("admission", d(2025, 3, 1), "R104", "21");  // not an attendance
  EXPECT_FALSE(signal(as_of, signal_id::kUnscheduledCare));
  add("ed-attendance", d(2025, 6, 30), "82271004", "01");
  auto s = signal(as_of, signal_id::kUnscheduledCare);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->count, 3);
  EXPECT_EQ(s->first, d(2024, 12, 1));
  EXPECT_EQ(s->threshold, 3);
}

TEST_F(Signals, InjuriesFromTheEdAndAdmissions) {
  const Day as_of = d(2025, 6, 30);
  add("ed-attendance", d(2024, 9, 1), "82271004", "01", "306689006");  // head injury
  add("ed-attendance", d(2024, 10, 1), "34014006", "01");              // viral illness
  // Fracture of radius in the ED, admitted the next day: one injury.
  add("ed-attendance", d(2025, 1, 31), "12676007", "01", "306706006");
  add("admission", d(2025, 2, 1), "S525", "21", "W199");
  // Allergic reaction (T78.4) has no external cause; asthma is not an injury.
  add("admission", d(2025, 3, 1), "T784", "21");
  add("admission", d(2025, 3, 2), "J459", "21");
  EXPECT_FALSE(signal(as_of, signal_id::kInjuries));  // 2
  // An injury admitted directly (no ED attendance): the third.
  add("admission", d(2025, 4, 1), "S099", "21", "W199");
  auto s = signal(as_of, signal_id::kInjuries);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->count, 3);
  EXPECT_EQ(s->first, d(2024, 9, 1));
  EXPECT_EQ(s->last, d(2025, 4, 1));
  // Without the external cause requirement the allergic reaction counts too.
  ProgrammesConfig loose;
  loose.injuries.require_external_cause = false;
  EXPECT_EQ(signal(as_of, signal_id::kInjuries, loose)->count, 4);
  // With same_injury_days = 0 the next-day admission is another injury.
  ProgrammesConfig same_day;
  same_day.injuries.same_injury_days = 0;
  EXPECT_EQ(signal(as_of, signal_id::kInjuries, same_day)->count, 4);
}

TEST_F(Signals, SelfHarmCountsAsInjury) {
  const Day as_of = d(2025, 6, 30);
  add("ed-attendance", d(2025, 1, 1), "55680006", "01");   // drug overdose
  add("ed-attendance", d(2025, 2, 1), "248062006", "01");  // self-injurious behaviour
  add("admission", d(2025, 3, 1), "T391", "21", "X609");   // admitted overdose, no ED record
  auto s = signal(as_of, signal_id::kInjuries);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->count, 3);
}

TEST_F(Signals, NoneAfterDeathOrMovingOut) {
  const Day as_of = d(2025, 6, 30);
  dna(d(2025, 1, 1));
  dna(d(2025, 2, 1));
  EXPECT_TRUE(signal(as_of, signal_id::kWasNotBrought));
  child.died = d(2025, 6, 30);
  EXPECT_FALSE(signal(as_of, signal_id::kWasNotBrought));
  child.died = kNoDay;
  child.left = d(2025, 3, 1);
  EXPECT_FALSE(signal(as_of, signal_id::kWasNotBrought));
  EXPECT_TRUE(signal(d(2025, 2, 28), signal_id::kWasNotBrought));
}

}  // namespace
}  // namespace onechild
