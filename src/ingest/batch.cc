#include "ingest/batch.h"

#include <sodium.h>

#include <array>

#include "core/date.h"

namespace onechild::ingest {
namespace {

// Reports keep the first quarantined rows in full; the table keeps them all.
constexpr size_t kReportedQuarantineRows = 1000;

// Ordered so that a row's outcome is the largest of its records': a row
// that brings any new record is new.
enum Written { kUnchanged = 0, kUpdated = 1, kNew = 2 };

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

std::string hex_hash(std::string_view bytes, size_t digest_size) {
  std::array<unsigned char, 32> digest{};
  crypto_generichash(digest.data(), digest_size,
                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nullptr,
                     0);
  std::array<char, 65> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest_size);
  return hex.data();
}

// Fields joined with a unit separator; an absent value differs from "".
class Canonical {
 public:
  Canonical& operator<<(std::string_view v) {
    text_.append(v).push_back('\x1f');
    return *this;
  }
  Canonical& operator<<(const std::string& v) { return *this << std::string_view(v); }
  Canonical& operator<<(const std::optional<std::string>& v) {
    if (v) return *this << std::string_view(*v);
    text_.append("\x1e\x1f");
    return *this;
  }
  std::string hash() const { return hex_hash(text_, 16); }

 private:
  std::string text_;
};

}  // namespace

void PersonRow::set_nhs_number(std::optional<std::string> recorded) {
  nhs_number.reset();
  nhs_number_status = recorded ? NhsNumber::classify(*recorded) : NhsNumberStatus::kMissing;
  if (nhs_number_status == NhsNumberStatus::kMissing) {
    nhs_number_recorded.reset();
    return;
  }
  if (nhs_number_status == NhsNumberStatus::kValid) {
    nhs_number = NhsNumber::parse(*recorded)->digits();
  }
  nhs_number_recorded = std::move(recorded);
}

// Precedes a field hashed only when present. Naming the field keeps two
// such fields apart: a practice "X" never hashes as another optional field
// added later with the value "X".
constexpr std::string_view kGpPracticeTag =
    "\x1d"
    "gp_practice";

// The GP practice (migration 7) is added, after a tag of its own, only when
// present: a person without one hashes exactly as before migration 7, so a
// file without practices reloads as unchanged (docs/ingest.md).
std::string record_hash(const PersonRow& p) {
  Canonical c;
  c << p.original_id << p.nhs_number_recorded << p.given_name << p.family_name << p.birth_date
    << p.sex << p.postcode << p.ethnic_category;
  if (p.gp_practice) c << kGpPracticeTag << *p.gp_practice;
  return c.hash();
}

std::string record_hash(const EventRow& e) {
  return (Canonical() << e.original_id << e.person_original_id << e.kind << e.code_system << e.code
                      << e.display << e.start_date << e.end_date << e.status << e.value)
      .hash();
}

// The prepared statements of a load, compiled once per file.
struct Batch::Statements {
  std::optional<Transaction> tx;
  Statement current_person, insert_person, supersede_person;
  Statement current_event, insert_event, supersede_event;
  Statement birth_of, person_of_parent, insert_quarantine, update_counts;
};

namespace {

// Versioning, written once for both tables. Each statement's SQL differs
// only in the table name, so they are built from one template of literals.
struct VersionSql {
  const char* current;
  const char* supersede;
};

// Every version of one record: the current one and any older identical one.
constexpr VersionSql kPersonVersions = {
    "SELECT id, content_hash, superseded_by IS NULL FROM source_persons WHERE "
    "source_system_id = ?1 AND original_id = ?2",
    "UPDATE source_persons SET superseded_by = ?2 WHERE id = ?1",
};
constexpr VersionSql kEventVersions = {
    "SELECT id, content_hash, superseded_by IS NULL FROM source_events WHERE "
    "source_system_id = ?1 AND original_id = ?2",
    "UPDATE source_events SET superseded_by = ?2 WHERE id = ?1",
};

Status prepare_into(Database& db, Statement* slot, std::string_view sql) {
  auto stmt = db.prepare(sql);
  if (!stmt.ok()) return stmt.error();
  *slot = std::move(stmt).value();
  return {};
}

}  // namespace

