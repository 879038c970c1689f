// The tamper-evident audit log (access/audit.h): the chain, what verify
// finds when rows are edited, deleted or inserted, search, and the FHIR
// AuditEvent.
#include "access/audit.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <boost/json.hpp>
#include <thread>

#include "access/users.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

using testing::TempDir;
namespace json = boost::json;
using Kind = AuditProblem::Kind;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override { db_.emplace(open()); }

  Database open() {
    auto db = Database::open(dir_.file("audit.db"));
    EXPECT_TRUE(db.ok()) << db.error().to_string();
    return std::move(db).value();
  }

  // n entries: entry i is about child i (entry 1 about none).
  void append(int n) {
    for (int i = 1; i <= n; ++i) {
      AuditEntry e{std::nullopt, i % 3 == 0 ? "search" : "view-record",
                   i == 1 ? std::nullopt : std::optional<int64_t>(i),
                   "GET /children/" + std::to_string(i)};
      e.username = "user" + std::to_string(i % 2);
      e.role = "health-visitor";
      ASSERT_TRUE(record_audit(*db_, e).ok());
    }
  }

  void exec(const std::string& sql) {
    Status s = db_->execute(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.error().to_string();
  }

  AuditVerification verify(const std::string& expect_head = "") {
    auto v = verify_audit(*db_, {expect_head});
    EXPECT_TRUE(v.ok()) << v.error().to_string();
    return v.ok() ? std::move(v).value() : AuditVerification{};
  }

  AuditRow row(int64_t seq) {
    auto stmt = db_->prepare(
        "SELECT seq, at, user_id, username, role, organisation, purpose, action, children, what, "
        "outcome, prev_hash, hash FROM audit_events WHERE seq = ?1");
    stmt->bind(1, seq);
    EXPECT_TRUE(*stmt->step());
    AuditRow r;
    r.seq = stmt->column_int64(0);
    r.at = stmt->column_text(1);
    if (!stmt->column_is_null(2)) r.user_id = stmt->column_int64(2);
    r.username = stmt->column_text(3);
    r.role = stmt->column_text(4);
    r.organisation = stmt->column_text(5);
    r.purpose = stmt->column_text(6);
    r.action = stmt->column_text(7);
    for (auto text = stmt->column_text(8); !text.empty();) {
      const size_t space = text.find(' ');
      r.children.push_back(std::stoll(text.substr(0, space)));
      text = space == std::string::npos ? "" : text.substr(space + 1);
    }
    r.what = stmt->column_text(9);
    r.outcome = stmt->column_text(10);
    r.prev_hash = stmt->column_text(11);
    r.hash = stmt->column_text(12);
    return r;
  }

  void insert_row(const AuditRow& r) {
    auto stmt = db_->prepare(
        "INSERT INTO audit_events (seq, at, user_id, username, role, organisation, purpose, "
        "action, children, what, outcome, prev_hash, hash) VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, "
        "?7, '', ?8, ?9, ?10, ?11)");
    stmt->bind(1, r.seq)
        .bind(2, r.at)
        .bind(3, r.username)
        .bind(4, r.role)
        .bind(5, r.organisation)
        .bind(6, r.purpose)
        .bind(7, r.action)
        .bind(8, r.what)
        .bind(9, r.outcome)
        .bind(10, r.prev_hash)
        .bind(11, r.hash);
    ASSERT_TRUE(stmt->run().ok());
  }

  // A forged entry as someone with write access and this source would make it.
  AuditRow forged(int64_t seq, const std::string& prev_hash) {
    AuditRow r;
    r.seq = seq;
    r.at = row(1).at;
    r.username = "mallory";
    r.role = "health-visitor";
    r.purpose = "direct-care";
    r.action = "login";
    r.outcome = "allowed";
    r.prev_hash = prev_hash;
    r.hash = audit_row_hash(r);
    return r;
  }

  // Renumbers entries from..last by `by` (two steps: seq is the primary key).
  void renumber(int64_t from, int64_t by) {
    exec("UPDATE audit_events SET seq = -seq WHERE seq >= " + std::to_string(from));
    exec("UPDATE audit_events SET seq = -seq + (" + std::to_string(by) + ") WHERE seq < 0");
  }

  static bool has(const AuditVerification& v, Kind kind, int64_t seq, const std::string& text) {
    for (const auto& p : v.problems) {
      if (p.kind == kind && p.seq == seq && p.message.find(text) != std::string::npos) return true;
    }
    return false;
  }

  static std::string problems(const AuditVerification& v) {
    std::string out;
    for (const auto& p : v.problems)
      out += "  [" + std::to_string(p.seq) + "] " + p.message + "\n";
    return out;
  }

  TempDir dir_;
  std::optional<Database> db_;
};

