// Linkage's normalisers and comparators on arbitrary bytes: never crash, and keep the promises
// the scoring relies on (folded names are canonical, postcodes re-parse to themselves, the
// comparators stay within bounds and do not depend on argument order).
#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "link/nicknames.h"
#include "link/normalise.h"
#include "link/similarity.h"

namespace {

using namespace onechild::linkage;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_fold_name(std::string_view text) {
  const std::string folded = fold_name(text);
  check(folded.empty() || (folded.front() != ' ' && folded.back() != ' '));
  for (size_t i = 0; i < folded.size(); ++i) {
    const char c = folded[i];
    check((c >= 'a' && c <= 'z') || (c == ' ' && folded[i + 1] != ' '));
  }
  check(fold_name(folded) == folded);
  for (const std::string_view part : name_parts(folded))
    check(!part.empty());
}

void check_postcode(std::string_view text) {
  const auto postcode = parse_postcode(text);
  if (!postcode) return;
  check(parse_postcode(postcode->full) == postcode);
  check(postcode->full.starts_with(postcode->sector));
  check(postcode->sector.starts_with(postcode->district + " "));
  check(postcode->district.starts_with(postcode->area) && !postcode->area.empty());
}

void check_comparators(std::string_view a, std::string_view b, int max) {
  const double score = jaro_winkler(a, b);
  check(score >= 0.0 && score <= 1.0);
  check(score == jaro_winkler(b, a));
  check(jaro_winkler(a, a) == 1.0);

  const int distance = damerau_levenshtein(a, b, max);
  check(distance == damerau_levenshtein(b, a, max));
  check(damerau_levenshtein(a, a, max) == (max < 0 ? max + 1 : 0));
  if (max < 0) {
    check(distance == max + 1);
    return;
  }
  check(distance >= 0 && distance <= max + 1);
  // Stopping early must not change the answer: the bounded distance is the full one, capped.
  if (a.size() <= 256 && b.size() <= 256) {
    const int full = damerau_levenshtein(a, b, INT_MAX);
    check(full <= static_cast<int>(std::max(a.size(), b.size())));
    check(distance == (full > max ? max + 1 : full));
  }
}

void check_nysiis(std::string_view text) {
  for (const std::string& code : {nysiis(text), nysiis(fold_name(text))}) {
    for (const char c : code)
      check(c >= 'A' && c <= 'Z');
  }
}

void check_nicknames(std::string_view text, std::string_view a, std::string_view b) {
  const auto nicknames = Nicknames::parse(text, "fuzz.csv");
  if (!nicknames.ok()) {
    check(nicknames.error().line() > 0);
    return;
  }
  const std::string x = fold_name(a), y = fold_name(b);
  check(nicknames->are_variants(x, y) == nicknames->are_variants(y, x));
  check(!nicknames->are_variants(x, x));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_fold_name(text);
  check_postcode(text);
  check_nysiis(text);

  // The first byte picks the edit-distance bound (-1..14); the rest is split in two.
  const int max = size > 0 ? data[0] % 16 - 1 : 3;
  const std::string_view rest = size > 0 ? text.substr(1) : text;
  const std::string_view a = rest.substr(0, rest.size() / 2);
  const std::string_view b = rest.substr(rest.size() / 2);
  check_comparators(a, b, max);
  check_nicknames(text, a, b);
  return 0;
}
