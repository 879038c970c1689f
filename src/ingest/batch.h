// The rows adapters produce and the batch that writes them to the store.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/nhs_number.h"
#include "ingest/first_seen.h"
#include "ingest/ingest.h"
#include "store/database.h"

namespace onechild::ingest {

struct PersonRow {
  std::string original_id;
  // nhs_number holds the ten digits only when they pass Modulus 11; the value
  // as the feed recorded it is kept in nhs_number_recorded whatever it was.
  std::optional<std::string> nhs_number, nhs_number_recorded;
  NhsNumberStatus nhs_number_status = NhsNumberStatus::kMissing;
  std::optional<std::string> given_name, family_name, birth_date, sex, postcode;
  std::optional<std::string> ethnic_category;  // Data Dictionary code, "A".."S" or "Z"
  // ODS code of the GP practice the source says the person is registered
  // with, as sent; nullopt when the source sent none.
  std::optional<std::string> gp_practice;

  // Sets the three NHS number fields from the recorded text (nullopt: none).
  void set_nhs_number(std::optional<std::string> recorded);
};

struct EventRow {
  std::string original_id;
  std::string person_original_id;
  // When a feed names the event's parent (a care contact its referral)
  // rather than the person, the batch finds the person through the parent,
  // an event of the same source loaded earlier.
  std::optional<std::string> parent_original_id;
  std::string kind;
  std::optional<std::string> code_system, code, display;
  std::string start_date;
  std::optional<std::string> end_date, status;
  // What was found, as text: "112.4 cm", "30", a coded answer's display,
  // a referral's reason.
  std::optional<std::string> value;
};

// What one row of a feed recorded: a CSV row may hold a person, events, or
// both (a birth notification: baby, mother and the birth).
struct ParsedRow {
  std::vector<PersonRow> persons;
  std::vector<EventRow> events;
};

struct BatchOptions {
  // Rows per transaction: each commit holds whole rows only, so a crash
  // leaves the store at a commit boundary and a re-run carries on from there
  // (rows already committed come back as unchanged).
  int64_t rows_per_commit = 50000;
};

// Batch: one file's load. Adapters hand it parsed rows; it records
// provenance, keeps versions (a record with a known original id and new
// content supersedes the current version, which is kept), applies the
// checks that need the store (an event before its person's birth) and
// fills the report.
class Batch {
 public:
  // `state` (may be null) carries what earlier files of the same load
  // wrote, so a first load of a source can skip version lookups.
  static Result<Batch> begin(Database& db, FileReport& report, BatchOptions options = {},
                             LoadState* state = nullptr);
  Batch(Batch&&) noexcept;
  Batch& operator=(Batch&&) = delete;
  ~Batch();

  // Keeps a CSV file's header row with the load, so quarantined rows can be
  // exported as a file that loads again once fixed.
  Status record_header(std::string_view header);

  // raw is the row as received, kept with the provenance of any quarantine.
  Status accept(ParsedRow& row, int64_t line, std::string_view raw);
  Status quarantine(int64_t line, std::string_view field, std::string_view reason,
                    std::string_view raw, const std::optional<std::string>& original_id = {});

  // Commits the last rows, marks the load complete with the file's hash and
  // resolves earlier quarantined rows that this load has now accepted.
  Status finish(std::string_view file_sha256);

 private:
  struct Statements;
  Batch(Database& db, FileReport& report, BatchOptions options, int64_t batch_id, int64_t source_id,
        std::unique_ptr<Statements> statements, LoadState* state);
  Status row_done();
  Status commit_chunk();
  Result<std::optional<std::string>> checked_event(EventRow& event, const ParsedRow& row);
  Result<int> write_person(const PersonRow& person);  // 0 unchanged, 1 updated, 2 new
  Result<int> write_event(const EventRow& event);
  bool known_new(bool person, const std::string& original_id);

  Database* db_;
  FileReport* report_;
  BatchOptions options_;
  int64_t batch_id_;
  int64_t source_id_;
  std::unique_ptr<Statements> stmts_;
  LoadState* state_;
  int64_t rows_in_chunk_ = 0;
  int64_t current_line_ = 0;
  // The birth date of the person looked up last: events of one person come
  // together in most feeds, so this saves a lookup per event.
  std::string cached_person_;
  std::optional<std::string> cached_birth_;
};

// The hash that makes reloading idempotent: of the record's stored fields,
// so the same record in a re-exported file (other column order, quoting,
// line endings) is recognised as unchanged.
std::string record_hash(const PersonRow& person);
std::string record_hash(const EventRow& event);

}  // namespace onechild::ingest
