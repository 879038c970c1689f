// Engine: one linkage run over a RecordSet, whatever it was loaded from
// (the store, or the public data sets' CSV files): train or reuse the
// model, block, score, cluster.
#pragma once

#include <optional>
#include <vector>

#include "link/blocking.h"
#include "link/clustering.h"
#include "link/scoring.h"
#include "link/training.h"

namespace onechild::linkage {

struct EngineOptions {
  std::optional<Parameters> stored;  // a trained model to reuse; trained afresh when empty
  std::vector<Decision> decisions;   // a person's decisions, as record indexes
  bool only_new = false;             // compare only pairs that include an unlinked record
  bool progress = false;             // stage messages on a terminal
};

struct StageTimes {
  double train = 0, block = 0, score = 0, cluster = 0;  // seconds
};

struct EngineResult {
  Parameters params;
  bool trained = false;
  TrainingReport training;
  std::vector<BlockingStats> blocking;
  int64_t candidate_pairs = 0;
  std::vector<ScoredPair> scored;  // at or above the review weight
  Clustering clustering;
  double auto_weight = 0, review_weight = 0;  // thresholds as weights without the prior
  StageTimes seconds;
};

EngineResult run_engine(const RecordSet& records, const Nicknames& nicknames,
                        EngineOptions options);

}  // namespace onechild::linkage
