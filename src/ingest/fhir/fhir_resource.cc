#include "ingest/fhir/fhir_resource.h"

#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/date.h"
#include "core/ethnicity.h"
#include "core/nhs_number.h"

namespace onechild::ingest {
namespace {

namespace json = boost::json;

constexpr std::string_view kNhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number";
constexpr std::string_view kOdsSystem = "https://fhir.nhs.uk/Id/ods-organization-code";

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

// The NHS number as the source recorded it, whether or not it passes Modulus
// 11: a wrong check digit is kept and flagged (PersonRow::set_nhs_number), not
// a reason to lose the whole record. An NHS-number identifier without a value
// says nothing, so it counts as missing. Wrong JSON types are still errors.
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
    if (*value) return value;
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

// The registered GP practice's ODS code: of the generalPractitioner
// References, the first that names one, by an identifier with the ODS
// organisation code system and a value, or by a literal reference
// "Organization/<ODS>" (a version after it, "/_history/2", is dropped). Other
// References (a Practitioner, another system) are passed over. Wrong JSON
// types are errors.
Result<std::optional<std::string>> gp_practice_of(const json::object& patient) {
  const json::value* gps = patient.if_contains("generalPractitioner");
  if (gps == nullptr || gps->is_null()) return std::optional<std::string>{};
  if (!gps->is_array()) return bad("generalPractitioner", "must be an array");
  for (const auto& gp : gps->get_array()) {
    const json::object* ref = gp.if_object();
    if (ref == nullptr) return bad("generalPractitioner", "must hold objects");
    if (const json::value* id = ref->if_contains("identifier"); id != nullptr && !id->is_null()) {
      if (!id->is_object()) return bad("generalPractitioner.identifier", "must be an object");
      auto system =
          optional_string(id->get_object(), "system", "generalPractitioner.identifier.system");
      if (!system.ok()) return system.error();
      auto value =
          optional_string(id->get_object(), "value", "generalPractitioner.identifier.value");
      if (!value.ok()) return value.error();
      if (*system && **system == kOdsSystem && *value && !(*value)->empty()) return *value;
    }
    auto reference = optional_string(*ref, "reference", "generalPractitioner.reference");
    if (!reference.ok()) return reference.error();
    constexpr std::string_view kPrefix = "Organization/";
    if (*reference && (*reference)->starts_with(kPrefix)) {
      std::string code = (*reference)->substr(kPrefix.size());
      code = code.substr(0, code.find('/'));
      if (!code.empty()) return std::optional<std::string>{std::move(code)};
    }
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
  row.set_nhs_number(std::move(*nhs));
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
  auto practice = gp_practice_of(resource);
  if (!practice.ok()) return practice.error();
  row.gp_practice = *practice;
  return FhirRow{std::move(row)};
}

// The elements the event resources share. FHIR elements are either single
// (0..1) or lists (0..*); of a list, the first item is used.
enum class Card { kSingle, kList };

std::string path(std::string_view parent, std::string_view child) {
  return std::string(parent) + "." + std::string(child);
}

// The object at key (or the first object of the list at key); nullptr when
// absent, null or an empty list; an error when it has the wrong JSON type.
Result<const json::object*> element(const json::object& obj, std::string_view key, Card card,
                                    std::string_view field) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return nullptr;
  if (card == Card::kList) {
    if (!v->is_array()) return bad(field, "must be an array");
    if (v->get_array().empty()) return nullptr;
    v = &v->get_array()[0];
    if (!v->is_object()) return bad(field, "must hold objects");
  } else if (!v->is_object()) {
    return bad(field, "must be an object");
  }
  return &v->get_object();
}

struct Coding {
  std::optional<std::string> system, code, display;
  std::optional<std::string> text;  // the CodeableConcept's own text
};

// key.coding[0] of the CodeableConcept at key, e.g. "code" or "type" (a
// list); every part is optional here.
Result<Coding> coding_of(const json::object& resource, std::string_view key, Card card) {
  Coding coding;
  auto codeable = element(resource, key, card, key);
  if (!codeable.ok()) return codeable.error();
  if (*codeable == nullptr) return coding;
  auto text = optional_string(**codeable, "text", path(key, "text"));
  if (!text.ok()) return text.error();
  coding.text = std::move(*text);
  const std::string coding_field = path(key, "coding");
  auto first = element(**codeable, "coding", Card::kList, coding_field);
  if (!first.ok()) return first.error();
  if (*first == nullptr) return coding;
  for (auto [name, target] : {std::pair{"system", &coding.system}, std::pair{"code", &coding.code},
                              std::pair{"display", &coding.display}}) {
    auto value = optional_string(**first, name, path(coding_field, name));
    if (!value.ok()) return value.error();
    *target = std::move(*value);
  }
  return coding;
}

// A coding whose code the event cannot do without (the vaccine, the condition).
Result<Coding> required_coding(const json::object& resource, std::string_view key) {
  auto coding = coding_of(resource, key, Card::kSingle);
  if (!coding.ok()) return coding;
  if (!coding->code || coding->code->empty()) return bad(path(key, "coding.code"), "missing");
  return coding;
}

// What a reader is shown for a CodeableConcept: the display, else the code,
// else the concept's text.
std::optional<std::string> readable(Coding coding) {
  for (auto* text : {&coding.display, &coding.code, &coding.text}) {
    if (*text && !(*text)->empty()) return std::move(*text);
  }
  return std::nullopt;
}

void set_code(EventRow& row, Coding coding) {
  row.code_system = std::move(coding.system);
  row.code = std::move(coding.code);
  row.display = std::move(coding.display);
}

// A date or dateTime element as YYYY-MM-DD; nullopt when absent.
Result<std::optional<std::string>> date_at(const json::object& obj, std::string_view key,
                                           std::string_view field) {
  auto text = optional_string(obj, key, field);
  if (!text.ok()) return text.error();
  return checked_date(std::move(*text), field);
}

Result<std::string> required_date(const json::object& obj, std::string_view key,
                                  std::string_view field) {
  auto date = date_at(obj, key, field);
  if (!date.ok()) return date.error();
  if (!*date) return bad(field, "missing");
  return std::move(**date);
}

// key.start (required) and key.end (optional, not before the start) of the
// Period at key: "period" for most resources, "performedPeriod" for Procedure.
Status read_period(const json::object& resource, EventRow& row, std::string_view key = "period") {
  const std::string start_field = path(key, "start");
  const std::string end_field = path(key, "end");
  auto period = element(resource, key, Card::kSingle, key);
  if (!period.ok()) return period.error();
  if (*period == nullptr) return bad(start_field, "missing");
  auto start = required_date(**period, "start", start_field);
  if (!start.ok()) return start.error();
  auto end = date_at(**period, "end", end_field);
  if (!end.ok()) return end.error();
  if (*end && **end < *start) return bad(end_field, "is before " + start_field);
  row.start_date = std::move(*start);
  row.end_date = std::move(*end);
  return {};
}

// The person the resource is about, by the source's id: key.reference is
// "Patient/<id>". Immunization and EpisodeOfCare call the element "patient",
// the others "subject".
Result<std::string> subject_reference(const json::object& resource,
                                      std::string_view key = "subject") {
  auto subject = element(resource, key, Card::kSingle, key);
  if (!subject.ok()) return subject.error();
  if (*subject == nullptr) return bad(key, "no patient reference");
  const std::string field = path(key, "reference");
  auto reference = optional_string(**subject, "reference", field);
  if (!reference.ok()) return reference.error();
  constexpr std::string_view kPrefix = "Patient/";
  if (!*reference || (*reference)->size() <= kPrefix.size() ||
      (*reference)->compare(0, kPrefix.size(), kPrefix) != 0) {
    return bad(field, "must be 'Patient/<id>'");
  }
  return (*reference)->substr(kPrefix.size());
}

// What every event row starts from: its kind, id and person.
Result<EventRow> event_of(const json::object& resource, std::string kind,
                          std::string_view subject_key = "subject") {
  EventRow row;
  row.kind = std::move(kind);
  auto id = required_id(resource);
  if (!id.ok()) return id.error();
  row.original_id = std::move(*id);
  auto person = subject_reference(resource, subject_key);
  if (!person.ok()) return person.error();
  row.person_original_id = std::move(*person);
  return row;
}

Status read_status(const json::object& resource, EventRow& row) {
  auto status = optional_string(resource, "status", "status");
  if (!status.ok()) return status.error();
  row.status = std::move(*status);
  return {};
}

// A JSON number as written, without binary noise: 112.4 → "112.4", 30 → "30".
std::string number_text(const json::value& number) {
  if (number.is_int64()) return std::to_string(number.get_int64());
  if (number.is_uint64()) return std::to_string(number.get_uint64());
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), number.get_double());
  return ec == std::errc{} ? std::string(buf.data(), end) : std::string{};
}

