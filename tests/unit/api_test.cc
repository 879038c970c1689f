#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "access/grants.h"
#include "access/users.h"
#include "api/http_util.h"
#include "api/router.h"
#include "ingest/ingest.h"
#include "link/link.h"
#include "support/temp_dir.h"
#include "support/web_session.h"

namespace onechild::api {
namespace {

using testing::TempDir;

TEST(HttpUtil, EscapesHtml) {
  EXPECT_EQ(html_escape(R"(<script>alert("x")</script> & O'Brien)"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#39;Brien");
}

TEST(HttpUtil, DecodesForms) {
  EXPECT_EQ(url_decode("a+b%2Bc%20d"), "a b+c d");
  EXPECT_FALSE(url_decode("%zz").has_value());
  EXPECT_FALSE(url_decode("abc%2").has_value());
  auto form = parse_form("username=hv1&password=p%26ss+word&broken=%zz&novalue&=x&username=second");
  EXPECT_EQ(form["username"], "hv1");  // first value wins
  EXPECT_EQ(form["password"], "p&ss word");
  EXPECT_EQ(form.count("broken"), 0u);
  EXPECT_EQ(form.count("novalue"), 0u);
  EXPECT_EQ(url_decode(url_encode("943 476/5919&x")), "943 476/5919&x");
}

TEST(HttpUtil, ReadsCookies) {
  EXPECT_EQ(cookie_value("a=1; onechild_session=abc; b=2", "onechild_session"), "abc");
  EXPECT_EQ(cookie_value("onechild_session=abc", "onechild_session"), "abc");
  EXPECT_FALSE(cookie_value("xonechild_session=abc", "onechild_session").has_value());
  EXPECT_FALSE(cookie_value("", "onechild_session").has_value());
}

// Routes exercised without a socket: the Router is the whole web behaviour.
class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("gp.ndjson"))
        << R"({"resourceType":"Patient","id":"g1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"O'Brien","given":["<b>Zoë</b>"]}],"birthDate":"2021-03-04"})"
        << "\n"
        << R"({"resourceType":"Immunization","id":"i1","patient":{"reference":"Patient/g1"},"vaccineCode":{"coding":[{"code":"871831003","display":"MMR"}]},"occurrenceDateTime":"2022-03-10"})"
        << "\n"
        << R"({"resourceType":"Immunization","id":"i2","status":"not-done","patient":{"reference":"Patient/g1"},"vaccineCode":{"coding":[{"code":"871908002","display":"MMRV"}]},"occurrenceDateTime":"2022-03-11"})"
        << "\n"
        << R"({"resourceType":"Observation","id":"o1","status":"final","code":{"coding":[{"code":"50373000","display":"Body height"}]},"subject":{"reference":"Patient/g1"},"effectiveDateTime":"2024-03-04","valueQuantity":{"value":112.4,"unit":"cm"}})"
        << "\n"
        << R"({"resourceType":"Observation","id":"o2","status":"final","code":{"coding":[{"code":"speech","display":"Speech"}]},"subject":{"reference":"Patient/g1"},"effectiveDateTime":"2024-03-04","valueString":"<i>Two</i> words & more"})"
        << "\n";
    std::ofstream(dir_.file("web.css")) << "body{}";
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(ingest_paths(*db, {dir_.file("gp.ndjson")}).ok());
    ASSERT_TRUE(link_unlinked(*db).ok());
    ASSERT_TRUE(
        add_user(*db, "hv", "Hana", "health-visitor", "a long enough password", "TEAM1").ok());
    // Hana's team has a referral for every child here: a legitimate relationship.
    auto policy = AccessPolicy::load(AccessPolicy::default_path());
    ASSERT_TRUE(policy.ok());
    auto children = db->prepare("SELECT id FROM children");
    ASSERT_TRUE(
        children
            ->each_row([&](const Statement& row) {
              ASSERT_TRUE(
                  add_relationship(*db, *policy, {row.column_int64(0), "referral", "TEAM1"}).ok());
            })
            .ok());
    ASSERT_TRUE(
        add_user(*db, "other", "Olu", "health-visitor", "a long enough password", "TEAM2").ok());
    ASSERT_TRUE(add_user(*db, "analyst", "Ann", "analyst", "a long enough password", "ICB").ok());
    ASSERT_TRUE(add_user(*db, "sendo", "Sam", "send-officer", "a long enough password", "LA").ok());
    ASSERT_TRUE(add_user(*db, "ig", "Ida", "ig-officer", "a long enough password", "ICB").ok());
  }

  HttpResponse get(const std::string& target, const std::string& cookie = "") {
    return router_.handle({"GET", target, cookie, "", "localhost", ""});
  }

  std::string log_in(const std::string& username = "hv") {
    auto r = testing::post_login(router_, username, "a long enough password");
    EXPECT_EQ(r.status, 303);
    const std::string cookie = testing::session_cookie_of(r);
    if (cookie.empty()) ADD_FAILURE() << "no session cookie";
    return cookie;
  }
  std::string csrf(const std::string& cookie) {
    return "&csrf=" + testing::form_token(router_, cookie);
  }

  static std::string header(const HttpResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }

  int64_t audit_count(const char* action) {
    auto db = Database::open(dir_.file("x.db"));
    auto stmt = db->prepare("SELECT count(*) FROM audit_events WHERE action = ?1");
    stmt->bind(1, action);
    EXPECT_TRUE(*stmt->step());
    return stmt->column_int64(0);
  }

  TempDir dir_;
  ConnectionPool pool_{dir_.file("x.db")};
  Router router_{pool_, dir_.path().string()};
};

