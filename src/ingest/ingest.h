// Ingest: load source feeds into the store without losing a row.
//
// Every row read ends in exactly one place: accepted (new, or already loaded
// by an earlier run: idempotent by source + original id + content hash) or
// the quarantine table with its line, field and reason. Each file loads in
// one transaction, so a crash leaves the store as before the file or after.
//
// The source system is the file name up to its first dot: "gp.ndjson" is
// source "gp"; "social_care.persons.csv" is source "social_care".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace onechild {

struct QuarantinedRow {
  int64_t line = 0;
  std::string field;
  std::string reason;
};

struct FileReport {
  std::string file;
  std::string source;
  std::string format;  // "fhir-ndjson" | "csv-persons" | "csv-episodes"
  int64_t rows_read = 0;
  int64_t rows_accepted = 0;        // includes rows_already_loaded
  int64_t rows_already_loaded = 0;  // identical rows from an earlier load
  int64_t rows_quarantined = 0;
  std::vector<QuarantinedRow> quarantined;

  bool reconciles() const { return rows_read == rows_accepted + rows_quarantined; }
};

struct IngestReport {
  std::vector<FileReport> files;
  int64_t rows_read() const;
  int64_t rows_accepted() const;
  int64_t rows_quarantined() const;
  bool reconciles() const;
  std::string to_json() const;
};

// Loads each file; a directory contributes its *.ndjson and *.csv files in
// name order. Stops at the first file that cannot be read at all (missing,
// unknown format, unrecognised CSV header); files before it stay loaded.
Result<IngestReport> ingest_paths(Database& db, const std::vector<std::string>& paths);

}  // namespace onechild
