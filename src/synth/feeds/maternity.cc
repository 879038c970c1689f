// The maternity service's birth notifications: one row per baby born at the
// acute trust within the extract's history, with the mother alongside (as
// the Maternity Services Data Set and NHS birth notifications link them).
#include "synth/feeds/writer.h"

namespace onechild::synth::feeds {
namespace {

// The baby's NHS number is issued at birth, so it is almost always there; a
// baby is occasionally recorded under the mother's number. Most babies are
// not yet named when the birth is notified.
constexpr Quality kBabyQuality{0.005, 0.002, 0.002, 0.003, 0, 0.001, 0};
constexpr double kNamedAtNotification = 0.15;
constexpr uint64_t kSalt = 0x4A;

}  // namespace

bool born_here_within_history(const World& world, const Child& c) {
  return c.arrived == c.birth_date && !before(c.birth_date, world.history_from);
}

std::string maternity_mother_id(const Household& home) {
  return local_id("MAT", 50'000'000 + home.ordinal, kSalt, 8);
}

void write_maternity(Writer& w) {
  const Child& c = w.child;
  if (!born_here_within_history(w.world, c)) return;
  const Adult& mother = w.family.home.mother;
  Identity baby =
      record_child(w, "maternity", local_id("MAT", c.index, kSalt, 8), kBabyQuality, c.birth_date);
  if (!w.rng.chance(kNamedAtNotification)) baby.given_name.clear();
  Row(w.out, w.slot(Feed::kMaternityBirths))
      << baby.original_id << baby.nhs_number << baby.given_name << baby.family_name
      << baby.birth_date << school_sex(c.sex) << c.birth_order << c.gestation_days
      << c.birth_weight_grams << w.world.acute_trust().code + "01"
      << maternity_mother_id(w.family.home) << mother.nhs_number << mother.given_name
      << mother.family_name << mother.birth_date << baby.postcode;
}

}  // namespace onechild::synth::feeds
