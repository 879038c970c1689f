// The master child index's JSON API for data managers (the review page in
// the web application will call it):
//
//   GET  /api/link/review[?status=open&limit=50&offset=0]   the queue, with evidence
//   GET  /api/link/review/{id}                               one item
//   POST /api/link/review/{id}/decision   {"decision": "same"|"different", "reason": "..."}
//   POST /api/link/children/{id}/merge    {"into": 12, "reason": "..."}
//   POST /api/link/children/{id}/unmerge  {"records": [345, 678], "reason": "..."}
//   GET  /api/link/children/{id}/history
//
// Signed-in users with the data-manager role only; every read and decision
// is audited. Errors are JSON too: {"error": "..."} with 400, 401, 403 or 404.
#pragma once

#include <optional>
#include <string>

#include "access/users.h"
#include "api/router.h"
#include "store/database.h"

namespace onechild::api {

inline constexpr const char* kDataManagerRole = "data-manager";

// Handles a request whose path starts /api/link/.
HttpResponse link_api(const HttpRequest& request, const std::string& path, const std::string& query,
                      const std::optional<User>& user, Database& db);

}  // namespace onechild::api
