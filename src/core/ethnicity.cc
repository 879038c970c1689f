#include "core/ethnicity.h"

#include <array>

namespace onechild {
namespace {

// ONS Census 2021, England and Wales, ethnic group (TS021). The Data
// Dictionary's 2001-based categories fold Gypsy/Traveller, Roma and Arab
// into the "any other" groups, as NHS systems record them.
constexpr std::array<EthnicCategory, 16> kCategories = {{
    {'A', "White - British", 0.744},
    {'B', "White - Irish", 0.009},
    {'C', "White - Any other White background", 0.065},
    {'D', "Mixed - White and Black Caribbean", 0.009},
    {'E', "Mixed - White and Black African", 0.004},
    {'F', "Mixed - White and Asian", 0.008},
    {'G', "Mixed - Any other mixed background", 0.007},
    {'H', "Asian or Asian British - Indian", 0.031},
    {'J', "Asian or Asian British - Pakistani", 0.027},
    {'K', "Asian or Asian British - Bangladeshi", 0.011},
    {'L', "Asian or Asian British - Any other Asian background", 0.016},
    {'M', "Black or Black British - Caribbean", 0.010},
    {'N', "Black or Black British - African", 0.025},
    {'P', "Black or Black British - Any other Black background", 0.005},
    {'R', "Other Ethnic Groups - Chinese", 0.007},
    {'S', "Other Ethnic Groups - Any other ethnic group", 0.022},
}};

}  // namespace

std::span<const EthnicCategory> ethnic_categories() {
  return kCategories;
}

std::optional<EthnicCategory> find_ethnic_category(std::string_view code) {
  if (code.size() != 1) return std::nullopt;
  for (const auto& c : kCategories) {
    if (c.code == code[0]) return c;
  }
  if (code == "Z") return EthnicCategory{'Z', "Not stated", 0.0};
  return std::nullopt;
}

}  // namespace onechild