TEST_F(AuditTest, EmptyChainIsIntact) {
  auto v = verify();
  EXPECT_TRUE(v.intact());
  EXPECT_EQ(v.entries, 0);
  EXPECT_EQ(v.head_hash, kAuditGenesisHash);
}

TEST_F(AuditTest, ChainOfEntriesVerifies) {
  append(40);
  auto v = verify();
  EXPECT_TRUE(v.intact()) << problems(v);
  EXPECT_EQ(v.entries, 40);
  EXPECT_EQ(v.last_seq, 40);
  EXPECT_EQ(v.head_hash, row(40).hash);
  EXPECT_EQ(row(1).prev_hash, kAuditGenesisHash);
  for (int64_t seq = 2; seq <= 40; ++seq) {
    EXPECT_EQ(row(seq).prev_hash, row(seq - 1).hash);
    EXPECT_EQ(audit_row_hash(row(seq)), row(seq).hash);
  }
  // 2026-11-22T12:06:19.123Z: milliseconds, UTC.
  const std::string at = row(7).at;
  ASSERT_EQ(at.size(), 24u) << at;
  EXPECT_EQ(at[19], '.');
  EXPECT_EQ(at.back(), 'Z');
}

TEST_F(AuditTest, HashIsOverTheDocumentedLengthPrefixedSerialisation) {
  ASSERT_TRUE(record_audit(*db_, {std::nullopt, "login-failed", std::nullopt, "someone"}).ok());
  const AuditRow r = row(1);
  // docs/audit.md: each field as an 8-byte big-endian length, then its bytes.
  std::string bytes;
  const std::vector<std::string> fields = {"onechild-audit-v1",
                                           "1",
                                           r.at,
                                           "",
                                           "",
                                           "",
                                           "",
                                           "direct-care",
                                           "login-failed",
                                           "",
                                           "someone",
                                           "allowed",
                                           std::string(kAuditGenesisHash)};
  for (const std::string& f : fields) {
    for (int shift = 56; shift >= 0; shift -= 8)
      bytes.push_back(static_cast<char>((f.size() >> shift) & 0xff));
    bytes += f;
  }
  std::array<unsigned char, 32> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nullptr,
                     0);
  std::array<char, 65> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  EXPECT_EQ(r.hash, hex.data());

  // Length prefixes: moving a character between neighbouring fields changes the hash.
  AuditRow a = r, b = r;
  a.username = "ab";
  a.role = "c";
  b.username = "a";
  b.role = "bc";
  EXPECT_NE(audit_row_hash(a), audit_row_hash(b));
}

