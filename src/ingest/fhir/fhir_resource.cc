#include "ingest/fhir/fhir_resource.h"

#include <boost/json.hpp>

#include "core/date.h"
#include "core/ethnicity.h"
#include "core/nhs_number.h"

namespace onechild::ingest {
namespace {

namespace json = boost::json;

constexpr std::string_view kNhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number";

Error bad(std::string_view field, std::string message) {
  return Error::invalid_argument(std::move(message)).in_field(std::string(field));
}

// The string at key, nullopt when absent; an error when present but not a string.
Result<std::optional<std::string>> optional_string(const json::object& obj, std::string_view key,
                                                   std::string_view field) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return bad(field, "must be a string");
  return std::optional<std::string>{std::string(v->get_string())};
}

const json::object* first_object(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_array() || v->get_array().empty()) return nullptr;
  return v->get_array()[0].if_object();
}

Result<std::string> required_id(const json::object& resource) {
  auto id = optional_string(resource, "id", "id");
  if (!id.ok()) return id.error();
  if (!*id || (*id)->empty()) return bad("id", "resource has no id");
  return **id;
}

Result<std::optional<std::string>> nhs_number_of(const json::object& patient) {
  const json::value* ids = patient.if_contains("identifier");
  if (ids == nullptr) return std::optional<std::string>{};
  if (!ids->is_array()) return bad("identifier", "must be an array");
  for (const auto& id : ids->get_array()) {
    const json::object* obj = id.if_object();
    if (obj == nullptr) return bad("identifier", "must hold objects");
    auto system = optional_string(*obj, "system", "identifier.system");
    if (!system.ok()) return system.error();
    if (!*system || **system != kNhsNumberSystem) continue;
    auto value = optional_string(*obj, "value", "identifier.value");
    if (!value.ok()) return value.error();
    if (!*value) return bad("identifier.value", "NHS number identifier has no value");
    auto nhs = NhsNumber::parse(**value);
    if (!nhs.ok()) return bad("identifier.value", nhs.error().message());
    return std::optional<std::string>{nhs->digits()};
  }
  return std::optional<std::string>{};
}

Result<std::optional<std::string>> checked_date(std::optional<std::string> text,
                                                std::string_view field) {
  if (!text) return text;
  auto date = parse_iso_date(*text);
  if (!date.ok()) return bad(field, date.error().message());
  return std::optional<std::string>{format_iso_date(*date)};
}

// UK Core ethnic category extension: valueCodeableConcept.coding[0].code.
// An unknown code is an error, not silently dropped: breakdowns depend on it.
Result<std::optional<std::string>> ethnic_category_of(const json::object& patient) {
  const json::value* extensions = patient.if_contains("extension");
  if (extensions == nullptr) return std::optional<std::string>{};
  if (!extensions->is_array()) return bad("extension", "must be an array");
  for (const auto& ext : extensions->get_array()) {
    const json::object* obj = ext.if_object();
    if (obj == nullptr) return bad("extension", "must hold objects");
    auto url = optional_string(*obj, "url", "extension.url");
    if (!url.ok()) return url.error();
    if (!*url || **url != kEthnicCategoryExtension) continue;
    const json::value* concept_value = obj->if_contains("valueCodeableConcept");
    const json::object* coding = concept_value != nullptr && concept_value->is_object()
                                     ? first_object(concept_value->get_object(), "coding")
                                     : nullptr;
    if (coding == nullptr) return bad("extension.ethnicCategory", "has no coding");
    auto code = optional_string(*coding, "code", "extension.ethnicCategory");
    if (!code.ok()) return code.error();
    if (!*code || !find_ethnic_category(**code)) {
      return bad("extension.ethnicCategory", "unknown ethnic category code");
    }
    return *code;
  }
  return std::optional<std::string>{};
}

