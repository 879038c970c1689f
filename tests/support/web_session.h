// Signing in to the web application as a browser does, for router tests:
// GET /login for the form token and its cookie, then POST the form.
#pragma once

#include <string>

#include "api/router.h"

namespace onechild::testing {

inline std::string header_of(const api::HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

// The value of the first `name="csrf"` field in a page ('' when none).
inline std::string csrf_of(const std::string& html) {
  const std::string marker = R"(name="csrf" value=")";
  const size_t at = html.find(marker);
  if (at == std::string::npos) return "";
  const size_t start = at + marker.size();
  return html.substr(start, html.find('"', start) - start);
}

// POST /login with the form's token; origin "" sends no Origin header.
inline api::HttpResponse post_login(api::Router& router, const std::string& username,
                                    const std::string& password,
                                    const std::string& origin = "http://localhost") {
  const auto form = router.handle({"GET", "/login", "", "", "localhost", ""});
  const std::string cookie = header_of(form, "Set-Cookie");
  std::string body = "username=" + username + "&password=";
  for (char c : password)
    body += c == ' ' ? '+' : c;
  body += "&csrf=" + csrf_of(form.body);
  return router.handle(
      {"POST", "/login", cookie.substr(0, cookie.find(';')), origin, "localhost", body});
}

// "onechild_session=..." from a successful login ('' when none).
inline std::string session_cookie_of(const api::HttpResponse& r) {
  const std::string cookie = header_of(r, "Set-Cookie");
  return cookie.rfind(api::kSessionCookie, 0) == 0 ? cookie.substr(0, cookie.find(';')) : "";
}

// The signed-in user's form token, read from their home page.
inline std::string form_token(api::Router& router, const std::string& cookie) {
  return csrf_of(router.handle({"GET", "/", cookie, "", "localhost", ""}).body);
}

}  // namespace onechild::testing