Batch::Batch(Database& db, FileReport& report, BatchOptions options, int64_t batch_id,
             int64_t source_id, std::unique_ptr<Statements> statements, LoadState* state)
    : db_(&db),
      report_(&report),
      options_(options),
      batch_id_(batch_id),
      source_id_(source_id),
      stmts_(std::move(statements)),
      state_(state) {}

Batch::Batch(Batch&&) noexcept = default;
Batch::~Batch() = default;

namespace {

// A source met for the first time in this load: which of its tables are
// empty, so their ids need no version lookup until the filter has seen them.
Status examine_source(Database& db, int64_t source_id, LoadState& state) {
  if (!state.examined_sources.insert(source_id).second) return {};
  const std::pair<std::string_view, std::set<int64_t>*> tables[] = {
      {"SELECT EXISTS (SELECT 1 FROM source_persons WHERE source_system_id = ?1)",
       &state.fresh_person_sources},
      {"SELECT EXISTS (SELECT 1 FROM source_events WHERE source_system_id = ?1)",
       &state.fresh_event_sources}};
  for (const auto& [sql, fresh] : tables) {
    auto any = db.prepare(sql);
    if (!any.ok()) return any.error();
    any->bind(1, source_id);
    auto row = any->step();
    if (!row.ok()) return row.error();
    if (any->column_int64(0) == 0) fresh->insert(source_id);
  }
  return {};
}

}  // namespace

Result<Batch> Batch::begin(Database& db, FileReport& report, BatchOptions options,
                           LoadState* state) {
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return tx.error();
  const std::string source_format = report.format.starts_with("fhir") ? "fhir" : "csv";
  auto source_id = source_system_id(db, report.source, source_format);
  if (!source_id.ok()) return source_id.error();

  auto batch = db.prepare(
      "INSERT INTO ingest_batches (source_system_id, file_path, file_sha256, received_at, "
      "rows_read, rows_accepted, rows_unchanged, rows_quarantined, status, format, mapping) "
      "VALUES (?1, ?2, '', ?3, 0, 0, 0, 0, 'loading', ?4, ?5)");  // the hash comes at the end
  if (!batch.ok()) return batch.error();
  batch->bind(1, *source_id)
      .bind(2, report.file)
      .bind(3, timestamp_now())
      .bind(4, report.format)
      .bind(5, report.mapping);
  if (Status s = batch->run(); !s.ok()) return s.error();
  const int64_t batch_id = db.last_insert_id();

  // Statement handles are default-constructed by moving prepared ones in.
  auto stmts = std::make_unique<Statements>();
  stmts->tx.emplace(std::move(tx).value());
  const std::pair<Statement*, std::string_view> sql[] = {
      {&stmts->current_person, kPersonVersions.current},
      {&stmts->supersede_person, kPersonVersions.supersede},
      {&stmts->current_event, kEventVersions.current},
      {&stmts->supersede_event, kEventVersions.supersede},
      {&stmts->insert_person,
       "INSERT INTO source_persons (source_system_id, original_id, nhs_number, "
       "given_name, family_name, birth_date, sex, postcode, content_hash, batch_id, line, "
       "ethnic_category, nhs_number_recorded, nhs_number_status, gp_practice) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"},
      {&stmts->insert_event,
       "INSERT INTO source_events (source_system_id, original_id, "
       "person_original_id, kind, code_system, code, display, start_date, end_date, status, "
       "content_hash, batch_id, line, value) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"},
      {&stmts->birth_of,
       "SELECT birth_date FROM source_persons WHERE source_system_id = ?1 AND original_id = ?2 "
       "AND superseded_by IS NULL"},
      {&stmts->person_of_parent,
       "SELECT person_original_id FROM source_events WHERE source_system_id = ?1 AND "
       "original_id = ?2 AND superseded_by IS NULL"},
      // OR IGNORE on (source, line, raw hash): the same rejected row loaded
      // again is counted in the report but kept once.
      {&stmts->insert_quarantine,
       "INSERT OR IGNORE INTO quarantine (batch_id, line, field, reason, raw, source_system_id, "
       "raw_hash, original_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      {&stmts->update_counts,
       "UPDATE ingest_batches SET rows_read = ?2, rows_accepted = ?3, rows_unchanged = ?4, "
       "rows_quarantined = ?5, rows_new = ?6, rows_updated = ?7, records_written = ?8, "
       "quarantine_written = ?9 WHERE id = ?1"},
  };
  for (const auto& [slot, text] : sql) {
    if (Status s = prepare_into(db, slot, text); !s.ok()) return s.error();
  }
  if (state != nullptr) {
    if (Status s = examine_source(db, *source_id, *state); !s.ok()) return s.error();
  }
  return Batch(db, report, options, batch_id, *source_id, std::move(stmts), state);
}

