// Link: the master child index. Puts every source record of one child under
// one child id, never (knowingly) two children under one, and sends the
// pairs it is unsure of to a person (docs/linkage.md).
//
// A run links the records that have no child yet: each is compared with the
// existing index and with the other new records (Fellegi-Sunter weights on
// NHS number and demographics), joins the child it matches, or founds a new
// one. Existing links are never changed by a run, so a child's id is stable
// when unrelated records arrive; only a person merges or unmerges children
// (review.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace onechild {

struct LinkOptions {
  std::string model_path;  // the linkage model (TOML); empty: the shipped config/linkage.toml
  bool retrain = false;    // estimate the model again even if it has not changed
  bool progress = true;    // stage messages on a terminal
};

struct BlockingCount {
  std::string rule;
  int64_t pairs = 0;           // candidate pairs this rule added
  int64_t blocks_skipped = 0;  // blocks above the model's max_block_size
};

struct LinkReport {
  int64_t records = 0;             // current source records (one per source and original id)
  int64_t new_records = 0;         // of those, without a child before this run
  int64_t linked_to_existing = 0;  // new records that joined a child already in the index
  int64_t linked_to_new = 0;       // new records in a child created by this run
  int64_t new_children = 0;
  int64_t versions_linked = 0;  // link rows written (every version of a record is linked)
  int64_t review_added = 0, review_open = 0;
  int64_t candidate_pairs = 0, auto_pairs = 0;
  int64_t refused_one_per_feed = 0, refused_by_decision = 0, refused_existing = 0;
  int64_t nhs_numbers_invalid = 0, nhs_numbers_test_range = 0;
  std::vector<BlockingCount> blocking;
  bool trained = false;
  double prior = 0, auto_link = 0, review = 0;  // probabilities
  double auto_weight = 0, review_weight = 0;    // the same thresholds as match weights
  double seconds_load = 0, seconds_link = 0, seconds_write = 0;
  std::string model_json;     // the parameters used
  std::string training_json;  // how they were estimated (when trained this run)

  std::string to_json() const;
};

Result<LinkReport> link_unlinked(Database& db, const LinkOptions& options = {});

// The shipped model file (config/linkage.toml).
std::string default_model_path();

}  // namespace onechild
