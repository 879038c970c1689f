// NhsNumber::parse on arbitrary text: never crashes, and whatever it accepts
// formats and re-parses to the same number with a correct check digit.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/nhs_number.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto nhs = onechild::NhsNumber::parse(text);
  if (!nhs.ok()) return 0;
  const std::string& digits = nhs->digits();
  if (digits.size() != 10) std::abort();
  if (onechild::NhsNumber::check_digit(digits) != digits[9] - '0') std::abort();
  auto again = onechild::NhsNumber::parse(nhs->formatted());
  if (!again.ok() || !(*again == *nhs)) std::abort();
  return 0;
}
