#include "core/date.h"

#include <array>
#include <charconv>
#include <cstdio>

namespace onechild {
namespace {

bool parse_fixed_digits(std::string_view text, size_t pos, size_t width, int* out) {
  if (pos + width > text.size()) return false;
  for (size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  std::from_chars(text.data() + pos, text.data() + pos + width, *out);
  return true;
}

}  // namespace

Result<Date> parse_iso_date(std::string_view text) {
  // A FHIR dateTime carries a time part after 'T'; the date is what matters here.
  if (text.size() > 10 && text[10] == 'T') text = text.substr(0, 10);
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !parse_fixed_digits(text, 0, 4, &y) || !parse_fixed_digits(text, 5, 2, &m) ||
      !parse_fixed_digits(text, 8, 2, &d)) {
    return Error::invalid_argument("date '" + std::string(text) + "' is not YYYY-MM-DD");
  }
  const Date date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return Error::invalid_argument("date '" + std::string(text) + "' does not exist");
  return date;
}

std::string format_iso_date(Date date) {
  std::array<char, 16> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buf.data();
}

std::string format_uk_date(Date date) {
  static constexpr std::array<const char*, 12> kMonths = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  return std::to_string(static_cast<unsigned>(date.day())) + " " +
         kMonths[static_cast<unsigned>(date.month()) - 1] + " " +
         std::to_string(static_cast<int>(date.year()));
}

Date add_days(Date date, int days) {
  return Date{std::chrono::sys_days{date} + std::chrono::days{days}};
}

int age_in_years(Date birth, Date on) {
  int years = static_cast<int>(on.year()) - static_cast<int>(birth.year());
  if (on.month() < birth.month() || (on.month() == birth.month() && on.day() < birth.day())) {
    --years;
  }
  return years;
}

Date today() {
  return Date{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
}

std::string timestamp_now() {
  return format_iso_timestamp(
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

std::string format_iso_timestamp(std::chrono::system_clock::time_point at) {
  return format_iso_timestamp(std::chrono::floor<std::chrono::seconds>(at));
}

std::string format_iso_timestamp(std::chrono::sys_seconds at) {
  const auto day = std::chrono::floor<std::chrono::days>(at);
  const std::chrono::hh_mm_ss time{at - day};
  std::array<char, 16> buf{};
  std::snprintf(buf.data(), buf.size(), "T%02d:%02d:%02dZ", static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
  return format_iso_date(Date{day}) + buf.data();
}

}  // namespace onechild
