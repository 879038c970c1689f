// Transition from children's to adult services for young people with type 1
// diabetes or epilepsy (and planning for those with an EHC plan): when
// planning starts, and whether the adult service picks them up without a gap.
#include "synth/life/steps.h"

namespace onechild::synth::life {
namespace {

bool has_ehc_plan(const Life& life) {
  return std::any_of(life.ehc_requests.begin(), life.ehc_requests.end(),
                     [](const EhcRequest& r) { return r.plan_issued.has_value(); });
}

}  // namespace

void draw_transition(Context& ctx) {
  const Child& c = ctx.child;
  Random& rng = ctx.rng;
  const Diagnosis* diabetes = c.diagnosis(Condition::kType1Diabetes);
  const Diagnosis* epilepsy = c.diagnosis(Condition::kEpilepsy);
  const Diagnosis* condition = diabetes ? diabetes : epilepsy;
  if (condition && !before(condition->diagnosed, birthday(c.birth_date, 17))) condition = nullptr;
  if (!condition && !has_ehc_plan(ctx.life)) return;

  // NICE NG43: planning should start by Year 9 (13-14). About 55% start by
  // 14½, a quarter at 15-16, some at 17 and one in ten never (CQC "From the
  // pond into the sea"; NCEPOD "Transition" 2023) (check).
  const double u = rng.uniform();
  std::optional<Date> start;
  if (u < 0.55) {
    start = add_days(birthday(c.birth_date, 13), static_cast<int>(rng.between(180, 545)));
  } else if (u < 0.8) {
    start = add_days(birthday(c.birth_date, 15), static_cast<int>(rng.between(0, 545)));
  } else if (u < 0.9) {
    start = add_days(birthday(c.birth_date, 17), static_cast<int>(rng.between(0, 330)));
  }
  if (start && condition) start = latest(*start, add_days(condition->diagnosed, 90));
  if (start && !before(*start, ctx.world.community_from) && before(*start, ctx.end())) {
    ctx.life.transition_plans.push_back({"transition", *start});
  }
  if (!condition) return;

  // The adult service: a first appointment around the 18th birthday for
  // about 55% (no gap), months later for 35%, never for one in ten.
  const Date eighteen = birthday(c.birth_date, 18);
  const double v = rng.uniform();
  if (v >= 0.9) return;
  Date at = v < 0.55 ? add_days(eighteen, static_cast<int>(rng.between(-90, 30)))
                     : add_days(eighteen, static_cast<int>(rng.between(91, 365)));
  const std::string_view adult_function = condition == diabetes ? "307" : "400";
  for (bool first = true; before(at, ctx.end()); first = false) {
    if (!before(at, ctx.world.history_from)) {
      const double missed = shifted(0.12, 0.3 * ctx.deprivation(at));
      ctx.life.outpatients.push_back({at, adult_function, first, rng.chance(missed) ? "3" : "5"});
    }
    at = add_days(at, static_cast<int>(rng.between(150, 210)));
  }
}

}  // namespace onechild::synth::life
