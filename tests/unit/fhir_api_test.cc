// The FHIR R4 API (api/fhir/): the resource mapping, search parameters, the
// routes through Router::handle without a network (read, search, paging,
// _include, $everything, ETag/304, OperationOutcome errors, access control
// and audit), and Bulk Data export (kick-off, status, manifest, NDJSON files,
// pseudonymisation and the National Data Opt-out).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "access/access_control.h"
#include "access/audit.h"
#include "access/grants.h"
#include "access/tokens.h"
#include "api/fhir/bulk_export.h"
#include "api/fhir/resources.h"
#include "api/fhir/search.h"
#include "api/router.h"
#include "core/date.h"
#include "ingest/ingest.h"
#include "link/link.h"
#include "record/protection.h"
#include "support/temp_dir.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace onechild::api::fhir {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

template <typename T>
T must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.error().to_string());
  return std::move(r).value();
}
void must(const Status& s) {
  if (!s.ok()) throw std::runtime_error(s.error().to_string());
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const json::object& obj(const json::value& v) {
  return v.as_object();
}
std::string str(const json::value& v) {
  return std::string(v.as_string());
}

// --- the mapping, without a store ---------------------------------------------

RecordEvent event(std::string kind, std::optional<std::string> code = "123",
                  std::optional<std::string> status = std::nullopt,
                  std::optional<std::string> value = std::nullopt) {
  RecordEvent e;
  e.source = "gp";
  e.kind = std::move(kind);
  e.start_date = "2024-03-04";
  e.code_system = "http://snomed.info/sct";
  e.code = std::move(code);
  e.display = "Something";
  e.status = std::move(status);
  e.value = std::move(value);
  e.id = 42;
  return e;
}

const Subject kChild{"7", false};
const std::string kToday = "2026-01-01";

TEST(FhirResources, EveryKindInTheTableMapsToItsTypeWithTheRequiredElements) {
  // The elements the FHIR R4 schema requires of each type.
  const std::map<std::string, std::vector<std::string>> required = {
      {"Immunization", {"status", "vaccineCode", "patient", "occurrenceDateTime"}},
      {"Observation", {"status", "code", "subject"}},
      {"Condition", {"subject", "code", "clinicalStatus"}},
      {"Encounter", {"status", "class", "subject"}},
      {"EpisodeOfCare", {"status", "patient"}},
      {"ServiceRequest", {"status", "intent", "subject"}},
      {"CarePlan", {"status", "intent", "subject"}},
      {"Flag", {"status", "code", "subject"}},
      {"Procedure", {"status", "subject"}},
      {"QuestionnaireResponse", {"status", "subject"}},
  };
  ASSERT_GE(kind_mappings().size(), 20u);
  for (const KindMapping& m : kind_mappings()) {
    const json::object r = event_resource(event(std::string(m.kind)), kChild, kToday);
    EXPECT_EQ(str(r.at("resourceType")), m.resource_type) << m.kind;
    EXPECT_EQ(str(r.at("id")), "42");
    for (const auto& element : required.at(std::string(m.resource_type))) {
      EXPECT_TRUE(r.contains(element)) << m.kind << " lacks " << element;
    }
    const std::string subject = r.contains("patient") ? "patient" : "subject";
    EXPECT_EQ(str(obj(r.at(subject)).at("reference")), "Patient/7") << m.kind;
    // The kind is always there to search on.
    EXPECT_TRUE(contains(json::serialize(r), R"("code":")" + std::string(m.kind) + "\"")) << m.kind;
  }
  EXPECT_EQ(mapping_for("immunisation").resource_type, "Immunization");
  EXPECT_EQ(mapping_for("social-care-episode").resource_type, "EpisodeOfCare");
  EXPECT_EQ(mapping_for("ed-attendance").resource_type, "Encounter");
  EXPECT_EQ(mapping_for("outcome-measure").resource_type, "QuestionnaireResponse");
  // A kind nobody mapped is still exported, as an Observation saying what it was.
  const json::object unknown = event_resource(event("telepathy", std::nullopt), kChild, kToday);
  EXPECT_EQ(str(unknown.at("resourceType")), "Observation");
  EXPECT_EQ(str(obj(unknown.at("code")).at("text")), "Something");
}

TEST(FhirResources, StatusesAreFhirCodesAndTheSourceStatusIsKept) {
  auto imm =
      event_resource(event("immunisation", "871831003", "not-done", "PATOBJ"), kChild, kToday);
  EXPECT_EQ(str(imm.at("status")), "not-done");
  EXPECT_EQ(str(obj(obj(imm.at("statusReason")).at("coding").as_array()[0]).at("code")), "PATOBJ");
  EXPECT_EQ(str(imm.at("occurrenceDateTime")), "2024-03-04");

  auto dna =
      event_resource(event("outpatient-appointment", "258", "did-not-attend"), kChild, kToday);
  EXPECT_EQ(str(dna.at("status")), "cancelled");
  EXPECT_TRUE(contains(json::serialize(dna), "source-status"));
  EXPECT_TRUE(contains(json::serialize(dna), "did-not-attend"));

  RecordEvent ended = event("social-care-episode");
  ended.end_date = "2025-01-01";
  EXPECT_EQ(str(event_resource(ended, kChild, kToday).at("status")), "finished");
  ended.end_date = "2027-01-01";  // planned end, not yet
  EXPECT_EQ(str(event_resource(ended, kChild, kToday).at("status")), "active");

  RecordEvent condition = event("condition", "195967001", "active");
  condition.end_date = "2025-06-01";
  auto c = event_resource(condition, kChild, kToday);
  EXPECT_EQ(str(obj(obj(c.at("clinicalStatus")).at("coding").as_array()[0]).at("code")),
            "resolved");
  EXPECT_EQ(str(c.at("abatementDateTime")), "2025-06-01");
}

TEST(FhirResources, ValuesBecomeTypedValues) {
  auto height =
      event_resource(event("observation", "50373000", "final", "112.4 cm"), kChild, kToday);
  const auto& q = obj(height.at("valueQuantity"));
  EXPECT_DOUBLE_EQ(q.at("value").to_number<double>(), 112.4);
  EXPECT_EQ(str(q.at("unit")), "cm");
  EXPECT_EQ(str(q.at("system")), "http://unitsofmeasure.org");
  auto score =
      event_resource(event("outcome-measure", "SDQ-TD", std::nullopt, "17"), kChild, kToday);
  EXPECT_EQ(str(score.at("status")), "completed");
  EXPECT_EQ(obj(obj(score.at("item").as_array()[0]).at("answer").as_array()[0]).at("valueInteger"),
            17);
  EXPECT_EQ(str(score.at("questionnaire")), "https://onechild.example/fhir/Questionnaire/SDQ-TD");
  auto eyfsp = event_resource(event("eyfsp", "900004", std::nullopt, "Y"), kChild, kToday);
  EXPECT_EQ(eyfsp.at("valueBoolean"), true);
  EXPECT_EQ(str(obj(eyfsp.at("performer").as_array()[0]).at("identifier").at("value")), "900004");
  auto text = event_resource(event("school-census", "900005", std::nullopt, "year 6, FSM true"),
                             kChild, kToday);
  EXPECT_EQ(str(text.at("valueString")), "year 6, FSM true");
  auto referral =
      event_resource(event("service-request", "x", std::nullopt, "Suspected ADHD"), kChild, kToday);
  EXPECT_EQ(str(obj(referral.at("reasonCode").as_array()[0]).at("text")), "Suspected ADHD");
  EXPECT_EQ(str(referral.at("intent")), "order");
}

