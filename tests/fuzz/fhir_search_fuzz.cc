// FHIR search parameters on arbitrary query strings: parse_query, then
// parse_search for every resource type the API serves, and date filters.
// Never a crash; a search it accepts has a page size within the limits and
// date filters whose ranges are ordered; a parsed query written back with
// format_query parses to the same parameters.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/fhir/search.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

constexpr std::string_view kTypes[] = {
    "Patient",     "Encounter",    "EpisodeOfCare",         "Condition",
    "Observation", "Immunization", "ServiceRequest",        "CarePlan",
    "CareTeam",    "Flag",         "QuestionnaireResponse", "Procedure",
    "$everything"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onechild::api::fhir;
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  auto date = parse_date_filter(query);
  if (date.ok()) {
    check(date->lo <= date->hi);
    (void)date_matches(*date, "2020-01-01", "2020-12-31");
  }
  auto params = parse_query(query);
  if (!params.ok()) return 0;
  auto again = parse_query(format_query(*params));
  check(again.ok() && *again == *params);
  for (std::string_view type : kTypes) {
    auto search = parse_search(type, *params);
    if (!search.ok()) continue;
    check(search->count >= 0 && search->count <= kMaxCount);
    check(search->offset >= 0);
    for (const auto& any : search->dates) {
      for (const auto& d : any)
        check(d.lo <= d.hi);
    }
  }
  return 0;
}
