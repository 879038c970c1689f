// The audit chain through the real CLI on a real SQLite file: rows written by
// several processes at once verify; a row edited, deleted or inserted behind
// onechild's back (straight into the file) is named by `onechild audit verify`.
#include "access/audit.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "store/database.h"
#include "support/run_cli.h"

namespace onechild {
namespace {

using testing::onechild;
using testing::slurp;
using testing::TempDir;

class AuditCli : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.file("ics.db");
    auto users = onechild(dir_, "users add --db '" + db_ + "' --username ig --role ig-officer");
    ASSERT_EQ(users.status, 0) << users.err;
    // Views of twelve children, as the web server records them.
    auto db = Database::open(db_);
    ASSERT_TRUE(db.ok());
    for (int64_t child = 1; child <= 12; ++child) {
      AuditEntry e{1, "view-record", child, "GET /children/" + std::to_string(child)};
      ASSERT_TRUE(record_audit(*db, e).ok());
    }
  }

  testing::Run verify(const std::string& extra = "") {
    return onechild(dir_, "audit verify --db '" + db_ + "'" + extra);
  }

  void sql(const std::string& statement) {
    auto db = Database::open(db_);
    ASSERT_TRUE(db.ok());
    Status s = db->execute(statement);
    ASSERT_TRUE(s.ok()) << statement << ": " << s.error().to_string();
  }

  std::string hash_of(int64_t seq) {
    auto db = Database::open(db_);
    auto stmt = db->prepare("SELECT hash FROM audit_events WHERE seq = ?1");
    stmt->bind(1, seq);
    EXPECT_TRUE(*stmt->step());
    return stmt->column_text(0);
  }

  TempDir dir_;
  std::string db_;
};

TEST_F(AuditCli, UntouchedChainVerifies) {
  auto run = verify();
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "audit chain intact: 12 entries, head " + hash_of(12) + "\n");
  EXPECT_EQ(run.err, "");
}

TEST_F(AuditCli, ConcurrentProcessesKeepOneChain) {
  // Eight exports at once, each audited by its own process.
  std::string script;
  for (int i = 0; i < 8; ++i) {
    script += "'" + std::string(ONECHILD_BIN) + "' audit export --db '" + db_ + "' --out '" +
              dir_.file("e" + std::to_string(i) + ".ndjson") + "' >/dev/null & ";
  }
  script += "wait";
  ASSERT_EQ(std::system(("CI=true sh -c \"" + script + "\"").c_str()), 0);
  auto run = verify();
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("20 entries"), std::string::npos) << run.out;
}

TEST_F(AuditCli, EditedRowIsNamed) {
  sql("UPDATE audit_events SET what = 'GET /children/99' WHERE seq = 7");
  auto run = verify();
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "entry 7 was edited (its contents do not match its hash)\n");
  EXPECT_NE(run.err.find("audit chain broken: 1 problem in 12 entries"), std::string::npos)
      << run.err;
}

TEST_F(AuditCli, DeletedRowIsNamed) {
  sql("DELETE FROM audit_events WHERE seq = 5");
  sql("DELETE FROM audit_event_children WHERE seq = 5");
  auto run = verify();
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(run.out, "entry 5 is missing (deleted) between 4 and 6\n");
}

TEST_F(AuditCli, InsertedRowIsNamed) {
  // Make room at 9 and put in a row that links to entry 8, with a hash of its own.
  sql("UPDATE audit_events SET seq = -seq WHERE seq >= 9");
  sql("UPDATE audit_events SET seq = -seq + 1 WHERE seq < 0");
  sql("UPDATE audit_event_children SET seq = -seq WHERE seq >= 9");
  sql("UPDATE audit_event_children SET seq = -seq + 1 WHERE seq < 0");
  AuditRow forged;
  forged.seq = 9;
  forged.at = "2026-01-01T00:00:00.000Z";
  forged.username = "mallory";
  forged.role = "health-visitor";
  forged.purpose = "direct-care";
  forged.action = "login";
  forged.outcome = "allowed";
  forged.prev_hash = hash_of(8);
  forged.hash = audit_row_hash(forged);
  {
    auto db = Database::open(db_);
    auto stmt = db->prepare(
        "INSERT INTO audit_events (seq, at, user_id, username, role, organisation, purpose, "
        "action, children, what, outcome, prev_hash, hash) VALUES (9, ?1, NULL, 'mallory', "
        "'health-visitor', '', 'direct-care', 'login', '', '', 'allowed', ?2, ?3)");
    stmt->bind(1, forged.at).bind(2, forged.prev_hash).bind(3, forged.hash);
    ASSERT_TRUE(stmt->run().ok());
  }
  auto run = verify();
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.out.find("entry 9 was inserted (entry 10 links to entry 8)\n"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("entries 10-13 were renumbered (they were 9-12)"), std::string::npos)
      << run.out;
}

TEST_F(AuditCli, ExpectHeadCatchesTruncation) {
  const std::string head = hash_of(12);
  EXPECT_EQ(verify(" --expect-head " + head).status, 0);
  sql("DELETE FROM audit_events WHERE seq >= 11");
  sql("DELETE FROM audit_event_children WHERE seq >= 11");
  EXPECT_EQ(verify().status, 0) << "truncation is invisible to the chain alone";
  auto run = verify(" --expect-head " + head);
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.out.find("the expected head " + head + " is not in the chain"), std::string::npos)
      << run.out;
  EXPECT_EQ(verify(" --expect-head nonsense").status, 1);
}

TEST_F(AuditCli, MissingDatabaseIsAUserErrorNotAnEmptyChain) {
  auto run = onechild(dir_, "audit verify --db '" + dir_.file("nope.db") + "'");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("no database at"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");
}

TEST_F(AuditCli, SearchAndExport) {
  auto table = onechild(dir_, "audit search --db '" + db_ + "' --child 3");
  EXPECT_EQ(table.status, 0) << table.err;
  EXPECT_NE(table.out.find("GET /children/3"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("1 shown"), std::string::npos) << table.out;

  auto js = onechild(dir_, "audit search --db '" + db_ + "' --user ig --limit 2 --json");
  ASSERT_EQ(js.status, 0) << js.err;
  const auto rows = boost::json::parse(js.out).as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("seq"), 12);
  EXPECT_EQ(rows[0].at("username"), "ig");
  EXPECT_EQ(rows[0].at("role"), "ig-officer");

  EXPECT_EQ(onechild(dir_, "audit search --db '" + db_ + "' --from 2024-13-01").status, 1);

  const std::string out = dir_.file("audit.ndjson");
  auto exp =
      onechild(dir_, "audit export --db '" + db_ + "' --out '" + out + "' --from 2000-01-01");
  ASSERT_EQ(exp.status, 0) << exp.err;
  const std::string text = slurp(out);
  int lines = 0;
  for (size_t at = 0; (at = text.find('\n', at)) != std::string::npos; ++at)
    ++lines;
  EXPECT_EQ(lines, 12);
  EXPECT_EQ(boost::json::parse(text.substr(0, text.find('\n'))).at("resourceType"), "AuditEvent");

  // The export is itself audited, and the chain still holds.
  auto last = onechild(dir_, "audit search --db '" + db_ + "' --action export-audit --json");
  const auto audited = boost::json::parse(last.out).as_array();
  ASSERT_EQ(audited.size(), 1u);
  EXPECT_EQ(audited[0].at("role"), "command-line");
  EXPECT_EQ(verify().status, 0);
}

}  // namespace
}  // namespace onechild
