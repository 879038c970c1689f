// BankHolidays::parse on arbitrary bytes: never crashes, a failure names the
// origin and a line, and a list it accepts keeps the promises the statutory
// clocks rely on: add_working_days lands on a working day, and
// working_days_between counts back to the same n.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "programmes/working_days.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace std::chrono;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto holidays = onechild::BankHolidays::parse(text, "fuzz.csv");
  if (!holidays.ok()) {
    check(holidays.error().file() == "fuzz.csv" && holidays.error().line() >= 1);
    return 0;
  }
  const onechild::BankHolidays& h = *holidays;
  check(h.size() >= 1);
  const onechild::Date end = h.covered_until();
  check(end.ok() && end.month() == December && end.day() == day{31});

  // Starts and counts taken from the input, within two years before the end of the list.
  const int n = static_cast<int>(size % 61);
  for (int back : {0, 1, 7, 30, 200, 400, 730}) {
    const onechild::Date start{sys_days{end} - days{back + static_cast<int>(size % 7)}};
    const onechild::Date due = h.add_working_days(start, n);
    check(h.working_days_between(start, due) == n);
    if (n > 0) {
      check(h.is_working_day(due));
      check(!h.is_bank_holiday(due));
      check(h.working_days_between(start, onechild::add_days(due, -1)) == n - 1);
    } else {
      check(due == start);
    }
  }
  return 0;
}
