#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/database.h"
#include "store/schema.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

using testing::TempDir;

TEST(Database, OpenAppliesAllMigrationsAndUsesWal) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"));
  ASSERT_TRUE(db.ok()) << db.error().to_string();
  EXPECT_EQ(db->schema_version(), static_cast<int>(schema_migrations().size()));
  auto mode = db->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->step());
  EXPECT_EQ(mode->column_text(0), "wal");
  for (const char* table : {"source_systems", "source_persons", "source_events", "quarantine",
                            "children", "links", "users", "audit_log", "ingest_batches"}) {
    auto stmt = db->prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?1");
    ASSERT_TRUE(stmt.ok());
    stmt->bind(1, table);
    ASSERT_TRUE(*stmt->step());
    EXPECT_EQ(stmt->column_int64(0), 1) << table;
  }
}

TEST(Database, ReopeningDoesNotReapplyMigrations) {
  TempDir dir;
  {
    auto db = Database::open(dir.file("a.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        db->execute("INSERT INTO children (nhs_number, created_at) VALUES ('9434765919', 'x')")
            .ok());
  }
  auto db = Database::open(dir.file("a.db"));
  ASSERT_TRUE(db.ok()) << db.error().to_string();
  auto stmt = db->prepare("SELECT count(*) FROM children");
  ASSERT_TRUE(*stmt->step());
  EXPECT_EQ(stmt->column_int64(0), 1);
}

TEST(Database, UpgradesAnOlderDatabaseInPlace) {
  TempDir dir;
  {
    // A real version-1 database, made with migration 1's own SQL through the
    // sqlite3 shell's library: later migrations added ethnic_category (2),
    // source_events.value (3), ingest's versions and NHS number status (4)
    // and the GP practice (7).
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(dir.file("a.db").c_str(), &raw), SQLITE_OK);
    const std::string v1 =
        std::string(schema_migrations()[0]) +
        "INSERT INTO children (nhs_number, created_at) VALUES ('9434765919', 'x');"
        "INSERT INTO source_systems (code, format, created_at) VALUES ('gp', 'fhir', 'x');"
        "INSERT INTO ingest_batches VALUES (1, 1, 'f', '', 'x', 1, 1, 0, 0);"
        "INSERT INTO source_persons (source_system_id, original_id, nhs_number, "
        "content_hash, batch_id, line) VALUES (1, 'p1', '9434765919', 'h', 1, 1);"
        "INSERT INTO source_events (source_system_id, original_id, person_original_id, kind, "
        "start_date, content_hash, batch_id, line) VALUES (1, 'e1', 'p1', 'immunisation', "
        "'2024-01-01', 'h', 1, 2);"
        "INSERT INTO links (source_person_id, child_id, method, created_at) "
        "VALUES (1, 1, 'nhs-number', 'x');"
        "PRAGMA user_version = 1;";
    ASSERT_EQ(sqlite3_exec(raw, v1.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }
  auto db = Database::open(dir.file("a.db"));
  ASSERT_TRUE(db.ok()) << db.error().to_string();
  EXPECT_EQ(db->schema_version(), static_cast<int>(schema_migrations().size()));
  EXPECT_TRUE(db->prepare("SELECT ethnic_category FROM source_persons").ok());
  EXPECT_TRUE(db->prepare("SELECT value FROM source_events").ok());
  EXPECT_TRUE(db->prepare("SELECT gp_practice FROM source_persons").ok());
  // Migration 4 gave the person loaded before it a status from its number.
  auto status = db->prepare("SELECT nhs_number_status, superseded_by FROM source_persons");
  ASSERT_TRUE(*status->step());
  EXPECT_EQ(status->column_text(0), "valid");
  EXPECT_TRUE(status->column_is_null(1));
  auto kept = db->prepare("SELECT count(*) FROM children");
  ASSERT_TRUE(*kept->step());
  EXPECT_EQ(kept->column_int64(0), 1);
  // Migration 5 rebuilt both tables with the same ids and without the unique
  // (source, original id, hash) constraint; the link still points at its
  // person, foreign keys hold and are enforced again.
  auto rows = db->prepare(
      "SELECT p.id, p.original_id, e.id, e.person_original_id FROM source_persons p "
      "JOIN links l ON l.source_person_id = p.id, source_events e");
  ASSERT_TRUE(*rows->step());
  EXPECT_EQ(rows->column_int64(0), 1);
  EXPECT_EQ(rows->column_text(1), "p1");
  EXPECT_EQ(rows->column_int64(2), 1);
  EXPECT_EQ(rows->column_text(3), "p1");
  auto unique = db->prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
      "tbl_name IN ('source_persons', 'source_events') AND name LIKE 'sqlite_autoindex%'");
  ASSERT_TRUE(*unique->step());
  EXPECT_EQ(unique->column_int64(0), 0);
  auto violations = db->prepare("PRAGMA foreign_key_check");
  EXPECT_FALSE(*violations->step());
  auto enforced = db->prepare("PRAGMA foreign_keys");
  ASSERT_TRUE(*enforced->step());
  EXPECT_EQ(enforced->column_int64(0), 1);
}

TEST(Database, Migration7AddsTheGpPracticeToAVersion6Database) {
  TempDir dir;
  {
    // A real version-6 database: migrations 1 to 6 as released, with a person.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(dir.file("a.db").c_str(), &raw), SQLITE_OK);
    std::string v6;
    for (size_t i = 0; i < 6; ++i)
      v6 += std::string(schema_migrations()[i]);
    v6 +=
        "INSERT INTO source_systems (code, format, created_at) VALUES ('gp', 'fhir', 'x');"
        "INSERT INTO ingest_batches (id, source_system_id, file_path, file_sha256, received_at, "
        "rows_read, rows_accepted, rows_unchanged, rows_quarantined) "
        "VALUES (1, 1, 'f', '', 'x', 1, 1, 0, 0);"
        "INSERT INTO source_persons (source_system_id, original_id, nhs_number, "
        "content_hash, batch_id, line) VALUES (1, 'p1', '9434765919', 'h', 1, 1);"
        "PRAGMA user_version = 6;";
    ASSERT_EQ(sqlite3_exec(raw, v6.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }
  auto db = Database::open(dir.file("a.db"));
  ASSERT_TRUE(db.ok()) << db.error().to_string();
  ASSERT_GE(schema_migrations().size(), 7u);
  EXPECT_EQ(db->schema_version(), static_cast<int>(schema_migrations().size()));
  // The person loaded before it has no practice; a new version may have one.
  auto old = db->prepare("SELECT original_id, gp_practice FROM source_persons");
  ASSERT_TRUE(old.ok()) << old.error().to_string();
  ASSERT_TRUE(*old->step());
  EXPECT_EQ(old->column_text(0), "p1");
  EXPECT_TRUE(old->column_is_null(1));
  ASSERT_TRUE(db->execute("INSERT INTO source_persons (source_system_id, original_id, "
                          "content_hash, batch_id, line, gp_practice) "
                          "VALUES (1, 'p2', 'h2', 1, 2, 'B82005')")
                  .ok());
  auto added = db->prepare("SELECT gp_practice FROM source_persons WHERE original_id = 'p2'");
  ASSERT_TRUE(*added->step());
  EXPECT_EQ(added->column_text(0), "B82005");
}

TEST(Database, RefusesNewerSchema) {
  TempDir dir;
  {
    auto db = Database::open(dir.file("a.db"));
    ASSERT_TRUE(db->execute("PRAGMA user_version = 999").ok());
  }
  auto db = Database::open(dir.file("a.db"));
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message().find("newer"), std::string::npos);
}

TEST(Database, OpenFailsClearlyOnUnwritablePath) {
  auto db = Database::open("/nonexistent-dir/x/y.db");
  ASSERT_FALSE(db.ok());
  EXPECT_TRUE(db.error().is_user_error());
  EXPECT_NE(db.error().message().find("/nonexistent-dir/x/y.db"), std::string::npos);
}

TEST(Statement, BindsValuesAndReadsThemBack) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"));
  ASSERT_TRUE(db->execute("CREATE TABLE t (a INTEGER, b TEXT, c REAL, d TEXT)").ok());
  auto insert = db->prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
  ASSERT_TRUE(insert.ok());
  // A value that would break string-built SQL is just data here.
  insert->bind(1, int64_t{42})
      .bind(2, "x'); DROP TABLE t; --")
      .bind(3, 2.5)
      .bind(4, std::optional<std::string>{});
  ASSERT_TRUE(insert->run().ok());
  auto select = db->prepare("SELECT a, b, c, d FROM t");
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->column_int64(0), 42);
  EXPECT_EQ(select->column_text(1), "x'); DROP TABLE t; --");
  EXPECT_DOUBLE_EQ(select->column_double(2), 2.5);
  EXPECT_FALSE(select->column_optional_text(3).has_value());
  EXPECT_FALSE(*select->step());
}

