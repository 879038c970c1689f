// The five mandated health visitor reviews of the Healthy Child Programme,
// with completion and timeliness close to OHID's 2023/24 national figures.
#include <cmath>

#include "synth/life/steps.h"

namespace onechild::synth::life {
namespace {

// Share of children who have the review at all, and of those the share seen
// in time, before deprivation and the family's engagement move them:
//   antenatal contact from 28 weeks: about 45% of births (C1);
//   new birth visit: 98% by 30 days, 82% within 14 days (C2, C3);
//   6-8 week review: 80% by 8 weeks (C8i);
//   12 month review: 72% by 12 months, 83% by 15 months (C4, C5);
//   2-2½ year review: 73% by 2½ years, ASQ-3 used in 91% (C6i, C6ii).
struct ReviewModel {
  Review review;
  double done, in_time;
  int on_time_from, on_time_to;  // age in days
  double late_mean_days;         // beyond on_time_to
};
constexpr ReviewModel kModels[] = {
    {Review::kNewBirth, 0.99, 0.87, 10, 14, 8},
    {Review::kSixToEightWeek, 0.95, 0.9, 42, 56, 15},
    {Review::kOneYear, 0.89, 0.85, 300, 365, 45},
    {Review::kTwoYear, 0.83, 0.88, 730, 912, 60},
};

// ASQ-3 24-month questionnaire cut-offs (Squires & Bricker, ASQ-3 user's
// guide): communication, gross motor, fine motor, problem solving,
// personal-social. A score above the cut-off is "at or above the expected
// level"; about 80% of children are in all five domains (OHID C6iii).
constexpr std::array<double, 5> kAsqCutoff = {25.17, 38.07, 35.16, 29.78, 31.54};

std::array<int, 5> asq3_scores(Context& ctx) {
  const double development = ctx.rng.normal();
  const bool very_preterm = ctx.child.gestation_days < 32 * 7;
  std::array<int, 5> scores{};
  for (size_t d = 0; d < scores.size(); ++d) {
    double z = 0.55 * development + 0.835 * ctx.rng.normal();
    z -= 0.2 * ctx.deprivation(ctx.child.birth_date);
    if (ctx.male() && d != 1) z -= 0.15;  // boys lag in all but gross motor
    if (ctx.has(Condition::kAutism)) z -= 1.2;
    if (very_preterm) z -= 0.4;
    // Domain means set so about 95% of children are above each cut-off; the
    // raw score is six items of 0, 5 or 10, so a multiple of 5 up to 60.
    const double score = kAsqCutoff[d] + 19.5 + 11.0 * z;
    scores[d] = static_cast<int>(std::clamp(std::lround(score / 5.0) * 5L, 0L, 60L));
  }
  return scores;
}

Feeding feeding_at_six_weeks(Context& ctx) {
  // About half of babies get any breast milk at 6-8 weeks, fewer in
  // deprived areas (OHID C8ii).
  if (!ctx.rng.chance(shifted(0.5, -0.5 * ctx.deprivation(ctx.child.birth_date)))) {
    return Feeding::kNotBreastfed;
  }
  return ctx.rng.chance(0.65) ? Feeding::kTotallyBreastfed : Feeding::kPartiallyBreastfed;
}

}  // namespace

void draw_early_years(Context& ctx) {
  const Child& c = ctx.child;
  const double deprivation = ctx.deprivation(c.birth_date);
  const double uptake = -0.3 * deprivation + 0.35 * c.engagement;
  const auto record = [&](Review review, Date date) -> HealthVisitorReview* {
    // The antenatal contact is with the mother, before the child "arrives".
    const bool seen_here = review == Review::kAntenatal || !before(date, c.arrived);
    if (before(date, ctx.world.community_from) || !before(date, ctx.end()) || !seen_here) {
      return nullptr;
    }
    ctx.life.reviews.push_back({review, date, std::nullopt, std::nullopt});
    return &ctx.life.reviews.back();
  };

  // The antenatal contact happens from 28 weeks of pregnancy, before birth.
  if (ctx.rng.chance(shifted(0.45, uptake)) && c.arrived == c.birth_date) {
    const int window = std::max(1, c.gestation_days - 28 * 7);
    record(Review::kAntenatal, add_days(c.birth_date, -static_cast<int>(ctx.rng.below(window))));
  }
  for (const ReviewModel& m : kModels) {
    if (!ctx.rng.chance(shifted(m.done, uptake))) continue;
    int day = static_cast<int>(ctx.rng.between(m.on_time_from, m.on_time_to));
    if (!ctx.rng.chance(shifted(m.in_time, uptake))) {
      day = m.on_time_to + 1 + static_cast<int>(ctx.rng.exponential(m.late_mean_days));
    }
    HealthVisitorReview* r = record(m.review, add_days(c.birth_date, day));
    if (r == nullptr) continue;
    if (m.review == Review::kSixToEightWeek) r->feeding = feeding_at_six_weeks(ctx);
    if (m.review == Review::kTwoYear && ctx.rng.chance(0.91)) r->asq3 = asq3_scores(ctx);
  }
}

}  // namespace onechild::synth::life
