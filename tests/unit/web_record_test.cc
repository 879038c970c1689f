// The integrated record page (/children/{id}), its growth JSON and the family
// view (/family, the digital red book), through the router without a socket.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <string>

#include "access/grants.h"
#include "access/users.h"
#include "api/router.h"
#include "ingest/ingest.h"
#include "link/link.h"
#include "record/protection.h"
#include "record/record_summary.h"
#include "support/temp_dir.h"
#include "support/web_session.h"

namespace onechild::api {
namespace {

using testing::TempDir;

constexpr const char* kPassword = "a long enough password";

std::string patient(const std::string& id, const std::string& nhs, const std::string& given,
                    const std::string& born, const std::string& extra = "") {
  return R"({"resourceType":"Patient","id":")" + id +
         R"(","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":")" + nhs +
         R"("}],"name":[{"family":"O'Neil","given":[")" + given + R"("]}],"birthDate":")" + born +
         R"(","address":[{"postalCode":"NB1 4HE"}])" + extra + "}\n";
}

std::string observation(const std::string& id, const std::string& code, const std::string& name,
                        const std::string& date, const std::string& value_json) {
  return R"({"resourceType":"Observation","id":")" + id +
         R"(","status":"final","code":{"coding":[{"system":"http://snomed.info/sct","code":")" +
         code + R"(","display":")" + name +
         R"("}]},"subject":{"reference":"Patient/g1"},"effectiveDateTime":")" + date + R"(",)" +
         value_json + "}\n";
}

class WebRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    {
      std::ofstream gp(dir_.file("gp.ndjson"));
      // Ada, 18 months old: 6-in-1 first dose on time, the rest overdue.
      gp << patient(
                "g1", "9434765919", "<b>Ada</b>", "2025-06-01",
                R"(,"generalPractitioner":[{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"N90001"}}])")
         << R"({"resourceType":"Immunization","id":"i1","status":"completed","patient":{"reference":"Patient/g1"},"vaccineCode":{"coding":[{"system":"http://snomed.info/sct","code":"1162640003","display":"6-in-1 vaccine"}]},"occurrenceDateTime":"2025-08-01"})"
         << "\n"
         << observation("h1", "50373000", "Body height", "2026-06-01",
                        R"("valueQuantity":{"value":80.0,"unit":"cm"})")
         << observation("w1", "27113001", "Body weight", "2026-06-01",
                        R"("valueQuantity":{"value":10.0,"unit":"kg"})")
         << observation("w2", "27113001", "Body weight", "2025-12-01",
                        R"("valueQuantity":{"value":8.2,"unit":"kg"})")
         << R"({"resourceType":"Condition","id":"c1","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"195967001","display":"Asthma"}]},"subject":{"reference":"Patient/g1"},"onsetDateTime":"2026-03-01"})"
         << "\n"
         << R"({"resourceType":"CarePlan","id":"p1","status":"active","intent":"plan","category":[{"coding":[{"system":"https://onechild.example/fhir/CodeSystem/care-plan","code":"asthma","display":"Asthma action plan"}]}],"title":"Asthma action plan","subject":{"reference":"Patient/g1"},"period":{"start":"2026-03-02"}})"
         << "\n";
      // Enough other events that the timeline is cut at 100.
      for (int i = 0; i < 110; ++i) {
        gp << observation(
            "s" + std::to_string(i), "speech", "<i>Speech</i> check",
            "2026-01-" + std::string(i % 28 < 9 ? "0" : "") + std::to_string(i % 28 + 1),
            R"("valueString":"words )" + std::to_string(i) + R"(")");
      }
      // Two children whose parent access has paused (14) and ended (17).
      gp << patient("g2", "9876543210", "Bea", "2012-01-01")
         << patient("g3", "4010232137", "Cal", "2009-01-01");
    }
    std::ofstream(dir_.file("community.ndjson"))
        << patient("c1", "9434765919", "<b>Ada</b>", "2025-06-01")
        << R"({"resourceType":"ServiceRequest","id":"r1","status":"active","intent":"order","code":{"coding":[{"system":"https://onechild.example/fhir/CodeSystem/referral","code":"community-paediatrics","display":"Referral to community paediatrics"}]},"subject":{"reference":"Patient/c1"},"authoredOn":"2026-09-01","reasonCode":[{"text":"Suspected ADHD"}]})"
        << "\n";
    std::ofstream(dir_.file("social_care_testshire.persons.csv"))
        << "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number,upn,ethnicity\n"
        << "991-0000001,<b>Ada</b>,O'Neil,2025-06-01,female,NB1 4HE,943 476 5919,,WBRI\n";
    std::ofstream(dir_.file("social_care_testshire.cin.csv"))
        << "episode_id,local_id,category,start_date,end_date,referral_source,primary_need,"
           "reason_for_closure\n"
        << "CIN1,991-0000001,Child in need,2026-02-01,,3F,N1,\n";
    std::ofstream(dir_.file("las.csv"))
        << "code,name,social_care_source,office_hours_phone,out_of_hours_phone,email\n"
        << "E06999999,Testshire Children's Services,social_care_testshire,01632 960100,"
           "01632 960101,cs@testshire.example\n";
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(db.ok());
    auto ingested = ingest_paths(*db, {dir_.file("gp.ndjson"), dir_.file("community.ndjson"),
                                       dir_.file("social_care_testshire.persons.csv"),
                                       dir_.file("social_care_testshire.cin.csv")});
    ASSERT_TRUE(ingested.ok()) << ingested.error().to_string();
    // Fixed weights (tests/data/linkage): a handful of records is too few to train on.
    auto linked =
        link_unlinked(*db, {ONECHILD_CONFIG_DIR "/../tests/data/linkage/fixed.toml", false, false});
    ASSERT_TRUE(linked.ok()) << linked.error().to_string();
    ASSERT_TRUE(load_local_authorities(*db, dir_.file("las.csv")).ok());
    auto policy = AccessPolicy::load(AccessPolicy::default_path());
    ASSERT_TRUE(policy.ok());
    ASSERT_TRUE(add_user(*db, "hv", "Hana Visitor", "health-visitor", kPassword, "HV1").ok());
    ASSERT_TRUE(add_user(*db, "other", "Olu", "health-visitor", kPassword, "HV2").ok());
    ASSERT_TRUE(add_user(*db, "analyst", "Ann", "analyst", kPassword, "ICB").ok());
    ASSERT_TRUE(add_user(*db, "parent", "Pat Parent", "parent", kPassword, "").ok());
    ASSERT_TRUE(add_user(*db, "yp", "Young Person", "young-person", kPassword, "").ok());
    ASSERT_TRUE(add_caseload_area(*db, "HV1", "NB1").ok());
    ada_ = child_of(*db, "9434765919");
    bea_ = child_of(*db, "9876543210");
    cal_ = child_of(*db, "4010232137");
    // Hana is named on a referral: staff see her name, the family only the team.
    ASSERT_TRUE(add_relationship(*db, *policy, {ada_, "referral", "HV1", "hv"}).ok());
    for (int64_t child : {ada_, bea_, cal_}) {
      ASSERT_TRUE(grant_family_access(*db, "parent", child, "parent", false).ok());
    }
  }

  static int64_t child_of(Database& db, const char* nhs) {
    auto stmt = db.prepare("SELECT id FROM children WHERE nhs_number = ?1");
    stmt->bind(1, std::string(nhs));
    EXPECT_TRUE(*stmt->step());
    return stmt->column_int64(0);
  }

  HttpResponse get(const std::string& target, const std::string& cookie) {
    return router_.handle({"GET", target, cookie, "", "localhost", ""});
  }
  std::string log_in(const std::string& username) {
    const std::string cookie =
        testing::session_cookie_of(testing::post_login(router_, username, kPassword));
    if (cookie.empty()) ADD_FAILURE() << "no session cookie for " << username;
    return cookie;
  }
  int64_t count(const std::string& sql) {
    auto db = Database::open(dir_.file("x.db"));
    auto stmt = db->prepare(sql);
    EXPECT_TRUE(stmt.ok()) << sql;
    EXPECT_TRUE(*stmt->step());
    return stmt->column_int64(0);
  }
  // The text of the element with this id up to its closing tag (for tables).
  static std::string element(const std::string& html, const std::string& id,
                             const std::string& end = "</table>") {
    const size_t at = html.find("id=\"" + id + "\"");
    if (at == std::string::npos) return "";
    return html.substr(at, html.find(end, at) - at);
  }
  std::string path(int64_t child, const std::string& rest = "") {
    return "/children/" + std::to_string(child) + rest;
  }

  TempDir dir_;
  int64_t ada_ = 0, bea_ = 0, cal_ = 0;
  ConnectionPool pool_{dir_.file("x.db")};
  Router router_{pool_, dir_.path().string()};
};

