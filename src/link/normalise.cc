#include "link/normalise.h"

#include <array>
#include <cstdint>

#include "core/nhs_number.h"
#include "core/text.h"

namespace onechild::linkage {
namespace {

constexpr char32_t kInvalidByte = 0xFFFFFFFF;
constexpr std::string_view kSpace = " ";
constexpr std::string_view kLetters = "abcdefghijklmnopqrstuvwxyz";

// Latin letters folded to ASCII, one character per code point: a letter; ' ' for a non-letter
// (× ÷), which separates name parts; '.' for a letter with no sensible ASCII form, dropped; '*'
// for a letter that folds to two (see fold_ligature). Generated from the Unicode 14 NFKD
// decompositions and character names, then checked by hand (ð->d, ĸ->k, ə->e).
constexpr char32_t kLatinFirst = 0x00C0;  // through U+025F: Latin-1, Extended-A and -B, ɓ ɗ ə
constexpr std::string_view kLatin =
    "aaaaaa*ceeeeiiiidnooooo ouuuuy**"   // U+00C0
    "aaaaaa*ceeeeiiiidnooooo ouuuuy*y"   // U+00E0
    "aaaaaaccccccccddddeeeeeeeeeegggg"   // U+0100
    "gggghhhhiiiiiiiiii**jjkkklllllll"   // U+0120
    "lllnnnnnnn**oooooo**rrrrrrssssss"   // U+0140
    "ssttttttuuuuuuuuuuuuwwyyyzzzzzzs"   // U+0160
    "bbbb..occdddd.eeeffg...ikkl.mnno"   // U+0180
    "oo..pp.....ttttuu.vyyzz........."   // U+01A0
    "....*********aaiioouuuuuuuuuueaa"   // U+01C0
    "aa**ggggkkoooo..j***gg..nnaa**oo"   // U+01E0
    "aaaaeeeeiiiioooorrrruuuusstt..hh"   // U+0200
    "nd..zzaaeeooooooooyylntj..acclts"   // U+0220
    "z..buveejj.qrryya..bocddee.e...j";  // U+0240
// Latin Extended Additional: Vietnamese, and the dotted letters of Yoruba (ọ, ẹ, ṣ) and Welsh (ŵ
// is in Extended-A; ẁ ẃ ẅ here).
constexpr char32_t kLatinAdditionalFirst = 0x1E00;
constexpr std::string_view kLatinAdditional =
    "aabbbbbbccddddddddddeeeeeeeeeeff"   // U+1E00
    "gghhhhhhhhhhiiiikkkkkkllllllllmm"   // U+1E20
    "mmmmnnnnnnnnoooooooopppprrrrrrrr"   // U+1E40
    "ssssssssssttttttttuuuuuuuuuuvvvv"   // U+1E60
    "wwwwwwwwwwxxxxyyzzzzzzhtwyas..*."   // U+1E80
    "aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee"   // U+1EA0
    "eeeeeeeeiiiioooooooooooooooooooo"   // U+1EC0
    "oooouuuuuuuuuuuuuuyyyyyyyy....yy";  // U+1EE0
static_assert(kLatin.size() == 0x0260 - kLatinFirst);
static_assert(kLatinAdditional.size() == 0x1F00 - kLatinAdditionalFirst);

// The code point at text[i], i advanced past it; kInvalidByte for a byte
// that does not start valid UTF-8 (skipped on its own).
char32_t next_code_point(std::string_view text, size_t& i) {
  return next_utf8(text, i).value_or(kInvalidByte);
}

// Letters that fold to two ASCII letters, marked '*' in the tables.
struct Ligature {
  char32_t code_point;
  std::string_view ascii;
};
constexpr std::array<Ligature, 28> kLigatures = {{
    {0x00C6, "ae"}, {0x00E6, "ae"}, {0x01E2, "ae"}, {0x01E3, "ae"}, {0x01FC, "ae"}, {0x01FD, "ae"},
    {0x00DE, "th"}, {0x00FE, "th"}, {0x00DF, "ss"}, {0x1E9E, "ss"}, {0x0132, "ij"}, {0x0133, "ij"},
    {0x014A, "ng"}, {0x014B, "ng"}, {0x0152, "oe"}, {0x0153, "oe"}, {0x01C4, "dz"}, {0x01C5, "dz"},
    {0x01C6, "dz"}, {0x01F1, "dz"}, {0x01F2, "dz"}, {0x01F3, "dz"}, {0x01C7, "lj"}, {0x01C8, "lj"},
    {0x01C9, "lj"}, {0x01CA, "nj"}, {0x01CB, "nj"}, {0x01CC, "nj"},
}};

std::string_view fold_ligature(char32_t cp) {
  for (const Ligature& ligature : kLigatures) {
    if (ligature.code_point == cp) return ligature.ascii;
  }
  return {};
}

std::string_view fold_from_table(std::string_view table, size_t index, char32_t cp) {
  switch (table[index]) {
    case '.':
      return {};
    case ' ':
      return kSpace;
    case '*':
      return fold_ligature(cp);
    default:
      return table.substr(index, 1);
  }
}

// Apostrophes join the parts of a name ("O'Brien" is one name, "obrien"), so they are dropped
// rather than turned into a space: ' ` ´ (typed for an apostrophe) ʻ ʼ ‘ ’ ‛ ′.
constexpr std::u32string_view kApostrophes = U"'`\u00B4\u02BB\u02BC\u2018\u2019\u201B\u2032";

// Non-ASCII characters outside the Latin tables: spaces, dashes and punctuation separate name
// parts; invisible ones (soft hyphen, zero-width and direction marks, byte order mark) and the
// Catalan middle dot (Gal·la) sit inside a word and are dropped, as is everything unknown.
std::string_view fold_other(char32_t cp) {
  if (cp == 0x00AA) return "a";  // ª, as in "Mª José"
  if (cp == 0x00BA) return "o";  // º
  if (cp == 0x00AD || cp == 0x00B7) return {};
  if (cp >= 0x0080 && cp <= 0x00BF) return kSpace;  // C1 controls, NBSP, Latin-1 punctuation
  const bool invisible = (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E);
  if (cp >= 0x2000 && cp <= 0x205F && !invisible) return kSpace;  // spaces, dashes, quotes
  if (cp == 0x2212 || cp == 0x3000) return kSpace;                // minus, ideographic space
  return {};
}

// What one code point contributes to a folded name: letters, kSpace, or nothing.
std::string_view fold_code_point(char32_t cp) {
  if (cp >= 'a' && cp <= 'z') return kLetters.substr(cp - 'a', 1);
  if (cp >= 'A' && cp <= 'Z') return kLetters.substr(cp - 'A', 1);
  if (kApostrophes.find(cp) != std::u32string_view::npos) return {};
  if (cp < 0x80) return kSpace;
  if (cp >= kLatinFirst && cp - kLatinFirst < kLatin.size()) {
    return fold_from_table(kLatin, cp - kLatinFirst, cp);
  }
  if (cp >= kLatinAdditionalFirst && cp - kLatinAdditionalFirst < kLatinAdditional.size()) {
    return fold_from_table(kLatinAdditional, cp - kLatinAdditionalFirst, cp);
  }
  return fold_other(cp);
}

bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
char to_upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}
char to_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && is_blank(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back()))
    text.remove_suffix(1);
  return text;
}

