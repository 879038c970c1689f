// Access control (issue 8) on a tiny store built row by row: who may open a
// child's record and why (access/access_control.h), break-glass, sensitivity
// labels, family access, API tokens, account lockout, protection flags
// (record/protection.h), the alerts that follow an access, and pseudonyms.
#include "access/access_control.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <unordered_set>

#include "access/alerts.h"
#include "access/grants.h"
#include "access/pseudonym.h"
#include "access/tokens.h"
#include "access/users.h"
#include "core/date.h"
#include "record/protection.h"
#include "support/temp_dir.h"

// The fixture's PersonSpec and EventSpec are filled with designated
// initializers naming only the fields a test cares about; the rest are left
// at their defaults (nullopt), which is what the tests mean. GCC 12 warns
// about that.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace onechild {
namespace {

using namespace std::chrono_literals;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using testing::TempDir;

// Every test's "now": midday on 1 June 2025.
const Clock::time_point kNow =
    std::chrono::sys_days{std::chrono::year{2025} / std::chrono::June / 1} + 12h;

Clock::time_point on(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}} +
         12h;
}

std::string iso(Clock::time_point t) {
  return format_iso_timestamp(std::chrono::floor<std::chrono::seconds>(t));
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Unwraps a Result, failing the test (by exception, which gtest reports) when
// it is an error, so fixture code can return values.
template <typename T>
T must(Result<T> r, const std::string& what = "") {
  if (!r.ok()) throw std::runtime_error(what + ": " + r.error().to_string());
  return std::move(r).value();
}
void must(const Status& s, const std::string& what = "") {
  if (!s.ok()) throw std::runtime_error(what + ": " + s.error().to_string());
}

struct PersonSpec {
  std::string source = "gp";
  std::string original_id;
  std::optional<std::string> birth_date, postcode, gp_practice;
  std::optional<int64_t> superseded_by;
};

struct EventSpec {
  std::string source = "gp";
  std::string person;  // the source's own id of the person
  std::string kind = "encounter";
  std::string start = "2025-01-01";
  std::optional<std::string> end, code_system, code, display, value;
};

// Builds a tiny store with prepared statements: sources (each with one
// batch), children, source persons linked to them, events, users.
class StoreBuilder {
 public:
  explicit StoreBuilder(Database& db) : db_(db) {}

  // The source system's id, created (with a batch) on first use.
  int64_t source(const std::string& code) { return source_and_batch(code).first; }

  int64_t child() {
    auto stmt = must(db_.prepare("INSERT INTO children (created_at) VALUES (?1)"));
    stmt.bind(1, timestamp_now());
    must(stmt.run(), "child");
    return db_.last_insert_id();
  }

  // A source person, linked to child.
  int64_t person(int64_t child, const PersonSpec& p) {
    const auto [system, batch] = source_and_batch(p.source);
    auto stmt = must(db_.prepare(
        "INSERT INTO source_persons (source_system_id, original_id, birth_date, postcode, "
        "gp_practice, content_hash, batch_id, line, superseded_by) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    stmt.bind(1, system).bind(2, p.original_id).bind(3, p.birth_date).bind(4, p.postcode);
    stmt.bind(5, p.gp_practice).bind(6, "hash" + std::to_string(++line_)).bind(7, batch);
    stmt.bind(8, int64_t{line_});
    if (p.superseded_by)
      stmt.bind(9, *p.superseded_by);
    else
      stmt.bind_null(9);
    must(stmt.run(), "person");
    const int64_t id = db_.last_insert_id();
    auto link =
        must(db_.prepare("INSERT INTO links (source_person_id, child_id, method, created_at) "
                         "VALUES (?1, ?2, 'nhs-number', ?3)"));
    link.bind(1, id).bind(2, child).bind(3, timestamp_now());
    must(link.run(), "link");
    return id;
  }

  int64_t event(const EventSpec& e) {
    const auto [system, batch] = source_and_batch(e.source);
    auto stmt = must(db_.prepare(
        "INSERT INTO source_events (source_system_id, original_id, person_original_id, kind, "
        "code_system, code, display, start_date, end_date, value, content_hash, batch_id, line) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
    ++line_;
    stmt.bind(1, system).bind(2, "E" + std::to_string(line_)).bind(3, e.person).bind(4, e.kind);
    stmt.bind(5, e.code_system).bind(6, e.code).bind(7, e.display).bind(8, e.start);
    stmt.bind(9, e.end).bind(10, e.value).bind(11, "hash" + std::to_string(line_));
    stmt.bind(12, batch).bind(13, int64_t{line_});
    must(stmt.run(), "event");
    return db_.last_insert_id();
  }

  // What the linker does on a merge: the links move, the old id points on.
  void merge(int64_t from, int64_t into) {
    auto links = must(db_.prepare("UPDATE links SET child_id = ?1 WHERE child_id = ?2"));
    links.bind(1, into).bind(2, from);
    must(links.run(), "merge links");
    auto retire = must(db_.prepare("UPDATE children SET merged_into = ?1 WHERE id = ?2"));
    retire.bind(1, into).bind(2, from);
    must(retire.run(), "merge");
  }

  // A user without a usable password (add_user's Argon2id is slow; only the
  // lockout tests need it).
  User user(const std::string& username, const std::string& role,
            const std::string& organisation = "") {
    auto stmt = must(
        db_.prepare("INSERT INTO users (username, display_name, role, password_hash, created_at, "
                    "organisation) VALUES (?1, ?1, ?2, 'not-a-hash', ?3, ?4)"));
    stmt.bind(1, username).bind(2, role).bind(3, timestamp_now()).bind(4, organisation);
    must(stmt.run(), "user");
    return User{db_.last_insert_id(), username, username, role, organisation};
  }

  int64_t count(const std::string& table_and_where) {
    // Test-only convenience; the text is always a literal in the tests.
    auto stmt = must(db_.prepare("SELECT count(*) FROM " + table_and_where));
    must(stmt.step());
    return stmt.column_int64(0);
  }

 private:
  std::pair<int64_t, int64_t> source_and_batch(const std::string& code) {
    if (auto it = sources_.find(code); it != sources_.end()) return it->second;
    auto system = must(db_.prepare(
        "INSERT INTO source_systems (code, format, created_at) VALUES (?1, 'csv', ?2)"));
    system.bind(1, code).bind(2, timestamp_now());
    must(system.run(), "source");
    const int64_t system_id = db_.last_insert_id();
    auto batch = must(db_.prepare(
        "INSERT INTO ingest_batches (source_system_id, file_path, file_sha256, received_at, "
        "rows_read, rows_accepted, rows_unchanged, rows_quarantined) "
        "VALUES (?1, ?2, 'sha', ?3, 0, 0, 0, 0)"));
    batch.bind(1, system_id).bind(2, code + ".csv").bind(3, timestamp_now());
    must(batch.run(), "batch");
    return sources_[code] = {system_id, db_.last_insert_id()};
  }

  Database& db_;
  std::map<std::string, std::pair<int64_t, int64_t>> sources_;
  int line_ = 0;
};

constexpr const char* kLocalAuthorities =
    "code,name,social_care_source,office_hours_phone,out_of_hours_phone,email\n"
    "E08000035,Leeds Children's Services,social_care_leeds,0113 000 0000,0113 000 0001,"
    "cs@leeds.example\n"
    "E08000036,Wakefield Children's Services,social_care_wakefield,01924 000 000,01924 000 001,\n";

class AccessControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(db.ok()) << db.error().to_string();
    db_.emplace(std::move(db).value());
    auto policy = AccessPolicy::load(AccessPolicy::default_path());
    ASSERT_TRUE(policy.ok()) << policy.error().to_string();
    policy_ = std::move(policy).value();
    store_ = std::make_unique<StoreBuilder>(*db_);
    // The child most tests open: three, registered at GP001, living in LS12.
    child_ = store_->child();
    store_->person(child_, {.source = "gp",
                            .original_id = "G1",
                            .birth_date = "2022-01-01",
                            .postcode = "LS12 1AA",
                            .gp_practice = "GP001"});
  }

  Principal principal(const std::string& username, const std::string& role,
                      const std::string& organisation = "") {
    return principal_for(store_->user(username, role, organisation));
  }

  AccessDecision decide(const Principal& p, int64_t child, Clock::time_point now = kNow) {
    return must(decide_record_access(*db_, policy_, p, child, now), "decide");
  }

  int64_t relate(int64_t child, const std::string& kind, const std::string& organisation,
                 std::optional<std::string> username = {}, std::optional<int> hours = {},
                 Clock::time_point now = kNow) {
    RelationshipGrant g{child, kind, organisation, std::move(username), hours, "test"};
    return must(add_relationship(*db_, policy_, g, now), "relate");
  }

  void write_local_authorities(const std::string& text = kLocalAuthorities) {
    const std::string path = dir_.file("las.csv");
    std::ofstream(path, std::ios::binary) << text;
    must(load_local_authorities(*db_, path), "load_local_authorities");
  }

  TempDir dir_;
  std::optional<Database> db_;
  AccessPolicy policy_;
  std::unique_ptr<StoreBuilder> store_;
  int64_t child_ = 0;
};

// ---------------------------------------------------------------- decide

TEST_F(AccessControlTest, NoRelationshipIsRefusedButAClinicianMayBreakGlass) {
  const auto d = decide(principal("hv1", "health-visitor", "HVTEAM"), child_);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.basis.empty());
  EXPECT_TRUE(contains(d.reason, "relationship")) << d.reason;
  EXPECT_TRUE(d.may_break_glass);
  // A SEND officer has no break-glass.
  const auto send = decide(principal("so1", "send-officer", "SEND"), child_);
  EXPECT_FALSE(send.allowed);
  EXPECT_FALSE(send.may_break_glass);
}

TEST_F(AccessControlTest, AnAnalystIsRefusedWhateverRelationshipsExist) {
  const Principal analyst = principal("an1", "analyst", "GP001");  // the child's practice
  relate(child_, "referral", "GP001");
  must(add_caseload_area(*db_, "GP001", "LS12"));
  const auto d = decide(analyst, child_);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(contains(d.reason, "aggregated or pseudonymised")) << d.reason;
  EXPECT_FALSE(d.may_break_glass);
  // Nor the IG officer or administrator: no view-record.
  for (const char* role : {"ig-officer", "administrator", "data-manager"}) {
    const auto other = decide(principal(std::string("u-") + role, role, "GP001"), child_);
    EXPECT_FALSE(other.allowed) << role;
    EXPECT_FALSE(other.may_break_glass) << role;
  }
}

TEST_F(AccessControlTest, ARecordedReferralOpensTheRecordForTheTeamOnly) {
  relate(child_, "referral", "PAEDS");
  const auto d = decide(principal("p1", "paediatrician", "PAEDS"), child_);
  EXPECT_TRUE(d.allowed) << d.reason;
  EXPECT_EQ(d.basis, "referral");
  EXPECT_TRUE(d.reason.empty());
  const auto other = decide(principal("p2", "paediatrician", "OTHERPAEDS"), child_);
  EXPECT_FALSE(other.allowed);
  EXPECT_TRUE(contains(other.reason, "relationship"));
}

TEST_F(AccessControlTest, ARelationshipForOneMemberIsNotTheTeams) {
  const Principal p1 = principal("p1", "paediatrician", "PAEDS");
  const Principal p2 = principal("p2", "paediatrician", "PAEDS");
  relate(child_, "mdt", "PAEDS", "p1");
  EXPECT_TRUE(decide(p1, child_).allowed);
  EXPECT_EQ(decide(p1, child_).basis, "mdt");
  EXPECT_FALSE(decide(p2, child_).allowed);
  // The member's relationship is also tied to the organisation.
  const Principal moved = principal("p3", "paediatrician", "ELSEWHERE");
  relate(child_, "mdt", "PAEDS", "p3");
  EXPECT_FALSE(decide(moved, child_).allowed);
}

TEST_F(AccessControlTest, ARelationshipCountsOnlyWhileItIsValid) {
  const Principal p = principal("p1", "paediatrician", "PAEDS");
  // Recorded three hours ago for two hours: expired an hour ago.
  relate(child_, "referral", "PAEDS", {}, 2, kNow - 3h);
  EXPECT_FALSE(decide(p, child_).allowed);
  EXPECT_TRUE(decide(p, child_, kNow - 2h).allowed);
  // Exactly at valid_until it has ended.
  EXPECT_FALSE(decide(p, child_, kNow - 1h).allowed);

  // Not valid yet: starts in an hour.
  const Principal q = principal("q1", "camhs-clinician", "CAMHS");
  relate(child_, "referral", "CAMHS", {}, {}, kNow + 1h);
  EXPECT_FALSE(decide(q, child_).allowed);
  EXPECT_TRUE(decide(q, child_, kNow + 1h).allowed);
  EXPECT_TRUE(decide(q, child_, kNow + days(3650)).allowed);  // no end given: open-ended
}

TEST_F(AccessControlTest, AddRelationshipRefusesWhatThePolicyDoesNotKnow) {
  RelationshipGrant g{child_, "friendship", "PAEDS", {}, {}, ""};
  auto bad_kind = add_relationship(*db_, policy_, g, kNow);
  ASSERT_FALSE(bad_kind.ok());
  EXPECT_EQ(bad_kind.error().code(), Error::Code::kInvalidArgument);
  EXPECT_TRUE(contains(bad_kind.error().message(), "friendship"));

  g.kind = "referral";
  g.organisation = "";
  EXPECT_FALSE(add_relationship(*db_, policy_, g, kNow).ok());
  g.organisation = "PAEDS";
  g.hours = 0;
  EXPECT_FALSE(add_relationship(*db_, policy_, g, kNow).ok());
  g.hours.reset();
  g.username = "nobody";
  auto no_user = add_relationship(*db_, policy_, g, kNow);
  ASSERT_FALSE(no_user.ok());
  EXPECT_EQ(no_user.error().code(), Error::Code::kNotFound);
  g.username.reset();
  g.child_id = 9999;
  auto no_child = add_relationship(*db_, policy_, g, kNow);
  ASSERT_FALSE(no_child.ok());
  EXPECT_EQ(no_child.error().code(), Error::Code::kNotFound);
  EXPECT_EQ(store_->count("relationships"), 0);
}

TEST_F(AccessControlTest, GpRegistrationOpensTheRecordForThePractice) {
  const auto d = decide(principal("gp1", "gp", "GP001"), child_);
  EXPECT_TRUE(d.allowed) << d.reason;
  EXPECT_EQ(d.basis, "gp-registration");
  EXPECT_FALSE(decide(principal("gp2", "gp", "GP002"), child_).allowed);
  // A user with no organisation never matches a person with no practice.
  const int64_t unregistered = store_->child();
  store_->person(unregistered, {.original_id = "G9", .birth_date = "2022-01-01"});
  EXPECT_FALSE(decide(principal("gp0", "gp", ""), unregistered).allowed);
}

TEST_F(AccessControlTest, ASupersededRegistrationDoesNotCount) {
  const int64_t moved = store_->child();
  const int64_t now_at = store_->person(
      moved, {.original_id = "G2", .birth_date = "2021-05-05", .gp_practice = "NEWGP"});
  store_->person(moved, {.original_id = "G2",
                         .birth_date = "2021-05-05",
                         .gp_practice = "OLDGP",
                         .superseded_by = now_at});
  EXPECT_TRUE(decide(principal("new", "gp", "NEWGP"), moved).allowed);
  EXPECT_FALSE(decide(principal("old", "gp", "OLDGP"), moved).allowed);
}

TEST_F(AccessControlTest, AreaCaseloadMatchesThePostcodeDistrict) {
  must(add_caseload_area(*db_, "HVTEAM", "LS12"));
  const auto d = decide(principal("hv1", "health-visitor", "HVTEAM"), child_);
  EXPECT_TRUE(d.allowed) << d.reason;
  EXPECT_EQ(d.basis, "caseload");
  // LS1 is a different district, though "LS12" starts with it.
  must(add_caseload_area(*db_, "CITYHV", "LS1"));
  EXPECT_FALSE(decide(principal("hv2", "health-visitor", "CITYHV"), child_).allowed);
  // Nor does LS12's team cover LS1.
  const int64_t city = store_->child();
  store_->person(city, {.original_id = "G3", .birth_date = "2022-02-02", .postcode = "LS1 4AP"});
  EXPECT_FALSE(decide(principal("hv3", "health-visitor", "HVTEAM"), city).allowed);
  EXPECT_TRUE(decide(principal("hv4", "health-visitor", "CITYHV"), city).allowed);
}

TEST_F(AccessControlTest, AreaCaseloadReadsAPostcodeWrittenWithoutTheSpaceOrInLowerCase) {
  must(add_caseload_area(*db_, "HVTEAM", "LS12"));
  const Principal hv = principal("hv1", "health-visitor", "HVTEAM");
  for (const char* postcode : {"LS121AA", "ls12 1aa", " LS12  1AA "}) {
    SCOPED_TRACE(postcode);
    const int64_t c = store_->child();
    store_->person(c, {.original_id = std::string("P-") + postcode,
                       .birth_date = "2022-02-02",
                       .postcode = postcode});
    EXPECT_TRUE(decide(hv, c).allowed);
  }
  // A district given in lower case is the same district.
  must(add_caseload_area(*db_, "OTHERHV", "ls12"));
  EXPECT_TRUE(decide(principal("hv5", "health-visitor", "OTHERHV"), child_).allowed);
  // A bare district is not a postcode: no match.
  const int64_t odd = store_->child();
  store_->person(odd, {.original_id = "P-odd", .birth_date = "2022-02-02", .postcode = "LS1"});
  EXPECT_FALSE(decide(hv, odd).allowed);
}

TEST_F(AccessControlTest, AddCaseloadAreaRefusesAWholePostcode) {
  EXPECT_FALSE(add_caseload_area(*db_, "HVTEAM", "LS12 1AA").ok());
  EXPECT_FALSE(add_caseload_area(*db_, "HVTEAM", "").ok());
  EXPECT_FALSE(add_caseload_area(*db_, "", "LS12").ok());
  EXPECT_TRUE(add_caseload_area(*db_, "HVTEAM", "LS12").ok());
  EXPECT_TRUE(add_caseload_area(*db_, "HVTEAM", "LS12").ok());  // again: no duplicate
  EXPECT_EQ(store_->count("caseload_areas"), 1);
}

TEST_F(AccessControlTest, AnOpenSocialCareEpisodeOpensTheRecordForThatAuthority) {
  write_local_authorities();
  store_->person(child_,
                 {.source = "social_care_leeds", .original_id = "SC1", .birth_date = "2022-01-01"});
  store_->event({.source = "social_care_leeds",
                 .person = "SC1",
                 .kind = "social-care-episode",
                 .start = "2025-02-01",
                 .display = "Child in need"});
  const auto d = decide(principal("sw1", "social-worker", "E08000035"), child_);
  EXPECT_TRUE(d.allowed) << d.reason;
  EXPECT_EQ(d.basis, "social-care-allocation");
  // Another authority's social worker: no.
  EXPECT_FALSE(decide(principal("sw2", "social-worker", "E08000036"), child_).allowed);
}

TEST_F(AccessControlTest, AClosedSocialCareEpisodeDoesNot) {
  write_local_authorities();
  store_->person(child_,
                 {.source = "social_care_leeds", .original_id = "SC1", .birth_date = "2022-01-01"});
  store_->event({.source = "social_care_leeds",
                 .person = "SC1",
                 .kind = "social-care-episode",
                 .start = "2024-02-01",
                 .end = "2024-09-01",
                 .display = "Child in need"});
  const auto d = decide(principal("sw1", "social-worker", "E08000035"), child_);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.may_break_glass);
}

TEST_F(AccessControlTest, AnEpisodeInAnotherAuthoritysFeedDoesNotCount) {
  write_local_authorities();
  // Open in Wakefield's feed; the Leeds social worker has no allocation.
  store_->person(child_, {.source = "social_care_wakefield", .original_id = "W1"});
  store_->event({.source = "social_care_wakefield",
                 .person = "W1",
                 .kind = "social-care-episode",
                 .start = "2025-02-01",
                 .display = "Child in need"});
  EXPECT_FALSE(decide(principal("sw1", "social-worker", "E08000035"), child_).allowed);
  EXPECT_TRUE(decide(principal("sw2", "social-worker", "E08000036"), child_).allowed);
}

TEST_F(AccessControlTest, AnUnscheduledCareAttendanceLastsThePolicysHours) {
  const Principal ed = principal("ed1", "emergency-clinician", "ED1");
  const int64_t id = relate(child_, "unscheduled-care", "ED1");
  auto stmt = must(db_->prepare("SELECT valid_from, valid_until FROM relationships WHERE id = ?1"));
  stmt.bind(1, id);
  ASSERT_TRUE(must(stmt.step()));
  EXPECT_EQ(stmt.column_text(0), iso(kNow));
  EXPECT_EQ(stmt.column_text(1), iso(kNow + hours(policy_.unscheduled_care_hours)));

  const auto in_time = decide(ed, child_, kNow + 71h);
  EXPECT_TRUE(in_time.allowed) << in_time.reason;
  EXPECT_EQ(in_time.basis, "unscheduled-care");
  EXPECT_FALSE(decide(ed, child_, kNow + 73h).allowed);
  // Given hours win over the default.
  const Principal ed2 = principal("ed2", "emergency-clinician", "ED2");
  relate(child_, "unscheduled-care", "ED2", {}, 1);
  EXPECT_TRUE(decide(ed2, child_, kNow + 59min).allowed);
  EXPECT_FALSE(decide(ed2, child_, kNow + 61min).allowed);
}

TEST_F(AccessControlTest, AMergedChildsIdResolvesToTheChildItJoined) {
  const int64_t old_id = store_->child();
  store_->person(old_id, {.source = "community", .original_id = "C1", .birth_date = "2022-01-01"});
  store_->merge(old_id, child_);
  relate(child_, "referral", "PAEDS");
  const Principal p = principal("p1", "paediatrician", "PAEDS");
  EXPECT_TRUE(decide(p, old_id).allowed);
  // Through two merges too.
  const int64_t older = store_->child();
  store_->merge(older, old_id);
  EXPECT_TRUE(decide(p, older).allowed);
}

TEST_F(AccessControlTest, WhatWasRecordedOnAMergedChildStillCounts) {
  // A referral recorded on a child who is later found to be the same as another.
  const int64_t old_id = store_->child();
  store_->person(old_id, {.source = "community", .original_id = "C1", .birth_date = "2022-01-01"});
  relate(old_id, "referral", "PAEDS");
  store_->merge(old_id, child_);
  EXPECT_TRUE(decide(principal("p1", "paediatrician", "PAEDS"), child_).allowed);
}

TEST_F(AccessControlTest, AnUnknownChildIsNotFoundAndAnUnknownRoleIsRefused) {
  auto missing = decide_record_access(*db_, policy_, principal("gp1", "gp", "GP001"), 9999, kNow);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Error::Code::kNotFound);

  const auto d = decide(principal("x", "wizard", "GP001"), child_);
  EXPECT_FALSE(d.allowed);
  EXPECT_FALSE(d.may_break_glass);
  EXPECT_TRUE(contains(d.reason, "wizard")) << d.reason;
}

