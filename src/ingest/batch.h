// Batch: one file's load inside one transaction. Adapters hand it parsed
// rows; it records provenance, applies idempotency and fills the report.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ingest/ingest.h"
#include "store/database.h"

namespace onechild::ingest {

struct PersonRow {
  std::string original_id;
  std::optional<std::string> nhs_number, given_name, family_name, birth_date, sex, postcode;
  std::optional<std::string> ethnic_category;  // Data Dictionary code, "A".."S" or "Z"
};

struct EventRow {
  std::string original_id;
  std::string person_original_id;
  std::string kind;
  std::optional<std::string> code_system, code, display;
  std::string start_date;
  std::optional<std::string> end_date, status;
  // What was found, as text: "112.4 cm", "30", a coded answer's display,
  // a referral's reason.
  std::optional<std::string> value;
};

class Batch {
 public:
  // Begins the transaction and the ingest_batches row for this file.
  static Result<Batch> begin(Database& db, FileReport& report);

  // raw is the row as received; its hash makes re-loading idempotent.
  Status accept_person(const PersonRow& row, int64_t line, std::string_view raw);
  Status accept_event(const EventRow& row, int64_t line, std::string_view raw);
  Status quarantine(int64_t line, std::string_view field, std::string_view reason,
                    std::string_view raw);

  // Writes the counts and the file's hash, and commits. Without it, the
  // destructor rolls back.
  Status commit(std::string_view file_sha256);

 private:
  Batch(Database& db, FileReport& report, Transaction tx, int64_t batch_id, int64_t source_id,
        Statement insert_person, Statement insert_event, Statement insert_quarantine);
  Status count_insert(Statement& stmt);

  Database* db_;
  FileReport* report_;
  Transaction tx_;
  int64_t batch_id_;
  int64_t source_id_;
  Statement insert_person_, insert_event_, insert_quarantine_;
};

std::string content_hash(std::string_view raw);

}  // namespace onechild::ingest
