// Reads one FHIR R4 resource (a line of an NDJSON feed) into the row the
// store keeps. Supports Patient and Immunization, UK Core conventions.
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
