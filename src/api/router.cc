#include "api/router.h"

#include <boost/json.hpp>
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

HttpResponse html(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse redirect(const std::string& location) {
  HttpResponse r;
  r.status = 303;
  r.headers.emplace_back("Location", location);
  return r;
}

std::string session_cookie(const std::string& token, bool clear) {
  return std::string(kSessionCookie) + "=" + (clear ? "" : token) +
         "; Path=/; HttpOnly; SameSite=Strict" + (clear ? "; Max-Age=0" : "");
}

// Fails the request on an error from the store; caught in handle().
template <typename T>
T checked(Result<T> result) {
  if (!result.ok()) throw std::runtime_error(result.error().to_string());
  return std::move(result).value();
}

void checked(const Status& status) {
  if (!status.ok()) throw std::runtime_error(status.error().to_string());
}

// A record's id in a path: digits only, and not absurdly long.
std::optional<int64_t> child_id_of(const std::string& text) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(text);
}

AuditEntry audit_of(const User& user, std::string action, std::optional<int64_t> child,
                    std::string detail, std::string outcome = "allowed") {
  AuditEntry e{user.id, std::move(action), child, std::move(detail)};
  e.username = user.username;
  e.role = user.role;
  e.organisation = user.organisation;
  e.outcome = std::move(outcome);
  return e;
}

}  // namespace

Router::Router(ConnectionPool& pool, std::string web_dir, std::string config_dir)
    : pool_(pool), web_dir_(std::move(web_dir)), worklists_(config_dir) {
  auto policy = AccessPolicy::load(config_dir + "/access.toml");
  if (!policy.ok()) throw std::runtime_error(policy.error().to_string());
  policy_ = std::move(policy).value();
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
    return html(401, login_page(username, true));
  }
  auto session = checked(create_session(db, *user, policy_.session_hours));
  checked(record_audit(db, audit_of(*user, "login", std::nullopt, "")));
  HttpResponse r = redirect("/search");
  r.headers.emplace_back("Set-Cookie", session_cookie(session.token, false));
  return r;
}

HttpResponse Router::search(const User& user, const std::string& query, Database& db) {
  if (!policy_.permits(user.role, "search")) {
    checked(record_audit(db, audit_of(user, "denied", std::nullopt, "GET /search", "denied")));
    return html(403, message_page(user, "You cannot search for children",
                                  "Your role sees aggregated or pseudonymised data only."));
  }
  const auto params = parse_form(query);
  const auto it = params.find("nhs_number");
  if (it == params.end()) return html(200, search_page(user, {}));
  SearchForm form{it->second, std::nullopt, std::nullopt};
  auto nhs = NhsNumber::parse(it->second);
  if (!nhs.ok()) {
    form.error = "Enter a valid 10-digit NHS number";
    return html(400, search_page(user, form));
  }
  auto child = checked(find_child_by_nhs_number(db, *nhs));
  checked(record_audit(db, audit_of(user, "search", child, nhs->digits())));
  if (child) return redirect("/children/" + std::to_string(*child));
  form.not_found = "No child found with NHS number " + nhs->formatted();
  return html(200, search_page(user, form));
}

HttpResponse Router::child_record(const User& user, int64_t child_id, Database& db) {
  const Principal principal = principal_for(user);
  auto decision = decide_record_access(db, policy_, principal, child_id);
  if (!decision.ok()) {
    if (decision.error().code() == Error::Code::kNotFound) {
      return html(
          404, message_page(user, "Page not found", "There is no child record at this address."));
    }
    checked(Status(decision.error()));
  }
  const std::string what = "GET /children/" + std::to_string(child_id);
  if (!decision->allowed) {
    // A refusal is audited too: the IG officer sees who tried.
    checked(record_audit(
        db, audit_of(user, "view-record", child_id, what + ": " + decision->reason, "denied")));
    return html(403, refused_page(user, child_id, decision->reason, decision->may_break_glass,
                                  std::nullopt));
  }
  auto record = checked(load_child_record(db, child_id));
  RecordView view;
  view.basis = decision->basis;
  const auto labels = checked(label_record(db, policy_, record));
  view.withheld = apply_sensitivity(policy_, principal, labels, record);
  const RolePolicy* role = policy_.role(user.role);
  if (!role->family) view.flags = checked(protection_flags(db, record, today()));
  if (role->unscheduled_care && !view.flags.empty()) {
    checked(notify_unscheduled_access(db, principal, record.child_id, view.flags));
    view.recent_unscheduled = checked(
        recent_unscheduled_accesses(db, record.child_id, policy_.recent_unscheduled_accesses));
  }
  if (role->family) view.break_glass = checked(break_glass_history(db, record.child_id));
  // Every view of a record is audited, before the record is shown.
  checked(record_audit(db, audit_of(user, "view-record", record.child_id,
                                    what + " (basis: " + decision->basis + ")")));
  return html(200, record_page(user, record, view));
}

