// The TOML mapping parser on arbitrary text: a mapping or an error naming
// what is wrong, never a crash or an exception escaping.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/csv/mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto mapping = onechild::ingest::Mapping::parse(text, "fuzz.toml");
  if (!mapping.ok() && mapping.error().message().empty()) std::abort();
  if (mapping.ok()) {
    (void)mapping->matches("x.csv");
    (void)mapping->bind({"a", "b", "c"}, std::chrono::year_month_day{});
  }
  return 0;
}
