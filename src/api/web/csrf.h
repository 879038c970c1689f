// Cross-site request forgery protection for forms. A signed-in user's form
// token is derived from their session token (BLAKE2b under a fixed
// personalisation), so it needs no storage, changes with every session and
// cannot be computed without the HttpOnly cookie. The login form, which has
// no session yet, uses a random token in a cookie of its own
// (double-submit).
#pragma once

#include <string>
#include <string_view>

namespace onechild::api {

inline constexpr const char* kLoginCsrfCookie = "onechild_login";

std::string csrf_token_for_session(std::string_view session_token);
std::string random_csrf_token();
// Constant time, and false when either is empty.
bool csrf_matches(std::string_view expected, std::string_view given);

}  // namespace onechild::api
