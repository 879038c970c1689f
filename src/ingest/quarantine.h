// The quarantine, for the data manager: what was rejected, where and why,
// and the rejected rows as a file to fix and load again.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace onechild {

struct QuarantineEntry {
  int64_t id = 0;
  std::string file, source, field, reason, raw;
  int64_t line = 0;
  std::optional<std::string> original_id, resolved_at;
};

struct QuarantineFilter {
  std::string source;  // a source system code; empty: all
  std::string file;    // a file name (or path ending); empty: all
  bool include_resolved = false;
};

// Entries oldest first, at most `limit` of them.
Result<std::vector<QuarantineEntry>> list_quarantine(Database& db, const QuarantineFilter& filter,
                                                     int64_t limit);

// Writes the filtered rows as they were received, under their file's CSV
// header when they came from a CSV file, so the output can be corrected and
// loaded again with `onechild ingest`. Rows of more than one header cannot
// share a file: the error says to choose one with --file. Returns the count.
Result<int64_t> export_quarantine(Database& db, const QuarantineFilter& filter, std::ostream& out);

}  // namespace onechild
