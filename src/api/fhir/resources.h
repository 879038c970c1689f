// The integrated child record as FHIR R4 resources (docs/fhir.md).
//
// Pure functions: a ChildRecord (or one of its events, or a CP-IS protection
// flag) in, a boost::json::object out. No store access, so every mapping can
// be tested alone, and the API, $everything and bulk export all write the
// same resources.
//
// Every event kind maps to one resource type through one table
// (kind_mappings()); a kind the table does not know becomes an Observation
// (nothing is dropped). Output is kept valid against the FHIR R4 schema: ids
// match [A-Za-z0-9-.]{1,64}, dates are FHIR dates, no string is empty, and
// each type's required elements are present.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "record/child_record.h"
#include "record/protection.h"

namespace onechild::api::fhir {

namespace json = boost::json;

inline constexpr std::string_view kNhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number";
// Our own code systems, identifiers and extensions live under this base.
inline constexpr std::string_view kOnechildBase = "https://onechild.example/fhir";
// category = an event's kind: every event resource carries it (as a category
// where the type has one, else as a meta.tag), so `category=ed-attendance`
// finds the attendances among the Encounters.
inline constexpr std::string_view kEventKindSystem =
    "https://onechild.example/fhir/CodeSystem/event-kind";

// Where an event's own code goes in its resource.
enum class CodeRole {
  kPrimary,     // the type's main code (vaccineCode, code, type, category)
  kReason,      // Encounter.reasonCode (an attendance's diagnosis or complaint)
  kProvider,    // an organisation's identifier (a birth's site, a pupil's school)
  kSourceCode,  // kept in an extension (e.g. a referral's source)
};

// One row of the mapping table.
struct KindMapping {
  std::string_view kind{};           // RecordEvent::kind
  std::string_view resource_type{};  // "Encounter"
  std::string_view label{};          // what the event is, in words, when it has no display
  CodeRole code_role = CodeRole::kPrimary;
  std::string_view encounter_class{};  // v3 ActCode for Encounters: AMB, EMER, IMP, HH
  std::string_view category{};         // the type's standard category code, '' for none
  std::string_view provider_system{};  // kProvider: the identifier system of the code
};

// The table, in the order docs/fhir.md lists it.
std::span<const KindMapping> kind_mappings();
// The row for a kind; an unknown kind gets the fallback row (Observation).
const KindMapping& mapping_for(std::string_view kind);

// Every resource type the API serves, Patient first.
std::span<const std::string_view> resource_types();
bool is_resource_type(std::string_view type);

// How the record's child is named in resources: its id, or (pseudonymised)
// a keyed hash of the id, in which case nothing that identifies the child
// is written (no name, NHS number, address or exact birth date).
struct Subject {
  std::string id;
  bool pseudonymised = false;
  std::string reference() const { return "Patient/" + id; }
};

json::object patient_resource(const ChildRecord& record, const Subject& subject);
// A child merged into another: inactive, with a replaced-by link.
json::object merged_patient_resource(int64_t merged_id, int64_t into);
// today: "YYYY-MM-DD", to say whether an episode with an end date is over.
json::object event_resource(const RecordEvent& event, const Subject& subject,
                            const std::string& today);
// CP-IS: a protection flag as a Flag and as a CareTeam (category = plan
// type, period, managing organisation, telecom). Ids "cpis-<event id>".
json::object protection_flag_resource(const ProtectionFlag& flag, const Subject& subject);
json::object protection_care_team_resource(const ProtectionFlag& flag, const Subject& subject);

// What search matches an event on.
std::string resource_id(const RecordEvent& event);  // "123"
std::string fhir_status(const RecordEvent& event, const std::string& today);
std::vector<std::pair<std::string, std::string>> event_categories(const RecordEvent& event);

// FHIR dates: "2024-03-01" (or "2024-03", "2024") when text starts with a
// valid one, else nullopt. month_only cuts to "2024-03".
std::optional<std::string> fhir_date(std::string_view text, bool month_only = false);

// The resource's version: a hash of its content (16 hex digits), so it
// changes exactly when the resource does. set_version() writes it to
// meta.versionId and returns it.
std::string content_version(const json::object& resource);
std::string set_version(json::object& resource);

// An OperationOutcome with one issue. severity: fatal|error|warning|information;
// code: an IssueType (invalid, not-found, forbidden, login, not-supported, ...).
json::object operation_outcome(std::string_view severity, std::string_view code,
                               std::string_view diagnostics);

}  // namespace onechild::api::fhir
