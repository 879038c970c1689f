// The worklists, the hub MDT case list and home, through the router as a
// browser would use them: rendering with real (ingested and linked) data,
// refusals audited, form tokens, escaping, and malformed input as 400 pages.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "access/grants.h"
#include "access/users.h"
#include "api/http_util.h"
#include "api/router.h"
#include "ingest/ingest.h"
#include "link/link.h"
#include "programmes/facts.h"
#include "support/temp_dir.h"
#include "support/web_session.h"

namespace onechild::api {
namespace {

using testing::TempDir;

constexpr const char* kPassword = "a long enough password";

class WebWorklistsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Zoë (escaping in her name) had a tooth extraction two months ago, so
    // the oral health case-finding list finds her; 1000 days old with no
    // reviews, her Healthy Child Programme reviews are overdue. Amir is
    // not on Hana's team's caseload.
    const std::string extracted = format_iso_date(from_day(to_day(today()) - 60));
    const std::string born = format_iso_date(from_day(to_day(today()) - 1000));
    std::ofstream(dir_.file("gp.ndjson"))
        << R"({"resourceType":"Patient","id":"g1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"O'Brien","given":["<b>Zoë</b>"]}],"birthDate":")"
        << born << R"("})"
        << "\n"
        << R"({"resourceType":"Patient","id":"g2","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765870"}],"name":[{"family":"Khan","given":["Amir"]}],"birthDate":")"
        << born << R"("})"
        << "\n"
        << R"({"resourceType":"Procedure","id":"p1","status":"completed","subject":{"reference":"Patient/g1"},"code":{"coding":[{"system":"http://www.datadictionary.nhs.uk/opcs-4","code":"F104","display":"Extraction of multiple teeth"}]},"performedDateTime":")"
        << extracted << R"("})"
        << "\n"
        << R"({"resourceType":"Procedure","id":"p2","status":"completed","subject":{"reference":"Patient/g2"},"code":{"coding":[{"system":"http://www.datadictionary.nhs.uk/opcs-4","code":"F104","display":"Extraction of multiple teeth"}]},"performedDateTime":")"
        << extracted << R"("})"
        << "\n";
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(ingest_paths(*db, {dir_.file("gp.ndjson")}).ok());
    ASSERT_TRUE(link_unlinked(*db).ok());
    zoe_ = child_of(*db, "9434765919");
    amir_ = child_of(*db, "9434765870");
    ASSERT_GT(zoe_, 0);
    ASSERT_GT(amir_, 0);
    auto policy = AccessPolicy::load(AccessPolicy::default_path());
    ASSERT_TRUE(policy.ok());
    policy_ = std::move(*policy);
    ASSERT_TRUE(add_relationship(*db, policy_, {zoe_, "referral", "TEAM1"}).ok());
  }

  static int64_t child_of(Database& db, const char* nhs) {
    auto stmt = db.prepare("SELECT id FROM children WHERE nhs_number = ?1");
    stmt->bind(1, nhs);
    return *stmt->step() ? stmt->column_int64(0) : 0;
  }

  HttpResponse get(const std::string& target, const std::string& cookie) {
    return router_.handle({"GET", target, cookie, "", "localhost", ""});
  }
  HttpResponse post(const std::string& target, const std::string& cookie, const std::string& body) {
    return router_.handle({"POST", target, cookie, "http://localhost", "localhost", body});
  }

  // Accounts are made when first used: hashing a password is slow by design.
  std::string log_in(const std::string& username) {
    static const std::map<std::string, std::tuple<const char*, const char*, const char*>> kUsers = {
        {"hv", {"Hana", "health-visitor", "TEAM1"}},
        {"hv2", {"Hari", "health-visitor", "TEAM1"}},
        {"other", {"Olu", "health-visitor", "TEAM2"}},
        {"analyst", {"Ann", "analyst", "ICB"}},
        {"sendo", {"Sam", "send-officer", "LA"}},
        {"sw", {"Sid", "social-worker", "E06000001"}},
        {"dm", {"Dee", "data-manager", "ICB"}},
        {"ig", {"Ida", "ig-officer", "ICB"}}};
    if (made_.insert(username).second) {
      auto db = Database::open(dir_.file("x.db"));
      const auto& [name, role, org] = kUsers.at(username);
      EXPECT_TRUE(add_user(*db, username, name, role, kPassword, org).ok());
    }
    auto r = testing::post_login(router_, username, kPassword);
    EXPECT_EQ(r.status, 303);
    return testing::session_cookie_of(r);
  }
  std::string token(const std::string& cookie) {
    return "&csrf=" + testing::form_token(router_, cookie);
  }

  int64_t scalar(const std::string& sql, const std::string& bound = "") {
    auto db = Database::open(dir_.file("x.db"));
    auto stmt = db->prepare(sql);
    if (!bound.empty()) stmt->bind(1, bound);
    EXPECT_TRUE(*stmt->step());
    return stmt->column_int64(0);
  }
  int64_t audits(const std::string& action, const std::string& outcome = "allowed") {
    auto db = Database::open(dir_.file("x.db"));
    auto stmt = db->prepare("SELECT count(*) FROM audit_events WHERE action = ?1 AND outcome = ?2");
    stmt->bind(1, action).bind(2, outcome);
    EXPECT_TRUE(*stmt->step());
    return stmt->column_int64(0);
  }

  std::string raise_body(int64_t child, const std::string& reason) {
    return "child=" + std::to_string(child) +
           "&list=oral-health-extraction&page=1&reason=" + url_encode(reason);
  }

  TempDir dir_;
  AccessPolicy policy_;
  int64_t zoe_ = 0, amir_ = 0;
  std::set<std::string> made_;
  ConnectionPool pool_{dir_.file("x.db")};
  Router router_{pool_, dir_.path().string()};
};

