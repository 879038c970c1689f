#include "ingest/quarantine.h"

namespace onechild {
namespace {

// One query for list and export; empty filter values match everything.
constexpr std::string_view kSelect =
    "SELECT q.id, b.file_path, s.code, q.line, q.field, q.reason, q.raw, q.original_id, "
    "q.resolved_at, b.header FROM quarantine q "
    "JOIN ingest_batches b ON b.id = q.batch_id "
    "JOIN source_systems s ON s.id = b.source_system_id "
    "WHERE (?1 = '' OR s.code = ?1) "
    "AND (?2 = '' OR b.file_path = ?2 OR b.file_path LIKE '%/' || ?2) "
    "AND (?3 = 1 OR q.resolved_at IS NULL) "
    "ORDER BY q.id LIMIT ?4";

Result<Statement> select(Database& db, const QuarantineFilter& filter, int64_t limit) {
  auto stmt = db.prepare(kSelect);
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, filter.source)
      .bind(2, filter.file)
      .bind(3, int64_t{filter.include_resolved ? 1 : 0})
      .bind(4, limit);
  return stmt;
}

QuarantineEntry entry_of(const Statement& row) {
  QuarantineEntry e;
  e.id = row.column_int64(0);
  e.file = row.column_text(1);
  e.source = row.column_text(2);
  e.line = row.column_int64(3);
  e.field = row.column_optional_text(4).value_or("");
  e.reason = row.column_text(5);
  e.raw = row.column_text(6);
  e.original_id = row.column_optional_text(7);
  e.resolved_at = row.column_optional_text(8);
  return e;
}

}  // namespace

Result<std::vector<QuarantineEntry>> list_quarantine(Database& db, const QuarantineFilter& filter,
                                                     int64_t limit) {
  auto stmt = select(db, filter, limit);
  if (!stmt.ok()) return stmt.error();
  std::vector<QuarantineEntry> out;
  Status s = stmt->each_row([&](const Statement& row) { out.push_back(entry_of(row)); });
  if (!s.ok()) return s.error();
  return out;
}

Result<int64_t> export_quarantine(Database& db, const QuarantineFilter& filter, std::ostream& out) {
  auto stmt = select(db, filter, INT64_MAX);
  if (!stmt.ok()) return stmt.error();
  int64_t count = 0;
  std::optional<std::string> header;  // of the first row's file; "" for NDJSON
  std::optional<Error> mixed;
  Status s = stmt->each_row([&](const Statement& row) {
    if (mixed) return;
    const std::string this_header = row.column_optional_text(9).value_or("");
    if (!header) {
      header = this_header;
      if (!header->empty()) out << *header << '\n';
    } else if (*header != this_header) {
      mixed = Error::invalid_argument(
          "the quarantined rows come from files with different headers; export one file at a "
          "time with --file");
      return;
    }
    out << row.column_text(6) << '\n';
    ++count;
  });
  if (!s.ok()) return s.error();
  if (mixed) return *mixed;
  if (!out.good()) return Error::io_error("cannot write the export");
  return count;
}

}  // namespace onechild
