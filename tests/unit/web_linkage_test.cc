// The data manager's pages, through the router without a socket: linkage
// review (/linkage...) and data quality (/data-quality).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "access/users.h"
#include "api/http_util.h"
#include "api/router.h"
#include "ingest/ingest.h"
#include "link/link.h"
#include "support/temp_dir.h"
#include "support/web_session.h"

// The test data sit beside the shipped configuration in the source tree.
#ifndef ONECHILD_TEST_DATA
#define ONECHILD_TEST_DATA ONECHILD_CONFIG_DIR "/../tests/data"
#endif

namespace onechild::api {
namespace {

using testing::TempDir;

constexpr const char* kPassword = "a long enough password";

// Two records of one boy that linkage is unsure of (the GP's with an NHS
// number, the community trust's without and a day apart), a second GP child
// whose NHS number fails the check, and a row the community feed cannot parse.
class WebLinkageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("gp.ndjson"))
        << R"({"resourceType":"Patient","id":"g1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"<b>Smith</b>","given":["Sam"]}],"gender":"male","birthDate":"2019-01-31","address":[{"postalCode":"LS2 7XY"}]})"
        << "\n"
        << R"({"resourceType":"Patient","id":"g2","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765918"}],"name":[{"family":"Jones","given":["Ann"]}],"gender":"female","birthDate":"2016-07-12","address":[{"postalCode":"LS6 1AA"}]})"
        << "\n";
    std::ofstream(dir_.file("community.ndjson"))
        << R"({"resourceType":"Patient","id":"m9","name":[{"family":"<b>Smith</b>","given":["Sam"]}],"gender":"male","birthDate":"2019-02-01","address":[{"postalCode":"M1 1AA"}]})"
        << "\n"
        << "this is not JSON\n";
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(ingest_paths(*db, {dir_.file("gp.ndjson"), dir_.file("community.ndjson")}).ok());
    auto report = link_unlinked(*db, {ONECHILD_TEST_DATA "/linkage/fixed.toml", false, false});
    ASSERT_TRUE(report.ok()) << report.error().to_string();
    ASSERT_EQ(report->review_added, 1);
    ASSERT_TRUE(add_user(*db, "dm", "Dee", "data-manager", kPassword, "ICB").ok());
    ASSERT_TRUE(add_user(*db, "hv", "Hana", "health-visitor", kPassword, "TEAM1").ok());
    ASSERT_TRUE(add_user(*db, "analyst", "Ann", "analyst", kPassword, "ICB").ok());
  }

  std::string log_in(const std::string& who) {
    const std::string cookie =
        testing::session_cookie_of(testing::post_login(router_, who, kPassword));
    if (cookie.empty()) ADD_FAILURE() << "no session cookie";
    return cookie;
  }
  HttpResponse get(const std::string& target, const std::string& cookie) {
    return router_.handle({"GET", target, cookie, "", "localhost", ""});
  }
  // A form post as the browser sends it, with the session's form token
  // unless `with_token` is false.
  HttpResponse post(const std::string& target, const std::string& cookie, std::string body,
                    bool with_token = true) {
    if (with_token) body += "&csrf=" + testing::form_token(router_, cookie);
    return router_.handle({"POST", target, cookie, "http://localhost", "localhost", body});
  }
  int64_t count(const std::string& sql) {
    auto db = Database::open(dir_.file("x.db"));
    auto stmt = db->prepare(sql);
    EXPECT_TRUE(stmt.ok()) << sql;
    EXPECT_TRUE(*stmt->step());
    return stmt->column_int64(0);
  }
  int64_t audited(const std::string& action, const std::string& outcome = "allowed") {
    return count("SELECT count(*) FROM audit_events WHERE action = '" + action +
                 "' AND outcome = '" + outcome + "'");
  }
  static bool has(const std::string& body, const std::string& text) {
    return body.find(text) != std::string::npos;
  }

  TempDir dir_;
  ConnectionPool pool_{dir_.file("x.db")};
  Router router_{pool_, dir_.path().string(), ONECHILD_CONFIG_DIR};
};

