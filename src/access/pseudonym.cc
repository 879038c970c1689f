#include "access/pseudonym.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace onechild {
namespace {

std::string key_path(const std::string& db_path) {
  if (const char* file = std::getenv("ONECHILD_PSEUDONYM_KEY_FILE"); file && *file) return file;
  return db_path + ".pseudonym-key";
}

// Creates the key file exclusively, so two processes never write two keys.
Status create_key(const std::string& path) {
  std::array<unsigned char, 32> key{};
  randombytes_buf(key.data(), key.size());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return {};  // someone else made it first: read theirs
  const bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  ::close(fd);
  if (!written) return Error::io_error("cannot write the pseudonym key '" + path + "'");
  return {};
}

}  // namespace

Result<Pseudonymiser> Pseudonymiser::for_database(const std::string& db_path) {
  if (sodium_init() < 0) return Error::internal("libsodium failed to initialise");
  const std::string path = key_path(db_path);
  if (Status s = create_key(path); !s.ok()) return s.error();
  std::ifstream in(path, std::ios::binary);
  std::array<unsigned char, 32> key{};
  in.read(reinterpret_cast<char*>(key.data()), key.size());
  if (!in || in.gcount() != static_cast<std::streamsize>(key.size())) {
    return Error::io_error("the pseudonym key '" + path + "' is not 32 bytes");
  }
  return Pseudonymiser(key);
}

std::string Pseudonymiser::pseudonym(int64_t child_id) const {
  const std::string id = std::to_string(child_id);
  std::array<unsigned char, 16> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(id.data()), id.size(), key_.data(),
                     key_.size());
  std::string out(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), digest.data(), digest.size());
  out.pop_back();
  return out;
}

}  // namespace onechild