TEST(FhirResources, NothingIsAnEmptyStringOrABadDate) {
  RecordEvent e = event("encounter", "  ", "", "");
  e.display = " ";
  e.start_date = "not a date";
  e.end_date = "";
  const std::string text = json::serialize(event_resource(e, kChild, kToday));
  EXPECT_FALSE(contains(text, R"("")")) << text;
  EXPECT_FALSE(contains(text, "not a date")) << text;
  EXPECT_EQ(fhir_date("2024-02-30"), std::nullopt);
  EXPECT_EQ(fhir_date("2024-13"), std::nullopt);
  EXPECT_EQ(fhir_date("0000-01-01"), std::nullopt);
  EXPECT_EQ(fhir_date("2024-02-29T10:00:00Z"), "2024-02-29");
  EXPECT_EQ(fhir_date("2024-02-29", true), "2024-02");
  EXPECT_EQ(fhir_date("2024"), "2024");
}

ChildRecord sample_record() {
  ChildRecord r;
  r.child_id = 7;
  r.nhs_number = "9434765919";
  r.identities.push_back(
      {"gp", "G1", "Zoe Anne", "O'Brien", "2021-03-04", "female", "LS12 1AA", "A"});
  r.identities.push_back(
      {"acute", "A1", "Zoe", "OBrien", "2021-03-04", "female", "LS12 1AA", std::nullopt});
  return r;
}

TEST(FhirResources, PatientIdentifiableAndPseudonymised) {
  const json::object p = patient_resource(sample_record(), kChild);
  const std::string text = json::serialize(p);
  EXPECT_TRUE(
      contains(text, R"({"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"})"));
  EXPECT_EQ(p.at("name").as_array().size(), 2u);
  EXPECT_EQ(obj(p.at("name").as_array()[0]).at("given").as_array().size(), 2u);
  EXPECT_EQ(str(p.at("gender")), "female");
  EXPECT_EQ(str(p.at("birthDate")), "2021-03-04");
  EXPECT_TRUE(contains(text, "LS12 1AA"));
  EXPECT_EQ(p.at("address").as_array().size(), 1u);  // the same postcode once

  const json::object q = patient_resource(sample_record(), Subject{"ab12", true});
  const std::string hidden = json::serialize(q);
  EXPECT_EQ(str(q.at("id")), "ab12");
  EXPECT_EQ(str(q.at("birthDate")), "2021-03");
  for (const char* secret : {"9434765919", "Zoe", "Brien", "LS12", "G1", "identifier", "name"}) {
    EXPECT_FALSE(contains(hidden, secret)) << secret;
  }
  EXPECT_TRUE(contains(hidden, "PSEUDED"));
  EXPECT_EQ(str(q.at("gender")), "female");
  // A birth event gives the birth date away: month only when pseudonymised.
  RecordEvent birth = event("birth", "RZA01", std::nullopt, "3089 g");
  birth.start_date = "2021-03-04";
  const json::object b = event_resource(birth, Subject{"ab12", true}, kToday);
  EXPECT_EQ(str(b.at("effectiveDateTime")), "2021-03");
  EXPECT_EQ(str(obj(b.at("subject")).at("reference")), "Patient/ab12");
}

TEST(FhirResources, ProtectionFlagsBecomeAFlagAndACareTeam) {
  ProtectionFlag f;
  f.kind = "child-protection-plan";
  f.title = "Child protection plan";
  f.category = "NEG";
  f.start = "2025-01-01";
  f.source = "social_care_leeds";
  f.event_id = 99;
  f.local_authority = LocalAuthorityContact{"E08000035", "Leeds Children's Services",
                                            "0113 000 0000", "0113 000 0001", ""};
  const json::object flag = protection_flag_resource(f, kChild);
  EXPECT_EQ(str(flag.at("id")), "cpis-99");
  EXPECT_EQ(str(flag.at("status")), "active");
  EXPECT_EQ(str(obj(flag.at("code")).at("text")), "Child protection plan (NEG)");
  EXPECT_EQ(str(obj(flag.at("period")).at("start")), "2025-01-01");
  EXPECT_EQ(str(obj(flag.at("author")).at("display")), "Leeds Children's Services");
  const json::object team = protection_care_team_resource(f, kChild);
  EXPECT_EQ(str(obj(obj(team.at("category").as_array()[0]).at("coding").as_array()[0]).at("code")),
            "child-protection-plan");
  EXPECT_EQ(str(obj(team.at("managingOrganization").as_array()[0]).at("display")),
            "Leeds Children's Services");
  const auto& telecom = team.at("telecom").as_array();
  ASSERT_EQ(telecom.size(), 2u);
  EXPECT_EQ(str(obj(telecom[0]).at("value")), "0113 000 0000");
  EXPECT_EQ(str(obj(telecom[1]).at("value")), "0113 000 0001");
  EXPECT_TRUE(contains(json::serialize(telecom[1]), "out-of-hours"));
}

TEST(FhirResources, VersionFollowsContent) {
  json::object a = patient_resource(sample_record(), kChild);
  json::object b = a;
  EXPECT_EQ(set_version(a), set_version(b));
  EXPECT_EQ(content_version(a), set_version(a));  // meta.versionId itself does not count
  b["gender"] = "male";
  EXPECT_NE(content_version(a), content_version(b));
  EXPECT_EQ(content_version(a).size(), 16u);
}

// --- search parameters ------------------------------------------------------------

TEST(FhirSearch, DatePrefixesFollowTheSpec) {
  const auto f = [](const char* text) { return must(parse_date_filter(text)); };
  EXPECT_EQ(f("2024").lo, "2024-01-01");
  EXPECT_EQ(f("2024").hi, "2024-12-31");
  EXPECT_EQ(f("2024-02").hi, "2024-02-29");
  EXPECT_EQ(f("ge2024-02-03T10:00:00Z").lo, "2024-02-03");
  EXPECT_FALSE(parse_date_filter("xx2024").ok());
  EXPECT_FALSE(parse_date_filter("2024-02-30").ok());
  EXPECT_FALSE(parse_date_filter("yesterday").ok());
  // An event on 2024-03-04 and an episode over March–June 2024.
  struct Case {
    const char* filter;
    bool day, episode;
  };
  for (const Case& c : std::vector<Case>{{"2024-03-04", true, false},
                                         {"2024-03", true, false},
                                         {"2024", true, true},
                                         {"ne2024-03-04", false, true},
                                         {"gt2024-03-31", false, true},
                                         {"lt2024-03-04", false, true},
                                         {"ge2024-03-04", true, true},
                                         {"le2024-03-03", false, true},
                                         {"sa2024-02-29", true, true},
                                         {"eb2024-07-01", true, true},
                                         {"ap2024-05", false, true}}) {
    EXPECT_EQ(date_matches(f(c.filter), "2024-03-04", "2024-03-04"), c.day) << c.filter;
    EXPECT_EQ(date_matches(f(c.filter), "2024-03-01", "2024-06-30"), c.episode) << c.filter;
  }
}