TEST_F(RouterTest, PersonPagesNeedALogin) {
  for (const char* target : {"/children/1", "/search", "/search?nhs_number=9434765919"}) {
    auto r = get(target);
    EXPECT_EQ(r.status, 303) << target;
    EXPECT_EQ(header(r, "Location"), "/login") << target;
  }
  EXPECT_EQ(get("/children/1", "onechild_session=forged").status, 303);
}

TEST_F(RouterTest, LoginSetsAStrictHttpOnlyCookie) {
  auto r = testing::post_login(router_, "hv", "a long enough password", "");
  ASSERT_EQ(r.status, 303);
  const std::string cookie = header(r, "Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(audit_count("login"), 1);
}

TEST_F(RouterTest, WrongPasswordIs401AndAudited) {
  auto r = testing::post_login(router_, "hv", "nope", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("Enter a correct username and password"), std::string::npos);
  EXPECT_EQ(audit_count("login-failed"), 1);
}

TEST_F(RouterTest, CrossSitePostIsRefused) {
  auto r = testing::post_login(router_, "hv", "a long enough password", "https://evil.example");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(header(r, "Set-Cookie"), "");
}

TEST_F(RouterTest, SearchFindsTheChildAndTheRecordIsEscapedAndAudited) {
  const std::string cookie = log_in();
  auto search = get("/search?nhs_number=943+476+5919", cookie);
  ASSERT_EQ(search.status, 303);
  const std::string location = header(search, "Location");
  EXPECT_EQ(location.rfind("/children/", 0), 0u);

  auto record = get(location, cookie);
  ASSERT_EQ(record.status, 200);
  EXPECT_NE(record.body.find("&lt;b&gt;Zoë&lt;/b&gt; O&#39;Brien"), std::string::npos);
  EXPECT_EQ(record.body.find("<b>Zoë</b>"), std::string::npos);
  EXPECT_NE(record.body.find("943 476 5919"), std::string::npos);
  EXPECT_NE(record.body.find("MMR"), std::string::npos);
  EXPECT_NE(record.body.find("Ethnicity"), std::string::npos);
  EXPECT_EQ(header(record, "Cache-Control"), "no-store");
  EXPECT_NE(header(record, "Content-Security-Policy").find("default-src 'self'"),
            std::string::npos);
  EXPECT_EQ(audit_count("view-record"), 1);
  get(location, cookie);
  EXPECT_EQ(audit_count("view-record"), 2);
}

TEST_F(RouterTest, RecordShowsObservationValuesEscaped) {
  const std::string cookie = log_in();
  const std::string location = header(get("/search?nhs_number=9434765919", cookie), "Location");
  auto record = get(location, cookie);
  ASSERT_EQ(record.status, 200);
  const std::string& body = record.body;
  const size_t table = body.find(R"(id="timeline")");  // every event, with its source
  ASSERT_NE(table, std::string::npos);
  const auto cells = [](const std::vector<std::string>& texts) {
    std::string html;
    for (const auto& text : texts)
      html += R"(<td class="nhsuk-table__cell">)" + text + "</td>";
    return html;
  };
  EXPECT_NE(
      body.find(cells({"4 March 2024", "Observation", "Body height", "112.4 cm", "gp"}), table),
      std::string::npos);
  EXPECT_NE(body.find(cells({"4 March 2024", "Observation", "Speech",
                             "&lt;i&gt;Two&lt;/i&gt; words &amp; more", "gp"}),
                      table),
            std::string::npos);
  EXPECT_EQ(body.find("<i>Two</i>"), std::string::npos);
}

TEST_F(RouterTest, RecordNeverShowsADeclinedImmunisationAsGiven) {
  const std::string cookie = log_in();
  const std::string location = header(get("/search?nhs_number=9434765919", cookie), "Location");
  const std::string body = get(location, cookie).body;
  const size_t table = body.find(R"(id="immunisations")");
  ASSERT_NE(table, std::string::npos);
  const auto row = [](const char* date, const char* vaccine, const char* status) {
    return std::string(R"(<td class="nhsuk-table__cell">)") + date +
           R"(</td><td class="nhsuk-table__cell">)" + vaccine +
           R"(</td><td class="nhsuk-table__cell">)" + status + "</td>";
  };
  EXPECT_NE(body.find(row("11 March 2022", "MMRV", "Not given"), table), std::string::npos);
  EXPECT_NE(body.find(row("10 March 2022", "MMR", "Given"), table), std::string::npos);
}

TEST_F(RouterTest, SearchErrors) {
  const std::string cookie = log_in();
  auto invalid = get("/search?nhs_number=9434765918", cookie);
  EXPECT_EQ(invalid.status, 400);
  EXPECT_NE(invalid.body.find("Enter a valid 10-digit NHS number"), std::string::npos);
  auto unknown = get("/search?nhs_number=0100000010", cookie);
  EXPECT_EQ(unknown.status, 200);
  EXPECT_NE(unknown.body.find("No child found with NHS number 010 000 0010"), std::string::npos);
  EXPECT_EQ(get("/children/999", cookie).status, 404);
  EXPECT_EQ(get("/children/abc", cookie).status, 404);
  EXPECT_EQ(get("/children/99999999999999999999999", cookie).status, 404);
}

TEST_F(RouterTest, NoRelationshipIs403WithAnAuditRowAndABreakGlassForm) {
  const std::string cookie = log_in("other");
  auto r = get("/children/1", cookie);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("no legitimate relationship"), std::string::npos);
  EXPECT_NE(r.body.find("/children/1/break-glass"), std::string::npos);
  EXPECT_EQ(r.body.find("Zo"), std::string::npos);  // nothing of the child
  auto db = Database::open(dir_.file("x.db"));
  auto row = db->prepare(
      "SELECT username, outcome, children FROM audit_events WHERE action = 'view-record'");
  ASSERT_TRUE(*row->step());
  EXPECT_EQ(row->column_text(0), "other");
  EXPECT_EQ(row->column_text(1), "denied");
  EXPECT_EQ(row->column_text(2), "1");
}

