// Working days for statutory clocks: a looked-after child's initial health
// assessment is due within 20 working days, and "working day" in the
// regulations means Monday to Friday except bank holidays in England. The
// holidays are data (config/reference/bank-holidays-england.csv) so a new
// proclamation needs a file edit, not a rebuild.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/error.h"

namespace onechild {

class BankHolidays {
 public:
  // A CSV with a header naming the columns "date" (YYYY-MM-DD) and "name";
  // other columns are ignored. A bad row (a date that is not YYYY-MM-DD or
  // falls at a weekend, a date listed twice, a missing or empty field), an
  // empty file or one listing no holidays -> Error::invalid_argument naming
  // the file and line. Unreadable file -> Error::io_error.
  static Result<BankHolidays> load(const std::string& path);
  static Result<BankHolidays> parse(std::string_view csv_text, std::string_view origin);

  // The shipped list: ONECHILD_CONFIG_DIR "/reference/bank-holidays-england.csv".
  static std::string default_path();

  bool is_bank_holiday(Date d) const;
  bool is_working_day(Date d) const;  // Monday to Friday and not a bank holiday

  // The nth working day after start (start itself is not counted, whatever it
  // is), as statutory clocks count. n == 0 returns start; n < 0 is taken as 0.
  Date add_working_days(Date start, int n) const;

  // Working days after `from` up to and including `to`; 0 when to <= from.
  // add_working_days(s, n) is the first day d with working_days_between(s, d) == n.
  int working_days_between(Date from, Date to) const;

  // 31 December of the last year the list covers. After it only weekends are
  // known, so callers should warn when a clock runs past it.
  Date covered_until() const { return covered_until_; }

  size_t size() const { return days_.size(); }

 private:
  BankHolidays() = default;

  // Holidays strictly after `from` up to and including `to`.
  int holidays_between(std::chrono::sys_days from, std::chrono::sys_days to) const;

  std::vector<std::chrono::sys_days> days_;  // ascending, no duplicates, all weekdays
  Date covered_until_;
};

}  // namespace onechild