namespace {

// Writes one record as a new version, or recognises it as unchanged. The
// same steps for persons and events: find the current version; the same
// hash means unchanged; otherwise insert and point the old current version
// at its successor. A record identical to an earlier, superseded version is
// also unchanged: extracts that carry history (a school census with every
// term) must reload as no change, so an old version is never made current
// again by its reappearance. `known_new` skips the lookup where the load
// knows there is no version yet (FirstSeen). A template, not std::function: this runs for
// every record, and the bind lambda's captures would not fit std::function's
// small buffer (a heap allocation per record).
template <typename Bind>
Result<int> write_version(Database& db, Statement& current, Statement& insert, Statement& supersede,
                          int64_t source_id, const std::string& original_id,
                          const std::string& hash, bool known_new, Bind&& bind) {
  std::optional<int64_t> current_id;
  if (!known_new) {
    current.bind(1, source_id).bind(2, original_id);
    bool identical = false;
    Status s = current.each_row([&](const Statement& version) {
      identical = identical || version.column_text(1) == hash;
      if (version.column_int64(2) != 0) current_id = version.column_int64(0);
    });
    current.reset();
    if (!s.ok()) return s.error();
    if (identical) return kUnchanged;
  }

  bind(insert);
  Status s = insert.run();
  insert.reset();
  if (!s.ok()) return s.error();
  if (!current_id) return kNew;
  supersede.bind(1, *current_id).bind(2, db.last_insert_id());
  s = supersede.run();
  supersede.reset();
  if (!s.ok()) return s.error();
  return kUpdated;
}

}  // namespace

// True when this load knows the table holds no version of the id yet; either
// way the id is noted, so its next appearance takes the lookup.
bool Batch::known_new(bool person, const std::string& original_id) {
  if (state_ == nullptr) return false;
  const auto& fresh = person ? state_->fresh_person_sources : state_->fresh_event_sources;
  if (!fresh.contains(source_id_)) return false;
  FirstSeen& seen = person ? state_->persons : state_->events;
  const bool unseen = !seen.maybe_contains(source_id_, original_id);
  seen.add(source_id_, original_id);
  return unseen;
}

Result<int> Batch::write_person(const PersonRow& p) {
  const std::string hash = record_hash(p);
  return write_version(*db_, stmts_->current_person, stmts_->insert_person,
                       stmts_->supersede_person, source_id_, p.original_id, hash,
                       known_new(true, p.original_id), [&](Statement& insert) {
                         insert.bind(1, source_id_)
                             .bind(2, p.original_id)
                             .bind(3, p.nhs_number)
                             .bind(4, p.given_name)
                             .bind(5, p.family_name)
                             .bind(6, p.birth_date)
                             .bind(7, p.sex)
                             .bind(8, p.postcode)
                             .bind(9, hash)
                             .bind(10, batch_id_)
                             .bind(11, current_line_)
                             .bind(12, p.ethnic_category)
                             .bind(13, p.nhs_number_recorded)
                             .bind(14, to_string(p.nhs_number_status))
                             .bind(15, p.gp_practice);
                       });
}

