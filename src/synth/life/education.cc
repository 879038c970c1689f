// School: the termly census (school, year group, free school meals, SEN),
// the Reception profile, NCMP measurements, and EHC needs assessment
// requests with the SEND Regulations' clock.
#include <cmath>

#include "synth/life/steps.h"

namespace onechild::synth::life {
namespace {

// About 6% of pupils attend independent schools, which the school census,
// EYFSP and NCMP do not cover (DfE "Schools, pupils and their characteristics").
constexpr double kStateSchool = 0.94;
// The latent need above which a pupil has SEN support (about 14% of pupils).
constexpr double kSenSupport = 1.15;
// Sixth form at school (Years 12-13) rather than a college.
constexpr double kSchoolSixthForm = 0.5;

// Primary need of pupils on SEN support without a diagnosis that decides it
// (DfE "Special educational needs in England" 2024, approximate).
constexpr Weighted kPrimaryNeeds[] = {{"SLCN", 24}, {"SEMH", 21}, {"MLD", 14}, {"SPLD", 13},
                                      {"PD", 3},    {"HI", 2},    {"VI", 1},   {"SLD", 1},
                                      {"OTH", 4},   {"NSA", 3}};

std::string_view primary_need(Context& ctx) {
  if (ctx.has(Condition::kAutism)) return "ASD";
  if (ctx.has(Condition::kAdhd)) return "SEMH";
  if (ctx.has(Condition::kEpilepsy) && ctx.rng.chance(0.5)) return "PD";
  return draw(ctx.rng, kPrimaryNeeds);
}

// Siblings go to the same schools: the choice depends on the household and
// the place, not on the child.
const Organisation* school_in(const std::vector<const Organisation*>& schools, int64_t household,
                              uint64_t salt) {
  const uint64_t h = (static_cast<uint64_t>(household) + 1) * 0x9E3779B97F4A7C15ULL ^ salt;
  return schools[static_cast<size_t>((h >> 17) % schools.size())];
}

// The school a child in this year group attends on `day`: the household's
// primary or secondary school in the place they then live.
const Organisation* school_on(Context& ctx, int year_group, Date day) {
  const auto place = static_cast<size_t>(ctx.world.place_of(ctx.address(day).lsoa));
  const bool primary = year_group <= 6;
  return primary ? school_in(ctx.world.primaries_by_place[place], ctx.home.ordinal, 1)
                 : school_in(ctx.world.secondaries_by_place[place], ctx.home.ordinal, 2);
}

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

// NCMP: BMI centile from a z-score whose mean rises with deprivation, set so
// that about 9.6% are obese (>= 95th centile of UK90) in Reception and 22%
// in Year 6, with severe obesity and overweight near NCMP 2023/24 figures,
// and the gradient by deprivation decile close to NCMP's (13%/6% Reception,
// 30%/14% Year 6). Height and BMI use approximate growth parameters (not
// the UK90 tables themselves, which are under MRC licence); the centile
// the feed carries is the one the classification uses.
void add_ncmp(Context& ctx, int year_group, int academic_year, double tracking) {
  const bool reception = year_group == 0;
  const Date date =
      add_days(academic_year_start(academic_year), static_cast<int>(ctx.rng.between(60, 290)));
  if (before(date, ctx.world.community_from) || !before(date, ctx.end()) ||
      !ctx.child.in_ics_on(date) || !ctx.rng.chance(0.95)) {
    return;
  }
  const double dep = ctx.deprivation(date);
  const double mean = reception ? 0.014 + 0.35 * dep : 0.641 + 0.45 * dep;
  const double sd = reception ? 1.25 : 1.3;
  const double z = mean + sd * (0.75 * tracking + 0.66 * ctx.rng.normal());
  const double age = ctx.age_years(date);
  const bool boy = ctx.male();
  const double median_height = reception ? (boy ? 110.0 : 109.3) + 6.0 * (age - 5.0)
                                         : (boy ? 143.0 : 144.0) + 6.5 * (age - 10.8);
  const double height = median_height + ctx.rng.normal(0, reception ? 4.7 : 7.0);
  // Box-Cox (LMS) back-transform of the z-score to a BMI.
  const double L = reception ? -1.6 : -1.8;
  const double M = reception ? (boy ? 15.6 : 15.5) : (boy ? 17.7 : 18.1);
  const double S = reception ? 0.08 : 0.125;
  const double bmi = M * std::pow(1.0 + L * S * std::clamp(z, -4.0, 4.0), 1.0 / L);
  const double weight = bmi * (height / 100.0) * (height / 100.0);
  ctx.life.ncmp.push_back({year_group, date, school_on(ctx, year_group, date)->code,
                           std::round(height * 10) / 10, std::round(weight * 10) / 10,
                           std::round(1000 * normal_cdf(z)) / 10});
}

// EHC needs assessment requests and the SEND Regulations 2014 clock: a
// decision within 6 weeks (about 85% on time), a final plan within 20 weeks
// (about half on time nationally), about a fifth of requests refused
// (DfE "Education, health and care plans" 2024).
void add_ehc_requests(Context& ctx, double sen) {
  Random& rng = ctx.rng;
  const Child& c = ctx.child;
  double p = sen > kSenSupport ? 0.4 : 0.006;
  if (ctx.has(Condition::kAdhd)) p = 0.25;
  if (ctx.has(Condition::kAutism)) p = 0.6;
  if (!rng.chance(p)) return;
  const Diagnosis* autism = c.diagnosis(Condition::kAutism);
  Date requested =
      autism ? add_days(autism->diagnosed, static_cast<int>(rng.below(int64_t{2} * kYear)))
             : add_days(c.birth_date,
                        static_cast<int>(rng.between(int64_t{2} * kYear, int64_t{13} * kYear)));
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (before(requested, c.arrived) || !before(requested, ctx.end())) return;
    EhcRequest r{requested,    rng.chance(0.78), std::nullopt,
                 std::nullopt, std::nullopt,     rng.chance(0.04)};
    const Date decided =
        add_days(requested, rng.chance(0.85) ? static_cast<int>(rng.between(20, 42))
                                             : 43 + static_cast<int>(rng.exponential(20)));
    std::optional<Date> plan, no_plan;
    if (r.assess) {
      int days = static_cast<int>(rng.lognormal(140, 0.35));
      if (r.exceptions) days += 60;
      const Date outcome =
          add_days(requested, std::max(days, days_between(requested, decided) + 30));
      if (rng.chance(0.91)) {
        plan = outcome;
      } else {
        no_plan = add_days(requested, static_cast<int>(rng.between(90, 140)));
      }
    }
    // What happens after the reference date is not known yet.
    const auto known = [&](std::optional<Date> d) {
      return d && before(*d, ctx.world.as_of) ? d : std::nullopt;
    };
    r.decided = known(decided);
    if (r.decided) {
      r.plan_issued = known(plan);
      r.no_plan_notified = known(no_plan);
    }
    ctx.life.ehc_requests.push_back(r);
    if (!r.decided) return;
    if (r.assess || !rng.chance(0.25)) return;
    requested = add_days(*r.decided, static_cast<int>(rng.between(180, 540)));  // asked again
  }
}

std::optional<Date> plan_issued(const Life& life) {
  for (const EhcRequest& r : life.ehc_requests) {
    if (r.plan_issued) return r.plan_issued;
  }
  return std::nullopt;
}

// The Reception good level of development (EYFSP): about 68% nationally,
// lower for boys, children on free school meals, summer-born and deprived
// children (DfE EYFSP 2023/24).
void add_eyfs(Context& ctx, const CensusEntry& summer) {
  const Date assessed = add_days(summer.census_day, static_cast<int>(ctx.rng.between(20, 45)));
  if (!before(assessed, ctx.end())) return;
  const unsigned month = static_cast<unsigned>(ctx.child.birth_date.month());
  double shift = 0.35;
  if (ctx.male()) shift -= 0.55;
  if (summer.fsm) shift -= 0.45;
  shift -= 0.25 * ctx.deprivation(assessed);
  if (month >= 9) shift += 0.35;
  if (month >= 5 && month <= 8) shift -= 0.4;
  if (ctx.has_by(Condition::kAutism, assessed) || ctx.has(Condition::kAutism)) shift -= 2.0;
  if (ctx.child.gestation_days < 32 * 7) shift -= 0.5;
  ctx.life.eyfs = EyfsProfile{assessed, summer.academic_year, summer.school,
                              ctx.rng.chance(shifted(0.68, shift))};
}

}  // namespace

