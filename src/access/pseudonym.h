// Pseudonyms for secondary use: a keyed BLAKE2b hash of the child id, so an
// analyst's extracts can be joined with each other but not turned back into
// a child without the key. The key is 32 random bytes kept outside the
// repository and outside the database: in the file named by
// ONECHILD_PSEUDONYM_KEY_FILE, else "<database>.pseudonym-key" (created
// with mode 0600 on first use). Losing it changes every pseudonym.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/error.h"

namespace onechild {

class Pseudonymiser {
 public:
  // Reads the key for the database at db_path, creating it if absent.
  static Result<Pseudonymiser> for_database(const std::string& db_path);
  static Pseudonymiser with_key(const std::array<unsigned char, 32>& key) {
    return Pseudonymiser(key);
  }

  // 32 hex characters; the same child always gets the same pseudonym.
  std::string pseudonym(int64_t child_id) const;

 private:
  explicit Pseudonymiser(const std::array<unsigned char, 32>& key) : key_(key) {}
  std::array<unsigned char, 32> key_;
};

}  // namespace onechild
