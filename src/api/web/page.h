// What every web page handler gets (PageContext) and the few ways it
// answers. The router signs the user in, checks the form token on every
// POST, then offers the request to each page module in turn
// (router.cc kPageModules): a module returns std::nullopt for paths that are
// not its own.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "access/audit.h"
#include "access/policy.h"
#include "access/users.h"
#include "api/router.h"
#include "api/web/kit.h"
#include "core/text.h"
#include "programmes/programmes.h"
#include "store/database.h"

namespace onechild::api {

class FeedQualityCache;

// Long-lived things the router owns and pages share (read-only, or
// internally synchronised).
struct WebServices {
  const AccessPolicy& policy;
  WorklistCache& worklists;
  const ProgrammeRules& rules;
  const std::string& config_dir;
  // Data quality's per-feed figures, kept until the store changes (feed_quality.h).
  std::shared_ptr<FeedQualityCache> feed_quality;
};

struct PageContext {
  const HttpRequest& request;
  const std::string& path;   // without the query
  const std::string& query;  // after '?', still encoded
  const User& user;
  const std::string& csrf;  // the session's form token: csrf_field(ctx.csrf)
  Database& db;
  const WebServices& services;

  bool get() const { return request.method == "GET" || request.method == "HEAD"; }
  bool post() const { return request.method == "POST"; }
  const AccessPolicy& policy() const { return services.policy; }
  bool permits(const char* activity) const { return policy().permits(user.role, activity); }
  // The page shell for this user: navigation by role, `active` marked.
  Shell shell(std::string title, std::string active = "") const;
  std::map<std::string, std::string> params() const;  // the query string, decoded
  std::map<std::string, std::string> form() const;    // a POST body, decoded
};

using PageHandler = std::optional<HttpResponse> (*)(PageContext& ctx);

HttpResponse html_page(int status, std::string body);
HttpResponse redirect_to(const std::string& location);
// A page saying what went wrong, in the shell (404, 403, 405, ...).
HttpResponse message_response(const PageContext& ctx, int status, const std::string& title,
                              const std::string& message);
// 403 for a role without `activity`, audited as a refusal.
HttpResponse refuse(const PageContext& ctx, const std::string& title, const std::string& message);

// An audit row for the signed-in user.
AuditEntry audit_of(const User& user, std::string action, std::optional<int64_t> child,
                    std::string detail, std::string outcome = "allowed");

std::string param(const std::map<std::string, std::string>& values, const std::string& name);
// Digits only and at most 18 of them: an id in a path or a form.
std::optional<int64_t> id_of(const std::string& text);

// Fails the request on an error from the store; the router turns the
// exception into a 500 page and a line on stderr.
template <typename T>
T checked(Result<T> result) {
  if (!result.ok()) throw std::runtime_error(result.error().to_string());
  return std::move(result).value();
}
inline void checked(const Status& status) {
  if (!status.ok()) throw std::runtime_error(status.error().to_string());
}

}  // namespace onechild::api
