#include "store/database.h"

#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/schema.h"

namespace onechild {
namespace {

Error sqlite_error(sqlite3* db, std::string_view what) {
  return Error::internal(std::string(what) + ": " + sqlite3_errmsg(db));
}

int retry_while_busy(void*, int tries) {
  constexpr int kShortTries = 2000;  // 0.1 s of 50 us waits, then 1 ms waits
  constexpr int kMaxTries = kShortTries + 9900;
  if (tries >= kMaxTries) return 0;
  std::this_thread::sleep_for(tries < kShortTries ? std::chrono::microseconds(50)
                                                  : std::chrono::microseconds(1000));
  return 1;
}

}  // namespace

Result<Database> Database::open(const std::string& path) {
  sqlite3* raw = nullptr;
  // NOMUTEX: a connection is only ever used by one thread at a time (the
  // server's pool hands each out to one request), so SQLite's per-call
  // connection mutex is pure cost: a lock and unlock on every step and bind.
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close(raw);
    return Error::io_error("cannot open database '" + path + "': " + message);
  }
  Database db(raw, path);
  // Another connection (the web server's other threads, a second load) may
  // hold the write lock briefly; wait rather than fail. SQLite's own
  // busy_timeout sleeps 1, 2, 5, 10 ... 100 ms between tries, which puts tens
  // of milliseconds on a web request whose audit row waited behind another
  // thread's; retry every 50 microseconds instead, for up to 10 seconds.
  sqlite3_busy_handler(raw, &retry_while_busy, nullptr);
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"}) {
    if (Status s = db.execute(pragma); !s.ok()) {
      return Error::io_error("cannot use database '" + path + "': " + s.error().message());
    }
  }
  // Foreign keys are enforced only after migrating: a migration that
  // rebuilds a table drops the old one, which enforcement would refuse while
  // other tables still point at its rows (the new table keeps the same ids).
  if (Status s = db.migrate(); !s.ok()) return s.error();
  if (Status s = db.execute("PRAGMA foreign_keys=ON"); !s.ok()) return s.error();
  return db;
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      cache_(std::move(other.cache_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    cache_.reset();  // its statements go before the connection
    sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    cache_ = std::move(other.cache_);
  }
  return *this;
}

Database::~Database() {
  cache_.reset();         // finalises the idle statements
  sqlite3_close_v2(db_);  // deferred until any statement still alive is finalised
}

// Idle compiled statements by SQL text. A statement in use is not here; it
// comes back, reset and unbound, when its Statement is destroyed.
class StatementCache {
 public:
  static constexpr size_t kMaxTexts = 512;  // a bound, should SQL ever vary

  ~StatementCache() {
    for (auto& [sql, idle] : idle_) {
      for (sqlite3_stmt* stmt : idle)
        sqlite3_finalize(stmt);
    }
  }
  // The idle list for sql; null when the cache is full.
  std::vector<sqlite3_stmt*>* idle_for(std::string_view sql) {
    auto it = idle_.find(sql);
    if (it != idle_.end()) return &it->second;
    if (idle_.size() >= kMaxTexts) return nullptr;
    return &idle_.emplace(std::string(sql), std::vector<sqlite3_stmt*>()).first->second;
  }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>, Hash, std::equal_to<>> idle_;
};

Database::Database(sqlite3* db, std::string path)
    : db_(db), path_(std::move(path)), cache_(std::make_shared<StatementCache>()) {}

Result<Statement> Database::prepare(std::string_view sql) {
  std::vector<sqlite3_stmt*>* idle = cache_ ? cache_->idle_for(sql) : nullptr;
  if (idle != nullptr && !idle->empty()) {
    sqlite3_stmt* stmt = idle->back();
    idle->pop_back();
    return Statement(stmt, db_, cache_, idle);
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
      SQLITE_OK) {
    return sqlite_error(db_, "cannot prepare statement");
  }
  return Statement(stmt, db_, idle != nullptr ? cache_ : nullptr, idle);
}

Status Database::execute(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    Error error = Error::internal(message != nullptr ? message : "unknown SQLite error");
    sqlite3_free(message);
    return error;
  }
  return {};
}

