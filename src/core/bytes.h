// Fixed-width integers and length-prefixed text for the binary files kept
// beside the store (the linkage index snapshot, the population file). The
// integers are written in the machine's order, little-endian on the x86-64
// and arm64 machines onechild runs on; each file's header check refuses one
// written otherwise.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace onechild {

template <typename T>
void put_bytes(std::string& out, T v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

// Text after its length as a Length.
template <typename Length>
void put_text(std::string& out, std::string_view text) {
  put_bytes(out, static_cast<Length>(text.size()));
  out.append(text);
}

// Reads what put_bytes and put_text wrote; every read is checked against
// what is left, so damaged bytes give false, never a read past the end.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : data_(data) {}
  template <typename T>
  bool get(T& v) {
    if (data_.size() < sizeof(T)) return false;
    std::memcpy(&v, data_.data(), sizeof(T));
    data_.remove_prefix(sizeof(T));
    return true;
  }
  // The next n bytes, without a copy.
  bool view(size_t n, std::string_view& out) {
    if (data_.size() < n) return false;
    out = data_.substr(0, n);
    data_.remove_prefix(n);
    return true;
  }
  template <typename Length = uint16_t>
  bool text(std::string& s) {
    Length n = 0;
    std::string_view bytes;
    if (!get(n) || !view(n, bytes)) return false;
    s.assign(bytes);
    return true;
  }
  bool done() const { return data_.empty(); }
  size_t left() const { return data_.size(); }

 private:
  std::string_view data_;
};

}  // namespace onechild
