// The acute trust: emergency department attendances, admissions (emergency
// and planned) and outpatient appointments, within the extract's history.
#include <cmath>

#include "synth/life/steps.h"

namespace onechild::synth::life {
namespace {

// ECDS diagnoses (SNOMED CT) with the ICD-10 code an admission would carry
// (CDS form: four characters, X filler) and the external cause of injuries.
constexpr EdDiagnosis kBronchiolitis{{"4120002", "Bronchiolitis"}, "J219", "", EdGroup::kIllness};
constexpr EdDiagnosis kViral{{"34014006", "Viral disease"}, "B349", "", EdGroup::kIllness};
constexpr EdDiagnosis kFever{{"386661006", "Fever"}, "R509", "", EdGroup::kIllness};
constexpr EdDiagnosis kGastro{{"25374005", "Gastroenteritis"}, "A099", "", EdGroup::kIllness};
constexpr EdDiagnosis kUrti{
    {"54150009", "Upper respiratory infection"}, "J069", "", EdGroup::kIllness};
constexpr EdDiagnosis kCroup{{"71186008", "Croup"}, "J050", "", EdGroup::kIllness};
constexpr EdDiagnosis kOtitis{{"65363002", "Otitis media"}, "H669", "", EdGroup::kIllness};
constexpr EdDiagnosis kTonsillitis{{"90176007", "Tonsillitis"}, "J039", "", EdGroup::kIllness};
constexpr EdDiagnosis kRash{{"271807003", "Eruption of skin"}, "R21X", "", EdGroup::kIllness};
constexpr EdDiagnosis kAllergy{{"419076005", "Allergic reaction"}, "T784", "", EdGroup::kIllness};
constexpr EdDiagnosis kAbdominalPain{{"21522001", "Abdominal pain"}, "R104", "", EdGroup::kIllness};
constexpr EdDiagnosis kChestPain{{"29857009", "Chest pain"}, "R073", "", EdGroup::kIllness};
constexpr EdDiagnosis kUti{
    {"68566005", "Urinary tract infectious disease"}, "N390", "", EdGroup::kIllness};
constexpr EdDiagnosis kHeadInjury{{"82271004", "Injury of head"}, "S099", "W199", EdGroup::kInjury};
constexpr EdDiagnosis kFractureRadius{
    {"12676007", "Fracture of radius"}, "S525", "W199", EdGroup::kInjury};
constexpr EdDiagnosis kSprainAnkle{
    {"44465007", "Sprain of ankle"}, "S934", "W199", EdGroup::kInjury};
constexpr EdDiagnosis kLaceration{
    {"312608009", "Laceration - injury"}, "T141", "W259", EdGroup::kInjury};
constexpr EdDiagnosis kBurn{{"125666000", "Burn"}, "T300", "X199", EdGroup::kInjury};
constexpr EdDiagnosis kFracture{
    {"125605004", "Fracture of bone"}, "T142", "W199", EdGroup::kInjury};
constexpr EdDiagnosis kOverdose{{"55680006", "Drug overdose"}, "T391", "X609", EdGroup::kSelfHarm};
constexpr EdDiagnosis kSelfInjury{
    {"248062006", "Self-injurious behaviour"}, "S519", "X789", EdGroup::kSelfHarm};
constexpr EdDiagnosis kAsthmaAttack{{"195967001", "Asthma"}, "J459", "", EdGroup::kAsthma};
constexpr EdDiagnosis kDka{{"420422005", "Diabetic ketoacidosis"}, "E101", "", EdGroup::kDiabetes};
constexpr EdDiagnosis kEpilepticSeizure{{"91175000", "Seizure"}, "G409", "", EdGroup::kSeizure};
constexpr EdDiagnosis kFirstSeizure{{"91175000", "Seizure"}, "R568", "", EdGroup::kSeizure};

struct Mix {
  const EdDiagnosis* diagnosis;
  double weight;
};
// What brings children to the ED by age (HES A&E / ECDS: infections
// dominate under 5, injuries at school age, abdominal pain and injuries
// among young adults).
constexpr Mix kInfants[] = {{&kBronchiolitis, 18}, {&kViral, 20},  {&kFever, 12},
                            {&kGastro, 10},        {&kUrti, 10},   {&kHeadInjury, 6},
                            {&kRash, 5},           {&kOtitis, 4},  {&kCroup, 5},
                            {&kLaceration, 3},     {&kAllergy, 3}, {&kBurn, 1}};
constexpr Mix kPreschool[] = {
    {&kViral, 18},     {&kUrti, 12},          {&kGastro, 10},     {&kFever, 10}, {&kHeadInjury, 10},
    {&kLaceration, 8}, {&kFracture, 5},       {&kCroup, 5},       {&kOtitis, 5}, {&kAllergy, 4},
    {&kBurn, 2},       {&kFractureRadius, 3}, {&kTonsillitis, 3}, {&kRash, 3}};
constexpr Mix kSchoolAge[] = {{&kFractureRadius, 10}, {&kSprainAnkle, 12}, {&kHeadInjury, 10},
                              {&kLaceration, 8},      {&kFracture, 10},    {&kAbdominalPain, 12},
                              {&kViral, 8},           {&kUrti, 6},         {&kAllergy, 5},
                              {&kTonsillitis, 5},     {&kRash, 3},         {&kGastro, 4}};
constexpr Mix kYoungAdults[] = {{&kSprainAnkle, 10}, {&kFracture, 6},       {&kHeadInjury, 6},
                                {&kLaceration, 8},   {&kAbdominalPain, 15}, {&kChestPain, 6},
                                {&kViral, 6},        {&kAllergy, 4},        {&kUti, 4},
                                {&kTonsillitis, 4},  {&kFractureRadius, 3}, {&kGastro, 4}};

template <size_t N>
const EdDiagnosis* draw(Random& rng, const Mix (&mix)[N]) {
  std::array<double, N> w{};
  for (size_t i = 0; i < N; ++i)
    w[i] = mix[i].weight;
  return mix[rng.weighted(w)].diagnosis;
}

// Attendances per child per year by age (HES A&E: about 650 per 1,000 at
// 0-4, 300 at 5-14, 400 at 15-24), before deprivation (a 1.5-fold gradient
// from least to most deprived decile) and family circumstances.
double ed_rate(int age) {
  return age < 1 ? 0.9 : age < 5 ? 0.55 : age < 10 ? 0.27 : age < 15 ? 0.32 : 0.4;
}

const EdDiagnosis* everyday_diagnosis(Random& rng, int age) {
  if (age < 1) return draw(rng, kInfants);
  if (age < 5) return draw(rng, kPreschool);
  if (age < 15) return draw(rng, kSchoolAge);
  return draw(rng, kYoungAdults);
}

// Share of attendances admitted, by what they were for.
double admission_chance(const EdDiagnosis& d, int age) {
  switch (d.group) {
    case EdGroup::kIllness:
      return age < 1 ? 0.18 : age < 5 ? 0.12 : 0.07;
    case EdGroup::kInjury:
      return 0.055;
    case EdGroup::kSelfHarm:
      return 0.5;
    case EdGroup::kAsthma:
      return 0.25;
    case EdGroup::kDiabetes:
      return 0.85;
    case EdGroup::kSeizure:
      break;
  }
  return 0.45;
}

std::string_view treatment_function(const EdDiagnosis& d, int age) {
  if (d.icd10.starts_with("S52") || d.icd10 == "T142") return "110";  // trauma and orthopaedics
  if (age < 16) return "420";                                         // paediatrics
  return d.icd10 == "R104" ? "100" : "300";  // general surgery, general medicine
}

// Arrivals by hour of day: quiet overnight, busiest in the early evening.
int arrival_minute(Random& rng) {
  constexpr double kByHour[] = {2, 1.5, 1, 1, 1,   1, 1.5, 2.5, 4, 5, 6, 6,
                                6, 6,   6, 6, 6.5, 7, 7.5, 7,   6, 5, 4, 3};
  return static_cast<int>(rng.weighted(kByHour)) * 60 + static_cast<int>(rng.below(60));
}

struct Hospital {
  Context& ctx;