int Database::schema_version() const {
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &stmt, nullptr);
  int version = 0;
  if (sqlite3_step(stmt) == SQLITE_ROW) version = sqlite3_column_int(stmt, 0);
  sqlite3_finalize(stmt);
  return version;
}

int64_t Database::last_insert_id() const {
  return sqlite3_last_insert_rowid(db_);
}

int Database::changes() const {
  return sqlite3_changes(db_);
}

Status Database::migrate() {
  const auto migrations = schema_migrations();
  const int current = schema_version();
  if (current > static_cast<int>(migrations.size())) {
    return Error::invalid_argument("database '" + path_ + "' has schema version " +
                                   std::to_string(current) +
                                   ", newer than this onechild understands");
  }
  for (size_t i = static_cast<size_t>(current); i < migrations.size(); ++i) {
    auto tx = Transaction::begin(*this);
    if (!tx.ok()) return tx.error();
    if (Status s = execute(migrations[i]); !s.ok()) {
      return Error::internal("migration " + std::to_string(i + 1) +
                             " failed: " + s.error().message());
    }
    // PRAGMA takes no bound parameters; the value is our own integer.
    if (Status s = execute("PRAGMA user_version = " + std::to_string(i + 1)); !s.ok()) return s;
    if (Status s = tx->commit(); !s.ok()) return s;
  }
  return {};
}

// --- Statement ---

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      db_(other.db_),
      cache_(std::move(other.cache_)),
      idle_(other.idle_),
      bind_error_(std::move(other.bind_error_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    release();
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = other.db_;
    cache_ = std::move(other.cache_);
    idle_ = other.idle_;
    bind_error_ = std::move(other.bind_error_);
  }
  return *this;
}

Statement::~Statement() {
  release();
}

void Statement::release() {
  if (stmt_ == nullptr) return;
  if (idle_ == nullptr) {
    sqlite3_finalize(stmt_);
  } else {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    idle_->push_back(stmt_);
  }
  stmt_ = nullptr;
  cache_.reset();
}

#define ONECHILD_CHECK_BIND(call)                                       \
  do {                                                                  \
    if ((call) != SQLITE_OK && !bind_error_) {                          \
      bind_error_ = std::string("bind failed: ") + sqlite3_errmsg(db_); \
    }                                                                   \
  } while (0)

Statement& Statement::bind(int index, int64_t value) {
  ONECHILD_CHECK_BIND(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, double value) {
  ONECHILD_CHECK_BIND(sqlite3_bind_double(stmt_, index, value));
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  ONECHILD_CHECK_BIND(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  ONECHILD_CHECK_BIND(
      sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::bind_null(int index) {
  ONECHILD_CHECK_BIND(sqlite3_bind_null(stmt_, index));
  return *this;
}

#undef ONECHILD_CHECK_BIND

Result<bool> Statement::step() {
  if (bind_error_) return Error::internal(*bind_error_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, "statement failed");
}

Status Statement::run() {
  for (;;) {
    auto row = step();
    if (!row.ok()) return row.error();
    if (!*row) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_.reset();
}

int64_t Statement::column_int64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

double Statement::column_double(int col) const {
  return sqlite3_column_double(stmt_, col);
}

std::string Statement::column_text(int col) const {
  const auto* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::string_view Statement::column_view(int col) const {
  // A blob is read as a blob (no conversion); anything else as UTF-8 text.
  const void* data = sqlite3_column_type(stmt_, col) == SQLITE_BLOB
                         ? sqlite3_column_blob(stmt_, col)
                         : sqlite3_column_text(stmt_, col);
  if (data == nullptr) return {};
  return {static_cast<const char*>(data), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::optional<std::string> Statement::column_optional_text(int col) const {
  if (column_is_null(col)) return std::nullopt;
  return column_text(col);
}

bool Statement::column_is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

// --- Transaction ---

Result<Transaction> Transaction::begin(Database& db) {
  if (Status s = db.execute("BEGIN IMMEDIATE"); !s.ok()) return s.error();
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->execute("ROLLBACK");
}

Status Transaction::commit() {
  if (db_ == nullptr) return Error::internal("transaction already finished");
  Status s = db_->execute("COMMIT");
  if (s.ok()) db_ = nullptr;
  return s;
}

}  // namespace onechild
