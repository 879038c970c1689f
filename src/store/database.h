// Database: the SQLite store every stage reads and writes.
//
// Opening applies the numbered migrations (store/schema.cc) so a file is
// always at the current schema. WAL mode lets the web server read while a
// load writes. SQL is only ever run through prepared statements with bound
// parameters; there is no API that splices values into SQL text.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace onechild {

class Statement;
class StatementCache;

class Database {
 public:
  // Opens (creating if needed) and migrates the database at path.
  static Result<Database> open(const std::string& path);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  // Compiles one SQL statement. The SQL must be a literal: values are bound.
  // Compiled statements are kept and reused (a web request runs the same
  // few dozen statements, and compiling them cost more than running them).
  Result<Statement> prepare(std::string_view sql);

  // Runs a statement that takes no parameters (schema, pragmas, BEGIN/COMMIT).
  Status execute(std::string_view sql);

  int schema_version() const;
  int64_t last_insert_id() const;
  int changes() const;
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path);
  Status migrate();

  sqlite3* db_ = nullptr;
  std::string path_;
  // Shared with the statements lent from it, so one that outlives the
  // connection still has somewhere to go back to (and is finalised there).
  std::shared_ptr<StatementCache> cache_;
};

class Statement {
 public:
  Statement() = default;  // empty until a prepared statement is moved in
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  // Parameters are numbered from 1, as in SQLite. Binding returns *this so a
  // call reads: stmt.bind(1, a).bind(2, b).run().
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind(int index, const std::optional<std::string>& value);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);

  // Steps once: true when a row is available, false when done.
  Result<bool> step();
  // Steps to completion, for statements that return no rows.
  Status run();
  // Steps through every row, calling on_row(*this) for each.
  template <typename OnRow>
  Status each_row(OnRow&& on_row) {
    for (;;) {
      auto row = step();
      if (!row.ok()) return row.error();
      if (!*row) return {};
      on_row(*this);
    }
  }
  // Clears bindings and rewinds so the statement can be reused.
  void reset();

  int64_t column_int64(int col) const;
  double column_double(int col) const;
  std::string column_text(int col) const;
  // The text (or blob) without a copy; valid until the next step() or reset().
  std::string_view column_view(int col) const;
  std::optional<std::string> column_optional_text(int col) const;
  bool column_is_null(int col) const;

 private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, sqlite3* db, std::shared_ptr<StatementCache> cache,
            std::vector<sqlite3_stmt*>* idle)
      : stmt_(stmt), db_(db), cache_(std::move(cache)), idle_(idle) {}
  void release();  // back to the cache, or finalized

  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
  std::shared_ptr<StatementCache> cache_;
  std::vector<sqlite3_stmt*>* idle_ = nullptr;  // in cache_, where it goes back to; null: finalize
  // A failed bind is reported by the next step(), so call chains stay short.
  std::optional<std::string> bind_error_;
};

// Transaction: BEGIN IMMEDIATE on construction, ROLLBACK on destruction
// unless commit() succeeded. A crash mid-batch therefore leaves the store as
// it was before the batch (DESIGN §6).
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Status commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace onechild