Result<int> Batch::write_event(const EventRow& e) {
  const std::string hash = record_hash(e);
  return write_version(*db_, stmts_->current_event, stmts_->insert_event, stmts_->supersede_event,
                       source_id_, e.original_id, hash, known_new(false, e.original_id),
                       [&](Statement& insert) {
                         insert.bind(1, source_id_)
                             .bind(2, e.original_id)
                             .bind(3, e.person_original_id)
                             .bind(4, e.kind)
                             .bind(5, e.code_system)
                             .bind(6, e.code)
                             .bind(7, e.display)
                             .bind(8, e.start_date)
                             .bind(9, e.end_date)
                             .bind(10, e.status)
                             .bind(11, hash)
                             .bind(12, batch_id_)
                             .bind(13, current_line_)
                             .bind(14, e.value);
                       });
}

// Checks that need the store: the person of an event known only through its
// parent, and an event dated before its person's birth. Returns the reason
// to quarantine the row, if any; an error only when the store fails.
Result<std::optional<std::string>> Batch::checked_event(EventRow& event, const ParsedRow& row) {
  if (event.parent_original_id) {
    Statement& find = stmts_->person_of_parent;
    find.bind(1, source_id_).bind(2, *event.parent_original_id);
    auto found = find.step();
    if (found.ok() && *found) event.person_original_id = find.column_text(0);
    find.reset();
    if (!found.ok()) return found.error();
    if (!*found) {
      return std::optional<std::string>("refers to '" + *event.parent_original_id +
                                        "', which this source has not sent (load its file first)");
    }
  }
  // The person in the same row (a birth notification) counts before the store.
  std::optional<std::string> birth;
  bool known = false;
  for (const PersonRow& p : row.persons) {
    if (p.original_id == event.person_original_id) birth = p.birth_date, known = true;
  }
  if (!known && event.person_original_id == cached_person_) {
    birth = cached_birth_;
  } else if (!known) {
    Statement& find = stmts_->birth_of;
    find.bind(1, source_id_).bind(2, event.person_original_id);
    auto found = find.step();
    if (!found.ok()) return found.error();
    birth = *found ? find.column_optional_text(0) : std::nullopt;
    find.reset();
    cached_person_ = event.person_original_id;
    cached_birth_ = birth;
  }
  // ISO dates compare correctly as text.
  if (birth && event.start_date < *birth) {
    return std::optional<std::string>("event is dated before the person's birth");
  }
  return std::optional<std::string>{};
}

Status Batch::accept(ParsedRow& row, int64_t line, std::string_view raw) {
  current_line_ = line;
  for (EventRow& event : row.events) {
    auto reason = checked_event(event, row);
    if (!reason.ok()) return reason.error();
    if (*reason) {
      const bool no_parent = event.person_original_id.empty();
      return quarantine(line, no_parent ? "parent" : "start_date", **reason, raw,
                        std::optional<std::string>(event.original_id));
    }
  }
  int outcome = kUnchanged;
  for (const PersonRow& person : row.persons) {
    auto written = write_person(person);
    if (!written.ok()) return written.error();
    outcome = std::max(outcome, *written);
    if (*written != kUnchanged) ++report_->records_written;
    if (person.nhs_number_status == NhsNumberStatus::kInvalid) ++report_->invalid_nhs_numbers;
    // A person just written (or re-written) makes the cached birth date stale.
    if (person.original_id == cached_person_) cached_person_.clear();
  }
  for (const EventRow& event : row.events) {
    auto written = write_event(event);
    if (!written.ok()) return written.error();
    outcome = std::max(outcome, *written);
    if (*written != kUnchanged) ++report_->records_written;
  }
  ++report_->rows_read;
  if (outcome == kNew) {
    ++report_->rows_new;
  } else if (outcome == kUpdated) {
    ++report_->rows_updated;
  } else {
    ++report_->rows_unchanged;
  }
  return row_done();
}