Result<FhirRow> parse_patient(const json::object& resource) {
  PersonRow row;
  auto id = required_id(resource);
  if (!id.ok()) return id.error();
  row.original_id = *id;
  auto nhs = nhs_number_of(resource);
  if (!nhs.ok()) return nhs.error();
  row.nhs_number = *nhs;
  if (const json::object* name = first_object(resource, "name")) {
    auto family = optional_string(*name, "family", "name.family");
    if (!family.ok()) return family.error();
    row.family_name = *family;
    if (const json::value* given = name->if_contains("given");
        given != nullptr && given->is_array() && !given->get_array().empty()) {
      const json::value& first = given->get_array()[0];
      if (!first.is_string()) return bad("name.given", "must hold strings");
      row.given_name = std::string(first.get_string());
    }
  }
  auto birth = optional_string(resource, "birthDate", "birthDate");
  if (!birth.ok()) return birth.error();
  auto birth_date = checked_date(*birth, "birthDate");
  if (!birth_date.ok()) return birth_date.error();
  row.birth_date = *birth_date;
  auto gender = optional_string(resource, "gender", "gender");
  if (!gender.ok()) return gender.error();
  row.sex = *gender;
  if (const json::object* address = first_object(resource, "address")) {
    auto postcode = optional_string(*address, "postalCode", "address.postalCode");
    if (!postcode.ok()) return postcode.error();
    row.postcode = *postcode;
  }
  auto ethnicity = ethnic_category_of(resource);
  if (!ethnicity.ok()) return ethnicity.error();
  row.ethnic_category = *ethnicity;
  return FhirRow{std::move(row)};
}

Result<FhirRow> parse_immunization(const json::object& resource) {
  EventRow row;
  row.kind = "immunisation";
  auto id = required_id(resource);
  if (!id.ok()) return id.error();
  row.original_id = *id;

  const json::value* patient = resource.if_contains("patient");
  if (patient == nullptr || !patient->is_object()) return bad("patient", "no patient reference");
  auto reference = optional_string(patient->get_object(), "reference", "patient.reference");
  if (!reference.ok()) return reference.error();
  constexpr std::string_view kPrefix = "Patient/";
  if (!*reference || (*reference)->size() <= kPrefix.size() ||
      (*reference)->compare(0, kPrefix.size(), kPrefix) != 0) {
    return bad("patient.reference", "must be 'Patient/<id>'");
  }
  row.person_original_id = (*reference)->substr(kPrefix.size());

  const json::value* vaccine = resource.if_contains("vaccineCode");
  if (vaccine == nullptr || !vaccine->is_object()) return bad("vaccineCode", "missing");
  const json::object* coding = first_object(vaccine->get_object(), "coding");
  if (coding == nullptr) return bad("vaccineCode.coding", "missing");
  for (auto [key, target] : {std::pair{"system", &row.code_system}, std::pair{"code", &row.code},
                             std::pair{"display", &row.display}}) {
    auto value = optional_string(*coding, key, std::string("vaccineCode.coding.") + key);
    if (!value.ok()) return value.error();
    *target = *value;
  }
  if (!row.code) return bad("vaccineCode.coding.code", "missing");

  auto when = optional_string(resource, "occurrenceDateTime", "occurrenceDateTime");
  if (!when.ok()) return when.error();
  if (!*when) return bad("occurrenceDateTime", "missing");
  auto date = checked_date(*when, "occurrenceDateTime");
  if (!date.ok()) return date.error();
  row.start_date = **date;
  auto status = optional_string(resource, "status", "status");
  if (!status.ok()) return status.error();
  row.status = *status;
  return FhirRow{std::move(row)};
}

}  // namespace

Result<FhirRow> parse_fhir_resource(std::string_view json_text) {
  boost::system::error_code ec;
  json::value value = json::parse(json_text, ec);
  if (ec) return bad("", "not valid JSON: " + ec.message());
  const json::object* resource = value.if_object();
  if (resource == nullptr) return bad("", "not a JSON object");
  auto type = optional_string(*resource, "resourceType", "resourceType");
  if (!type.ok()) return type.error();
  if (!*type) return bad("resourceType", "missing");
  if (**type == "Patient") return parse_patient(*resource);
  if (**type == "Immunization") return parse_immunization(*resource);
  return bad("resourceType", "unsupported resource type '" + **type + "'");
}

}  // namespace onechild::ingest