TEST_F(AuditTest, PositionalCallersAndWhoFromTheUsersTable) {
  auto user = add_user(*db_, "hv1", "Hana Visitor", "health-visitor", "correct horse battery");
  ASSERT_TRUE(user.ok());
  exec("UPDATE users SET organisation = 'RX1' WHERE id = " + std::to_string(user->id));
  ASSERT_TRUE(record_audit(*db_, {user->id, "login", std::nullopt, ""}).ok());
  AuditEntry as_seen{user->id, "view-record", 5, "GET /children/5"};
  as_seen.username = "hv1";
  as_seen.role = "school-nurse";  // as the access check saw it: kept
  ASSERT_TRUE(record_audit(*db_, as_seen).ok());

  const AuditRow login = row(1);
  EXPECT_EQ(login.user_id, user->id);
  EXPECT_EQ(login.username, "hv1");
  EXPECT_EQ(login.role, "health-visitor");
  EXPECT_EQ(login.organisation, "RX1");
  EXPECT_EQ(login.purpose, "direct-care");
  EXPECT_EQ(login.outcome, "allowed");
  EXPECT_TRUE(login.children.empty());
  EXPECT_EQ(row(2).role, "school-nurse");
  EXPECT_EQ(row(2).children, std::vector<int64_t>{5});
}

TEST_F(AuditTest, SeveralChildrenAreListedAndIndexed) {
  AuditEntry e{std::nullopt, "export", 9, "bulk export"};
  e.more_children = {5, 3, 9, 12};
  ASSERT_TRUE(record_audit(*db_, e).ok());
  EXPECT_EQ(row(1).children, (std::vector<int64_t>{3, 5, 9, 12}));
  auto stmt = db_->prepare("SELECT count(*) FROM audit_event_children WHERE seq = 1");
  ASSERT_TRUE(*stmt->step());
  EXPECT_EQ(stmt->column_int64(0), 4);
  EXPECT_TRUE(verify().intact());
}

TEST_F(AuditTest, RejectsAnUnknownOutcomeAndAnEmptyAction) {
  AuditEntry e{std::nullopt, "login", std::nullopt, ""};
  e.outcome = "maybe";
  EXPECT_FALSE(record_audit(*db_, e).ok());
  EXPECT_FALSE(record_audit(*db_, {std::nullopt, "", std::nullopt, ""}).ok());
  EXPECT_EQ(verify().entries, 0);
}

