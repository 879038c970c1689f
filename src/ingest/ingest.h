// Ingest: load source feeds into the store without losing a row.
//
// Every row read ends in exactly one place: accepted (new, an update that
// supersedes the version loaded before, or unchanged: idempotent by source +
// original id + record hash) or the quarantine table with its line, field,
// reason and raw text. Rows commit in whole batches, so a crash leaves the
// store at a batch boundary and a re-run completes the load.
//
// FHIR R4 arrives as NDJSON (*.ndjson) or Bundles (*.json); CSV (*.csv) is
// read through a TOML mapping (config/mappings/, docs/ingest.md) chosen by
// the file's name. The source system is the file name up to its first dot:
// "gp.ndjson" is source "gp"; "acute.ecds.csv" is source "acute".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/date.h"
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
  std::string format;   // "fhir-ndjson" | "fhir-bundle" | "csv"
  std::string mapping;  // the CSV mapping's name
  int64_t rows_read = 0;
  int64_t rows_new = 0;        // accepted: at least one record not seen before
  int64_t rows_updated = 0;    // accepted: a record superseding an earlier version
  int64_t rows_unchanged = 0;  // accepted: every record identical to the current version
  int64_t rows_quarantined = 0;
  int64_t rows_converted = 0;       // read as Windows-1252, stored as UTF-8
  int64_t invalid_nhs_numbers = 0;  // kept as recorded, flagged invalid
  int64_t records_written = 0;      // person and event versions inserted
  int64_t quarantine_written = 0;   // quarantined rows not already in the quarantine table
  std::map<std::string, int64_t> quarantined_by_reason;
  std::vector<QuarantinedRow> quarantined;  // the first 1,000; the table keeps all

  int64_t rows_accepted() const { return rows_new + rows_updated + rows_unchanged; }
  bool reconciles() const { return rows_read == rows_accepted() + rows_quarantined; }
};

struct IngestReport {
  std::vector<FileReport> files;
  int64_t total(int64_t FileReport::*count) const;
  int64_t rows_read() const { return total(&FileReport::rows_read); }
  int64_t rows_accepted() const;
  int64_t rows_quarantined() const { return total(&FileReport::rows_quarantined); }
  bool reconciles() const;
  std::string to_json() const;
  std::string summary() const;  // for people: a line per file and the totals
};

struct IngestOptions {
  std::string mappings_dir;  // CSV mappings (*.toml); empty: the built-in config/mappings
  std::string mapping_file;  // one mapping to use for every CSV file given
  Date as_of = today();      // dates after this are "in the future"
  int64_t rows_per_commit = 50000;
  bool progress = true;  // a bar with rate on a terminal (never in pipes or CI)
  // Called with each file's report as it completes (the CLI prints them).
  std::function<void(const FileReport&)> on_file;
};

// Loads each file; a directory contributes its *.ndjson, *.json and *.csv
// files. Files load in dependency order (persons before the events that
// refer to them: a mapping's `order`, then name). Stops at the first file
// that cannot be read at all (missing, unknown format, no mapping, a header
// the mapping does not fit); files before it stay loaded.
Result<IngestReport> ingest_paths(Database& db, const std::vector<std::string>& paths,
                                  const IngestOptions& options = {});

}  // namespace onechild