TEST_F(AccessControlTest, RelatedChildrenAgreesWithDecide) {
  write_local_authorities();
  const int64_t unspaced = store_->child();
  store_->person(unspaced,
                 {.original_id = "G2", .birth_date = "2021-01-01", .postcode = "ls121ab"});
  const int64_t referred = store_->child();
  store_->person(referred,
                 {.original_id = "G3", .birth_date = "2021-01-01", .postcode = "WF1 1AA"});
  const int64_t allocated = store_->child();
  store_->person(allocated, {.source = "social_care_leeds", .original_id = "SC9"});
  store_->event({.source = "social_care_leeds", .person = "SC9", .kind = "social-care-episode"});
  must(add_caseload_area(*db_, "HVTEAM", "LS12"));
  relate(referred, "referral", "HVTEAM");
  relate(allocated, "referral", "HVTEAM", {}, 1, kNow - 2h);  // expired

  const std::vector<int64_t> all = {child_, unspaced, referred, allocated};
  auto check = [&](const Principal& p, std::unordered_set<int64_t> expected) {
    SCOPED_TRACE(p.username);
    const auto related = must(related_children(*db_, policy_, p, kNow));
    EXPECT_EQ(related, expected);
    for (int64_t c : all)
      EXPECT_EQ(decide(p, c).allowed, related.contains(c)) << "child " << c;
  };
  check(principal("hv1", "health-visitor", "HVTEAM"), {child_, unspaced, referred});
  check(principal("gp1", "gp", "GP001"), {child_});
  check(principal("sw1", "social-worker", "E08000035"), {allocated});
  check(principal("an1", "analyst", "HVTEAM"), {});
  check(principal("mum", "parent", "HVTEAM"), {});
}

