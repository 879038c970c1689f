// parse_fhir_resource on arbitrary text: never crashes; an accepted Patient's
// NHS number is valid, an accepted Immunization has a date and a patient.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/nhs_number.h"
#include "ingest/fhir/fhir_resource.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onechild::ingest;
  auto row = parse_fhir_resource(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!row.ok()) return 0;
  if (const auto* person = std::get_if<PersonRow>(&*row)) {
    if (person->original_id.empty()) std::abort();
    if (person->nhs_number && !onechild::NhsNumber::parse(*person->nhs_number).ok()) std::abort();
  } else {
    const auto& event = std::get<EventRow>(*row);
    if (event.person_original_id.empty() || event.start_date.size() != 10) std::abort();
  }
  return 0;
}