TEST_F(WebWorklistsTest, HcpWorklistShowsOverdueReviewsOfRelatedChildrenEscapedAndAudited) {
  const std::string cookie = log_in("hv");
  const int64_t before = audits("view-worklist");
  auto r = get("/worklists?kind=hcp", cookie);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<h1>Worklists</h1>"), std::string::npos);
  EXPECT_NE(r.body.find("Overdue by"), std::string::npos);
  EXPECT_NE(r.body.find("nhsuk-tag--red"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/children/" + std::to_string(zoe_) + "\""), std::string::npos);
  EXPECT_NE(r.body.find("&lt;b&gt;Zoë&lt;/b&gt; O&#39;Brien"), std::string::npos);
  EXPECT_EQ(r.body.find("<b>Zoë"), std::string::npos);
  EXPECT_NE(r.body.find("943 476 5919"), std::string::npos);
  EXPECT_EQ(r.body.find("Amir"), std::string::npos) << "not on the team's caseload";
  EXPECT_NE(r.body.find("aria-current=\"page\""), std::string::npos);
  EXPECT_NE(r.body.find("<caption"), std::string::npos);
  EXPECT_EQ(audits("view-worklist"), before + 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM audit_event_children WHERE child_id = ?1",
                   std::to_string(zoe_)) > 0,
            true);

  // A new relationship shows at once: the cached related set is keyed on it.
  {
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(add_relationship(*db, policy_, {amir_, "referral", "TEAM1"}).ok());
  }
  EXPECT_NE(get("/worklists?kind=hcp", cookie).body.find("Amir Khan"), std::string::npos);
}

