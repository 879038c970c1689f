// LineReader: physical lines from a stream with a bound on their length, so a
// file with no line breaks (binary garbage, a truncated export) cannot make a
// reader hold the whole file in memory. CR before LF is dropped.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace onechild {

class LineReader {
 public:
  LineReader(std::istream& in, size_t max_line_bytes);

  // The next line without its ending; false at end of input. A longer line
  // is cut at max_line_bytes (truncated() says so) and the rest skipped.
  bool next(std::string& line);
  bool truncated() const { return truncated_; }
  int64_t line_number() const { return number_; }  // of the line last returned

 private:
  std::istream& in_;
  std::vector<char> buffer_;
  size_t max_;
  int64_t number_ = 0;
  bool truncated_ = false;
};

}  // namespace onechild
