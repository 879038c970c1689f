// Reads one FHIR R4 resource (a line of an NDJSON feed) into the row the
// store keeps, UK Core conventions. Patient becomes a PersonRow; Immunization,
// Encounter, Condition, Observation, CarePlan and ServiceRequest become
// EventRows (see docs/feeds.md for the mapping). Other types are errors.
#pragma once

#include <string_view>
#include <variant>

#include "core/error.h"
#include "ingest/batch.h"

namespace onechild::ingest {

using FhirRow = std::variant<PersonRow, EventRow>;

// The error names the offending FHIR element in field(), e.g. "birthDate".
Result<FhirRow> parse_fhir_resource(std::string_view json_text);

}  // namespace onechild::ingest