  void attend(Date date, const EdDiagnosis* d, std::optional<bool> force_admit = std::nullopt) {
    const int age = static_cast<int>(ctx.age_years(date));
    const bool admitted = force_admit.value_or(ctx.rng.chance(admission_chance(*d, age)));
    const bool minor = d->group == EdGroup::kIllness || d->group == EdGroup::kInjury;
    ctx.life.ed.push_back({date, arrival_minute(ctx.rng), d, admitted,
                           !admitted && minor && ctx.rng.chance(0.2) ? "03" : "01"});
    if (!admitted) return;
    const double stay = d->group == EdGroup::kDiabetes  ? 3.0
                        : d->group == EdGroup::kIllness ? 1.2
                                                        : 1.5;
    ctx.life.admissions.push_back(
        {date, add_days(date, static_cast<int>(ctx.rng.exponential(stay))), "21", d->icd10,
         d->external_cause, "", treatment_function(*d, age)});
  }

  // An appointment's outcome: about 8% of children's appointments are
  // missed ("was not brought"), more in deprived areas, in vulnerable
  // families and for children on a protection plan (NHS Digital HES OP).
  std::string_view outcome(Date date) {
    double shift = 0.4 * ctx.deprivation(date) + 0.5 * ctx.home.vulnerability;
    if (ctx.life.on_protection_plan_on(date)) shift += 0.6;
    const double u = ctx.rng.uniform();
    const double dna = shifted(0.08, shift);
    if (u < dna) return "3";
    if (u < dna + 0.05) return "2";
    if (u < dna + 0.09) return "4";
    if (u < dna + 0.10) return "6";
    return "5";
  }

