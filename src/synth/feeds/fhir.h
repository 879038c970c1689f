// FHIR R4 fragments in UK Core style, shared by the GP and community feeds.
// Internal to synth/feeds.
#pragma once

#include <string_view>

#include "synth/feeds/writer.h"

namespace onechild::synth::feeds {

inline constexpr std::string_view kSnomed = "http://snomed.info/sct";
inline constexpr std::string_view kOds = "https://fhir.nhs.uk/Id/ods-organization-code";
// Codes with no national equivalent the feeds can rely on: the trust's own.
inline constexpr std::string_view kLocalCodes = "https://onechild.example/fhir/CodeSystem/";

// "key": {"coding": [{"system", "code", "display"}]}
void concept_field(Json& j, std::string_view key, std::string_view system, std::string_view code,
                   std::string_view display);
// "key": [{"coding": [...]}] (type, category, reasonCode are lists)
void concept_list(Json& j, std::string_view key, std::string_view system, std::string_view code,
                  std::string_view display);
void reference(Json& j, std::string_view key, std::string_view type, std::string_view id);
void organisation(Json& j, std::string_view key, std::string_view ods_code);
// A local code system's URL: kLocalCodes + name.
std::string local_system(std::string_view name);

// A Patient resource for `id` (the child as this source recorded them).
void patient(Json& j, const Writer& w, const Identity& id, Sex sex, std::string_view practice,
             std::optional<Date> died);

// Opens a resource: {"resourceType": type, "id": id, ... (the caller ends it).
Json& resource(Json& j, std::string_view type, std::string_view id);

// Opens an Immunization for a dose: its status, "completed" or "not-done"
// with statusReason PATOBJ (v3-ActReason) when the family declined it.
Json& immunization(Json& j, std::string_view id, const Dose& dose);

}  // namespace onechild::synth::feeds
