#include "link/similarity.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <vector>

namespace onechild::linkage {
namespace {

// Names are far shorter than this; longer inputs (whole addresses, junk) go to the heap.
constexpr size_t kStackBytes = 64;

// Winkler's constants: the prefix scale, the longest prefix rewarded, and the Jaro score a pair
// must exceed before the prefix counts (strcmp95; jellyfish and DuckDB do the same).
constexpr double kPrefixScale = 0.1;
constexpr size_t kMaxPrefix = 4;
constexpr double kBoostThreshold = 0.7;

// Jaro similarity of two non-empty strings. a_matched and b_matched have a.size() and b.size()
// elements, all false.
double jaro(std::string_view a, std::string_view b, bool* a_matched, bool* b_matched) {
  const size_t longest = std::max(a.size(), b.size());
  const size_t window = longest / 2 > 0 ? longest / 2 - 1 : 0;
  size_t matches = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const size_t first = i > window ? i - window : 0;
    const size_t end = std::min(i + window + 1, b.size());
    for (size_t j = first; j < end; ++j) {
      if (!b_matched[j] && b[j] == a[i]) {
        a_matched[i] = b_matched[j] = true;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;

  // Matched characters taken in order from each string; each position where they differ is half
  // a transposition.
  size_t out_of_order = 0;
  size_t j = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a_matched[i]) continue;
    while (!b_matched[j])
      ++j;
    if (a[i] != b[j]) ++out_of_order;
    ++j;
  }
  const size_t transpositions = out_of_order / 2;  // whole ones, as in strcmp95 and jellyfish
  const double m = static_cast<double>(matches);
  return (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) +
          (m - static_cast<double>(transpositions)) / m) /
         3.0;
}

double winkler_boost(std::string_view a, std::string_view b, double jaro_score) {
  if (jaro_score <= kBoostThreshold) return jaro_score;
  const size_t limit = std::min({a.size(), b.size(), kMaxPrefix});
  size_t prefix = 0;
  while (prefix < limit && a[prefix] == b[prefix])
    ++prefix;
  return jaro_score + static_cast<double>(prefix) * kPrefixScale * (1.0 - jaro_score);
}

// Optimal string alignment distance by rows, three at a time (rows i-2, i-1, i of the usual
// matrix, each b.size() + 1 cells). Only cells within `limit` of the diagonal can stay within
// limit, so only those are computed; every other cell holds limit + 1, which stands for "more
// than limit". Returns the distance, or limit + 1 once a whole row exceeds limit: a row's minimum
// never decreases, since every cell is at least as large as some cell of the row above.
int osa_distance(std::string_view a, std::string_view b, int limit, int* cells) {
  const int a_size = static_cast<int>(a.size());
  const int b_size = static_cast<int>(b.size());
  const int beyond = limit + 1;
  const ptrdiff_t row_cells = b_size + 1;
  int* before = cells;
  int* above = cells + row_cells;
  int* row = cells + 2 * row_cells;
  for (int j = 0; j <= b_size; ++j)
    above[j] = std::min(j, beyond);
  for (int i = 1; i <= a_size; ++i) {
    const int first = std::max(1, i - limit);
    const int last = std::min(b_size, i + limit);
    row[first - 1] = first == 1 ? std::min(i, beyond) : beyond;
    if (last < b_size) row[last + 1] = beyond;
    int row_min = row[first - 1];
    for (int j = first; j <= last; ++j) {
      const char x = a[i - 1], y = b[j - 1];
      int d = std::min({above[j] + 1, row[j - 1] + 1, above[j - 1] + (x == y ? 0 : 1)});
      if (i > 1 && j > 1 && x == b[j - 2] && a[i - 2] == y) d = std::min(d, before[j - 2] + 1);
      row[j] = std::min(d, beyond);
      row_min = std::min(row_min, row[j]);
    }
    if (row_min > limit) return beyond;
    std::swap(before, above);
    std::swap(above, row);
  }
  return above[b_size];
}

bool is_vowel(char c) {
  return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

bool ends_with_any(std::string_view s, std::initializer_list<std::string_view> suffixes) {
  return std::any_of(suffixes.begin(), suffixes.end(),
                     [&](std::string_view suffix) { return s.ends_with(suffix); });
}

// NYSIIS steps 1 and 2: the name's first and last letters rewritten.
void rewrite_ends(std::string& s) {
  if (s.starts_with("MAC")) {
    s[1] = 'C';
  } else if (s.starts_with("KN")) {
    s.erase(0, 1);
  } else if (s.starts_with("K")) {
    s[0] = 'C';
  } else if (s.starts_with("PH") || s.starts_with("PF")) {
    s[0] = s[1] = 'F';
  } else if (s.starts_with("SCH")) {
    s[1] = s[2] = 'S';
  }
  if (ends_with_any(s, {"IE", "EE"})) {
    s.replace(s.size() - 2, 2, "Y");
  } else if (ends_with_any(s, {"DT", "RT", "RD", "NT", "ND"})) {
    s.replace(s.size() - 2, 2, "D");
  }
}

// NYSIIS step 4 for the letter at s[i]: what it becomes. Consumes the letters after it that the
// rule uses by advancing i.
std::string_view translate(const std::string& s, size_t& i) {
  const std::string_view view = s;
  const char c = s[i];
  const bool has_next = i + 1 < s.size();
  const char next = has_next ? s[i + 1] : '\0';
  if (c == 'E' && next == 'V') {
    ++i;
    return "AF";
  }
  if (is_vowel(c)) return "A";
  if (c == 'Q') return "G";
  if (c == 'Z') return "S";
  if (c == 'M') return "N";
  if (c == 'K') return next == 'N' ? "N" : "C";
  if (c == 'S' && view.substr(i + 1, 2) == "CH") {
    i += 2;
    return "SS";
  }
  if (c == 'P' && next == 'H') {
    ++i;
    return "F";
  }
  const char previous = s[i - 1];
  if (c == 'H' && (!is_vowel(previous) || !has_next || !is_vowel(next))) {
    return is_vowel(previous) ? "A" : view.substr(i - 1, 1);
  }
  if (c == 'W' && is_vowel(previous)) return view.substr(i - 1, 1);
  return view.substr(i, 1);
}

}  // namespace

double jaro_winkler(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  if (a == b) return 1.0;  // the commonest pair in linkage, and the cheapest to recognise
  if (a.size() <= kStackBytes && b.size() <= kStackBytes) {
    std::array<bool, kStackBytes> a_matched{}, b_matched{};
    return winkler_boost(a, b, jaro(a, b, a_matched.data(), b_matched.data()));
  }
  const auto matched = std::make_unique<bool[]>(a.size() + b.size());  // all false
  return winkler_boost(a, b, jaro(a, b, matched.get(), matched.get() + a.size()));
}

int damerau_levenshtein(std::string_view a, std::string_view b, int max) {
  if (max < 0) return max + 1;
  if (a.size() < b.size()) std::swap(a, b);  // the distance is symmetric; rows as short as can be
  // The distance never exceeds the longer length, so a larger max changes nothing (and
  // limit + 1 cannot overflow).
  const int limit = static_cast<int>(std::min(static_cast<size_t>(max), a.size()));
  if (a.size() - b.size() > static_cast<size_t>(limit)) return max + 1;
  int distance = 0;
  if (b.size() <= kStackBytes) {
    std::array<int, 3 * (kStackBytes + 1)> cells;
    distance = osa_distance(a, b, limit, cells.data());
  } else {
    std::vector<int> cells(3 * (b.size() + 1));
    distance = osa_distance(a, b, limit, cells.data());
  }
  return distance > limit ? max + 1 : distance;
}

std::string nysiis(std::string_view name) {
  std::string s;
  s.reserve(name.size());
  for (const char c : name) {
    if (c >= 'a' && c <= 'z') s += static_cast<char>(c - 'a' + 'A');
    if (c >= 'A' && c <= 'Z') s += c;
  }
  if (s.empty()) return s;
  rewrite_ends(s);

  std::string key(1, s[0]);
  for (size_t i = 1; i < s.size(); ++i) {
    const std::string_view letters = translate(s, i);
    if (letters.back() != key.back()) key += letters;  // no letter twice in a row
  }
  if (key.size() > 1 && key.back() == 'S') key.pop_back();
  if (key.ends_with("AY")) key.replace(key.size() - 2, 2, "Y");
  if (key.size() > 1 && key.back() == 'A') key.pop_back();
  return key;
}

}  // namespace onechild::linkage
