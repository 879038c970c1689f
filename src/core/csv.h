// CsvReader: RFC 4180 records from a stream, each with the line it started
// on and its raw text, so a rejected row can be quarantined exactly as sent.
//
// Quoted fields may hold the delimiter, doubled quotes and line breaks; CRLF
// and LF endings are both accepted; a UTF-8 byte order mark is skipped. A
// malformed record (a quote inside an unquoted field, text after a closing
// quote, a quote never closed, bytes that are not text in the expected
// encoding, a record over the size limit) is returned with an error rather
// than stopping the read: one bad row must not lose the rest.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/line_reader.h"
#include "core/text.h"

namespace onechild {

struct CsvOptions {
  char delimiter = ',';
  Encoding encoding = Encoding::kAuto;
  // A record longer than this is cut off and returned with an error; the
  // reader resumes at the next line. Bounds memory whatever the input.
  size_t max_record_bytes = size_t{4} << 20;
};

struct CsvRecord {
  int64_t line = 0;                  // 1-based physical line where the record starts
  std::vector<std::string> fields;   // UTF-8
  std::string raw;                   // the record's bytes as received, without its line ending
  std::optional<std::string> error;  // set when the record is malformed
  bool converted = false;            // read as Windows-1252 and converted to UTF-8
};

// A field for writing: quoted (with doubled quotes) only when it holds a
// comma, quote or line break, as RFC 4180 requires.
std::string csv_quote(std::string_view value);

class CsvReader {
 public:
  explicit CsvReader(std::istream& in, CsvOptions options = {});

  // The next record, or nullopt at end of input. Blank lines are skipped.
  std::optional<CsvRecord> next();

 private:
  bool read_line(std::string& line, CsvRecord& record);

  CsvOptions options_;
  LineReader lines_;
  bool at_start_ = true;
  bool too_long_ = false;  // the record being read hit max_record_bytes
};

}  // namespace onechild