  // A children's service appointment, thinned after the child's practice
  // joined a hub (the hub effect); adult services are not.
  void outpatient(Date date, std::string_view function, bool first, bool paediatric = true) {
    if (before(date, ctx.world.history_from) || !before(date, ctx.end())) return;
    if (paediatric &&
        !ctx.rng.chance(ctx.hub_factor(date) / std::max(1.0, 1.0 + ctx.world.hub_effect)))
      return;
    ctx.life.outpatients.push_back({date, function, first, outcome(date)});
  }

  // Regular clinic appointments every `interval` days from `from` to `to`.
  void clinic(Date from, Date to, std::string_view function, int interval) {
    for (Date at = from; before(at, to);
         at = add_days(at, interval + static_cast<int>(ctx.rng.between(-20, 20)))) {
      outpatient(at, function, at == from);
    }
  }
};

}  // namespace

void draw_hospital(Context& ctx) {
  const Child& c = ctx.child;
  const World& world = ctx.world;
  Hospital h{ctx};
  const Date from = ctx.local_from(world.history_from);
  const Date to = ctx.end();
  const Date eighteen = birthday(c.birth_date, 18);
  const double family = std::exp(0.15 * ctx.home.vulnerability);
  // The hub can only lower rates: thin a maximal draw by the hub factor.
  const double hub_max = std::max(1.0, 1.0 + world.hub_effect);
  const auto thinned = [&](Date day) { return ctx.rng.chance(ctx.hub_factor(day) / hub_max); };

  poisson_by_age(
      ctx, from, to,
      [&](int age, Date start) {
        return ed_rate(age) * std::exp(0.25 * ctx.deprivation(start)) * family * hub_max;
      },
      [&](Date day) {
        if (thinned(day))
          h.attend(day, everyday_diagnosis(ctx.rng, static_cast<int>(ctx.age_years(day))));
      });

  // Condition-related attendances: asthma attacks, diabetic ketoacidosis,
  // seizures; calibrated to emergency admissions under 19 of about 150
  // (asthma), 55 (diabetes) and 65 (epilepsy) per 100,000 a year (Fingertips).
  const auto condition_attendances = [&](Condition condition, double per_year,
                                         const EdDiagnosis* d) {
    const Diagnosis* dx = c.diagnosis(condition);
    if (dx == nullptr) return;
    poisson_by_age(
        ctx, latest(from, dx->diagnosed), to,
        [&](int, Date start) { return per_year * std::exp(0.3 * ctx.deprivation(start)); },
        [&](Date day) { h.attend(day, d); });
  };
  condition_attendances(Condition::kAsthma, 0.065, &kAsthmaAttack);
  condition_attendances(Condition::kType1Diabetes, 0.2, &kDka);
  condition_attendances(Condition::kEpilepsy, 0.22, &kEpilepticSeizure);

  // First presentations seen in hospital: the first seizure (most often in
  // the ED, then a specialist within two weeks for most: NICE NG217) and new
  // type 1 diabetes (a quarter in ketoacidosis).
  if (const Diagnosis* e = c.diagnosis(Condition::kEpilepsy);
      e && !before(e->first_presentation, from) && ctx.rng.chance(0.6)) {
    h.attend(e->first_presentation, &kFirstSeizure, ctx.rng.chance(0.4));
    const int wait = ctx.rng.chance(0.6) ? static_cast<int>(ctx.rng.between(3, 14))
                                         : static_cast<int>(ctx.rng.between(15, 70));
    h.outpatient(add_days(e->first_presentation, wait), "421", true);
  }
  if (const Diagnosis* d = c.diagnosis(Condition::kType1Diabetes);
      d && !before(d->diagnosed, from) && ctx.rng.chance(0.7)) {
    h.attend(d->diagnosed, &kDka, ctx.rng.chance(0.25) ? std::optional<bool>(true) : std::nullopt);
  }

  // Self-harm (ECDS/HES): mostly girls 12-17, about 350 admissions per
  // 100,000 at 10-24 a year; far likelier when looked after.
  poisson_by_age(
      ctx, from, to,
      [&](int age, Date start) {
        if (age < 10) return 0.0;
        double rate = age < 12   ? 0.001
                      : age < 18 ? (ctx.male() ? 0.003 : 0.009)
                                 : (ctx.male() ? 0.004 : 0.006);
        rate *= std::exp(0.3 * ctx.deprivation(start) + 0.4 * ctx.home.vulnerability);
        if (ctx.life.looked_after_on(start)) rate *= 3;
        if (ctx.has_by(Condition::kAutism, start)) rate *= 1.5;
        return rate;
      },
      [&](Date day) { h.attend(day, ctx.rng.chance(0.6) ? &kOverdose : &kSelfInjury); });

  // Emergency admissions the GP arranges directly (no ED attendance).
  poisson_by_age(
      ctx, from, to, [&](int age, Date) { return age < 1   ? 0.02
                                                 : age < 5 ? 0.006
                                                           : 0.003; },
      [&](Date day) {
        const EdDiagnosis* d = everyday_diagnosis(ctx.rng, static_cast<int>(ctx.age_years(day)));
        if (d->group != EdGroup::kIllness) return;
        const int age = static_cast<int>(ctx.age_years(day));
        ctx.life.admissions.push_back({day,
                                       add_days(day, static_cast<int>(ctx.rng.exponential(1.5))),
                                       "22", d->icd10, "", "", treatment_function(*d, age)});
      });

  // Planned day cases: tooth extractions for decay (about 180 per 100,000
  // aged 10 and under a year, steeply more in deprived areas), tonsillectomy
  // and grommets.
  poisson_by_age(
      ctx, from, to,
      [&](int age, Date start) {
        return age >= 3 && age <= 10 ? 0.0025 * std::exp(0.8 * ctx.deprivation(start)) / 1.2 : 0.0;
      },
      [&](Date day) {
        ctx.life.admissions.push_back({day, day, "11", "K029", "", "F104", "142"});
      });
  poisson_by_age(
      ctx, from, to, [](int age, Date) { return age >= 3 && age <= 14 ? 0.002 : 0.0; },
      [&](Date day) {
        ctx.life.admissions.push_back({day, add_days(day, 1), "11", "J350", "", "F341", "215"});
      });
  poisson_by_age(
      ctx, from, to, [](int age, Date) { return age >= 2 && age <= 7 ? 0.002 : 0.0; },
      [&](Date day) {
        ctx.life.admissions.push_back({day, day, "12", "H651", "", "D151", "215"});
      });

  // Outpatients: general paediatrics (about 5% of children a year referred,
  // then follow-ups) and condition clinics until the 18th birthday.
  const Date children_to = earliest(eighteen, to);
  poisson_by_age(
      ctx, from, children_to,
      [&](int, Date start) { return 0.05 * std::exp(0.1 * ctx.deprivation(start)); },
      [&](Date day) {
        h.outpatient(day, "420", true);
        Date at = day;
        for (int k = ctx.rng.poisson(1.0); k > 0; --k) {
          at = add_days(at, static_cast<int>(ctx.rng.between(60, 120)));
          h.outpatient(at, "420", false);
        }
      });
  if (const Diagnosis* d = c.diagnosis(Condition::kType1Diabetes)) {
    h.clinic(latest(from, add_days(d->diagnosed, 14)), children_to, "263", 91);
  }
  if (const Diagnosis* d = c.diagnosis(Condition::kEpilepsy)) {
    h.clinic(latest(from, add_days(d->diagnosed, 90)), children_to, "421", 182);
  }
  if (const Diagnosis* d = c.diagnosis(Condition::kAsthma); d && ctx.rng.chance(0.15)) {
    h.clinic(latest(from, add_days(d->diagnosed, 60)), children_to, "258", 365);
  }
}

}  // namespace onechild::synth::life