TEST_F(WebWorklistsTest, FiltersEmptyStatePagingAndTheDefaultKind) {
  const std::string cookie = log_in("hv");
  auto defaulted = get("/worklists", cookie);
  EXPECT_EQ(defaulted.status, 200);
  EXPECT_NE(defaulted.body.find("id=\"worklist-title\">Healthy Child Programme reviews"),
            std::string::npos);
  auto elsewhere = get("/worklists?kind=hcp&practice=zz999", cookie);
  EXPECT_EQ(elsewhere.status, 200);
  EXPECT_NE(elsewhere.body.find("id=\"worklist-empty\""), std::string::npos);
  EXPECT_NE(elsewhere.body.find("value=\"zz999\""), std::string::npos);
  auto upcoming = get("/worklists?kind=imms&upcoming=30", cookie);
  EXPECT_EQ(upcoming.status, 200);
  EXPECT_NE(upcoming.body.find("value=\"30\""), std::string::npos);
  auto other = get("/worklists?kind=hcp", log_in("other"));
  EXPECT_EQ(other.status, 200);
  EXPECT_NE(other.body.find("id=\"worklist-empty\""), std::string::npos);
  EXPECT_EQ(other.body.find("Zo"), std::string::npos);
}

TEST_F(WebWorklistsTest, MalformedInputIsA400PageWithAnErrorSummary) {
  const std::string cookie = log_in("hv");
  for (const char* target :
       {"/worklists?kind=bogus", "/worklists?kind=hcp&practice=%3Cscript%3E",
        "/worklists?kind=hcp&upcoming=abc", "/worklists?kind=hcp&upcoming=366",
        "/worklists?kind=hcp&page=0", "/worklists?kind=hcp&page=999", "/hub?page=x"}) {
    auto r = get(target, cookie);
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_NE(r.body.find("nhsuk-error-summary"), std::string::npos) << target;
    EXPECT_EQ(r.body.find("<script>"), std::string::npos) << target;
  }
  EXPECT_NE(get("/worklists?kind=hcp&practice=%3Cscript%3E", cookie).body.find("&lt;script&gt;"),
            std::string::npos);
  EXPECT_EQ(
      post("/hub/cases", cookie, "child=abc&list=oral-health-extraction&reason=x" + token(cookie))
          .status,
      400);
  EXPECT_EQ(post("/hub/cases", cookie, "child=1&list=no-such-list&reason=x" + token(cookie)).status,
            400);
  EXPECT_EQ(post("/hub/cases/abc/outcome", cookie, "action=x" + token(cookie)).status, 404);
  EXPECT_EQ(get("/hub/cases", cookie).status, 405);
  EXPECT_EQ(post("/worklists", cookie, token(cookie).substr(1)).status, 405);
}

TEST_F(WebWorklistsTest, RolesWithoutTheListAreRefusedAndAudited) {
  const int64_t before = audits("denied", "denied");
  const std::string analyst = log_in("analyst");
  EXPECT_EQ(get("/worklists?kind=hcp", analyst).status, 403);
  EXPECT_EQ(get("/hub", analyst).status, 403);
  EXPECT_EQ(post("/hub/cases", analyst, raise_body(zoe_, "a reason") + token(analyst)).status, 403);
  // A SEND officer works EHC plans, not Healthy Child Programme reviews.
  const std::string sendo = log_in("sendo");
  EXPECT_EQ(get("/worklists?kind=hcp", sendo).status, 403);
  EXPECT_EQ(get("/worklists?kind=ehcp", sendo).status, 200);
  EXPECT_EQ(audits("denied", "denied"), before + 4);
  EXPECT_EQ(get("/worklists", "").status, 303) << "a login first";
}

