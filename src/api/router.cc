#include "api/router.h"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "access/access_control.h"
#include "access/alerts.h"
#include "access/tokens.h"
#include "access/users.h"
#include "api/http_util.h"
#include "api/link_api.h"
#include "api/pages.h"
#include "api/web/csrf.h"
#include "api/web/feed_quality.h"
#include "api/web/modules.h"
#include "programmes/programmes.h"
#include "record/child_record.h"
#include "record/protection.h"

namespace onechild::api {
namespace {

namespace fs = std::filesystem;

// Only our own assets; no inline script or style, no framing.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

std::string session_cookie(const std::string& token, bool clear) {
  return std::string(kSessionCookie) + "=" + (clear ? "" : token) +
         "; Path=/; HttpOnly; SameSite=Strict" + (clear ? "; Max-Age=0" : "");
}

std::string login_cookie(const std::string& token) {
  return std::string(kLoginCsrfCookie) + "=" + token + "; Path=/login; HttpOnly; SameSite=Strict";
}

HttpResponse login_form(const std::string& username, bool failed) {
  const std::string token = random_csrf_token();
  HttpResponse r = html_page(failed ? 401 : 200, login_page(username, failed, token));
  r.headers.emplace_back("Set-Cookie", login_cookie(token));
  return r;
}

Shell signed_out(std::string title) {
  Shell s;
  s.title = std::move(title);
  return s;
}

}  // namespace

Router::Router(ConnectionPool& pool, std::string web_dir, std::string config_dir,
               std::string reference_dir)
    : pool_(pool),
      web_dir_(std::move(web_dir)),
      config_dir_(config_dir),
      worklists_(config_dir, std::move(reference_dir)) {
  auto policy = AccessPolicy::load(config_dir + "/access.toml");
  if (!policy.ok()) throw std::runtime_error(policy.error().to_string());
  policy_ = std::move(policy).value();
  auto rules = ProgrammeRules::load(config_dir);
  if (!rules.ok()) throw std::runtime_error(rules.error().to_string());
  rules_ = std::make_unique<ProgrammeRules>(std::move(rules).value());
  services_ = std::make_unique<WebServices>(
      WebServices{policy_, worklists_, *rules_, config_dir_, std::make_shared<FeedQualityCache>()});
}

Router::~Router() = default;

void Router::warm() {
  try {
    const auto started = std::chrono::steady_clock::now();
    auto lease = checked(pool_.acquire());
    worklists_.warm(lease.db());
    checked(services_->feed_quality->read(lease.db()));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("onechild: page caches ready (%.1f s)\n", seconds);
    std::fflush(stdout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "onechild serve: warming the page caches failed: %s\n", e.what());
  }
}

HttpResponse Router::login(const HttpRequest& request, Database& db) {
  const auto form = parse_form(request.body);
  const auto field = [&](const char* name) {
    auto it = form.find(name);
    return it == form.end() ? std::string() : it->second;
  };
  const std::string username = field("username");
  auto user = authenticate(db, username, field("password"),
                           {policy_.lockout_failures, policy_.lockout_minutes});
  if (!user.ok()) {
    const auto code = user.error().code();
    if (code != Error::Code::kNotFound && code != Error::Code::kUnauthenticated) {
      checked(Status(user.error()));
    }
    AuditEntry failed{std::nullopt, "login-failed", std::nullopt, user.error().message()};
    failed.username = username;
    failed.outcome = "denied";
    checked(record_audit(db, failed));
    return login_form(username, true);
  }
  auto session = checked(create_session(db, *user, policy_.session_hours));
  checked(record_audit(db, audit_of(*user, "login", std::nullopt, "")));
  HttpResponse r = redirect_to("/");
  r.headers.emplace_back("Set-Cookie", session_cookie(session.token, false));
  return r;
}

// The IG officer's audit search: GET /api/audit?user=&child=&from=&to=&action=&limit=&offset=
// (dates YYYY-MM-DD), newest first, as FHIR AuditEvents in a JSON array,
// with the chain's state. The search itself is audited.
HttpResponse Router::audit_search(const User& user, const std::string& query, Database& db) {
  if (!policy_.permits(user.role, "view-audit")) {
    checked(record_audit(db, audit_of(user, "denied", std::nullopt, "GET /api/audit", "denied")));
    return json_response(403,
                         R"({"error":"only information governance officers search the audit"})");
  }
  const auto params = parse_form(query);
  const auto param = [&](const char* name) {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  };
  AuditQuery q;
  q.user = param("user");
  q.action = param("action");
  for (const auto& [name, out] : {std::pair{"from", &q.from}, std::pair{"to", &q.to}}) {
    if (param(name).empty()) continue;
    auto d = parse_iso_date(param(name));
    if (!d.ok()) return json_response(400, R"({"error":"dates are YYYY-MM-DD"})");
    *out = *d;
  }
  for (const auto& [name, out] : {std::pair{"child", static_cast<int64_t*>(nullptr)},
                                  std::pair{"limit", &q.limit}, std::pair{"offset", &q.offset}}) {
    const std::string text = param(name);
    if (text.empty()) continue;
    const auto number = id_of(text);
    if (!number || (std::string_view(name) == "limit" && (*number < 1 || *number > 1000))) {
      return json_response(400, std::string(R"({"error":")") + name + R"( must be a number"})");
    }
    if (out == nullptr)
      q.child_id = *number;
    else
      *out = *number;
  }
  const auto rows = checked(search_audit(db, q));
  std::string body = R"({"entries":[)";
  for (size_t i = 0; i < rows.size(); ++i) {
    body += (i ? "," : "") + to_fhir_audit_event(rows[i]);
  }
  body += "]}";
  checked(record_audit(db, audit_of(user, "search-audit", q.child_id, "GET /api/audit?" + query)));
  return json_response(200, body);
}

// A social care team's alerts (their local authority's code) or, for the
// IG officer, break-glass alerts.
HttpResponse Router::notifications(const User& user, Database& db) {
  std::string organisation;
  if (policy_.permits(user.role, "review-break-glass")) {
    organisation = "";
  } else if (policy_.permits(user.role, "receive-protection-alerts")) {
    organisation = user.organisation;
  } else {
    checked(record_audit(
        db, audit_of(user, "denied", std::nullopt, "GET /api/notifications", "denied")));
    return json_response(403, R"({"error":"your role receives no notifications"})");
  }
  const auto list = checked(notifications_for(db, organisation, 200));
  boost::json::array out;
  std::vector<int64_t> children;
  for (const auto& n : list) {
    out.push_back({{"id", n.id},
                   {"created_at", n.created_at},
                   {"kind", n.kind},
                   {"child_id", n.child_id ? boost::json::value(*n.child_id) : nullptr},
                   {"user", n.username},
                   {"role", n.role},
                   {"organisation", n.user_organisation},
                   {"detail", boost::json::parse(n.detail)}});
    if (n.child_id) children.push_back(*n.child_id);
  }
  AuditEntry audit = audit_of(user, "view-notifications", std::nullopt, "GET /api/notifications");
  audit.more_children = std::move(children);
  checked(record_audit(db, audit));
  return json_response(200, boost::json::serialize(boost::json::object{{"notifications", out}}));
}

HttpResponse Router::handle(const HttpRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  HttpResponse response;
  try {
    auto lease = checked(pool_.acquire());
    response = route(request, lease.db());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "onechild serve: %s %s failed: %s\n", request.method.c_str(),
                 request.target.c_str(), e.what());
    response = html_page(500, message_page(signed_out("Sorry, there is a problem with the service"),
                                           "Try again later. The problem has been logged."));
  }
  // The server's own time for the request, which browsers' developer tools
  // and bench/web show apart from the network's.
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  char timing[48];
  std::snprintf(timing, sizeof timing, "app;dur=%.2f", ms);
  response.headers.emplace_back("Server-Timing", timing);
  response.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // same-origin, not no-referrer: with no-referrer browsers send "Origin: null"
  // on form posts, which the Origin check above must refuse.
  response.headers.emplace_back("Referrer-Policy", "same-origin");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  if (response.content_type.rfind("text/html", 0) == 0) {
    // Pages carry personal data: never cache them.
    response.headers.emplace_back("Cache-Control", "no-store");
  }
  return response;
}

HttpResponse Router::route(const HttpRequest& request, Database& db) {
  const size_t question = request.target.find('?');
  const std::string path = request.target.substr(0, question);
  const std::string query =
      question == std::string::npos ? "" : request.target.substr(question + 1);
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";

  if (path.rfind("/assets/", 0) == 0 && get) return static_file(path.substr(8));

  // SameSite=Strict already keeps the cookie off cross-site posts; checking
  // Origin as well stops a cross-site form even from an older browser.
  if (post && !request.origin.empty() && request.origin != "http://" + request.host &&
      request.origin != "https://" + request.host) {
    return html_page(403,
                     message_page(signed_out("Forbidden"), "This form came from another site."));
  }

  const auto token = cookie_value(request.cookie, kSessionCookie);
  std::optional<User> user;
  if (token) user = checked(find_session(db, *token));

  if (path == "/login" && get) return user ? redirect_to("/") : login_form("", false);
  if (path == "/login" && post) {
    // Double-submit: the form's token must match the cookie set with the form.
    const auto expected = cookie_value(request.cookie, kLoginCsrfCookie);
    if (!csrf_matches(expected.value_or(""), param(parse_form(request.body), "csrf"))) {
      return login_form(param(parse_form(request.body), "username"), true);
    }
    return login(request, db);
  }
  // Every other form a signed-in user posts carries the session's form token.
  const std::string csrf = token ? csrf_token_for_session(*token) : std::string();
  const bool form_post = post && path.rfind("/api/", 0) != 0 && path.rfind("/fhir/", 0) != 0;
  if (form_post && user && !csrf_matches(csrf, param(parse_form(request.body), "csrf"))) {
    checked(record_audit(db, audit_of(*user, "denied", std::nullopt,
                                      "POST " + path + ": missing or wrong form token", "denied")));
    return html_page(403, message_page(signed_out("Forbidden"),
                                       "This form has expired or came from another site. Go back, "
                                       "reload the page and try again."));
  }
  if (path == "/logout" && post) {
    if (token) checked(end_session(db, *token));
    if (user) checked(record_audit(db, audit_of(*user, "logout", std::nullopt, "")));
    HttpResponse r = redirect_to("/login");
    r.headers.emplace_back("Set-Cookie", session_cookie("", true));
    return r;
  }
  if (path.rfind("/api/link/", 0) == 0) return link_api(request, path, query, user, db);
  if (path.rfind("/api/worklists/", 0) == 0) {
    return worklists_.handle(request, path, query, user, db, policy_);
  }

  // The FHIR R4 API (api/fhir/fhir_api.h): API clients send a bearer token;
  // the web app's own pages may use the session instead.
  if (path == "/fhir/R4" || path.rfind("/fhir/R4/", 0) == 0) {
    Result<Principal> principal = Error::unauthenticated("send 'Authorization: Bearer <token>'");
    if (!request.authorization.empty()) {
      principal = principal_from_bearer(db, request.authorization);
      if (!principal.ok() && principal.error().code() != Error::Code::kUnauthenticated) {
        checked(Status(principal.error()));
      }
    } else if (user) {
      principal = principal_for(*user);
    }
    return fhir_.handle(request, path, query, principal, db);
  }

  if (path == "/api/audit") {
    if (!user) return json_response(401, R"({"error":"sign in first"})");
    if (!get) return json_response(405, R"({"error":"use GET"})");
    return audit_search(*user, query, db);
  }
  if (path == "/api/notifications") {
    if (!user) return json_response(401, R"({"error":"sign in first"})");
    if (!get) return json_response(405, R"({"error":"use GET"})");
    return notifications(*user, db);
  }

  if (!user) return redirect_to("/login");
  PageContext ctx{request, path, query, *user, csrf, db, *services_};
  for (PageHandler module : kPageModules) {
    if (auto response = module(ctx)) return std::move(*response);
  }
  return message_response(ctx, 404, "Page not found", "Check the web address.");
}

std::string Router::default_config_dir() {
  return ProgrammeRules::default_config_dir();
}

HttpResponse Router::static_file(const std::string& relative) const {
  // Assets are plain names under the web directory; anything that could
  // climb out of it is refused before touching the file system.
  if (relative.empty() || relative.find("..") != std::string::npos || relative.front() == '/' ||
      relative.find('\\') != std::string::npos || relative.find('\0') != std::string::npos) {
    return html_page(404, message_page(signed_out("Page not found"), "Check the web address."));
  }
  const fs::path file = fs::path(web_dir_) / relative;
  std::ifstream in(file, std::ios::binary);
  std::error_code ec;
  if (!in || !fs::is_regular_file(file, ec)) {
    return html_page(404, message_page(signed_out("Page not found"), "Check the web address."));
  }
  std::ostringstream body;
  body << in.rdbuf();
  HttpResponse r;
  r.content_type = std::string(content_type_for(relative));
  r.body = body.str();
  r.headers.emplace_back("Cache-Control", "max-age=3600");
  return r;
}

}  // namespace onechild::api
