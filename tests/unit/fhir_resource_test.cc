#include "ingest/fhir/fhir_resource.h"

#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

// The expected rows below name only the fields that are present; members
// left out are value-initialized (nullopt), which is what the tests mean. GCC
// 12 warns about that for designated initializers.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

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
  EXPECT_EQ(p.nhs_number_recorded, "9434765919");
  EXPECT_EQ(p.nhs_number_status, NhsNumberStatus::kValid);
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

// The GP practice of the Patient with these generalPractitioner References.
std::optional<std::string> practice_of(std::string_view references) {
  const std::string json = R"({"resourceType":"Patient","id":"p","generalPractitioner":)" +
                           std::string(references) + "}";
  auto row = parse_fhir_resource(json);
  if (!row.ok() || !std::holds_alternative<PersonRow>(*row)) {
    ADD_FAILURE() << json << ": " << (row.ok() ? "not a PersonRow" : row.error().to_string());
    return {};
  }
  return std::get<PersonRow>(*row).gp_practice;
}

TEST(FhirResource, ReadsGpPracticeAsAnOdsIdentifier) {
  // As onechild synth writes it.
  EXPECT_EQ(practice_of(R"([{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code",
                                           "value":"A81001"}}])"),
            "A81001");
  // The first Reference naming a practice wins; a Practitioner, an identifier
  // of another system or without a value is passed over.
  EXPECT_EQ(practice_of(R"([{"reference":"Practitioner/G8133438"},
    {"identifier":{"system":"https://example.org/local","value":"L1"}},
    {"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code"}},
    {"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"B82005"}},
    {"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"C99999"}}])"),
            "B82005");
}

TEST(FhirResource, ReadsGpPracticeAsAnOrganizationReference) {
  EXPECT_EQ(practice_of(R"([{"reference":"Organization/A81001","display":"The Surgery"}])"),
            "A81001");
  EXPECT_EQ(practice_of(R"([{"reference":"Organization/A81001/_history/3"}])"), "A81001");
  EXPECT_EQ(practice_of(R"([{"reference":"Practitioner/G1"},{"reference":"Organization/Y0"}])"),
            "Y0");
  // An identifier with the ODS system is preferred to the same Reference's literal one.
  EXPECT_EQ(practice_of(R"([{"reference":"Organization/local-7",
    "identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"A81001"}}])"),
            "A81001");
}

TEST(FhirResource, GpPracticeAbsentIsNull) {
  auto row = parse_fhir_resource(kPatient);
  ASSERT_TRUE(row.ok()) << row.error().to_string();
  EXPECT_FALSE(std::get<PersonRow>(*row).gp_practice.has_value());
  EXPECT_EQ(practice_of("[]"), std::nullopt);
  EXPECT_EQ(practice_of("null"), std::nullopt);
  EXPECT_EQ(practice_of(R"([{"reference":"Practitioner/G1"},{"display":"Dr Who"},
    {"reference":"Organization/"}])"),
            std::nullopt);
}

TEST(FhirResource, PatientWithoutNhsNumberIsAccepted) {
  auto row = parse_fhir_resource(R"({"resourceType":"Patient","id":"x",
    "identifier":[{"system":"https://example.org/local","value":"123"}]})");
  ASSERT_TRUE(row.ok());
  const auto& p = std::get<PersonRow>(*row);
  EXPECT_FALSE(p.nhs_number.has_value());
  EXPECT_FALSE(p.nhs_number_recorded.has_value());
  EXPECT_EQ(p.nhs_number_status, NhsNumberStatus::kMissing);
}

// The NHS number fields of the Patient with these identifiers.
PersonRow patient_with(std::string_view identifiers) {
  const std::string json =
      R"({"resourceType":"Patient","id":"p","identifier":)" + std::string(identifiers) + "}";
  auto row = parse_fhir_resource(json);
  if (!row.ok() || !std::holds_alternative<PersonRow>(*row)) {
    ADD_FAILURE() << json << ": " << (row.ok() ? "not a PersonRow" : row.error().to_string());
    return {};
  }
  return std::get<PersonRow>(*row);
}

TEST(FhirResource, KeepsAValidNhsNumber) {
  const PersonRow p =
      patient_with(R"([{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"943 476 5919"}])");
  EXPECT_EQ(p.nhs_number, "9434765919");
  EXPECT_EQ(p.nhs_number_recorded, "943 476 5919");
  EXPECT_EQ(p.nhs_number_status, NhsNumberStatus::kValid);
}

// A wrong check digit is kept as recorded and flagged, not quarantined.
TEST(FhirResource, KeepsAnInvalidNhsNumberAsRecorded) {
  for (const char* recorded : {"9434765918", "94347659", "ABC1234567"}) {
    SCOPED_TRACE(recorded);
    const PersonRow p =
        patient_with(std::string(R"([{"system":"https://fhir.nhs.uk/Id/nhs-number","value":")") +
                     recorded + R"("}])");
    EXPECT_EQ(p.original_id, "p");
    EXPECT_FALSE(p.nhs_number.has_value());
    EXPECT_EQ(p.nhs_number_recorded, recorded);
    EXPECT_EQ(p.nhs_number_status, NhsNumberStatus::kInvalid);
  }
}

TEST(FhirResource, NhsNumberIdentifierWithoutValueIsMissing) {
  for (const char* identifiers :
       {R"([{"system":"https://fhir.nhs.uk/Id/nhs-number"}])",
        R"([{"system":"https://fhir.nhs.uk/Id/nhs-number","value":null}])", R"([])"}) {
    SCOPED_TRACE(identifiers);
    const PersonRow p = patient_with(identifiers);
    EXPECT_EQ(p.original_id, "p");
    EXPECT_FALSE(p.nhs_number.has_value());
    EXPECT_FALSE(p.nhs_number_recorded.has_value());
    EXPECT_EQ(p.nhs_number_status, NhsNumberStatus::kMissing);
  }
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
  EXPECT_FALSE(e.value.has_value());  // no statusReason: no value
}

// Lines of the synthetic feeds (one of each shape), as they arrive.
constexpr std::string_view kEncounter =
    R"json({"resourceType":"Encounter","id":"gp54064057-e1","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"type":[{"coding":[{"system":"http://snomed.info/sct","code":"11429006","display":"Consultation"}]}],"subject":{"reference":"Patient/gp54064057"},"period":{"start":"2021-12-15","end":"2021-12-15"},"serviceProvider":{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"E90001"}}})json";
constexpr std::string_view kCondition =
    R"json({"resourceType":"Condition","id":"gp38270123-c17","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active","display":"Active"}]},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed","display":"Confirmed"}]},"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-category","code":"problem-list-item","display":"Problem List Item"}]}],"code":{"coding":[{"system":"http://snomed.info/sct","code":"35919005","display":"Autism spectrum disorder"}]},"subject":{"reference":"Patient/gp38270123"},"onsetDateTime":"2023-10-22","recordedDate":"2023-10-22"})json";
constexpr std::string_view kObservationQuantity =
    R"json({"resourceType":"Observation","id":"gp46167090-o3","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs","display":"Vital Signs"}]}],"code":{"coding":[{"system":"http://snomed.info/sct","code":"27113001","display":"Body weight"}]},"subject":{"reference":"Patient/gp46167090"},"encounter":{"reference":"Encounter/gp46167090-e2"},"effectiveDateTime":"2025-01-24","valueQuantity":{"value":5.81,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}})json";
constexpr std::string_view kObservationConcept =
    R"json({"resourceType":"Observation","id":"CH90553280-o3","status":"final","code":{"coding":[{"system":"https://onechild.example/fhir/CodeSystem/observation","code":"infant-feeding","display":"Infant feeding status"}]},"subject":{"reference":"Patient/CH90553280"},"encounter":{"reference":"Encounter/CH90553280-e2"},"effectiveDateTime":"2021-10-31","valueCodeableConcept":{"coding":[{"system":"https://onechild.example/fhir/CodeSystem/infant-feeding","code":"not-breastfed","display":"Not at all breastfed"}]}})json";
