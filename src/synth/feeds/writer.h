// What every feed writer shares: the child being written, the family, a
// random stream for data-quality slips, and the recorder that applies each
// organisation's slips to an identity and notes them in truth/.
// Internal to synth/feeds.
#pragma once

#include <string>
#include <vector>

#include "synth/feeds/feeds.h"

namespace onechild::synth::feeds {

// How often one organisation's records carry each kind of error (docs/
// synthetic-data.md, "Data quality"). Rates are per person record.
struct Quality {
  double nhs_missing = 0;       // no NHS number recorded
  double nhs_mistyped = 0;      // one digit wrong: fails Modulus 11
  double nhs_other_person = 0;  // a sibling's or the mother's valid number
  double name_typo = 0;         // a keying slip in the given or family name
  double informal_name = 0;     // "Ollie" for "Oliver", where a short form exists
  double birth_date_error = 0;  // day/month swapped, a day out, a year out
  double duplicate = 0;         // a second record for the same person in the feed
};

struct Writer {
  const World& world;
  const Layout& layout;
  const Family& family;
  const Child& child;
  const Life& life;
  Random& rng;
  Chunk& out;

  size_t slot(Feed feed, int place = 0) const { return layout.slot(feed, place); }
  int place_of(Date on) const { return world.place_of(family.home.address_at(on).lsoa); }
  const Postcode& postcode_at(Date on) const;
};

// A person as one source recorded them.
struct Identity {
  std::string original_id;
  std::string nhs_number;  // empty when not recorded
  std::string given_name, family_name;
  Date birth_date;
  std::string postcode;
  const Address* address = nullptr;  // the home the record shows
};

// Records `child` as `source` knew them at `as_at`, with that source's
// slips applied; every slip goes to truth/errors.csv and the record to
// truth/persons.csv.
Identity record_child(Writer& w, std::string_view source, std::string original_id,
                      const Quality& quality, Date as_at);

// The same for the mother (no slips: she appears only alongside her baby).
void note_person(Writer& w, std::string_view source, std::string_view original_id,
                 std::string_view person_id);

// An organisation's own identifier for the n-th person or event: a fixed
// prefix and `digits` digits from a bijection of n, so ids never collide
// and do not reveal the order people were generated in (nor link feeds).
std::string local_id(std::string_view prefix, int64_t n, uint64_t salt, int digits = 8);

// The organisations' codes for sex.
inline std::string_view fhir_gender(Sex s) {
  return s == Sex::kMale ? "male" : "female";
}
inline std::string_view cds_sex(Sex s) {
  return s == Sex::kMale ? "1" : "2";
}
inline std::string_view school_sex(Sex s) {
  return s == Sex::kMale ? "M" : "F";
}
// DfE ethnicity code (school census, CIN census) for a Data Dictionary code.
std::string_view dfe_ethnicity(char ethnic_category);

// Whether the maternity feed has the child: born at the trust within the
// extract's history.
bool born_here_within_history(const World& world, const Child& c);
// The maternity service's id for a family's mother.
std::string maternity_mother_id(const Household& home);

// The child's unique pupil number (DfE: check letter, LA number, school
// number, year of allocation, serial); `reissued` gives the second number
// a school wrongly allocates instead of keeping the first.
std::string upn(const Writer& w, bool reissued = false);

// The community trust's local code for a Healthy Child Programme review
// ("new-birth-visit", "6-8-week-review"), also the item in truth/programmes.csv.
std::string_view review_code(Review review);

// The feeds, one per organisation (or local authority).
void write_gp(Writer& w);
void write_community(Writer& w);
void write_acute(Writer& w);
void write_mental_health(Writer& w);
void write_maternity(Writer& w);
void write_social_care(Writer& w);
void write_education(Writer& w);
void write_mother(const World& world, const Layout& layout, const Family& family,
                  const std::vector<Life>& lives, Chunk& out);

}  // namespace onechild::synth::feeds
