// CsvReader: RFC 4180 records from a stream, each with the line it started
// on and its raw text, so a rejected row can be quarantined exactly as sent.
//
// Quoted fields may hold commas, doubled quotes and line breaks; CRLF and LF
// endings are both accepted. A malformed record (a quote inside an unquoted
// field, text after a closing quote, a quote never closed) is returned with
// an error rather than stopping the read: one bad row must not lose the rest.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onechild {

struct CsvRecord {
  int64_t line = 0;  // 1-based physical line where the record starts
  std::vector<std::string> fields;
  std::string raw;                   // the record's text without its line ending
  std::optional<std::string> error;  // set when the record is malformed
};

// A field for writing: quoted (with doubled quotes) only when it holds a
// comma, quote or line break, as RFC 4180 requires.
std::string csv_quote(std::string_view value);

class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}

  // The next record, or nullopt at end of input. Blank lines are skipped.
  std::optional<CsvRecord> next();

 private:
  bool read_line(std::string& line);

  std::istream& in_;
  int64_t line_ = 0;
};

}  // namespace onechild
