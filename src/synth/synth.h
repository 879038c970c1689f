// Synthetic ICS: a population of children and the feeds each organisation
// would send about them, with the truth of who is who.
//
// Deterministic: the same options give byte-identical output. Numbers use the
// 999 range, which the NHS reserves for testing, so no output can be mistaken
// for a real patient.
#pragma once

#include <cstdint>
#include <string>

#include "core/date.h"
#include "core/error.h"

namespace onechild {

struct SynthOptions {
  int64_t children = 2000;
  uint64_t seed = 1;
  Date as_of = today();  // ages and schedules are computed at this date
  std::string out_dir;
};

struct SynthSummary {
  int64_t children = 0;
  int64_t gp_patients = 0;
  int64_t immunisations = 0;
  int64_t social_care_persons = 0;
  int64_t social_care_episodes = 0;
};

// Writes out_dir/feeds/gp.ndjson (FHIR R4 Patient + Immunization),
// out_dir/feeds/social_care.persons.csv, out_dir/feeds/social_care.episodes.csv,
// out_dir/truth/persons.csv (source,original_id,person_id) and
// out_dir/truth/manifest.json.
Result<SynthSummary> synthesise(const SynthOptions& options);

}  // namespace onechild
