#include "programmes/working_days.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unordered_map>

#include "core/csv.h"

namespace onechild {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

std::string_view trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

int column_of(const std::vector<std::string>& header, std::string_view name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (trim(header[i]) == name) return static_cast<int>(i);
  }
  return -1;
}

bool is_weekend(sys_days day) {
  return std::chrono::weekday{day}.iso_encoding() >= 6;
}

// Monday-to-Friday days from a fixed Monday up to and including `day` (negative
// before it): the weekdays in (a, b] are weekdays_to(b) - weekdays_to(a), in O(1)
// however far apart a and b are.
int64_t weekdays_to(sys_days day) {
  constexpr sys_days kMonday{std::chrono::year{1970} / 1 / 5};
  const int64_t offset = (day - kMonday).count();
  const int64_t weeks = offset >= 0 ? offset / 7 : -((-offset + 6) / 7);
  const int64_t into_week = offset - weeks * 7;  // 0 = Monday ... 6 = Sunday
  return weeks * 5 + std::min<int64_t>(into_week + 1, 5);
}

}  // namespace

Result<BankHolidays> BankHolidays::load(const std::string& path) {
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path, ec)) {
    return Error::io_error("cannot read bank holiday list '" + path + "'");
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return Error::io_error("error reading bank holiday list '" + path + "'");
  return parse(text, path);
}

Result<BankHolidays> BankHolidays::parse(std::string_view csv_text, std::string_view origin) {
  const std::string file(origin);
  std::istringstream in{std::string(csv_text)};
  CsvReader reader(in);

  const std::optional<CsvRecord> header = reader.next();
  if (!header) {
    return Error::invalid_argument("empty file; expected the header 'date,name'").at(file, 1);
  }
  if (header->error) return Error::invalid_argument(*header->error).at(file, header->line);
  const int date_column = column_of(header->fields, "date");
  const int name_column = column_of(header->fields, "name");
  for (const auto& [column, name] : {std::pair{date_column, "date"}, {name_column, "name"}}) {
    if (column < 0) {
      return Error::invalid_argument(std::string("the header has no column '") + name +
                                     "'; expected 'date,name'")
          .at(file, header->line);
    }
  }

  BankHolidays holidays;
  std::unordered_map<int64_t, int64_t> line_of;  // day number -> the line that listed it
  while (std::optional<CsvRecord> record = reader.next()) {
    const int64_t line = record->line;
    if (record->error) return Error::invalid_argument(*record->error).at(file, line);
    if (record->fields.size() != header->fields.size()) {
      return Error::invalid_argument(
                 std::string(record->fields.size() < header->fields.size() ? "missing column: "
                                                                           : "extra column: ") +
                 "expected " + std::to_string(header->fields.size()) +
                 " fields as the header has, found " + std::to_string(record->fields.size()))
          .at(file, line);
    }
    const std::string& date_text = record->fields[static_cast<size_t>(date_column)];
    // parse_iso_date also takes a FHIR dateTime; a holiday is a bare date.
    Result<Date> date = date_text.size() == 10
                            ? parse_iso_date(date_text)
                            : Error::invalid_argument("date '" + date_text + "' is not YYYY-MM-DD");
    if (!date.ok()) return Error(date.error()).at(file, line, "date");
    const sys_days day{*date};
    // A weekend date would change nothing, so it is almost certainly the
    // holiday itself where its substitute weekday was meant.
    if (is_weekend(day)) {
      return Error::invalid_argument(date_text +
                                     " is a Saturday or Sunday; list the substitute weekday")
          .at(file, line, "date");
    }
    if (trim(record->fields[static_cast<size_t>(name_column)]).empty()) {
      return Error::invalid_argument("empty name").at(file, line, "name");
    }
    const auto [first, inserted] = line_of.emplace(day.time_since_epoch().count(), line);
    if (!inserted) {
      return Error::invalid_argument(date_text + " is listed twice (first on line " +
                                     std::to_string(first->second) + ")")
          .at(file, line, "date");
    }
    holidays.days_.push_back(day);
  }
  if (holidays.days_.empty()) {
    return Error::invalid_argument("no bank holidays listed").at(file, header->line);
  }
  std::sort(holidays.days_.begin(), holidays.days_.end());
  holidays.covered_until_ = Date{Date{holidays.days_.back()}.year() / std::chrono::December / 31};
  return holidays;
}

std::string BankHolidays::default_path() {
  return std::string(ONECHILD_CONFIG_DIR) + "/reference/bank-holidays-england.csv";
}

bool BankHolidays::is_bank_holiday(Date d) const {
  return std::binary_search(days_.begin(), days_.end(), sys_days{d});
}

bool BankHolidays::is_working_day(Date d) const {
  return !is_weekend(sys_days{d}) && !is_bank_holiday(d);
}

int BankHolidays::holidays_between(sys_days from, sys_days to) const {
  if (to <= from) return 0;
  return static_cast<int>(std::upper_bound(days_.begin(), days_.end(), to) -
                          std::upper_bound(days_.begin(), days_.end(), from));
}

int BankHolidays::working_days_between(Date from, Date to) const {
  const sys_days a{from}, b{to};
  if (b <= a) return 0;
  // Every listed holiday is a weekday (parse refuses weekends), so each one
  // in range removes exactly one weekday.
  return static_cast<int>(weekdays_to(b) - weekdays_to(a)) - holidays_between(a, b);
}

Date BankHolidays::add_working_days(Date start, int n) const {
  if (n <= 0) return start;
  const sys_days from{start};
  // Seven calendar days hold five weekdays; each holiday in range costs one
  // more, so widen until the window holds n working days, then bisect for the
  // first day that completes the count (a working day by construction).
  const auto enough = [&](sys_days day) { return working_days_between(start, Date{day}) >= n; };
  sys_days low = from;
  sys_days high = from + days{7 * ((int64_t{n} + 4) / 5)};
  while (!enough(high)) {
    const int64_t short_by = n - working_days_between(start, Date{high});
    low = high;
    high += days{7 * ((short_by + 4) / 5)};
  }
  while ((high - low).count() > 1) {
    const sys_days middle = low + days{(high - low).count() / 2};
    (enough(middle) ? high : low) = middle;
  }
  return Date{high};
}

}  // namespace onechild
