// Children and young people's mental health services (CAMHS): referrals,
// waits, care contacts and paired outcome scores, as MHSDS records them.
#include <cmath>

#include "synth/life/steps.h"

namespace onechild::synth::life {
namespace {

// MHSDS source of referral codes (check): A1 GP, D1 education, B1 self,
// B2 carer, C1 social services, H1 emergency department, Q1 other.
constexpr Weighted kSources[] = {{"A1", 45}, {"D1", 15}, {"B1", 6}, {"B2", 6},
                                 {"C1", 8},  {"H1", 8},  {"Q1", 12}};
constexpr Weighted kReasons[] = {{"Anxiety", 28},
                                 {"Depression", 18},
                                 {"Self harm", 10},
                                 {"Conduct disorder", 10},
                                 {"Neurodevelopmental", 10},
                                 {"Eating disorder", 5},
                                 {"Trauma", 5},
                                 {"Other", 14}};

std::string_view attendance(Context& ctx, Date date) {
  const double dna = shifted(0.1, 0.3 * ctx.deprivation(date) + 0.3 * ctx.home.vulnerability);
  const double u = ctx.rng.uniform();
  return u < dna ? "3" : u < dna + 0.04 ? "2" : "5";
}

// One referral: about 12% closed without contact; waits to first contact
// with a median near six weeks (a third within four) and days for urgent
// referrals; then a handful of contacts; SDQ total difficulties (0-40) and
// goal-based outcome (0-10) scores at the start and the end.
void referral(Context& ctx, Date received, std::string_view source, std::string_view reason) {
  Random& rng = ctx.rng;
  CamhsReferral r{received, source, reason, std::nullopt, {}, {}};
  const Date stop = earliest(ctx.end(), birthday(ctx.child.birth_date, 18));
  const bool urgent = reason == "Self harm" || reason == "Eating disorder";
  if (rng.chance(0.12)) {
    const Date closed = add_days(received, static_cast<int>(rng.between(30, 120)));
    if (before(closed, ctx.world.as_of)) r.discharged = closed;
    ctx.life.camhs.push_back(std::move(r));
    return;
  }
  Date at = add_days(received, urgent ? static_cast<int>(rng.between(1, 10))
                                      : static_cast<int>(rng.lognormal(42, 0.8)));
  const int contacts = 1 + rng.poisson(5);
  Date last_attended = at;
  int attended = 0;
  for (int k = 0; k < contacts && before(at, stop); ++k) {
    const std::string_view outcome = attendance(ctx, at);
    const double m = rng.uniform();
    r.contacts.push_back({at, outcome, m < 0.75 ? "01" : m < 0.9 ? "02" : "04"});
    if (outcome == "5") {
      if (attended == 0) {
        const int sdq = static_cast<int>(std::clamp(rng.normal(20, 5), 0.0, 40.0));
        const int gbo = static_cast<int>(std::clamp(rng.normal(3, 1.5), 0.0, 10.0));
        r.scores.push_back({at, "SDQ-TD", sdq});
        r.scores.push_back({at, "GBO", gbo});
      }
      ++attended;
      last_attended = at;
    }
    at = add_days(at, static_cast<int>(rng.between(7, 21)));
  }
  if (attended >= 3 && r.scores.size() == 2) {
    const int sdq = static_cast<int>(std::clamp(r.scores[0].score - rng.normal(4, 4), 0.0, 40.0));
    const int gbo = static_cast<int>(std::clamp(r.scores[1].score + rng.normal(3, 2), 0.0, 10.0));
    r.scores.push_back({last_attended, "SDQ-TD", sdq});
    r.scores.push_back({last_attended, "GBO", gbo});
  }
  const Date discharged = add_days(last_attended, static_cast<int>(rng.between(14, 60)));
  if (before(discharged, ctx.world.as_of) && before(at, stop)) r.discharged = discharged;
  ctx.life.camhs.push_back(std::move(r));
}

}  // namespace

void draw_mental_health(Context& ctx) {
  const Child& c = ctx.child;
  const Date from = ctx.local_from(ctx.world.history_from);
  const Date to = earliest(ctx.end(), birthday(c.birth_date, 18));
  // Referrals per year (NHS England MHSDS: about 6% of 0-17s in contact a
  // year): rising through the teens, more for girls from 14, with
  // deprivation, family circumstances, care and neurodevelopmental conditions.
  std::vector<Date> received;
  poisson_by_age(
      ctx, from, to,
      [&](int age, Date start) {
        if (age < 4) return 0.0;
        double rate = age < 10 ? 0.025 : age < 14 ? 0.065 : (ctx.male() ? 0.07 : 0.12);
        rate *= std::exp(0.2 * ctx.deprivation(start) + 0.35 * ctx.home.vulnerability);
        if (ctx.life.looked_after_on(start)) rate *= 2.5;
        if (ctx.has_by(Condition::kAutism, start) || ctx.has_by(Condition::kAdhd, start)) rate *= 2;
        return rate;
      },
      [&](Date day) { received.push_back(day); });
  // Most self-harm attendances are referred on from the ED.
  for (const EdAttendance& a : ctx.life.ed) {
    if (a.diagnosis->group == EdGroup::kSelfHarm && before(a.date, to) && ctx.rng.chance(0.8)) {
      received.push_back(add_days(a.date, static_cast<int>(ctx.rng.between(0, 3))));
    }
  }
  std::sort(received.begin(), received.end(), [](Date a, Date b) { return before(a, b); });
  std::vector<Date> self_harm;
  for (const EdAttendance& a : ctx.life.ed) {
    if (a.diagnosis->group == EdGroup::kSelfHarm) self_harm.push_back(a.date);
  }
  Date open_until = from;
  for (Date day : received) {
    if (before(day, open_until) || !before(day, to)) continue;  // one open referral at a time
    const bool after_self_harm = std::any_of(self_harm.begin(), self_harm.end(), [&](Date d) {
      return !before(day, d) && days_between(d, day) <= 3;
    });
    referral(ctx, day, after_self_harm ? "H1" : draw(ctx.rng, kSources),
             after_self_harm ? "Self harm" : draw(ctx.rng, kReasons));
    const CamhsReferral& r = ctx.life.camhs.back();
    if (!r.discharged) break;
    open_until = *r.discharged;
  }
}

}  // namespace onechild::synth::life
