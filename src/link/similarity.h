// String comparators for probabilistic linkage. They run on every candidate pair (hundreds of
// millions in a large ICS), so they work on bytes of already-folded names (see fold_name) and
// avoid the heap for names of ordinary length.
#pragma once

#include <string>
#include <string_view>

namespace onechild::linkage {

// Jaro–Winkler similarity in [0,1] on bytes (inputs are already folded to lowercase ASCII).
// Standard Jaro matching window max(len)/2 - 1 (at least 0), Winkler prefix scale 0.1 over at
// most 4 common leading characters. As in Winkler's strcmp95, jellyfish and splink (DuckDB), the
// prefix boost applies only when the Jaro score exceeds 0.7, so values agree with theirs.
// Both empty -> 1.0; one empty -> 0.0. No heap allocation for inputs up to 64 bytes.
double jaro_winkler(std::string_view a, std::string_view b);

// Damerau–Levenshtein distance, optimal string alignment variant (adjacent transposition counts
// 1; a transposed pair is not edited again, so "ca" -> "abc" is 3). Stops early: returns max + 1
// as soon as the distance must exceed max (and at once when max < 0). No heap allocation when
// the shorter string is up to 64 bytes.
int damerau_levenshtein(std::string_view a, std::string_view b, int max);

// NYSIIS phonetic code (the original 1970 algorithm, as described by the jellyfish Python
// package, NOT truncated to 6 characters) of a folded name, in capitals as published:
// "catherine" -> "CATARAN". Non-letters are ignored; empty for a name with no letters.
std::string nysiis(std::string_view name);

}  // namespace onechild::linkage