constexpr std::string_view kObservationInteger =
    R"json({"resourceType":"Observation","id":"CH50205978-o2","status":"final","code":{"coding":[{"system":"https://onechild.example/fhir/CodeSystem/observation","code":"asq3-communication","display":"ASQ-3 communication score"}]},"subject":{"reference":"Patient/CH50205978"},"encounter":{"reference":"Encounter/CH50205978-e1"},"effectiveDateTime":"2017-07-10","valueInteger":30})json";
constexpr std::string_view kCarePlan =
    R"json({"resourceType":"CarePlan","id":"gp06682255-p46","status":"completed","intent":"plan","category":[{"coding":[{"system":"https://onechild.example/fhir/CodeSystem/care-plan","code":"asthma","display":"Asthma action plan"}]}],"title":"Asthma action plan","subject":{"reference":"Patient/gp06682255"},"period":{"start":"2022-07-21"},"created":"2022-07-21"})json";
constexpr std::string_view kServiceRequest =
    R"json({"resourceType":"ServiceRequest","id":"CH50205978-r15","status":"completed","intent":"order","code":{"coding":[{"system":"https://onechild.example/fhir/CodeSystem/referral","code":"community-paediatrics","display":"Referral to community paediatrics"}]},"reasonCode":[{"coding":[{"system":"https://onechild.example/fhir/CodeSystem/referral-reason","code":"suspected-autism","display":"Suspected autism"}]}],"subject":{"reference":"Patient/CH50205978"},"authoredOn":"2021-11-10"})json";
constexpr std::string_view kImmunizationNotDone =
    R"json({"resourceType":"Immunization","id":"gp22476189-i21","status":"not-done","statusReason":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"PATOBJ","display":"patient objection"}]},"vaccineCode":{"coding":[{"system":"http://snomed.info/sct","code":"414619005","display":"DTaP/IPV/Hib (5-in-1) vaccine"}]},"patient":{"reference":"Patient/gp22476189"},"occurrenceDateTime":"2002-02-25","primarySource":true})json";

// Parses json and checks every field of the EventRow against want, so a
// field that should be absent must be absent.
void expect_event(std::string_view json, const EventRow& want) {
  SCOPED_TRACE(json);
  auto row = parse_fhir_resource(json);
  ASSERT_TRUE(row.ok()) << row.error().to_string();
  ASSERT_TRUE(std::holds_alternative<EventRow>(*row));
  const auto& got = std::get<EventRow>(*row);
  EXPECT_EQ(got.original_id, want.original_id);
  EXPECT_EQ(got.person_original_id, want.person_original_id);
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.code_system, want.code_system);
  EXPECT_EQ(got.code, want.code);
  EXPECT_EQ(got.display, want.display);
  EXPECT_EQ(got.start_date, want.start_date);
  EXPECT_EQ(got.end_date, want.end_date);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.value, want.value);
}

TEST(FhirResource, ReadsNotDoneImmunization) {
  expect_event(kImmunizationNotDone, {.original_id = "gp22476189-i21",
                                      .person_original_id = "gp22476189",
                                      .kind = "immunisation",
                                      .code_system = "http://snomed.info/sct",
                                      .code = "414619005",
                                      .display = "DTaP/IPV/Hib (5-in-1) vaccine",
                                      .start_date = "2002-02-25",
                                      .status = "not-done",
                                      .value = "PATOBJ"});
}

// statusReason says why a dose was not given: its code is the value, else
// (a coding without one, or only text) what a reader is shown.
TEST(FhirResource, KeepsAnImmunizationsStatusReasonAsValue) {
  constexpr std::string_view kStart =
      R"({"resourceType":"Immunization","id":"i","status":"not-done","patient":{"reference":"Patient/p"},"vaccineCode":{"coding":[{"code":"871831003"}]},"occurrenceDateTime":"2024-03-01")";
  const auto with = [&](std::string_view reason) {
    return std::string(kStart).append(reason).append("}");
  };
  const EventRow base{.original_id = "i",
                      .person_original_id = "p",
                      .kind = "immunisation",
                      .code = "871831003",
                      .start_date = "2024-03-01",
                      .status = "not-done"};
  constexpr std::string_view kActReason =
      R"(,"statusReason":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":")";
  for (const char* code : {"IMMUNE", "MEDPREC", "OSTOCK", "PATOBJ"}) {
    EventRow want = base;
    want.value = code;
    expect_event(with(std::string(kActReason).append(code).append(R"("}]})")), want);
  }
  EventRow text = base;
  text.value = "Family declined";
  expect_event(with(R"(,"statusReason":{"text":"Family declined"})"), text);
  expect_event(with(R"(,"statusReason":{"coding":[{"display":"Family declined"}]})"), text);
  // Absent, null or empty: no value.
  expect_event(with(""), base);
  expect_event(with(R"(,"statusReason":null)"), base);
  expect_event(with(R"(,"statusReason":{})"), base);
}

TEST(FhirResource, MalformedStatusReasonIsQuarantinedSayingWhere) {
  constexpr std::string_view kStart =
      R"({"resourceType":"Immunization","id":"i","status":"not-done","patient":{"reference":"Patient/p"},"vaccineCode":{"coding":[{"code":"871831003"}]},"occurrenceDateTime":"2024-03-01","statusReason":)";
  const auto error = [&](std::string_view reason) {
    auto row = parse_fhir_resource(std::string(kStart).append(reason).append("}"));
    EXPECT_FALSE(row.ok()) << reason;
    return row.ok() ? std::string() : row.error().to_string();
  };
  EXPECT_EQ(error(R"("PATOBJ")"), "statusReason: must be an object");
  EXPECT_EQ(error(R"([{"coding":[{"code":"PATOBJ"}]}])"), "statusReason: must be an object");
  EXPECT_EQ(error(R"({"coding":{"code":"PATOBJ"}})"), "statusReason.coding: must be an array");
  EXPECT_EQ(error(R"({"coding":["PATOBJ"]})"), "statusReason.coding: must hold objects");
  EXPECT_EQ(error(R"({"coding":[{"code":42}]})"), "statusReason.coding.code: must be a string");
  EXPECT_EQ(error(R"({"text":true})"), "statusReason.text: must be a string");
}

TEST(FhirResource, ReadsEncounter) {
  expect_event(kEncounter, {.original_id = "gp54064057-e1",
                            .person_original_id = "gp54064057",
                            .kind = "encounter",
                            .code_system = "http://snomed.info/sct",
                            .code = "11429006",
                            .display = "Consultation",
                            .start_date = "2021-12-15",
                            .end_date = "2021-12-15",
                            .status = "finished"});
  // type is optional; a dateTime's date part is kept.
  expect_event(R"({"resourceType":"Encounter","id":"e2","status":"in-progress",
    "subject":{"reference":"Patient/p9"},"period":{"start":"2024-02-29T09:30:00+00:00"}})",
               {.original_id = "e2",
                .person_original_id = "p9",
                .kind = "encounter",
                .start_date = "2024-02-29",
                .status = "in-progress"});
}

TEST(FhirResource, ReadsCondition) {
  expect_event(kCondition, {.original_id = "gp38270123-c17",
                            .person_original_id = "gp38270123",
                            .kind = "condition",
                            .code_system = "http://snomed.info/sct",
                            .code = "35919005",
                            .display = "Autism spectrum disorder",
                            .start_date = "2023-10-22",
                            .status = "active"});
  // Without an onset the recorded date starts it; abatement ends it.
  expect_event(R"({"resourceType":"Condition","id":"c2","subject":{"reference":"Patient/p9"},
    "clinicalStatus":{"coding":[{"code":"resolved"}]},"code":{"coding":[{"code":"195967001"}]},
    "recordedDate":"2020-03-01","abatementDateTime":"2021-06-30T00:00:00Z"})",
               {.original_id = "c2",
                .person_original_id = "p9",
                .kind = "condition",
                .code = "195967001",
                .start_date = "2020-03-01",
                .end_date = "2021-06-30",
                .status = "resolved"});
}