TEST_F(WebLinkageTest, TheQueueListsOpenPairsEscapedAndIsAudited) {
  const auto r = get("/linkage", log_in("dm"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r.body, "1 pair is waiting for a decision.")) << r.body;
  EXPECT_TRUE(has(r.body, R"(href="/linkage/1">Pair 1</a>)")) << r.body;
  EXPECT_TRUE(has(r.body, "Sam &lt;b&gt;Smith&lt;/b&gt;")) << r.body;
  EXPECT_FALSE(has(r.body, "<b>Smith</b>"));
  EXPECT_TRUE(has(r.body, "Open pairs, most likely matches first (page 1 of 1)"));
  EXPECT_TRUE(has(r.body, R"(<caption class="nhsuk-table__caption">)"));
  EXPECT_TRUE(has(r.body, "%</td>"));  // the probability as a percentage
  EXPECT_EQ(audited("view-review-queue"), 1);

  const auto decided = get("/linkage?status=decided", log_in("dm"));
  ASSERT_EQ(decided.status, 200);
  EXPECT_TRUE(has(decided.body, "There are no pairs here."));
  EXPECT_FALSE(has(decided.body, "Pair 1<"));
}

TEST_F(WebLinkageTest, TheQueueIsPagedAndCopesWithoutEvidence) {
  {
    // 30 more open pairs (between g1 and made-up records), the last with
    // evidence that is not JSON.
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(db->execute(R"(
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
      INSERT INTO source_persons (source_system_id, original_id, given_name, content_hash,
                                  batch_id, line)
        SELECT 1, 'extra' || i, 'Extra ' || i, 'h' || i, 1, 0 FROM n;
      INSERT INTO link_review (left_person_id, right_person_id, match_probability, match_weight,
                               evidence, existing_children, created_at)
        SELECT (SELECT id FROM source_persons WHERE original_id = 'g1'), id, 0.85, 2.5,
               CASE WHEN original_id = 'extra30' THEN 'not json' ELSE '[]' END, 0,
               '2026-11-01T10:00:00Z'
        FROM source_persons WHERE original_id LIKE 'extra%';)")
                    .ok());
  }
  const std::string dm = log_in("dm");
  auto r = get("/linkage", dm);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r.body, "31 pairs are waiting for a decision."));
  EXPECT_TRUE(has(r.body, "(page 1 of 2)"));
  EXPECT_TRUE(has(r.body, R"(href="/linkage?status=open&amp;page=2" rel="next")")) << r.body;
  EXPECT_FALSE(has(r.body, R"(rel="prev")"));
  r = get("/linkage?page=2", dm);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r.body, "(page 2 of 2)"));
  EXPECT_TRUE(has(r.body, R"(rel="prev")"));
  EXPECT_FALSE(has(r.body, R"(rel="next")"));
  size_t rows = 0;
  for (size_t at = r.body.find(">Pair "); at != std::string::npos;
       at = r.body.find(">Pair ", at + 1))
    ++rows;
  EXPECT_EQ(rows, 6u);
  EXPECT_TRUE(has(get("/linkage?page=3", dm).body, "There are no pairs on this page."));
  const int64_t last = count("SELECT max(id) FROM link_review");
  r = get("/linkage/" + std::to_string(last), dm);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(has(r.body, "No evidence was recorded for this pair."));
  EXPECT_TRUE(has(r.body, "85.0%"));
}

TEST_F(WebLinkageTest, MalformedAddressesAreRefusedWithAPageNotAFailure) {
  const std::string dm = log_in("dm");
  for (const char* target : {"/linkage?page=abc", "/linkage?page=0", "/linkage?status=closed",
                             "/linkage?page=99999999999999999999"}) {
    const auto r = get(target, dm);
    EXPECT_EQ(r.status, 400) << target;
    EXPECT_TRUE(has(r.body, "nhsuk-header")) << target;
  }
  for (const char* target : {"/linkage/99", "/linkage/abc", "/linkage/1/other",
                             "/linkage/children/999", "/linkage/children/x"}) {
    EXPECT_EQ(get(target, dm).status, 404) << target;
  }
  EXPECT_EQ(get("/linkage/1/decision", dm).status, 405);
  EXPECT_EQ(post("/linkage/1", dm, "decision=same").status, 405);
  EXPECT_EQ(count("SELECT count(*) FROM link_review WHERE status = 'open'"), 1);
}

