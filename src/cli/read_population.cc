#include "cli/read_population.h"

#include <cstdio>

#include "core/progress.h"

namespace onechild {

Result<LoadedPopulation> read_population(Database& db, const FactFilter& filter) {
  const bool chatty = progress_wanted();
  if (chatty) std::fprintf(stderr, "Reading the integrated records...\n");
  auto loaded = load_population_cached(db, filter, chatty);
  if (!loaded.ok()) return loaded.error();
  if (!loaded->warning.empty()) std::fprintf(stderr, "onechild: %s\n", loaded->warning.c_str());
  if (chatty && loaded->from_file) {
    std::fprintf(stderr, "Read from %s (current with the store).\n", loaded->file.c_str());
  }
  return loaded;
}

}  // namespace onechild