HttpResponse Router::break_glass(const HttpRequest& request, const User& user, int64_t child_id,
                                 Database& db) {
  const auto form = parse_form(request.body);
  const auto it = form.find("reason");
  const std::string reason = it == form.end() ? "" : it->second;
  auto granted = onechild::break_glass(db, policy_, principal_for(user), child_id, reason);
  if (!granted.ok()) {
    if (granted.error().code() == Error::Code::kNotFound) {
      return html(
          404, message_page(user, "Page not found", "There is no child record at this address."));
    }
    if (granted.error().code() != Error::Code::kInvalidArgument) checked(Status(granted.error()));
    checked(record_audit(
        db, audit_of(user, "break-glass", child_id, granted.error().message(), "denied")));
    const bool may = policy_.permits(user.role, "break-glass");
    return html(may ? 400 : 403,
                refused_page(user, child_id, "You have no legitimate relationship with this child",
                             may, granted.error().message()));
  }
  return redirect("/children/" + std::to_string(granted->child_id));
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
    const auto number = child_id_of(text);
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
  HttpResponse response;
  try {
    auto lease = checked(pool_.acquire());
    response = route(request, lease.db());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "onechild serve: %s %s failed: %s\n", request.method.c_str(),
                 request.target.c_str(), e.what());
    response = html(500, message_page(std::nullopt, "Sorry, there is a problem with the service",
                                      "Try again later. The problem has been logged."));
  }
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
    return html(403, message_page(std::nullopt, "Forbidden", "This form came from another site."));
  }

  const auto token = cookie_value(request.cookie, kSessionCookie);
  std::optional<User> user;
  if (token) user = checked(find_session(db, *token));

  if (path == "/login" && get) return user ? redirect("/search") : html(200, login_page("", false));
  if (path == "/login" && post) return login(request, db);
  if (path == "/logout" && post) {
    if (token) checked(end_session(db, *token));
    if (user) checked(record_audit(db, audit_of(*user, "logout", std::nullopt, "")));
    HttpResponse r = redirect("/login");
    r.headers.emplace_back("Set-Cookie", session_cookie("", true));
    return r;
  }
  if (path == "/" && get) return redirect(user ? "/search" : "/login");
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

  const bool known = path == "/search" || path.rfind("/children/", 0) == 0;
  if (!known) return html(404, message_page(user, "Page not found", "Check the web address."));
  constexpr std::string_view kBreakGlass = "/break-glass";
  const bool breaking =
      post && path.size() > kBreakGlass.size() &&
      path.compare(path.size() - kBreakGlass.size(), kBreakGlass.size(), kBreakGlass) == 0;
  if (!get && !breaking) {
    return html(405, message_page(user, "Method not allowed", "Use the links and forms."));
  }
  if (!user) return redirect("/login");
  if (path == "/search") return search(*user, query, db);
  const std::string id_text =
      path.substr(10, breaking ? path.size() - 10 - kBreakGlass.size() : std::string::npos);
  const auto child_id = child_id_of(id_text);
  if (!child_id) {
    return html(404,
                message_page(user, "Page not found", "There is no child record at this address."));
  }
  if (breaking) return break_glass(request, *user, *child_id, db);
  return child_record(*user, *child_id, db);
}

std::string Router::default_config_dir() {
  return ProgrammeRules::default_config_dir();
}

HttpResponse Router::static_file(const std::string& relative) const {
  // Assets are plain names under the web directory; anything that could
  // climb out of it is refused before touching the file system.
  if (relative.empty() || relative.find("..") != std::string::npos || relative.front() == '/' ||
      relative.find('\\') != std::string::npos || relative.find('\0') != std::string::npos) {
    return html(404, message_page(std::nullopt, "Page not found", "Check the web address."));
  }
  const fs::path file = fs::path(web_dir_) / relative;
  std::ifstream in(file, std::ios::binary);
  std::error_code ec;
  if (!in || !fs::is_regular_file(file, ec)) {
    return html(404, message_page(std::nullopt, "Page not found", "Check the web address."));
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