TEST_F(WebLinkageTest, OnlyADataManagerReviewsAndEachRefusalIsAudited) {
  const std::string hv = log_in("hv");
  for (const char* target : {"/linkage", "/linkage/1", "/linkage/children/1"}) {
    EXPECT_EQ(get(target, hv).status, 403) << target;
  }
  const auto r = post("/linkage/1/decision", hv, "decision=same&reason=mine");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(audited("denied", "denied"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM link_review WHERE status = 'open'"), 1);
  // Aggregates only: an analyst sees data quality but not the pairs.
  const std::string analyst = log_in("analyst");
  EXPECT_EQ(get("/linkage", analyst).status, 403);
  const auto quality = get("/data-quality", analyst);
  EXPECT_EQ(quality.status, 200);
  // Counts only for the analyst: the total of open pairs, without the link to them.
  EXPECT_TRUE(has(quality.body, R"(href="/data-quality")"));  // in the navigation
  EXPECT_FALSE(has(quality.body, R"(href="/linkage")"));
  EXPECT_EQ(get("/data-quality", hv).status, 403);
  EXPECT_EQ(audited("denied", "denied"), 6);
}

TEST_F(WebLinkageTest, ThePairShowsBothRecordsAndTheEvidence) {
  const auto r = get("/linkage/1", log_in("dm"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r.body, R"(id="records")"));
  EXPECT_TRUE(has(r.body, R"(id="evidence")"));
  EXPECT_TRUE(has(r.body, "a day apart")) << r.body;
  EXPECT_TRUE(has(r.body, ">g1<"));
  EXPECT_TRUE(has(r.body, ">m9<"));
  EXPECT_TRUE(has(r.body, "&lt;b&gt;Smith&lt;/b&gt;"));
  EXPECT_FALSE(has(r.body, "<b>Smith</b>"));
  EXPECT_TRUE(has(r.body, R"(href="/linkage/children/)"));
  EXPECT_TRUE(has(r.body, R"(<th scope="row" class="nhsuk-table__header">Source</th>)"));
  EXPECT_TRUE(has(r.body, R"(action="/linkage/1/decision")"));
  EXPECT_TRUE(has(r.body, R"(name="csrf")"));
  EXPECT_TRUE(has(r.body, "<legend"));
  EXPECT_EQ(audited("view-review"), 1);
}

TEST_F(WebLinkageTest, ADecisionNeedsTheFormTokenAChoiceAndAReason) {
  const std::string dm = log_in("dm");
  EXPECT_EQ(post("/linkage/1/decision", dm, "decision=different&reason=checked", false).status,
            403);
  EXPECT_EQ(count("SELECT count(*) FROM link_decisions"), 0);

  auto r = post("/linkage/1/decision", dm, "decision=maybe&reason=" + url_encode("  <i>x</i> "));
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_TRUE(has(r.body, "There is a problem"));
  EXPECT_TRUE(has(r.body, R"(href="#decision">Select whether these records are the same child)"));
  EXPECT_TRUE(has(r.body, R"(id="decision-error")"));
  EXPECT_TRUE(has(r.body, "&lt;i&gt;x&lt;/i&gt;</textarea>"));  // kept, escaped
  EXPECT_TRUE(has(r.body, "<title>Error: "));
  r = post("/linkage/1/decision", dm, "decision=same&reason=+++");
  ASSERT_EQ(r.status, 400);
  EXPECT_TRUE(has(r.body, R"(href="#reason">Enter a reason for your decision)"));
  EXPECT_TRUE(has(r.body, R"(value="same" checked)"));
  EXPECT_EQ(count("SELECT count(*) FROM link_decisions"), 0);

  r = post("/linkage/1/decision", dm,
           "decision=different&reason=" + url_encode("Different mothers, checked with the GP"));
  ASSERT_EQ(r.status, 303) << r.body;
  const std::string location = testing::header_of(r, "Location");
  EXPECT_EQ(location, "/linkage?decided=1&decision=different");
  EXPECT_EQ(count("SELECT count(*) FROM link_review WHERE id = 1 AND status = 'decided'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM link_decisions WHERE decided_by = 'dm' AND "
                  "decision = 'different' AND reason LIKE 'Different mothers%'"),
            1);
  EXPECT_EQ(count("SELECT count(DISTINCT child_id) FROM links"), 3);
  EXPECT_EQ(audited("link-decision"), 1);

  const auto queue = get(location, dm);
  EXPECT_TRUE(has(queue.body, "Pair 1: kept apart as different children")) << queue.body;
  EXPECT_TRUE(has(queue.body, "0 pairs are waiting for a decision."));
  const auto pair = get("/linkage/1", dm);
  EXPECT_TRUE(has(pair.body, "Not the same child"));
  EXPECT_TRUE(has(pair.body, "Different mothers, checked with the GP"));
  EXPECT_FALSE(has(pair.body, R"(action="/linkage/1/decision")"));
  // Too late: decided already.
  r = post("/linkage/1/decision", dm, "decision=same&reason=again");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(has(r.body, "Review item 1 is already decided")) << r.body;
}

TEST_F(WebLinkageTest, SameChildThenUnmergeAndMergeByHand) {
  const std::string dm = log_in("dm");
  auto r = post("/linkage/1/decision", dm, "decision=same&reason=" + url_encode("Same boy"));
  ASSERT_EQ(r.status, 303);
  EXPECT_TRUE(
      has(get(testing::header_of(r, "Location"), dm).body, "Pair 1: linked as the same child"));
  const int64_t kept = count("SELECT child_id FROM child_history WHERE action = 'merged'");
  const int64_t away = count("SELECT other_child_id FROM child_history WHERE action = 'merged'");
  const int64_t g1 = count("SELECT id FROM source_persons WHERE original_id = 'g1'");
  const std::string page = "/linkage/children/" + std::to_string(kept);

  r = get(page, dm);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r.body, ">g1<") && has(r.body, ">m9<")) << r.body;
  EXPECT_TRUE(has(r.body, "Same boy"));  // the history, with the reason
  EXPECT_TRUE(has(r.body, R"(name="record-)" + std::to_string(g1) + '"'));
  EXPECT_TRUE(has(r.body, "<legend"));
  EXPECT_EQ(audited("view-child-history"), 1);
  // The merged-away child says where it went, without forms.
  const auto gone = get("/linkage/children/" + std::to_string(away), dm);
  EXPECT_TRUE(has(gone.body, R"(id="merged-into")"));
  EXPECT_FALSE(has(gone.body, "/merge\""));

  // Unmerge: nothing chosen, no reason, no token.
  r = post(page + "/unmerge", dm, "reason=");
  ASSERT_EQ(r.status, 400);
  EXPECT_TRUE(has(r.body, R"(href="#records">Select the records to move out)"));
  EXPECT_TRUE(has(r.body, R"(href="#unmerge-reason">)"));
  const std::string move = "record-" + std::to_string(g1) + "=move";
  EXPECT_EQ(post(page + "/unmerge", dm, move + "&reason=x", false).status, 403);
  r = post(page + "/unmerge", dm, move + "&reason=" + url_encode("Two different boys"));
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(testing::header_of(r, "Location"), page + "?moved_to=" + std::to_string(away));
  EXPECT_EQ(count("SELECT count(DISTINCT child_id) FROM links"), 3);
  EXPECT_TRUE(has(get(testing::header_of(r, "Location"), dm).body, "The records have moved to"));

  // Merge: checked before the store is touched, and the store's own refusals shown.
  EXPECT_TRUE(has(post(page + "/merge", dm, "into=&reason=r").body,
                  "Enter the number of the child to merge into"));
  EXPECT_EQ(post(page + "/merge", dm, "into=abc&reason=r").status, 400);
  EXPECT_TRUE(has(post(page + "/merge", dm, "into=" + std::to_string(kept) + "&reason=r").body,
                  "cannot be merged into itself"));
  r = post(page + "/merge", dm, "into=999&reason=r");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(has(r.body, "No child 999")) << r.body;
  EXPECT_TRUE(has(r.body, R"(value="999")"));
  EXPECT_EQ(post(page + "/merge", dm, "into=" + std::to_string(away) + "&reason=", true).status,
            400);
  r = post(page + "/merge", dm, "into=" + std::to_string(away) + "&reason=" + url_encode("Same"));
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(testing::header_of(r, "Location"),
            "/linkage/children/" + std::to_string(away) + "?merged=" + std::to_string(kept));
  EXPECT_EQ(count("SELECT count(DISTINCT child_id) FROM links"), 2);
  EXPECT_EQ(audited("merge-children"), 2);  // the decision's merge and this one
  EXPECT_EQ(audited("unmerge-child"), 1);
}

TEST_F(WebLinkageTest, DataQualityShowsEachFeedAndFollowsTheStore) {
  const std::string dm = log_in("dm");
  auto r = get("/data-quality", dm);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(has(r.body, R"(id="feed-loads")"));
  EXPECT_TRUE(has(r.body, "gp.ndjson"));
  EXPECT_TRUE(has(r.body, "community.ndjson"));
  // gp: both with a number, one valid, both linked; community: no number.
  EXPECT_TRUE(has(r.body, "100.0% (2 of 2)")) << r.body;
  EXPECT_TRUE(has(r.body, "50.0% (1 of 2)")) << r.body;
  EXPECT_TRUE(has(r.body, "0.0% (0 of 1)")) << r.body;
  EXPECT_TRUE(has(r.body, R"(id="quarantine-reasons")"));
  EXPECT_TRUE(has(r.body, "onechild quarantine list"));
  EXPECT_TRUE(has(r.body, R"(<a class="nhsuk-link" href="/linkage">1 open pair</a>)"));
  EXPECT_EQ(audited("view-data-quality"), 1);
  EXPECT_EQ(post("/data-quality", dm, "").status, 405);

  // A new load changes the figures: the cache follows the store.
  std::ofstream(dir_.file("gp.second.ndjson"))
      << R"({"resourceType":"Patient","id":"g3","name":[{"family":"New","given":["<script>"]}],"birthDate":"2020-01-01"})"
      << "\n";
  {
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(ingest_paths(*db, {dir_.file("gp.second.ndjson")}).ok());
  }
  r = get("/data-quality", dm);
  EXPECT_TRUE(has(r.body, "66.7% (2 of 3)")) << r.body;  // gp: linked 2 of 3 now
  EXPECT_TRUE(has(r.body, "gp.second.ndjson"));
  EXPECT_FALSE(has(r.body, "<script>"));
}

// The figures after changes, read incrementally, are those a full count gives.
TEST_F(WebLinkageTest, DataQualityCountedByChangesEqualsAFreshCount) {
  const std::string dm = log_in("dm");
  const auto figures = [&](Router& router) {
    const auto r = router.handle({"GET", "/data-quality", dm, "", "localhost", ""});
    EXPECT_EQ(r.status, 200);
    const size_t from = r.body.find(R"(<table class="nhsuk-table" id="feed-records")");
    return r.body.substr(from, r.body.find("</table>", from) - from);
  };
  const std::string before = figures(router_);
  // A new version of g2 with a valid number (replacing the invalid one),
  // a new child with none, then a link run.
  std::ofstream(dir_.file("gp.third.ndjson"))
      << R"({"resourceType":"Patient","id":"g2","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000009"}],"name":[{"family":"Jones","given":["Ann"]}],"gender":"female","birthDate":"2016-07-12","address":[{"postalCode":"LS6 1AA"}]})"
      << "\n"
      << R"({"resourceType":"Patient","id":"g4","name":[{"family":"Owen","given":["Ray"]}],"birthDate":"2021-05-05"})"
      << "\n";
  {
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(ingest_paths(*db, {dir_.file("gp.third.ndjson")}).ok());
    ASSERT_EQ(count("SELECT count(*) FROM source_persons WHERE superseded_by IS NOT NULL"), 1);
    EXPECT_NE(figures(router_), before);
    ASSERT_TRUE(link_unlinked(*db, {ONECHILD_TEST_DATA "/linkage/fixed.toml", false, false}).ok());
  }
  const std::string changed = figures(router_);
  EXPECT_TRUE(has(changed, "100.0% (3 of 3)")) << changed;  // gp: all valid, all linked
  Router fresh{pool_, dir_.path().string(), ONECHILD_CONFIG_DIR};
  EXPECT_EQ(changed, figures(fresh));
}

}  // namespace
}  // namespace onechild::api