TEST(Statement, EachRowVisitsEveryRowInOrder) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"));
  ASSERT_TRUE(db->execute("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (3), (1), (2)").ok());
  auto stmt = db->prepare("SELECT a FROM t ORDER BY a");
  std::vector<int64_t> seen;
  ASSERT_TRUE(
      stmt->each_row([&](const Statement& row) { seen.push_back(row.column_int64(0)); }).ok());
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3}));
}

TEST(Statement, BadSqlIsAnError) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"));
  auto stmt = db->prepare("SELEKT 1");
  ASSERT_FALSE(stmt.ok());
  EXPECT_NE(stmt.error().message().find("syntax"), std::string::npos);
}

TEST(Transaction, RollsBackUnlessCommitted) {
  TempDir dir;
  auto db = Database::open(dir.file("a.db"));
  ASSERT_TRUE(db->execute("CREATE TABLE t (a INTEGER)").ok());
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db->execute("INSERT INTO t VALUES (1)").ok());
  }  // no commit: rolled back
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(db->execute("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(tx->commit().ok());
  }
  auto stmt = db->prepare("SELECT group_concat(a) FROM t");
  ASSERT_TRUE(*stmt->step());
  EXPECT_EQ(stmt->column_text(0), "2");
}

}  // namespace
}  // namespace onechild
