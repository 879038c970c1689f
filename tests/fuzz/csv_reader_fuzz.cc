// CsvReader on arbitrary bytes: never crashes or loops, records start on
// increasing lines, and a record without an error has at least one field.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "core/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  onechild::CsvReader reader(in);
  int64_t last_line = 0;
  while (auto record = reader.next()) {
    if (record->line <= last_line) std::abort();
    if (record->fields.empty()) std::abort();
    if (record->raw.size() > size) std::abort();
    last_line = record->line;
  }
  return 0;
}
