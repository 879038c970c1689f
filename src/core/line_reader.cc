#include "core/line_reader.h"

#include <algorithm>
#include <limits>

namespace onechild {
namespace {

// Lines are read in pieces of this size, so a reader costs 64 KiB however
// large its limit.
constexpr size_t kPiece = size_t{64} << 10;

}  // namespace

LineReader::LineReader(std::istream& in, size_t max_line_bytes)
    : in_(in), buffer_(std::min(max_line_bytes, kPiece) + 1), max_(max_line_bytes) {}

bool LineReader::next(std::string& line) {
  line.clear();
  truncated_ = false;
  if (!in_.good()) return false;
  bool read_any = false;
  for (;;) {
    const size_t room = std::min(buffer_.size(), max_ - line.size() + 1);
    in_.getline(buffer_.data(), static_cast<std::streamsize>(room));
    const auto got = static_cast<size_t>(in_.gcount());
    if (in_.fail() && !in_.eof()) {
      // The piece filled before the line ended: keep it and read on, up to
      // the limit; past the limit, skip the rest of the line.
      line.append(buffer_.data(), got);
      read_any = true;
      in_.clear();
      if (line.size() >= max_) {
        truncated_ = true;
        in_.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
        break;
      }
      continue;
    }
    if (in_.eof()) {
      if (got == 0 && !read_any) return false;  // nothing left
      line.append(buffer_.data(), got);         // the last line had no line break
      break;
    }
    // Not strlen: binary input may hold NUL bytes, which must reach the caller.
    line.append(buffer_.data(), got - 1);  // gcount counted the '\n' getline extracted
    break;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  ++number_;
  return true;
}

}  // namespace onechild