TEST(FhirResource, ReadsObservationValues) {
  expect_event(kObservationQuantity, {.original_id = "gp46167090-o3",
                                      .person_original_id = "gp46167090",
                                      .kind = "observation",
                                      .code_system = "http://snomed.info/sct",
                                      .code = "27113001",
                                      .display = "Body weight",
                                      .start_date = "2025-01-24",
                                      .status = "final",
                                      .value = "5.81 kg"});
  expect_event(kObservationConcept,
               {.original_id = "CH90553280-o3",
                .person_original_id = "CH90553280",
                .kind = "observation",
                .code_system = "https://onechild.example/fhir/CodeSystem/observation",
                .code = "infant-feeding",
                .display = "Infant feeding status",
                .start_date = "2021-10-31",
                .status = "final",
                .value = "Not at all breastfed"});
  expect_event(kObservationInteger,
               {.original_id = "CH50205978-o2",
                .person_original_id = "CH50205978",
                .kind = "observation",
                .code_system = "https://onechild.example/fhir/CodeSystem/observation",
                .code = "asq3-communication",
                .display = "ASQ-3 communication score",
                .start_date = "2017-07-10",
                .status = "final",
                .value = "30"});
}

TEST(FhirResource, FormatsEachKindOfObservationValue) {
  auto value_of = [](const std::string& value_element) -> std::optional<std::string> {
    const std::string json =
        R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},)"
        R"("code":{"coding":[{"code":"x"}]},"effectiveDateTime":"2024-01-01")" +
        (value_element.empty() ? "" : "," + value_element) + "}";
    auto row = parse_fhir_resource(json);
    if (!row.ok()) {
      ADD_FAILURE() << json << ": " << row.error().to_string();
      return std::nullopt;
    }
    return std::get<EventRow>(*row).value;
  };
  EXPECT_EQ(value_of(R"("valueQuantity":{"value":112.4,"unit":"cm"})"), "112.4 cm");
  EXPECT_EQ(value_of(R"("valueQuantity":{"value":3450,"unit":"g"})"), "3450 g");
  EXPECT_EQ(value_of(R"("valueQuantity":{"value":-0.25,"code":"kg"})"), "-0.25 kg");  // no unit
  EXPECT_EQ(value_of(R"("valueQuantity":{"value":0.1})"), "0.1");
  EXPECT_EQ(value_of(R"("valueInteger":0)"), "0");
  EXPECT_EQ(value_of(R"("valueString":"Walks with support")"), "Walks with support");
  EXPECT_EQ(value_of(R"("valueCodeableConcept":{"coding":[{"code":"exclusive"}]})"), "exclusive");
  EXPECT_EQ(value_of(R"("valueCodeableConcept":{"text":"Mixed feeding"})"), "Mixed feeding");
  EXPECT_EQ(value_of(""), std::nullopt);  // an observation may have no value
  EXPECT_EQ(value_of(R"("valueQuantity":null)"), std::nullopt);
}

TEST(FhirResource, ReadsCarePlan) {
  expect_event(kCarePlan, {.original_id = "gp06682255-p46",
                           .person_original_id = "gp06682255",
                           .kind = "care-plan",
                           .code_system = "https://onechild.example/fhir/CodeSystem/care-plan",
                           .code = "asthma",
                           .display = "Asthma action plan",
                           .start_date = "2022-07-21",
                           .status = "completed"});
  // With no display, the title is shown.
  expect_event(R"({"resourceType":"CarePlan","id":"p2","status":"active","title":"Transition plan",
    "category":[{"coding":[{"code":"transition"}]}],"subject":{"reference":"Patient/p9"},
    "period":{"start":"2021-10-08","end":"2022-10-07"}})",
               {.original_id = "p2",
                .person_original_id = "p9",
                .kind = "care-plan",
                .code = "transition",
                .display = "Transition plan",
                .start_date = "2021-10-08",
                .end_date = "2022-10-07",
                .status = "active"});
}

TEST(FhirResource, ReadsServiceRequestWithItsReasonAsValue) {
  expect_event(kServiceRequest, {.original_id = "CH50205978-r15",
                                 .person_original_id = "CH50205978",
                                 .kind = "service-request",
                                 .code_system = "https://onechild.example/fhir/CodeSystem/referral",
                                 .code = "community-paediatrics",
                                 .display = "Referral to community paediatrics",
                                 .start_date = "2021-11-10",
                                 .status = "completed",
                                 .value = "Suspected autism"});
  expect_event(R"({"resourceType":"ServiceRequest","id":"r2","status":"active",
    "subject":{"reference":"Patient/p9"},"authoredOn":"2024-02-29T10:00:00Z"})",
               {.original_id = "r2",
                .person_original_id = "p9",
                .kind = "service-request",
                .start_date = "2024-02-29",
                .status = "active"});
}

constexpr std::string_view kEpisodeOfCare =
    R"json({"resourceType":"EpisodeOfCare","id":"CH50205978-eoc1","status":"finished","type":[{"coding":[{"system":"https://onechild.example/fhir/CodeSystem/episode","code":"health-visiting","display":"Health visiting caseload"}]}],"patient":{"reference":"Patient/CH50205978"},"managingOrganization":{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"RY6"}},"period":{"start":"2017-01-12","end":"2021-09-01T12:00:00Z"}})json";
constexpr std::string_view kFlag =
    R"json({"resourceType":"Flag","id":"sc-f7","status":"active","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/flag-category","code":"safety","display":"Safety"}]}],"code":{"coding":[{"system":"http://snomed.info/sct","code":"1032751000000105","display":"Child protection plan"}]},"subject":{"reference":"Patient/sc-12"},"period":{"start":"2023-03-01","end":"2024-03-01"}})json";
constexpr std::string_view kProcedure =
    R"json({"resourceType":"Procedure","id":"acute-pr3","status":"completed","code":{"coding":[{"system":"http://snomed.info/sct","code":"80146002","display":"Appendicectomy"}]},"subject":{"reference":"Patient/acute-9"},"performedDateTime":"2022-08-14T16:05:00+01:00"})json";

TEST(FhirResource, ReadsEpisodeOfCare) {
  expect_event(kEpisodeOfCare, {.original_id = "CH50205978-eoc1",
                                .person_original_id = "CH50205978",
                                .kind = "episode-of-care",
                                .code_system = "https://onechild.example/fhir/CodeSystem/episode",
                                .code = "health-visiting",
                                .display = "Health visiting caseload",
                                .start_date = "2017-01-12",
                                .end_date = "2021-09-01",
                                .status = "finished"});
  // type and the end are optional.
  expect_event(R"({"resourceType":"EpisodeOfCare","id":"eoc2","status":"active",
    "patient":{"reference":"Patient/p9"},"period":{"start":"2024-02-29"}})",
               {.original_id = "eoc2",
                .person_original_id = "p9",
                .kind = "episode-of-care",
                .start_date = "2024-02-29",
                .status = "active"});
}