TEST_F(RouterTest, BreakGlassNeedsAReasonThenOpensTheRecordAndAlertsIg) {
  const std::string cookie = log_in("other");
  const std::string token = csrf(cookie);
  auto post = [&](const std::string& body) {
    return router_.handle(
        {"POST", "/children/1/break-glass", cookie, "http://localhost", "localhost", body + token});
  };
  auto short_reason = post("reason=urgent");
  EXPECT_EQ(short_reason.status, 400);
  EXPECT_NE(short_reason.body.find("at least 10 characters"), std::string::npos);
  EXPECT_EQ(get("/children/1", cookie).status, 403);
  auto granted = post("reason=Child+brought+in+unwell%2C+GP+closed");
  ASSERT_EQ(granted.status, 303);
  EXPECT_EQ(header(granted, "Location"), "/children/1");
  EXPECT_EQ(get("/children/1", cookie).status, 200);
  EXPECT_EQ(audit_count("break-glass"), 2);  // the refused attempt and the granted one
  auto db = Database::open(dir_.file("x.db"));
  auto alert = db->prepare(
      "SELECT count(*) FROM notifications WHERE kind = 'break-glass' AND organisation = ''");
  ASSERT_TRUE(*alert->step());
  EXPECT_EQ(alert->column_int64(0), 1);
  // A cross-site form cannot break glass on the user's behalf.
  EXPECT_EQ(router_
                .handle({"POST", "/children/1/break-glass", cookie, "https://evil.example",
                         "localhost", "reason=Child+brought+in+unwell"})
                .status,
            403);
}

