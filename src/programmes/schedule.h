// Schedules as data: the Healthy Child Programme reviews and the routine
// immunisations, read from config/schedules/*.toml (docs/programmes.md lists
// every item with its rule and source). An item applies to a date-of-birth
// cohort; its dates are ages, school years or fixed dates.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/error.h"

namespace onechild {

// When something falls due: an age ("8w", "1y", "3y4m", "10d"), the start or
// end of a school year ("year 8 start", "year 9 end") or a fixed date.
struct When {
  enum class Kind { kAge, kSchoolYearStart, kSchoolYearEnd, kDate } kind = Kind::kAge;
  int months = 0, days = 0;  // an age: calendar months, then days
  int school_year = 0;       // 0 = Reception
  Date date{};

  static Result<When> parse(std::string_view text);
  Date on(Date birth) const;  // the date for a child born on `birth`
};

// The date `months` calendar months after (or, negative, before) `date`; a
// day the month lacks falls on its last day (a 29 February birthday is 28
// February at one; 31 August + 6 months is the end of February), as the NHS
// and schools count ages.
Date add_months(Date date, int months);

struct ScheduleItem {
  std::string id, name, programme;  // programme: the file's id, "hcp" or "imms"
  std::string kind;                 // event kind that satisfies it ("encounter", "immunisation")
  std::string course;               // a named set of codes (immunisations) or the item's codes
  std::vector<std::string> codes;   // codes that count
  int dose = 1;                     // the nth event of the course
  // Who it is for: born in [born_from, born_before), of this sex if given.
  std::optional<Date> born_from, born_before;
  std::string sex;
  When due, by;                 // due from `due`; on time if done by `by` (inclusive)
  std::optional<When> until;    // after this it can no longer be given: missed
  std::optional<When> also_by;  // a second timeliness measure (by 15 months)
  std::string source;           // where the rule comes from
};

struct Schedule {
  std::string id, name, source, origin;
  // Whose schedule it is: children with a record from one of these sources
  // ("gp"; "education" also covers "education_westmoor"). Empty: everyone.
  std::vector<std::string> population;
  std::vector<ScheduleItem> items;
};

Result<Schedule> parse_schedule(std::string_view toml_text, const std::string& origin);
Result<Schedule> load_schedule(const std::string& path);
// Every *.toml in dir, in file-name order.
Result<std::vector<Schedule>> load_schedules(const std::string& dir);
std::string default_schedules_dir();  // config/schedules of the installation

}  // namespace onechild
