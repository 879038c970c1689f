// Bearer tokens for API clients, with SMART-on-FHIR-style scopes:
//   patient/*.read   one child's record (the token names the child)
//   user/*.read      whatever the token's user may read
//   system/*.read    a back-end system: bulk export at the user's rights
// A resource type may replace '*' (user/Immunization.read). Only reads are
// granted: the API writes nothing. Tokens are 32 random bytes, shown once;
// the store keeps their BLAKE2b hash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "access/access_control.h"
#include "core/error.h"
#include "store/database.h"

namespace onechild {

struct TokenRequest {
  std::string client_name;
  std::string username;             // whose rights the token carries
  std::string scopes;               // space separated
  std::optional<int64_t> child_id;  // required for patient/ scopes
  int hours_valid = 24;
};

// The token, to give to the client once. Refuses unknown scopes, a patient/
// scope without a child, and a child for other scopes.
Result<std::string> issue_token(Database& db, const TokenRequest& request,
                                Clock::time_point now = Clock::now());

// The principal for "Bearer <token>". Error::unauthenticated, with the
// reason, for a missing, malformed, unknown, revoked or expired token.
Result<Principal> principal_from_bearer(Database& db, std::string_view authorization,
                                        Clock::time_point now = Clock::now());

// Whether the principal's scopes let it read resource_type ("Patient").
// Session principals (the web app) have no scopes and may read any type.
bool scope_allows_read(const Principal& principal, std::string_view resource_type);

Status revoke_token(Database& db, std::string_view client_name);

}  // namespace onechild
