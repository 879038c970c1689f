#include "ingest/hashing_file.h"

namespace onechild::ingest {

HashingFile::HashingFile(const std::string& path) {
  crypto_hash_sha256_init(&buffer_.state);
  buffer_.file.open(path, std::ios::binary);
  if (!buffer_.file.is_open()) stream_.setstate(std::ios::failbit);
}

HashingFile::Buffer::int_type HashingFile::Buffer::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  file.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  const std::streamsize got = file.gcount();
  if (got <= 0) return traits_type::eof();
  total += got;
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<unsigned long long>(got));
  setg(bytes.data(), bytes.data(), bytes.data() + got);
  return traits_type::to_int_type(*gptr());
}

void HashingFile::Buffer::drain() {
  do {
    setg(egptr(), egptr(), egptr());
  } while (underflow() != traits_type::eof());
}

std::string HashingFile::sha256() {
  buffer_.drain();
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&buffer_.state, digest.data());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return hex.data();
}

}  // namespace onechild::ingest
