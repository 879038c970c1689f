// Long-term conditions: who is diagnosed, at what age, and how long after
// they first presented.
#include <cmath>

#include "synth/life/steps.h"

namespace onechild::synth::life {
namespace {

// Lifetime chance of a diagnosis by 25 (boys, girls), how deprivation moves
// it, the age at diagnosis and the delay from first presentation.
//   asthma: about 1 in 11 children (Asthma + Lung UK), more boys, onset 2-10;
//   type 1 diabetes: about 1 in 400 under 19 (NPDA), onset peaks at 10-14;
//   epilepsy: about 1 in 200 children (Epilepsy Action), a third in infancy;
//   autism: about 3% of boys and 1% of girls diagnosed (NHS England autism
//     statistics), girls later; waits of a year or more to assessment;
//   ADHD: about 4.5% of boys and 1.8% of girls diagnosed (NICE CKS) (check).
struct Model {
  Condition condition;
  double boys, girls;
  double deprivation_beta;
};
// Autism comes before ADHD and epilepsy, whose chances it raises.
constexpr Model kModels[] = {{Condition::kAsthma, 0.145, 0.115, 0.15},
                             {Condition::kType1Diabetes, 0.005, 0.0048, 0.0},
                             {Condition::kAutism, 0.03, 0.011, 0.1},
                             {Condition::kAdhd, 0.045, 0.018, 0.3},
                             {Condition::kEpilepsy, 0.006, 0.0055, 0.2}};

double age_at_diagnosis(Random& rng, Condition c, bool male) {
  switch (c) {
    case Condition::kAsthma: {
      constexpr double kWeights[] = {2, 6, 9, 10, 9, 8, 7, 6, 5, 4, 3, 3, 2, 2, 2, 1, 1, 1, 1};
      return 1 + static_cast<double>(rng.weighted(kWeights)) + rng.uniform();
    }
    case Condition::kType1Diabetes: {
      constexpr double kWeights[] = {1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 10, 10, 9, 7, 5, 4, 3, 2, 2, 2};
      return 1 + static_cast<double>(rng.weighted(kWeights)) + rng.uniform();
    }
    case Condition::kEpilepsy:
      return rng.chance(0.3) ? rng.uniform() * 2 : 2 + rng.uniform() * 18;
    case Condition::kAutism:
      return std::clamp(male ? rng.normal(6.5, 3.0) : rng.normal(9.5, 3.5), 2.0, 20.0);
    case Condition::kAdhd:
      break;
  }
  return std::clamp(male ? rng.normal(9.5, 3.0) : rng.normal(11.0, 3.0), 5.0, 22.0);
}

// Days from first presentation (a referral, a first seizure, symptoms) to
// the diagnosis. Epilepsy: NICE NG217 asks for a specialist within 2 weeks;
// autism: NICE CG128 asks assessment to start within 3 months, but current
// waits are far longer (check).
int presentation_to_diagnosis(Random& rng, Condition c) {
  switch (c) {
    case Condition::kAsthma:
      return static_cast<int>(rng.exponential(90));
    case Condition::kType1Diabetes:
      return static_cast<int>(rng.between(2, 30));
    case Condition::kEpilepsy:
      return 10 + static_cast<int>(rng.exponential(45));
    case Condition::kAutism:
      return static_cast<int>(rng.lognormal(540, 0.55));
    case Condition::kAdhd:
      break;
  }
  return static_cast<int>(rng.lognormal(420, 0.5));
}

}  // namespace

void draw_conditions(Context& ctx) {
  const Date birth = ctx.child.birth_date;
  const double deprivation = ctx.deprivation(birth);
  for (const Model& m : kModels) {
    double p = ctx.male() ? m.boys : m.girls;
    p *= std::exp(m.deprivation_beta * deprivation);
    // Autism and ADHD, and autism and epilepsy, often come together.
    if (m.condition == Condition::kAdhd && ctx.has(Condition::kAutism)) p = 0.3;
    if (m.condition == Condition::kEpilepsy && ctx.has(Condition::kAutism)) p *= 3;
    if (!ctx.rng.chance(p)) continue;
    const double age = age_at_diagnosis(ctx.rng, m.condition, ctx.male());
    const Date diagnosed = add_days(birth, static_cast<int>(age * 365.25));
    if (!before(diagnosed, ctx.end())) continue;  // not yet (or never) diagnosed
    const Date presented =
        latest(birth, add_days(diagnosed, -presentation_to_diagnosis(ctx.rng, m.condition)));
    ctx.child.diagnoses.push_back({m.condition, presented, diagnosed});
  }
}

}  // namespace onechild::synth::life
