// Reads one FHIR R4 resource (a line of an NDJSON feed) into the row the
// store keeps, UK Core conventions. Patient becomes a PersonRow; Immunization,
// Encounter, Condition, Observation, CarePlan, ServiceRequest, EpisodeOfCare,
// Flag and Procedure become EventRows (see docs/feeds.md for the mapping).
// Other types are errors. A Bundle (a `.json` file) is read entry by entry.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"
#include "ingest/batch.h"

namespace onechild::ingest {

using FhirRow = std::variant<PersonRow, EventRow>;

// Reads NDJSON lines one after another. It keeps its Boost.JSON parser and
// the arena each line's document lives in, releasing the arena after every
// line, so a long feed does not allocate a fresh DOM per line. (Both live
// behind Impl: Boost.JSON is a private dependency of onechild_ingest.)
// Not thread-safe: one parser per reading thread. A moved-from parser may
// only be destroyed or assigned to.
class FhirResourceParser {
 public:
  FhirResourceParser();
  ~FhirResourceParser();
  FhirResourceParser(FhirResourceParser&&) noexcept;
  FhirResourceParser& operator=(FhirResourceParser&&) noexcept;
  FhirResourceParser(const FhirResourceParser&) = delete;
  FhirResourceParser& operator=(const FhirResourceParser&) = delete;

  // As parse_fhir_resource below.
  Result<FhirRow> parse(std::string_view json_text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The error names the offending FHIR element in field(), e.g. "birthDate";
// text that is not JSON (or not UTF-8, or nested more than 64 levels deep)
// is an error with an empty field. A Bundle is an error here (resourceType):
// it is a document of its own, read by parse_fhir_bundle.
Result<FhirRow> parse_fhir_resource(std::string_view json_text);

// One entry of a Bundle: its position (1-based), its resource's JSON text
// (serialised back, kept as the raw text for quarantine) and what it parsed to.
struct BundleEntry {
  int64_t index;
  std::string raw;
  Result<FhirRow> row;
};

// A FHIR Bundle (any type: collection, transaction, batch, searchset) read
// into its entries' rows; each entry.resource is parsed like an NDJSON line.
// A document that is a single resource rather than a Bundle gives one entry.
// Errors only when the text is not JSON, not an object, or `entry` is malformed
// at the Bundle level; a bad resource inside is that entry's error, not the Bundle's.
// An entry without a resource object is an error of that entry (field
// `entry.resource`; its raw text is then the entry itself).
Result<std::vector<BundleEntry>> parse_fhir_bundle(std::string_view json_text);

}  // namespace onechild::ingest