TEST_F(WebWorklistsTest, HubSuggestsRaisesAndRecordsAnOutcome) {
  const std::string cookie = log_in("hv");
  auto page = get("/hub", cookie);
  ASSERT_EQ(page.status, 200) << page.body;
  const std::string field = "reason-" + std::to_string(zoe_) + "-oral-health-extraction";
  EXPECT_NE(page.body.find("id=\"" + field + "\""), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("Oral health: a tooth extraction"), std::string::npos);
  EXPECT_EQ(page.body.find("Amir"), std::string::npos) << "only the team's children";
  EXPECT_NE(page.body.find("id=\"cases-empty\""), std::string::npos);
  EXPECT_GE(audits("view-hub-mdt"), 1);

  // A form without its token is refused.
  EXPECT_EQ(post("/hub/cases", cookie, raise_body(zoe_, "Two extractions")).status, 403);
  // A reason is required: the page again, with the error linked to the field.
  auto missing = post("/hub/cases", cookie, raise_body(zoe_, "   ") + token(cookie));
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("href=\"#" + field + "\""), std::string::npos);
  EXPECT_NE(missing.body.find("nhsuk-textarea--error"), std::string::npos);
  EXPECT_EQ(scalar("SELECT count(*) FROM mdt_cases"), 0);

  const int64_t relationships = scalar("SELECT count(*) FROM relationships WHERE kind = 'mdt'");
  auto raised =
      post("/hub/cases", cookie,
           raise_body(zoe_, "Extraction <script>x</script> & no dentist") + token(cookie));
  ASSERT_EQ(raised.status, 303) << raised.body;
  EXPECT_EQ(testing::header_of(raised, "Location"), "/hub?done=raised#cases");
  EXPECT_EQ(scalar("SELECT count(*) FROM mdt_cases WHERE status = 'open' AND organisation = "
                   "'TEAM1' AND child_id = ?1",
                   std::to_string(zoe_)),
            1);
  EXPECT_EQ(scalar("SELECT count(*) FROM relationships WHERE kind = 'mdt'"), relationships + 1);
  EXPECT_EQ(audits("mdt-raise"), 1);
  // Raising the same child on the same list again is refused with a message.
  EXPECT_EQ(post("/hub/cases", cookie, raise_body(zoe_, "again") + token(cookie)).status, 400);

  auto after = get("/hub?done=raised", cookie);
  EXPECT_NE(after.body.find("Case raised for discussion"), std::string::npos);
  EXPECT_NE(after.body.find("Extraction &lt;script&gt;x&lt;/script&gt; &amp; no dentist"),
            std::string::npos);
  EXPECT_EQ(after.body.find("<script>x"), std::string::npos);
  EXPECT_EQ(after.body.find("id=\"" + field + "\""), std::string::npos) << "no longer suggested";
  const int64_t id = scalar("SELECT id FROM mdt_cases");
  const std::string outcome = "/hub/cases/" + std::to_string(id) + "/outcome";

  // Another team cannot close it; a colleague in the same team can.
  const std::string other = log_in("other");
  EXPECT_EQ(post(outcome, other, "action=no-further-action&outcome=x" + token(other)).status, 404);
  EXPECT_EQ(audits("mdt-outcome", "denied"), 1);
  auto no_action = post(outcome, cookie, "outcome=Seen" + token(cookie));
  EXPECT_EQ(no_action.status, 400);
  EXPECT_NE(no_action.body.find("Choose what the MDT decided"), std::string::npos);
  auto no_text = post(outcome, cookie, "action=refer-specialist-nurse&outcome=" + token(cookie));
  EXPECT_EQ(no_text.status, 400);
  EXPECT_NE(no_text.body.find("href=\"#outcome-" + std::to_string(id) + "\""), std::string::npos);
  const std::string colleague = log_in("hv2");
  auto done =
      post(outcome, colleague,
           "action=refer-specialist-nurse&outcome=Dental+nurse+to+call+%3Cb%3E" + token(colleague));
  ASSERT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(scalar("SELECT count(*) FROM mdt_cases WHERE status = 'closed' AND action = "
                   "'refer-specialist-nurse'"),
            1);
  EXPECT_EQ(audits("mdt-outcome"), 1);
  auto outcomes = get("/hub", cookie);
  EXPECT_NE(outcomes.body.find("id=\"outcomes-table\""), std::string::npos);
  EXPECT_NE(outcomes.body.find("Refer to specialist nurse"), std::string::npos);
  EXPECT_NE(outcomes.body.find("Dental nurse to call &lt;b&gt;"), std::string::npos);
  EXPECT_NE(outcomes.body.find("Hari"), std::string::npos);
  EXPECT_EQ(outcomes.body.find("id=\"" + field + "\""), std::string::npos)
      << "discussed this year: not suggested again";
  // A closed case cannot be closed again.
  EXPECT_EQ(post(outcome, cookie, "action=no-further-action&outcome=x" + token(cookie)).status,
            404);
}

