// The population file: what load_population read from the store, saved
// beside it (STORE.facts-XXXXXXXXXXXXXXXX, one per fact filter) so that the
// analyses after the first (indicators, worklists, coverage, evaluation, the
// web app's caches) read it in about a second instead of scanning every
// event again. It is keyed by what the store holds (its latest load, link
// run and merge) and by the filter, so a load, a link run or a merge makes
// it stale and the next reader rebuilds it. It holds person-level health
// facts: it is written owner-only (0600) and is as sensitive as the store.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "programmes/load_facts.h"
#include "store/database.h"

namespace onechild {

// The file's bytes: a header with the key, the vocabulary, then each child.
std::string encode_population(const Population& population, std::string_view key);
// The population saved under key; nullopt when the bytes were saved under
// another key (the store has changed since); an error when they are damaged.
Result<std::optional<Population>> decode_population(std::string_view bytes, std::string_view key);

struct LoadedPopulation {
  Population population;
  std::string file;        // the population file used or written; "" for none
  bool from_file = false;  // read from the file rather than from the store
  std::string warning;     // why the file could not be used or written, if so
};

// load_population through the population file: read from it when it is
// current, otherwise from the store, then saved for next time. A store in
// memory, or one with a load still running, is always read directly.
Result<LoadedPopulation> load_population_cached(Database& db, const FactFilter& filter,
                                                bool show_progress = false);

}  // namespace onechild
