#include "link/blocking.h"

#include <algorithm>
#include <unordered_set>

#include "core/random.h"

namespace onechild::linkage {
namespace {

// FNV-1a: stable across platforms and runs, so the same input gives the same
// pairs in the same order.
uint64_t fnv(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  return h;
}

// A key part's contribution, or nullopt when the record lacks it.
std::optional<uint64_t> part_key(const RecordSet& records, const KeyPart& part, size_t r) {
  const uint32_t id = records.value_id(static_cast<size_t>(part.field), r);
  if (id == kNull) return std::nullopt;
  const Value& v = records.value(static_cast<size_t>(part.field), id);
  constexpr uint64_t kBasis = 14695981039346656037ULL;
  switch (part.transform) {
    case KeyTransform::kValue:
      return v.valid ? std::optional<uint64_t>(id) : std::nullopt;
    case KeyTransform::kPhonetic:
      return v.phonetic.empty() ? std::nullopt : std::optional(fnv(kBasis, v.phonetic));
    case KeyTransform::kInitial:
      return v.text.empty() ? std::nullopt : std::optional<uint64_t>(static_cast<uint8_t>(v.text[0]));
    case KeyTransform::kYear:
      return v.year == 0 ? std::nullopt : std::optional<uint64_t>(static_cast<uint16_t>(v.year));
    case KeyTransform::kSector:
      return v.sector.empty() ? std::nullopt : std::optional(fnv(kBasis, v.sector));
    case KeyTransform::kDistrict:
      return v.district.empty() ? std::nullopt : std::optional(fnv(kBasis, v.district));
  }
  return std::nullopt;
}

struct Keyed {
  uint64_t key;
  uint32_t record;
  bool operator<(const Keyed& o) const {
    return key != o.key ? key < o.key : record < o.record;
  }
};

std::vector<Keyed> sorted_keys(const RecordSet& records, const BlockingRule& rule) {
  std::vector<Keyed> keyed;
  keyed.reserve(records.size());
  for (size_t r = 0; r < records.size(); ++r) {
    if (const uint64_t k = blocking_key(records, rule, r); k != 0) {
      keyed.push_back({k, static_cast<uint32_t>(r)});
    }
  }
  std::sort(keyed.begin(), keyed.end());
  return keyed;
}

// Calls emit(begin, end) for each run of records sharing a key.
template <typename Emit>
void for_each_block(const std::vector<Keyed>& keyed, Emit&& emit) {
  for (size_t i = 0; i < keyed.size();) {
    size_t j = i + 1;
    while (j < keyed.size() && keyed[j].key == keyed[i].key)
      ++j;
    if (j - i > 1) emit(i, j);
    i = j;
  }
}

}  // namespace

uint64_t blocking_key(const RecordSet& records, const BlockingRule& rule, size_t r) {
  uint64_t h = 0x51ED270B27A1F3C5ULL;
  for (const KeyPart& part : rule.parts) {
    const auto k = part_key(records, part, r);
    if (!k) return 0;
    h = mix(mix(h, static_cast<uint64_t>(part.field) << 8 | static_cast<uint64_t>(part.transform)),
            *k);
  }
  return h == 0 ? 1 : h;
}

Candidates block(const RecordSet& records, bool only_new) {
  const auto& rules = records.spec().blocking;
  const size_t max_block = records.spec().max_block_size;
  Candidates out;
  // keys[k][r]: record r's key under rule k, so a pair an earlier rule
  // already produced is recognised without a set of every pair.
  std::vector<std::vector<uint64_t>> keys(rules.size());
  std::vector<std::unordered_set<uint64_t>> skipped(rules.size());
  for (size_t k = 0; k < rules.size(); ++k) {
    BlockingStats stats{rules[k].name};
    std::vector<Keyed> keyed = sorted_keys(records, rules[k]);
    keys[k].assign(records.size(), 0);
    for (const Keyed& e : keyed)
      keys[k][e.record] = e.key;
    auto seen_earlier = [&](uint32_t a, uint32_t b) {
      for (size_t e = 0; e < k; ++e) {
        if (keys[e][a] != 0 && keys[e][a] == keys[e][b] && !skipped[e].contains(keys[e][a])) {
          return true;
        }
      }
      return false;
    };
    for_each_block(keyed, [&](size_t i, size_t j) {
      if (j - i > max_block) {
        ++stats.blocks_skipped;
        stats.records_skipped += static_cast<int64_t>(j - i);
        skipped[k].insert(keyed[i].key);
        return;
      }
      for (size_t x = i; x < j; ++x) {
        const uint32_t a = keyed[x].record;
        for (size_t y = x + 1; y < j; ++y) {
          const uint32_t b = keyed[y].record;
          if (only_new && records.child(a) != 0 && records.child(b) != 0) continue;
          if (seen_earlier(a, b)) continue;
          out.pairs.push_back({std::min(a, b), std::max(a, b)});
          ++stats.pairs;
        }
      }
    });
    out.stats.push_back(stats);
  }
  std::sort(out.pairs.begin(), out.pairs.end(),
            [](const Pair& x, const Pair& y) { return x.a != y.a ? x.a < y.a : x.b < y.b; });
  return out;
}

std::vector<Pair> block_for_training(const RecordSet& records, const BlockingRule& rule,
                                     int64_t max_pairs, uint64_t seed) {
  const std::vector<Keyed> keyed = sorted_keys(records, rule);
  const size_t max_block = records.spec().max_block_size;
  int64_t total = 0;
  for_each_block(keyed, [&](size_t i, size_t j) {
    if (j - i <= max_block) total += static_cast<int64_t>((j - i) * (j - i - 1) / 2);
  });
  // Bernoulli sampling keeps each pair with the same chance, so the sample
  // has the blocks' mix of matches and non-matches.
  const double keep = total <= max_pairs ? 1.0 : static_cast<double>(max_pairs) / total;
  SplitMix64 rng(seed);
  std::vector<Pair> pairs;
  for_each_block(keyed, [&](size_t i, size_t j) {
    if (j - i > max_block) return;
    for (size_t x = i; x < j; ++x) {
      for (size_t y = x + 1; y < j; ++y) {
        if (keep < 1.0 && !rng.chance(keep)) continue;
        const uint32_t a = keyed[x].record, b = keyed[y].record;
        pairs.push_back({std::min(a, b), std::max(a, b)});
      }
    }
  });
  // Bernoulli sampling lands near max_pairs, sometimes above: drop a random
  // few (Fisher-Yates on our own generator, so the sample is the same on
  // any platform), then restore the order.
  if (static_cast<int64_t>(pairs.size()) > max_pairs) {
    for (size_t i = pairs.size() - 1; i > 0; --i) {
      std::swap(pairs[i], pairs[static_cast<size_t>(rng.below(static_cast<int64_t>(i) + 1))]);
    }
    pairs.resize(static_cast<size_t>(max_pairs));
    std::sort(pairs.begin(), pairs.end(),
              [](const Pair& x, const Pair& y) { return x.a != y.a ? x.a < y.a : x.b < y.b; });
  }
  return pairs;
}

}  // namespace onechild::linkage