// Found by fuzz_fhir_search: a :modifier holding an escaped '&' was written
// back unescaped, so a paging link split it into two parameters.
TEST(FhirSearch, FormatQueryReadsBackAsItWas) {
  const QueryParams params = {{"name:con&tains", "o'b & c"}, {"date", "ge2024-01-01"}};
  auto again = parse_query(format_query(params));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, params);
}

TEST(FhirSearch, ParametersAreCheckedStrictly) {
  const auto parse = [](const std::string& type, const std::string& query) {
    return parse_search(type, must(parse_query(query)));
  };
  auto s = must(parse("Immunization",
                      "patient=Patient/12&date=ge2020,le2010&date=lt2030&"
                      "vaccine-code=http://snomed.info/sct|871831003&_count=900"));
  EXPECT_EQ(s.patient, 12);
  ASSERT_EQ(s.dates.size(), 2u);     // AND
  EXPECT_EQ(s.dates[0].size(), 2u);  // OR
  EXPECT_EQ(s.codes[0][0].system, "http://snomed.info/sct");
  EXPECT_EQ(s.codes[0][0].code, "871831003");
  EXPECT_EQ(s.count, kMaxCount);
  EXPECT_EQ(must(parse("Observation", "patient=3&_include=*:patient")).include_patient, true);
  EXPECT_EQ(must(parse("Condition", "patient=3&clinical-status=active")).statuses.size(), 1u);
  EXPECT_EQ(must(parse("Patient", "name:exact=Smith")).names[0][0].mode,
            StringFilter::Mode::kExact);
  for (const auto& [type, query] : std::vector<std::pair<std::string, std::string>>{
           {"Observation", "colour=blue"},
           {"Observation", "code:text=height"},
           {"Observation", "patient=Practitioner/1"},
           {"Observation", "date=2024-99"},
           {"Observation", "_count=-1"},
           {"Observation", "_include=Observation:performer"},
           {"Patient", "patient=1"},
           {"Patient", "_format=xml"},
           {"Observation", "code=%zz"}}) {
    const auto params = parse_query(query);
    EXPECT_FALSE(params.ok() && parse_search(type, *params).ok()) << type << "?" << query;
  }
  EXPECT_EQ(parse_token("|abc").system, "");
  EXPECT_EQ(parse_token("abc").system, std::nullopt);
}

// --- the API, through Router::handle --------------------------------------------