bool equals_ignoring_case(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (to_lower(text[i]) != lower[i]) return false;
  }
  return true;
}

// The outward code's shape, letters as 'A' and digits as '9': A9, A99, AA9, AA99, A9A, AA9A.
bool is_outward_code(std::string_view outward) {
  std::array<char, 4> shape{};
  if (outward.size() < 2 || outward.size() > shape.size()) return false;
  for (size_t i = 0; i < outward.size(); ++i)
    shape[i] = is_digit(outward[i]) ? '9' : 'A';
  const std::string_view s(shape.data(), outward.size());
  return s == "A9" || s == "A99" || s == "AA9" || s == "AA99" || s == "A9A" || s == "AA9A";
}

}  // namespace

std::string fold_name(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  bool space_pending = false;  // written only before a later letter: collapses and trims
  for (size_t i = 0; i < utf8.size();) {
    const std::string_view folded = fold_code_point(next_code_point(utf8, i));
    if (folded == kSpace) {
      space_pending = !out.empty();
    } else if (!folded.empty()) {
      if (space_pending) out += ' ';
      space_pending = false;
      out += folded;
    }
  }
  return out;
}

std::vector<std::string_view> name_parts(std::string_view folded) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start < folded.size()) {
    size_t end = folded.find(' ', start);
    if (end == std::string_view::npos) end = folded.size();
    if (end > start) parts.push_back(folded.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::optional<Postcode> parse_postcode(std::string_view text) {
  std::array<char, 7> compact{};  // the longest postcode, AA9A 9AA, without its space
  size_t length = 0;
  for (const char c : text) {
    if (c == ' ' || c == '\t') continue;
    const char upper = to_upper(c);
    if ((!is_upper(upper) && !is_digit(upper)) || length == compact.size()) return std::nullopt;
    compact[length++] = upper;
  }
  if (length < 5) return std::nullopt;
  const std::string_view code(compact.data(), length);
  const std::string_view outward = code.substr(0, length - 3);
  const std::string_view inward = code.substr(length - 3);
  if (!is_digit(inward[0]) || !is_upper(inward[1]) || !is_upper(inward[2])) return std::nullopt;
  const bool girobank = outward == "GIR" && inward == "0AA";
  if (!girobank && !is_outward_code(outward)) return std::nullopt;

  Postcode postcode;
  postcode.district = std::string(outward);
  postcode.full = postcode.district + ' ' + std::string(inward);
  postcode.sector = postcode.full.substr(0, outward.size() + 2);
  size_t letters = 0;
  while (letters < outward.size() && is_upper(outward[letters]))
    ++letters;
  postcode.area = std::string(outward.substr(0, letters));
  return postcode;
}

std::optional<char> normalise_sex(std::string_view text) {
  text = trim_blanks(text);
  if (equals_ignoring_case(text, "male") || equals_ignoring_case(text, "m") || text == "1") {
    return 'M';
  }
  if (equals_ignoring_case(text, "female") || equals_ignoring_case(text, "f") || text == "2") {
    return 'F';
  }
  return std::nullopt;
}

NhsNumberUse classify_nhs_number(std::string_view recorded) {
  if (recorded.find_first_not_of(" \t") == std::string_view::npos) return NhsNumberUse::kMissing;
  const Result<NhsNumber> nhs = NhsNumber::parse(recorded);
  if (!nhs.ok()) return NhsNumberUse::kInvalid;
  return nhs->digits().starts_with("999") ? NhsNumberUse::kTestRange : NhsNumberUse::kValid;
}

const char* to_string(NhsNumberUse use) {
  switch (use) {
    case NhsNumberUse::kValid:
      return "valid";
    case NhsNumberUse::kTestRange:
      return "test-range";
    case NhsNumberUse::kInvalid:
      return "invalid";
    case NhsNumberUse::kMissing:
      break;
  }
  return "missing";
}

}  // namespace onechild::linkage
