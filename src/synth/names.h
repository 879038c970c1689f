// Names as English records hold them: first names by sex and birth year
// (ONS baby-name frequencies), surnames by frequency, both by the family's
// naming tradition; the informal forms and slips that make linkage hard.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "synth/model.h"
#include "synth/random.h"

namespace onechild::synth {

// The naming tradition of a family of this ethnic category (Data
// Dictionary code); mixed categories draw from either parent's tradition.
NameOrigin name_origin(Random& rng, char ethnic_category);

std::string draw_given_name(Random& rng, NameOrigin origin, Sex sex, int birth_year);
std::string draw_family_name(Random& rng, NameOrigin origin);

// The surname as written for a person of this sex: Polish surnames inflect
// (Kowalski, Kowalska), so siblings' records legitimately differ.
std::string family_name_for(std::string_view family_name, Sex sex);

// An informal form a professional might record ("Oliver" -> "Ollie"), or
// nullopt when the name has none.
std::optional<std::string> informal_name(Random& rng, std::string_view given_name);

// One keying slip: a letter substituted, dropped, doubled or two swapped.
std::string with_typo(Random& rng, std::string_view name);

// Upper case without diacritics ("Zoë" -> "ZOE"), as older hospital
// patient administration systems store names.
std::string ascii_upper(std::string_view name);

}  // namespace onechild::synth