// Observation.value[x] as text. At most one value[x] element; a type this
// adapter does not know is an error rather than a value silently dropped.
Result<std::optional<std::string>> observation_value(const json::object& obs) {
  const json::value* value = nullptr;
  std::string_view name;
  for (const auto& member : obs) {
    if (!member.key().starts_with("value")) continue;
    if (value != nullptr) return bad("value[x]", "more than one value[x] element");
    value = &member.value();
    name = member.key();
  }
  if (value == nullptr || value->is_null()) return std::optional<std::string>{};
  if (name == "valueQuantity") {
    if (!value->is_object()) return bad(name, "must be an object");
    const json::object& quantity = value->get_object();
    const json::value* number = quantity.if_contains("value");
    if (number == nullptr || !number->is_number()) {
      return bad("valueQuantity.value", "must be a number");
    }
    auto unit = optional_string(quantity, "unit", "valueQuantity.unit");
    if (!unit.ok()) return unit.error();
    auto code = optional_string(quantity, "code", "valueQuantity.code");  // UCUM, when no unit
    if (!code.ok()) return code.error();
    std::string text = number_text(*number);
    const std::optional<std::string>& shown = *unit ? *unit : *code;
    if (shown && !shown->empty()) text += " " + *shown;
    return std::optional<std::string>{std::move(text)};
  }
  if (name == "valueInteger") {
    if (!value->is_int64() && !value->is_uint64()) return bad(name, "must be an integer");
    return std::optional<std::string>{number_text(*value)};
  }
  if (name == "valueString") return optional_string(obs, name, name);
  if (name == "valueCodeableConcept") {
    auto coding = coding_of(obs, name, Card::kSingle);
    if (!coding.ok()) return coding.error();
    auto text = readable(std::move(*coding));
    if (!text) return bad("valueCodeableConcept.coding.code", "missing");
    return text;
  }
  return bad(name, "unsupported Observation value type");
}