TEST_F(RouterTest, TheIgOfficerFindsABreakGlassInTheAuditAndTheAlerts) {
  const std::string other = log_in("other");
  ASSERT_EQ(router_
                .handle({"POST", "/children/1/break-glass", other, "http://localhost", "localhost",
                         "reason=Child+brought+in+unwell%2C+GP+closed" + csrf(other)})
                .status,
            303);
  const std::string ig = log_in("ig");
  auto found = get("/api/audit?user=other&action=break-glass&child=1", ig);
  ASSERT_EQ(found.status, 200) << found.body;
  const auto entries = boost::json::parse(found.body).at("entries").as_array();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].at("resourceType").as_string(), "AuditEvent");
  EXPECT_NE(found.body.find("Child brought in unwell"), std::string::npos);
  EXPECT_EQ(get("/api/audit?from=2026-13-01", ig).status, 400);
  auto alerts = get("/api/notifications", ig);
  ASSERT_EQ(alerts.status, 200);
  EXPECT_NE(alerts.body.find(R"("kind":"break-glass")"), std::string::npos);
  // Nobody else searches the audit; the refusal is itself audited.
  EXPECT_EQ(get("/api/audit", other).status, 403);
  EXPECT_EQ(get("/api/audit", log_in("analyst")).status, 403);
  EXPECT_EQ(audit_count("search-audit"), 1);
}

TEST_F(RouterTest, RolesWithoutBreakGlassGetNoForm) {
  const std::string cookie = log_in("sendo");
  auto r = get("/children/1", cookie);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body.find("break-glass"), std::string::npos);
  EXPECT_EQ(router_
                .handle({"POST", "/children/1/break-glass", cookie, "http://localhost", "localhost",
                         "reason=I+would+like+to+see+it+please" + csrf(cookie)})
                .status,
            403);
}

TEST_F(RouterTest, AnalystsReachNoPersonLevelPage) {
  const std::string cookie = log_in("analyst");
  EXPECT_EQ(get("/search", cookie).status, 403);
  EXPECT_EQ(get("/search?nhs_number=9434765919", cookie).status, 403);
  auto record = get("/children/1", cookie);
  EXPECT_EQ(record.status, 403);
  EXPECT_EQ(record.body.find("break-glass"), std::string::npos);
  EXPECT_EQ(get("/api/worklists/imms", cookie).status, 403);
  EXPECT_EQ(get("/api/link/review", cookie).status, 403);
  EXPECT_EQ(get("/api/notifications", cookie).status, 403);
}

