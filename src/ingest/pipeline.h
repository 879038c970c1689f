// Pipeline: a file is parsed on a worker thread while this thread writes the
// rows to the store, so reading and validating (about a fifth of the work)
// overlap with SQLite. Rows cross in chunks through a bounded hand-off, so
// memory stays bounded whatever the file's size, and they arrive in order:
// the store sees exactly what a single thread would have written.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/error.h"
#include "ingest/batch.h"

namespace onechild::ingest {

// One row as the parsing side hands it over: parsed, or why not.
struct ParsedItem {
  int64_t line = 0;
  std::string raw;
  std::optional<ParsedRow> row;
  std::string field, reason;               // when row is empty
  std::optional<std::string> original_id;  // when row is empty, as far as it could be read
  int64_t bytes_read = 0;                  // of the file, for progress
  bool converted = false;                  // from Windows-1252
};

// Hands one item to the writing side; false once that side has stopped
// (an error), when the producer should return.
using Emit = std::function<bool(ParsedItem&&)>;

// Runs produce(emit) on a worker thread and consume(item) on this one, for
// every item in order. Stops at consume's first error (and waits for the
// worker); an exception in produce becomes an internal error.
Status run_pipeline(const std::function<void(const Emit&)>& produce,
                    const std::function<Status(ParsedItem&)>& consume);

}  // namespace onechild::ingest