Result<FhirRow> parse_immunization(const json::object& resource) {
  auto row = event_of(resource, "immunisation", "patient");
  if (!row.ok()) return row.error();
  auto vaccine = required_coding(resource, "vaccineCode");
  if (!vaccine.ok()) return vaccine.error();
  set_code(*row, std::move(*vaccine));
  auto date = required_date(resource, "occurrenceDateTime", "occurrenceDateTime");
  if (!date.ok()) return date.error();
  row->start_date = std::move(*date);
  if (Status s = read_status(resource, *row); !s.ok()) return s.error();
  // Why a dose was not given (v3-ActReason: IMMUNE, MEDPREC, OSTOCK, PATOBJ)
  // is kept as the value: its code, else what a reader is shown.
  auto reason = coding_of(resource, "statusReason", Card::kSingle);
  if (!reason.ok()) return reason.error();
  if (reason->code && !reason->code->empty()) {
    row->value = std::move(reason->code);
  } else {
    row->value = readable(std::move(*reason));
  }
  return FhirRow{std::move(*row)};
}

// Encounter and EpisodeOfCare read alike: an optional type as the code, a
// period (start required) and a status; they name the person differently.
Result<FhirRow> typed_period_event(const json::object& resource, std::string kind,
                                   std::string_view subject_key) {
  auto row = event_of(resource, std::move(kind), subject_key);
  if (!row.ok()) return row.error();
  auto type = coding_of(resource, "type", Card::kList);
  if (!type.ok()) return type.error();
  set_code(*row, std::move(*type));
  if (Status s = read_period(resource, *row); !s.ok()) return s.error();
  if (Status s = read_status(resource, *row); !s.ok()) return s.error();
  return FhirRow{std::move(*row)};
}

Result<FhirRow> parse_encounter(const json::object& resource) {
  return typed_period_event(resource, "encounter", "subject");
}

