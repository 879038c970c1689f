#include "core/csv.h"

#include <algorithm>

namespace onechild {

std::string csv_quote(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char ch : value) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

CsvReader::CsvReader(std::istream& in, CsvOptions options)
    : options_(options), lines_(in, options.max_record_bytes) {}

// Reads one physical line into `line` as UTF-8, appending its bytes as
// received to record.raw. Encoding and size problems go to record.error.
bool CsvReader::read_line(std::string& line, CsvRecord& record) {
  if (!lines_.next(line)) return false;
  if (at_start_) {
    at_start_ = false;
    if (line.starts_with(kUtf8Bom)) line.erase(0, kUtf8Bom.size());
  }
  if (!record.raw.empty()) record.raw += '\n';
  const size_t room =
      options_.max_record_bytes - std::min(record.raw.size(), options_.max_record_bytes);
  if (lines_.truncated() || line.size() > room) {
    too_long_ = true;
    record.error = "record is longer than " + std::to_string(options_.max_record_bytes) +
                   " bytes (a quote never closed?); its raw text is cut there";
    line.resize(std::min(line.size(), room));
  }
  record.raw += line;
  if (options_.encoding == Encoding::kUtf8 || options_.encoding == Encoding::kAuto) {
    const size_t bad = invalid_utf8_at(line);
    if (bad == std::string_view::npos) return true;
    if (options_.encoding == Encoding::kUtf8) {
      if (!record.error) {
        record.error = "not valid UTF-8 (byte " + std::to_string(bad + 1) +
                       " of the line); if the file is Windows-1252, say encoding = "
                       "\"windows-1252\" in its mapping";
      }
      return true;
    }
  }
  if (auto converted = windows1252_to_utf8(line)) {
    line = std::move(*converted);
    record.converted = true;
  } else if (!record.error) {
    record.error = "neither UTF-8 nor Windows-1252 text (binary data?)";
  }
  return true;
}

std::optional<CsvRecord> CsvReader::next() {
  CsvRecord record;
  std::string line;
  too_long_ = false;
  do {
    record.raw.clear();
    record.error.reset();
    record.converted = false;
    if (!read_line(line, record)) return std::nullopt;
  } while (line.empty() && !record.error);
  record.line = lines_.line_number();

  const char delimiter = options_.delimiter;
  std::string field;
  bool in_quotes = false;
  bool after_quote = false;  // a quoted field just closed; only the delimiter may follow
  size_t i = 0;
  for (;;) {
    if (i == line.size()) {
      if (!in_quotes) break;
      // A line break inside quotes belongs to the field: continue on the next line.
      if (too_long_ || !read_line(line, record)) {
        if (!record.error) record.error = "quoted field is never closed";
        break;
      }
      field += '\n';
      i = 0;
      continue;
    }
    const char c = line[i++];
    if (c == '\0' && !record.error) record.error = "NUL byte in the text (binary data?)";
    if (in_quotes) {
      if (c != '"') {
        field += c;
      } else if (i < line.size() && line[i] == '"') {
        field += '"';
        ++i;
      } else {
        in_quotes = false;
        after_quote = true;
      }
    } else if (c == '\r') {
      if (!record.error) {
        record.error =
            "carriage return inside a record (lines ending in CR alone?); save the "
            "file with LF or CRLF line endings";
      }
    } else if (c == delimiter) {
      record.fields.push_back(std::move(field));
      field.clear();
      after_quote = false;
    } else if (after_quote) {
      if (!record.error) record.error = "unexpected text after a closing quote";
    } else if (c == '"') {
      if (field.empty()) {
        in_quotes = true;
      } else if (!record.error) {
        record.error = "quote inside an unquoted field";
      }
    } else {
      field += c;
    }
  }
  record.fields.push_back(std::move(field));
  return record;
}

}  // namespace onechild
