#include "programmes/working_days.h"

#include <gtest/gtest.h>

#include "core/date.h"

namespace onechild {
namespace {

using namespace std::chrono;

Date d(int y, unsigned m, unsigned dd) {
  return Date{year{y}, month{m}, day{dd}};
}

const BankHolidays& shipped() {
  static const BankHolidays holidays = [] {
    auto loaded = BankHolidays::load(BankHolidays::default_path());
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.error().to_string();
      return *BankHolidays::parse("date,name\n2025-12-25,Christmas Day\n", "fallback");
    }
    return std::move(loaded).value();
  }();
  return holidays;
}

int count_in_year(const BankHolidays& holidays, int y) {
  int n = 0;
  for (sys_days day{d(y, 1, 1)}; day <= sys_days{d(y, 12, 31)}; day += days{1}) {
    if (holidays.is_bank_holiday(Date{day})) ++n;
  }
  return n;
}

TEST(BankHolidays, ShippedFileLoads) {
  const BankHolidays& h = shipped();
  EXPECT_EQ(h.covered_until(), d(2030, 12, 31));
  EXPECT_EQ(count_in_year(h, 2025), 8);
  EXPECT_EQ(count_in_year(h, 2022), 10);
  for (Date day :
       {d(2022, 1, 3), d(2022, 4, 15), d(2022, 4, 18), d(2022, 5, 2), d(2022, 6, 2), d(2022, 6, 3),
        d(2022, 8, 29), d(2022, 9, 19), d(2022, 12, 26), d(2022, 12, 27)}) {
    EXPECT_TRUE(h.is_bank_holiday(day)) << format_iso_date(day);
  }
  EXPECT_FALSE(h.is_bank_holiday(d(2022, 5, 30)));   // Spring bank holiday moved to 2 June
  EXPECT_FALSE(h.is_bank_holiday(d(2022, 12, 25)));  // a Sunday: 27 December instead
  EXPECT_TRUE(h.is_bank_holiday(d(2020, 5, 8)));     // VE Day, not Monday 4 May
  EXPECT_FALSE(h.is_bank_holiday(d(2020, 5, 4)));
  EXPECT_TRUE(h.is_bank_holiday(d(2023, 5, 8)));  // coronation
  EXPECT_EQ(count_in_year(h, 2000), 8);
  EXPECT_EQ(count_in_year(h, 2031), 0);  // past covered_until
}

TEST(BankHolidays, WorkingDay) {
  const BankHolidays& h = shipped();
  EXPECT_TRUE(h.is_working_day(d(2024, 12, 24)));   // Tuesday
  EXPECT_FALSE(h.is_working_day(d(2024, 12, 25)));  // Christmas Day
  EXPECT_FALSE(h.is_working_day(d(2024, 12, 28)));  // Saturday
  EXPECT_FALSE(h.is_working_day(d(2024, 12, 29)));  // Sunday
  EXPECT_FALSE(h.is_bank_holiday(d(2024, 12, 28)));
}

// From Friday 13 December 2024, counting the days after it:
//   Mon 16 .. Fri 20 Dec          1-5
//   Mon 23, Tue 24                6-7
//   Wed 25 Christmas, Thu 26 Boxing Day
//   Fri 27                        8
//   Mon 30, Tue 31                9-10
//   Wed 1 Jan New Year's Day
//   Thu 2, Fri 3 Jan              11-12
//   Mon 6 .. Fri 10 Jan           13-17
//   Mon 13, Tue 14, Wed 15 Jan    18-20
// so the 20th working day is Wednesday 15 January 2025: 20 weekdays on is
// Friday 10 January, and the three holidays push it three weekdays later.
TEST(BankHolidays, TwentyWorkingDaysAcrossChristmas2024) {
  const BankHolidays& h = shipped();
  EXPECT_EQ(h.add_working_days(d(2024, 12, 13), 20), d(2025, 1, 15));
  EXPECT_EQ(h.add_working_days(d(2024, 12, 13), 7), d(2024, 12, 24));
  EXPECT_EQ(h.add_working_days(d(2024, 12, 13), 8), d(2024, 12, 27));
  EXPECT_EQ(h.add_working_days(d(2024, 12, 13), 11), d(2025, 1, 2));
  EXPECT_EQ(h.working_days_between(d(2024, 12, 13), d(2025, 1, 15)), 20);
  EXPECT_EQ(h.working_days_between(d(2024, 12, 13), d(2025, 1, 14)), 19);
}

// From Monday 20 December 2021: Tue 21 .. Fri 24 are 1-4; Sat 25, Sun 26;
// Mon 27 and Tue 28 are the Christmas and Boxing Day substitutes; Wed 29 ..
// Fri 31 are 5-7; Sat 1, Sun 2 Jan; Mon 3 Jan is the New Year substitute;
// Tue 4 .. Thu 6 Jan are 8-10; Fri 7 is 11; Mon 10 .. Fri 14 are 12-16;
// Mon 17 .. Thu 20 are 17-20.
TEST(BankHolidays, AcrossSubstituteDays2021) {
  const BankHolidays& h = shipped();
  EXPECT_EQ(h.add_working_days(d(2021, 12, 20), 4), d(2021, 12, 24));
  EXPECT_EQ(h.add_working_days(d(2021, 12, 20), 5), d(2021, 12, 29));
  EXPECT_EQ(h.add_working_days(d(2021, 12, 20), 8), d(2022, 1, 4));
  EXPECT_EQ(h.add_working_days(d(2021, 12, 20), 10), d(2022, 1, 6));
  EXPECT_EQ(h.add_working_days(d(2021, 12, 20), 20), d(2022, 1, 20));
}

// Good Friday 18 April and Easter Monday 21 April 2025. From Wednesday 16:
// Thu 17 is 1, then Tue 22 .. Fri 25 are 2-5.
TEST(BankHolidays, AcrossEaster2025) {
  const BankHolidays& h = shipped();
  EXPECT_EQ(h.add_working_days(d(2025, 4, 16), 1), d(2025, 4, 17));
  EXPECT_EQ(h.add_working_days(d(2025, 4, 16), 2), d(2025, 4, 22));
  EXPECT_EQ(h.add_working_days(d(2025, 4, 16), 5), d(2025, 4, 25));
  EXPECT_EQ(h.working_days_between(d(2025, 4, 17), d(2025, 4, 21)), 0);
}

// Saturday 1 March 2025: Mon 3 is the first working day; four full weeks end
// on Friday 28 March (no holidays in March 2025).
TEST(BankHolidays, StartOnASaturday) {
  const BankHolidays& h = shipped();
  EXPECT_EQ(h.add_working_days(d(2025, 3, 1), 1), d(2025, 3, 3));
  EXPECT_EQ(h.add_working_days(d(2025, 3, 1), 5), d(2025, 3, 7));
  EXPECT_EQ(h.add_working_days(d(2025, 3, 1), 20), d(2025, 3, 28));
  EXPECT_EQ(h.add_working_days(d(2025, 3, 2), 20), d(2025, 3, 28));  // Sunday: the same
}

// Monday 5 May 2025 is the Early May bank holiday: Tue 6 .. Fri 9 are 1-4,
// 12-16 May 5-9, 19-23 May 10-14, Mon 26 May is the Spring bank holiday,
// Tue 27 .. Fri 30 are 15-18, Mon 2 and Tue 3 June are 19-20.
TEST(BankHolidays, StartOnABankHoliday) {
  const BankHolidays& h = shipped();
  EXPECT_EQ(h.add_working_days(d(2025, 5, 5), 1), d(2025, 5, 6));
  EXPECT_EQ(h.add_working_days(d(2025, 5, 5), 20), d(2025, 6, 3));
}

TEST(BankHolidays, ZeroDaysIsTheStart) {
  const BankHolidays& h = shipped();
  EXPECT_EQ(h.add_working_days(d(2024, 12, 25), 0), d(2024, 12, 25));  // even a holiday
  EXPECT_EQ(h.add_working_days(d(2025, 3, 1), 0), d(2025, 3, 1));      // or a Saturday
  EXPECT_EQ(h.add_working_days(d(2025, 3, 3), -5), d(2025, 3, 3));
  EXPECT_EQ(h.working_days_between(d(2025, 3, 3), d(2025, 3, 3)), 0);
  EXPECT_EQ(h.working_days_between(d(2025, 3, 7), d(2025, 3, 3)), 0);  // to before from
}

// add_working_days and working_days_between agree, and both agree with
// counting one day at a time, for every start in 2021-2023 (every holiday
// shape: substitutes, the moved Spring holiday, the one-offs) and n up to 45.
TEST(BankHolidays, BetweenIsTheInverseOfAdd) {
  const BankHolidays& h = shipped();
  for (sys_days start{d(2021, 1, 1)}; start <= sys_days{d(2023, 12, 31)}; start += days{1}) {
    const Date s{start};
    int counted = 0;
    sys_days day = start;
    for (int n = 1; n <= 45; ++n) {
      do {
        day += days{1};
      } while (!h.is_working_day(Date{day}));
      ++counted;
      const Date due = h.add_working_days(s, n);
      ASSERT_EQ(due, Date{day}) << format_iso_date(s) << " + " << n;
      ASSERT_EQ(h.working_days_between(s, due), counted) << format_iso_date(s) << " + " << n;
      ASSERT_EQ(h.working_days_between(s, add_days(due, -1)), counted - 1)
          << format_iso_date(s) << " + " << n;
    }
  }
}

TEST(BankHolidays, PastTheListOnlyWeekendsCount) {
  const BankHolidays& h = shipped();
  // 25 December 2031 is a Thursday but 2031 is not covered.
  EXPECT_GT(h.add_working_days(d(2031, 12, 24), 1), h.covered_until());
  EXPECT_EQ(h.add_working_days(d(2031, 12, 24), 1), d(2031, 12, 25));
}

TEST(BankHolidays, ParsesText) {
  auto h = BankHolidays::parse(
      "\xEF\xBB\xBF"
      "name,date,notes\r\n\"Boxing Day\",2024-12-26,\r\nChristmas Day,2024-12-25,x\r\n",
      "test.csv");
  ASSERT_TRUE(h.ok()) << h.error().to_string();
  EXPECT_EQ(h->size(), 2u);
  EXPECT_TRUE(h->is_bank_holiday(d(2024, 12, 25)));
  EXPECT_EQ(h->covered_until(), d(2024, 12, 31));
}

// The error for `text`, which must not parse; its file and line are checked.
Error parse_error(std::string_view text, int64_t line) {
  auto h = BankHolidays::parse(text, "holidays.csv");
  EXPECT_FALSE(h.ok()) << text;
  if (h.ok()) return Error::internal("parsed");
  EXPECT_EQ(h.error().file(), "holidays.csv");
  EXPECT_EQ(h.error().line(), line) << h.error().to_string();
  EXPECT_EQ(h.error().code(), Error::Code::kInvalidArgument);
  return h.error();
}

TEST(BankHolidays, MalformedInputNamesTheLine) {
  Error e = parse_error("date,name\n2024-12-25,Christmas Day\n2024-13-01,Nonsense\n", 3);
  EXPECT_EQ(e.field(), "date");
  EXPECT_NE(e.to_string().find("holidays.csv:3: date: date '2024-13-01'"), std::string::npos)
      << e.to_string();

  e = parse_error("date,name\n25/12/2024,Christmas Day\n", 2);
  EXPECT_NE(e.message().find("not YYYY-MM-DD"), std::string::npos) << e.to_string();
  parse_error("date,name\n2024-12-25T00:00:00Z,Christmas Day\n", 2);

  e = parse_error(
      "date,name\n2024-12-25,Christmas Day\n2024-12-26,Boxing Day\n"
      "2024-12-25,Christmas again\n",
      4);
  EXPECT_NE(e.message().find("listed twice (first on line 2)"), std::string::npos) << e.to_string();

  e = parse_error("", 1);
  EXPECT_NE(e.message().find("empty"), std::string::npos) << e.to_string();
  e = parse_error("date,name\n", 1);
  EXPECT_NE(e.message().find("no bank holidays"), std::string::npos) << e.to_string();

  e = parse_error("date\n2024-12-25\n", 1);  // no name column
  EXPECT_NE(e.message().find("no column 'name'"), std::string::npos) << e.to_string();
  e = parse_error("day,name\n2024-12-25,Christmas Day\n", 1);
  EXPECT_NE(e.message().find("no column 'date'"), std::string::npos) << e.to_string();
  e = parse_error("date,name\n2024-12-25,Christmas Day\n2024-12-26\n", 3);  // a row short
  EXPECT_NE(e.message().find("missing column"), std::string::npos) << e.to_string();
  parse_error("date,name\n2024-12-25,Christmas Day,extra\n", 2);

  e = parse_error("date,name\n2021-12-25,Christmas Day\n", 2);  // a Saturday
  EXPECT_NE(e.message().find("Saturday or Sunday"), std::string::npos) << e.to_string();
  e = parse_error("date,name\n2024-12-25,  \n", 2);
  EXPECT_EQ(e.field(), "name");
  parse_error("date,name\n2024-12-25,\"Christmas\n", 2);  // quote never closed
}

TEST(BankHolidays, UnreadableFile) {
  auto h = BankHolidays::load("/nonexistent/bank-holidays.csv");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code(), Error::Code::kIoError);
  EXPECT_NE(h.error().message().find("/nonexistent/bank-holidays.csv"), std::string::npos);
}

}  // namespace
}  // namespace onechild
