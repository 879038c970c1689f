// Calendar dates. A thin layer over C++20 std::chrono::year_month_day with
// the strict parsing and ISO formatting that feeds and the store need.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/error.h"

namespace onechild {

using Date = std::chrono::year_month_day;

// Parses "YYYY-MM-DD" exactly; FHIR dateTime values ("2024-03-01T10:00:00Z")
// are accepted and their date part taken. Impossible dates (2023-02-29) fail.
Result<Date> parse_iso_date(std::string_view text);

std::string format_iso_date(Date date);  // "2024-03-01"
std::string format_uk_date(Date date);   // "1 March 2024", as NHS pages show dates

Date add_days(Date date, int days);

// Whole years between birth and on (age at a date, as clinicians count it).
int age_in_years(Date birth, Date on);

// Today's date in UTC.
Date today();

// An instant as ISO 8601 UTC, "2026-11-22T12:06:19Z": the store's timestamp
// form, which sorts and compares correctly as text.
std::string format_iso_timestamp(std::chrono::sys_seconds at);
// The same, to the whole second below.
std::string format_iso_timestamp(std::chrono::system_clock::time_point at);
std::string timestamp_now();

}  // namespace onechild
