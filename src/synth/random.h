// A small deterministic random source (SplitMix64). The standard library's
// distributions differ between implementations, so synth draws its own to keep
// "same seed, same ICS" true on every platform.
#pragma once

#include <cstdint>
#include <span>

namespace onechild::synth {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n). The modulo bias is below 2^-40 for the n used here.
  int64_t below(int64_t n) { return static_cast<int64_t>(next() % static_cast<uint64_t>(n)); }
  int64_t between(int64_t lo, int64_t hi) { return lo + below(hi - lo + 1); }
  bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
  // An index drawn with probability proportional to its weight.
  size_t weighted(std::span<const double> weights) {
    double total = 0;
    for (double w : weights)
      total += w;
    double at = static_cast<double>(next() >> 11) * 0x1.0p-53 * total;
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

 private:
  uint64_t state_;
};

}  // namespace onechild::synth
