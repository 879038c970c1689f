// Children's social care: referrals, children in need, child protection
// plans, periods of care (as SSDA903 episodes) and looked-after children's
// health assessments. Rates are near England's (DfE "Children in need" and
// "Children looked after" 2023/24): about 5.4% of children referred a year,
// 3.3% in need, 0.42% on a plan and 0.7% looked after at a point in time,
// many times higher in the most deprived areas (Bywaters et al.).
#include <cmath>

#include "synth/life/steps.h"

namespace onechild::synth::life {
namespace {

// CIN census codes (DfE children in need census guide) (check).
constexpr Weighted kReferralSources[] = {{"6", 29}, {"2A", 20}, {"3A", 3}, {"3B", 2}, {"3E", 4},
                                         {"3F", 5}, {"5A", 8},  {"1A", 5}, {"1C", 2}, {"8", 6},
                                         {"9", 2},  {"4", 2},   {"7", 3},  {"2B", 2}, {"10", 7}};
constexpr Weighted kPrimaryNeed[] = {{"N1", 57}, {"N2", 9},   {"N3", 3}, {"N4", 9},  {"N5", 14},
                                     {"N6", 2},  {"N7", 0.3}, {"N8", 3}, {"N9", 2.7}};
constexpr Weighted kAbuseCategory[] = {
    {"NEG", 48}, {"EMO", 36}, {"PHY", 8}, {"SAB", 4}, {"MUL", 4}};

// Referrals per child per year by age before deprivation and family
// circumstances; the normalising factor keeps the population mean near the
// national rate once exp(0.9 deprivation + 0.8 vulnerability) is applied.
double referral_rate(int age) {
  const double base = age < 1 ? 0.07 : age < 5 ? 0.045 : age < 10 ? 0.04 : age < 16 ? 0.045 : 0.035;
  return base / 1.55;
}

// SSDA903 placement types by age at entry (check): foster placements (U1-U6)
// for most, children's homes (K2) and semi-independent living (H5) for teens,
// some placed with parents (P1).
std::string_view placement(Random& rng, int age) {
  if (age >= 16 && rng.chance(0.25)) return "H5";
  if (age >= 12 && rng.chance(0.2)) return "K2";
  if (rng.chance(0.06)) return "P1";
  if (rng.chance(0.17)) return rng.chance(0.5) ? "U1" : "U2";  // connected person
  return rng.chance(0.35) ? "U3" : "U4";
}

// A period of care from `start`: SSDA903 episodes (a new one at each change
// of placement or legal status) and how it ended.
void period_of_care(Context& ctx, Date start) {
  Random& rng = ctx.rng;
  const int age = static_cast<int>(ctx.age_years(start));
  const Date eighteen = birthday(ctx.child.birth_date, 18);
  // How and when the period ends, by age at entry (DfE: about a third return
  // home; adoption mostly for the under-fives; many stay until 18).
  Date ends = eighteen;
  std::string_view reason = rng.chance(0.3) ? "E17" : "E8";
  const double u = rng.uniform();
  if (age < 5 && u < 0.3) {
    ends = add_days(start, static_cast<int>(rng.lognormal(600, 0.3)));
    reason = rng.chance(0.7) ? "E11" : "E12";
  } else if (u < (age < 5 ? 0.45 : 0.55)) {
    ends = add_days(start, static_cast<int>(rng.lognormal(180, 0.7)));
    reason = rng.chance(0.8) ? "E4A" : "E13";
  } else if (u < (age < 5 ? 0.6 : 0.65)) {
    ends = add_days(start, static_cast<int>(rng.lognormal(500, 0.4)));
    reason = rng.chance(0.5) ? "E45" : "E46";
  }
  ends = earliest(ends, eighteen);

  std::string_view legal = rng.chance(0.45) ? "V2" : rng.chance(0.9) ? "C1" : "L2";
  std::string_view place = placement(rng, age);
  std::string_view new_reason = "S";
  Date episode_start = start;
  // An interim care order becomes a full care order after some months.
  std::optional<Date> full_order;
  if (legal == "C1" || legal == "L2") {
    full_order = add_days(start, static_cast<int>(rng.between(120, 300)));
  }
  for (;;) {
    Date next = add_days(episode_start, 1 + static_cast<int>(rng.exponential(540)));
    bool legal_change = false;
    if (full_order && before(*full_order, next)) {
      next = *full_order;
      legal_change = true;
    }
    const bool last = !before(next, ends);
    const Date episode_end = last ? ends : next;
    CareEpisode e{episode_start, std::nullopt, new_reason, legal, place, ""};
    if (before(episode_end, ctx.world.as_of)) {
      e.end = episode_end;
      // X1: the episode ends and a new one begins the same day.
      e.reason_ceased = last ? reason : "X1";
    }
    ctx.life.care_episodes.push_back(e);
    if (last || !before(episode_end, ctx.world.as_of)) break;
    episode_start = episode_end;
    if (legal_change) {
      legal = "C2";
      full_order.reset();
      new_reason = "L";
    } else {
      place = placement(rng, static_cast<int>(ctx.age_years(episode_start)));
      new_reason = "P";
    }
  }
}

// Health assessments while looked after: the initial one within 20 working
// days (about 28 calendar days), then reviews every 6 months under 5 and
// yearly from 5. About 45% of initial assessments are on time; about 89% of
// children looked after a year have an annual assessment (DfE, check).
void health_assessments(Context& ctx, Date start, Date end) {
  Random& rng = ctx.rng;
  if (!rng.chance(0.93)) return;
  Date at = add_days(start, rng.chance(0.45) ? static_cast<int>(rng.between(8, 28))
                                             : 29 + static_cast<int>(rng.exponential(25)));
  bool initial = true;
  while (before(at, end)) {
    // Immunisations up to date: every dose due by now was given.
    bool up_to_date = true;
    for (const Dose& d : ctx.life.doses) {
      if (d.declined && before(d.due, at)) up_to_date = false;
    }
    up_to_date = up_to_date && rng.chance(0.85);
    ctx.life.health_assessments.push_back(
        {at, initial, up_to_date, ctx.age_years(at) >= 1 && rng.chance(0.74)});
    initial = false;
    const int interval = ctx.age_years(at) < 5 ? 182 : 365;
    at = add_days(at, rng.chance(0.88) ? interval - static_cast<int>(rng.below(30))
                                       : interval + static_cast<int>(rng.between(1, 90)));
  }
}

// One referral and what followed it. Returns the day the child's case closed
// (or nullopt if still open at the reference date).
std::optional<Date> referral(Context& ctx, Date referred) {
  Random& rng = ctx.rng;
  const Date eighteen = birthday(ctx.child.birth_date, 18);
  CinEpisode cin{referred, std::nullopt, draw(rng, kReferralSources), draw(rng, kPrimaryNeed), ""};
  if (ctx.has_by(Condition::kAutism, referred) && rng.chance(0.5)) cin.need = "N2";
  const double u = rng.uniform() * std::exp(-0.25 * ctx.home.vulnerability);
  // Care and plans must start while the child is still a child (and alive).
  const Date last_start = earliest(ctx.end(), add_days(eighteen, -30));
  const Date care_start = add_days(referred, static_cast<int>(rng.between(0, 14)));
  const Date plan_start = add_days(referred, static_cast<int>(rng.between(25, 60)));
  Date closes;
  if (u < 0.02 && before(care_start, last_start)) {  // straight into care
    period_of_care(ctx, care_start);
    const auto& last = ctx.life.care_episodes.back();
    health_assessments(ctx, care_start, last.end ? *last.end : ctx.end());
    closes = last.end ? *last.end : eighteen;
    cin.closure_reason = last.reason_ceased == "E11" || last.reason_ceased == "E12" ? "RC1" : "RC7";
  } else if (u < 0.12 && before(plan_start, last_start)) {  // section 47, then a protection plan
    ProtectionPlan plan{plan_start, std::nullopt, draw(rng, kAbuseCategory), ""};
    plan.latest_category = rng.chance(0.85) ? plan.initial_category : draw(rng, kAbuseCategory);
    const Date plan_end =
        earliest(add_days(plan.start, static_cast<int>(rng.lognormal(280, 0.5))), eighteen);
    if (before(plan_end, ctx.world.as_of)) plan.end = plan_end;
    ctx.life.protection_plans.push_back(plan);
    closes = add_days(plan_end, static_cast<int>(rng.between(60, 180)));
    // About one plan in twelve ends with the child coming into care.
    if (plan.end && before(plan_end, last_start) && rng.chance(0.08)) {
      period_of_care(ctx, plan_end);
      const auto& last = ctx.life.care_episodes.back();
      health_assessments(ctx, plan_end, last.end ? *last.end : ctx.end());
      closes = last.end ? *last.end : eighteen;
    }
    cin.closure_reason = "RC7";
  } else if (u < 0.45) {  // assessed, no further action
    closes = add_days(referred, static_cast<int>(rng.between(14, 45)));
    cin.closure_reason = "RC8";
  } else {  // supported as a child in need
    closes = add_days(referred, static_cast<int>(rng.lognormal(200, 0.6)));
    cin.closure_reason = rng.chance(0.95) ? "RC7" : "RC5";
  }
  closes = earliest(closes, eighteen);
  if (ctx.child.died && before(*ctx.child.died, closes)) {
    closes = *ctx.child.died;
    cin.closure_reason = "RC2";
  }
  const bool closed = before(closes, ctx.world.as_of);
  if (closed) cin.closed = closes;
  ctx.life.cin.push_back(cin);
  if (!closed) return std::nullopt;
  return closes;
}

}  // namespace

void draw_social_care(Context& ctx) {
  const Child& c = ctx.child;
  const Date eighteen = birthday(c.birth_date, 18);
  const Date stop = earliest(eighteen, ctx.end());
  Date at = c.arrived;
  while (before(at, stop)) {
    const int age = static_cast<int>(ctx.age_years(at));
    double rate =
        referral_rate(age) * std::exp(0.9 * ctx.deprivation(at) + 0.8 * ctx.home.vulnerability);
    if (ctx.has_by(Condition::kAutism, at)) rate *= 1.5;
    at = add_days(at, 1 + static_cast<int>(ctx.rng.exponential(kYear / rate)));
    if (!before(at, stop)) break;
    const auto closed = referral(ctx, at);
    if (!closed) break;
    at = *closed;
  }
}

}  // namespace onechild::synth::life
