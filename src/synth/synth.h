// Synthetic ICS: a population of children and young people, their families
// and places, what happened to them, and the feeds each organisation would
// send about them, with the truth of who is who.
//
// Deterministic: the same options give byte-identical output, whatever the
// number of threads. NHS numbers use the 999 range, which the NHS reserves
// for testing, so no output can be mistaken for a real patient.
// docs/synthetic-data.md lists every rate and its source.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/date.h"
#include "core/error.h"

namespace onechild {

struct SynthOptions {
  int64_t children = 2000;
  uint64_t seed = 1;
  Date as_of = today();  // ages and schedules are computed at this date
  std::string out_dir;
  int history_years = 5;     // years of hospital, GP consultation and school census history
  double hub_effect = -0.2;  // change in ED attendances and outpatients after a hub starts
  int threads = 0;           // 0: one per core; the output does not depend on it
};

struct SynthSummary {
  int64_t children = 0;
  std::map<std::string, int64_t> rows;  // data rows written, by file under DIR ("feeds/gp.ndjson")

  int64_t rows_in(const std::string& file) const {
    const auto it = rows.find(file);
    return it == rows.end() ? 0 : it->second;
  }
};

// Writes DIR/feeds/ (one or more files per organisation, docs/feeds.md),
// DIR/reference/ (geography, postcodes, organisations) and DIR/truth/
// (persons.csv: source,original_id,person_id for every person-level record;
// errors.csv: every injected error; children.csv and parents.csv: the true
// people; manifest.json).
Result<SynthSummary> synthesise(const SynthOptions& options);

}  // namespace onechild