// Child A (NHS 943 476 5919) and child C are registered at practice GP001;
// child B at GP002. A has events from every kind of source, an open child
// protection plan in Leeds, and a looked-after episode.
class FhirApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("gp.ndjson"))
        << patient("g1", "9434765919", "O'Brien", "Zoë", "2021-03-04", "female", "GP001")
        << patient("g2", "9990226172", "Smith", "Adam", "2015-06-01", "male", "GP002")
        << patient("g3", "9994205102", "Smith", "Beth", "2019-01-01", "female", "GP001")
        << R"({"resourceType":"Immunization","id":"i1","status":"completed","patient":{"reference":"Patient/g1"},"vaccineCode":{"coding":[{"system":"http://snomed.info/sct","code":"871831003","display":"MMR"}]},"occurrenceDateTime":"2022-03-10"})"
           "\n"
        << R"({"resourceType":"Immunization","id":"i2","status":"not-done","patient":{"reference":"Patient/g1"},"vaccineCode":{"coding":[{"system":"http://snomed.info/sct","code":"871908002","display":"MMRV"}]},"occurrenceDateTime":"2022-03-11"})"
           "\n"
        << R"({"resourceType":"Immunization","id":"i3","status":"completed","patient":{"reference":"Patient/g2"},"vaccineCode":{"coding":[{"system":"http://snomed.info/sct","code":"871831003","display":"MMR"}]},"occurrenceDateTime":"2016-07-01"})"
           "\n"
        << R"({"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"system":"http://snomed.info/sct","code":"50373000","display":"Body height"}]},"subject":{"reference":"Patient/g1"},"effectiveDateTime":"2024-03-04","valueQuantity":{"value":112.4,"unit":"cm"}})"
           "\n"
        << R"({"resourceType":"Observation","id":"o2","status":"final","code":{"coding":[{"system":"http://snomed.info/sct","code":"27113001","display":"Body weight"}]},"subject":{"reference":"Patient/g1"},"effectiveDateTime":"2023-01-01","valueQuantity":{"value":15.2,"unit":"kg"}})"
           "\n"
        << R"({"resourceType":"Encounter","id":"e1","status":"finished","type":[{"coding":[{"system":"http://snomed.info/sct","code":"11429006","display":"Consultation"}]}],"subject":{"reference":"Patient/g1"},"period":{"start":"2024-05-01","end":"2024-05-01"}})"
           "\n"
        << R"({"resourceType":"Condition","id":"c1","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"195967001","display":"Asthma"}]},"subject":{"reference":"Patient/g1"},"onsetDateTime":"2023-02-01"})"
           "\n"
        << R"({"resourceType":"CarePlan","id":"cp1","status":"active","intent":"plan","category":[{"coding":[{"system":"https://onechild.example/fhir/CodeSystem/care-plan","code":"asthma","display":"Asthma action plan"}]}],"subject":{"reference":"Patient/g1"},"period":{"start":"2023-02-02"}})"
           "\n"
        << R"({"resourceType":"ServiceRequest","id":"sr1","status":"active","intent":"order","code":{"coding":[{"system":"https://onechild.example/fhir/CodeSystem/referral","code":"community-paediatrics","display":"Referral to community paediatrics"}]},"subject":{"reference":"Patient/g1"},"authoredOn":"2024-01-01","reasonCode":[{"text":"Suspected ADHD"}]})"
           "\n"
        << R"({"resourceType":"Procedure","id":"p1","status":"completed","code":{"coding":[{"system":"http://snomed.info/sct","code":"80146002","display":"Appendicectomy"}]},"subject":{"reference":"Patient/g1"},"performedDateTime":"2024-06-01"})"
           "\n";
    auto db = must(Database::open(dir_.file("x.db")));
    must(ingest_paths(db, {dir_.file("gp.ndjson")}));
    must(link_unlinked(db));
    a_ = must(find_child_by_nhs_number(db, must(NhsNumber::parse("9434765919")))).value();
    b_ = must(find_child_by_nhs_number(db, must(NhsNumber::parse("9990226172")))).value();
    c_ = must(find_child_by_nhs_number(db, must(NhsNumber::parse("9994205102")))).value();
    // Sources that arrive as CSV, written row by row and linked as linkage would.
    person(db, a_, "social_care_leeds", "S1", "9434765919", "Zoe", "O'Brien", "2021-03-04");
    person(db, a_, "mental_health", "M1", "9434765919", "Zoe", "O'Brien", "2021-03-04");
    person(db, b_, "acute", "A2", "9990226172", "Adam", "Smith", "2015-06-01");
    cp_plan_ = event(db, "social_care_leeds", "S1", "social-care-episode", "2025-01-01", {},
                     "https://www.gov.uk/government/collections/children-in-need#category-of-abuse",
                     "NEG", "Child protection plan", {}, "initial category NEG");
    looked_after_ =
        event(db, "social_care_leeds", "S1", "social-care-episode", "2024-01-10", "2024-04-08",
              "https://www.gov.uk/government/collections/looked-after-children#legal-status", "C1",
              "Looked after", "E4A", "placement P1");
    event(db, "mental_health", "M1", "outcome-measure", "2024-06-23", {},
          "https://onechild.example/fhir/CodeSystem/outcome-measure", "SDQ-TD", {}, {}, "17");
    ed_ = event(db, "acute", "A2", "ed-attendance", "2022-03-27", {}, "http://snomed.info/sct",
                "82271004", "Injury of head", "01", "306689006");
    std::ofstream(dir_.file("la.csv"))
        << "code,name,social_care_source,office_hours_phone,out_of_hours_phone,email\n"
           "E08000035,Leeds Children's Services,social_care_leeds,0113 000 0000,0113 000 0001,\n";
    must(load_local_authorities(db, dir_.file("la.csv")));
    gp_ = token(db, "gp1", "gp", "GP001", "user/*.read");
    gp_immunizations_only_ = token(db, "gp2", "gp", "GP001", "user/Immunization.read");
    analyst_ = token(db, "an1", "analyst", "", "system/*.read");
    second_analyst_ = token(db, "an2", "analyst", "", "system/*.read");
    emergency_ = token(db, "ed1", "emergency-clinician", "RXX", "user/*.read");
    must(add_user_row(db, "parent1", "parent", ""));
    family_ = must(issue_token(db, {"app", "parent1", "patient/*.read", a_, 24}));
  }

  static std::string patient(const char* id, const char* nhs, const char* family, const char* given,
                             const char* born, const char* gender, const char* practice) {
    return std::string(R"({"resourceType":"Patient","id":")") + id +
           R"(","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":")" + nhs +
           R"("}],"name":[{"family":")" + family + R"(","given":[")" + given +
           R"("]}],"gender":")" + gender + R"(","birthDate":")" + born +
           R"(","address":[{"postalCode":"LS12 1AA"}],"generalPractitioner":[{"reference":"Organization/)" +
           practice + R"("}]})" + "\n";
  }

  std::pair<int64_t, int64_t> source(Database& db, const std::string& code) {
    if (auto it = sources_.find(code); it != sources_.end()) return it->second;
    auto system = must(
        db.prepare("INSERT INTO source_systems (code, format, created_at) VALUES (?1, 'csv', ?2)"));
    system.bind(1, code).bind(2, timestamp_now());
    must(system.run());
    const int64_t id = db.last_insert_id();
    auto batch = must(db.prepare(
        "INSERT INTO ingest_batches (source_system_id, file_path, file_sha256, received_at, "
        "rows_read, rows_accepted, rows_unchanged, rows_quarantined) "
        "VALUES (?1, ?2, 'sha', ?3, 0, 0, 0, 0)"));
    batch.bind(1, id).bind(2, code + ".csv").bind(3, timestamp_now());
    must(batch.run());
    return sources_[code] = {id, db.last_insert_id()};
  }

  void person(Database& db, int64_t child, const std::string& src, const std::string& id,
              const std::string& nhs, const std::string& given, const std::string& family,
              const std::string& born) {
    const auto [system, batch] = source(db, src);
    auto stmt = must(db.prepare(
        "INSERT INTO source_persons (source_system_id, original_id, nhs_number, "
        "nhs_number_recorded, nhs_number_status, given_name, family_name, birth_date, "
        "content_hash, batch_id, line) VALUES (?1, ?2, ?3, ?3, 'valid', ?4, ?5, ?6, ?7, ?8, ?9)"));
    stmt.bind(1, system).bind(2, id).bind(3, nhs).bind(4, given).bind(5, family).bind(6, born);
    ++line_;
    stmt.bind(7, "h" + std::to_string(line_)).bind(8, batch).bind(9, int64_t{line_});
    must(stmt.run());
    auto link = must(db.prepare(
        "INSERT INTO links (source_person_id, child_id, method, created_at) VALUES (?1, ?2, "
        "'nhs-number', ?3)"));
    link.bind(1, db.last_insert_id()).bind(2, child).bind(3, timestamp_now());
    must(link.run());
  }

  int64_t event(Database& db, const std::string& src, const std::string& person,
                const std::string& kind, const std::string& start, std::optional<std::string> end,
                std::optional<std::string> system, std::optional<std::string> code,
                std::optional<std::string> display, std::optional<std::string> status,
                std::optional<std::string> value) {
    const auto [system_id, batch] = source(db, src);
    auto stmt = must(db.prepare(
        "INSERT INTO source_events (source_system_id, original_id, person_original_id, kind, "
        "code_system, code, display, start_date, end_date, status, value, content_hash, batch_id, "
        "line) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"));
    ++line_;
    stmt.bind(1, system_id).bind(2, "E" + std::to_string(line_)).bind(3, person).bind(4, kind);
    stmt.bind(5, system).bind(6, code).bind(7, display).bind(8, start).bind(9, end);
    stmt.bind(10, status).bind(11, value).bind(12, "h" + std::to_string(line_));
    stmt.bind(13, batch).bind(14, int64_t{line_});
    must(stmt.run());
    return db.last_insert_id();
  }

  static Status add_user_row(Database& db, const std::string& username, const std::string& role,
                             const std::string& organisation) {
    auto stmt = db.prepare(
        "INSERT INTO users (username, display_name, role, password_hash, created_at, "
        "organisation) VALUES (?1, ?1, ?2, 'not-a-hash', ?3, ?4)");
    if (!stmt.ok()) return stmt.error();
    stmt->bind(1, username).bind(2, role).bind(3, timestamp_now()).bind(4, organisation);
    return stmt->run();
  }

  std::string token(Database& db, const std::string& username, const std::string& role,
                    const std::string& organisation, const std::string& scopes) {
    must(add_user_row(db, username, role, organisation));
    return must(issue_token(db, {username + "-client", username, scopes, std::nullopt, 24}));
  }

  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& prefer = "", const std::string& if_none_match = "") {
    HttpRequest r{method, target, "", "", "fhir.test", ""};
    if (!token.empty()) r.authorization = "Bearer " + token;
    r.prefer = prefer;
    r.if_none_match = if_none_match;
    return router_.handle(r);
  }
  HttpResponse get(const std::string& target, const std::string& token) {
    return call("GET", target, token);
  }
  // The response body as JSON, checking it is FHIR JSON.
  static json::object body(const HttpResponse& r) {
    EXPECT_EQ(r.content_type.rfind("application/fhir+json", 0), 0u) << r.content_type;
    return json::parse(r.body).as_object();
  }
  static std::string header(const HttpResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }
  // The ids of a searchset's matches.
  static std::vector<std::string> ids(const json::object& bundle, const char* mode = "match") {
    std::vector<std::string> out;
    if (!bundle.contains("entry")) return out;
    for (const auto& e : bundle.at("entry").as_array()) {
      if (str(obj(e).at("search").at("mode")) != mode) continue;
      out.push_back(str(obj(obj(e).at("resource")).at("id")));
    }
    return out;
  }
  static std::string link(const json::object& bundle, const char* relation) {
    for (const auto& l : bundle.at("link").as_array()) {
      if (str(obj(l).at("relation")) == relation) return str(obj(l).at("url"));
    }
    return "";
  }
  static void expect_outcome(const HttpResponse& r, int status, const char* code) {
    EXPECT_EQ(r.status, status) << r.body;
    const json::object o = body(r);
    EXPECT_EQ(str(o.at("resourceType")), "OperationOutcome");
    EXPECT_EQ(str(obj(o.at("issue").as_array()[0]).at("code")), code) << r.body;
  }
  int64_t audits(const std::string& action, const std::string& outcome = "allowed") {
    auto db = must(Database::open(dir_.file("x.db")));
    auto stmt =
        must(db.prepare("SELECT count(*) FROM audit_events WHERE action = ?1 AND outcome = ?2"));
    stmt.bind(1, action).bind(2, outcome);
    must(stmt.step());
    return stmt.column_int64(0);
  }
  std::string last_audit_children() {
    auto db = must(Database::open(dir_.file("x.db")));
    auto stmt = must(db.prepare("SELECT children FROM audit_events ORDER BY seq DESC LIMIT 1"));
    must(stmt.step());
    return stmt.column_text(0);
  }
  std::string id(int64_t n) const { return std::to_string(n); }

  // Kick-off, poll until done, and the manifest.
  json::object export_and_wait(const std::string& target, const std::string& token) {
    auto kick = call("GET", target, token, "respond-async");
    EXPECT_EQ(kick.status, 202) << kick.body;
    const std::string status_url = header(kick, "Content-Location");
    EXPECT_TRUE(contains(status_url, "http://fhir.test/fhir/R4/$export-status/")) << status_url;
    const std::string path = status_url.substr(std::string("http://fhir.test").size());
    for (int i = 0; i < 600; ++i) {
      auto status = get(path, token);
      if (status.status == 200) {
        EXPECT_EQ(status.content_type, "application/json");
        return json::parse(status.body).as_object();
      }
      EXPECT_EQ(status.status, 202) << status.body;
      EXPECT_FALSE(header(status, "X-Progress").empty());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "the export did not finish";
    return {};
  }
  // Every file of a manifest: type -> lines.
  std::map<std::string, std::vector<std::string>> download(const json::object& manifest,
                                                           const std::string& token) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& o : manifest.at("output").as_array()) {
      const std::string url = str(obj(o).at("url"));
      auto file = get(url.substr(std::string("http://fhir.test").size()), token);
      EXPECT_EQ(file.status, 200) << url;
      EXPECT_EQ(file.content_type, "application/fhir+ndjson");
      std::istringstream lines(file.body);
      int64_t n = 0;
      for (std::string line; std::getline(lines, line); ++n)
        out[str(obj(o).at("type"))].push_back(line);
      EXPECT_EQ(n, obj(o).at("count").to_number<int64_t>()) << url;
    }
    return out;
  }

  TempDir dir_;
  ConnectionPool pool_{dir_.file("x.db")};
  std::map<std::string, std::pair<int64_t, int64_t>> sources_;
  int line_ = 0;
  int64_t a_ = 0, b_ = 0, c_ = 0, cp_plan_ = 0, looked_after_ = 0, ed_ = 0;
  std::string gp_, gp_immunizations_only_, analyst_, second_analyst_, emergency_, family_;
  Router router_{pool_, dir_.path().string()};
};

