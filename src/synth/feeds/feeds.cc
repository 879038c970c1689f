#include "synth/feeds/feeds.h"

#include "synth/feeds/writer.h"

namespace onechild::synth {
namespace {

enum Stream : uint64_t { kQuality = 21 };

std::string_view condition_key(Condition c) {
  switch (c) {
    case Condition::kAsthma:
      return "asthma";
    case Condition::kType1Diabetes:
      return "type-1-diabetes";
    case Condition::kEpilepsy:
      return "epilepsy";
    case Condition::kAutism:
      return "autism";
    case Condition::kAdhd:
      break;
  }
  return "adhd";
}

// truth/children.csv: who the child really is, where they live now and
// what they have: the denominator and breakdowns of every figure.
void write_truth(const World& world, const Layout& layout, const Family& family, const Child& c,
                 Chunk& out) {
  const Address& home = family.home.address_at(world.as_of);
  const Lsoa& lsoa = world.reference.lsoas[static_cast<size_t>(home.lsoa)];
  std::string conditions;
  for (const Diagnosis& d : c.diagnoses) {
    if (!conditions.empty()) conditions += ';';
    conditions += condition_key(d.condition);
  }
  Row(out, layout.slot(Feed::kTruthChildren))
      << c.person_id << c.nhs_number << c.given_name << c.family_name << c.birth_date
      << feeds::fhir_gender(c.sex) << std::string_view(&c.ethnic_category, 1)
      << family.home.ordinal + 1 << family.home.mother.person_id << lsoa.code << lsoa.imd_decile
      << world.reference.places[static_cast<size_t>(lsoa.place)].code << home.practice
      << (world.hub_from(home.practice) ? "Y" : "N") << c.arrived << c.died << conditions;
}

// truth/programmes.csv: what the child health programmes really did for
// the child, whatever the feeds show of it: every Healthy Child Programme
// review (the antenatal contact included, though the feed has it on the
// mother's record) and every immunisation dose, given or declined.
void write_programmes(const Layout& layout, const Child& c, const Life& life, Chunk& out) {
  const size_t slot = layout.slot(Feed::kTruthProgrammes);
  for (const HealthVisitorReview& r : life.reviews) {
    Row(out, slot) << c.person_id << "hcp" << feeds::review_code(r.review) << "" << r.date
                   << "done";
  }
  for (const Dose& d : life.doses) {
    Row(out, slot) << c.person_id << "imms" << d.vaccine->key << d.due << d.date
                   << (d.declined ? "declined" : "done");
  }
}

}  // namespace

void write_family(const World& world, const Layout& layout, const Family& family,
                  const std::vector<Life>& lives, uint64_t seed, Chunk& out) {
  const Adult& mother = family.home.mother;
  Row(out, layout.slot(Feed::kTruthParents))
      << mother.person_id << mother.nhs_number << mother.given_name << mother.family_name
      << mother.birth_date << family.home.ordinal + 1;
  feeds::write_mother(world, layout, family, lives, out);
  bool mother_in_maternity = false;
  for (size_t k = 0; k < family.children.size(); ++k) {
    const Child& child = family.children[k];
    Random rng = Random::stream(seed, kQuality, static_cast<uint64_t>(child.index));
    feeds::Writer w{world, layout, family, child, lives[k], rng, out};
    write_truth(world, layout, family, child, out);
    write_programmes(layout, child, lives[k], out);
    feeds::write_gp(w);
    feeds::write_community(w);
    feeds::write_acute(w);
    feeds::write_mental_health(w);
    feeds::write_maternity(w);
    feeds::write_social_care(w);
    feeds::write_education(w);
    mother_in_maternity = mother_in_maternity || feeds::born_here_within_history(world, child);
  }
  if (mother_in_maternity) {
    Row(out, layout.slot(Feed::kTruthPersons))
        << "maternity" << feeds::maternity_mother_id(family.home) << mother.person_id;
  }
}

}  // namespace onechild::synth
