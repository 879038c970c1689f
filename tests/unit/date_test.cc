#include "core/date.h"

#include <gtest/gtest.h>

namespace onechild {
namespace {

using namespace std::chrono;

TEST(Date, ParsesIsoDate) {
  auto d = parse_iso_date("2024-02-29");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, (Date{year{2024}, month{2}, day{29}}));
  EXPECT_EQ(format_iso_date(*d), "2024-02-29");
}

TEST(Date, TakesDatePartOfFhirDateTime) {
  auto d = parse_iso_date("2024-03-01T10:15:00+00:00");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(format_iso_date(*d), "2024-03-01");
}

TEST(Date, RejectsImpossibleAndMalformedDates) {
  EXPECT_FALSE(parse_iso_date("2023-02-29").ok());
  EXPECT_FALSE(parse_iso_date("2023-13-01").ok());
  EXPECT_FALSE(parse_iso_date("01/02/2023").ok());
  EXPECT_FALSE(parse_iso_date("2023-1-01").ok());
  EXPECT_FALSE(parse_iso_date("").ok());
  EXPECT_FALSE(parse_iso_date("2023-01-0x").ok());
}

TEST(Date, FormatsForPeople) {
  EXPECT_EQ(format_uk_date(Date{year{2024}, month{3}, day{1}}), "1 March 2024");
}

TEST(Date, AgeInWholeYears) {
  const Date birth{year{2020}, month{6}, day{15}};
  EXPECT_EQ(age_in_years(birth, Date{year{2025}, month{6}, day{14}}), 4);
  EXPECT_EQ(age_in_years(birth, Date{year{2025}, month{6}, day{15}}), 5);
}

TEST(Date, AddDaysCrossesMonthsAndYears) {
  EXPECT_EQ(format_iso_date(add_days(Date{year{2024}, month{12}, day{25}}, 10)), "2025-01-04");
  EXPECT_EQ(format_iso_date(add_days(Date{year{2024}, month{3}, day{1}}, -1)), "2024-02-29");
}

TEST(Date, TimestampIsIsoUtc) {
  EXPECT_EQ(format_iso_timestamp(sys_days{Date{year{2026}, month{11}, day{22}}} + hours{12} +
                                 minutes{6} + seconds{9}),
            "2026-11-22T12:06:09Z");
}

}  // namespace
}  // namespace onechild