TEST_F(WebRecordTest, TheRecordShowsEverySectionInOrder) {
  const std::string hv = log_in("hv");
  auto r = get(path(ada_), hv);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string& body = r.body;
  // Flags and demographics first, then the sections in the order of the contents list.
  size_t last = 0;
  for (const char* id : {"demographics", "nhsuk-contents-list", "care-team",
                         "immunisations-schedule", "reviews", "growth", "conditions", "referrals",
                         "plans", "education", "social-care-heading", "timeline-heading"}) {
    const size_t at = body.find(id, last);
    ASSERT_NE(at, std::string::npos) << id << " missing or out of order";
    last = at;
  }
  EXPECT_NE(body.find("Verified on 3 sources (community, gp, social_care_testshire)"),
            std::string::npos);
  // Escaped everywhere: the name, and a feed's display text in the timeline.
  EXPECT_NE(body.find("&lt;b&gt;Ada&lt;/b&gt; O&#39;Neil"), std::string::npos);
  EXPECT_EQ(body.find("<b>Ada</b>"), std::string::npos);
  EXPECT_EQ(body.find("<i>Speech</i>"), std::string::npos);
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'view-record' AND outcome = "
                  "'allowed'"),
            1);
}

TEST_F(WebRecordTest, CareTeamNamesTheLeadProfessionalByTheRule) {
  const std::string body = get(path(ada_), log_in("hv")).body;
  const std::string team = element(body, "care-team-table");
  ASSERT_FALSE(team.empty());
  EXPECT_NE(team.find("Registered GP practice"), std::string::npos);
  EXPECT_NE(team.find("N90001"), std::string::npos);
  EXPECT_NE(team.find("Caseload area NB1"), std::string::npos);
  EXPECT_NE(team.find("Hana Visitor"), std::string::npos);  // named on the referral
  // An open child in need episode: the local authority's social worker leads.
  const size_t lead = team.find("Lead professional");
  ASSERT_NE(lead, std::string::npos);
  const size_t row_start = team.rfind("<tr", lead);
  const std::string row = team.substr(row_start, team.find("</tr>", lead) - row_start);
  EXPECT_NE(row.find("Social worker (local authority)"), std::string::npos) << row;
  EXPECT_NE(row.find("Testshire Children&#39;s Services"), std::string::npos) << row;
  EXPECT_NE(row.find("01632 960100"), std::string::npos);
  EXPECT_NE(body.find("social worker leads while"), std::string::npos);
}

TEST_F(WebRecordTest, SchedulesGrowthConditionsReferralsAndPlans) {
  const std::string body = get(path(ada_), log_in("hv")).body;
  const std::string imms = element(body, "immunisations-schedule-table");
  ASSERT_FALSE(imms.empty());
  const size_t first = imms.find("6-in-1 1st dose (8 weeks)");
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(imms.find("Given on time", first), std::string::npos);
  EXPECT_NE(imms.find("1 August 2025", first), std::string::npos);
  EXPECT_NE(imms.find("Overdue"), std::string::npos);  // the 2nd and 3rd doses
  EXPECT_NE(element(body, "reviews-table").find("New birth visit"), std::string::npos);
  // BMI from the height and weight measured the same day: 10 / 0.8² = 15.6.
  const std::string growth = element(body, "growth-table");
  EXPECT_NE(growth.find("80.0 cm"), std::string::npos);
  EXPECT_NE(growth.find("15.6"), std::string::npos);
  EXPECT_NE(growth.find("8.2 kg"), std::string::npos);
  EXPECT_NE(body.find(R"(data-growth-src="/children/)" + std::to_string(ada_) + "/growth.json"),
            std::string::npos);
  EXPECT_NE(element(body, "conditions-table").find("Asthma"), std::string::npos);
  const std::string referrals = element(body, "referrals-table");
  EXPECT_NE(referrals.find("Referral to community paediatrics – Suspected ADHD"),
            std::string::npos);
  EXPECT_NE(element(body, "clocks-table").find("Community paediatrics"), std::string::npos);
  EXPECT_NE(element(body, "plans-table").find("Asthma action plan"), std::string::npos);
  EXPECT_NE(element(body, "social-care").find("Child in need"), std::string::npos);
}

