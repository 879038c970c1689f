#include "ingest/fhir/fhir_resource.h"

#include <gtest/gtest.h>

namespace onechild::ingest {
namespace {

constexpr const char* kPatient = R"({"resourceType":"Patient","id":"gp-1",
  "identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],
  "name":[{"family":"O'Brien","given":["Zoë","Anne"]}],"gender":"female",
  "birthDate":"2022-05-04","address":[{"postalCode":"LS1 4AB"}]})";

TEST(FhirResource, ReadsPatient) {
  auto row = parse_fhir_resource(kPatient);
  ASSERT_TRUE(row.ok()) << row.error().to_string();
  const auto& p = std::get<PersonRow>(*row);
  EXPECT_EQ(p.original_id, "gp-1");
  EXPECT_EQ(p.nhs_number, "9434765919");
  EXPECT_EQ(p.given_name, "Zoë");
  EXPECT_EQ(p.family_name, "O'Brien");
  EXPECT_EQ(p.birth_date, "2022-05-04");
  EXPECT_EQ(p.sex, "female");
  EXPECT_EQ(p.postcode, "LS1 4AB");
}

TEST(FhirResource, ReadsEthnicCategoryExtension) {
  auto row = parse_fhir_resource(R"({"resourceType":"Patient","id":"p","extension":[
    {"url":"https://example.org/other","valueString":"x"},
    {"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory",
     "valueCodeableConcept":{"coding":[{"system":"https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland","code":"N"}]}}]})");
  ASSERT_TRUE(row.ok()) << row.error().to_string();
  EXPECT_EQ(std::get<PersonRow>(*row).ethnic_category, "N");

  auto unknown = parse_fhir_resource(R"({"resourceType":"Patient","id":"p","extension":[
    {"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-EthnicCategory",
     "valueCodeableConcept":{"coding":[{"code":"Q"}]}}]})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().field(), "extension.ethnicCategory");
}

TEST(FhirResource, PatientWithoutNhsNumberIsAccepted) {
  auto row = parse_fhir_resource(R"({"resourceType":"Patient","id":"x",
    "identifier":[{"system":"https://example.org/local","value":"123"}]})");
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(std::get<PersonRow>(*row).nhs_number.has_value());
}

TEST(FhirResource, ReadsImmunization) {
  auto row = parse_fhir_resource(R"({"resourceType":"Immunization","id":"i1","status":"completed",
    "vaccineCode":{"coding":[{"system":"http://snomed.info/sct","code":"871831003","display":"MMR"}]},
    "patient":{"reference":"Patient/gp-1"},"occurrenceDateTime":"2023-05-10T09:30:00Z"})");
  ASSERT_TRUE(row.ok()) << row.error().to_string();
  const auto& e = std::get<EventRow>(*row);
  EXPECT_EQ(e.kind, "immunisation");
  EXPECT_EQ(e.person_original_id, "gp-1");
  EXPECT_EQ(e.code, "871831003");
  EXPECT_EQ(e.display, "MMR");
  EXPECT_EQ(e.start_date, "2023-05-10");
  EXPECT_EQ(e.status, "completed");
}

struct BadCase {
  const char* json;
  const char* field;
};

class FhirResourceRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(FhirResourceRejects, NamesTheField) {
  auto row = parse_fhir_resource(GetParam().json);
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.error().field(), GetParam().field) << row.error().to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, FhirResourceRejects,
    ::testing::Values(
        BadCase{"not json", ""}, BadCase{"[1,2]", ""}, BadCase{"{\"id\":\"a\"}", "resourceType"},
        BadCase{R"({"resourceType":"Observation","id":"o"})", "resourceType"},
        BadCase{R"({"resourceType":"Patient"})", "id"},
        BadCase{R"({"resourceType":"Patient","id":"p","birthDate":"2023-02-30"})", "birthDate"},
        BadCase{R"({"resourceType":"Patient","id":"p","birthDate":20230101})", "birthDate"},
        BadCase{
            R"({"resourceType":"Patient","id":"p","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765918"}]})",
            "identifier.value"},
        BadCase{
            R"({"resourceType":"Immunization","id":"i","vaccineCode":{"coding":[{"code":"1"}]},"occurrenceDateTime":"2023-01-01"})",
            "patient"},
        BadCase{
            R"({"resourceType":"Immunization","id":"i","patient":{"reference":"Practitioner/1"},"vaccineCode":{"coding":[{"code":"1"}]},"occurrenceDateTime":"2023-01-01"})",
            "patient.reference"},
        BadCase{
            R"({"resourceType":"Immunization","id":"i","patient":{"reference":"Patient/1"},"vaccineCode":{"coding":[{"code":"1"}]}})",
            "occurrenceDateTime"}));

}  // namespace
}  // namespace onechild::ingest