TEST_F(FhirApiTest, CapabilityStatementIsPublic) {
  auto r = get("/fhir/R4/metadata", "");
  ASSERT_EQ(r.status, 200);
  const json::object cs = body(r);
  EXPECT_EQ(str(cs.at("resourceType")), "CapabilityStatement");
  EXPECT_EQ(str(cs.at("fhirVersion")), "4.0.1");
  EXPECT_EQ(str(cs.at("kind")), "instance");
  std::set<std::string> types;
  for (const auto& res : obj(cs.at("rest").as_array()[0]).at("resource").as_array())
    types.insert(str(obj(res).at("type")));
  for (const char* t :
       {"Patient", "Encounter", "EpisodeOfCare", "Condition", "Observation", "Immunization",
        "ServiceRequest", "CarePlan", "CareTeam", "Flag", "QuestionnaireResponse", "Group"}) {
    EXPECT_TRUE(types.contains(t)) << t;
  }
}

TEST_F(FhirApiTest, NoOrBadTokenIs401WithAChallengeAndIsAudited) {
  for (const std::string& token : {std::string(), std::string(64, 'a'), std::string("nonsense")}) {
    auto r = get("/fhir/R4/Patient/" + id(a_), token);
    expect_outcome(r, 401, "login");
    EXPECT_EQ(header(r, "WWW-Authenticate").rfind("Bearer", 0), 0u);
  }
  EXPECT_EQ(audits("denied", "denied"), 3);
}

TEST_F(FhirApiTest, ReadsPatientWithETagAnd304) {
  auto r = get("/fhir/R4/Patient/" + id(a_), gp_);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::object p = body(r);
  EXPECT_EQ(str(p.at("id")), id(a_));
  EXPECT_TRUE(
      contains(r.body, R"({"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"})"));
  const std::string version = str(obj(p.at("meta")).at("versionId"));
  EXPECT_EQ(header(r, "ETag"), "W/\"" + version + "\"");
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  auto again = call("GET", "/fhir/R4/Patient/" + id(a_), gp_, "", "W/\"" + version + "\"");
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(call("GET", "/fhir/R4/Patient/" + id(a_), gp_, "", "W/\"other\"").status, 200);
  // vread of the current version; an old one is not kept.
  EXPECT_EQ(get("/fhir/R4/Patient/" + id(a_) + "/_history/" + version, gp_).status, 200);
  expect_outcome(get("/fhir/R4/Patient/" + id(a_) + "/_history/0000", gp_), 404, "not-found");
  EXPECT_EQ(audits("read"), 4);
  EXPECT_EQ(last_audit_children(), id(a_));
}