TEST_F(WebRecordTest, TheTimelineIsBoundedUnlessAskedForAll) {
  const std::string hv = log_in("hv");
  const std::string body = get(path(ada_), hv).body;
  const std::string timeline = element(body, "timeline");
  EXPECT_NE(timeline.find("The latest 100 of"), std::string::npos);
  size_t rows = 0;
  for (size_t at = timeline.find("<tr class=\"nhsuk-table__row\"><td"); at != std::string::npos;
       at = timeline.find("<tr class=\"nhsuk-table__row\"><td", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, 100u);
  EXPECT_NE(body.find("?timeline=all"), std::string::npos);
  const std::string all = element(get(path(ada_, "?timeline=all"), hv).body, "timeline");
  EXPECT_NE(all.find("All 1"), std::string::npos);  // "All 11x events"
  EXPECT_NE(all.find("community"), std::string::npos);
  EXPECT_EQ(get(path(ada_, "?timeline=%3Cscript%3E"), hv).status, 400);
}

TEST_F(WebRecordTest, GrowthJsonIsBehindTheSameDecisionAndAudited) {
  auto r = get(path(ada_, "/growth.json"), log_in("hv"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type.rfind("application/json", 0), 0u);
  const auto points = boost::json::parse(r.body).at("points").as_array();
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].at("date").as_string(), "2025-12-01");
  EXPECT_TRUE(points[0].at("height_cm").is_null());
  EXPECT_DOUBLE_EQ(points[1].at("bmi").to_number<double>(), 15.6);
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'view-growth' AND outcome = "
                  "'allowed'"),
            1);
  EXPECT_EQ(get(path(ada_, "/growth.json"), log_in("other")).status, 403);
  EXPECT_EQ(get(path(ada_, "/growth.json"), log_in("analyst")).status, 403);
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'view-growth' AND outcome = "
                  "'denied'"),
            2);
  EXPECT_EQ(get("/children/999999/growth.json", log_in("hv")).status, 404);
}

TEST_F(WebRecordTest, MalformedAddressesAre404Or405NotErrors) {
  const std::string hv = log_in("hv");
  EXPECT_EQ(get("/children/abc/growth.json", hv).status, 404);
  EXPECT_EQ(get(path(ada_, "/nothing"), hv).status, 404);
  EXPECT_EQ(router_
                .handle({"POST", path(ada_, "/growth.json"), hv, "", "localhost",
                         "csrf=" + testing::form_token(router_, hv)})
                .status,
            405);
  const std::string parent = log_in("parent");
  EXPECT_EQ(get("/family/abc", parent).status, 404);
  EXPECT_EQ(get("/family/999999", parent).status, 404);
  EXPECT_EQ(get("/family/1/x", parent).status, 404);
  // No form token: the router refuses the POST before the page sees it.
  EXPECT_EQ(router_.handle({"POST", "/family", parent, "", "localhost", ""}).status, 403);
}

TEST_F(WebRecordTest, TheFamilyListSaysWhichAccessIsActive) {
  auto r = get("/family", log_in("parent"));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string list = element(r.body, "family-children");
  EXPECT_NE(list.find(R"(href="/family/)" + std::to_string(ada_) + "\""), std::string::npos);
  EXPECT_EQ(list.find(R"(href="/family/)" + std::to_string(bea_) + "\""), std::string::npos);
  EXPECT_NE(list.find("Active"), std::string::npos);
  EXPECT_NE(list.find("Suspended for review at 13"), std::string::npos);
  EXPECT_NE(list.find("Ended at 16"), std::string::npos);
  EXPECT_NE(list.find("&lt;b&gt;Ada&lt;/b&gt;"), std::string::npos);
  // A young person with no record linked yet is told so.
  EXPECT_NE(get("/family", log_in("yp")).body.find("No child's record is linked"),
            std::string::npos);
}