TEST_F(RouterTest, RepeatedFailedLoginsLockTheAccount) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(testing::post_login(router_, "hv", "nope", "").status, 401);
  }
  // Locked: the right password is refused too, and the attempt is audited.
  auto r = testing::post_login(router_, "hv", "a long enough password", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(testing::session_cookie_of(r), "");
  EXPECT_EQ(audit_count("login-failed"), 6);
}

TEST_F(RouterTest, LogoutEndsTheSession) {
  const std::string cookie = log_in();
  EXPECT_EQ(get("/search", cookie).status, 200);
  // Without the form token the session survives (a cross-site logout).
  EXPECT_EQ(router_.handle({"POST", "/logout", cookie, "", "localhost", ""}).status, 403);
  EXPECT_EQ(get("/search", cookie).status, 200);
  auto out = router_.handle({"POST", "/logout", cookie, "", "localhost", csrf(cookie).substr(1)});
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(get("/search", cookie).status, 303);
}

TEST_F(RouterTest, StaticFilesStayInsideTheWebDirectory) {
  auto css = get("/assets/web.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(css.body, "body{}");
  EXPECT_EQ(get("/assets/../x.db").status, 404);
  EXPECT_EQ(get("/assets/%2e%2e/x.db").status, 404);
  EXPECT_EQ(get("/assets//etc/passwd").status, 404);
  EXPECT_EQ(get("/assets/missing.js").status, 404);
  EXPECT_EQ(get("/nowhere").status, 303);  // signed out: to the login page
  EXPECT_EQ(get("/nowhere", log_in()).status, 404);
}

TEST_F(RouterTest, FindsAChildByNameAndDateOfBirthDespiteTypos) {
  const std::string cookie = log_in();
  // Zoë O'Brien, born 4 March 2021: typed as "Zoe Obrein", day and month swapped.
  auto found =
      get("/search?given_name=Zoe&family_name=Obrein&dob-day=3&dob-month=4&dob-year=2021", cookie);
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_NE(found.body.find(R"(id="search-results")"), std::string::npos);
  EXPECT_NE(found.body.find(R"(href="/children/1")"), std::string::npos);
  EXPECT_NE(found.body.find("&lt;b&gt;Zoë&lt;/b&gt; O&#39;Brien"), std::string::npos);
  EXPECT_NE(found.body.find("(date differs)"), std::string::npos);
  EXPECT_EQ(audit_count("search"), 1);
  // Bad input is a 400 with the problem named, never a 500 (the fuzzer
  // found a family name of one invalid byte).
  for (const char* bad : {"/search?given_name=&family_name=&dob-day=4&dob-month=3&dob-year=2021",
                          "/search?given_name=Zoe&dob-day=31&dob-month=2&dob-year=2021",
                          "/search?given_name=Zoe&dob-day=x&dob-month=3&dob-year=2021",
                          "/search?family_name=%CF&dob-day=4&dob-month=3&dob-year=2021"}) {
    auto r = get(bad, cookie);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("nhsuk-error-summary"), std::string::npos) << bad;
  }
  auto none =
      get("/search?given_name=Nobody&family_name=Here&dob-day=4&dob-month=3&dob-year=2021", cookie);
  EXPECT_EQ(none.status, 200);
  EXPECT_NE(none.body.find("No child found with a name and date of birth like these"),
            std::string::npos);
}

