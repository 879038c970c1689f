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

// What a feed's NHS number field held, and whether it is usable. A number
// that fails the check is kept as recorded and flagged, never dropped: a
// data manager can see it and linkage can still use the rest of the record.
enum class NhsNumberStatus { kValid, kInvalid, kMissing };

const char* to_string(NhsNumberStatus status);  // "valid" | "invalid" | "missing"

class NhsNumber {
 public:
  // Accepts ten digits, optionally grouped 3-3-4 with spaces or dashes
  // ("943 476 5919", "943-476-5919"). Leading/trailing blanks are ignored.
  static Result<NhsNumber> parse(std::string_view text);

  // The check digit for the first nine digits, or -1 when it would be 10
  // (no valid number starts with those nine digits).
  static int check_digit(std::string_view first_nine);

  // Classifies a recorded value: blank is kMissing; one that parses is kValid;
  // anything else (wrong check digit, wrong length, letters) is kInvalid.
  static NhsNumberStatus classify(std::string_view text);

  const std::string& digits() const { return digits_; }  // "9434765919"
  std::string formatted() const;                         // "943 476 5919"

  friend bool operator==(const NhsNumber&, const NhsNumber&) = default;

 private:
  explicit NhsNumber(std::string digits) : digits_(std::move(digits)) {}
  std::string digits_;
};

}  // namespace onechild
