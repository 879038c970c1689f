#include "core/csv.h"

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

bool CsvReader::read_line(std::string& line) {
  if (!std::getline(in_, line)) return false;
  ++line_;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

std::optional<CsvRecord> CsvReader::next() {
  std::string line;
  do {
    if (!read_line(line)) return std::nullopt;
  } while (line.empty());

  CsvRecord record;
  record.line = line_;
  record.raw = line;
  std::string field;
  bool in_quotes = false;
  bool after_quote = false;  // a quoted field just closed; only ',' may follow
  size_t i = 0;
  for (;;) {
    if (i == line.size()) {
      if (!in_quotes) break;
      // A line break inside quotes belongs to the field: continue on the next line.
      std::string more;
      if (!read_line(more)) {
        record.error = "quoted field is never closed";
        break;
      }
      field += '\n';
      record.raw += '\n' + more;
      line = std::move(more);
      i = 0;
      continue;
    }
    const char c = line[i++];
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
    } else if (c == ',') {
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
