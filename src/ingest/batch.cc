#include "ingest/batch.h"

#include <sodium.h>

#include <array>

#include "core/date.h"

namespace onechild::ingest {
namespace {

// Reports keep the first quarantined rows in full; the table keeps them all.
constexpr size_t kReportedQuarantineRows = 1000;

Result<int64_t> source_system_id(Database& db, const std::string& code, const std::string& format) {
  auto find = db.prepare("SELECT id FROM source_systems WHERE code = ?1");
  if (!find.ok()) return find.error();
  find->bind(1, code);
  auto row = find->step();
  if (!row.ok()) return row.error();
  if (*row) return find->column_int64(0);
  auto insert =
      db.prepare("INSERT INTO source_systems (code, format, created_at) VALUES (?1, ?2, ?3)");
  if (!insert.ok()) return insert.error();
  insert->bind(1, code).bind(2, format).bind(3, timestamp_now());
  if (Status s = insert->run(); !s.ok()) return s.error();
  return db.last_insert_id();
}

}  // namespace

std::string content_hash(std::string_view raw) {
  std::array<unsigned char, 32> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), nullptr, 0);
  std::array<char, 65> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return hex.data();
}

Batch::Batch(Database& db, FileReport& report, Transaction tx, int64_t batch_id, int64_t source_id,
             Statement insert_person, Statement insert_event, Statement insert_quarantine)
    : db_(&db),
      report_(&report),
      tx_(std::move(tx)),
      batch_id_(batch_id),
      source_id_(source_id),
      insert_person_(std::move(insert_person)),
      insert_event_(std::move(insert_event)),
      insert_quarantine_(std::move(insert_quarantine)) {}

Result<Batch> Batch::begin(Database& db, FileReport& report) {
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return tx.error();
  const std::string source_format = report.format == "fhir-ndjson" ? "fhir-ndjson" : "csv";
  auto source_id = source_system_id(db, report.source, source_format);
  if (!source_id.ok()) return source_id.error();

  auto batch = db.prepare(
      "INSERT INTO ingest_batches (source_system_id, file_path, file_sha256, received_at, "
      "rows_read, rows_accepted, rows_unchanged, rows_quarantined) "
      "VALUES (?1, ?2, '', ?3, 0, 0, 0, 0)");  // the hash is known once the file is read
  if (!batch.ok()) return batch.error();
  batch->bind(1, *source_id).bind(2, report.file).bind(3, timestamp_now());
  if (Status s = batch->run(); !s.ok()) return s.error();
  const int64_t batch_id = db.last_insert_id();

  // OR IGNORE on the (source, original id, content hash) key is what makes a
  // re-load change nothing.
  auto person = db.prepare(
      "INSERT OR IGNORE INTO source_persons (source_system_id, original_id, nhs_number, "
      "given_name, family_name, birth_date, sex, postcode, content_hash, batch_id, line, "
      "ethnic_category) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  if (!person.ok()) return person.error();
  auto event = db.prepare(
      "INSERT OR IGNORE INTO source_events (source_system_id, original_id, person_original_id, "
      "kind, code_system, code, display, start_date, end_date, status, content_hash, batch_id, "
      "line, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  if (!event.ok()) return event.error();
  auto quarantine = db.prepare(
      "INSERT INTO quarantine (batch_id, line, field, reason, raw) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!quarantine.ok()) return quarantine.error();
  return Batch(db, report, std::move(tx).value(), batch_id, *source_id, std::move(person).value(),
               std::move(event).value(), std::move(quarantine).value());
}

Status Batch::count_insert(Statement& stmt) {
  Status s = stmt.run();
  stmt.reset();
  if (!s.ok()) return s;
  ++report_->rows_read;
  ++report_->rows_accepted;
  if (db_->changes() == 0) ++report_->rows_already_loaded;
  return {};
}

Status Batch::accept_person(const PersonRow& row, int64_t line, std::string_view raw) {
  insert_person_.bind(1, source_id_)
      .bind(2, row.original_id)
      .bind(3, row.nhs_number)
      .bind(4, row.given_name)
      .bind(5, row.family_name)
      .bind(6, row.birth_date)
      .bind(7, row.sex)
      .bind(8, row.postcode)
      .bind(9, content_hash(raw))
      .bind(10, batch_id_)
      .bind(11, line)
      .bind(12, row.ethnic_category);
  return count_insert(insert_person_);
}

Status Batch::accept_event(const EventRow& row, int64_t line, std::string_view raw) {
  insert_event_.bind(1, source_id_)
      .bind(2, row.original_id)
      .bind(3, row.person_original_id)
      .bind(4, row.kind)
      .bind(5, row.code_system)
      .bind(6, row.code)
      .bind(7, row.display)
      .bind(8, row.start_date)
      .bind(9, row.end_date)
      .bind(10, row.status)
      .bind(11, content_hash(raw))
      .bind(12, batch_id_)
      .bind(13, line)
      .bind(14, row.value);
  return count_insert(insert_event_);
}

Status Batch::quarantine(int64_t line, std::string_view field, std::string_view reason,
                         std::string_view raw) {
  insert_quarantine_.bind(1, batch_id_).bind(2, line).bind(5, raw).bind(4, reason);
  if (field.empty()) {
    insert_quarantine_.bind_null(3);
  } else {
    insert_quarantine_.bind(3, field);
  }
  Status s = insert_quarantine_.run();
  insert_quarantine_.reset();
  if (!s.ok()) return s;
  ++report_->rows_read;
  ++report_->rows_quarantined;
  if (report_->quarantined.size() < kReportedQuarantineRows) {
    report_->quarantined.push_back({line, std::string(field), std::string(reason)});
  }
  return {};
}

Status Batch::commit(std::string_view file_sha256) {
  auto update = db_->prepare(
      "UPDATE ingest_batches SET rows_read = ?1, rows_accepted = ?2, rows_unchanged = ?3, "
      "rows_quarantined = ?4, file_sha256 = ?6 WHERE id = ?5");
  if (!update.ok()) return update.error();
  update->bind(1, report_->rows_read)
      .bind(2, report_->rows_accepted)
      .bind(3, report_->rows_already_loaded)
      .bind(4, report_->rows_quarantined)
      .bind(5, batch_id_)
      .bind(6, file_sha256);
  if (Status s = update->run(); !s.ok()) return s;
  return tx_.commit();
}

}  // namespace onechild::ingest
