// General practice: consultations, the 6-8 week baby check, reviews and
// care plans for long-term conditions, and referrals to community
// paediatrics for autism and ADHD assessment.
#include <cmath>

#include "synth/life/steps.h"

namespace onechild::synth::life {
namespace {

// Consultations per year by age and sex (QResearch / CPRD consultation
// rates: highest in infancy, lowest at school age, higher for young women),
// with about a third by telephone.
double consultation_rate(int age, bool male) {
  if (age < 1) return 6.0;
  if (age < 5) return 3.5;
  if (age < 15) return 1.8;
  return male ? 1.6 : 3.2;
}

// Annual care plans for conditions that need one: asthma action plans for
// about 55% a year, diabetes care plans for 90%, epilepsy care plans for 70%
// (NICE quality standards; RCPCH NPDA and Epilepsy12 audits) (check).
struct PlanModel {
  Condition condition;
  std::string_view kind;
  double yearly;
};
constexpr PlanModel kPlans[] = {{Condition::kAsthma, "asthma", 0.55},
                                {Condition::kType1Diabetes, "diabetes", 0.9},
                                {Condition::kEpilepsy, "epilepsy", 0.7}};

}  // namespace

void draw_primary_care(Context& ctx) {
  const Child& c = ctx.child;
  Random& rng = ctx.rng;
  const Date from = ctx.local_from(ctx.world.history_from);
  const Date to = ctx.end();
  const double with_condition = c.diagnoses.empty() ? 1.0 : 1.4;
  poisson_by_age(
      ctx, from, to,
      [&](int age, Date start) {
        return consultation_rate(age, ctx.male()) * with_condition *
               std::exp(0.1 * ctx.deprivation(start));
      },
      [&](Date day) {
        ctx.life.gp_contacts.push_back(
            {rng.chance(0.35) ? GpContactKind::kTelephone : GpContactKind::kFaceToFace, day,
             std::nullopt, std::nullopt});
      });

  // The 6-8 week baby check, with the baby's weight.
  const Date check = add_days(c.birth_date, static_cast<int>(rng.between(42, 63)));
  if (!before(check, from) && before(check, to) && rng.chance(0.95)) {
    const double kg = c.birth_weight_grams / 1000.0 + rng.normal(1.6, 0.35);
    ctx.life.gp_contacts.push_back(
        {GpContactKind::kBabyCheck, check, std::nullopt, std::round(kg * 100) / 100});
  }

  // Yearly reviews and care plans for each condition that has them.
  for (const Diagnosis& d : c.diagnoses) {
    if (d.condition == Condition::kAsthma) {
      for (Date at = add_days(d.diagnosed, kYear); before(at, to); at = add_days(at, kYear)) {
        if (!before(at, from) && rng.chance(0.65)) {
          ctx.life.gp_contacts.push_back({GpContactKind::kConditionReview,
                                          add_days(at, static_cast<int>(rng.between(-60, 60))),
                                          Condition::kAsthma, std::nullopt});
        }
      }
    }
    for (const PlanModel& p : kPlans) {
      if (p.condition != d.condition) continue;
      for (Date at = add_days(d.diagnosed, 30); before(at, to); at = add_days(at, kYear)) {
        if (!before(at, from) && rng.chance(p.yearly)) {
          ctx.life.gp_care_plans.push_back({p.kind, at});
        }
      }
    }
    // Autism and ADHD: the GP refers to community paediatrics at first
    // presentation; the diagnostic assessment is the diagnosis.
    if ((d.condition == Condition::kAutism || d.condition == Condition::kAdhd) &&
        !before(d.first_presentation, ctx.world.community_from)) {
      ctx.life.paediatric_referrals.push_back({d.first_presentation, d.diagnosed, d.condition});
    }
  }
}

}  // namespace onechild::synth::life
