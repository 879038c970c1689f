// The distributions synth draws from, on core's SplitMix64: the same seed
// gives the same ICS with any compiler and thread count. (The distributions
// use log, exp and cos, whose last bit may differ between C libraries; the
// reference output is glibc's.)
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>

#include "core/random.h"

namespace onechild::synth {

class Random : public SplitMix64 {
 public:
  explicit Random(uint64_t seed) : SplitMix64(seed) {}

  // An independent stream for one household, child or chunk: the output for
  // a child depends on the seed and the child, not on what was drawn before,
  // so work can be split across threads without changing a byte.
  static Random stream(uint64_t seed, uint64_t kind, uint64_t index) {
    Random mix(seed ^ (kind * 0xD1B54A32D192ED03ULL));
    mix.state_ ^= index * 0x9E3779B97F4A7C15ULL;
    return Random(mix.next());
  }

  // Standard normal (Box-Muller; one value per call keeps the stream simple).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
  }
  double normal(double mean, double sd) { return mean + sd * normal(); }
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }
  // Log-normal given its median and the sd of its logarithm: waits and
  // durations, which are skewed with a long tail.
  double lognormal(double median, double sigma) { return median * std::exp(sigma * normal()); }

  // Poisson counts: Knuth's method for the small means synth uses (events
  // per year), a rounded normal beyond that.
  int poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean > 30) return std::max(0, static_cast<int>(std::lround(normal(mean, std::sqrt(mean)))));
    const double limit = std::exp(-mean);
    int k = 0;
    double p = uniform();
    while (p > limit) {
      ++k;
      p *= uniform();
    }
    return k;
  }

  // An index drawn with probability proportional to its weight.
  size_t weighted(std::span<const double> weights) {
    double total = 0;
    for (double w : weights)
      total += w;
    double at = uniform() * total;
    for (size_t i = 0; i + 1 < weights.size(); ++i) {
      if (at < weights[i]) return i;
      at -= weights[i];
    }
    return weights.size() - 1;
  }
  template <typename T>
  const T& pick(std::span<const T> items) {
    return items[static_cast<size_t>(below(static_cast<int64_t>(items.size())))];
  }
};

// The probability p moved by `shift` on the log-odds scale: how synth lets
// deprivation and family circumstances raise or lower a rate that is
// documented as a proportion (coverage, completion) without leaving [0, 1].
inline double shifted(double p, double shift) {
  const double logit = std::log(p / (1.0 - p)) + shift;
  return 1.0 / (1.0 + std::exp(-logit));
}

}  // namespace onechild::synth
