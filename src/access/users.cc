#include "access/users.h"

#include <sodium.h>

#include <array>

#include "core/date.h"

namespace onechild {
namespace {

constexpr size_t kMinPasswordLength = 12;

bool sodium_ready() {
  // sodium_init is idempotent and thread-safe; it returns 1 when already done.
  return sodium_init() >= 0;
}

std::string to_hex(const unsigned char* bytes, size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();
  return hex;
}

std::string hash_token(std::string_view token) {
  std::array<unsigned char, crypto_generichash_BYTES> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr,
                     0);
  return to_hex(digest.data(), digest.size());
}

std::string timestamp_in_minutes(int minutes) {
  return format_iso_timestamp(
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) +
      std::chrono::minutes(minutes));
}

Result<User> read_user(Statement& stmt) {
  auto row = stmt.step();
  if (!row.ok()) return row.error();
  if (!*row) return Error::not_found("no such user");
  return User{stmt.column_int64(0), stmt.column_text(1), stmt.column_text(2), stmt.column_text(3),
              stmt.column_text(4)};
}

}  // namespace

Result<User> add_user(Database& db, std::string_view username, std::string_view display_name,
                      std::string_view role, std::string_view password,
                      std::string_view organisation) {
  if (!sodium_ready()) return Error::internal("libsodium failed to initialise");
  if (username.empty()) return Error::invalid_argument("username is empty");
  if (password.size() < kMinPasswordLength) {
    return Error::invalid_argument("password must be at least " +
                                   std::to_string(kMinPasswordLength) + " characters");
  }
  std::array<char, crypto_pwhash_STRBYTES> hash{};
  if (crypto_pwhash_str_alg(hash.data(), password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error::internal("out of memory hashing the password");
  }
  auto exists = db.prepare("SELECT 1 FROM users WHERE username = ?1");
  if (!exists.ok()) return exists.error();
  exists->bind(1, username);
  auto taken = exists->step();
  if (!taken.ok()) return taken.error();
  if (*taken) return Error::invalid_argument("user '" + std::string(username) + "' already exists");

  auto stmt = db.prepare(
      "INSERT INTO users (username, display_name, role, password_hash, created_at, organisation) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, username)
      .bind(2, display_name)
      .bind(3, role)
      .bind(4, hash.data())
      .bind(5, timestamp_now())
      .bind(6, organisation);
  if (Status s = stmt->run(); !s.ok()) return s.error();
  return User{db.last_insert_id(), std::string(username), std::string(display_name),
              std::string(role), std::string(organisation)};
}

Result<User> authenticate(Database& db, std::string_view username, std::string_view password,
                          const LoginRules& rules) {
  if (!sodium_ready()) return Error::internal("libsodium failed to initialise");
  auto stmt = db.prepare(
      "SELECT id, username, display_name, role, organisation, password_hash, failed_logins, "
      "coalesce(locked_until, '') FROM users WHERE username = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, username);
  auto user = read_user(*stmt);
  if (!user.ok()) {
    if (user.error().code() == Error::Code::kNotFound) {
      return Error::not_found("unknown username or wrong password");
    }
    return user.error();
  }
  const std::string stored = stmt->column_text(5);
  const int64_t failures = stmt->column_int64(6);
  const std::string locked_until = stmt->column_text(7);
  const std::string now = timestamp_now();
  // While locked, even the right password is refused, so guessing gains nothing.
  if (!locked_until.empty() && locked_until > now) {
    return Error::unauthenticated(
        "this account is locked after repeated failed logins; try again "
        "later or ask an administrator");
  }
  const bool right =
      crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
  auto update = db.prepare("UPDATE users SET failed_logins = ?2, locked_until = ?3 WHERE id = ?1");
  if (!update.ok()) return update.error();
  const int64_t next = right ? 0 : failures + 1;
  update->bind(1, user->id).bind(2, next);
  if (!right && next >= rules.lockout_failures) {
    update->bind(2, int64_t{0}).bind(3, timestamp_in_minutes(rules.lockout_minutes));
  } else {
    update->bind_null(3);
  }
  if (Status s = update->run(); !s.ok()) return s.error();
  if (!right && next >= rules.lockout_failures) {
    return Error::unauthenticated("this account is now locked after " +
                                  std::to_string(rules.lockout_failures) +
                                  " failed logins; try again later or ask an administrator");
  }
  if (!right) return Error::not_found("unknown username or wrong password");
  return user;
}

std::string generate_password() {
  // 15 random bytes -> 20 characters of URL-safe base64: ~120 bits.
  (void)sodium_ready();
  std::array<unsigned char, 15> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, 32> text{};
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return text.data();
}

Result<Session> create_session(Database& db, const User& user, int hours_valid) {
  if (!sodium_ready()) return Error::internal("libsodium failed to initialise");
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string token = to_hex(bytes.data(), bytes.size());
  auto stmt = db.prepare(
      "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, hash_token(token))
      .bind(2, user.id)
      .bind(3, timestamp_now())
      .bind(4, timestamp_in_minutes(hours_valid * 60));
  if (Status s = stmt->run(); !s.ok()) return s.error();
  return Session{std::move(token), user};
}

Result<std::optional<User>> find_session(Database& db, std::string_view token) {
  if (!sodium_ready()) return Error::internal("libsodium failed to initialise");
  // ISO 8601 UTC timestamps of one fixed width compare correctly as text.
  auto stmt = db.prepare(R"sql(
    SELECT u.id, u.username, u.display_name, u.role, u.organisation
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = ?1 AND s.expires_at > ?2)sql");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, hash_token(token)).bind(2, timestamp_now());
  auto user = read_user(*stmt);
  if (user.ok()) return std::optional<User>(std::move(user).value());
  if (user.error().code() == Error::Code::kNotFound) return std::optional<User>{};
  return user.error();
}

Status end_session(Database& db, std::string_view token) {
  auto stmt = db.prepare("DELETE FROM sessions WHERE token_hash = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, hash_token(token));
  return stmt->run();
}

}  // namespace onechild