TEST(FhirResource, ReadsFlagWithItsCategoryAsValue) {
  expect_event(kFlag, {.original_id = "sc-f7",
                       .person_original_id = "sc-12",
                       .kind = "flag",
                       .code_system = "http://snomed.info/sct",
                       .code = "1032751000000105",
                       .display = "Child protection plan",
                       .start_date = "2023-03-01",
                       .end_date = "2024-03-01",
                       .status = "active",
                       .value = "Safety"});
  // Without a display the category's code is the value; no category, no value.
  expect_event(R"({"resourceType":"Flag","id":"f2","status":"inactive",
    "category":[{"coding":[{"code":"behavioral"}]}],"code":{"coding":[{"code":"x1"}]},
    "subject":{"reference":"Patient/p9"},"period":{"start":"2020-01-01"}})",
               {.original_id = "f2",
                .person_original_id = "p9",
                .kind = "flag",
                .code = "x1",
                .start_date = "2020-01-01",
                .status = "inactive",
                .value = "behavioral"});
  expect_event(R"({"resourceType":"Flag","id":"f3","code":{"coding":[{"code":"x1"}]},
    "subject":{"reference":"Patient/p9"},"period":{"start":"2020-01-01"}})",
               {.original_id = "f3",
                .person_original_id = "p9",
                .kind = "flag",
                .code = "x1",
                .start_date = "2020-01-01"});
}

TEST(FhirResource, ReadsProcedure) {
  expect_event(kProcedure, {.original_id = "acute-pr3",
                            .person_original_id = "acute-9",
                            .kind = "procedure",
                            .code_system = "http://snomed.info/sct",
                            .code = "80146002",
                            .display = "Appendicectomy",
                            .start_date = "2022-08-14",
                            .status = "completed"});
  // Without performedDateTime, performedPeriod gives the start and the end.
  expect_event(R"({"resourceType":"Procedure","id":"pr4","status":"completed",
    "code":{"coding":[{"code":"232717009"}]},"subject":{"reference":"Patient/p9"},
    "performedPeriod":{"start":"2021-03-01T10:00:00Z","end":"2021-03-02"}})",
               {.original_id = "pr4",
                .person_original_id = "p9",
                .kind = "procedure",
                .code = "232717009",
                .start_date = "2021-03-01",
                .end_date = "2021-03-02",
                .status = "completed"});
  expect_event(R"({"resourceType":"Procedure","id":"pr5","code":{"coding":[{"code":"1"}]},
    "subject":{"reference":"Patient/p9"},"performedPeriod":{"start":"2021-03-01"}})",
               {.original_id = "pr5",
                .person_original_id = "p9",
                .kind = "procedure",
                .code = "1",
                .start_date = "2021-03-01"});
}

TEST(FhirResource, ReusedParserReadsLineAfterLine) {
  FhirResourceParser parser;
  // A line larger than the parser's first arena block, between small ones.
  std::string big = R"({"resourceType":"Patient","id":"big","name":[{"family":")" +
                    std::string(100000, 'x') + R"("}]})";
  for (int round = 0; round < 3; ++round) {
    auto patient = parser.parse(kPatient);
    ASSERT_TRUE(patient.ok()) << patient.error().to_string();
    EXPECT_EQ(std::get<PersonRow>(*patient).family_name, "O'Brien");
    auto broken = parser.parse(R"({"resourceType":"Patient","id":)");
    ASSERT_FALSE(broken.ok());
    auto large = parser.parse(big);
    ASSERT_TRUE(large.ok()) << large.error().to_string();
    EXPECT_EQ(std::get<PersonRow>(*large).family_name->size(), 100000u);
    auto event = parser.parse(kFlag);
    ASSERT_TRUE(event.ok()) << event.error().to_string();
    EXPECT_EQ(std::get<EventRow>(*event).value, "Safety");
  }
  FhirResourceParser moved = std::move(parser);
  EXPECT_TRUE(moved.parse(kProcedure).ok());
}

TEST(FhirResource, DeepNestingIsAnErrorNotACrash) {
  std::string objects;
  for (int i = 0; i < 100000; ++i)
    objects += R"({"a":)";
  for (const std::string& text : {std::string(100000, '['), objects,
                                  R"({"resourceType":"Patient","id":"p","x":)" +
                                      std::string(100000, '[') + std::string(100000, ']') + "}"}) {
    auto row = parse_fhir_resource(text);
    ASSERT_FALSE(row.ok());
    EXPECT_EQ(row.error().field(), "");
    EXPECT_EQ(row.error().message(), "not valid JSON: nested more than 64 levels deep");
    EXPECT_FALSE(parse_fhir_bundle(text).ok());
  }
  // 64 levels are allowed (the resource object is the first), 65 are not.
  auto nested = [](int arrays) {
    return R"({"resourceType":"Patient","id":"p","x":)" + std::string(arrays, '[') +
           std::string(arrays, ']') + "}";
  };
  EXPECT_TRUE(parse_fhir_resource(nested(63)).ok());
  EXPECT_FALSE(parse_fhir_resource(nested(64)).ok());
}

TEST(FhirResource, InvalidUtf8IsAnErrorThatSaysSo) {
  // A stray byte, an overlong "/", a UTF-16 surrogate, a truncated sequence.
  for (const char* text : {"{\"resourceType\":\"Patient\",\"id\":\"p\xff\"}",
                           "{\"resourceType\":\"Patient\",\"id\":\"p\xc0\xaf\"}",
                           "{\"resourceType\":\"Patient\",\"id\":\"p\xed\xa0\x80\"}",
                           "{\"resourceType\":\"Patient\",\"id\":\"p\xe2\x82\"}"}) {
    SCOPED_TRACE(text);
    auto row = parse_fhir_resource(text);
    ASSERT_FALSE(row.ok());
    EXPECT_EQ(row.error().to_string(), "not valid UTF-8 at byte offset 33 (text must be UTF-8)");
  }
  // Well-formed multi-byte text is fine, and a plain syntax error says where.
  EXPECT_TRUE(
      parse_fhir_resource("{\"resourceType\":\"Patient\",\"id\":\"p\xf0\x9f\x98\x80\"}").ok());
  auto comma = parse_fhir_resource(R"({"resourceType":"Patient" "id":"p"})");
  ASSERT_FALSE(comma.ok());
  EXPECT_EQ(comma.error().to_string(), "not valid JSON: syntax error at byte offset 26");
}

// The rows of a Bundle's entries, or of one resource.
std::vector<BundleEntry> entries_of(std::string_view json) {
  auto entries = parse_fhir_bundle(json);
  if (!entries.ok()) {
    ADD_FAILURE() << json << ": " << entries.error().to_string();
    return {};
  }
  return std::move(*entries);
}

TEST(FhirBundle, ReadsEachEntryOfACollection) {
  const auto entries = entries_of(R"({"resourceType":"Bundle","type":"collection","entry":[
    {"fullUrl":"https://gp.example/Patient/gp-1","resource":{"resourceType":"Patient","id":"gp-1",
      "identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765918"}]}},
    {"resource":{"resourceType":"Immunization","id":"i1","status":"completed",
      "vaccineCode":{"coding":[{"code":"871831003"}]},"patient":{"reference":"Patient/gp-1"},
      "occurrenceDateTime":"2023-05-10"}},
    {"resource":{"resourceType":"Encounter","id":"e1","subject":{"reference":"Patient/gp-1"}}}]})");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].index, 1);
  ASSERT_TRUE(entries[0].row.ok()) << entries[0].row.error().to_string();
  const auto& person = std::get<PersonRow>(*entries[0].row);
  EXPECT_EQ(person.original_id, "gp-1");
  EXPECT_EQ(person.nhs_number_status, NhsNumberStatus::kInvalid);
  EXPECT_EQ(person.nhs_number_recorded, "9434765918");
  EXPECT_EQ(entries[1].index, 2);
  ASSERT_TRUE(entries[1].row.ok()) << entries[1].row.error().to_string();
  EXPECT_EQ(std::get<EventRow>(*entries[1].row).kind, "immunisation");
  // The raw text is the resource alone, serialised back, and parses the same.
  EXPECT_TRUE(entries[1].raw.starts_with(R"({"resourceType":"Immunization","id":"i1")"))
      << entries[1].raw;
  auto again = parse_fhir_resource(entries[1].raw);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(std::get<EventRow>(*again).start_date, "2023-05-10");
  // The broken entry is that entry's error, not the Bundle's.
  EXPECT_EQ(entries[2].index, 3);
  ASSERT_FALSE(entries[2].row.ok());
  EXPECT_EQ(entries[2].row.error().field(), "period.start");
  EXPECT_TRUE(entries[2].raw.find(R"("id":"e1")") != std::string::npos);
}