Status Batch::record_header(std::string_view header) {
  auto update = db_->prepare("UPDATE ingest_batches SET header = ?2 WHERE id = ?1");
  if (!update.ok()) return update.error();
  update->bind(1, batch_id_).bind(2, header);
  return update->run();
}

Status Batch::quarantine(int64_t line, std::string_view field, std::string_view reason,
                         std::string_view raw, const std::optional<std::string>& original_id) {
  Statement& q = stmts_->insert_quarantine;
  q.bind(1, batch_id_).bind(2, line).bind(4, reason).bind(5, raw).bind(6, source_id_);
  q.bind(7, hex_hash(raw, 16)).bind(8, original_id);
  if (field.empty()) {
    q.bind_null(3);
  } else {
    q.bind(3, field);
  }
  Status s = q.run();
  q.reset();
  if (!s.ok()) return s;
  if (db_->changes() > 0) ++report_->quarantine_written;
  ++report_->rows_read;
  ++report_->rows_quarantined;
  ++report_->quarantined_by_reason[std::string(reason)];
  if (report_->quarantined.size() < kReportedQuarantineRows) {
    report_->quarantined.push_back({line, std::string(field), std::string(reason)});
  }
  return row_done();
}

Status Batch::row_done() {
  if (++rows_in_chunk_ < options_.rows_per_commit) return {};
  if (Status s = commit_chunk(); !s.ok()) return s;
  auto tx = Transaction::begin(*db_);
  if (!tx.ok()) return tx.error();
  stmts_->tx.emplace(std::move(tx).value());
  return {};
}

// Writes the counts so far with the rows they describe, and commits both.
Status Batch::commit_chunk() {
  Statement& u = stmts_->update_counts;
  u.bind(1, batch_id_)
      .bind(2, report_->rows_read)
      .bind(3, report_->rows_accepted())
      .bind(4, report_->rows_unchanged)
      .bind(5, report_->rows_quarantined)
      .bind(6, report_->rows_new)
      .bind(7, report_->rows_updated)
      .bind(8, report_->records_written)
      .bind(9, report_->quarantine_written);
  Status s = u.run();
  u.reset();
  if (!s.ok()) return s;
  rows_in_chunk_ = 0;
  s = stmts_->tx->commit();
  stmts_->tx.reset();
  return s;
}

Status Batch::finish(std::string_view file_sha256) {
  if (!stmts_->tx) {
    auto tx = Transaction::begin(*db_);
    if (!tx.ok()) return tx.error();
    stmts_->tx.emplace(std::move(tx).value());
  }
  auto done = db_->prepare(
      "UPDATE ingest_batches SET status = 'complete', file_sha256 = ?2, finished_at = ?3 "
      "WHERE id = ?1");
  if (!done.ok()) return done.error();
  done->bind(1, batch_id_).bind(2, file_sha256).bind(3, timestamp_now());
  if (Status s = done->run(); !s.ok()) return s;
  // A quarantined row is resolved once a later load accepts a record with
  // its original id (the fixed row, re-exported and loaded again).
  auto resolve = db_->prepare(
      "UPDATE quarantine SET resolved_at = ?2 WHERE resolved_at IS NULL AND "
      "source_system_id = ?1 AND original_id IS NOT NULL AND ("
      "EXISTS (SELECT 1 FROM source_persons p WHERE p.source_system_id = ?1 AND "
      "p.original_id = quarantine.original_id AND p.batch_id > quarantine.batch_id) OR "
      "EXISTS (SELECT 1 FROM source_events e WHERE e.source_system_id = ?1 AND "
      "e.original_id = quarantine.original_id AND e.batch_id > quarantine.batch_id))");
  if (!resolve.ok()) return resolve.error();
  resolve->bind(1, source_id_).bind(2, timestamp_now());
  if (Status s = resolve->run(); !s.ok()) return s;
  return commit_chunk();
}

}  // namespace onechild::ingest
