// Training: estimating the model's m and u probabilities and its prior from
// the records themselves, with no labelled matches.
//
// - u (how often two different people agree by chance) from random pairs,
//   which are almost all non-matches; exact levels are computed exactly from
//   value frequencies.
// - m (how often the same person's records agree) by expectation-
//   maximisation inside the blocks of each training rule. A field the rule
//   blocks on agrees in every pair there and says nothing, so each rule
//   trains only the other fields; a field's m is the mean over the rules
//   that trained it.
// - the prior (the chance two random records match) by a fixed point over
//   the candidate pairs: the expected number of matches among them, over
//   all pairs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "link/blocking.h"
#include "link/scoring.h"

namespace onechild::linkage {

struct EmSession {
  std::string rule;
  int64_t pairs = 0;
  int iterations = 0;
  bool converged = false;
  double match_share = 0;  // estimated share of matches among the rule's pairs
};

struct TrainingReport {
  int64_t u_pairs = 0;
  std::vector<EmSession> sessions;
  std::vector<std::string> untrained_fields;  // m never estimated: defaults used
};

// Estimates u from random pairs and m by EM; leaves the prior as given.
Parameters train(const RecordSet& records, const Comparer& comparer, TrainingReport& report);

// Applies the m and u the model file fixes; where every level of a field
// is fixed, "else" takes what is left.
void apply_fixed(const ModelSpec& spec, Parameters& params);

// A pattern of levels and how many pairs show it.
struct PatternCount {
  LevelVector levels;
  double count;
};

// EM for a two-class mixture over level patterns. Fields flagged in
// `excluded` are ignored. m, u and match_share are the starting point and
// are updated in place; levels with a fixed m or u in the model keep it.
EmSession expectation_maximisation(const ModelSpec& spec, const std::vector<PatternCount>& patterns,
                                   const std::vector<bool>& excluded, Parameters& params,
                                   double& match_share);

// The prior that makes the expected number of matches among the candidate
// pairs (weights without the prior) consistent with itself, over
// total_pairs possible pairs.
double estimate_prior(const std::vector<float>& weights, double total_pairs, double start);

}  // namespace onechild::linkage