TEST_F(RouterTest, EveryFormNeedsItsToken) {
  // The login form's token must match its cookie (double-submit).
  auto no_token = router_.handle(
      {"POST", "/login", "", "", "localhost", "username=hv&password=a+long+enough+password"});
  EXPECT_EQ(no_token.status, 401);
  EXPECT_EQ(testing::session_cookie_of(no_token), "");
  const std::string cookie = log_in();
  const std::string token = testing::form_token(router_, cookie);
  ASSERT_EQ(token.size(), 64u);
  // A signed-in user's forms: missing, wrong or another session's token is refused.
  const std::string other = testing::form_token(router_, log_in("other"));
  for (const std::string& body : {std::string("reason=Child+brought+in+unwell"),
                                  "reason=Child+brought+in+unwell&csrf=" + std::string(64, '0'),
                                  "reason=Child+brought+in+unwell&csrf=" + other}) {
    EXPECT_EQ(
        router_.handle({"POST", "/children/1/break-glass", cookie, "", "localhost", body}).status,
        403)
        << body;
  }
  EXPECT_GE(audit_count("denied"), 3);
}

}  // namespace
}  // namespace onechild::api

namespace onechild::api {
namespace {

// The data manager's JSON API over a store with one uncertain pair: Sam in
// the GP feed, and a community record of Sam a day out at another address.
class LinkApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("gp.ndjson"))
        << R"({"resourceType":"Patient","id":"g1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"Smith","given":["Sam"]}],"gender":"male","birthDate":"2019-01-31","address":[{"postalCode":"LS2 7XY"}]})"
        << "\n";
    std::ofstream(dir_.file("community.ndjson"))
        << R"({"resourceType":"Patient","id":"m9","name":[{"family":"Smith","given":["Sam"]}],"gender":"male","birthDate":"2019-02-01","address":[{"postalCode":"M1 1AA"}]})"
        << "\n";
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(ingest_paths(*db, {dir_.file("gp.ndjson"), dir_.file("community.ndjson")}).ok());
    auto report = link_unlinked(*db, {ONECHILD_TEST_DATA "/linkage/fixed.toml", false, false});
    ASSERT_TRUE(report.ok()) << report.error().to_string();
    ASSERT_EQ(report->review_added, 1);
    ASSERT_TRUE(add_user(*db, "dm", "Dee", "data-manager", "a long enough password").ok());
    ASSERT_TRUE(add_user(*db, "hv", "Hana", "health-visitor", "a long enough password").ok());
  }

  std::string log_in(const std::string& who) {
    const std::string cookie =
        testing::session_cookie_of(testing::post_login(router_, who, "a long enough password"));
    if (cookie.empty()) ADD_FAILURE() << "no session cookie";
    return cookie;
  }
  HttpResponse call(const std::string& method, const std::string& target, const std::string& cookie,
                    const std::string& body = "") {
    return router_.handle({method, target, cookie, "http://localhost", "localhost", body});
  }
  int64_t count(const char* sql) {
    auto db = Database::open(dir_.file("x.db"));
    auto stmt = db->prepare(sql);
    EXPECT_TRUE(*stmt->step());
    return stmt->column_int64(0);
  }

  TempDir dir_;
  ConnectionPool pool_{dir_.file("x.db")};
  Router router_{pool_, dir_.path().string()};
};

TEST_F(LinkApiTest, OnlyASignedInDataManagerGetsIn) {
  EXPECT_EQ(call("GET", "/api/link/review", "").status, 401);
  const auto hv = call("GET", "/api/link/review", log_in("hv"));
  EXPECT_EQ(hv.status, 403);
  EXPECT_EQ(hv.content_type, "application/json");
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'denied'"), 1);
  EXPECT_EQ(call("GET", "/api/link/review", log_in("dm")).status, 200);
}

TEST_F(LinkApiTest, ListsTheQueueWithEvidenceAndAuditsIt) {
  const std::string dm = log_in("dm");
  const auto r = call("GET", "/api/link/review?status=open&limit=10", dm);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("level":"a day apart")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("original_id":"m9")"), std::string::npos) << r.body;
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'view-review-queue'"), 1);
  EXPECT_EQ(call("GET", "/api/link/review/1", dm).status, 200);
  EXPECT_EQ(call("GET", "/api/link/review/99", dm).status, 404);
  EXPECT_EQ(call("GET", "/api/link/review?limit=0", dm).status, 400);
  EXPECT_EQ(call("GET", "/api/link/nothing", dm).status, 404);
}