TEST_F(FhirApiTest, ReadsEventResourcesOnlyUnderTheirOwnType) {
  auto search = body(get("/fhir/R4/Immunization?patient=" + id(a_), gp_));
  const std::string imm = ids(search).at(0);
  auto r = get("/fhir/R4/Immunization/" + imm, gp_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(str(obj(body(r).at("patient")).at("reference")), "Patient/" + id(a_));
  EXPECT_FALSE(header(r, "ETag").empty());
  expect_outcome(get("/fhir/R4/Observation/" + imm, gp_), 404, "not-found");
  expect_outcome(get("/fhir/R4/Immunization/999999", gp_), 404, "not-found");
  expect_outcome(get("/fhir/R4/Immunization/abc", gp_), 404, "not-found");
}

TEST_F(FhirApiTest, ErrorsAreOperationOutcomes) {
  expect_outcome(get("/fhir/R4/Patient/999999", gp_), 404, "not-found");
  expect_outcome(get("/fhir/R4/Practitioner/1", gp_), 404, "not-supported");
  expect_outcome(get("/fhir/R4/Observation?patient=" + id(a_) + "&colour=blue", gp_), 400,
                 "invalid");
  expect_outcome(get("/fhir/R4/Observation?patient=" + id(a_) + "&date=2024-13", gp_), 400,
                 "invalid");
  expect_outcome(get("/fhir/R4/Observation", gp_), 400, "required");
  auto post = call("POST", "/fhir/R4/Patient/" + id(a_), gp_);
  expect_outcome(post, 405, "not-supported");
  EXPECT_EQ(header(post, "Allow"), "GET");
  expect_outcome(call("DELETE", "/fhir/R4/Observation", gp_), 405, "not-supported");
}

TEST_F(FhirApiTest, NoRelationshipIs403AndAudited) {
  auto r = get("/fhir/R4/Patient/" + id(b_), gp_);  // B is registered elsewhere
  expect_outcome(r, 403, "forbidden");
  EXPECT_TRUE(contains(r.body, "legitimate relationship")) << r.body;
  expect_outcome(get("/fhir/R4/Immunization?patient=" + id(b_), gp_), 403, "forbidden");
  expect_outcome(get("/fhir/R4/Patient/" + id(b_) + "/$everything", gp_), 403, "forbidden");
  EXPECT_EQ(audits("denied", "denied"), 3);
  EXPECT_EQ(last_audit_children(), id(b_));
  // An emergency clinician without a relationship may break glass, and is told so.
  auto ed = get("/fhir/R4/Patient/" + id(a_), emergency_);
  expect_outcome(ed, 403, "forbidden");
  EXPECT_TRUE(contains(ed.body, "break-glass"));
}

TEST_F(FhirApiTest, SearchesByEachParameter) {
  const std::string base = "/fhir/R4/";
  const std::string p = "patient=" + id(a_);
  const auto found = [&](const std::string& query) {
    auto r = get(base + query, gp_);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    const auto b = body(r);
    EXPECT_EQ(str(b.at("type")), "searchset");
    return static_cast<int>(b.at("total").to_number<int64_t>());
  };
  EXPECT_EQ(found("Immunization?" + p), 2);
  EXPECT_EQ(found("Immunization?patient=Patient/" + id(a_)), 2);
  EXPECT_EQ(found("Immunization?" + p + "&date=ge2022-03-11"), 1);
  EXPECT_EQ(found("Immunization?" + p + "&date=2022-03"), 2);
  EXPECT_EQ(found("Immunization?" + p + "&date=ge2022-03-11&date=le2022-03-10"), 0);
  EXPECT_EQ(found("Immunization?" + p + "&code=http://snomed.info/sct|871831003"), 1);
  EXPECT_EQ(found("Immunization?" + p + "&vaccine-code=871831003,871908002"), 2);
  EXPECT_EQ(found("Immunization?" + p + "&code=http://other|871831003"), 0);
  EXPECT_EQ(found("Immunization?" + p + "&status=not-done"), 1);
  EXPECT_EQ(found("Observation?" + p + "&code=50373000"), 1);
  EXPECT_EQ(found("Observation?" + p + "&category=exam"), 2);
  EXPECT_EQ(found("Condition?" + p + "&clinical-status=active"), 1);
  EXPECT_EQ(found("Condition?" + p + "&status=resolved"), 0);
  EXPECT_EQ(found("CarePlan?" + p + "&category=asthma"), 1);
  EXPECT_EQ(found("ServiceRequest?" + p + "&authored=2024"), 1);
  EXPECT_EQ(found("Procedure?" + p), 1);
  EXPECT_EQ(found("QuestionnaireResponse?" + p + "&code=SDQ-TD"), 1);
  EXPECT_EQ(found("EpisodeOfCare?" + p), 2);
  EXPECT_EQ(found("EpisodeOfCare?" + p + "&status=active"), 1);
  EXPECT_EQ(found("EpisodeOfCare?" + p + "&date=ap2024-02"), 1);  // the looked-after episode
  EXPECT_EQ(found("EpisodeOfCare?" + p + "&date=2024-02"), 0);    // eq: within February
  EXPECT_EQ(found("Encounter?" + p +
                  "&category=https://onechild.example/fhir/CodeSystem/"
                  "event-kind|encounter"),
            1);
  EXPECT_EQ(found("Encounter?patient=" + id(a_) + "&_id=999"), 0);
  EXPECT_EQ(audits("search"), 23);
}

TEST_F(FhirApiTest, PagesWithNextLinksAndIncludesThePatient) {
  auto first = get("/fhir/R4/Immunization?patient=" + id(a_) + "&_count=1&_include=*:patient", gp_);
  ASSERT_EQ(first.status, 200);
  const auto b1 = body(first);
  EXPECT_EQ(b1.at("total"), 2);
  ASSERT_EQ(ids(b1).size(), 1u);
  EXPECT_EQ(ids(b1, "include"), std::vector<std::string>{id(a_)});
  const std::string next = link(b1, "next");
  ASSERT_FALSE(next.empty());
  EXPECT_TRUE(contains(next, "_offset=1")) << next;
  EXPECT_TRUE(contains(next, "_count=1")) << next;
  auto second = get(next.substr(std::string("http://fhir.test").size()), gp_);
  const auto b2 = body(second);
  ASSERT_EQ(ids(b2).size(), 1u);
  EXPECT_NE(ids(b1)[0], ids(b2)[0]);
  EXPECT_TRUE(link(b2, "next").empty());
  EXPECT_FALSE(link(b2, "previous").empty());
  // fullUrl is absolute.
  EXPECT_EQ(str(obj(b2.at("entry").as_array()[0]).at("fullUrl")),
            "http://fhir.test/fhir/R4/Immunization/" + ids(b2)[0]);
  // _summary=count: the total only.
  auto count = body(get("/fhir/R4/Immunization?patient=" + id(a_) + "&_summary=count", gp_));
  EXPECT_EQ(count.at("total"), 2);
  EXPECT_FALSE(count.contains("entry"));
}

TEST_F(FhirApiTest, PatientSearchReturnsOnlyChildrenTheUserMayOpen) {
  const auto search = [&](const std::string& query) {
    auto r = get("/fhir/R4/Patient?" + query, gp_);
    EXPECT_EQ(r.status, 200) << r.body;
    return ids(body(r));
  };
  // B and C are both Smiths; only C is registered at the user's practice.
  EXPECT_EQ(search("family=smith"), std::vector<std::string>{id(c_)});
  EXPECT_EQ(last_audit_children(), id(c_));
  EXPECT_EQ(search("name=Beth"), std::vector<std::string>{id(c_)});
  EXPECT_TRUE(search("name:exact=smith").empty());
  EXPECT_EQ(search("identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919"),
            std::vector<std::string>{id(a_)});
  EXPECT_TRUE(search("identifier=https://fhir.nhs.uk/Id/nhs-number|9990226172").empty());
  EXPECT_EQ(search("birthdate=2021-03-04"), std::vector<std::string>{id(a_)});
  EXPECT_EQ(search("birthdate=ge2019&gender=female").size(), 2u);
  EXPECT_EQ(search("birthdate=lt2020&gender=female"), std::vector<std::string>{id(c_)});
  EXPECT_EQ(search("_id=" + id(a_) + "," + id(b_)), std::vector<std::string>{id(a_)});
  EXPECT_EQ(search("identifier=https://onechild.example/fhir/Id/social_care_leeds|S1"),
            std::vector<std::string>{id(a_)});
}

TEST_F(FhirApiTest, EverythingHoldsTheWholeRecordWithProtectionFlags) {
  auto r = get("/fhir/R4/Patient/" + id(a_) + "/$everything", gp_);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto b = body(r);
  std::map<std::string, int> types;
  for (const auto& e : b.at("entry").as_array())
    ++types[str(obj(obj(e).at("resource")).at("resourceType"))];
  EXPECT_EQ(types["Patient"], 1);
  EXPECT_EQ(types["Immunization"], 2);
  EXPECT_EQ(types["Observation"], 2);
  EXPECT_EQ(types["EpisodeOfCare"], 2);
  EXPECT_EQ(types["QuestionnaireResponse"], 1);
  EXPECT_EQ(types["Flag"], 1);
  EXPECT_EQ(types["CareTeam"], 1);
  EXPECT_EQ(b.at("total"), static_cast<int64_t>(b.at("entry").as_array().size()));
  EXPECT_EQ(audits("everything"), 1);
  // _type and start narrow it.
  auto narrow = body(get("/fhir/R4/Patient/" + id(a_) +
                             "/$everything?_type=Immunization,Patient"
                             "&start=2022-03-11",
                         gp_));
  EXPECT_EQ(narrow.at("total"), 2);  // the Patient and the 2022-03-11 dose
}

TEST_F(FhirApiTest, ChildProtectionFlagAndCareTeamFollowCpIs) {
  auto flags = body(get("/fhir/R4/Flag?patient=" + id(a_), gp_));
  ASSERT_EQ(flags.at("total"), 1);
  const auto& flag = obj(obj(flags.at("entry").as_array()[0]).at("resource"));
  EXPECT_EQ(str(flag.at("id")), "cpis-" + id(cp_plan_));
  EXPECT_EQ(str(flag.at("status")), "active");
  EXPECT_EQ(str(obj(flag.at("author")).at("display")), "Leeds Children's Services");
  auto teams = body(get("/fhir/R4/CareTeam?patient=" + id(a_), gp_));
  ASSERT_EQ(teams.at("total"), 1);
  const std::string team = json::serialize(teams.at("entry"));
  EXPECT_TRUE(contains(team, "0113 000 0001"));
  EXPECT_TRUE(contains(team, "child-protection-plan"));
  EXPECT_EQ(get("/fhir/R4/CareTeam/cpis-" + id(cp_plan_), gp_).status, 200);
}

TEST_F(FhirApiTest, TokenScopesAndPatientTokensLimitWhatIsRead) {
  EXPECT_EQ(get("/fhir/R4/Immunization?patient=" + id(a_), gp_immunizations_only_).status, 200);
  expect_outcome(get("/fhir/R4/Observation?patient=" + id(a_), gp_immunizations_only_), 403,
                 "forbidden");
  expect_outcome(get("/fhir/R4/Patient/" + id(a_), gp_immunizations_only_), 403, "forbidden");
  // A parent's app: refused until the parent is linked to the child...
  expect_outcome(get("/fhir/R4/Immunization", family_), 403, "forbidden");
  {
    auto db = must(Database::open(dir_.file("x.db")));
    must(grant_family_access(db, "parent1", a_, "parent", false));
  }
  // ...then the one child, found without naming it, and no other.
  auto own = get("/fhir/R4/Immunization", family_);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(body(own).at("total"), 2);
  EXPECT_EQ(ids(body(get("/fhir/R4/Patient", family_))), std::vector<std::string>{id(a_)});
  expect_outcome(get("/fhir/R4/Patient/" + id(c_), family_), 403, "forbidden");
  expect_outcome(get("/fhir/R4/Immunization?patient=" + id(c_), family_), 403, "forbidden");
}

TEST_F(FhirApiTest, AnalystsGet403OnEveryPersonLevelEndpoint) {
  for (const std::string& target : std::vector<std::string>{
           "/fhir/R4/Patient/" + id(a_), "/fhir/R4/Patient?family=smith",
           "/fhir/R4/Immunization?patient=" + id(a_), "/fhir/R4/Patient/" + id(a_) + "/$everything",
           "/fhir/R4/Flag?patient=" + id(a_)}) {
    expect_outcome(get(target, analyst_), 403, "forbidden");
  }
  for (const std::string target :
       {"/fhir/R4/$export", "/fhir/R4/Patient/$export", "/fhir/R4/Group/GP001/$export",
        "/fhir/R4/$export?_pseudonymise=false"}) {
    auto r = call("GET", target, analyst_, "respond-async");
    expect_outcome(r, 403, "forbidden");
    EXPECT_TRUE(contains(r.body, "_pseudonymise=true")) << r.body;
  }
  EXPECT_EQ(audits("denied", "denied"), 9);
  // Clinicians may not export at all.
  expect_outcome(call("GET", "/fhir/R4/$export?_pseudonymise=true", gp_, "respond-async"), 403,
                 "forbidden");
}

TEST_F(FhirApiTest, BulkExportKickOffStatusManifestAndFiles) {
  const json::object manifest = export_and_wait("/fhir/R4/$export?_pseudonymise=true", analyst_);
  EXPECT_EQ(manifest.at("requiresAccessToken"), true);
  EXPECT_EQ(str(manifest.at("request")), "http://fhir.test/fhir/R4/$export?_pseudonymise=true");
  const auto files = download(manifest, analyst_);
  std::set<std::string> pseudonyms;
  for (const std::string& line : files.at("Patient"))
    pseudonyms.insert(str(json::parse(line).at("id")));
  for (const auto& [type, lines] : files) {
    for (const std::string& line : lines) {
      const json::object r = json::parse(line).as_object();  // each line is one resource
      EXPECT_EQ(str(r.at("resourceType")), type);
      const std::string text = line;
      for (const char* secret : {"9434765919", "9990226172", "O'Brien", "Smith", "Zoë", "Beth",
                                 "Adam", "LS12", "2021-03-04", "nhs-number", "GP001"}) {
        EXPECT_FALSE(contains(text, secret)) << secret << " in " << text;
      }
      if (type == "Patient") {
        const std::string pid = str(r.at("id"));
        EXPECT_EQ(pid.size(), 32u);
        EXPECT_EQ(pid.find_first_not_of("0123456789abcdef"), std::string::npos);
        EXPECT_NE(pid, id(a_));
      } else {
        // Every subject is one of the exported (pseudonymous) patients.
        const std::string ref =
            str(obj(r.contains("patient") ? r.at("patient") : r.at("subject")).at("reference"));
        EXPECT_TRUE(pseudonyms.contains(ref.substr(8))) << ref;
      }
    }
  }
  EXPECT_EQ(files.at("Patient").size(), 3u);
  // What analysts may not see is withheld: mental health, child protection detail.
  EXPECT_FALSE(files.contains("QuestionnaireResponse"));
  EXPECT_FALSE(files.contains("Flag"));
  EXPECT_EQ(files.at("EpisodeOfCare").size(), 1u);  // looked after, not the protection plan
  EXPECT_GE(audits("export"), 1 + static_cast<int64_t>(files.size()));
  // Someone else's export is not theirs to see.
  const std::string file = str(manifest.at("output").as_array()[0].at("url"));
  const std::string export_id =
      file.substr(std::string("http://fhir.test/fhir/R4/$export-file/").size());
  const std::string status = "/fhir/R4/$export-status/" + export_id.substr(0, export_id.find('/'));
  EXPECT_EQ(get(status, analyst_).status, 200);
  expect_outcome(get(status, second_analyst_), 404, "not-found");
  expect_outcome(get(file.substr(std::string("http://fhir.test").size()), second_analyst_), 404,
                 "not-found");
}

TEST_F(FhirApiTest, BulkExportHonoursTheNationalDataOptOut) {
  {
    auto db = must(Database::open(dir_.file("x.db")));
    must(record_opt_out(db, "9434765919"));  // child A
  }
  const auto files =
      download(export_and_wait("/fhir/R4/Patient/$export?_pseudonymise=true", analyst_), analyst_);
  // A's GP data is gone; A's children's social care episode stays.
  EXPECT_EQ(files.at("Immunization").size(), 1u);  // B's only
  EXPECT_FALSE(files.contains("Observation"));
  ASSERT_EQ(files.at("EpisodeOfCare").size(), 1u);
  EXPECT_TRUE(contains(files.at("EpisodeOfCare")[0], "Looked after"));
  EXPECT_TRUE(contains(files.at("EpisodeOfCare")[0], "social_care_leeds"));
  // A's Patient comes from the social care record alone.
  EXPECT_EQ(files.at("Patient").size(), 3u);
}

TEST_F(FhirApiTest, BulkExportOfAGroupTypesAndCancel) {
  const auto files = download(
      export_and_wait("/fhir/R4/Group/GP002/$export?_pseudonymise=true&_type=Patient,Encounter",
                      analyst_),
      analyst_);
  EXPECT_EQ(files.size(), 2u);
  EXPECT_EQ(files.at("Patient").size(), 1u);  // B only
  ASSERT_EQ(files.at("Encounter").size(), 1u);
  EXPECT_TRUE(contains(files.at("Encounter")[0], "EMER"));
  expect_outcome(
      call("GET", "/fhir/R4/Group/NOPE/$export?_pseudonymise=true", analyst_, "respond-async"), 404,
      "not-found");
  expect_outcome(call("GET", "/fhir/R4/$export?_pseudonymise=true", analyst_), 400, "invalid");
  expect_outcome(
      call("GET", "/fhir/R4/$export?_pseudonymise=true&_type=Lizard", analyst_, "respond-async"),
      400, "invalid");
  expect_outcome(
      call("GET", "/fhir/R4/$export?_pseudonymise=true&_typeFilter=x", analyst_, "respond-async"),
      400, "not-supported");
  // POST: the parameters as a Parameters resource.
  HttpRequest post{"POST",
                   "/fhir/R4/$export",
                   "",
                   "",
                   "fhir.test",
                   R"({"resourceType":"Parameters","parameter":[)"
                   R"({"name":"_pseudonymise","valueBoolean":true},)"
                   R"({"name":"_type","valueString":"Patient"}]})"};
  post.authorization = "Bearer " + analyst_;
  post.prefer = "respond-async";
  auto posted = router_.handle(post);
  ASSERT_EQ(posted.status, 202) << posted.body;
  post.body = R"({"resourceType":"Parameters","parameter":{}})";
  expect_outcome(router_.handle(post), 400, "invalid");
  EXPECT_EQ(call("DELETE",
                 header(posted, "Content-Location").substr(std::string("http://fhir.test").size()),
                 analyst_)
                .status,
            202);
  // DELETE cancels: afterwards the status is gone.
  auto kick = call("GET", "/fhir/R4/$export?_pseudonymise=true", analyst_, "respond-async");
  ASSERT_EQ(kick.status, 202);
  const std::string status =
      header(kick, "Content-Location").substr(std::string("http://fhir.test").size());
  EXPECT_EQ(call("DELETE", status, analyst_).status, 202);
  expect_outcome(get(status, analyst_), 404, "not-found");
}

TEST_F(FhirApiTest, IdentifiableExportHoldsOnlyChildrenThePrincipalMayOpen) {
  auto db = must(Database::open(dir_.file("x.db")));
  const AccessPolicy policy = must(AccessPolicy::load(AccessPolicy::default_path()));
  ExportRequest request;
  Principal gp;
  gp.user_id = 1;
  gp.username = "gp1";
  gp.role = "gp";
  gp.organisation = "GP001";
  request.principal = gp;
  const auto result = must(run_export(db, policy, request, dir_.path() / "identifiable"));
  EXPECT_EQ(result.children, 2);  // A and C
  EXPECT_EQ(result.refused, 1);   // B
  std::ifstream patients(dir_.path() / "identifiable" / "Patient.ndjson");
  std::stringstream text;
  text << patients.rdbuf();
  EXPECT_TRUE(contains(text.str(), "9434765919"));
  EXPECT_FALSE(contains(text.str(), "9990226172"));
  // Without a principal (the operator's command line): every child.
  const auto all = must(run_export(db, policy, {}, dir_.path() / "all"));
  EXPECT_EQ(all.children, 3);
  EXPECT_EQ(all.refused, 0);
}

TEST_F(FhirApiTest, InMemoryLabelsMatchLabelRecord) {
  auto db = must(Database::open(dir_.file("x.db")));
  const AccessPolicy policy = must(AccessPolicy::load(AccessPolicy::default_path()));
  must(label_event(db, policy, ed_, "sexual-health"));
  must(label_child(db, policy, a_, "sealed-address"));
  const LabelTables tables = must(LabelTables::load(db));
  for (int64_t child : {a_, b_, c_}) {
    const ChildRecord record = must(load_child_record(db, child));
    const RecordLabels expected = must(label_record(db, policy, record));
    const RecordLabels got = tables.label(policy, record);
    EXPECT_EQ(got.by_event, expected.by_event) << child;
    EXPECT_EQ(got.on_child, expected.on_child) << child;
  }
}

}  // namespace
}  // namespace onechild::api::fhir
