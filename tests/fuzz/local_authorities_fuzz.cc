// load_local_authorities on arbitrary files: the contacts are replaced
// whole, or the load fails with the file named and the table is as it was
// (nothing half-loaded). Never a crash. One in-memory store per process.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "record/protection.h"

namespace {

using namespace onechild;

void check(bool condition) {
  if (!condition) std::abort();
}

Database& store() {
  static Database db = [] {
    auto opened = Database::open(":memory:");
    if (!opened.ok()) std::abort();
    return std::move(opened).value();
  }();
  return db;
}

// The exit handler is registered once the path exists, so it runs before
// the path is destroyed.
const std::string& path() {
  static const std::string p = [] {
    std::error_code ec;
    const std::filesystem::path shm = "/dev/shm";
    const auto dir =
        std::filesystem::is_directory(shm, ec) ? shm : std::filesystem::temp_directory_path();
    return (dir / ("onechild-fuzz-la-" + std::to_string(getpid()) + ".csv")).string();
  }();
  static const bool cleaned = [] {
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove(path(), ec);
    });
    return true;
  }();
  (void)cleaned;
  return p;
}

std::string snapshot(Database& db) {
  auto stmt = db.prepare(
      "SELECT group_concat(code || '|' || name || '|' || social_care_source || '|' || "
      "office_hours_phone || '|' || out_of_hours_phone || '|' || email, char(10)) "
      "FROM (SELECT * FROM local_authorities ORDER BY code)");
  if (!stmt.ok() || !*stmt->step()) std::abort();
  return stmt->column_text(0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  {
    std::ofstream out(path(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  Database& db = store();
  const std::string before = snapshot(db);
  Status s = load_local_authorities(db, path());
  if (!s.ok()) {
    check(s.error().to_string().find(path()) != std::string::npos);
    check(snapshot(db) == before);
  }
  return 0;
}
