#include "access/tokens.h"

#include <sodium.h>

#include <array>
#include <sstream>

#include "core/date.h"

namespace onechild {
namespace {

constexpr std::string_view kContexts[] = {"patient", "user", "system"};

std::string hex(const unsigned char* bytes, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, size);
  out.pop_back();
  return out;
}

std::string hash_token(std::string_view token) {
  std::array<unsigned char, crypto_generichash_BYTES> digest{};
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr,
                     0);
  return hex(digest.data(), digest.size());
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string s; in >> s;)
    out.push_back(s);
  return out;
}

// "context/Type.read" with context patient|user|system and Type '*' or a
// resource type name.
bool valid_scope(const std::string& scope) {
  const auto slash = scope.find('/');
  const auto dot = scope.rfind('.');
  if (slash == std::string::npos || dot == std::string::npos || dot < slash) return false;
  const std::string_view context(scope.data(), slash);
  bool known = false;
  for (auto c : kContexts)
    known = known || c == context;
  const std::string type = scope.substr(slash + 1, dot - slash - 1);
  const bool type_ok =
      type == "*" ||
      (!type.empty() && std::isupper(static_cast<unsigned char>(type[0])) &&
       type.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
           std::string::npos);
  return known && type_ok && (scope.substr(dot + 1) == "read" || scope.substr(dot + 1) == "rs");
}

}  // namespace

Result<std::string> issue_token(Database& db, const TokenRequest& request, Clock::time_point now) {
  if (sodium_init() < 0) return Error::internal("libsodium failed to initialise");
  if (request.client_name.empty()) return Error::invalid_argument("the client needs a name");
  const auto scopes = split(request.scopes);
  if (scopes.empty()) return Error::invalid_argument("give at least one scope");
  bool patient = false;
  for (const auto& s : scopes) {
    if (!valid_scope(s)) {
      return Error::invalid_argument("unknown scope '" + s +
                                     "' (use patient/*.read, user/*.read or system/*.read)");
    }
    patient = patient || s.rfind("patient/", 0) == 0;
  }
  if (patient && !request.child_id) {
    return Error::invalid_argument("a patient/ scope needs the child the token is for");
  }
  if (!patient && request.child_id) {
    return Error::invalid_argument("only patient/ scopes are for one child");
  }
  if (request.hours_valid <= 0 || request.hours_valid > 24 * 366) {
    return Error::invalid_argument("a token is valid for 1 hour to 1 year");
  }
  auto user = db.prepare("SELECT id FROM users WHERE username = ?1");
  if (!user.ok()) return user.error();
  user->bind(1, request.username);
  auto row = user->step();
  if (!row.ok()) return row.error();
  if (!*row) return Error::not_found("no user '" + request.username + "'");
  const int64_t user_id = user->column_int64(0);

  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string token = hex(bytes.data(), bytes.size());
  auto stmt = db.prepare(
      "INSERT INTO api_clients (name, token_hash, scopes, user_id, child_id, created_at, "
      "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, request.client_name)
      .bind(2, hash_token(token))
      .bind(3, request.scopes)
      .bind(4, user_id)
      .bind(6, format_iso_timestamp(now))
      .bind(7, format_iso_timestamp(now + std::chrono::hours(request.hours_valid)));
  if (request.child_id)
    stmt->bind(5, *request.child_id);
  else
    stmt->bind_null(5);
  if (Status s = stmt->run(); !s.ok()) return s.error();
  return token;
}

Result<Principal> principal_from_bearer(Database& db, std::string_view authorization,
                                        Clock::time_point now) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.empty()) return Error::unauthenticated("no bearer token");
  if (authorization.size() <= kBearer.size() ||
      authorization.substr(0, kBearer.size()) != kBearer) {
    return Error::unauthenticated("the Authorization header is not 'Bearer <token>'");
  }
  const std::string_view token = authorization.substr(kBearer.size());
  if (token.size() != 64 || token.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Error::unauthenticated("the token is not one this server issued");
  }
  if (sodium_init() < 0) return Error::internal("libsodium failed to initialise");
  auto stmt = db.prepare(R"sql(
    SELECT c.scopes, c.child_id, c.expires_at, c.revoked, u.id, u.username, u.role, u.organisation
    FROM api_clients c JOIN users u ON u.id = c.user_id WHERE c.token_hash = ?1)sql");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, hash_token(token));
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return Error::unauthenticated("the token is not one this server issued");
  if (stmt->column_int64(3) != 0) return Error::unauthenticated("the token has been revoked");
  if (stmt->column_text(2) <= format_iso_timestamp(now))
    return Error::unauthenticated("the token has expired");
  Principal p;
  p.scopes = split(stmt->column_text(0));
  if (!stmt->column_is_null(1)) p.token_child = stmt->column_int64(1);
  p.user_id = stmt->column_int64(4);
  p.username = stmt->column_text(5);
  p.role = stmt->column_text(6);
  p.organisation = stmt->column_text(7);
  p.via = Principal::Via::kUserToken;
  for (const auto& s : p.scopes) {
    if (s.rfind("patient/", 0) == 0) p.via = Principal::Via::kPatientToken;
  }
  if (p.via != Principal::Via::kPatientToken) {
    for (const auto& s : p.scopes) {
      if (s.rfind("system/", 0) == 0) p.via = Principal::Via::kSystemToken;
    }
  }
  if (p.via == Principal::Via::kSystemToken) p.purpose = "secondary-use";
  return p;
}

bool scope_allows_read(const Principal& principal, std::string_view resource_type) {
  if (principal.via == Principal::Via::kSession) return true;
  for (const auto& s : principal.scopes) {
    const auto slash = s.find('/');
    const auto dot = s.rfind('.');
    const std::string_view type(s.data() + slash + 1, dot - slash - 1);
    if (type == "*" || type == resource_type) return true;
  }
  return false;
}

Status revoke_token(Database& db, std::string_view client_name) {
  auto stmt = db.prepare("UPDATE api_clients SET revoked = 1 WHERE name = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, client_name);
  if (Status s = stmt->run(); !s.ok()) return s;
  if (db.changes() == 0) {
    return Error::not_found("no API client '" + std::string(client_name) + "'");
  }
  return {};
}

}  // namespace onechild
