#include "api/web/csrf.h"

#include <sodium.h>

#include <array>

#include "core/text.h"

namespace onechild::api {
namespace {

std::string hex_of(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

}  // namespace

std::string csrf_token_for_session(std::string_view session_token) {
  // A keyed hash with a purpose-specific key: the token reveals nothing about
  // the session token, and is useless for anything but this check.
  static constexpr unsigned char kKey[] = "onechild form token v1 (csrf)";
  std::array<unsigned char, 32> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(session_token.data()),
                     session_token.size(), kKey, sizeof kKey - 1);
  return hex_of(digest.data(), digest.size());
}

std::string random_csrf_token() {
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return hex_of(bytes.data(), bytes.size());
}

bool csrf_matches(std::string_view expected, std::string_view given) {
  if (expected.empty() || expected.size() != given.size()) return false;
  return sodium_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

}  // namespace onechild::api
