// parse_fhir_resource and parse_fhir_bundle on arbitrary text: never crash.
// An accepted Patient has an id and its NHS number fields agree with their
// status; an accepted event has a person and a date. A Bundle's entries are
// numbered 1, 2, … and each entry's raw text, read again on its own, gives
// the same verdict (that is what a quarantined entry's raw text is for).
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "core/nhs_number.h"
#include "ingest/fhir/fhir_resource.h"

namespace {

using namespace onechild;
using namespace onechild::ingest;

void check_row(const Result<FhirRow>& row) {
  if (!row.ok()) return;
  if (const auto* person = std::get_if<PersonRow>(&*row)) {
    if (person->original_id.empty()) std::abort();
    const bool valid = person->nhs_number_status == NhsNumberStatus::kValid;
    if (person->nhs_number.has_value() != valid) std::abort();
    if (person->nhs_number && !NhsNumber::parse(*person->nhs_number).ok()) std::abort();
    if (person->nhs_number_recorded.has_value() !=
        (person->nhs_number_status != NhsNumberStatus::kMissing)) {
      std::abort();
    }
  } else {
    const auto& event = std::get<EventRow>(*row);
    if (event.person_original_id.empty() || event.start_date.size() != 10) std::abort();
    // A condition may be recorded after it abated, so only other ends are checked.
    if (event.kind != "condition" && event.end_date && *event.end_date < event.start_date) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_row(parse_fhir_resource(text));

  auto entries = parse_fhir_bundle(text);
  if (!entries.ok()) return 0;
  int64_t expected_index = 0;
  for (const BundleEntry& entry : *entries) {
    if (entry.index != ++expected_index) std::abort();
    check_row(entry.row);
    // Only a resource's own text is read back: a nested Bundle or an entry
    // without a resource has different rules on its own.
    if (!entry.row.ok() && entry.row.error().field().starts_with("entry")) continue;
    if (!entry.row.ok() && entry.row.error().field() == "resourceType") continue;
    auto again = parse_fhir_resource(entry.raw);
    if (again.ok() != entry.row.ok()) std::abort();
  }
  return 0;
}