TEST_F(LinkApiTest, DecidesMergesAndUnmerges) {
  const std::string dm = log_in("dm");
  EXPECT_EQ(call("POST", "/api/link/review/1/decision", dm, "not json").status, 400);
  EXPECT_EQ(call("POST", "/api/link/review/1/decision", dm, R"({"decision":"maybe"})").status, 400);
  // A reason is required.
  EXPECT_EQ(call("POST", "/api/link/review/1/decision", dm, R"({"decision":"same"})").status, 400);
  auto r = call("POST", "/api/link/review/1/decision", dm,
                R"({"decision":"same","reason":"same child, confirmed with the GP"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(count("SELECT count(DISTINCT child_id) FROM links"), 1);
  EXPECT_EQ(
      call("POST", "/api/link/review/1/decision", dm, R"({"decision":"same","reason":"again"})")
          .status,
      400);  // decided already
  EXPECT_EQ(count("SELECT count(*) FROM link_decisions WHERE decided_by = 'dm'"), 1);

  // The GP record came from the child merged away: unmerged, it goes back there.
  const int64_t merged_away =
      count("SELECT other_child_id FROM child_history WHERE action = 'merged'");
  const int64_t g1 = count("SELECT id FROM source_persons WHERE original_id = 'g1'");
  const int64_t kept = count("SELECT child_id FROM child_history WHERE action = 'merged'");
  r = call("POST", "/api/link/children/" + std::to_string(kept) + "/unmerge", dm,
           R"({"records":[)" + std::to_string(g1) + R"(],"reason":"two different boys"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"moved_to\":" + std::to_string(merged_away)), std::string::npos)
      << r.body;
  EXPECT_EQ(count("SELECT count(DISTINCT child_id) FROM links"), 2);
  r = call("GET", "/api/link/children/" + std::to_string(kept) + "/history", dm);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("action":"unmerged")"), std::string::npos) << r.body;
  r = call("POST", "/api/link/children/" + std::to_string(merged_away) + "/merge", dm,
           R"({"into":)" + std::to_string(kept) + R"(,"reason":"same after all"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(count("SELECT count(DISTINCT child_id) FROM links"), 1);
  EXPECT_EQ(call("POST", "/api/link/children/1/merge", dm, R"({"into":"x","reason":"r"})").status,
            400);
}

}  // namespace
}  // namespace onechild::api

namespace onechild::api {
namespace {

// Worklists over a store with one baby registered with a GP: the 8-week
// 6-in-1 given, the 12- and 16-week doses not yet.
class WorklistApiTest : public ::testing::Test {
 protected:
  static std::string dose(const std::string& id, const std::string& date) {
    return R"({"resourceType":"Immunization","id":")" + id +
           R"(","status":"completed","vaccineCode":{"coding":[{"system":"http://snomed.info/sct","code":"1162640003"}]},"patient":{"reference":"Patient/g1"},"occurrenceDateTime":")" +
           date + R"("})" + "\n";
  }
  void SetUp() override {
    std::ofstream(dir_.file("gp.ndjson"))
        << R"({"resourceType":"Patient","id":"g1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"Smith","given":["Sam"]}],"gender":"male","birthDate":"2026-01-05","address":[{"postalCode":"LS2 7XY"}]})"
        << "\n"
        << dose("i1", "2026-03-02");
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(ingest_paths(*db, {dir_.file("gp.ndjson")}).ok());
    ASSERT_TRUE(link_unlinked(*db, {ONECHILD_TEST_DATA "/linkage/fixed.toml", false, false}).ok());
    for (const auto& [who, role] : {std::pair{"hv", "health-visitor"}, {"send", "send-officer"}}) {
      ASSERT_TRUE(add_user(*db, who, who, role, "a long enough password", "TEAM1").ok());
    }
    // Sam lives in LS2, on team 1's caseload; team 2 has no one.
    ASSERT_TRUE(add_caseload_area(*db, "TEAM1", "LS2").ok());
    ASSERT_TRUE(
        add_user(*db, "hv2", "hv2", "health-visitor", "a long enough password", "TEAM2").ok());
    ASSERT_TRUE(add_user(*db, "dm", "dm", "data-manager", "a long enough password", "ICB").ok());
  }
  std::string log_in(const std::string& who) {
    const std::string cookie =
        testing::session_cookie_of(testing::post_login(router_, who, "a long enough password"));
    if (cookie.empty()) ADD_FAILURE() << "no session cookie";
    return cookie;
  }
  HttpResponse get(const std::string& target, const std::string& cookie) {
    return router_.handle({"GET", target, cookie, "", "localhost", ""});
  }
  int64_t count(const char* sql) {
    auto db = Database::open(dir_.file("x.db"));
    auto stmt = db->prepare(sql);
    EXPECT_TRUE(*stmt->step());
    return stmt->column_int64(0);
  }

  TempDir dir_;
  ConnectionPool pool_{dir_.file("x.db")};
  Router router_{pool_, dir_.path().string()};
};

