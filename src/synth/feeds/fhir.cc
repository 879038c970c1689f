#include "synth/feeds/fhir.h"

#include "core/ethnicity.h"

namespace onechild::synth::feeds {
namespace {

void coding(Json& j, std::string_view system, std::string_view code, std::string_view display) {
  j.key("coding").array().object().field("system", system).field("code", code);
  if (!display.empty()) j.field("display", display);
  j.end().end();
}

}  // namespace

void concept_field(Json& j, std::string_view key, std::string_view system, std::string_view code,
                   std::string_view display) {
  j.key(key).object();
  coding(j, system, code, display);
  j.end();
}

void concept_list(Json& j, std::string_view key, std::string_view system, std::string_view code,
                  std::string_view display) {
  j.key(key).array().object();
  coding(j, system, code, display);
  j.end().end();
}

void reference(Json& j, std::string_view key, std::string_view type, std::string_view id) {
  std::string ref(type);
  ref += '/';
  ref += id;
  j.key(key).object().field("reference", std::string_view(ref)).end();
}

void organisation(Json& j, std::string_view key, std::string_view ods_code) {
  j.key(key).object().key("identifier").object().field("system", kOds).field("value", ods_code);
  j.end().end();
}

std::string local_system(std::string_view name) {
  std::string url(kLocalCodes);
  url += name;
  return url;
}

Json& resource(Json& j, std::string_view type, std::string_view id) {
  return j.object().field("resourceType", type).field("id", id);
}

Json& immunization(Json& j, std::string_view id, const Dose& dose) {
  resource(j, "Immunization", id).field("status", dose.declined ? "not-done" : "completed");
  if (dose.declined) {
    concept_field(j, "statusReason", "http://terminology.hl7.org/CodeSystem/v3-ActReason", "PATOBJ",
                  "patient objection");
  }
  return j;
}

void patient(Json& j, const Writer& w, const Identity& id, Sex sex, std::string_view practice,
             std::optional<Date> died) {
  const char category[2] = {w.child.ethnic_category, '\0'};
  resource(j, "Patient", id.original_id);
  j.key("extension").array().object().field("url", kEthnicCategoryExtension);
  concept_field(j, "valueCodeableConcept", kEthnicCategorySystem, category,
                find_ethnic_category(category)->name);
  j.end().end();
  if (!id.nhs_number.empty()) {
    j.key("identifier").array().object();
    j.key("extension")
        .array()
        .object()
        .field("url",
               "https://fhir.hl7.org.uk/StructureDefinition/"
               "Extension-UKCore-NHSNumberVerificationStatus");
    concept_field(j, "valueCodeableConcept",
                  "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland",
                  "01", "Number present and verified");
    j.end().end();
    j.field("system", "https://fhir.nhs.uk/Id/nhs-number")
        .field("value", id.nhs_number)
        .end()
        .end();
  }
  j.key("name").array().object().field("use", "official").field("family", id.family_name);
  j.key("given").array().value(id.given_name).end().end().end();
  j.field("gender", fhir_gender(sex)).field("birthDate", id.birth_date);
  if (died) j.field("deceasedDateTime", *died);
  const Postcode& pc = w.world.postcode(*id.address);
  const std::string line = std::to_string(id.address->house_number) + " " + pc.street;
  const std::string& town =
      w.world.reference.places[static_cast<size_t>(w.world.place_of(id.address->lsoa))].name;
  j.key("address").array().object().field("use", "home");
  j.key("line").array().value(std::string_view(line)).end();
  j.field("city", std::string_view(town)).field("postalCode", id.postcode).end().end();
  if (!practice.empty()) {
    j.key("generalPractitioner").array().object().key("identifier").object();
    j.field("system", kOds).field("value", practice).end().end().end();
  }
  j.end();
  j.line();
}

}  // namespace onechild::synth::feeds
