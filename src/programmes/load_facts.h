// Reads what the programmes need from the store: each child's birth date,
// sex and practice, and the events of the kinds the rules use, from every
// source linked to the child (source_events -> source_persons -> links ->
// children, merged children followed).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "programmes/facts.h"
#include "store/database.h"

namespace onechild {

struct FactFilter {
  std::vector<std::string> kinds;  // event kinds to keep; empty keeps every kind
  // For these kinds only these codes (GP consultations are encounters too,
  // and a million of them would only be skipped later).
  std::map<std::string, std::vector<std::string>, std::less<>> codes;
};

// Whether the store is a file another connection (or a file beside it) can
// share: not ":memory:", "" (a temporary store) or a "file:" URI.
bool store_is_plain_file(const Database& db);

// Every child in the master child index that is not merged into another.
// A file store with at least split_above events is scanned in two halves at
// once (a second connection on a second core); the result is the same.
inline constexpr int64_t kSplitEventsAbove = 200'000;
Result<Population> load_population(Database& db, const FactFilter& filter,
                                   bool show_progress = false,
                                   int64_t split_above = kSplitEventsAbove);

// One child (a merged id leads to the child it was merged into), its text
// interned into words.
Result<ChildFacts> load_child_facts(Database& db, int64_t child_id, const FactFilter& filter,
                                    Vocabulary& words);

}  // namespace onechild
