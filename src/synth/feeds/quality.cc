// Data quality as in real feeds: each organisation's slips applied to a
// person's identity, every one of them noted in truth/errors.csv.
#include "core/nhs_number.h"
#include "synth/feeds/writer.h"
#include "synth/format.h"
#include "synth/names.h"

namespace onechild::synth::feeds {
namespace {

struct Slip {
  Writer& w;
  std::string_view source;
  const std::string& original_id;

  void note(std::string_view field, std::string_view truth, std::string_view recorded,
            std::string_view kind) {
    Row(w.out, w.slot(Feed::kTruthErrors))
        << source << original_id << field << truth << recorded << kind;
  }
};

// One digit of the first nine changed: Modulus 11 always catches it.
std::string mistyped(Random& rng, const std::string& nhs) {
  std::string typo = nhs;
  const auto pos = static_cast<size_t>(rng.below(9));
  typo[pos] = static_cast<char>('0' + (typo[pos] - '0' + 1 + rng.below(9)) % 10);
  return typo;
}

Date wrong_birth_date(Random& rng, Date birth) {
  const auto d = static_cast<unsigned>(birth.day());
  const auto m = static_cast<unsigned>(birth.month());
  const double u = rng.uniform();
  if (u < 0.5 && d <= 12 && d != m) {  // day and month swapped (US-style entry)
    return Date{birth.year(), std::chrono::month{d}, std::chrono::day{m}};
  }
  if (u < 0.85) return add_days(birth, rng.chance(0.5) ? 1 : -1);
  return birthday(birth, rng.chance(0.5) ? 1 : -1);
}

}  // namespace

const Postcode& Writer::postcode_at(Date on) const {
  return world.postcode(family.home.address_at(on));
}

Identity record_child(Writer& w, std::string_view source, std::string original_id, const Quality& q,
                      Date as_at) {
  const Child& c = w.child;
  Random& rng = w.rng;
  Identity id;
  id.original_id = std::move(original_id);
  Slip slip{w, source, id.original_id};

  if (q.nhs_missing >= 1.0) {
    // The feed has no NHS number field at all (school census): not a slip.
  } else if (rng.chance(q.nhs_missing)) {
    slip.note("nhs_number", c.nhs_number, "", "missing");
  } else if (rng.chance(q.nhs_mistyped)) {
    std::string typo = mistyped(rng, c.nhs_number);
    if (rng.chance(0.5)) typo = typo.substr(0, 3) + " " + typo.substr(3, 3) + " " + typo.substr(6);
    slip.note("nhs_number", c.nhs_number, typo, "mistyped");
    id.nhs_number = std::move(typo);
  } else if (rng.chance(q.nhs_other_person)) {
    // A baby is booked under the mother's number; an older child gets a
    // sibling's where there is one.
    const Child* sibling = nullptr;
    for (const Child& s : w.family.children) {
      if (s.index != c.index && days_between(c.birth_date, as_at) >= 365) sibling = &s;
    }
    id.nhs_number = sibling ? sibling->nhs_number : w.family.home.mother.nhs_number;
    slip.note("nhs_number", c.nhs_number, id.nhs_number,
              sibling ? "sibling's number" : "parent's number");
  } else {
    id.nhs_number = c.nhs_number;
  }

  id.given_name = c.given_name;
  if (auto informal =
          rng.chance(q.informal_name) ? informal_name(rng, c.given_name) : std::nullopt) {
    id.given_name = *informal;
    slip.note("given_name", c.given_name, id.given_name, "informal name");
  }
  id.family_name = c.family_name_at(as_at);
  if (id.family_name != c.family_name) {
    slip.note("family_name", c.family_name, id.family_name, "earlier surname");
  }
  if (rng.chance(q.name_typo)) {
    const bool given = rng.chance(0.5);
    std::string& name = given ? id.given_name : id.family_name;
    const std::string before = name;
    name = with_typo(rng, name);
    slip.note(given ? "given_name" : "family_name", before, name, "typo");
  }

  id.birth_date = c.birth_date;
  if (rng.chance(q.birth_date_error)) {
    id.birth_date = wrong_birth_date(rng, c.birth_date);
    slip.note("birth_date", format_iso_date(c.birth_date), format_iso_date(id.birth_date),
              "wrong birth date");
  }

  id.address = &w.family.home.address_at(as_at);
  id.postcode = w.postcode_at(as_at).code;
  const std::string& current = w.postcode_at(w.world.as_of).code;
  if (id.postcode != current) slip.note("postcode", current, id.postcode, "moved since");

  note_person(w, source, id.original_id, c.person_id);
  return id;
}

void note_person(Writer& w, std::string_view source, std::string_view original_id,
                 std::string_view person_id) {
  Row(w.out, w.slot(Feed::kTruthPersons)) << source << original_id << person_id;
}

std::string local_id(std::string_view prefix, int64_t n, uint64_t salt, int digits) {
  uint64_t modulus = 1;
  for (int i = 0; i < digits; ++i)
    modulus *= 10;
  // An affine map n -> a*n + b (mod 10^digits) is a bijection when a is
  // coprime to 10: odd and not a multiple of 5. a and b come from a hash of
  // the salt and the width, so ids of different widths look unrelated.
  Random mix = Random::stream(salt, static_cast<uint64_t>(digits), 0);
  uint64_t a = mix.next() % modulus | 1;
  if (a % 5 == 0) a += 2;
  const uint64_t b = mix.next() % modulus;
  // 128-bit product: a * n overflows 64 bits for ten-digit ids.
  const unsigned __int128 x = static_cast<unsigned __int128>(static_cast<uint64_t>(n)) * a + b;
  return std::string(prefix) + zero_padded(static_cast<int64_t>(x % modulus), digits);
}

std::string_view dfe_ethnicity(char ethnic_category) {
  switch (ethnic_category) {
    case 'A':
      return "WBRI";
    case 'B':
      return "WIRI";
    case 'C':
      return "WOTH";
    case 'D':
      return "MWBC";
    case 'E':
      return "MWBA";
    case 'F':
      return "MWAS";
    case 'G':
      return "MOTH";
    case 'H':
      return "AIND";
    case 'J':
      return "APKN";
    case 'K':
      return "ABAN";
    case 'L':
      return "AOTH";
    case 'M':
      return "BCRB";
    case 'N':
      return "BAFR";
    case 'P':
      return "BOTH";
    case 'R':
      return "CHNE";
    case 'S':
      return "OOTH";
    default:
      return "NOBT";
  }
}

}  // namespace onechild::synth::feeds
