#include "synth/population.h"

#include <algorithm>
#include <array>

#include "core/ethnicity.h"
#include "core/nhs_number.h"
#include "synth/calendar.h"
#include "synth/format.h"
#include "synth/names.h"

namespace onechild::synth {
namespace {

// Stream kinds for Random::stream: one independent sequence per purpose.
enum Stream : uint64_t { kPlan = 1, kNumbers = 2, kHousehold = 3, kChild = 4 };

// Children per household, 1 to 4, and how often a further child is a twin.
constexpr std::array<double, 4> kHouseholdSizeWeight = {0.45, 0.35, 0.15, 0.05};
constexpr double kTwinRate = 0.016;
// A step-sibling, or a child known by another parent's surname.
constexpr double kOtherSurnameRate = 0.1;
// Children whose surname changes later (a new family, an adoption).
constexpr double kSurnameChangeRate = 0.03;
// Households that moved into the ICS after their eldest child was born.
constexpr double kArrivedLaterRate = 0.1;
// Moves per household per year, and the share that stay in the same place.
constexpr double kMovesPerYear = 0.08;
constexpr double kMoveWithinPlace = 0.85;
constexpr double kKeepPracticeOnLocalMove = 0.7;

constexpr int kYear = 365;

// Ages 0-24 in five-year bands of roughly equal size, the 0-4s a little
// fewer (as in ONS mid-year estimates for England), uniform within a band.
int draw_age_in_days(Random& rng) {
  constexpr std::array<double, 5> kBandWeight = {0.90, 1.0, 1.0, 1.0, 1.0};
  const auto band = static_cast<int>(rng.weighted(kBandWeight));
  return band * 5 * kYear + static_cast<int>(rng.below(int64_t{5} * kYear));
}

// Siblings are born one to six years apart, older or younger than the
// first child drawn. Ages past 0 or 25 are reflected back inside, which
// keeps the population's (near-uniform) age structure.
int sibling_age(Random& rng, int first_age) {
  constexpr int kSpan = 25 * kYear;
  const int gap = static_cast<int>((1.2 + rng.exponential(1.6)) * kYear);
  int age = first_age + (rng.chance(0.5) ? gap : -gap);
  if (age < 0) age = -age;
  if (age >= kSpan) age = 2 * kSpan - 1 - age;
  return age >= 0 && age < kSpan ? age : draw_age_in_days(rng);
}

char draw_ethnic_category(Random& rng) {
  std::array<double, 16> shares{};
  const auto categories = ethnic_categories();
  for (size_t i = 0; i < categories.size() && i < shares.size(); ++i)
    shares[i] = categories[i].census_2021_share;
  return categories[rng.weighted(shares)].code;
}

const Organisation* any_practice(Random& rng, const World& world, int place) {
  return rng.pick<const Organisation*>(world.practices_by_place[static_cast<size_t>(place)]);
}

Address address_in(Random& rng, const World& world, int lsoa, Date from) {
  Address a;
  a.from = from;
  a.lsoa = lsoa;
  a.postcode = static_cast<int>(rng.below(
      static_cast<int64_t>(world.reference.lsoas[static_cast<size_t>(lsoa)].postcodes.size())));
  a.house_number = static_cast<int>(rng.between(1, 80));
  a.practice = any_practice(rng, world, world.place_of(lsoa))->code;
  return a;
}

// Homes over time: the first from before the eldest's birth (or from the
// day the family arrived), then moves, mostly within the same place.
std::vector<Address> addresses(Random& rng, const World& world, Date first_from) {
  std::vector<Address> homes;
  const auto& lsoas = world.reference.lsoas;
  homes.push_back(address_in(
      rng, world, static_cast<int>(rng.below(static_cast<int64_t>(lsoas.size()))), first_from));
  for (Date at = first_from;;) {
    at = add_days(at, 1 + static_cast<int>(rng.exponential(kYear / kMovesPerYear)));
    if (!before(at, world.as_of)) break;
    const Address& last = homes.back();
    const int place = world.place_of(last.lsoa);
    const int new_place =
        rng.chance(kMoveWithinPlace) || world.reference.places.size() < 2
            ? place
            : static_cast<int>(rng.below(static_cast<int64_t>(world.reference.places.size())));
    const int lsoa = rng.pick<int>(world.lsoas_by_place[static_cast<size_t>(new_place)]);
    Address next = address_in(rng, world, lsoa, at);
    if (new_place == place && rng.chance(kKeepPracticeOnLocalMove)) next.practice = last.practice;
    homes.push_back(std::move(next));
  }
  return homes;
}

// Median birth weight (grams) by completed week of gestation, 24-42 weeks,
// close to UK-WHO birth centiles (check).
constexpr std::array<int, 19> kMedianBirthWeight = {650,  760,  880,  1000, 1150, 1300, 1470,
                                                    1650, 1850, 2100, 2350, 2600, 2850, 3050,
                                                    3250, 3400, 3520, 3620, 3680};

// Gestation in days: about 7% of singletons and 55% of twins are born
// before 37 weeks (ONS birth characteristics).
int draw_gestation_days(Random& rng, bool twin) {
  constexpr std::array<double, 13> kPretermWeeks = {1, 1, 1, 1.5, 1.5, 2, 2, 3, 3.5, 5, 7, 10, 14};
  constexpr std::array<double, 6> kTermWeeks = {6, 15, 27, 30, 17, 5};  // 37-42
  const bool preterm = rng.chance(twin ? 0.55 : 0.07);
  const int week = preterm ? 24 + static_cast<int>(rng.weighted(kPretermWeeks))
                           : 37 + static_cast<int>(rng.weighted(kTermWeeks));
  return week * 7 + static_cast<int>(rng.below(7));
}

int draw_birth_weight(Random& rng, int gestation_days, Sex sex, bool twin, double deprivation) {
  const int week = std::clamp(gestation_days / 7, 24, 42);
  double grams = kMedianBirthWeight[static_cast<size_t>(week - 24)];
  grams *= (sex == Sex::kFemale ? 0.965 : 1.0) * (twin ? 0.9 : 1.0) * (1.0 - 0.015 * deprivation);
  grams *= 1.0 + rng.normal(0, 0.11);
  return static_cast<int>(std::clamp(grams, 400.0, 5600.0));
}

// Mortality per year of age (ONS child mortality, England and Wales): about
// 3.9 infant deaths per 1,000 live births, two-thirds in the first 28 days;
// then about 10, 8, 25 and 40 per 100,000 a year at 1-4, 5-14, 15-19, 20-24.
std::optional<Date> draw_death(Random& rng, Date birth, Date as_of, double deprivation) {
  const double scale = std::exp(0.3 * deprivation);
  const int age_days = days_between(birth, as_of);
  if (rng.chance(0.0039 * scale)) {
    const int day = rng.chance(0.67) ? static_cast<int>(rng.below(28))
                                     : static_cast<int>(rng.between(28, kYear - 1));
    if (day < age_days) return add_days(birth, day);
    return std::nullopt;
  }
  for (int year = 1; year * kYear < age_days; ++year) {
    const double rate = year < 5 ? 10e-5 : year < 15 ? 8e-5 : year < 20 ? 25e-5 : 40e-5;
    if (rng.chance(rate * scale)) {
      const int day = year * kYear + static_cast<int>(rng.below(kYear));
      if (day < age_days) return add_days(birth, day);
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<HouseholdPlan> plan_households(uint64_t seed, int64_t children) {
  Random rng = Random::stream(seed, kPlan, 0);
  std::vector<HouseholdPlan> plans;
  for (int64_t next = 0; next < children;) {
    HouseholdPlan plan;
    plan.ordinal = static_cast<int64_t>(plans.size());
    plan.first_child = next;
    plan.children = static_cast<int>(std::min<int64_t>(
        static_cast<int64_t>(rng.weighted(kHouseholdSizeWeight)) + 1, children - next));
    next += plan.children;
    plans.push_back(plan);
  }
  return plans;
}

NhsNumbers::NhsNumbers(uint64_t seed) {
  middles_.reserve(kCapacity);
  for (uint32_t m = 0; m < 1'000'000; ++m) {
    if (NhsNumber::check_digit("999" + zero_padded(m, 6)) >= 0) middles_.push_back(m);
  }
  Random rng = Random::stream(seed, kNumbers, 0);
  for (size_t i = middles_.size() - 1; i > 0; --i) {
    std::swap(middles_[i], middles_[static_cast<size_t>(rng.below(static_cast<int64_t>(i + 1)))]);
  }
}

std::string NhsNumbers::at(int64_t slot) const {
  const std::string nine = "999" + zero_padded(middles_[static_cast<size_t>(slot)], 6);
  return nine + static_cast<char>('0' + NhsNumber::check_digit(nine));
}

namespace {

Household make_household_only(Random& rng, const World& world, const HouseholdPlan& plan,
                              const NhsNumbers& numbers, int64_t total_children,
                              Date eldest_birth) {
  Household h;
  h.ordinal = plan.ordinal;
  h.ethnic_category = draw_ethnic_category(rng);
  h.origin = name_origin(rng, h.ethnic_category);
  h.family_name = draw_family_name(rng, h.origin);
  h.vulnerability = rng.normal();

  Adult& mother = h.mother;
  mother.person_id = "M" + zero_padded(plan.ordinal + 1, 7);
  mother.nhs_number = numbers.mother(total_children, plan.ordinal);
  // Mean age at first birth about 29 (ONS births by parents' characteristics).
  const double age_at_first = std::clamp(rng.normal(29.0, 5.5), 16.0, 44.0);
  mother.birth_date = add_days(eldest_birth, -static_cast<int>(age_at_first * kYear));
  mother.given_name =
      draw_given_name(rng, h.origin, Sex::kFemale, static_cast<int>(mother.birth_date.year()));
  mother.family_name = family_name_for(
      rng.chance(0.75) ? h.family_name : draw_family_name(rng, h.origin), Sex::kFemale);

  const Date first_from =
      rng.chance(kArrivedLaterRate)
          ? add_days(
                eldest_birth,
                static_cast<int>(rng.below(std::max(1, days_between(eldest_birth, world.as_of)))))
          : add_days(eldest_birth, -static_cast<int>(rng.below(int64_t{3} * kYear)));
  h.addresses = addresses(rng, world, first_from);
  return h;
}

}  // namespace

Family make_family(const World& world, const HouseholdPlan& plan, const NhsNumbers& numbers,
                   int64_t total_children, uint64_t seed) {
  Random rng = Random::stream(seed, kHousehold, static_cast<uint64_t>(plan.ordinal));
  // Ages first: the family's home and the mother's age depend on the eldest.
  std::vector<int> ages;
  std::vector<bool> twin;
  for (int k = 0; k < plan.children; ++k) {
    const bool is_twin = k > 0 && rng.chance(kTwinRate);
    ages.push_back(k == 0    ? draw_age_in_days(rng)
                   : is_twin ? ages.back()
                             : sibling_age(rng, ages[0]));
    twin.push_back(is_twin);
  }
  // Oldest first, a twin pair kept together in birth order.
  std::vector<size_t> order(ages.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return ages[a] > ages[b]; });
  const Date eldest_birth = add_days(world.as_of, -ages[order[0]]);

  Family family{make_household_only(rng, world, plan, numbers, total_children, eldest_birth), {}};
  const Household& home = family.home;
  for (size_t k = 0; k < order.size(); ++k) {
    const int64_t index = plan.first_child + static_cast<int64_t>(k);
    Random crng = Random::stream(seed, kChild, static_cast<uint64_t>(index));
    Child c;
    c.index = index;
    c.person_id = "P" + zero_padded(index + 1, 7);
    c.nhs_number = numbers.child(index);
    c.sex = crng.chance(0.51) ? Sex::kMale : Sex::kFemale;
    c.birth_date = add_days(world.as_of, -ages[order[k]]);
    c.twin = twin[order[k]] ||
             (k + 1 < order.size() && twin[order[k + 1]] && ages[order[k + 1]] == ages[order[k]]);
    c.birth_order = twin[order[k]] ? 2 : 1;
    c.given_name = draw_given_name(crng, home.origin, c.sex, static_cast<int>(c.birth_date.year()));
    c.family_name = family_name_for(
        crng.chance(kOtherSurnameRate) ? draw_family_name(crng, home.origin) : home.family_name,
        c.sex);
    c.ethnic_category = home.ethnic_category;
    c.arrived = latest(c.birth_date, home.addresses.front().from);
    const double deprivation = world.deprivation(home.address_at(c.birth_date).lsoa);
    c.gestation_days = draw_gestation_days(crng, c.twin);
    c.birth_weight_grams = draw_birth_weight(crng, c.gestation_days, c.sex, c.twin, deprivation);
    c.engagement = 0.9 * crng.normal() - 0.4 * home.vulnerability;
    const int age = days_between(c.birth_date, world.as_of);
    if (age > 2 * kYear && crng.chance(kSurnameChangeRate)) {
      c.surname_changed = add_days(c.birth_date, static_cast<int>(crng.between(kYear, age - 1)));
      c.earlier_family_name = c.family_name;
      c.family_name = family_name_for(draw_family_name(crng, home.origin), c.sex);
    }
    c.died = draw_death(crng, c.birth_date, world.as_of, deprivation);
    family.children.push_back(std::move(c));
  }
  return family;
}

}  // namespace onechild::synth
