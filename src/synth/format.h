// Small text helpers shared by the synth generator's files.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

namespace onechild::synth {

// n in decimal, zero-padded on the left to at least width digits.
inline std::string zero_padded(int64_t n, int width) {
  std::string s = std::to_string(n);
  return std::string(static_cast<size_t>(std::max(0, width - static_cast<int>(s.size()))), '0') + s;
}

}  // namespace onechild::synth
