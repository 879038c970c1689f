#include "synth/life.h"

#include <algorithm>

#include "synth/life/steps.h"

namespace onechild::synth {

namespace {

enum Stream : uint64_t { kLife = 11 };

template <typename Episode>
bool open_on(const std::vector<Episode>& episodes, Date date) {
  for (const auto& e : episodes) {
    if (!before(date, e.start) && (!e.end || before(date, *e.end))) return true;
  }
  return false;
}

}  // namespace

bool Life::looked_after_on(Date date) const {
  return open_on(care_episodes, date);
}

bool Life::on_protection_plan_on(Date date) const {
  return open_on(protection_plans, date);
}

double life::Context::hub_factor(Date on) const {
  const auto from = world.hub_from(address(on).practice);
  return from && !before(on, *from) ? 1.0 + world.hub_effect : 1.0;
}

Life live(const World& world, const Household& home, Child& child, uint64_t seed) {
  Random rng = Random::stream(seed, kLife, static_cast<uint64_t>(child.index));
  Life life;
  life::Context ctx{rng, world, home, child, life};
  // Order matters: later steps read what earlier ones decided (diagnoses
  // shape school support and hospital use; care episodes raise self-harm).
  life::draw_conditions(ctx);
  life::draw_early_years(ctx);
  life::draw_immunisations(ctx);
  life::draw_social_care(ctx);
  life::draw_education(ctx);
  life::draw_hospital(ctx);
  life::draw_primary_care(ctx);
  life::draw_mental_health(ctx);
  life::draw_transition(ctx);
  // Feeds list events in date order, as the source systems would.
  const auto by = [](auto date) {
    return [date](const auto& a, const auto& b) { return before(date(a), date(b)); };
  };
  std::stable_sort(life.gp_contacts.begin(), life.gp_contacts.end(),
                   by([](const GpContact& c) { return c.date; }));
  std::stable_sort(life.doses.begin(), life.doses.end(), by([](const Dose& d) { return d.date; }));
  std::stable_sort(life.ed.begin(), life.ed.end(),
                   by([](const EdAttendance& a) { return a.date; }));
  std::stable_sort(life.admissions.begin(), life.admissions.end(),
                   by([](const Admission& a) { return a.admitted; }));
  std::stable_sort(life.outpatients.begin(), life.outpatients.end(),
                   by([](const OutpatientAppointment& a) { return a.date; }));
  return life;
}

Code condition_code(Condition condition) {
  switch (condition) {
    case Condition::kAsthma:
      return {"195967001", "Asthma"};
    case Condition::kType1Diabetes:
      return {"46635009", "Diabetes mellitus type 1"};
    case Condition::kEpilepsy:
      return {"84757009", "Epilepsy"};
    case Condition::kAutism:
      return {"35919005", "Autism spectrum disorder"};
    case Condition::kAdhd:
      break;
  }
  return {"406506008", "Attention deficit hyperactivity disorder"};
}

std::string_view review_name(Review review) {
  switch (review) {
    case Review::kAntenatal:
      return "Antenatal health visitor contact";
    case Review::kNewBirth:
      return "New birth visit";
    case Review::kSixToEightWeek:
      return "6-8 week review";
    case Review::kOneYear:
      return "12 month review";
    case Review::kTwoYear:
      break;
  }
  return "2-2.5 year review";
}

}  // namespace onechild::synth
