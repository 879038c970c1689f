// Ethnic category, as the NHS Data Dictionary codes it (England, one
// letter A-S, Z = not stated), with the share of each in England's
// population at the 2021 Census (ONS, rounded), used by synth to draw a
// realistic population and by pages to show the name.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace onechild {

struct EthnicCategory {
  char code;
  std::string_view name;
  double census_2021_share;  // fraction of the population of England and Wales
};

std::span<const EthnicCategory> ethnic_categories();

std::optional<EthnicCategory> find_ethnic_category(std::string_view code);

inline constexpr std::string_view kEthnicCategoryExtension =
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory";
inline constexpr std::string_view kEthnicCategorySystem =
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland";

}  // namespace onechild
