// SplitMix64: a small deterministic random source. The standard library's
// engines are deterministic but its distributions differ between
// implementations, so onechild draws its own: the same seed gives the same
// synthetic ICS, the same training sample and the same links with any
// compiler.
#pragma once

#include <cstdint>

namespace onechild {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n). The modulo bias is below 2^-40 for n below 2^24.
  int64_t below(int64_t n) { return static_cast<int64_t>(next() % static_cast<uint64_t>(n)); }
  int64_t between(int64_t lo, int64_t hi) { return lo + below(hi - lo + 1); }
  bool chance(double p) { return uniform() < p; }

 protected:
  uint64_t state_;
};

}  // namespace onechild
