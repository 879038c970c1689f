// Scoring: the Fellegi-Sunter match weight of a pair and what it means.
//
// For each field and level, m is the chance that a true match falls in that
// level and u the chance that two different people do. A pair's match
// weight is the sum over fields of log2(m/u) for the level it falls in
// (0 when a value is missing), plus the prior log2(lambda/(1-lambda)); the
// match probability is 1/(1 + 2^-weight). On a term-frequency level the
// weight uses how common the shared value is, so agreeing on a rare surname
// counts for more than agreeing on "Smith".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "link/comparison.h"

namespace onechild::linkage {

struct Parameters {
  // m[f][code], u[f][code] for the level codes of comparison.h; code 0 (null) is unused.
  std::vector<std::vector<double>> m, u;
  double prior = 1e-4;

  // Sized for a model, every probability 0 until trained or fixed.
  static Parameters sized_for(const ModelSpec& spec);
  std::string to_json(const ModelSpec& spec) const;
  static Result<Parameters> from_json(std::string_view json, const ModelSpec& spec);
};

// One field's part in a pair's weight, for the review queue and reports.
struct Evidence {
  size_t field;
  uint8_t level;      // code
  double weight;      // log2(m/u), term-frequency adjusted where the level is
  std::string label;  // "exact", "nickname", "null", "else", ...
};

class Scorer {
 public:
  Scorer(const RecordSet& records, const Comparer& comparer, const Parameters& params);

  // Sum of field weights (without the prior).
  double weight(size_t a, size_t b) const;
  double weight_of(LevelVector levels, size_t a) const;
  double prior_weight() const { return prior_weight_; }
  // Match probability for a weight without the prior.
  double probability(double weight) const;
  // The weight without the prior at which the probability reaches p.
  double weight_for_probability(double p) const;

  std::vector<Evidence> explain(size_t a, size_t b) const;

 private:
  double field_weight(size_t f, uint8_t code, size_t a) const;

  const RecordSet& records_;
  const Comparer& comparer_;
  std::vector<std::vector<double>> weights_;   // [field][code]
  std::vector<int> tf_level_;                  // [field]: the tf level code, or -1
  std::vector<std::vector<float>> tf_weight_;  // [field][value id]
  double prior_weight_;
};

std::string level_label(const ModelSpec& spec, size_t field, uint8_t code);

// 1 / (1 + 2^-(weight + log2(prior / (1 - prior)))).
double match_probability(double weight, double prior);

}  // namespace onechild::linkage