// ------------------------------------------------------------ break-glass

TEST_F(AccessControlTest, BreakGlassNeedsAReasonOfTenCharacters) {
  const Principal hv = principal("hv1", "health-visitor", "HVTEAM");
  for (const char* reason :
       {"", "         ", "too short", "  short    ", "short      ", "abc\t\t\t\t\t\t\t\t"}) {
    SCOPED_TRACE(reason);
    auto bg = break_glass(*db_, policy_, hv, child_, reason, kNow);
    ASSERT_FALSE(bg.ok());
    EXPECT_EQ(bg.error().code(), Error::Code::kInvalidArgument);
    EXPECT_TRUE(contains(bg.error().message(), "10 characters"));
  }
  EXPECT_EQ(store_->count("break_glass"), 0);
  auto ten = break_glass(*db_, policy_, hv, child_, "  0123456789  ", kNow);
  ASSERT_TRUE(ten.ok()) << ten.error().to_string();
  EXPECT_EQ(ten->reason, "0123456789");
}

TEST_F(AccessControlTest, BreakGlassIsRefusedToARoleWithoutIt) {
  for (const char* role : {"send-officer", "analyst", "parent", "wizard"}) {
    auto bg = break_glass(*db_, policy_, principal(std::string("u-") + role, role, "X"), child_,
                          "child unconscious in clinic", kNow);
    ASSERT_FALSE(bg.ok()) << role;
    EXPECT_EQ(bg.error().code(), Error::Code::kInvalidArgument);
  }
  EXPECT_EQ(store_->count("break_glass"), 0);
  EXPECT_EQ(store_->count("notifications"), 0);
}

TEST_F(AccessControlTest, BreakGlassOpensTheRecordForItsHoursOnly) {
  const Principal hv = principal("hv1", "health-visitor", "HVTEAM");
  ASSERT_FALSE(decide(hv, child_).allowed);
  auto bg = break_glass(*db_, policy_, hv, child_, "child brought in by police", kNow);
  ASSERT_TRUE(bg.ok()) << bg.error().to_string();
  EXPECT_EQ(bg->child_id, child_);
  EXPECT_EQ(bg->user_id, hv.user_id);
  EXPECT_EQ(bg->started_at, iso(kNow));
  EXPECT_EQ(bg->expires_at, iso(kNow + hours(policy_.break_glass_hours)));

  const auto d = decide(hv, child_, kNow + 1h);
  EXPECT_TRUE(d.allowed) << d.reason;
  EXPECT_EQ(d.basis, "break-glass");
  EXPECT_FALSE(decide(hv, child_, kNow + hours(policy_.break_glass_hours) + 1h).allowed);
  EXPECT_FALSE(decide(hv, child_, kNow - 1h).allowed);  // not before it was broken
  // It is the user's own, not the team's.
  EXPECT_FALSE(decide(principal("hv2", "health-visitor", "HVTEAM"), child_, kNow + 1h).allowed);
}

