// Small pure helpers for HTTP and HTML, kept apart from the server so they
// can be tested alone.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/text.h"

namespace onechild::api {

using onechild::html_escape;  // core/text.h

// Decodes application/x-www-form-urlencoded text ('+' is a space, %XX a
// byte). Returns nullopt on a malformed escape rather than guessing.
std::optional<std::string> url_decode(std::string_view text);

// Percent-encodes a value for a URL query string.
std::string url_encode(std::string_view text);

// "a=1&b=two+words" -> {a: "1", b: "two words"}. Malformed pairs are dropped;
// a repeated key keeps its first value.
std::map<std::string, std::string> parse_form(std::string_view text);

// The value of one cookie from a Cookie header ("a=1; onechild_session=xyz").
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

struct HttpResponse;
// A JSON response that is never cached (person-level data), and a JSON error
// {"error": message}, for the JSON APIs.
HttpResponse json_response(int status, const std::string& body);
HttpResponse json_error(int status, const std::string& message);

// Content type for a static file, by extension.
std::string_view content_type_for(std::string_view path);

}  // namespace onechild::api