TEST_F(AuditTest, ConcurrentAppendsFromThreadsGiveAGaplessValidChain) {
  constexpr int kThreads = 4, kEach = 150;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto db = Database::open(dir_.file("audit.db"));  // a connection of its own
      if (!db.ok()) {
        ++failures;
        return;
      }
      for (int i = 0; i < kEach; ++i) {
        AuditEntry e{std::nullopt, "view-record", t * 1000 + i, "thread " + std::to_string(t)};
        if (!record_audit(*db, e).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(failures.load(), 0);
  auto v = verify();
  EXPECT_TRUE(v.intact()) << problems(v);
  EXPECT_EQ(v.entries, kThreads * kEach);
  EXPECT_EQ(v.last_seq, kThreads * kEach);
}

TEST_F(AuditTest, InsideTheCallersTransactionTheRowCommitsOrRollsBackWithIt) {
  append(2);
  {
    auto tx = Transaction::begin(*db_);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(record_audit(*db_, {std::nullopt, "merge-children", 4, "kept"}).ok());
    ASSERT_TRUE(tx->commit().ok());
  }
  {
    auto tx = Transaction::begin(*db_);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(record_audit(*db_, {std::nullopt, "merge-children", 5, "rolled back"}).ok());
    // no commit: the caller's work and its audit row go together
  }
  ASSERT_TRUE(record_audit(*db_, {std::nullopt, "logout", std::nullopt, "after"}).ok());
  auto v = verify();
  EXPECT_TRUE(v.intact()) << problems(v);
  EXPECT_EQ(v.entries, 4);
  EXPECT_EQ(row(3).what, "kept");
  EXPECT_EQ(row(4).what, "after");
}

TEST_F(AuditTest, EditingAnyFieldIsReportedAtThatEntry) {
  const std::vector<std::pair<std::string, std::string>> edits = {
      {"at", "'2020-01-01T00:00:00.000Z'"},
      {"user_id", "42"},
      {"username", "'someone-else'"},
      {"role", "'ig-officer'"},
      {"organisation", "'RX1'"},
      {"purpose", "'secondary-use'"},
      {"action", "'search'"},
      {"children", "'77'"},
      {"what", "'nothing to see'"},
      {"outcome", "'denied'"},
      {"prev_hash", "'" + std::string(64, 'a') + "'"},
      {"hash", "'" + std::string(64, 'b') + "'"},
  };
  append(12);
  for (const auto& [column, value] : edits) {
    SCOPED_TRACE(column);
    exec("SAVEPOINT edit");
    exec("UPDATE audit_events SET " + column + " = " + value + " WHERE seq = 7");
    auto v = verify();
    EXPECT_FALSE(v.intact());
    EXPECT_TRUE(has(v, Kind::kEdited, 7, "entry 7 was edited")) << problems(v);
    for (const auto& p : v.problems)
      EXPECT_EQ(p.seq, 7) << p.message;  // and nothing else
    exec("ROLLBACK TO edit");
    exec("RELEASE edit");
  }
  EXPECT_TRUE(verify().intact());
}

TEST_F(AuditTest, AWholesaleEditIsOneProblemAndTheListIsBounded) {
  append(40);
  exec("UPDATE audit_events SET what = 'x' WHERE seq BETWEEN 3 AND 38");
  auto v = verify();
  ASSERT_EQ(v.problems.size(), 1u) << problems(v);
  EXPECT_EQ(v.problems[0].message,
            "entries 3-38 were edited (their contents do not match their hashes)");
  EXPECT_EQ(v.problems[0].last_seq, 38);

  // Past 10,000 problems the rest are counted, not listed.
  exec("UPDATE audit_events SET what = 'GET /children/' || seq");  // undo
  {
    auto tx = Transaction::begin(*db_);
    for (int i = 0; i < 10010; ++i) {
      ASSERT_TRUE(record_audit(*db_, {std::nullopt, "view-record", i, ""}).ok());
    }
    ASSERT_TRUE(tx->commit().ok());
  }
  exec("DELETE FROM audit_event_children");
  v = verify();
  ASSERT_EQ(v.problems.size(), 10001u);
  EXPECT_EQ(v.problems.back().message.rfind("and ", 0), 0u) << v.problems.back().message;
}

TEST_F(AuditTest, DeletingAMiddleEntryIsNamed) {
  append(10);
  exec("DELETE FROM audit_events WHERE seq = 5");
  exec("DELETE FROM audit_event_children WHERE seq = 5");
  auto v = verify();
  ASSERT_EQ(v.problems.size(), 1u) << problems(v);
  EXPECT_TRUE(has(v, Kind::kMissing, 5, "entry 5 is missing (deleted) between 4 and 6"));

  exec("DELETE FROM audit_events WHERE seq IN (7, 8)");
  exec("DELETE FROM audit_event_children WHERE seq IN (7, 8)");
  v = verify();
  EXPECT_TRUE(has(v, Kind::kMissing, 7, "entries 7-8 are missing (deleted) between 6 and 9"))
      << problems(v);
}

TEST_F(AuditTest, DeletingTheFirstEntryIsNamed) {
  append(3);
  exec("DELETE FROM audit_events WHERE seq = 1");
  auto v = verify();
  EXPECT_TRUE(has(v, Kind::kMissing, 1, "entry 1 is missing (deleted) at the start"))
      << problems(v);
}

TEST_F(AuditTest, DeletingAndRenumberingIsNamed) {
  append(10);
  exec("DELETE FROM audit_events WHERE seq = 5");
  exec("DELETE FROM audit_event_children");
  renumber(6, -1);  // 6..10 become 5..9: no gap left
  auto v = verify();
  EXPECT_TRUE(has(v, Kind::kMissing, 5, "entry 5 is missing (deleted) between 4 and 6"))
      << problems(v);
  EXPECT_TRUE(has(v, Kind::kRenumbered, 5, "entries 5-9 were renumbered (they were 6-10)"))
      << problems(v);
}

TEST_F(AuditTest, DeletedIndexRowsAreReported) {
  append(6);
  exec("DELETE FROM audit_event_children WHERE seq = 4");
  auto v = verify();
  ASSERT_EQ(v.problems.size(), 1u) << problems(v);
  EXPECT_TRUE(has(v, Kind::kChildren, 4, "entry 4 names children '4'"));
}

TEST_F(AuditTest, AForgedEntryInsertedInTheMiddleIsNamed) {
  append(10);
  exec("DELETE FROM audit_event_children");
  renumber(5, +1);  // make room: 5..10 become 6..11
  // A forged entry 5 that links to entry 4 and carries a correct hash of its own.
  insert_row(forged(5, row(4).hash));
  auto v = verify();
  EXPECT_TRUE(has(v, Kind::kInserted, 5, "entry 5 was inserted (entry 6 links to entry 4)"))
      << problems(v);
  EXPECT_TRUE(has(v, Kind::kRenumbered, 6, "entries 6-11 were renumbered (they were 5-10)"))
      << problems(v);
}

TEST_F(AuditTest, AForgedEntryReplacingOneIsNamed) {
  append(10);
  exec("DELETE FROM audit_events WHERE seq = 5");
  exec("DELETE FROM audit_event_children WHERE seq = 5");
  insert_row(forged(5, row(4).hash));  // links back correctly, hash recomputed
  auto v = verify();
  ASSERT_EQ(v.problems.size(), 1u) << problems(v);
  EXPECT_TRUE(has(v, Kind::kBrokenLink, 5, "entry 5 was replaced, or edited and re-hashed"))
      << problems(v);
}

TEST_F(AuditTest, AForgedEntryAfterAGapIsNamed) {
  append(10);
  insert_row(forged(15, row(10).hash));  // numbered past the end, linked to the head
  auto v = verify();
  EXPECT_TRUE(has(v, Kind::kMissing, 11, "entries 11-14 are missing")) << problems(v);
  EXPECT_TRUE(has(v, Kind::kInserted, 15, "entry 15 was inserted")) << problems(v);
  // An entry numbered 0 is named too.
  insert_row(forged(0, std::string(kAuditGenesisHash)));
  EXPECT_TRUE(has(verify(), Kind::kInserted, 0, "entry 0 was inserted"));
}

// The limit of a chain on its own: a tail recomputed after an edit verifies.
// Only a head hash kept outside the database catches it (and truncation).
TEST_F(AuditTest, RehashedTailAndTruncationNeedTheExternalHead) {
  append(10);
  const std::string head = verify().head_hash;
  const std::string at_five = row(5).hash;

  exec("UPDATE audit_events SET what = 'rewritten' WHERE seq = 5");
  for (int64_t seq = 5; seq <= 10; ++seq) {
    AuditRow r = row(seq);
    r.prev_hash = row(seq - 1).hash;
    r.hash = audit_row_hash(r);
    auto stmt = db_->prepare("UPDATE audit_events SET prev_hash = ?1, hash = ?2 WHERE seq = ?3");
    stmt->bind(1, r.prev_hash).bind(2, r.hash).bind(3, seq);
    ASSERT_TRUE(stmt->run().ok());
  }
  EXPECT_TRUE(verify().intact()) << "a fully re-hashed tail cannot be seen from the chain alone";
  auto anchored = verify(head);
  EXPECT_FALSE(anchored.intact());
  EXPECT_TRUE(has(anchored, Kind::kAnchor, 10, "is not in the chain")) << problems(anchored);
  EXPECT_FALSE(verify(at_five).intact());
}

TEST_F(AuditTest, TruncationIsCaughtByTheExternalHeadOnly) {
  append(10);
  const std::string head = verify().head_hash;
  const std::string earlier = row(6).hash;
  append(2);
  EXPECT_TRUE(verify(head).intact()) << "the chain grew past the anchor: fine";
  EXPECT_TRUE(verify(earlier).intact());
  exec("DELETE FROM audit_events WHERE seq > 8");
  exec("DELETE FROM audit_event_children WHERE seq > 8");
  EXPECT_TRUE(verify().intact());
  EXPECT_FALSE(verify(head).intact());
  EXPECT_TRUE(verify(earlier).intact());
}

TEST_F(AuditTest, ExpectHeadMustBeAHash) {
  auto v = verify_audit(*db_, {"not-a-hash"});
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.error().is_user_error());
}

TEST_F(AuditTest, SearchFilters) {
  auto a = add_user(*db_, "alice", "Alice", "health-visitor", "correct horse battery");
  auto b = add_user(*db_, "bob", "Bob", "gp", "correct horse battery");
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(record_audit(*db_, {a->id, "login", std::nullopt, ""}).ok());            // 1
  ASSERT_TRUE(record_audit(*db_, {a->id, "view-record", 7, "GET /children/7"}).ok());  // 2
  ASSERT_TRUE(record_audit(*db_, {b->id, "view-record", 8, "GET /children/8"}).ok());  // 3
  AuditEntry failed{std::nullopt, "login-failed", std::nullopt, "alice"};
  failed.username = "alice";
  failed.outcome = "failed";
  ASSERT_TRUE(record_audit(*db_, failed).ok());  // 4
  AuditEntry many{b->id, "export", std::nullopt, "bulk"};
  many.more_children = {7, 9};
  ASSERT_TRUE(record_audit(*db_, many).ok());  // 5
  AuditEntry cli{std::nullopt, "export-audit", std::nullopt, "audit export"};
  cli.username = "cli:carol";
  ASSERT_TRUE(record_audit(*db_, cli).ok());  // 6

  auto seqs = [&](AuditQuery q) {
    auto rows = search_audit(*db_, q);
    EXPECT_TRUE(rows.ok()) << rows.error().to_string();
    std::vector<int64_t> out;
    for (const auto& r : *rows)
      out.push_back(r.seq);
    return out;
  };
  using V = std::vector<int64_t>;
  EXPECT_EQ(seqs({}), (V{6, 5, 4, 3, 2, 1}));        // newest first
  EXPECT_EQ(seqs({.user = "alice"}), (V{4, 2, 1}));  // with failed logins under the name
  EXPECT_EQ(seqs({.user = std::to_string(b->id)}), (V{5, 3}));
  EXPECT_EQ(seqs({.user = "cli:carol"}), (V{6}));
  EXPECT_EQ(seqs({.user = "nobody"}), V{});
  EXPECT_EQ(seqs({.child_id = 7}), (V{5, 2}));
  EXPECT_EQ(seqs({.user = "bob", .child_id = 7}), (V{5}));
  EXPECT_EQ(seqs({.action = "view-record"}), (V{3, 2}));
  EXPECT_EQ(seqs({.limit = 2}), (V{6, 5}));
  EXPECT_EQ(seqs({.limit = 2, .offset = 2}), (V{4, 3}));
  EXPECT_EQ(seqs({.limit = 2, .oldest_first = true}), (V{1, 2}));
  EXPECT_EQ(seqs({.limit = -1}).size(), 6u);
  const Date now = today();
  EXPECT_EQ(seqs({.from = now, .to = now}).size(), 6u);
  EXPECT_EQ(seqs({.from = add_days(now, 1)}), V{});
  EXPECT_EQ(seqs({.to = add_days(now, -1)}), V{});

  auto rows = search_audit(*db_, {.user = "bob", .action = "export"});
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].children, (V{7, 9}));
  EXPECT_EQ((*rows)[0].role, "gp");
}

