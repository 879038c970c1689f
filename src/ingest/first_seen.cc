#include "ingest/first_seen.h"

#include <functional>

namespace onechild::ingest {
namespace {

constexpr int kProbes = 3;

// Two hashes combined give the probes (Kirsch and Mitzenmacher).
std::pair<uint64_t, uint64_t> hashes(int64_t source, std::string_view id) {
  const uint64_t h =
      std::hash<std::string_view>{}(id) ^ (static_cast<uint64_t>(source) * 0x9E3779B97F4A7C15ULL);
  uint64_t g = h * 0xC2B2AE3D27D4EB4FULL;
  g ^= g >> 29;
  return {h, g | 1};
}

}  // namespace

FirstSeen::FirstSeen(size_t bits_log2) : mask_((uint64_t{1} << bits_log2) - 1) {}

bool FirstSeen::maybe_contains(int64_t source, std::string_view id) const {
  if (unavailable_) return true;
  if (!words_) return false;
  const auto [h, g] = hashes(source, id);
  for (int i = 0; i < kProbes; ++i) {
    const uint64_t bit = (h + static_cast<uint64_t>(i) * g) & mask_;
    if ((words_[bit >> 6] & (uint64_t{1} << (bit & 63))) == 0) return false;
  }
  return true;
}

void FirstSeen::add(int64_t source, std::string_view id) {
  if (!words_) {
    words_.reset(static_cast<uint64_t*>(std::calloc((mask_ + 1) / 64, sizeof(uint64_t))));
    if (!words_) {
      unavailable_ = true;  // no memory: every id takes the ordinary lookup
      return;
    }
  }
  const auto [h, g] = hashes(source, id);
  for (int i = 0; i < kProbes; ++i) {
    const uint64_t bit = (h + static_cast<uint64_t>(i) * g) & mask_;
    words_[bit >> 6] |= uint64_t{1} << (bit & 63);
  }
}

}  // namespace onechild::ingest