TEST(FhirBundle, ReadsATransaction) {
  const auto entries = entries_of(R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Flag","id":"f1","status":"active",
      "code":{"coding":[{"code":"x"}]},"subject":{"reference":"Patient/p1"},
      "period":{"start":"2024-01-01"}},"request":{"method":"PUT","url":"Flag/f1"}},
    {"request":{"method":"DELETE","url":"Flag/f0"}},
    {"resource":"Patient/p1"},
    7,
    {"resource":{"resourceType":"Bundle","type":"collection"}}]})");
  ASSERT_EQ(entries.size(), 5u);
  ASSERT_TRUE(entries[0].row.ok()) << entries[0].row.error().to_string();
  EXPECT_EQ(std::get<EventRow>(*entries[0].row).kind, "flag");
  for (size_t i : {1u, 2u}) {
    ASSERT_FALSE(entries[i].row.ok());
    EXPECT_EQ(entries[i].row.error().field(), "entry.resource");
    EXPECT_EQ(entries[i].index, static_cast<int64_t>(i) + 1);
  }
  EXPECT_EQ(entries[1].raw, R"({"request":{"method":"DELETE","url":"Flag/f0"}})");
  ASSERT_FALSE(entries[3].row.ok());
  EXPECT_EQ(entries[3].row.error().field(), "entry");
  EXPECT_EQ(entries[3].raw, "7");
  ASSERT_FALSE(entries[4].row.ok());  // Bundles do not nest
  EXPECT_EQ(entries[4].row.error().field(), "resourceType");
}

TEST(FhirBundle, EmptyBundleHasNoEntries) {
  EXPECT_TRUE(entries_of(R"({"resourceType":"Bundle","type":"searchset","entry":[]})").empty());
  EXPECT_TRUE(entries_of(R"({"resourceType":"Bundle","type":"searchset","total":0})").empty());
}

TEST(FhirBundle, SingleResourceIsOneEntry) {
  const auto entries = entries_of(kProcedure);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].index, 1);
  ASSERT_TRUE(entries[0].row.ok()) << entries[0].row.error().to_string();
  EXPECT_EQ(std::get<EventRow>(*entries[0].row).kind, "procedure");
  EXPECT_EQ(entries[0].raw, kProcedure);  // already compact, so unchanged
  // A resource that is wrong is still that entry's error.
  const auto bad = entries_of(R"({"resourceType":"Procedure","id":"x"})");
  ASSERT_EQ(bad.size(), 1u);
  ASSERT_FALSE(bad[0].row.ok());
  EXPECT_EQ(bad[0].row.error().field(), "subject");
  const auto untyped = entries_of(R"({"id":"x"})");
  ASSERT_EQ(untyped.size(), 1u);
  ASSERT_FALSE(untyped[0].row.ok());
  EXPECT_EQ(untyped[0].row.error().field(), "resourceType");
}

TEST(FhirBundle, BundleLevelErrors) {
  struct Case {
    const char* json;
    const char* field;
  };
  for (const auto& [json, field] : {
           Case{R"({"resourceType":"Bundle","type":"collection","entry":{}})", "entry"},
           Case{R"({"resourceType":"Bundle","type":"collection","entry":"x"})", "entry"},
           Case{"not json", ""},
           Case{"[]", ""},
           Case{R"({"resourceType":"Bundle","entry":[])", ""},
       }) {
    SCOPED_TRACE(json);
    auto entries = parse_fhir_bundle(json);
    ASSERT_FALSE(entries.ok());
    EXPECT_EQ(entries.error().field(), field);
    EXPECT_FALSE(entries.error().message().empty());
  }
}

TEST(FhirResource, BundleLineSaysToLoadItAsAFile) {
  auto row = parse_fhir_resource(R"({"resourceType":"Bundle","type":"collection"})");
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.error().to_string(),
            "resourceType: a Bundle must be loaded as a .json file, not an NDJSON line");
}

TEST(FhirResource, ErrorsSayWhatIsWrongWhere) {
  auto reference = parse_fhir_resource(
      R"({"resourceType":"Observation","id":"o","subject":{"reference":"Group/1"}})");
  ASSERT_FALSE(reference.ok());
  EXPECT_EQ(reference.error().to_string(), "subject.reference: must be 'Patient/<id>'");
  auto date = parse_fhir_resource(
      R"({"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/p"},"period":{"start":"2024-02-30"}})");
  ASSERT_FALSE(date.ok());
  EXPECT_EQ(date.error().to_string(), "period.start: date '2024-02-30' does not exist");
  auto unsupported = parse_fhir_resource(R"({"resourceType":"MedicationRequest","id":"m"})");
  ASSERT_FALSE(unsupported.ok());
  EXPECT_EQ(unsupported.error().to_string(),
            "resourceType: unsupported resource type 'MedicationRequest'");
}

struct BadCase {
  const char* name;  // the test's name
  const char* json;
  const char* field;
};

// Keeps the JSON and addresses out of the test names ctest shows.
void PrintTo(const BadCase& c, std::ostream* os) {
  *os << c.name;
}

class FhirResourceRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(FhirResourceRejects, NamesTheField) {
  auto row = parse_fhir_resource(GetParam().json);
  ASSERT_FALSE(row.ok()) << GetParam().json;
  EXPECT_EQ(row.error().field(), GetParam().field) << row.error().to_string();
  EXPECT_FALSE(row.error().message().empty());
}