Result<FhirRow> parse_condition(const json::object& resource) {
  auto row = event_of(resource, "condition");
  if (!row.ok()) return row.error();
  auto code = required_coding(resource, "code");
  if (!code.ok()) return code.error();
  set_code(*row, std::move(*code));
  // The condition starts at its onset; when that is not known, when it was recorded.
  auto onset = date_at(resource, "onsetDateTime", "onsetDateTime");
  if (!onset.ok()) return onset.error();
  auto recorded = date_at(resource, "recordedDate", "recordedDate");
  if (!recorded.ok()) return recorded.error();
  if (!*onset && !*recorded) return bad("onsetDateTime", "missing, and no recordedDate either");
  row->start_date = *onset ? **onset : **recorded;
  auto abatement = date_at(resource, "abatementDateTime", "abatementDateTime");
  if (!abatement.ok()) return abatement.error();
  if (*onset && *abatement && **abatement < **onset) {
    return bad("abatementDateTime", "is before onsetDateTime");
  }
  row->end_date = std::move(*abatement);
  auto clinical = coding_of(resource, "clinicalStatus", Card::kSingle);
  if (!clinical.ok()) return clinical.error();
  row->status = std::move(clinical->code);
  return FhirRow{std::move(*row)};
}

Result<FhirRow> parse_observation(const json::object& resource) {
  auto row = event_of(resource, "observation");
  if (!row.ok()) return row.error();
  auto code = required_coding(resource, "code");
  if (!code.ok()) return code.error();
  set_code(*row, std::move(*code));
  auto date = required_date(resource, "effectiveDateTime", "effectiveDateTime");
  if (!date.ok()) return date.error();
  row->start_date = std::move(*date);
  if (Status s = read_status(resource, *row); !s.ok()) return s.error();
  auto value = observation_value(resource);
  if (!value.ok()) return value.error();
  row->value = std::move(*value);
  return FhirRow{std::move(*row)};
}

Result<FhirRow> parse_care_plan(const json::object& resource) {
  auto row = event_of(resource, "care-plan");
  if (!row.ok()) return row.error();
  auto category = coding_of(resource, "category", Card::kList);
  if (!category.ok()) return category.error();
  auto title = optional_string(resource, "title", "title");
  if (!title.ok()) return title.error();
  if (!category->display) category->display = std::move(*title);
  set_code(*row, std::move(*category));
  if (Status s = read_period(resource, *row); !s.ok()) return s.error();
  if (Status s = read_status(resource, *row); !s.ok()) return s.error();
  return FhirRow{std::move(*row)};
}

Result<FhirRow> parse_service_request(const json::object& resource) {
  auto row = event_of(resource, "service-request");
  if (!row.ok()) return row.error();
  auto code = coding_of(resource, "code", Card::kSingle);
  if (!code.ok()) return code.error();
  set_code(*row, std::move(*code));
  auto date = required_date(resource, "authoredOn", "authoredOn");
  if (!date.ok()) return date.error();
  row->start_date = std::move(*date);
  if (Status s = read_status(resource, *row); !s.ok()) return s.error();
  // Why it was asked for (e.g. "Suspected autism") is kept as the value.
  auto reason = coding_of(resource, "reasonCode", Card::kList);
  if (!reason.ok()) return reason.error();
  row->value = readable(std::move(*reason));
  return FhirRow{std::move(*row)};
}

// An episode of care (e.g. a health visiting caseload, a CAMHS episode): who,
// what kind (optional), from when to when.
Result<FhirRow> parse_episode_of_care(const json::object& resource) {
  return typed_period_event(resource, "episode-of-care", "patient");
}

// A flag (e.g. a safeguarding alert) must say what it flags and since when:
// a flag without either tells a practitioner nothing they can act on.
Result<FhirRow> parse_flag(const json::object& resource) {
  auto row = event_of(resource, "flag");
  if (!row.ok()) return row.error();
  auto code = required_coding(resource, "code");
  if (!code.ok()) return code.error();
  set_code(*row, std::move(*code));
  if (Status s = read_period(resource, *row); !s.ok()) return s.error();
  if (Status s = read_status(resource, *row); !s.ok()) return s.error();
  // The kind of flag (e.g. "Safeguarding") is kept as the value.
  auto category = coding_of(resource, "category", Card::kList);
  if (!category.ok()) return category.error();
  row->value = readable(std::move(*category));
  return FhirRow{std::move(*row)};
}

