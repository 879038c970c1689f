// The web layer's parsers of untrusted text (form bodies, query strings,
// Cookie headers): never crash, and decoding what was encoded round-trips.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "api/http_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onechild::api;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto& [key, value] : parse_form(text)) {
    if (key.empty()) std::abort();
    if (url_decode(url_encode(value)) != value) std::abort();
  }
  (void)cookie_value(text, "onechild_session");
  const std::string escaped = html_escape(text);
  if (escaped.find_first_of("<>\"'") != std::string::npos) std::abort();
  return 0;
}