TEST_F(WebRecordTest, TheRedBookShowsWhatIsDueAndGivenButNotStaffOrSafeguardingDetail) {
  // An emergency access first: the family sees it.
  const std::string other = log_in("other");
  ASSERT_EQ(router_
                .handle({"POST", path(ada_, "/break-glass"), other, "http://localhost", "localhost",
                         "reason=Brought+in+unconscious+by+ambulance&csrf=" +
                             testing::form_token(router_, other)})
                .status,
            303);
  const std::string parent = log_in("parent");
  // The staff record address leads a parent to the red book.
  auto moved = get(path(ada_), parent);
  EXPECT_EQ(moved.status, 303);
  auto r = get("/family/" + std::to_string(ada_), parent);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string& body = r.body;
  const std::string upcoming = element(body, "upcoming");
  EXPECT_NE(upcoming.find("6-in-1 2nd dose (12 weeks)"), std::string::npos);
  EXPECT_NE(upcoming.find("Overdue"), std::string::npos);
  EXPECT_NE(element(body, "given").find("6-in-1 1st dose (8 weeks)"), std::string::npos);
  EXPECT_NE(element(body, "growth-table").find("15.6"), std::string::npos);
  EXPECT_NE(element(body, "plans-table").find("Asthma action plan"), std::string::npos);
  const std::string team = element(body, "care-team-table");
  EXPECT_NE(team.find("N90001"), std::string::npos);
  EXPECT_EQ(body.find("Hana Visitor"), std::string::npos);   // teams, not staff members
  EXPECT_EQ(body.find("Child in need"), std::string::npos);  // safeguarding detail withheld
  EXPECT_NE(element(body, "emergency-accesses").find("Brought in unconscious by ambulance"),
            std::string::npos);
  EXPECT_EQ(body.find("Olu"), std::string::npos);
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'view-record' AND username = "
                  "'parent' AND outcome = 'allowed'"),
            1);
}

TEST_F(WebRecordTest, ASuspendedParentSeesWhyNotTheRecord) {
  const std::string parent = log_in("parent");
  auto r = get("/family/" + std::to_string(bea_), parent);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("Parent access is suspended for review from age 13"), std::string::npos);
  EXPECT_EQ(r.body.find("Bea"), std::string::npos);
  EXPECT_EQ(get(path(bea_, "/growth.json"), parent).status, 403);
  auto ended = get("/family/" + std::to_string(cal_), parent);
  EXPECT_EQ(ended.status, 403);
  EXPECT_NE(ended.body.find("ended when the young person turned 16"), std::string::npos);
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE username = 'parent' AND outcome = "
                  "'denied'"),
            3);
}

TEST_F(WebRecordTest, OnlyFamilyRolesOpenTheFamilyView) {
  for (const char* who : {"hv", "analyst"}) {
    const std::string cookie = log_in(who);
    EXPECT_EQ(get("/family", cookie).status, 403) << who;
    EXPECT_EQ(get("/family/" + std::to_string(ada_), cookie).status, 403) << who;
  }
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'denied'"), 4);
  // A young person without a grant for Ada is refused her record.
  EXPECT_EQ(get("/family/" + std::to_string(ada_), log_in("yp")).status, 403);
}

TEST(RecordSummary, NhsNumberStatusSaysWhenSourcesDisagree) {
  EXPECT_EQ(nhs_number_status(std::nullopt, {}).state, NumberAgreement::State::kNotKnown);
  const auto differs =
      nhs_number_status("9434765919", {{"gp", "9434765919", "9434765919", "valid"},
                                       {"acute", "4010232137", "4010232137", "valid"},
                                       {"community", std::nullopt, "9434765918", "invalid"}});
  EXPECT_EQ(differs.state, NumberAgreement::State::kDiffers);
  EXPECT_NE(differs.text.find("943 476 5919 (gp)"), std::string::npos);
  EXPECT_NE(differs.text.find("community sent a number that fails the check digit"),
            std::string::npos);
  const auto one = nhs_number_status("9434765919", {{"gp", "9434765919", "9434765919", "valid"}});
  EXPECT_EQ(one.state, NumberAgreement::State::kSingleSource);
}

TEST(RecordSummary, EducationReadsTheLatestCensus) {
  ChildRecord record;
  record.events.push_back({"education_x", "school-census", "2026-10-01", std::nullopt, std::nullopt,
                           "900004", "Autumn 2026", std::nullopt, "year 3, FSM true, SEN K", 2});
  record.events.push_back({"education_x", "school-census", "2025-10-01", std::nullopt, std::nullopt,
                           "900001", "Autumn 2025", std::nullopt, "year 2, FSM false, SEN N", 1});
  const Education ed = education_of(record);
  EXPECT_EQ(ed.school_urn, "900004");
  EXPECT_EQ(ed.year_group, "Year 3");
  EXPECT_EQ(ed.free_meals, "Yes");
  EXPECT_EQ(ed.sen, "SEN support");
}

}  // namespace
}  // namespace onechild::api
