// Local user accounts and web sessions (the audit log is access/audit.h).
//
// Passwords are stored as Argon2id hashes (libsodium's crypto_pwhash_str).
// A session token is 32 random bytes given to the browser once; the store
// keeps only its BLAKE2b hash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "access/audit.h"  // AuditEntry, record_audit: callers include users.h
#include "core/error.h"
#include "store/database.h"

namespace onechild {

struct User {
  int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string role;          // e.g. "health-visitor"
  std::string organisation;  // ODS or LA code of the user's team ('' when none)
};

// Creates a user. Fails if the username is taken or the password is shorter
// than 12 characters.
Result<User> add_user(Database& db, std::string_view username, std::string_view display_name,
                      std::string_view role, std::string_view password,
                      std::string_view organisation = "");

// Repeated failures lock the account for a while (config/access.toml [clocks]).
struct LoginRules {
  int lockout_failures = 5;
  int lockout_minutes = 30;
};

// The user when username and password match; NotFound otherwise (the same
// error for an unknown user and a wrong password, so neither is revealed);
// Unauthenticated when the account is locked.
Result<User> authenticate(Database& db, std::string_view username, std::string_view password,
                          const LoginRules& rules = {});

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

}  // namespace onechild