TEST_F(AccessControlTest, BreakGlassAlertsTheIgOfficerAndIsAuditedAndVisibleToTheFamily) {
  const Principal hv = principal("hv1", "health-visitor", "HVTEAM");
  auto bg = break_glass(*db_, policy_, hv, child_, "child brought in by police", kNow);
  ASSERT_TRUE(bg.ok()) << bg.error().to_string();

  auto notes = must(notifications_for(*db_, ""));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].kind, "break-glass");
  EXPECT_EQ(notes[0].organisation, "");
  EXPECT_EQ(notes[0].child_id, child_);
  EXPECT_EQ(notes[0].username, "hv1");
  EXPECT_EQ(notes[0].role, "health-visitor");
  EXPECT_EQ(notes[0].created_at, iso(kNow));
  EXPECT_TRUE(contains(notes[0].detail, "child brought in by police")) << notes[0].detail;
  EXPECT_TRUE(must(notifications_for(*db_, "HVTEAM")).empty());

  auto audit = must(db_->prepare(
      "SELECT user_id, username, role, organisation, children, what, purpose FROM audit_events "
      "WHERE action = 'break-glass'"));
  ASSERT_TRUE(must(audit.step()));
  EXPECT_EQ(audit.column_int64(0), hv.user_id);
  EXPECT_EQ(audit.column_text(1), "hv1");
  EXPECT_EQ(audit.column_text(2), "health-visitor");
  EXPECT_EQ(audit.column_text(3), "HVTEAM");
  EXPECT_EQ(audit.column_text(4), std::to_string(child_));
  EXPECT_TRUE(contains(audit.column_text(5), "child brought in by police"));
  EXPECT_EQ(audit.column_text(6), "emergency-care");
  EXPECT_FALSE(must(audit.step()));

  auto later = break_glass(*db_, policy_, hv, child_, "second attendance, same day", kNow + 5h);
  ASSERT_TRUE(later.ok());
  auto history = must(break_glass_history(*db_, child_));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].id, later->id);  // newest first
  EXPECT_EQ(history[1].id, bg->id);
  EXPECT_EQ(history[1].reason, "child brought in by police");
  EXPECT_TRUE(must(break_glass_history(*db_, store_->child())).empty());
  auto unknown = break_glass_history(*db_, 9999);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), Error::Code::kNotFound);
}

TEST_F(AccessControlTest, BreakGlassOnAMergedIdIsOnTheChildItJoined) {
  const int64_t old_id = store_->child();
  store_->merge(old_id, child_);
  const Principal hv = principal("hv1", "health-visitor", "HVTEAM");
  auto bg = break_glass(*db_, policy_, hv, old_id, "child brought in by police", kNow);
  ASSERT_TRUE(bg.ok());
  EXPECT_EQ(bg->child_id, child_);
  EXPECT_TRUE(decide(hv, child_, kNow + 1h).allowed);
  EXPECT_EQ(must(break_glass_history(*db_, old_id)).size(), 1u);
  auto unknown = break_glass(*db_, policy_, hv, 9999, "child brought in by police", kNow);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), Error::Code::kNotFound);
}

TEST_F(AccessControlTest, ABreakGlassRecordedBeforeAMergeIsInTheMergedChildsHistory) {
  const int64_t old_id = store_->child();
  const Principal hv = principal("hv1", "health-visitor", "HVTEAM");
  ASSERT_TRUE(break_glass(*db_, policy_, hv, old_id, "child brought in by police", kNow).ok());
  store_->merge(old_id, child_);
  EXPECT_EQ(must(break_glass_history(*db_, child_)).size(), 1u);
  EXPECT_TRUE(decide(hv, child_, kNow + 1h).allowed);
}

// ------------------------------------------------------------ sensitivity

class SensitivityTest : public AccessControlTest {
 protected:
  void SetUp() override {
    AccessControlTest::SetUp();
    const std::string snomed = "http://snomed.info/sct";
    contraception_ = store_->event({.person = "G1",
                                    .kind = "encounter",
                                    .start = "2025-05-01",
                                    .code_system = snomed,
                                    .code = "394687007"});
    other_system_ = store_->event({.person = "G1",
                                   .kind = "encounter",
                                   .start = "2025-04-30",
                                   .code_system = std::string("http://example.org/local"),
                                   .code = "394687007"});
    mental_health_ =
        store_->event({.person = "G1", .kind = "mental-health-contact", .start = "2025-04-01"});
    plan_ = store_->event({.person = "G1",
                           .kind = "social-care-episode",
                           .start = "2025-03-01",
                           .display = "Child protection plan"});
    adoption_ = store_->event(
        {.person = "G1",
         .kind = "social-care-episode",
         .start = "2025-02-01",
         .code_system = std::string(
             "https://www.gov.uk/government/collections/looked-after-children#legal-status"),
         .code = "E1",
         .display = "Looked after"});
    by_hand_ = store_->event({.person = "G1", .kind = "encounter", .start = "2025-01-15"});
    plain_ = store_->event({.person = "G1", .kind = "immunisation", .start = "2025-01-01"});
    must(label_event(*db_, policy_, by_hand_, "sexual-health"));
  }

  ChildRecord record() { return must(load_child_record(*db_, child_), "load"); }

  std::map<int64_t, std::vector<std::string>> labels_by_id(const ChildRecord& r,
                                                           const RecordLabels& labels) {
    std::map<int64_t, std::vector<std::string>> out;
    for (size_t i = 0; i < r.events.size(); ++i)
      out[r.events[i].id] = labels.by_event[i];
    return out;
  }

  static std::vector<int64_t> ids(const ChildRecord& r) {
    std::vector<int64_t> out;
    for (const auto& e : r.events)
      out.push_back(e.id);
    std::sort(out.begin(), out.end());
    return out;
  }

  static const Withheld* find(const std::vector<Withheld>& w, const std::string& label) {
    for (const auto& x : w) {
      if (x.label == label) return &x;
    }
    return nullptr;
  }

  int64_t contraception_ = 0, other_system_ = 0, mental_health_ = 0, plan_ = 0, adoption_ = 0,
          by_hand_ = 0, plain_ = 0;
};

using Labels = std::vector<std::string>;

TEST_F(SensitivityTest, EventsAreLabelledByCodeKindCategoryAndHand) {
  const ChildRecord r = record();
  ASSERT_EQ(r.events.size(), 7u);
  const RecordLabels labels = must(label_record(*db_, policy_, r));
  ASSERT_EQ(labels.by_event.size(), r.events.size());
  auto by_id = labels_by_id(r, labels);
  EXPECT_EQ(by_id[contraception_], Labels{"sexual-health"});
  EXPECT_EQ(by_id[other_system_], Labels{});  // the code listed is SNOMED's only
  EXPECT_EQ(by_id[mental_health_], Labels{"mental-health-notes"});
  EXPECT_EQ(by_id[plan_], Labels{"safeguarding-detail"});
  EXPECT_EQ(by_id[adoption_], Labels{"adoption"});
  EXPECT_EQ(by_id[by_hand_], Labels{"sexual-health"});
  EXPECT_EQ(by_id[plain_], Labels{});
  EXPECT_TRUE(labels.on_child.empty());
}

TEST_F(SensitivityTest, ABareCodeInThePolicyMatchesAnySystem) {
  AccessPolicy policy = policy_;
  for (auto& l : policy.labels) {
    if (l.id == "sexual-health") l.codes.insert("394687007");
  }
  const ChildRecord r = record();
  auto by_id = labels_by_id(r, must(label_record(*db_, policy, r)));
  EXPECT_EQ(by_id[other_system_], Labels{"sexual-health"});
  EXPECT_EQ(by_id[contraception_], Labels{"sexual-health"});
}

TEST_F(SensitivityTest, ARoleLosesTheEventsItMayNotSeeAndIsToldWhatWasWithheld) {
  ChildRecord r = record();
  const RecordLabels labels = must(label_record(*db_, policy_, r));
  const auto withheld =
      apply_sensitivity(policy_, principal("hv1", "health-visitor", "HVTEAM"), labels, r);
  // A health visitor sees safeguarding and mental health, not sexual health or adoption.
  EXPECT_EQ(ids(r), (std::vector<int64_t>{other_system_, mental_health_, plan_, plain_}));
  ASSERT_EQ(withheld.size(), 2u);
  const Withheld* sexual = find(withheld, "sexual-health");
  ASSERT_NE(sexual, nullptr);
  EXPECT_EQ(sexual->events, 2);
  EXPECT_EQ(sexual->name, "Sexual health");
  EXPECT_TRUE(sexual->say);
  const Withheld* adoption = find(withheld, "adoption");
  ASSERT_NE(adoption, nullptr);
  EXPECT_EQ(adoption->events, 1);
  EXPECT_FALSE(adoption->say);  // say_withheld = false: not even that something is hidden
  // Newest first still.
  for (size_t i = 1; i < r.events.size(); ++i)
    EXPECT_GE(r.events[i - 1].start_date, r.events[i].start_date);
}

