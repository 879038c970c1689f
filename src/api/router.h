// Router: turns one HTTP request into one response. Independent of the
// socket layer (server.cc), so every route can be tested without a network.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "access/policy.h"
#include "api/connection_pool.h"
#include "api/fhir/fhir_api.h"
#include "api/worklist_api.h"

namespace onechild {
struct ProgrammeRules;
}

namespace onechild::api {

struct WebServices;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, e.g. "/search?nhs_number=943..."
  std::string cookie;  // the Cookie header
  std::string origin;  // the Origin header, when the browser sent one
  std::string host;    // the Host header
  std::string body;
  // Initialised, so a request written {method, target, cookie, origin, host,
  // body} (the tests) leaves them empty without a warning.
  std::string authorization{};  // "Bearer <token>" for API clients
  std::string prefer{};         // "respond-async" for a Bulk Data kick-off
  std::string if_none_match{};  // a FHIR client's cached ETag
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Location, Set-Cookie)
};

class Router {
 public:
  // Throws std::runtime_error when config_dir/access.toml cannot be read:
  // serve() loads it first, so a bad policy is a clear error at start-up.
  // reference_dir: the ICS's area reference (geography, postcodes,
  // organisations) for case-finding deprivation; "" when not known.
  Router(ConnectionPool& pool, std::string web_dir, std::string config_dir = default_config_dir(),
         std::string reference_dir = "");
  ~Router();

  // Builds the caches the pages read (today's worklists and case-finding,
  // the data quality figures) so no user waits for them. Never throws: a
  // failure is a line on stderr, and the pages build them when asked.
  void warm();

  static std::string default_config_dir();

  // Never throws; an internal failure becomes a 500 page and a line on stderr.
  HttpResponse handle(const HttpRequest& request);

 private:
  HttpResponse route(const HttpRequest& request, Database& db);
  HttpResponse static_file(const std::string& path) const;
  HttpResponse login(const HttpRequest& request, Database& db);
  HttpResponse notifications(const User& user, Database& db);
  HttpResponse audit_search(const User& user, const std::string& query, Database& db);

  ConnectionPool& pool_;
  std::string web_dir_;
  std::string config_dir_;
  AccessPolicy policy_;
  WorklistCache worklists_;
  std::unique_ptr<ProgrammeRules> rules_;
  std::unique_ptr<WebServices> services_;  // what the page modules share (api/web/page.h)
  fhir::FhirApi fhir_{policy_};            // /fhir/R4; reads policy_ at each request
};

inline constexpr const char* kSessionCookie = "onechild_session";

}  // namespace onechild::api