TEST_F(WebWorklistsTest, DiscussAgainRaisesTheCaseForTheNextMeeting) {
  const std::string cookie = log_in("hv");
  ASSERT_EQ(post("/hub/cases", cookie, raise_body(zoe_, "First look") + token(cookie)).status, 303);
  const int64_t id = scalar("SELECT id FROM mdt_cases");
  ASSERT_EQ(post("/hub/cases/" + std::to_string(id) + "/outcome", cookie,
                 "action=discuss-again&outcome=Waiting+for+dental+letter" + token(cookie))
                .status,
            303);
  EXPECT_EQ(scalar("SELECT count(*) FROM mdt_cases WHERE status = 'open' AND reason LIKE "
                   "'Discuss again: Waiting%'"),
            1);
}

TEST_F(WebWorklistsTest, AnotherTeamCannotRaiseAChildItDoesNotCareFor) {
  const std::string other = log_in("other");
  EXPECT_EQ(get("/hub", other).body.find("reason-"), std::string::npos);
  auto r = post("/hub/cases", other, raise_body(zoe_, "Curious") + token(other));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(audits("mdt-raise", "denied"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM mdt_cases"), 0);
}

TEST_F(WebWorklistsTest, HomeShowsEachRoleItsWork) {
  const std::string hv = log_in("hv");
  auto home = get("/", hv);
  ASSERT_EQ(home.status, 200);
  EXPECT_NE(home.body.find("Hello, Hana"), std::string::npos);
  EXPECT_NE(home.body.find("Health visitor"), std::string::npos);
  EXPECT_NE(home.body.find("id=\"worklist-counts\""), std::string::npos);
  EXPECT_NE(home.body.find("href=\"/worklists?kind=hcp\""), std::string::npos);
  EXPECT_NE(home.body.find("overdue</strong>"), std::string::npos);
  EXPECT_NE(home.body.find("0 cases waiting for discussion"), std::string::npos);
  EXPECT_EQ(home.body.find("/linkage"), std::string::npos);
  ASSERT_EQ(post("/hub/cases", hv, raise_body(zoe_, "Look") + token(hv)).status, 303);
  EXPECT_NE(get("/", hv).body.find("1 case waiting for discussion"), std::string::npos);

  auto sw = get("/", log_in("sw"));
  EXPECT_NE(sw.body.find("id=\"notifications\""), std::string::npos);
  EXPECT_NE(sw.body.find("href=\"/notifications\""), std::string::npos);
  auto dm = get("/", log_in("dm"));
  EXPECT_NE(dm.body.find("0 pairs of records to review"), std::string::npos);
  EXPECT_NE(dm.body.find("href=\"/data-quality\""), std::string::npos);
  EXPECT_EQ(dm.body.find("worklist-counts"), std::string::npos);
  auto ig = get("/", log_in("ig"));
  EXPECT_NE(ig.body.find("0 emergency accesses (break glass) not yet reviewed"), std::string::npos);
  auto analyst = get("/", log_in("analyst"));
  EXPECT_NE(analyst.body.find("href=\"/outcomes\""), std::string::npos);
  EXPECT_NE(analyst.body.find("href=\"/board\""), std::string::npos);
  EXPECT_EQ(analyst.body.find("worklist-counts"), std::string::npos);
  EXPECT_EQ(post("/", hv, token(hv).substr(1)).status, 405);
}

}  // namespace
}  // namespace onechild::api
