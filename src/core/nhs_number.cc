#include "core/nhs_number.h"

#include <algorithm>

namespace onechild {

int NhsNumber::check_digit(std::string_view first_nine) {
  int sum = 0;
  for (size_t i = 0; i < 9; ++i)
    sum += (first_nine[i] - '0') * static_cast<int>(10 - i);
  const int check = 11 - (sum % 11);
  if (check == 11) return 0;
  if (check == 10) return -1;
  return check;
}

Result<NhsNumber> NhsNumber::parse(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  if (text.empty()) return Error::invalid_argument("NHS number is empty");

  // Separators are allowed only where the standard 3-3-4 grouping puts them,
  // so "94 34765919" is refused rather than silently read.
  std::string digits;
  char separator = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      continue;
    }
    const bool at_group_boundary = digits.size() == 3 || digits.size() == 6;
    const bool is_separator = c == ' ' || c == '-';
    if (!is_separator || !at_group_boundary || (separator != 0 && c != separator) ||
        (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '-'))) {
      return Error::invalid_argument("NHS number contains an unexpected character");
    }
    separator = c;
  }
  if (digits.size() != 10) {
    return Error::invalid_argument("NHS number must have 10 digits, found " +
                                   std::to_string(digits.size()));
  }
  if (std::all_of(digits.begin(), digits.end(), [&](char c) { return c == digits[0]; })) {
    return Error::invalid_argument("NHS number of one repeated digit is not issued");
  }
  const int check = check_digit(digits);
  if (check < 0) return Error::invalid_argument("NHS number cannot be valid (check digit is 10)");
  if (check != digits[9] - '0') return Error::invalid_argument("NHS number check digit is wrong");
  return NhsNumber(std::move(digits));
}

const char* to_string(NhsNumberStatus status) {
  switch (status) {
    case NhsNumberStatus::kValid:
      return "valid";
    case NhsNumberStatus::kInvalid:
      return "invalid";
    case NhsNumberStatus::kMissing:
      break;
  }
  return "missing";
}

NhsNumberStatus NhsNumber::classify(std::string_view text) {
  if (text.find_first_not_of(" \t") == std::string_view::npos) return NhsNumberStatus::kMissing;
  return parse(text).ok() ? NhsNumberStatus::kValid : NhsNumberStatus::kInvalid;
}

std::string NhsNumber::formatted() const {
  return digits_.substr(0, 3) + " " + digits_.substr(3, 3) + " " + digits_.substr(6, 4);
}

}  // namespace onechild
