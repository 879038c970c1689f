// Link: the master child index. Gives every source person a child, or
// leaves them unlinked and counted.
//
// This stage links deterministically on a valid NHS number; probabilistic
// linkage on demographics arrives with issue 5 and reports through the same
// types.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"
#include "store/database.h"

namespace onechild {

struct LinkReport {
  int64_t considered = 0;    // source persons without a link before this run
  int64_t linked = 0;        // of those, linked now
  int64_t new_children = 0;  // children created by this run
  int64_t unlinked_no_nhs_number = 0;
  std::string to_json() const;
};

// Links every source person that has no link yet, in one transaction.
Result<LinkReport> link_unlinked(Database& db);

struct LinkEvaluation {
  int64_t records = 0;             // source records in both the truth file and the store
  int64_t records_not_loaded = 0;  // in the truth file but not in the store (quarantined)
  int64_t true_pairs = 0, predicted_pairs = 0, true_positive_pairs = 0;
  int64_t persons = 0, persons_exactly_clustered = 0;
  double precision() const;
  double recall() const;
  double f1() const;
  std::string to_json() const;
};

// Compares the links with a truth CSV (source,original_id,person_id): pairwise
// precision/recall/F1 over records that share a child, and how many true
// persons ended up as exactly one cluster.
Result<LinkEvaluation> evaluate_links(Database& db, const std::string& truth_csv);

}  // namespace onechild
