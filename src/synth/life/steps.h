// The steps of a life course, each in its own file, and the context they
// share. Internal to synth: the public face is life.h.
#pragma once

#include <array>

#include "synth/life.h"

namespace onechild::synth::life {

constexpr int kYear = 365;

struct Context {
  Random& rng;
  const World& world;
  const Household& home;
  Child& child;
  Life& life;

  int age_days(Date on) const { return days_between(child.birth_date, on); }
  double age_years(Date on) const { return age_days(on) / 365.25; }
  double deprivation(Date on) const { return world.deprivation(home.address_at(on).lsoa); }
  const Address& address(Date on) const { return home.address_at(on); }
  bool has(Condition c) const { return child.diagnosis(c) != nullptr; }
  bool has_by(Condition c, Date on) const {
    const Diagnosis* d = child.diagnosis(c);
    return d != nullptr && !before(on, d->diagnosed);
  }
  bool male() const { return child.sex == Sex::kMale; }
  // The child's records end at death or the reference date.
  Date end() const { return child.died ? earliest(*child.died, world.as_of) : world.as_of; }
  // The first day a local service could have seen them within [from, ...).
  Date local_from(Date from) const { return latest(from, child.arrived); }
  // A uniformly random day in [from, to); `from` when the range is empty.
  Date day_between(Date from, Date to) {
    const int span = days_between(from, to);
    return span <= 0 ? from : add_days(from, static_cast<int>(rng.below(span)));
  }
  // The relative change in hospital activity under a child health hub:
  // 1 + hub_effect after the registered practice joined a hub, else 1.
  double hub_factor(Date on) const;
};

// Counts of a yearly rate over the days [from, to) of the child's life,
// split at birthdays so rates can depend on age: calls emit(day) for each
// event, with day uniform within each year of age.
template <typename Rate, typename Emit>
void poisson_by_age(Context& ctx, Date from, Date to, Rate rate_at_age, Emit emit) {
  if (!before(from, to)) return;
  int age = std::max(0, static_cast<int>(ctx.age_years(from)));
  for (Date start = from; before(start, to); ++age) {
    const Date next_birthday = birthday(ctx.child.birth_date, age + 1);
    const Date stop = earliest(next_birthday, to);
    if (before(start, stop)) {
      const double years = days_between(start, stop) / 365.0;
      const int n = ctx.rng.poisson(rate_at_age(age, start) * years);
      for (int i = 0; i < n; ++i)
        emit(ctx.day_between(start, stop));
    }
    start = latest(start, next_birthday);
  }
}

// A code and how often it occurs, e.g. a national return's category with
// its share; draw() picks one in proportion.
struct Weighted {
  std::string_view value;
  double weight;
};

template <size_t N>
std::string_view draw(Random& rng, const Weighted (&table)[N]) {
  std::array<double, N> weights{};
  for (size_t i = 0; i < N; ++i)
    weights[i] = table[i].weight;
  return table[rng.weighted(weights)].value;
}

void draw_conditions(Context& ctx);
void draw_early_years(Context& ctx);
void draw_immunisations(Context& ctx);
void draw_social_care(Context& ctx);
void draw_education(Context& ctx);
void draw_hospital(Context& ctx);
void draw_primary_care(Context& ctx);
void draw_mental_health(Context& ctx);
void draw_transition(Context& ctx);

}  // namespace onechild::synth::life
