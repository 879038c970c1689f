// Local user accounts, web sessions and the audit log.
//
// Passwords are stored as Argon2id hashes (libsodium's crypto_pwhash_str).
// A session token is 32 random bytes given to the browser once; the store
// keeps only its BLAKE2b hash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/database.h"

namespace onechild {

struct User {
  int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string role;  // e.g. "health-visitor"
};

// Creates a user. Fails if the username is taken or the password is shorter
// than 12 characters.
Result<User> add_user(Database& db, std::string_view username, std::string_view display_name,
                      std::string_view role, std::string_view password);

// The user when username and password match; NotFound otherwise (the same
// error for an unknown user and a wrong password, so neither is revealed).
Result<User> authenticate(Database& db, std::string_view username, std::string_view password);

// A fresh random password for generated accounts such as the demo login.
std::string generate_password();

struct Session {
  std::string token;  // for the cookie; not stored
  User user;
};

Result<Session> create_session(Database& db, const User& user, int hours_valid = 8);
// The session's user when the token is known and not expired.
Result<std::optional<User>> find_session(Database& db, std::string_view token);
Status end_session(Database& db, std::string_view token);

struct AuditEntry {
  std::optional<int64_t> user_id;
  std::string action;  // "login", "login-failed", "search", "view-record", "logout"
  std::optional<int64_t> child_id;
  std::string detail;
};

Status record_audit(Database& db, const AuditEntry& entry);

}  // namespace onechild
