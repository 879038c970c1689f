// Router: turns one HTTP request into one response. Independent of the
// socket layer (server.cc), so every route can be tested without a network.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api/connection_pool.h"
#include "api/worklist_api.h"

namespace onechild::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, e.g. "/search?nhs_number=943..."
  std::string cookie;  // the Cookie header
  std::string origin;  // the Origin header, when the browser sent one
  std::string host;    // the Host header
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Location, Set-Cookie)
};

class Router {
 public:
  Router(ConnectionPool& pool, std::string web_dir, std::string config_dir = default_config_dir())
      : pool_(pool), web_dir_(std::move(web_dir)), worklists_(std::move(config_dir)) {}

  // Never throws; an internal failure becomes a 500 page and a line on stderr.
  HttpResponse handle(const HttpRequest& request);

 private:
  HttpResponse route(const HttpRequest& request, Database& db);
  HttpResponse static_file(const std::string& path) const;

  static std::string default_config_dir();

  ConnectionPool& pool_;
  std::string web_dir_;
  WorklistCache worklists_;
};

inline constexpr const char* kSessionCookie = "onechild_session";

}  // namespace onechild::api
