// Immunisations on the UK routine schedule that applied to each child's
// date-of-birth cohort, including the 1 July 2025 and 1 January 2026
// changes, and the school-aged programme.
#include <cmath>

#include "synth/life/steps.h"

namespace onechild::synth::life {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

constexpr Date ymd(int y, unsigned m, unsigned d) {
  return Date{year{y}, month{m}, day{d}};
}

// SNOMED CT vaccine products (illustrative: check against the UK vaccine
// reference sets before any real use).
constexpr Vaccine kSixInOne{{"1162640003", "DTaP/IPV/Hib/HepB (6-in-1) vaccine"}, "6in1"};
constexpr Vaccine kFiveInOne{{"414619005", "DTaP/IPV/Hib (5-in-1) vaccine"}, "5in1"};
constexpr Vaccine kMenB{{"871873005", "Meningococcal group B vaccine"}, "MenB"};
constexpr Vaccine kRotavirus{{"871761004", "Rotavirus vaccine"}, "Rota"};
constexpr Vaccine kPcv{{"836398006", "Pneumococcal conjugate vaccine"}, "PCV"};
constexpr Vaccine kHibMenC{{"871871007", "Hib/MenC vaccine"}, "HibMenC"};
constexpr Vaccine kMenC{{"871866001", "Meningococcal group C conjugate vaccine"}, "MenC"};
constexpr Vaccine kMmr{{"871831003", "Measles, mumps and rubella vaccine"}, "MMR"};
constexpr Vaccine kMmrv{{"871908002", "Measles, mumps, rubella and varicella vaccine"}, "MMRV"};
constexpr Vaccine kFourInOne{{"871893003", "DTaP/IPV (4-in-1) pre-school booster"}, "4in1"};
constexpr Vaccine kHpv{{"836379009", "Human papillomavirus vaccine"}, "HPV"};
constexpr Vaccine kTdIpv{{"871887006", "Td/IPV (3-in-1) teenage booster"}, "TdIPV"};
constexpr Vaccine kMenAcwy{{"871874004", "Meningococcal ACWY conjugate vaccine"}, "MenACWY"};

// Dates the schedule changed (UKHSA; REFERENCE.md; the Green Book's history
// of the programme for the older cohorts).
constexpr Date kPcvFrom = ymd(2006, 7, 4);       // PCV and the Hib/MenC booster from September 2006
constexpr Date kSixInOneFrom = ymd(2017, 6, 1);  // 6-in-1 for babies born from about June 2017
constexpr Date kMenBFrom = ymd(2015, 7, 1);      // MenB for babies born from 1 July 2015
constexpr Date kRotavirusFrom = ymd(2013, 5, 1);      // rotavirus from July 2013
constexpr Date kPcvOnePlusOne = ymd(2019, 10, 1);     // PCV 1+1 (12 weeks) from January 2020
constexpr Date kJuly2025 = ymd(2025, 7, 1);           // MenB to 12 weeks, PCV to 16 weeks
constexpr Date kNewOneYearCohort = ymd(2024, 7, 1);   // no Hib/MenC; 18-month appointment
constexpr Date kMmrvAtOneYear = ymd(2025, 1, 1);      // MMRV at 12 and 18 months
constexpr Date kMmrvPreschoolFrom = ymd(2022, 9, 1);  // one MMRV at 3 years 4 months
constexpr Date kCatchUpFrom = ymd(2020, 1, 1), kCatchUpTo = ymd(2022, 8, 31);
constexpr Date kCatchUpStarts = ymd(2026, 11, 1);

struct Appointment {
  Date due;
  std::vector<const Vaccine*> vaccines;
  double uptake;  // share of children seen at all, before deprivation and engagement
};

// The routine appointments for a child born on `birth`, each with the
// vaccines of the schedule in force for that cohort.
std::vector<Appointment> routine_appointments(Date birth) {
  const bool new_primary = !before(add_days(birth, 84), kJuly2025);
  const Vaccine* hexa = before(birth, kSixInOneFrom) ? &kFiveInOne : &kSixInOne;
  const bool menb = !before(birth, kMenBFrom);
  const bool rota = !before(birth, kRotavirusFrom);
  const bool pcv_at_12_weeks = !before(birth, kPcvOnePlusOne);
  // Before September 2006: MenC at 8, 12 and 16 weeks, no PCV, no booster at one.
  const bool before_2006 = before(birth, kPcvFrom);

  std::vector<Appointment> a;
  a.push_back({add_days(birth, 56), {hexa}, 0.99});
  a.push_back({add_days(birth, 84), {hexa}, 0.985});
  a.push_back({add_days(birth, 112), {hexa}, 0.985});
  auto& w8 = a[0].vaccines;
  auto& w12 = a[1].vaccines;
  auto& w16 = a[2].vaccines;
  if (menb) w8.push_back(&kMenB);
  if (rota) {
    w8.push_back(&kRotavirus);
    w12.push_back(&kRotavirus);
  }
  if (before_2006) {
    for (auto* w : {&w8, &w12, &w16})
      w->push_back(&kMenC);
  } else if (new_primary) {
    if (menb) w12.push_back(&kMenB);
    w16.push_back(&kPcv);
  } else {
    if (pcv_at_12_weeks) {
      w12.push_back(&kPcv);
    } else {
      w8.push_back(&kPcv);
      w16.push_back(&kPcv);
    }
    if (menb) w16.push_back(&kMenB);
  }

  Appointment one_year{birthday(birth, 1), {}, 0.96};
  if (!before_2006) one_year.vaccines.push_back(&kPcv);
  if (menb) one_year.vaccines.push_back(&kMenB);
  if (!before_2006 && before(birth, kNewOneYearCohort)) one_year.vaccines.push_back(&kHibMenC);
  one_year.vaccines.push_back(before(birth, kMmrvAtOneYear) ? &kMmr : &kMmrv);
  a.push_back(std::move(one_year));

  if (!before(birth, kNewOneYearCohort)) {
    a.push_back({add_days(birthday(birth, 1), 182), {&kSixInOne, &kMmrv}, 0.94});
  }
  Appointment preschool{add_days(birthday(birth, 3), 121), {&kFourInOne}, 0.92};
  if (before(birth, kMmrvPreschoolFrom)) {
    preschool.vaccines.push_back(&kMmr);
  } else if (before(birth, kMmrvAtOneYear)) {
    preschool.vaccines.push_back(&kMmrv);
  }
  a.push_back(std::move(preschool));
  return a;
}

// Days after the due date: most within four weeks, some months late.
int delay_days(Random& rng) {
  if (rng.chance(0.85)) return static_cast<int>(rng.exponential(9));
  return 28 + static_cast<int>(rng.exponential(75));
}

void add_routine(Context& ctx) {
  const Child& c = ctx.child;
  const double deprivation = ctx.deprivation(c.birth_date);
  // A few families decline vaccination outright (recorded as not done).
  const bool declines = ctx.rng.chance(0.012);
  bool missed_last = false;
  std::optional<Date> last_given;
  for (const Appointment& appt : routine_appointments(c.birth_date)) {
    if (!before(appt.due, ctx.end())) break;
    if (declines) {
      const Date when = add_days(appt.due, static_cast<int>(ctx.rng.below(14)));
      if (!before(when, ctx.end())) break;
      for (const Vaccine* v : appt.vaccines)
        ctx.life.doses.push_back({v, appt.due, when, true, false});
      continue;
    }
    // Coverage falls with deprivation (UKHSA COVER by IMD) and tracks the
    // family's engagement; a missed appointment makes the next likelier missed.
    const double shift = -0.7 * deprivation + 0.6 * c.engagement - (missed_last ? 1.0 : 0.0);
    if (!ctx.rng.chance(shifted(appt.uptake, shift))) {
      missed_last = true;
      continue;
    }
    missed_last = false;
    // Doses of a course are at least four weeks apart: a late appointment
    // pushes the next one back (Green Book, chapter 11).
    Date given = add_days(appt.due, delay_days(ctx.rng));
    if (last_given) given = latest(given, add_days(*last_given, 28));
    if (!before(given, ctx.end())) continue;
    last_given = given;
    for (const Vaccine* v : appt.vaccines)
      ctx.life.doses.push_back({v, appt.due, given, false, false});
  }
  // MMRV catch-up for children born January 2020 to August 2022, from
  // 1 November 2026 to 31 March 2028: uptake so far is a few % a month.
  if (!declines && !before(c.birth_date, kCatchUpFrom) && !before(kCatchUpTo, c.birth_date) &&
      before(kCatchUpStarts, ctx.end())) {
    const int days = days_between(kCatchUpStarts, ctx.end());
    if (ctx.rng.chance(1.0 - std::exp(-0.04 * days / 30.0))) {
      ctx.life.doses.push_back(
          {&kMmrv, kCatchUpStarts, ctx.day_between(kCatchUpStarts, ctx.end()), false, false});
    }
  }
}

// School-aged immunisations, given in school by the community trust: HPV in
// Year 8 (boys from 2019/20; one dose from 2023/24, two before), Td/IPV and
// MenACWY in Year 9. Uptake about 72% (girls) and 66% (boys) for HPV, 76% and
// 77% for the Year 9 vaccines (UKHSA school-aged coverage, 2023/24).
void add_school_aged(Context& ctx) {
  const Child& c = ctx.child;
  const int year8 = reception_year(c.birth_date) + 8;
  const double shift = -0.4 * ctx.deprivation(c.birth_date) + 0.4 * c.engagement;
  const auto session = [&](int academic_year) {
    return add_days(academic_year_start(academic_year), static_cast<int>(ctx.rng.between(30, 290)));
  };
  const auto give = [&](const Vaccine* v, Date due, Date when) {
    if (!before(when, ctx.end()) || before(when, ctx.world.community_from) || !c.in_ics_on(when)) {
      return false;
    }
    ctx.life.doses.push_back({v, due, when, false, true});
    return true;
  };
  if ((ctx.male() ? year8 >= 2019 : true) &&
      ctx.rng.chance(shifted(ctx.male() ? 0.66 : 0.72, shift))) {
    const Date due = academic_year_start(year8);
    if (give(&kHpv, due, session(year8)) && year8 < 2023 && ctx.rng.chance(0.85)) {
      give(&kHpv, academic_year_start(year8 + 1), session(year8 + 1));
    }
  }
  const int year9 = year8 + 1;
  const Date when = session(year9);
  if (ctx.rng.chance(shifted(0.76, shift))) give(&kTdIpv, academic_year_start(year9), when);
  if (ctx.rng.chance(shifted(0.77, shift))) give(&kMenAcwy, academic_year_start(year9), when);
}

}  // namespace

void draw_immunisations(Context& ctx) {
  add_routine(ctx);
  add_school_aged(ctx);
}

}  // namespace onechild::synth::life