// When a procedure was done: performedDateTime, else performedPeriod (whose
// end, when given, ends the event). One of the two is required.
Status read_performed(const json::object& procedure, EventRow& row) {
  auto date = date_at(procedure, "performedDateTime", "performedDateTime");
  if (!date.ok()) return date.error();
  if (*date) {
    row.start_date = std::move(**date);
    return {};
  }
  const json::value* period = procedure.if_contains("performedPeriod");
  if (period == nullptr || period->is_null()) {
    return bad("performedDateTime", "missing, and no performedPeriod either");
  }
  return read_period(procedure, row, "performedPeriod");
}

Result<FhirRow> parse_procedure(const json::object& resource) {
  auto row = event_of(resource, "procedure");
  if (!row.ok()) return row.error();
  auto code = required_coding(resource, "code");
  if (!code.ok()) return code.error();
  set_code(*row, std::move(*code));
  if (Status s = read_performed(resource, *row); !s.ok()) return s.error();
  if (Status s = read_status(resource, *row); !s.ok()) return s.error();
  return FhirRow{std::move(*row)};
}

using Parser = Result<FhirRow> (*)(const json::object&);

constexpr std::pair<std::string_view, Parser> kParsers[] = {
    {"Patient", parse_patient},
    {"Immunization", parse_immunization},
    {"Encounter", parse_encounter},
    {"Condition", parse_condition},
    {"Observation", parse_observation},
    {"CarePlan", parse_care_plan},
    {"ServiceRequest", parse_service_request},
    {"EpisodeOfCare", parse_episode_of_care},
    {"Flag", parse_flag},
    {"Procedure", parse_procedure},
};

constexpr std::string_view kBundle = "Bundle";

Result<std::string> resource_type(const json::object& resource) {
  auto type = optional_string(resource, "resourceType", "resourceType");
  if (!type.ok()) return type.error();
  if (!*type) return bad("resourceType", "missing");
  return std::move(**type);
}

// The row for one resource of a known type. A Bundle is not a row: inside a
// Bundle it is simply an unsupported type (Bundles do not nest here).
Result<FhirRow> row_of(const json::object& resource) {
  auto type = resource_type(resource);
  if (!type.ok()) return type.error();
  for (const auto& [name, parse] : kParsers) {
    if (*type == name) return parse(resource);
  }
  return bad("resourceType", "unsupported resource type '" + *type + "'");
}

// FHIR resources nest a dozen levels at most and a Bundle adds three, so 64
// is generous; it bounds the parser's work on hostile input (Boost.JSON's
// parser is not recursive, so a deeper document is an error, not a crash).
// Invalid UTF-8 is rejected: every string goes to the store as UTF-8 text.
constexpr size_t kMaxDepth = 64;

json::parse_options reading_options() {
  json::parse_options options;
  options.max_depth = kMaxDepth;
  options.allow_invalid_utf8 = false;
  return options;
}

// The offset of the first byte that does not belong to a well-formed UTF-8
// sequence (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), or nullopt when the text is valid UTF-8.
std::optional<size_t> first_invalid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = [&](size_t at) { return static_cast<unsigned char>(text[at]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the range allowed for the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    if (byte(i + 1) < low || byte(i + 1) > high) return i;
    for (size_t k = 2; k < length; ++k) {
      if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return i;
    }
    i += length;
  }
  return std::nullopt;
}

// Says why text is not a JSON document, and where. Boost.JSON reports bad
// UTF-8 as a plain "syntax error", which would send a data manager looking
// for a missing comma, so that case is told apart.
std::string json_error_message(std::string_view text, const boost::system::error_code& ec,
                               size_t stopped_at) {
  if (ec == json::error::too_deep) {
    return "not valid JSON: nested more than " + std::to_string(kMaxDepth) + " levels deep";
  }
  if (ec == json::error::syntax) {
    if (auto bad_byte = first_invalid_utf8(text); bad_byte && *bad_byte <= stopped_at) {
      return "not valid UTF-8 at byte offset " + std::to_string(*bad_byte) +
             " (text must be UTF-8)";
    }
  }
  return "not valid JSON: " + ec.message() + " at byte offset " + std::to_string(stopped_at);
}

