// The information governance pages (/ig, /ig/break-glass, /ig/chain) and
// the notifications page, through the router without a socket.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>

#include "access/alerts.h"
#include "access/users.h"
#include "api/router.h"
#include "ingest/ingest.h"
#include "link/link.h"
#include "support/temp_dir.h"
#include "support/web_session.h"

namespace onechild::api {
namespace {

using testing::TempDir;

constexpr const char* kPassword = "a long enough password";

class IgPagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("gp.ndjson"))
        << R"({"resourceType":"Patient","id":"g1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"Smith","given":["Zoe"]}],"birthDate":"2021-03-04"})"
        << "\n"
        << R"({"resourceType":"Patient","id":"g2","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765870"}],"name":[{"family":"Jones","given":["Ali"]}],"birthDate":"2020-05-06"})"
        << "\n";
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(ingest_paths(*db, {dir_.file("gp.ndjson")}).ok());
    ASSERT_TRUE(link_unlinked(*db).ok());
    ASSERT_TRUE(
        add_user(*db, "edoc", "Emma <b>Doctor</b>", "emergency-clinician", kPassword, "RZA").ok());
    ASSERT_TRUE(add_user(*db, "hv", "Hana", "health-visitor", kPassword, "TEAM1").ok());
    ASSERT_TRUE(add_user(*db, "ig", "Ida Governance", "ig-officer", kPassword, "ICB").ok());
    ASSERT_TRUE(add_user(*db, "analyst", "Ann", "analyst", kPassword, "ICB").ok());
    ASSERT_TRUE(add_user(*db, "sw", "Sam Social", "social-worker", kPassword, "E06000001").ok());
    ASSERT_TRUE(add_user(*db, "sw2", "Sol Other", "social-worker", kPassword, "E06000002").ok());
  }

  HttpResponse get(const std::string& target, const std::string& cookie) {
    return router_.handle({"GET", target, cookie, "", "localhost", ""});
  }
  HttpResponse post(const std::string& target, const std::string& cookie, const std::string& body) {
    return router_.handle({"POST", target, cookie, "http://localhost", "localhost", body});
  }
  std::string log_in(const std::string& username) {
    auto r = testing::post_login(router_, username, kPassword);
    EXPECT_EQ(r.status, 303) << username;
    return testing::session_cookie_of(r);
  }
  std::string token(const std::string& cookie) {
    return "&csrf=" + testing::form_token(router_, cookie);
  }
  int64_t count(const std::string& sql) {
    auto db = Database::open(dir_.file("x.db"));
    auto stmt = db->prepare(sql);
    EXPECT_TRUE(stmt.ok()) << sql;
    EXPECT_TRUE(*stmt->step());
    return stmt->column_int64(0);
  }
  std::string text(const std::string& sql) {
    auto db = Database::open(dir_.file("x.db"));
    auto stmt = db->prepare(sql);
    EXPECT_TRUE(*stmt->step());
    return stmt->column_text(0);
  }
  // edoc breaks glass on child 1 and opens the record once.
  void break_glass(const std::string& reason = "Unresponsive+child+in+resus%2C+no+history") {
    const std::string doc = log_in("edoc");
    ASSERT_EQ(post("/children/1/break-glass", doc, "reason=" + reason + token(doc)).status, 303);
    ASSERT_EQ(get("/children/1", doc).status, 200);
  }

  TempDir dir_;
  ConnectionPool pool_{dir_.file("x.db")};
  Router router_{pool_, dir_.path().string()};
};

// ------------------------------------------------------------ /ig

TEST_F(IgPagesTest, AuditSearchFindsTheBreakGlassAndIsItselfAudited) {
  break_glass();
  const std::string ig = log_in("ig");
  auto r = get("/ig?action=break-glass&user=edoc&child=1", ig);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string& body = r.body;
  ASSERT_NE(body.find(R"(id="audit-results")"), std::string::npos);
  EXPECT_NE(body.find("reason: Unresponsive child in resus, no history"), std::string::npos);
  EXPECT_NE(body.find("Emergency / unscheduled care clinician"), std::string::npos);
  EXPECT_NE(body.find(R"(<strong class="nhsuk-tag nhsuk-tag--green">allowed</strong>)"),
            std::string::npos);
  EXPECT_NE(body.find("emergency-care"), std::string::npos);
  EXPECT_NE(body.find(R"(<option value="break-glass" selected>)"), std::string::npos);
  EXPECT_NE(body.find(R"(value="edoc")"), std::string::npos);
  // Only the break-glass row: not the record view that followed it.
  EXPECT_EQ(body.find("GET /children/1 (basis"), std::string::npos);
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'search-audit' AND "
                  "outcome = 'allowed' AND children = '1'"),
            1);
  // Newest first: the search row of this request is not in its own results,
  // but the next search shows it at the top.
  auto all = get("/ig", ig);
  ASSERT_EQ(all.status, 200);
  const size_t first_row = all.body.find("<tbody");
  EXPECT_LT(all.body.find("search-audit", first_row), all.body.find("break-glass", first_row));
}