TEST_F(SensitivityTest, ARoleThatSeesALabelKeepsItsEvents) {
  ChildRecord nurse_view = record();
  const RecordLabels labels = must(label_record(*db_, policy_, nurse_view));
  auto withheld =
      apply_sensitivity(policy_, principal("sn1", "school-nurse", "SN"), labels, nurse_view);
  EXPECT_EQ(ids(nurse_view), (std::vector<int64_t>{contraception_, other_system_, mental_health_,
                                                   plan_, by_hand_, plain_}));
  ASSERT_EQ(withheld.size(), 1u);
  EXPECT_EQ(withheld[0].label, "adoption");

  ChildRecord sw_view = record();
  withheld = apply_sensitivity(policy_, principal("sw1", "social-worker", "LA"), labels, sw_view);
  EXPECT_EQ(ids(sw_view), (std::vector<int64_t>{other_system_, plan_, adoption_, plain_}));
  ASSERT_NE(find(withheld, "mental-health-notes"), nullptr);
  EXPECT_EQ(find(withheld, "mental-health-notes")->events, 1);
  EXPECT_EQ(find(withheld, "adoption"), nullptr);

  // An emergency clinician sees safeguarding detail only.
  ChildRecord ed_view = record();
  withheld =
      apply_sensitivity(policy_, principal("ed1", "emergency-clinician", "ED"), labels, ed_view);
  EXPECT_EQ(ids(ed_view), (std::vector<int64_t>{other_system_, plan_, plain_}));
  EXPECT_EQ(withheld.size(), 3u);
}

TEST_F(SensitivityTest, AnEventLabelledTwiceIsCountedOnce) {
  // By code and again by hand: one event withheld, not two.
  must(label_event(*db_, policy_, contraception_, "sexual-health"));
  ChildRecord r = record();
  const RecordLabels labels = must(label_record(*db_, policy_, r));
  auto by_id = labels_by_id(r, labels);
  EXPECT_EQ(by_id[contraception_], Labels{"sexual-health"});
  const auto withheld =
      apply_sensitivity(policy_, principal("hv1", "health-visitor", "HVTEAM"), labels, r);
  ASSERT_NE(find(withheld, "sexual-health"), nullptr);
  EXPECT_EQ(find(withheld, "sexual-health")->events, 2);
}

TEST_F(SensitivityTest, AnEventWithTwoHiddenLabelsIsCountedUnderEach) {
  must(label_event(*db_, policy_, plain_, "adoption"));
  must(label_event(*db_, policy_, plain_, "sexual-health"));
  ChildRecord r = record();
  const RecordLabels labels = must(label_record(*db_, policy_, r));
  const auto withheld = apply_sensitivity(policy_, principal("gp1", "gp", "GP001"), labels, r);
  // A GP sees sexual health but not adoption: the event goes.
  const auto kept = ids(r);
  EXPECT_EQ(std::count(kept.begin(), kept.end(), plain_), 0);
  ASSERT_NE(find(withheld, "adoption"), nullptr);
  EXPECT_EQ(find(withheld, "adoption")->events, 2);
  EXPECT_EQ(find(withheld, "sexual-health"), nullptr);
}

TEST_F(SensitivityTest, ASealedAddressClearsPostcodesForARoleThatDoesNotSeeIt) {
  store_->person(child_, {.source = "community", .original_id = "C1", .postcode = "LS12 2BB"});
  must(label_child(*db_, policy_, child_, "sealed-address"));
  ChildRecord r = record();
  ASSERT_EQ(r.identities.size(), 2u);
  const RecordLabels labels = must(label_record(*db_, policy_, r));
  EXPECT_EQ(labels.on_child, Labels{"sealed-address"});
  const auto withheld = apply_sensitivity(policy_, principal("gp1", "gp", "GP001"), labels, r);
  for (const auto& id : r.identities)
    EXPECT_FALSE(id.postcode.has_value()) << id.source;
  const Withheld* sealed = find(withheld, "sealed-address");
  ASSERT_NE(sealed, nullptr);
  EXPECT_EQ(sealed->events, 0);
  EXPECT_EQ(sealed->name, "Address");

  // A role the policy lets see it keeps the address.
  AccessPolicy policy = policy_;
  policy.roles["social-worker"].sees.insert("sealed-address");
  ChildRecord sw_view = record();
  const auto sw_withheld =
      apply_sensitivity(policy, principal("sw1", "social-worker", "LA"), labels, sw_view);
  for (const auto& id : sw_view.identities)
    EXPECT_TRUE(id.postcode.has_value()) << id.source;
  EXPECT_EQ(find(sw_withheld, "sealed-address"), nullptr);
}

TEST_F(SensitivityTest, ASealedAddressSetBeforeAMergeStillHidesTheAddress) {
  const int64_t other = store_->child();
  store_->person(other, {.source = "community", .original_id = "C1", .postcode = "LS12 2BB"});
  must(label_child(*db_, policy_, other, "sealed-address"));
  store_->merge(other, child_);
  ChildRecord r = record();
  const RecordLabels labels = must(label_record(*db_, policy_, r));
  EXPECT_EQ(labels.on_child, Labels{"sealed-address"});
  apply_sensitivity(policy_, principal("gp1", "gp", "GP001"), labels, r);
  for (const auto& id : r.identities)
    EXPECT_FALSE(id.postcode.has_value()) << id.source;
}

TEST_F(SensitivityTest, UnknownLabelsAndTargetsAreRefused) {
  Status bad = label_event(*db_, policy_, plain_, "secret");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Error::Code::kInvalidArgument);
  EXPECT_TRUE(contains(bad.error().message(), "secret"));
  bad = label_child(*db_, policy_, child_, "secret");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Error::Code::kInvalidArgument);
  EXPECT_EQ(store_->count("child_labels"), 0);

  Status missing = label_event(*db_, policy_, 99999, "sexual-health");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Error::Code::kNotFound);
  missing = label_child(*db_, policy_, 99999, "sealed-address");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Error::Code::kNotFound);
  // Labelling twice is harmless.
  EXPECT_TRUE(label_event(*db_, policy_, by_hand_, "sexual-health").ok());
  EXPECT_EQ(store_->count("event_labels"), 1);
}

// ----------------------------------------------------------------- family

class FamilyTest : public AccessControlTest {
 protected:
  void SetUp() override {
    AccessControlTest::SetUp();
    teen_ = store_->child();
    store_->person(teen_, {.original_id = "T1", .birth_date = "2013-01-01"});
  }
  int64_t teen_ = 0;  // 12 on kNow; 13 on 1 January 2026; 16 on 1 January 2029
};

TEST_F(FamilyTest, AParentSeesTheRecordUntilTheReviewAge) {
  const Principal mum = principal("mum", "parent");
  must(grant_family_access(*db_, "mum", teen_, "parent", false));
  auto d = decide(mum, teen_);
  EXPECT_TRUE(d.allowed) << d.reason;
  EXPECT_EQ(d.basis, "parent");
  EXPECT_TRUE(decide(mum, teen_, on(2025, 12, 31)).allowed);  // the day before 13

  d = decide(mum, teen_, on(2026, 1, 1));
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(contains(d.reason, "suspended for review")) << d.reason;
  EXPECT_FALSE(d.may_break_glass);

  d = decide(mum, teen_, on(2029, 1, 1));
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(contains(d.reason, "ended")) << d.reason;
}

TEST_F(FamilyTest, TheReviewAgeIsConfigurable) {
  std::ifstream in(AccessPolicy::default_path(), std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string toml = text.str();
  const auto at = toml.find("proxy_review_age = 13");
  ASSERT_NE(at, std::string::npos);
  toml.replace(at, 21, "proxy_review_age = 11");
  auto policy = AccessPolicy::parse(toml, "access.toml");
  ASSERT_TRUE(policy.ok()) << policy.error().to_string();

  const Principal mum = principal("mum", "parent");
  must(grant_family_access(*db_, "mum", teen_, "parent", false));
  EXPECT_TRUE(must(decide_record_access(*db_, *policy, mum, teen_, on(2023, 12, 31))).allowed);
  const auto d = must(decide_record_access(*db_, *policy, mum, teen_, on(2024, 1, 1)));
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(contains(d.reason, "11")) << d.reason;
  // The shipped policy still allows at 11.
  EXPECT_TRUE(decide(mum, teen_, on(2024, 1, 1)).allowed);
}

TEST_F(FamilyTest, AParentOfAnotherChildIsRefused) {
  const Principal mum = principal("mum", "parent");
  must(grant_family_access(*db_, "mum", teen_, "parent", false));
  const auto d = decide(mum, child_);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(contains(d.reason, "not linked")) << d.reason;
  // Nor does a relationship of another kind help a family role.
  relate(child_, "referral", "GP001");
  EXPECT_FALSE(decide(principal("dad", "parent", "GP001"), child_).allowed);
}

TEST_F(FamilyTest, AYoungPersonSeesTheirOwnRecordAtSixteenOrWhenCompetent) {
  const Principal me = principal("teen", "young-person");
  must(grant_family_access(*db_, "teen", teen_, "self", false));
  auto d = decide(me, teen_, on(2028, 6, 1));  // 15
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(contains(d.reason, "16")) << d.reason;
  d = decide(me, teen_, on(2029, 1, 1));  // 16
  EXPECT_TRUE(d.allowed) << d.reason;
  EXPECT_EQ(d.basis, "self");

  must(grant_family_access(*db_, "teen", teen_, "self", true));  // recorded as competent
  d = decide(me, teen_, on(2028, 6, 1));
  EXPECT_TRUE(d.allowed) << d.reason;
  EXPECT_EQ(d.basis, "self-competent");
  // Still only their own record.
  EXPECT_FALSE(decide(me, child_, on(2028, 6, 1)).allowed);
}

TEST_F(FamilyTest, AnUnknownBirthDateIsRefused) {
  const int64_t nameless = store_->child();
  store_->person(nameless, {.original_id = "N1"});
  const Principal mum = principal("mum", "parent");
  must(grant_family_access(*db_, "mum", nameless, "parent", false));
  const auto d = decide(mum, nameless);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(contains(d.reason, "date of birth")) << d.reason;
}

TEST_F(FamilyTest, GrantFamilyAccessRefusesBadRequests) {
  store_->user("mum", "parent");
  Status s = grant_family_access(*db_, "mum", teen_, "guardian", false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Error::Code::kInvalidArgument);
  s = grant_family_access(*db_, "mum", teen_, "parent", true);  // a competent parent
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Error::Code::kInvalidArgument);
  s = grant_family_access(*db_, "nobody", teen_, "parent", false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Error::Code::kNotFound);
  s = grant_family_access(*db_, "mum", 9999, "parent", false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Error::Code::kNotFound);
  EXPECT_EQ(store_->count("family_access"), 0);
}