// Reads text as one complete JSON document, its value stored in storage.
// Leaves the parser holding nothing once the returned value is taken.
Result<json::value> read_json(json::parser& parser, json::storage_ptr storage,
                              std::string_view text) {
  parser.reset(std::move(storage));
  boost::system::error_code ec;
  const size_t stopped_at = parser.write(text.data(), text.size(), ec);
  if (ec) {
    parser.reset();  // drops the partial document
    return bad("", json_error_message(text, ec, stopped_at));
  }
  json::value value = parser.release();
  parser.reset();  // keeps nothing of storage, which the caller may now release
  return value;
}

// A row, or the error naming entry.resource, for one item of Bundle.entry.
BundleEntry bundle_entry(int64_t index, const json::value& entry) {
  const json::object* obj = entry.if_object();
  if (obj == nullptr) return {index, json::serialize(entry), bad("entry", "must be an object")};
  const json::value* resource = obj->if_contains("resource");
  if (resource == nullptr || !resource->is_object()) {
    // Nothing to keep but the entry itself (e.g. a transaction's DELETE).
    return {index, json::serialize(entry), bad("entry.resource", "entry has no resource object")};
  }
  return {index, json::serialize(*resource), row_of(resource->get_object())};
}

Result<std::vector<BundleEntry>> bundle_entries(const json::value& document) {
  const json::object* root = document.if_object();
  if (root == nullptr) return bad("", "not a JSON object");
  std::vector<BundleEntry> entries;
  auto type = optional_string(*root, "resourceType", "resourceType");
  if (!type.ok() || !*type || **type != kBundle) {
    // A single resource saved as a .json file: one entry, its errors its own.
    entries.push_back({1, json::serialize(document), row_of(*root)});
    return entries;
  }
  const json::value* list = root->if_contains("entry");
  if (list == nullptr || list->is_null()) return entries;  // an empty Bundle
  if (!list->is_array()) return bad("entry", "must be an array");
  entries.reserve(list->get_array().size());
  int64_t index = 0;
  for (const json::value& entry : list->get_array())
    entries.push_back(bundle_entry(++index, entry));
  return entries;
}

}  // namespace

// The parser and the arena its documents live in. Each parse() fills the
// arena and then releases it whole; the initial buffer is reused, so an
// ordinary line needs no allocation for its DOM at all.
struct FhirResourceParser::Impl {
  static constexpr size_t kArenaBytes = 16 * 1024;  // a typical line's DOM, with room

  std::array<unsigned char, kArenaBytes> arena_buffer{};
  json::monotonic_resource arena{arena_buffer.data(), arena_buffer.size()};
  json::parser parser{json::storage_ptr(), reading_options()};
};

FhirResourceParser::FhirResourceParser() : impl_(std::make_unique<Impl>()) {}
FhirResourceParser::~FhirResourceParser() = default;
FhirResourceParser::FhirResourceParser(FhirResourceParser&&) noexcept = default;
FhirResourceParser& FhirResourceParser::operator=(FhirResourceParser&&) noexcept = default;

Result<FhirRow> FhirResourceParser::parse(std::string_view json_text) {
  Result<FhirRow> row = [&]() -> Result<FhirRow> {
    auto value = read_json(impl_->parser, &impl_->arena, json_text);
    if (!value.ok()) return value.error();
    const json::object* resource = value->if_object();
    if (resource == nullptr) return bad("", "not a JSON object");
    auto type = resource_type(*resource);
    if (!type.ok()) return type.error();
    if (*type == kBundle) {
      return bad("resourceType", "a Bundle must be loaded as a .json file, not an NDJSON line");
    }
    return row_of(*resource);
  }();  // the document is gone here; the row owns copies of what it needs
  impl_->arena.release();
  return row;
}

Result<FhirRow> parse_fhir_resource(std::string_view json_text) {
  return FhirResourceParser().parse(json_text);
}

Result<std::vector<BundleEntry>> parse_fhir_bundle(std::string_view json_text) {
  // A Bundle is read once, so a plain arena freed at the end is all it needs.
  json::monotonic_resource arena;
  json::parser parser(json::storage_ptr(), reading_options());
  auto document = read_json(parser, &arena, json_text);
  if (!document.ok()) return document.error();
  return bundle_entries(*document);
}

}  // namespace onechild::ingest
