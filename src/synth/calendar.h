// Calendar arithmetic the synthetic life course needs: ages, birthdays,
// school years and the school census days.
#pragma once

#include <chrono>

#include "core/date.h"

namespace onechild::synth {

inline int days_between(Date from, Date to) {
  return static_cast<int>((std::chrono::sys_days{to} - std::chrono::sys_days{from}).count());
}
inline bool before(Date a, Date b) {
  return std::chrono::sys_days{a} < std::chrono::sys_days{b};
}
inline Date earliest(Date a, Date b) {
  return before(a, b) ? a : b;
}
inline Date latest(Date a, Date b) {
  return before(a, b) ? b : a;
}

// The date `years` after `birth`; a 29 February birthday falls on 28 February
// in other years, as the NHS and schools count it.
inline Date birthday(Date birth, int years) {
  const std::chrono::year_month_day d{birth.year() + std::chrono::years{years}, birth.month(),
                                      birth.day()};
  return d.ok() ? d : Date{d.year(), d.month(), std::chrono::day{28}};
}

// The academic year (named by the calendar year it starts in, September) in
// which a child born on `birth` starts Reception: the September after their
// fourth birthday.
inline int reception_year(Date birth) {
  const int y = static_cast<int>(birth.year());
  return static_cast<unsigned>(birth.month()) >= 9 ? y + 5 : y + 4;
}

// The academic year (by its starting calendar year) that contains `date`.
inline int academic_year_of(Date date) {
  const int y = static_cast<int>(date.year());
  return static_cast<unsigned>(date.month()) >= 9 ? y : y - 1;
}

inline Date academic_year_start(int year) {
  return Date{std::chrono::year{year}, std::chrono::September, std::chrono::day{1}};
}

// The n-th given weekday of a month (n from 1).
inline Date nth_weekday(int year, unsigned month, std::chrono::weekday wd, unsigned n) {
  return Date{std::chrono::sys_days{
      std::chrono::year_month_weekday{std::chrono::year{year}, std::chrono::month{month}, wd[n]}}};
}

enum class Term { kAutumn, kSpring, kSummer };

// School census days in England: the first Thursday in October, the third
// Thursday in January and the third Thursday in May (DfE school census guide).
inline Date census_day(int academic_year, Term term) {
  using std::chrono::Thursday;
  switch (term) {
    case Term::kAutumn:
      return nth_weekday(academic_year, 10, Thursday, 1);
    case Term::kSpring:
      return nth_weekday(academic_year + 1, 1, Thursday, 3);
    case Term::kSummer:
      break;
  }
  return nth_weekday(academic_year + 1, 5, Thursday, 3);
}

}  // namespace onechild::synth