TEST_F(FamilyTest, AccessGrantedBeforeAMergeStillCounts) {
  const Principal mum = principal("mum", "parent");
  const int64_t old_id = store_->child();
  store_->person(old_id, {.source = "community", .original_id = "C7", .birth_date = "2013-01-01"});
  must(grant_family_access(*db_, "mum", old_id, "parent", false));
  store_->merge(old_id, teen_);
  EXPECT_TRUE(decide(mum, teen_).allowed);
  EXPECT_TRUE(decide(mum, old_id).allowed);
}

// ----------------------------------------------------------------- tokens

class TokenTest : public AccessControlTest {
 protected:
  void SetUp() override {
    AccessControlTest::SetUp();
    gp_ = store_->user("gp1", "gp", "GP001");
  }
  Result<std::string> issue(const std::string& scopes, std::optional<int64_t> child = {},
                            int hours = 24, const std::string& name = "client") {
    return issue_token(*db_, {name, "gp1", scopes, child, hours}, kNow);
  }
  User gp_;
};

TEST_F(TokenTest, AUserTokenCarriesItsUsersRights) {
  const std::string token = must(issue("user/*.read"));
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);
  auto stored = must(db_->prepare("SELECT token_hash FROM api_clients"));
  ASSERT_TRUE(must(stored.step()));
  EXPECT_NE(stored.column_text(0), token);  // only a hash is kept
  EXPECT_EQ(stored.column_text(0).size(), 64u);

  const Principal p = must(principal_from_bearer(*db_, "Bearer " + token, kNow + 1h));
  EXPECT_EQ(p.user_id, gp_.id);
  EXPECT_EQ(p.username, "gp1");
  EXPECT_EQ(p.role, "gp");
  EXPECT_EQ(p.organisation, "GP001");
  EXPECT_EQ(p.via, Principal::Via::kUserToken);
  EXPECT_EQ(p.scopes, std::vector<std::string>{"user/*.read"});
  EXPECT_FALSE(p.token_child.has_value());
  EXPECT_EQ(p.purpose, "direct-care");
  EXPECT_TRUE(decide(p, child_).allowed);  // the GP's registration, through the token
}

TEST_F(TokenTest, ASystemTokenIsForSecondaryUse) {
  const Principal p =
      must(principal_from_bearer(*db_, "Bearer " + must(issue("system/*.read")), kNow));
  EXPECT_EQ(p.via, Principal::Via::kSystemToken);
  EXPECT_EQ(p.purpose, "secondary-use");
}

TEST_F(TokenTest, APatientTokenIsForOneChildOnly) {
  auto no_child = issue("patient/*.read");
  ASSERT_FALSE(no_child.ok());
  EXPECT_EQ(no_child.error().code(), Error::Code::kInvalidArgument);
  auto child_for_user = issue("user/*.read", child_);
  ASSERT_FALSE(child_for_user.ok());

  const std::string token = must(issue("patient/*.read", child_));
  const Principal p = must(principal_from_bearer(*db_, "Bearer " + token, kNow));
  EXPECT_EQ(p.via, Principal::Via::kPatientToken);
  ASSERT_TRUE(p.token_child.has_value());
  EXPECT_EQ(*p.token_child, child_);
  EXPECT_TRUE(decide(p, child_).allowed);

  // Another child the GP could otherwise open: refused through this token.
  const int64_t sibling = store_->child();
  store_->person(sibling,
                 {.original_id = "G2", .birth_date = "2020-01-01", .gp_practice = "GP001"});
  EXPECT_TRUE(decide(principal_for(gp_), sibling).allowed);
  const auto d = decide(p, sibling);
  EXPECT_FALSE(d.allowed);
  EXPECT_FALSE(d.may_break_glass);
  EXPECT_TRUE(contains(d.reason, "another child")) << d.reason;
}

TEST_F(TokenTest, APatientTokenStillNeedsARelationship) {
  const int64_t stranger = store_->child();
  store_->person(stranger,
                 {.original_id = "G5", .birth_date = "2020-01-01", .gp_practice = "GP009"});
  const Principal p =
      must(principal_from_bearer(*db_, "Bearer " + must(issue("patient/*.read", stranger)), kNow));
  EXPECT_FALSE(decide(p, stranger).allowed);
}

TEST_F(TokenTest, AForgedOrMalformedTokenIsUnauthenticated) {
  ASSERT_TRUE(issue("user/*.read").ok());
  const std::string forged(64, 'a');
  for (const std::string& header :
       {"Bearer " + forged, std::string(""), std::string("Basic Z3AxOnNlY3JldA=="),
        std::string("Bearer "), std::string("Bearer abc123"), "Token " + forged,
        "Bearer " + std::string(64, 'A'), "Bearer " + forged + "0"}) {
    SCOPED_TRACE(header);
    auto p = principal_from_bearer(*db_, header, kNow);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code(), Error::Code::kUnauthenticated);
  }
}

TEST_F(TokenTest, AnExpiredTokenIsUnauthenticated) {
  const std::string token = must(issue("user/*.read", {}, 24));
  EXPECT_TRUE(principal_from_bearer(*db_, "Bearer " + token, kNow + 23h).ok());
  auto p = principal_from_bearer(*db_, "Bearer " + token, kNow + 25h);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), Error::Code::kUnauthenticated);
  EXPECT_TRUE(contains(p.error().message(), "expired"));
}

TEST_F(TokenTest, ARevokedTokenIsUnauthenticated) {
  const std::string token = must(issue("user/*.read", {}, 24, "portal"));
  const std::string other = must(issue("user/*.read", {}, 24, "other"));
  must(revoke_token(*db_, "portal"));
  auto p = principal_from_bearer(*db_, "Bearer " + token, kNow);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), Error::Code::kUnauthenticated);
  EXPECT_TRUE(contains(p.error().message(), "revoked"));
  EXPECT_TRUE(principal_from_bearer(*db_, "Bearer " + other, kNow).ok());
  Status missing = revoke_token(*db_, "nobody");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Error::Code::kNotFound);
}

TEST_F(TokenTest, BadScopesAndRequestsAreRefusedAtIssue) {
  for (const char* scopes :
       {"patient/*.write", "admin", "user/*.write", "user/patient.read", "group/*.read",
        "user/.read", "user/*", "", "   ", "user/*.read system/*.*"}) {
    SCOPED_TRACE(scopes);
    const std::optional<int64_t> child =
        std::string(scopes).starts_with("patient") ? std::optional<int64_t>(child_) : std::nullopt;
    auto token = issue(scopes, child);
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.error().code(), Error::Code::kInvalidArgument);
  }
  EXPECT_FALSE(issue("user/*.read", {}, 0).ok());
  EXPECT_FALSE(issue("user/*.read", {}, 24 * 367).ok());
  EXPECT_FALSE(issue("user/*.read", {}, 24, "").ok());
  auto unknown = issue_token(*db_, {"c", "nobody", "user/*.read", {}, 24}, kNow);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), Error::Code::kNotFound);
  EXPECT_EQ(store_->count("api_clients"), 0);
}

TEST_F(TokenTest, ScopesLimitTheResourceTypesRead) {
  const Principal typed = must(principal_from_bearer(
      *db_, "Bearer " + must(issue("user/Immunization.read user/Observation.rs")), kNow));
  EXPECT_TRUE(scope_allows_read(typed, "Immunization"));
  EXPECT_TRUE(scope_allows_read(typed, "Observation"));
  EXPECT_FALSE(scope_allows_read(typed, "Patient"));
  EXPECT_FALSE(scope_allows_read(typed, "Immunizatio"));

  const Principal any =
      must(principal_from_bearer(*db_, "Bearer " + must(issue("user/*.read", {}, 24, "b")), kNow));
  EXPECT_TRUE(scope_allows_read(any, "Patient"));
  EXPECT_TRUE(scope_allows_read(any, "Immunization"));

  const Principal session = principal_for(gp_);
  EXPECT_EQ(session.via, Principal::Via::kSession);
  EXPECT_TRUE(scope_allows_read(session, "Patient"));
  EXPECT_TRUE(scope_allows_read(session, "AuditEvent"));
}

// ---------------------------------------------------------------- lockout

