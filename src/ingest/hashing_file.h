// HashingFile: reads a feed file once, computing its SHA-256 from the bytes
// as the adapters consume them, so provenance costs no second pass over a
// large file.
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <istream>
#include <streambuf>
#include <string>

namespace onechild::ingest {

class HashingFile {
 public:
  explicit HashingFile(const std::string& path);
  bool is_open() const { return buffer_.file.is_open(); }
  std::istream& stream() { return stream_; }
  // Bytes read from the file so far (buffered ahead of the adapter by at most 64 KiB).
  int64_t bytes_read() const { return buffer_.total; }

  // Reads whatever the adapter left unread (so the hash covers the whole
  // file) and returns the SHA-256 as hex.
  std::string sha256();

 private:
  struct Buffer : std::streambuf {
    int_type underflow() override;
    void drain();  // consumes (and so hashes) the rest of the file
    std::ifstream file;
    crypto_hash_sha256_state state{};
    int64_t total = 0;
    std::array<char, 1 << 16> bytes{};
  };

  Buffer buffer_;
  std::istream stream_{&buffer_};
};

}  // namespace onechild::ingest
