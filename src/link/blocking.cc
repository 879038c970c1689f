#include "link/blocking.h"

#include <algorithm>
#include <unordered_set>

#include "core/random.h"

namespace onechild::linkage {
namespace {

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  return h;
}

// A key part's contribution for one value: never 0, so 0 can mean "no key"
// (value ids start at 1; hashes, letters and years are non-zero).
uint64_t value_key(const RecordSet& records, const KeyPart& part, uint32_t id) {
  if (id == kNull) return 0;
  const Value& v = records.value(static_cast<size_t>(part.field), id);
  switch (part.transform) {
    case KeyTransform::kValue:
      return v.valid ? id : 0;  // an NHS number that fails the check blocks nothing
    case KeyTransform::kPhonetic:
      return v.phonetic_hash;
    case KeyTransform::kInitial:
      return v.text.empty() ? 0 : static_cast<uint8_t>(v.text[0]);
    case KeyTransform::kYear:
      return static_cast<uint16_t>(v.year);
    case KeyTransform::kSector:
      return v.sector_hash;
    case KeyTransform::kDistrict:
      return v.district_hash;
  }
  return 0;
}

uint64_t combine(const BlockingRule& rule, const uint64_t* parts) {
  uint64_t h = 0x51ED270B27A1F3C5ULL;
  for (size_t p = 0; p < rule.parts.size(); ++p) {
    if (parts[p] == 0) return 0;
    const KeyPart& part = rule.parts[p];
    h = mix(mix(h, static_cast<uint64_t>(part.field) << 8 | static_cast<uint64_t>(part.transform)),
            parts[p]);
  }
  return h == 0 ? 1 : h;
}

struct Keyed {
  uint64_t key;
  uint32_t record;
  bool operator<(const Keyed& o) const { return key != o.key ? key < o.key : record < o.record; }
};

// Every record's key under a rule. Each part's contribution is worked out
// once per distinct value into a dense table, then looked up per record:
// a million records read a few small arrays rather than a million Values.
std::vector<uint64_t> all_keys(const RecordSet& records, const BlockingRule& rule) {
  std::vector<std::vector<uint64_t>> tables;
  for (const KeyPart& part : rule.parts) {
    std::vector<uint64_t> table(records.value_count(static_cast<size_t>(part.field)), 0);
    for (uint32_t id = 1; id < table.size(); ++id)
      table[id] = value_key(records, part, id);
    tables.push_back(std::move(table));
  }
  std::vector<uint64_t> keys(records.size(), 0);
  std::vector<uint64_t> parts(rule.parts.size());
  for (size_t r = 0; r < records.size(); ++r) {
    for (size_t p = 0; p < parts.size(); ++p)
      parts[p] = tables[p][records.value_id(static_cast<size_t>(rule.parts[p].field), r)];
    keys[r] = combine(rule, parts.data());
  }
  return keys;
}

std::vector<Keyed> sorted_keys(const std::vector<uint64_t>& keys) {
  std::vector<Keyed> keyed;
  keyed.reserve(keys.size());
  for (size_t r = 0; r < keys.size(); ++r) {
    if (keys[r] != 0) keyed.push_back({keys[r], static_cast<uint32_t>(r)});
  }
  std::sort(keyed.begin(), keyed.end());
  return keyed;
}

// Only the blocks that hold a new record: an incremental run over a large
// index sorts thousands of entries rather than millions.
std::vector<Keyed> keyed_with_new(const RecordSet& records, const std::vector<uint64_t>& keys) {
  // The new records' keys in an open-addressing table a quarter full: one
  // probe, in cache, for each of a million existing keys.
  size_t capacity = 16;
  for (size_t r = 0; r < records.size(); ++r) {
    if (records.child(r) == 0 && keys[r] != 0) capacity += 4;
  }
  size_t slots = 1;
  while (slots < capacity)
    slots <<= 1;
  std::vector<uint64_t> table(slots, 0);
  const auto slot_of = [&](uint64_t k) {
    size_t i = static_cast<size_t>(k * 0x9E3779B97F4A7C15ULL) & (slots - 1);
    while (table[i] != 0 && table[i] != k)
      i = (i + 1) & (slots - 1);
    return i;
  };
  bool any = false;
  for (size_t r = 0; r < records.size(); ++r) {
    if (records.child(r) == 0 && keys[r] != 0) {
      table[slot_of(keys[r])] = keys[r];
      any = true;
    }
  }
  std::vector<Keyed> keyed;
  if (!any) return keyed;
  for (size_t r = 0; r < records.size(); ++r) {
    if (keys[r] != 0 && table[slot_of(keys[r])] == keys[r]) {
      keyed.push_back({keys[r], static_cast<uint32_t>(r)});
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
  std::vector<uint64_t> parts;
  for (const KeyPart& part : rule.parts) {
    parts.push_back(value_key(records, part, records.value_id(static_cast<size_t>(part.field), r)));
  }
  return combine(rule, parts.data());
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
    keys[k] = all_keys(records, rules[k]);
    const std::vector<Keyed> keyed =
        only_new ? keyed_with_new(records, keys[k]) : sorted_keys(keys[k]);
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
  const std::vector<Keyed> keyed = sorted_keys(all_keys(records, rule));
  const size_t max_block = records.spec().max_block_size;
  int64_t total = 0;
  for_each_block(keyed, [&](size_t i, size_t j) {
    if (j - i <= max_block) total += static_cast<int64_t>((j - i) * (j - i - 1) / 2);
  });
  // Bernoulli sampling keeps each pair with the same chance, so the sample
  // has the blocks' mix of matches and non-matches.
  const double keep =
      total <= max_pairs ? 1.0 : static_cast<double>(max_pairs) / static_cast<double>(total);
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
