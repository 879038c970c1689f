// Worklists as JSON for the web application:
//
//   GET /api/worklists/{kind}[?practice=A81001&as_of=2026-12-02&upcoming=14&limit=200]
//
// kind: hcp, imms, lac, ehcp, transition, rtt or signals. Signed-in users
// whose role does that work (table in worklist_api.cc), and only the
// children they have a legitimate relationship with (access_control.h);
// every list served is audited, every refusal too. Errors: {"error": "..."} with 400, 401, 403,
// 404. The programmes' view of the store is read once and kept until the store changes (a load, a
// link run, a merge).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "access/access_control.h"
#include "access/users.h"
#include "store/database.h"

namespace onechild {
struct Population;
struct ProgrammeRules;
}  // namespace onechild

namespace onechild::api {

struct HttpRequest;
struct HttpResponse;

class WorklistCache {
 public:
  explicit WorklistCache(std::string config_dir);
  ~WorklistCache();

  HttpResponse handle(const HttpRequest& request, const std::string& path, const std::string& query,
                      const std::optional<User>& user, Database& db, const AccessPolicy& policy);

 private:
  std::string config_dir_;
  std::mutex mutex_;  // one build at a time; requests share the result
  std::string version_;
  std::shared_ptr<const ProgrammeRules> rules_;
  std::shared_ptr<Population> population_;
};

}  // namespace onechild::api