TEST_F(IgPagesTest, AuditSearchPagesFiftyAtATime) {
  const std::string ig = log_in("ig");
  for (int i = 0; i < 60; ++i)
    get("/ig?action=login", ig);  // 60 search-audit rows
  auto first = get("/ig?action=search-audit", ig);
  ASSERT_EQ(first.status, 200);
  EXPECT_NE(first.body.find("Audit entries 1 to 50, newest first"), std::string::npos);
  // The paging links keep the search.
  const std::string dates = "/ig\\?action=search-audit";
  EXPECT_TRUE(std::regex_search(first.body, std::regex(dates + "&amp;page=2\" rel=\"next\"")));
  auto second = get("/ig?action=search-audit&page=2", ig);
  ASSERT_EQ(second.status, 200);
  EXPECT_NE(second.body.find("Audit entries 51 to 61, newest first"), std::string::npos);
  EXPECT_TRUE(std::regex_search(second.body, std::regex(dates + "\" rel=\"prev\"")));
  EXPECT_EQ(second.body.find("page=3"), std::string::npos);
}

TEST_F(IgPagesTest, MalformedSearchesAre400WithTheFieldsKept) {
  const std::string ig = log_in("ig");
  auto r = get("/ig?from=2026-13-01&to=yesterday&child=12a&user=%3Cb%3Eedoc%3C%2Fb%3E", ig);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("nhsuk-error-summary"), std::string::npos);
  EXPECT_NE(r.body.find(R"(href="#from">Enter a real from date)"), std::string::npos);
  EXPECT_NE(r.body.find(R"(href="#to">Enter a real to date)"), std::string::npos);
  EXPECT_NE(r.body.find(R"(href="#child">Enter the child id as a number)"), std::string::npos);
  EXPECT_NE(r.body.find(R"(value="2026-13-01")"), std::string::npos);
  EXPECT_NE(r.body.find(R"(value="12a")"), std::string::npos);
  EXPECT_NE(r.body.find(R"(value="&lt;b&gt;edoc&lt;/b&gt;")"), std::string::npos);
  EXPECT_EQ(r.body.find("<b>edoc"), std::string::npos);
  EXPECT_EQ(r.body.find(R"(id="audit-results")"), std::string::npos);
  EXPECT_EQ(get("/ig?from=2026-11-02&to=2026-11-01", ig).status, 400);
  EXPECT_EQ(get("/ig?action=drop+table", ig).status, 400);
  // An action recorded since the list was written is still searchable.
  auto novel = get("/ig?action=new-thing&user=ig", ig);
  EXPECT_EQ(novel.status, 200);
  EXPECT_NE(novel.body.find(R"(<option value="new-thing" selected>)"), std::string::npos);
  EXPECT_EQ(get("/ig?page=0", ig).status, 400);
  EXPECT_EQ(get("/ig?page=99999999999999999999", ig).status, 400);
  EXPECT_EQ(get("/ig?from=2026-11-01&to=2026-11-01", ig).status, 200);
  // An action alone searches the whole log (audit_events_by_action).
  auto logins = get("/ig?action=login", ig);
  ASSERT_EQ(logins.status, 200);
  EXPECT_NE(logins.body.find("ig (user "), std::string::npos);  // today's login is found
  EXPECT_EQ(get("/ig?action=login&from=2020-01-01&to=2026-03-01", ig).status, 200);
  EXPECT_EQ(get("/ig?action=login&user=ig&from=2020-01-01", ig).status, 200);
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'search-audit' AND "
                  "outcome = 'failed'"),
            5);
}

TEST_F(IgPagesTest, OnlyInformationGovernanceSeesTheAudit) {
  for (const char* who : {"hv", "analyst", "sw", "edoc"}) {
    const std::string cookie = log_in(who);
    for (const char* target : {"/ig", "/ig/break-glass", "/ig/chain"}) {
      EXPECT_EQ(get(target, cookie).status, 403) << who << " " << target;
    }
    EXPECT_EQ(post("/ig/chain/verify", cookie, token(cookie).substr(1)).status, 403) << who;
    EXPECT_EQ(
        post("/ig/break-glass/1/review", cookie, "outcome=appropriate&note=fine" + token(cookie))
            .status,
        403)
        << who;
  }
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'denied' AND "
                  "outcome = 'denied' AND what LIKE '% /ig%'"),
            20);
  // The navigation offers the pages only to those who may use them.
  EXPECT_EQ(get("/search", log_in("hv")).body.find(R"(href="/ig")"), std::string::npos);
  EXPECT_NE(get("/ig", log_in("ig")).body.find(R"(href="/ig")"), std::string::npos);
}

// ------------------------------------------------------------ /ig/break-glass

TEST_F(IgPagesTest, BreakGlassReviewListsTheAccessAndRecordsTheReview) {
  break_glass("Unresponsive+%3Cb%3Echild%3C%2Fb%3E+in+resus");
  const std::string ig = log_in("ig");
  auto list = get("/ig/break-glass", ig);
  ASSERT_EQ(list.status, 200) << list.body;
  const std::string& body = list.body;
  EXPECT_NE(body.find("Emma &lt;b&gt;Doctor&lt;/b&gt; (edoc) opened the record of child 1"),
            std::string::npos);
  EXPECT_EQ(body.find("<b>Doctor"), std::string::npos);
  EXPECT_NE(body.find("Unresponsive &lt;b&gt;child&lt;/b&gt; in resus"), std::string::npos);
  EXPECT_EQ(body.find("<b>child"), std::string::npos);
  EXPECT_NE(
      body.find("Record opened in that time</dt><dd class=\"nhsuk-summary-list__value\">Once"),
      std::string::npos);
  EXPECT_NE(body.find("Not reviewed"), std::string::npos);
  EXPECT_NE(body.find(R"(action="/ig/break-glass/1/review")"), std::string::npos);
  EXPECT_NE(body.find(R"(<legend class="nhsuk-fieldset__legend)"), std::string::npos);
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'view-break-glass' AND "
                  "children = '1'"),
            1);

  // Without the form token: refused, nothing saved.
  EXPECT_EQ(post("/ig/break-glass/1/review", ig, "outcome=appropriate&note=Checked").status, 403);
  // Without an outcome or a note: 400 with both errors and the note kept.
  auto missing = post("/ig/break-glass/1/review", ig, "note=%3Ci%3Ehalf%3C%2Fi%3E" + token(ig));
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find(R"(href="#outcome-1">Select whether the access was appropriate)"),
            std::string::npos);
  EXPECT_NE(missing.body.find("&lt;i&gt;half&lt;/i&gt;</textarea>"), std::string::npos);
  EXPECT_EQ(post("/ig/break-glass/1/review", ig, "outcome=appropriate&note=+" + token(ig)).status,
            400);
  EXPECT_EQ(count("SELECT count(*) FROM break_glass WHERE reviewed_at IS NOT NULL"), 0);

  auto saved =
      post("/ig/break-glass/1/review", ig,
           "outcome=escalate&note=No+attendance+recorded%3B+asked+the+ED+lead" + token(ig));
  ASSERT_EQ(saved.status, 303);
  EXPECT_EQ(testing::header_of(saved, "Location"), "/ig/break-glass?show=all&reviewed=1");
  EXPECT_EQ(text("SELECT review_note FROM break_glass WHERE id = 1"),
            "Not appropriate — escalate: No attendance recorded; asked the ED lead");
  EXPECT_EQ(count("SELECT count(*) FROM break_glass b JOIN users u ON u.id = b.reviewed_by "
                  "WHERE u.username = 'ig' AND b.reviewed_at IS NOT NULL"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'review-break-glass' AND "
                  "outcome = 'allowed' AND children = '1'"),
            1);
  auto after = get("/ig/break-glass?show=all&reviewed=1", ig);
  ASSERT_EQ(after.status, 200);
  EXPECT_NE(after.body.find("nhsuk-notification-banner--success"), std::string::npos);
  EXPECT_NE(after.body.find("Reviewed"), std::string::npos);
  EXPECT_NE(after.body.find("By Ida Governance"), std::string::npos);
  EXPECT_EQ(after.body.find(R"(action="/ig/break-glass/1/review")"), std::string::npos);
  EXPECT_NE(get("/ig/break-glass", ig).body.find("no unreviewed break-glass accesses"),
            std::string::npos);
  // A review stands: a second one is refused.
  EXPECT_EQ(
      post("/ig/break-glass/1/review", ig, "outcome=appropriate&note=Changed" + token(ig)).status,
      400);
  EXPECT_EQ(post("/ig/break-glass/99/review", ig, "outcome=appropriate&note=x" + token(ig)).status,
            404);
}

