#include "core/line_reader.h"

#include <limits>

namespace onechild {

LineReader::LineReader(std::istream& in, size_t max_line_bytes)
    : in_(in), buffer_(max_line_bytes + 1) {}

bool LineReader::next(std::string& line) {
  line.clear();
  truncated_ = false;
  if (!in_.good()) return false;
  in_.getline(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  const auto got = static_cast<size_t>(in_.gcount());
  size_t length = got;
  if (in_.fail() && !in_.eof()) {
    // The line is longer than the buffer: keep its start, skip the rest.
    truncated_ = true;
    in_.clear();
    in_.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  } else if (in_.eof()) {
    if (got == 0) return false;  // the last line had no line break, or there is none
  } else {
    length = got - 1;  // gcount counted the '\n' getline extracted
  }
  // Not strlen: binary input may hold NUL bytes, which must reach the caller.
  line.assign(buffer_.data(), length);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  ++number_;
  return true;
}

}  // namespace onechild