class LockoutTest : public AccessControlTest {
 protected:
  static constexpr const char* kPassword = "correct horse battery";
  void SetUp() override {
    AccessControlTest::SetUp();
    ASSERT_TRUE(add_user(*db_, "hv1", "Hana Visitor", "health-visitor", kPassword, "HV").ok());
  }
  LoginRules rules() const { return {policy_.lockout_failures, policy_.lockout_minutes}; }
  Result<User> login(const std::string& password) {
    return authenticate(*db_, "hv1", password, rules());
  }
  int64_t failed_logins() {
    auto stmt = must(db_->prepare("SELECT failed_logins FROM users WHERE username = 'hv1'"));
    must(stmt.step());
    return stmt.column_int64(0);
  }
  std::optional<std::string> locked_until() {
    auto stmt = must(db_->prepare("SELECT locked_until FROM users WHERE username = 'hv1'"));
    must(stmt.step());
    return stmt.column_optional_text(0);
  }
};

TEST_F(LockoutTest, FiveWrongPasswordsLockTheAccount) {
  for (int i = 1; i <= 4; ++i) {
    auto r = login("wrong password " + std::to_string(i));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Error::Code::kNotFound) << i;
    EXPECT_EQ(failed_logins(), i);
    EXPECT_FALSE(locked_until().has_value());
  }
  auto fifth = login("wrong password 5");
  ASSERT_FALSE(fifth.ok());
  EXPECT_EQ(fifth.error().code(), Error::Code::kUnauthenticated);
  EXPECT_TRUE(contains(fifth.error().message(), "locked"));
  ASSERT_TRUE(locked_until().has_value());
  // About half an hour from now.
  EXPECT_GT(*locked_until(), iso(Clock::now() + minutes(policy_.lockout_minutes - 1)));
  EXPECT_LE(*locked_until(), iso(Clock::now() + minutes(policy_.lockout_minutes)));

  auto right = login(kPassword);
  ASSERT_FALSE(right.ok());
  EXPECT_EQ(right.error().code(), Error::Code::kUnauthenticated);
  auto wrong = login("wrong again");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), Error::Code::kUnauthenticated);
}

TEST_F(LockoutTest, TheLockEndsAndASuccessResetsTheCount) {
  for (int i = 0; i < 5; ++i)
    ASSERT_FALSE(login("wrong password").ok());
  ASSERT_FALSE(login(kPassword).ok());
  must(db_->execute(
      "UPDATE users SET locked_until = '2000-01-01T00:00:00Z' WHERE username = 'hv1'"));
  auto right = login(kPassword);
  ASSERT_TRUE(right.ok()) << right.error().to_string();
  EXPECT_EQ(right->username, "hv1");
  EXPECT_EQ(right->organisation, "HV");
  EXPECT_EQ(failed_logins(), 0);
  EXPECT_FALSE(locked_until().has_value());
}

TEST_F(LockoutTest, OnlyFailuresInARowCount) {
  for (int i = 0; i < 4; ++i)
    ASSERT_FALSE(login("wrong password").ok());
  ASSERT_TRUE(login(kPassword).ok());
  EXPECT_EQ(failed_logins(), 0);
  for (int i = 0; i < 4; ++i) {
    auto r = login("wrong password");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Error::Code::kNotFound);
  }
  EXPECT_EQ(failed_logins(), 4);
  EXPECT_FALSE(locked_until().has_value());
  EXPECT_TRUE(login(kPassword).ok());
}

TEST_F(LockoutTest, TheRulesComeFromThePolicy) {
  const LoginRules strict{2, 1};
  ASSERT_FALSE(authenticate(*db_, "hv1", "wrong password", strict).ok());
  auto second = authenticate(*db_, "hv1", "wrong password", strict);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), Error::Code::kUnauthenticated);
  ASSERT_TRUE(locked_until().has_value());
  EXPECT_LE(*locked_until(), iso(Clock::now() + 1min));
  // An unknown user is never locked, and not told apart from a wrong password.
  auto unknown = authenticate(*db_, "nobody", "wrong password", strict);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), Error::Code::kNotFound);
}

// ------------------------------------------------------- protection flags

class ProtectionTest : public AccessControlTest {
 protected:
  void SetUp() override {
    AccessControlTest::SetUp();
    write_local_authorities();
    store_->person(
        child_, {.source = "social_care_leeds", .original_id = "SC1", .birth_date = "2022-01-01"});
  }
  int64_t episode(const std::string& display, const std::string& start,
                  std::optional<std::string> end = {}, std::optional<std::string> code = {},
                  const std::string& source = "social_care_leeds",
                  const std::string& person = "SC1", std::optional<std::string> value = {}) {
    return store_->event({.source = source,
                          .person = person,
                          .kind = "social-care-episode",
                          .start = start,
                          .end = std::move(end),
                          .code = std::move(code),
                          .display = display,
                          .value = std::move(value)});
  }
  std::vector<ProtectionFlag> flags(int64_t child, const std::string& today = "2025-06-01") {
    const ChildRecord r = must(load_child_record(*db_, child));
    return must(protection_flags(*db_, r, must(parse_iso_date(today))));
  }
};

TEST_F(ProtectionTest, AnOpenPlanIsFlaggedWithTheAuthoritysContacts) {
  const int64_t plan = episode("Child protection plan", "2025-01-10", {}, "N");
  const auto f = flags(child_);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "child-protection-plan");
  EXPECT_EQ(f[0].title, "Child protection plan");
  EXPECT_EQ(f[0].category, "N");
  EXPECT_EQ(f[0].start, "2025-01-10");
  EXPECT_FALSE(f[0].end.has_value());
  EXPECT_EQ(f[0].source, "social_care_leeds");
  EXPECT_EQ(f[0].event_id, plan);
  ASSERT_TRUE(f[0].local_authority.has_value());
  EXPECT_EQ(f[0].local_authority->code, "E08000035");
  EXPECT_EQ(f[0].local_authority->name, "Leeds Children's Services");
  EXPECT_EQ(f[0].local_authority->office_hours_phone, "0113 000 0000");
  EXPECT_EQ(f[0].local_authority->out_of_hours_phone, "0113 000 0001");
  EXPECT_EQ(f[0].local_authority->email, "cs@leeds.example");
}

TEST_F(ProtectionTest, AClosedOrFuturePlanIsNotFlagged) {
  episode("Child protection plan", "2024-01-10", "2025-03-01");
  episode("Child protection plan", "2025-07-01");
  EXPECT_TRUE(flags(child_).empty());
  // A plan ending today is still in force today.
  episode("Child protection plan", "2025-01-01", "2025-06-01");
  EXPECT_EQ(flags(child_).size(), 1u);
  EXPECT_TRUE(flags(child_, "2025-06-02").empty());
  // Other episodes are not flags.
  episode("Child in need", "2025-01-01");
  EXPECT_TRUE(flags(child_, "2025-06-02").empty());
}

TEST_F(ProtectionTest, APrebirthPlanIsAnUnbornChildsPlan) {
  // Made before this person was born.
  episode("Child protection plan", "2021-11-01");
  auto f = flags(child_);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, "unborn-child-protection-plan");
  EXPECT_EQ(f[0].title, "Unborn child protection plan");

  // Marked as pre-birth or unborn in its text, on a mother's record.
  const int64_t mother = store_->child();
  store_->person(mother,
                 {.source = "social_care_leeds", .original_id = "M1", .birth_date = "1998-04-04"});
  episode("Child protection plan", "2025-03-01", {}, {}, "social_care_leeds", "M1",
          "Pre-Birth plan");
  episode("Unborn child protection plan", "2025-03-02", {}, {}, "social_care_leeds", "M1");
  f = flags(mother);
  ASSERT_EQ(f.size(), 2u);
  for (const auto& flag : f)
    EXPECT_EQ(flag.kind, "unborn-child-protection-plan");
}

TEST_F(ProtectionTest, SeveralOpenLookedAfterEpisodesAreOneFlagAfterThePlans) {
  episode("Looked after", "2024-01-01", {}, "C2");
  const int64_t latest = episode("Looked after", "2025-02-01", {}, "C1");
  episode("Looked after", "2024-06-01", {}, "V2");
  episode("Child protection plan", "2023-01-01", {}, "E");
  const auto f = flags(child_);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].kind, "child-protection-plan");
  EXPECT_EQ(f[1].kind, "looked-after");
  EXPECT_EQ(f[1].title, "Looked after child");
  EXPECT_EQ(f[1].event_id, latest);
  EXPECT_EQ(f[1].category, "C1");
}

TEST_F(ProtectionTest, AnUnknownFeedIsFlaggedWithoutAnAuthority) {
  store_->person(child_, {.source = "social_care_york", .original_id = "Y1"});
  episode("Child protection plan", "2025-01-01", {}, {}, "social_care_york", "Y1");
  const auto f = flags(child_);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].source, "social_care_york");
  EXPECT_FALSE(f[0].local_authority.has_value());
}

TEST_F(ProtectionTest, LoadingAuthoritiesReplacesWhatWasThere) {
  write_local_authorities(
      "code,name,social_care_source,office_hours_phone,out_of_hours_phone,email\n"
      "E08000035,Leeds City Council,social_care_leeds,1,2,\n");
  EXPECT_EQ(store_->count("local_authorities"), 1);
  episode("Child protection plan", "2025-01-01");
  const auto f = flags(child_);
  ASSERT_EQ(f.size(), 1u);
  ASSERT_TRUE(f[0].local_authority.has_value());
  EXPECT_EQ(f[0].local_authority->name, "Leeds City Council");
  EXPECT_EQ(f[0].local_authority->email, "");
}