TEST_F(IgPagesTest, BreakGlassListRefusesMalformedParameters) {
  const std::string ig = log_in("ig");
  auto bad = get("/ig/break-glass?show=everything", ig);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("nhsuk-error-summary"), std::string::npos);
  EXPECT_EQ(get("/ig/break-glass?page=x", ig).status, 400);
  EXPECT_EQ(get("/ig/break-glass/abc/review", ig).status, 404);
  EXPECT_EQ(get("/ig/break-glass/1/review", ig).status, 405);
}

// ------------------------------------------------------------ /ig/chain

TEST_F(IgPagesTest, ChainStatusVerifiesOnRequest) {
  const std::string ig = log_in("ig");
  auto before = get("/ig/chain", ig);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_NE(before.body.find("has not been verified from here yet"), std::string::npos);
  EXPECT_NE(before.body.find("--expect-head"), std::string::npos);
  EXPECT_EQ(post("/ig/chain/verify", ig, "expect_head=").status, 403);  // no token

  auto verified = post("/ig/chain/verify", ig, token(ig).substr(1));
  ASSERT_EQ(verified.status, 303);
  EXPECT_EQ(testing::header_of(verified, "Location"), "/ig/chain?verified=1");
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'verify-audit' AND what LIKE "
                  "'{\"intact\":true,%'"),
            1);
  const std::string head = text("SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1");
  auto after = get("/ig/chain?verified=1", ig);
  ASSERT_EQ(after.status, 200);
  EXPECT_NE(after.body.find(R"(nhsuk-tag--green">Intact)"), std::string::npos);
  EXPECT_NE(after.body.find("Entries added since</dt><dd class=\"nhsuk-summary-list__value\">1<"),
            std::string::npos);  // the verification's own row
  EXPECT_NE(after.body.find(R"(<code id="head-hash">)" + head), std::string::npos);

  // A head hash kept outside that is not in the chain: reported as broken.
  const std::string bad_head(64, 'a');
  ASSERT_EQ(post("/ig/chain/verify", ig, "expect_head=" + bad_head + token(ig)).status, 303);
  auto broken = get("/ig/chain", ig);
  EXPECT_NE(broken.body.find("nhsuk-tag--red\">Broken: 1 problem<"), std::string::npos);
  EXPECT_NE(broken.body.find(R"(id="problems")"), std::string::npos);
  // Not a hash: 400 with the field kept and escaped.
  auto malformed = post("/ig/chain/verify", ig, "expect_head=%3Cscript%3E" + token(ig));
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.body.find(R"(href="#expect_head")"), std::string::npos);
  EXPECT_NE(malformed.body.find("value=\"&lt;script&gt;\""), std::string::npos);
  EXPECT_EQ(get("/ig/chain/verify", ig).status, 405);
  EXPECT_GE(count("SELECT count(*) FROM audit_events WHERE action = 'view-audit-chain'"), 4);
}

// ------------------------------------------------------------ /notifications

TEST_F(IgPagesTest, SocialCareSeesItsOwnAuthoritysNotifications) {
  {
    auto db = Database::open(dir_.file("x.db"));
    ProtectionFlag flag;
    flag.title = "Child protection plan";
    flag.source = "social_care_a";
    flag.local_authority = LocalAuthorityContact{"E06000001", "Authority A", "", "", ""};
    Principal doctor;
    doctor.user_id = 1;
    doctor.username = "edoc";
    doctor.role = "emergency-clinician";
    doctor.organisation = "RZA <ED>";
    ASSERT_TRUE(notify_unscheduled_access(*db, doctor, 2, {flag}).ok());
  }
  const std::string sw = log_in("sw");
  auto r = get("/notifications", sw);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"(<a class="nhsuk-link" href="/children/2">Child 2</a>)"),
            std::string::npos);
  EXPECT_NE(r.body.find("Emma &lt;b&gt;Doctor&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("RZA &lt;ED&gt;"), std::string::npos);
  EXPECT_EQ(r.body.find("<ED>"), std::string::npos);
  EXPECT_NE(r.body.find("Child protection plan"), std::string::npos);
  EXPECT_NE(r.body.find(R"(href="/notifications" aria-current="page")"), std::string::npos);
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'view-notifications' AND "
                  "children = '2'"),
            1);
  // Another authority's social worker sees none of it.
  auto other = get("/notifications", log_in("sw2"));
  ASSERT_EQ(other.status, 200);
  EXPECT_EQ(other.body.find("/children/2"), std::string::npos);
  EXPECT_NE(other.body.find("There are no notifications"), std::string::npos);
}

TEST_F(IgPagesTest, IgSeesBreakGlassAlertsAndOthersAreRefused) {
  break_glass();
  auto ig = get("/notifications", log_in("ig"));
  ASSERT_EQ(ig.status, 200);
  EXPECT_NE(ig.body.find("Unresponsive child in resus, no history"), std::string::npos);
  EXPECT_NE(ig.body.find(R"(href="/ig/break-glass")"), std::string::npos);
  EXPECT_EQ(ig.body.find(R"(href="/children/1")"), std::string::npos);  // IG opens no records
  for (const char* who : {"hv", "analyst", "edoc"}) {
    EXPECT_EQ(get("/notifications", log_in(who)).status, 403) << who;
  }
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'denied' AND "
                  "what = 'GET /notifications'"),
            3);
}

}  // namespace
}  // namespace onechild::api
