// NhsNumber: the ten-digit identifier the NHS gives every person.
//
// Validated with the Modulus 11 check digit as defined in the NHS Data
// Dictionary ("NHS Number"): multiply digits 1-9 by weights 10..2, sum, take
// 11 - (sum mod 11); 11 means 0 and 10 means the number is invalid. Numbers of
// one repeated digit pass the arithmetic but are never issued, so they are
// rejected too.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace onechild {

class NhsNumber {
 public:
  // Accepts ten digits, optionally grouped 3-3-4 with spaces or dashes
  // ("943 476 5919", "943-476-5919"). Leading/trailing blanks are ignored.
  static Result<NhsNumber> parse(std::string_view text);

  // The check digit for the first nine digits, or -1 when it would be 10
  // (no valid number starts with those nine digits).
  static int check_digit(std::string_view first_nine);

  const std::string& digits() const { return digits_; }  // "9434765919"
  std::string formatted() const;                         // "943 476 5919"

  friend bool operator==(const NhsNumber&, const NhsNumber&) = default;

 private:
  explicit NhsNumber(std::string digits) : digits_(std::move(digits)) {}
  std::string digits_;
};

}  // namespace onechild
