#include "api/router.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "access/users.h"
#include "api/http_util.h"
#include "api/link_api.h"
#include "api/pages.h"
#include "programmes/programmes.h"
#include "record/child_record.h"

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

HttpResponse login(const HttpRequest& request, Database& db) {
  const auto form = parse_form(request.body);
  const auto field = [&](const char* name) {
    auto it = form.find(name);
    return it == form.end() ? std::string() : it->second;
  };
  const std::string username = field("username");
  auto user = authenticate(db, username, field("password"));
  if (!user.ok()) {
    if (user.error().code() != Error::Code::kNotFound) checked(Status(user.error()));
    checked(record_audit(db, {std::nullopt, "login-failed", std::nullopt, username}));
    return html(401, login_page(username, true));
  }
  auto session = checked(create_session(db, *user));
  checked(record_audit(db, {user->id, "login", std::nullopt, ""}));
  HttpResponse r = redirect("/search");
  r.headers.emplace_back("Set-Cookie", session_cookie(session.token, false));
  return r;
}

HttpResponse search(const User& user, const std::string& query, Database& db) {
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
  checked(record_audit(db, {user.id, "search", child, nhs->digits()}));
  if (child) return redirect("/children/" + std::to_string(*child));
  form.not_found = "No child found with NHS number " + nhs->formatted();
  return html(200, search_page(user, form));
}

HttpResponse child_record(const User& user, const std::string& id_text, Database& db) {
  if (id_text.empty() || id_text.size() > 18 ||
      id_text.find_first_not_of("0123456789") != std::string::npos) {
    return html(404,
                message_page(user, "Page not found", "There is no child record at this address."));
  }
  auto record = load_child_record(db, std::stoll(id_text));
  if (!record.ok()) {
    if (record.error().code() == Error::Code::kNotFound) {
      return html(
          404, message_page(user, "Page not found", "There is no child record at this address."));
    }
    checked(Status(record.error()));
  }
  // Every view of a record is audited, before the record is shown.
  checked(record_audit(db, {user.id, "view-record", record->child_id, ""}));
  return html(200, record_page(user, *record));
}

}  // namespace

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
    if (user) checked(record_audit(db, {user->id, "logout", std::nullopt, ""}));
    HttpResponse r = redirect("/login");
    r.headers.emplace_back("Set-Cookie", session_cookie("", true));
    return r;
  }
  if (path == "/" && get) return redirect(user ? "/search" : "/login");
  if (path.rfind("/api/link/", 0) == 0) return link_api(request, path, query, user, db);
  if (path.rfind("/api/worklists/", 0) == 0) {
    return worklists_.handle(request, path, query, user, db);
  }

  const bool known = path == "/search" || path.rfind("/children/", 0) == 0;
  if (!known) return html(404, message_page(user, "Page not found", "Check the web address."));
  if (!get) return html(405, message_page(user, "Method not allowed", "Use the links and forms."));
  if (!user) return redirect("/login");
  if (path == "/search") return search(*user, query, db);
  return child_record(*user, path.substr(10), db);
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