void draw_education(Context& ctx) {
  Random& rng = ctx.rng;
  const Child& c = ctx.child;
  const World& world = ctx.world;
  // Latent need for SEN support: more common in boys, with a diagnosis, after
  // very preterm birth and in deprived areas; about 14% of pupils have SEN
  // support and 5% an EHC plan.
  double sen = rng.normal() + (ctx.male() ? 0.35 : 0.0) + 0.3 * ctx.deprivation(c.birth_date) +
               0.2 * ctx.home.vulnerability;
  if (ctx.has(Condition::kAutism)) sen += 2.5;
  if (ctx.has(Condition::kAdhd)) sen += 1.5;
  if (ctx.has(Condition::kEpilepsy)) sen += 1.0;
  if (c.gestation_days < 32 * 7) sen += 0.8;
  const int identified_year = static_cast<int>(rng.between(0, 6));
  const std::string_view need = primary_need(ctx);
  add_ehc_requests(ctx, sen);
  const std::optional<Date> ehcp = plan_issued(ctx.life);

  const bool state_school = rng.chance(kStateSchool);
  const bool sixth_form = rng.chance(kSchoolSixthForm);
  const double family_income = 0.6 * ctx.home.vulnerability + rng.normal(0, 0.8);
  const double ncmp_tracking = rng.normal();
  const int reception = reception_year(c.birth_date);
  if (!state_school) return;
  for (int year_group : {0, 6})
    add_ncmp(ctx, year_group, reception + year_group, ncmp_tracking);

  const int first_year = academic_year_of(world.history_from);
  const int last_year = academic_year_of(world.as_of);
  for (int ay = first_year; ay <= last_year; ++ay) {
    const int year_group = ay - reception;
    if (year_group < 0 || year_group > (sixth_form ? 13 : 11)) continue;
    // Free school meals: eligibility re-assessed each year (about 24% of
    // pupils; DfE 2024), far commoner in deprived areas.
    const double income_need = family_income + 0.3 * rng.normal();
    for (Term term : {Term::kAutumn, Term::kSpring, Term::kSummer}) {
      const Date day = census_day(ay, term);
      if (before(day, world.history_from) || !before(day, ctx.end()) || !c.in_ics_on(day)) continue;
      const Organisation* school = school_on(ctx, year_group, day);
      const Date phase_start = academic_year_start(reception + (year_group <= 6 ? 0 : 7));
      const Date entry = latest(phase_start, c.arrived);
      char sen_status = sen > kSenSupport && year_group >= identified_year ? 'K' : 'N';
      if (ehcp && !before(day, *ehcp)) sen_status = 'E';
      const bool fsm = 0.8 * ctx.deprivation(day) + income_need > 0.78;
      ctx.life.census.push_back({day, ay, term, year_group, school, entry, fsm, sen_status,
                                 sen_status == 'N' ? std::string_view{} : need});
      if (year_group == 0 && term == Term::kSummer) add_eyfs(ctx, ctx.life.census.back());
    }
  }
}

}  // namespace onechild::synth::life