TEST_F(AuditTest, SearchUsesTheIndexes) {
  auto plan = [&](const char* sql) {
    auto stmt = db_->prepare(std::string("EXPLAIN QUERY PLAN ") + sql);
    std::string out;
    EXPECT_TRUE(stmt->each_row([&](const Statement& r) { out += r.column_text(3) + "\n"; }).ok());
    return out;
  };
  EXPECT_NE(plan("SELECT seq FROM audit_events WHERE (user_id = 1 OR (user_id IS NULL AND "
                 "username = 'a')) ORDER BY seq DESC LIMIT 5")
                .find("audit_events_by_user"),
            std::string::npos);
  EXPECT_NE(plan("SELECT seq FROM audit_events WHERE seq IN (SELECT seq FROM "
                 "audit_event_children WHERE child_id = 3) ORDER BY seq DESC")
                .find("audit_event_children"),
            std::string::npos);
}

TEST_F(AuditTest, FhirAuditEventHasTheRequiredFields) {
  auto user = add_user(*db_, "hv1", "Hana", "health-visitor", "correct horse battery");
  exec("UPDATE users SET organisation = 'RX1'");
  AuditEntry e{user->id, "view-record", 12, "GET /fhir/R4/Patient/12"};
  e.more_children = {14};
  ASSERT_TRUE(record_audit(*db_, e).ok());
  AuditEntry denied{user->id, "denied", 15, "GET /children/15"};
  denied.outcome = "denied";
  ASSERT_TRUE(record_audit(*db_, denied).ok());
  AuditEntry failed{std::nullopt, "login-failed", std::nullopt, "x"};
  failed.outcome = "failed";
  ASSERT_TRUE(record_audit(*db_, failed).ok());

  const AuditRow r = row(1);
  const json::object ev = json::parse(to_fhir_audit_event(r)).as_object();
  EXPECT_EQ(ev.at("resourceType"), "AuditEvent");
  EXPECT_EQ(ev.at("type").at("system"), "http://dicom.nema.org/resources/ontology/DCM");
  EXPECT_EQ(ev.at("type").at("code"), "110110");
  EXPECT_EQ(ev.at("action"), "R");
  EXPECT_EQ(ev.at("recorded").as_string(), r.at);
  EXPECT_EQ(ev.at("outcome"), "0");
  const auto& agent = ev.at("agent").as_array();
  ASSERT_EQ(agent.size(), 2u);
  EXPECT_EQ(agent[0].at("requestor"), true);
  EXPECT_EQ(agent[0].at("who").at("display"), "hv1");
  EXPECT_EQ(agent[0].at("role").as_array()[0].at("text"), "health-visitor");
  EXPECT_EQ(agent[0].at("purposeOfUse").as_array()[0].at("coding").as_array()[0].at("code"),
            "TREAT");
  EXPECT_EQ(agent[1].at("requestor"), false);
  EXPECT_EQ(agent[1].at("who").at("identifier").at("value"), "RX1");
  EXPECT_EQ(agent[1].at("who").at("identifier").at("system"),
            "https://fhir.nhs.uk/Id/ods-organization-code");
  EXPECT_EQ(ev.at("source").at("observer").at("display"), "onechild");
  const auto& entity = ev.at("entity").as_array();
  ASSERT_EQ(entity.size(), 3u);
  EXPECT_EQ(entity[0].at("what").at("reference"), "Patient/12");
  EXPECT_EQ(entity[1].at("what").at("reference"), "Patient/14");
  EXPECT_EQ(entity[2].at("description"), "GET /fhir/R4/Patient/12");
  const auto& detail = entity[2].at("detail").as_array();
  EXPECT_EQ(detail[0].at("type"), "seq");
  EXPECT_EQ(detail[0].at("valueString"), "1");
  EXPECT_EQ(detail[1].at("type"), "hash");
  EXPECT_EQ(detail[1].at("valueString").as_string(), r.hash);

  EXPECT_EQ(json::parse(to_fhir_audit_event(row(2))).at("outcome"), "4");
  const json::value login = json::parse(to_fhir_audit_event(row(3)));
  EXPECT_EQ(login.at("outcome"), "8");
  EXPECT_EQ(login.at("type").at("code"), "110114");
  EXPECT_EQ(login.at("agent").as_array()[0].at("requestor"), true);
}

}  // namespace
}  // namespace onechild