TEST_F(WorklistApiTest, OnlyRolesThatDoTheWorkGetTheList) {
  EXPECT_EQ(get("/api/worklists/imms", "").status, 401);
  const auto send = get("/api/worklists/imms", log_in("send"));
  EXPECT_EQ(send.status, 403);
  EXPECT_EQ(send.content_type, "application/json");
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'denied'"), 1);
  const std::string hv = log_in("hv");
  EXPECT_EQ(get("/api/worklists/flu", hv).status, 404);
  EXPECT_EQ(get("/api/worklists/imms?as_of=2026-02-30", hv).status, 400);
  EXPECT_EQ(get("/api/worklists/imms?limit=-1", hv).status, 400);
}

TEST_F(WorklistApiTest, RowsAreOnlyChildrenTheUserHasARelationshipWith) {
  const auto mine = get("/api/worklists/imms", log_in("hv"));
  ASSERT_EQ(mine.status, 200);
  EXPECT_NE(mine.body.find("9434765919"), std::string::npos);
  const auto theirs = get("/api/worklists/imms", log_in("hv2"));
  ASSERT_EQ(theirs.status, 200);
  EXPECT_EQ(theirs.body.find("9434765919"), std::string::npos);
  EXPECT_EQ(boost::json::parse(theirs.body).at("rows").as_array().size(), 0u);
  // Data managers see feeds and links, not children's worklists.
  EXPECT_EQ(get("/api/worklists/imms", log_in("dm")).status, 403);
}

TEST_F(WorklistApiTest, ListsOverdueDosesAndSeesNewData) {
  const std::string hv = log_in("hv");
  auto r = get("/api/worklists/imms?as_of=2026-06-01", hv);
  ASSERT_EQ(r.status, 200) << r.body;
  auto list = boost::json::parse(r.body).as_object();
  std::map<std::string, std::string> status;
  for (const auto& row : list.at("rows").as_array()) {
    status[std::string(row.at("item").as_string())] = row.at("status").as_string();
    EXPECT_EQ(row.at("nhs_number").as_string(), "9434765919");
    EXPECT_EQ(row.at("name").as_string(), "Sam Smith");
  }
  EXPECT_EQ(status["6in1-2"], "overdue");
  EXPECT_EQ(status["6in1-3"], "overdue");
  EXPECT_FALSE(status.contains("6in1-1"));
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'view-worklist'"), 1);

  // A later load: the list is read again from the changed store.
  std::ofstream(dir_.file("gp.later.ndjson")) << dose("i2", "2026-05-01");
  {
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(ingest_paths(*db, {dir_.file("gp.later.ndjson")}).ok());
  }
  r = get("/api/worklists/imms?as_of=2026-06-01", hv);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("\"6in1-2\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"6in1-3\""), std::string::npos) << r.body;
}

}  // namespace
}  // namespace onechild::api
