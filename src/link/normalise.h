// Normalisation of the fields probabilistic linkage compares: names, postcodes, sex and the NHS
// number. Feeds record the same child as "O'Brien, Zoë-Jane" in one system and "OBRIEN ZOE JANE"
// in another; linkage must see both the same way before it scores them, and must never crash on
// what a feed sends.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace onechild::linkage {

// A name as linkage compares it: UTF-8 in; lowercase ASCII out. Accented Latin letters
// (U+00C0..U+025F and U+1E00..U+1EFF: é->e, ł->l, ß->ss, æ->ae, ø->o, œ->oe, þ->th, đ->d, ọ->o,
// ...) folded; apostrophes and similar (' ’ ‘ ` ´ ʼ) removed so "O'Brien" -> "obrien"; hyphens,
// dots, commas and every other non-letter (digits, controls, punctuation, Unicode spaces and
// dashes) become a space; runs of spaces collapsed; trimmed. Unknown non-ASCII characters
// (other scripts, combining marks, zero-width characters) are dropped. Titles are NOT removed.
// Invalid UTF-8 bytes are dropped, never crash.
std::string fold_name(std::string_view utf8);

// The space-separated parts of a folded name: "smith jones" -> {"smith","jones"}. The views
// point into `folded`.
std::vector<std::string_view> name_parts(std::string_view folded);

// A UK postcode, normalised, with its coarser parts.
struct Postcode {
  std::string full;      // "LS1 4AP"
  std::string sector;    // "LS1 4"
  std::string district;  // "LS1" (the outward code)
  std::string area;      // "LS"

  friend bool operator==(const Postcode&, const Postcode&) = default;
};

// Accepts any case and spacing ("ls14ap", " LS1  4AP ") in the standard formats A9 9AA,
// A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA (also GIR 0AA). Anything else -> nullopt.
// Only the shape is checked, not the per-position letter rules, which newer districts break
// (N1C, E20).
std::optional<Postcode> parse_postcode(std::string_view text);

// Sex as feeds record it: "male","m","1" (NHS Data Dictionary Person Stated Gender code 1) -> 'M';
// "female","f","2" -> 'F'; case-insensitive, surrounding blanks ignored. Everything else
// ("unknown", "0", "9", "other", "indeterminate", blank) -> nullopt, i.e. unknown to linkage.
std::optional<char> normalise_sex(std::string_view text);

// What an NHS number gives linkage. kTestRange: valid check digit but in the range NHS England
// reserves for testing (999 000 0000 to 999 999 9999) -- reported separately because live feeds
// should never carry one; synthetic data always does.
enum class NhsNumberUse { kValid, kTestRange, kInvalid, kMissing };

// Blank is kMissing; a number onechild::NhsNumber::parse accepts is kValid or kTestRange;
// anything else is kInvalid.
NhsNumberUse classify_nhs_number(std::string_view recorded);

const char* to_string(NhsNumberUse use);  // "valid" | "test-range" | "invalid" | "missing"

}  // namespace onechild::linkage
