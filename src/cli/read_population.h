// How the analysis commands (indicators, evaluate, worklist, coverage) read
// the children's facts: through the population file beside the store
// (programmes/population_file.h). On a terminal it says what it is doing;
// why the file could not be used is said always.
#pragma once

#include "programmes/population_file.h"

namespace onechild {

Result<LoadedPopulation> read_population(Database& db, const FactFilter& filter);

// "the store" or "the population file", for the commands' summaries.
inline const char* read_from(const LoadedPopulation& loaded) {
  return loaded.from_file ? "the population file" : "the store";
}

}  // namespace onechild