TEST_F(ProtectionTest, MalformedAuthorityFilesAreRefusedWithTheirPlace) {
  const std::string path = dir_.file("bad.csv");
  auto load = [&](const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    return load_local_authorities(*db_, path);
  };
  const std::string header =
      "code,name,social_care_source,office_hours_phone,out_of_hours_phone,email\n";

  Status s = load("code,name,source,office,ooh,email\nE1,A,s,1,2,\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Error::Code::kInvalidArgument);
  EXPECT_EQ(s.error().file(), path);
  EXPECT_EQ(s.error().line(), 1);
  EXPECT_TRUE(contains(s.error().message(), "header"));

  s = load(header + "E1,A,s,1,2,\nE2,B,t,1\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().line(), 3);
  EXPECT_TRUE(contains(s.error().message(), "expected 6 fields, found 4"));

  s = load(header + "E1,A,,1,2,\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().line(), 2);
  EXPECT_EQ(s.error().field(), "social_care_source");

  s = load("");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Error::Code::kInvalidArgument);

  s = load_local_authorities(*db_, dir_.file("missing.csv"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Error::Code::kIoError);

  // Found by fuzz_local_authorities: a code listed twice failed in SQLite
  // with no file or line; now it names both.
  s = load(header + "E1,A,s,1,2,\nE1,B,t,1,2,\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().file(), path);
  EXPECT_EQ(s.error().line(), 3);
  EXPECT_EQ(s.error().field(), "code");
  EXPECT_TRUE(contains(s.error().message(), "listed twice"));

  // A refused file leaves what was loaded before.
  EXPECT_EQ(store_->count("local_authorities"), 2);
}

// ----------------------------------------------------------------- alerts

class AlertsTest : public ProtectionTest {};

TEST_F(AlertsTest, AnUnscheduledAccessNotifiesEachResponsibleAuthorityOnce) {
  store_->person(child_, {.source = "social_care_wakefield", .original_id = "W1"});
  store_->person(child_, {.source = "social_care_york", .original_id = "Y1"});
  episode("Child protection plan", "2025-01-01");
  episode("Looked after", "2025-02-01");  // Leeds again
  episode("Looked after", "2025-03-01", {}, {}, "social_care_wakefield", "W1");
  episode("Child protection plan", "2025-03-01", {}, {}, "social_care_york", "Y1");
  const auto f = flags(child_);
  ASSERT_EQ(f.size(), 3u);  // two plans, one period of care (the latest: Wakefield)

  const Principal ed = principal("ed1", "emergency-clinician", "RXX01");
  must(notify_unscheduled_access(*db_, ed, child_, f, kNow));
  // Leeds, Wakefield, and York (no contacts: under the feed's name so the
  // access is not lost).
  EXPECT_EQ(store_->count("notifications"), 3);
  auto leeds = must(notifications_for(*db_, "E08000035"));
  ASSERT_EQ(leeds.size(), 1u);
  EXPECT_EQ(leeds[0].kind, "unscheduled-care-access");
  EXPECT_EQ(leeds[0].child_id, child_);
  EXPECT_EQ(leeds[0].username, "ed1");
  EXPECT_EQ(leeds[0].user_organisation, "RXX01");
  EXPECT_EQ(leeds[0].created_at, iso(kNow));
  EXPECT_TRUE(contains(leeds[0].detail, "RXX01")) << leeds[0].detail;
  EXPECT_EQ(must(notifications_for(*db_, "E08000036")).size(), 1u);
  EXPECT_EQ(must(notifications_for(*db_, "social_care_york")).size(), 1u);
  EXPECT_TRUE(must(notifications_for(*db_, "")).empty());
  EXPECT_TRUE(must(notifications_for(*db_, "E99999999")).empty());

  // Two flags from one authority: one notification.
  const int64_t other = store_->child();
  store_->person(other, {.source = "social_care_leeds", .original_id = "SC2"});
  episode("Child protection plan", "2025-01-01", {}, {}, "social_care_leeds", "SC2");
  episode("Looked after", "2025-02-01", {}, {}, "social_care_leeds", "SC2");
  const auto two = flags(other);
  ASSERT_EQ(two.size(), 2u);
  must(notify_unscheduled_access(*db_, ed, other, two, kNow + 1min));
  EXPECT_EQ(must(notifications_for(*db_, "E08000035")).size(), 2u);
  EXPECT_EQ(store_->count("notifications"), 4);
  // No flags, no notification.
  must(notify_unscheduled_access(*db_, ed, other, {}, kNow + 2min));
  EXPECT_EQ(store_->count("notifications"), 4);
}

TEST_F(AlertsTest, RecentUnscheduledAccessesAreNewestFirstAndLimited) {
  store_->person(child_, {.source = "social_care_wakefield", .original_id = "W1"});
  episode("Child protection plan", "2025-01-01");
  episode("Child protection plan", "2025-01-02", {}, {}, "social_care_wakefield", "W1");
  const auto f = flags(child_);
  ASSERT_EQ(f.size(), 2u);
  const Principal ed = principal("ed1", "emergency-clinician", "RXX01");
  for (int i = 0; i < 30; ++i)
    must(notify_unscheduled_access(*db_, ed, child_, f, kNow + minutes(i)));
  EXPECT_EQ(store_->count("notifications"), 60);  // two authorities told of each

  auto recent =
      must(recent_unscheduled_accesses(*db_, child_, policy_.recent_unscheduled_accesses));
  ASSERT_EQ(recent.size(), 25u);  // each access once, not once per authority
  EXPECT_EQ(recent.front().created_at, iso(kNow + 29min));
  EXPECT_EQ(recent.back().created_at, iso(kNow + 5min));
  for (size_t i = 1; i < recent.size(); ++i)
    EXPECT_GT(recent[i - 1].created_at, recent[i].created_at);
  EXPECT_EQ(must(recent_unscheduled_accesses(*db_, child_, 100)).size(), 30u);
  EXPECT_TRUE(must(recent_unscheduled_accesses(*db_, store_->child(), 25)).empty());

  // Break-glass alerts are not unscheduled-care accesses.
  ASSERT_TRUE(break_glass(*db_, policy_, ed, child_, "unconscious, no relationship", kNow).ok());
  EXPECT_EQ(must(recent_unscheduled_accesses(*db_, child_, 100)).size(), 30u);
  EXPECT_EQ(must(notifications_for(*db_, "E08000035", 10)).size(), 10u);
}

// ------------------------------------------------------------ pseudonyms

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

TEST(Pseudonymiser, IsStableForAKeyAndDiffersAcrossIdsAndKeys) {
  std::array<unsigned char, 32> key{};
  key.fill(7);
  std::array<unsigned char, 32> other_key = key;
  other_key[31] = 8;
  const auto a = Pseudonymiser::with_key(key);
  const auto b = Pseudonymiser::with_key(key);
  const auto c = Pseudonymiser::with_key(other_key);
  EXPECT_EQ(a.pseudonym(42), b.pseudonym(42));
  EXPECT_EQ(a.pseudonym(42).size(), 32u);
  EXPECT_EQ(a.pseudonym(42).find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a.pseudonym(42), a.pseudonym(43));
  EXPECT_NE(a.pseudonym(42), c.pseudonym(42));
  EXPECT_NE(a.pseudonym(42), "42");
}

TEST(Pseudonymiser, ForDatabaseKeepsAPrivateKeyBesideTheDatabase) {
  TempDir dir;
  const std::string db = dir.file("ics.db");
  const std::string key_file = db + ".pseudonym-key";
  ASSERT_FALSE(std::filesystem::exists(key_file));
  const auto first = must(Pseudonymiser::for_database(db));
  ASSERT_TRUE(std::filesystem::exists(key_file));
  EXPECT_EQ(std::filesystem::file_size(key_file), 32u);
  struct stat st {};
  ASSERT_EQ(::stat(key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  const auto again = must(Pseudonymiser::for_database(db));
  EXPECT_EQ(first.pseudonym(1), again.pseudonym(1));
  // Another database has another key.
  const auto other = must(Pseudonymiser::for_database(dir.file("other.db")));
  EXPECT_NE(first.pseudonym(1), other.pseudonym(1));
}

TEST(Pseudonymiser, TheEnvironmentNamesTheKeyFile) {
  TempDir dir;
  const std::string key_file = dir.file("elsewhere.key");
  std::string with_env;
  {
    ScopedEnv env("ONECHILD_PSEUDONYM_KEY_FILE", key_file);
    with_env = must(Pseudonymiser::for_database(dir.file("a.db"))).pseudonym(5);
    EXPECT_TRUE(std::filesystem::exists(key_file));
    EXPECT_FALSE(std::filesystem::exists(dir.file("a.db.pseudonym-key")));
    // Every database then shares the one key.
    EXPECT_EQ(must(Pseudonymiser::for_database(dir.file("b.db"))).pseudonym(5), with_env);
  }
  EXPECT_EQ(std::getenv("ONECHILD_PSEUDONYM_KEY_FILE"), nullptr);
  EXPECT_NE(must(Pseudonymiser::for_database(dir.file("a.db"))).pseudonym(5), with_env);
}

TEST(Pseudonymiser, AShortKeyFileIsAnError) {
  TempDir dir;
  std::ofstream(dir.file("a.db.pseudonym-key"), std::ios::binary) << "short";
  auto p = Pseudonymiser::for_database(dir.file("a.db"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code(), Error::Code::kIoError);
}

}  // namespace
}  // namespace onechild