std::string case_name(const ::testing::TestParamInfo<BadCase>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, FhirResourceRejects,
    ::testing::
        Values(
            BadCase{"NotJson", "not json", ""}, BadCase{"NotAnObject", "[1,2]", ""},
            BadCase{"NoResourceType", "{\"id\":\"a\"}", "resourceType"},
            BadCase{"UnsupportedType", R"({"resourceType":"MedicationRequest","id":"m"})",
                    "resourceType"},
            BadCase{"PatientNoId", R"({"resourceType":"Patient"})", "id"},
            BadCase{"PatientImpossibleBirthDate",
                    R"({"resourceType":"Patient","id":"p","birthDate":"2023-02-30"})", "birthDate"},
            BadCase{"PatientNumericBirthDate",
                    R"({"resourceType":"Patient","id":"p","birthDate":20230101})", "birthDate"},
            BadCase{"PatientIdentifierObject",
                    R"({"resourceType":"Patient","id":"p","identifier":{"value":"1"}})",
                    "identifier"},
            BadCase{"PatientIdentifierNotObjects",
                    R"({"resourceType":"Patient","id":"p","identifier":["9434765919"]})",
                    "identifier"},
            BadCase{
                "PatientNhsNumberNumber",
                R"({"resourceType":"Patient","id":"p","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":9434765919}]})",
                "identifier.value"},
            BadCase{
                "PatientGpPracticeObject",
                R"({"resourceType":"Patient","id":"p","generalPractitioner":{"reference":"Organization/A81001"}})",
                "generalPractitioner"},
            BadCase{"PatientGpPracticeNotObjects",
                    R"({"resourceType":"Patient","id":"p","generalPractitioner":["A81001"]})",
                    "generalPractitioner"},
            BadCase{
                "PatientGpPracticeIdentifierList",
                R"({"resourceType":"Patient","id":"p","generalPractitioner":[{"identifier":[{"value":"A81001"}]}]})",
                "generalPractitioner.identifier"},
            BadCase{
                "PatientGpPracticeSystemNumber",
                R"({"resourceType":"Patient","id":"p","generalPractitioner":[{"identifier":{"system":1,"value":"A81001"}}]})",
                "generalPractitioner.identifier.system"},
            BadCase{
                "PatientGpPracticeValueNumber",
                R"({"resourceType":"Patient","id":"p","generalPractitioner":[{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":81001}}]})",
                "generalPractitioner.identifier.value"},
            BadCase{
                "PatientGpPracticeReferenceObject",
                R"({"resourceType":"Patient","id":"p","generalPractitioner":[{"reference":{"id":"A81001"}}]})",
                "generalPractitioner.reference"},
            BadCase{"BundleAsLine", R"({"resourceType":"Bundle","type":"collection","entry":[]})",
                    "resourceType"},
            BadCase{"InvalidUtf8", "{\"resourceType\":\"Patient\",\"id\":\"p\xff\"}", ""},
            BadCase{
                "ImmunizationNoPatient",
                R"({"resourceType":"Immunization","id":"i","vaccineCode":{"coding":[{"code":"1"}]},"occurrenceDateTime":"2023-01-01"})",
                "patient"},
            BadCase{
                "ImmunizationPractitionerReference",
                R"({"resourceType":"Immunization","id":"i","patient":{"reference":"Practitioner/1"},"vaccineCode":{"coding":[{"code":"1"}]},"occurrenceDateTime":"2023-01-01"})",
                "patient.reference"},
            BadCase{
                "ImmunizationNoDate",
                R"({"resourceType":"Immunization","id":"i","patient":{"reference":"Patient/1"},"vaccineCode":{"coding":[{"code":"1"}]}})",
                "occurrenceDateTime"},
            BadCase{
                "ImmunizationStatusReasonString",
                R"({"resourceType":"Immunization","id":"i","status":"not-done","statusReason":"PATOBJ","patient":{"reference":"Patient/1"},"vaccineCode":{"coding":[{"code":"1"}]},"occurrenceDateTime":"2023-01-01"})",
                "statusReason"},
            BadCase{
                "ImmunizationStatusReasonCodeNumber",
                R"({"resourceType":"Immunization","id":"i","status":"not-done","statusReason":{"coding":[{"code":7}]},"patient":{"reference":"Patient/1"},"vaccineCode":{"coding":[{"code":"1"}]},"occurrenceDateTime":"2023-01-01"})",
                "statusReason.coding.code"},
            BadCase{
                "ImmunizationNoVaccine",
                R"({"resourceType":"Immunization","id":"i","patient":{"reference":"Patient/1"},"occurrenceDateTime":"2023-01-01"})",
                "vaccineCode.coding.code"},
            // Encounter
            BadCase{
                "EncounterNoId",
                R"({"resourceType":"Encounter","subject":{"reference":"Patient/p"},"period":{"start":"2024-01-01"}})",
                "id"},
            BadCase{"EncounterNoSubject",
                    R"({"resourceType":"Encounter","id":"e","period":{"start":"2024-01-01"}})",
                    "subject"},
            BadCase{
                "EncounterSubjectNumber",
                R"({"resourceType":"Encounter","id":"e","subject":5,"period":{"start":"2024-01-01"}})",
                "subject"},
            BadCase{
                "EncounterSubjectNotPatient",
                R"({"resourceType":"Encounter","id":"e","subject":{"reference":"Group/1"},"period":{"start":"2024-01-01"}})",
                "subject.reference"},
            BadCase{
                "EncounterSubjectNoId",
                R"({"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/"},"period":{"start":"2024-01-01"}})",
                "subject.reference"},
            BadCase{
                "EncounterReferenceNumber",
                R"({"resourceType":"Encounter","id":"e","subject":{"reference":7},"period":{"start":"2024-01-01"}})",
                "subject.reference"},
            BadCase{"EncounterNoPeriod",
                    R"({"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/p"}})",
                    "period.start"},
            BadCase{
                "EncounterPeriodArray",
                R"({"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/p"},"period":[]})",
                "period"},
            BadCase{
                "EncounterPeriodNoStart",
                R"({"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/p"},"period":{"end":"2024-01-01"}})",
                "period.start"},
            BadCase{
                "EncounterImpossibleStart",
                R"({"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/p"},"period":{"start":"2024-02-30"}})",
                "period.start"},
            BadCase{
                "EncounterImpossibleEnd",
                R"({"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/p"},"period":{"start":"2024-01-01","end":"2024-04-31"}})",
                "period.end"},
            BadCase{
                "EncounterEndBeforeStart",
                R"({"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/p"},"period":{"start":"2024-01-02","end":"2024-01-01"}})",
                "period.end"},
            BadCase{
                "EncounterTypeNotArray",
                R"({"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/p"},"period":{"start":"2024-01-01"},"type":{"coding":[]}})",
                "type"},
            BadCase{
                "EncounterTypeCodeNumber",
                R"({"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/p"},"period":{"start":"2024-01-01"},"type":[{"coding":[{"code":5}]}]})",
                "type.coding.code"},
            BadCase{
                "EncounterStatusNumber",
                R"({"resourceType":"Encounter","id":"e","subject":{"reference":"Patient/p"},"period":{"start":"2024-01-01"},"status":3})",
                "status"},
            // Condition
            BadCase{
                "ConditionNoSubject",
                R"({"resourceType":"Condition","id":"c","code":{"coding":[{"code":"1"}]},"onsetDateTime":"2024-01-01"})",
                "subject"},
            BadCase{
                "ConditionSubjectNotPatient",
                R"({"resourceType":"Condition","id":"c","subject":{"reference":"Practitioner/1"},"code":{"coding":[{"code":"1"}]},"onsetDateTime":"2024-01-01"})",
                "subject.reference"},
            BadCase{
                "ConditionNoCode",
                R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/p"},"onsetDateTime":"2024-01-01"})",
                "code.coding.code"},
            BadCase{
                "ConditionEmptyCoding",
                R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/p"},"code":{"coding":[]},"onsetDateTime":"2024-01-01"})",
                "code.coding.code"},
            BadCase{
                "ConditionCodeString",
                R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/p"},"code":"1","onsetDateTime":"2024-01-01"})",
                "code"},
            BadCase{
                "ConditionCodingObject",
                R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/p"},"code":{"coding":{"code":"1"}},"onsetDateTime":"2024-01-01"})",
                "code.coding"},
            BadCase{
                "ConditionNoDate",
                R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]}})",
                "onsetDateTime"},
            BadCase{
                "ConditionImpossibleOnset",
                R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"onsetDateTime":"2024-02-30"})",
                "onsetDateTime"},
            BadCase{
                "ConditionImpossibleRecordedDate",
                R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"recordedDate":"2023-02-29"})",
                "recordedDate"},
            BadCase{
                "ConditionImpossibleAbatement",
                R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"onsetDateTime":"2024-01-01","abatementDateTime":"2024-13-01"})",
                "abatementDateTime"},
            BadCase{
                "ConditionAbatementBeforeOnset",
                R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"onsetDateTime":"2024-01-02","abatementDateTime":"2024-01-01"})",
                "abatementDateTime"},
            BadCase{
                "ConditionClinicalStatusArray",
                R"({"resourceType":"Condition","id":"c","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"onsetDateTime":"2024-01-01","clinicalStatus":[]})",
                "clinicalStatus"},
            // Observation
            BadCase{
                "ObservationNoSubject",
                R"({"resourceType":"Observation","id":"o","code":{"coding":[{"code":"1"}]},"effectiveDateTime":"2024-01-01"})",
                "subject"},
            BadCase{
                "ObservationSubjectString",
                R"({"resourceType":"Observation","id":"o","subject":"Patient/p","code":{"coding":[{"code":"1"}]},"effectiveDateTime":"2024-01-01"})",
                "subject"},
            BadCase{
                "ObservationNoCode",
                R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"effectiveDateTime":"2024-01-01"})",
                "code.coding.code"},
            BadCase{
                "ObservationEmptyCode",
                R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":""}]},"effectiveDateTime":"2024-01-01"})",
                "code.coding.code"},
            BadCase{
                "ObservationNoDate",
                R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]}})",
                "effectiveDateTime"},
            BadCase{
                "ObservationImpossibleDate",
                R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"effectiveDateTime":"2024-02-30"})",
                "effectiveDateTime"},
            BadCase{
                "ObservationNumericDate",
                R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"effectiveDateTime":20240101})",
                "effectiveDateTime"},
            BadCase{
                "ObservationQuantityNumber",
                R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"effectiveDateTime":"2024-01-01","valueQuantity":5})",
                "valueQuantity"},
            BadCase{
                "ObservationQuantityNoValue",
                R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"effectiveDateTime":"2024-01-01","valueQuantity":{"unit":"kg"}})",
                "valueQuantity.value"},
            BadCase{"ObservationQuantityValueString",
                    R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"effectiveDateTime":"2024-01-01","valueQuantity":{"value":"5","unit":"kg"}})",
                    "valueQuantity.value"},
            BadCase{
                "ObservationQuantityUnitNumber",
                R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"effectiveDateTime":"2024-01-01","valueQuantity":{"value":5,"unit":1}})",
                "valueQuantity.unit"},
            BadCase{
                "ObservationIntegerFraction",
                R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"effectiveDateTime":"2024-01-01","valueInteger":2.5})",
                "valueInteger"},
            BadCase{
                "ObservationStringNumber",
                R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"effectiveDateTime":"2024-01-01","valueString":5})",
                "valueString"},
            BadCase{
                "ObservationConceptNoCode",
                R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"effectiveDateTime":"2024-01-01","valueCodeableConcept":{"coding":[{}]}})",
                "valueCodeableConcept.coding.code"},
            BadCase{
                "ObservationUnsupportedValue",
                R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"effectiveDateTime":"2024-01-01","valueBoolean":true})",
                "valueBoolean"},
            BadCase{
                "ObservationTwoValues",
                R"({"resourceType":"Observation","id":"o","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"effectiveDateTime":"2024-01-01","valueInteger":1,"valueString":"1"})",
                "value[x]"},
            // CarePlan
            BadCase{"CarePlanNoSubject",
                    R"({"resourceType":"CarePlan","id":"p","period":{"start":"2024-01-01"}})",
                    "subject"},
            BadCase{
                "CarePlanSubjectNotPatient",
                R"({"resourceType":"CarePlan","id":"p","subject":{"reference":"RelatedPerson/1"},"period":{"start":"2024-01-01"}})",
                "subject.reference"},
            BadCase{
                "CarePlanNoPeriod",
                R"({"resourceType":"CarePlan","id":"p","subject":{"reference":"Patient/p"},"created":"2024-01-01"})",
                "period.start"},
            BadCase{
                "CarePlanPeriodArray",
                R"({"resourceType":"CarePlan","id":"p","subject":{"reference":"Patient/p"},"period":[]})",
                "period"},
            BadCase{
                "CarePlanImpossibleStart",
                R"({"resourceType":"CarePlan","id":"p","subject":{"reference":"Patient/p"},"period":{"start":"2024-13-01"}})",
                "period.start"},
            BadCase{
                "CarePlanCategoryObject",
                R"({"resourceType":"CarePlan","id":"p","subject":{"reference":"Patient/p"},"period":{"start":"2024-01-01"},"category":{"coding":[{"code":"asthma"}]}})",
                "category"},
            BadCase{
                "CarePlanTitleNumber",
                R"({"resourceType":"CarePlan","id":"p","subject":{"reference":"Patient/p"},"period":{"start":"2024-01-01"},"title":5})",
                "title"},
            // ServiceRequest
            BadCase{"ServiceRequestNoSubject",
                    R"({"resourceType":"ServiceRequest","id":"r","authoredOn":"2024-01-01"})",
                    "subject"},
            BadCase{
                "ServiceRequestSubjectNotPatient",
                R"({"resourceType":"ServiceRequest","id":"r","subject":{"reference":"https://example.org/Patient/1"},"authoredOn":"2024-01-01"})",
                "subject.reference"},
            BadCase{
                "ServiceRequestNoDate",
                R"({"resourceType":"ServiceRequest","id":"r","subject":{"reference":"Patient/p"}})",
                "authoredOn"},
            BadCase{
                "ServiceRequestImpossibleDate",
                R"({"resourceType":"ServiceRequest","id":"r","subject":{"reference":"Patient/p"},"authoredOn":"2024-02-30"})",
                "authoredOn"},
            BadCase{
                "ServiceRequestCodeArray",
                R"({"resourceType":"ServiceRequest","id":"r","subject":{"reference":"Patient/p"},"authoredOn":"2024-01-01","code":[]})",
                "code"},
            BadCase{
                "ServiceRequestReasonObject",
                R"({"resourceType":"ServiceRequest","id":"r","subject":{"reference":"Patient/p"},"authoredOn":"2024-01-01","reasonCode":{"coding":[]}})",
                "reasonCode"},
            BadCase{
                "ServiceRequestReasonDisplayNumber",
                R"({"resourceType":"ServiceRequest","id":"r","subject":{"reference":"Patient/p"},"authoredOn":"2024-01-01","reasonCode":[{"coding":[{"display":1}]}]})",
                "reasonCode.coding.display"},
            // EpisodeOfCare
            BadCase{
                "EpisodeOfCareNoId",
                R"({"resourceType":"EpisodeOfCare","patient":{"reference":"Patient/p"},"period":{"start":"2024-01-01"}})",
                "id"},
            BadCase{"EpisodeOfCareNoPatient",
                    R"({"resourceType":"EpisodeOfCare","id":"e","period":{"start":"2024-01-01"}})",
                    "patient"},
            BadCase{
                "EpisodeOfCareSubjectNotPatient",
                R"({"resourceType":"EpisodeOfCare","id":"e","subject":{"reference":"Patient/p"},"period":{"start":"2024-01-01"}})",
                "patient"},
            BadCase{
                "EpisodeOfCarePatientString",
                R"({"resourceType":"EpisodeOfCare","id":"e","patient":"Patient/p","period":{"start":"2024-01-01"}})",
                "patient"},
            BadCase{
                "EpisodeOfCarePatientNotPatient",
                R"({"resourceType":"EpisodeOfCare","id":"e","patient":{"reference":"Group/1"},"period":{"start":"2024-01-01"}})",
                "patient.reference"},
            BadCase{
                "EpisodeOfCareReferenceNumber",
                R"({"resourceType":"EpisodeOfCare","id":"e","patient":{"reference":1},"period":{"start":"2024-01-01"}})",
                "patient.reference"},
            BadCase{
                "EpisodeOfCareNoPeriod",
                R"({"resourceType":"EpisodeOfCare","id":"e","patient":{"reference":"Patient/p"}})",
                "period.start"},
            BadCase{
                "EpisodeOfCarePeriodString",
                R"({"resourceType":"EpisodeOfCare","id":"e","patient":{"reference":"Patient/p"},"period":"2024-01-01"})",
                "period"},
            BadCase{
                "EpisodeOfCareStartNumber",
                R"({"resourceType":"EpisodeOfCare","id":"e","patient":{"reference":"Patient/p"},"period":{"start":20240101}})",
                "period.start"},
            BadCase{
                "EpisodeOfCareImpossibleEnd",
                R"({"resourceType":"EpisodeOfCare","id":"e","patient":{"reference":"Patient/p"},"period":{"start":"2024-01-01","end":"2024-02-30"}})",
                "period.end"},
            BadCase{
                "EpisodeOfCareEndBeforeStart",
                R"({"resourceType":"EpisodeOfCare","id":"e","patient":{"reference":"Patient/p"},"period":{"start":"2024-01-02","end":"2024-01-01"}})",
                "period.end"},
            BadCase{
                "EpisodeOfCareTypeObject",
                R"({"resourceType":"EpisodeOfCare","id":"e","patient":{"reference":"Patient/p"},"period":{"start":"2024-01-01"},"type":{"coding":[]}})",
                "type"},
            BadCase{
                "EpisodeOfCareTypeCodeNumber",
                R"({"resourceType":"EpisodeOfCare","id":"e","patient":{"reference":"Patient/p"},"period":{"start":"2024-01-01"},"type":[{"coding":[{"code":1}]}]})",
                "type.coding.code"},
            BadCase{
                "EpisodeOfCareStatusNumber",
                R"({"resourceType":"EpisodeOfCare","id":"e","patient":{"reference":"Patient/p"},"period":{"start":"2024-01-01"},"status":1})",
                "status"},
            // Flag
            BadCase{
                "FlagNoId",
                R"({"resourceType":"Flag","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"period":{"start":"2024-01-01"}})",
                "id"},
            BadCase{
                "FlagNoSubject",
                R"({"resourceType":"Flag","id":"f","code":{"coding":[{"code":"1"}]},"period":{"start":"2024-01-01"}})",
                "subject"},
            BadCase{
                "FlagSubjectArray",
                R"({"resourceType":"Flag","id":"f","subject":[{"reference":"Patient/p"}],"code":{"coding":[{"code":"1"}]},"period":{"start":"2024-01-01"}})",
                "subject"},
            BadCase{
                "FlagSubjectNotPatient",
                R"({"resourceType":"Flag","id":"f","subject":{"reference":"Location/1"},"code":{"coding":[{"code":"1"}]},"period":{"start":"2024-01-01"}})",
                "subject.reference"},
            BadCase{
                "FlagNoCode",
                R"({"resourceType":"Flag","id":"f","subject":{"reference":"Patient/p"},"period":{"start":"2024-01-01"}})",
                "code.coding.code"},
            BadCase{
                "FlagCodingWithoutCode",
                R"({"resourceType":"Flag","id":"f","subject":{"reference":"Patient/p"},"code":{"coding":[{"display":"Alert"}]},"period":{"start":"2024-01-01"}})",
                "code.coding.code"},
            BadCase{
                "FlagCodeArray",
                R"({"resourceType":"Flag","id":"f","subject":{"reference":"Patient/p"},"code":[],"period":{"start":"2024-01-01"}})",
                "code"},
            BadCase{
                "FlagCodingObject",
                R"({"resourceType":"Flag","id":"f","subject":{"reference":"Patient/p"},"code":{"coding":{"code":"1"}},"period":{"start":"2024-01-01"}})",
                "code.coding"},
            BadCase{
                "FlagCodeNumber",
                R"({"resourceType":"Flag","id":"f","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":1}]},"period":{"start":"2024-01-01"}})",
                "code.coding.code"},
            BadCase{
                "FlagNoPeriod",
                R"({"resourceType":"Flag","id":"f","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]}})",
                "period.start"},
            BadCase{
                "FlagPeriodNoStart",
                R"({"resourceType":"Flag","id":"f","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"period":{"end":"2024-01-01"}})",
                "period.start"},
            BadCase{
                "FlagPeriodArray",
                R"({"resourceType":"Flag","id":"f","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"period":[{"start":"2024-01-01"}]})",
                "period"},
            BadCase{
                "FlagEndBeforeStart",
                R"({"resourceType":"Flag","id":"f","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"period":{"start":"2024-01-02","end":"2023-12-31"}})",
                "period.end"},
            BadCase{
                "FlagStatusObject",
                R"({"resourceType":"Flag","id":"f","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"period":{"start":"2024-01-01"},"status":{}})",
                "status"},
            BadCase{"FlagCategoryObject", R"({"resourceType":"Flag","id":"f","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"period":{"start":"2024-01-01"},"category":{"coding":[]}})",
                    "category"},
            BadCase{
                "FlagCategoryDisplayNumber",
                R"({"resourceType":"Flag","id":"f","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"period":{"start":"2024-01-01"},"category":[{"coding":[{"display":2}]}]})",
                "category.coding.display"},
            // Procedure
            BadCase{
                "ProcedureNoId",
                R"({"resourceType":"Procedure","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"performedDateTime":"2024-01-01"})",
                "id"},
            BadCase{
                "ProcedureNoSubject",
                R"({"resourceType":"Procedure","id":"x","code":{"coding":[{"code":"1"}]},"performedDateTime":"2024-01-01"})",
                "subject"},
            BadCase{
                "ProcedureSubjectString",
                R"({"resourceType":"Procedure","id":"x","subject":"Patient/p","code":{"coding":[{"code":"1"}]},"performedDateTime":"2024-01-01"})",
                "subject"},
            BadCase{
                "ProcedureSubjectNotPatient",
                R"({"resourceType":"Procedure","id":"x","subject":{"reference":"Group/1"},"code":{"coding":[{"code":"1"}]},"performedDateTime":"2024-01-01"})",
                "subject.reference"},
            BadCase{
                "ProcedureNoCode",
                R"({"resourceType":"Procedure","id":"x","subject":{"reference":"Patient/p"},"performedDateTime":"2024-01-01"})",
                "code.coding.code"},
            BadCase{
                "ProcedureEmptyCoding",
                R"({"resourceType":"Procedure","id":"x","subject":{"reference":"Patient/p"},"code":{"coding":[]},"performedDateTime":"2024-01-01"})",
                "code.coding.code"},
            BadCase{
                "ProcedureCodeString",
                R"({"resourceType":"Procedure","id":"x","subject":{"reference":"Patient/p"},"code":"1","performedDateTime":"2024-01-01"})",
                "code"},
            BadCase{
                "ProcedureNoDate",
                R"({"resourceType":"Procedure","id":"x","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]}})",
                "performedDateTime"},
            BadCase{
                "ProcedureOtherPerformedType",
                R"({"resourceType":"Procedure","id":"x","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"performedString":"last spring"})",
                "performedDateTime"},
            BadCase{
                "ProcedureNumericDate",
                R"({"resourceType":"Procedure","id":"x","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"performedDateTime":20240101})",
                "performedDateTime"},
            BadCase{
                "ProcedureImpossibleDate",
                R"({"resourceType":"Procedure","id":"x","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"performedDateTime":"2023-02-29"})",
                "performedDateTime"},
            BadCase{
                "ProcedurePeriodString",
                R"({"resourceType":"Procedure","id":"x","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"performedPeriod":"2024-01-01"})",
                "performedPeriod"},
            BadCase{
                "ProcedurePeriodNoStart",
                R"({"resourceType":"Procedure","id":"x","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"performedPeriod":{"end":"2024-01-01"}})",
                "performedPeriod.start"},
            BadCase{
                "ProcedurePeriodImpossibleEnd",
                R"({"resourceType":"Procedure","id":"x","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"performedPeriod":{"start":"2024-01-01","end":"2024-01-32"}})",
                "performedPeriod.end"},
            BadCase{
                "ProcedurePeriodEndBeforeStart",
                R"({"resourceType":"Procedure","id":"x","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"performedPeriod":{"start":"2024-01-02","end":"2024-01-01"}})",
                "performedPeriod.end"},
            BadCase{
                "ProcedureStatusNumber",
                R"({"resourceType":"Procedure","id":"x","subject":{"reference":"Patient/p"},"code":{"coding":[{"code":"1"}]},"performedDateTime":"2024-01-01","status":0})",
                "status"}),
    case_name);

}  // namespace
}  // namespace onechild::ingest
