#include "link/clustering.h"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace onechild::linkage {
namespace {

uint64_t pair_key(uint32_t a, uint32_t b) {
  return static_cast<uint64_t>(std::min(a, b)) << 32 | std::max(a, b);
}

// Union-find whose roots carry what the constraints need: the members, the
// existing child, and a mask of the feeds present (a quick "no feed in
// common" before looking at members).
class Clusters {
 public:
  Clusters(const RecordSet& records, const ClusterOptions& options,
           const std::vector<Decision>& decisions)
      : records_(records),
        options_(options),
        parent_(records.size()),
        members_(records.size()),
        child_(records.size()),
        feeds_(records.size()),
        cannot_(records.size()) {
    for (uint32_t r = 0; r < records.size(); ++r) {
      parent_[r] = r;
      members_[r] = {r};
      child_[r] = records.child(r);
      feeds_[r] = uint64_t{1} << (records.source(r) % 64);
    }
    for (const Decision& d : decisions) {
      if (!d.same) {
        cannot_[d.a].push_back(d.b);
        cannot_[d.b].push_back(d.a);
      }
    }
  }

  uint32_t find(uint32_t r) {
    while (parent_[r] != r) {
      parent_[r] = parent_[parent_[r]];
      r = parent_[r];
    }
    return r;
  }

  int64_t child(uint32_t root) const { return child_[root]; }

  enum class Verdict { kAllowed, kOnePerFeed, kDecision, kExisting };

  // Whether clusters x and y (roots) may become one. for_review relaxes the
  // repeat-feed rule: a person is about to look at the pair.
  Verdict may_join(uint32_t x, uint32_t y, bool for_review) const {
    // A person's "different" first: it holds even where the pair would
    // otherwise go to review.
    const auto& small = members_[x].size() <= members_[y].size() ? members_[x] : members_[y];
    const uint32_t other = &small == &members_[x] ? y : x;
    for (uint32_t r : small) {
      for (uint32_t partner : cannot_[r]) {
        if (root_of(partner) == other) return Verdict::kDecision;
      }
    }
    if (child_[x] != 0 && child_[y] != 0 && child_[x] != child_[y]) return Verdict::kExisting;
    if ((feeds_[x] & feeds_[y]) == 0) return Verdict::kAllowed;
    for (uint32_t a : members_[x]) {
      for (uint32_t b : members_[y]) {
        if (records_.source(a) != records_.source(b)) continue;
        if (!options_.source_repeats_people[records_.source(a)]) return Verdict::kOnePerFeed;
        if (!for_review && !options_.chain_duplicates &&
            options_.weight(a, b) < options_.review_weight) {
          return Verdict::kOnePerFeed;
        }
      }
    }
    return Verdict::kAllowed;
  }

  // Joins y into x (or the other way round, keeping the larger); returns the new root.
  uint32_t join(uint32_t x, uint32_t y, std::vector<ChildMerge>& merges) {
    if (members_[x].size() < members_[y].size()) std::swap(x, y);
    if (child_[x] != 0 && child_[y] != 0 && child_[x] != child_[y]) {
      // Only a person's "same" decision gets here. The older child (lower id) stays.
      const int64_t keep = std::min(child_[x], child_[y]);
      merges.push_back({std::max(child_[x], child_[y]), keep});
      child_[x] = keep;
    } else if (child_[x] == 0) {
      child_[x] = child_[y];
    }
    parent_[y] = x;
    members_[x].insert(members_[x].end(), members_[y].begin(), members_[y].end());
    members_[y].clear();
    members_[y].shrink_to_fit();
    feeds_[x] |= feeds_[y];
    return x;
  }

 private:
  uint32_t root_of(uint32_t r) const {
    while (parent_[r] != r)
      r = parent_[r];
    return r;
  }

  const RecordSet& records_;
  const ClusterOptions& options_;
  std::vector<uint32_t> parent_;
  std::vector<std::vector<uint32_t>> members_;
  std::vector<int64_t> child_;
  std::vector<uint64_t> feeds_;
  std::vector<std::vector<uint32_t>> cannot_;
};

bool stronger(const ScoredPair& x, const ScoredPair& y) {
  if (x.weight != y.weight) return x.weight > y.weight;
  return x.a != y.a ? x.a < y.a : x.b < y.b;
}

}  // namespace

Clustering cluster(const RecordSet& records, const std::vector<ScoredPair>& pairs,
                   const std::vector<Decision>& decisions, const ClusterOptions& options) {
  Clustering out;
  Clusters clusters(records, options, decisions);

  // Records already in one child start together.
  std::unordered_map<int64_t, uint32_t> first_of_child;
  for (uint32_t r = 0; r < records.size(); ++r) {
    if (records.child(r) == 0) continue;
    auto [it, added] = first_of_child.try_emplace(records.child(r), r);
    if (!added) clusters.join(clusters.find(it->second), clusters.find(r), out.merges);
  }
  std::unordered_set<uint64_t> decided;
  for (const Decision& d : decisions) {
    decided.insert(pair_key(d.a, d.b));
    if (!d.same) continue;
    const uint32_t x = clusters.find(d.a), y = clusters.find(d.b);
    if (x != y) clusters.join(x, y, out.merges);
  }

  std::vector<ScoredPair> strong;
  for (const ScoredPair& p : pairs) {
    if (p.weight >= options.auto_weight) strong.push_back(p);
  }
  std::sort(strong.begin(), strong.end(), stronger);
  out.auto_pairs = static_cast<int64_t>(strong.size());
  std::vector<ReviewCandidate> candidates;
  for (const ScoredPair& p : strong) {
    const uint32_t x = clusters.find(p.a), y = clusters.find(p.b);
    if (x == y) continue;
    switch (clusters.may_join(x, y, false)) {
      case Clusters::Verdict::kAllowed:
        clusters.join(x, y, out.merges);
        break;
      case Clusters::Verdict::kOnePerFeed:
        ++out.refused_one_per_feed;
        // A repeat feed's pair not directly auto-linked: a person can say.
        if (clusters.may_join(x, y, true) == Clusters::Verdict::kAllowed) {
          candidates.push_back({p.a, p.b, p.weight, false});
        }
        break;
      case Clusters::Verdict::kDecision:
        ++out.refused_by_decision;
        break;
      case Clusters::Verdict::kExisting:
        ++out.refused_existing;
        candidates.push_back({p.a, p.b, p.weight, true});
        break;
    }
  }
  for (const ScoredPair& p : pairs) {
    if (p.weight >= options.review_weight && p.weight < options.auto_weight) {
      candidates.push_back({p.a, p.b, p.weight, false});
    }
  }

  // One review item per two clusters: the strongest pair between them.
  std::map<std::pair<uint32_t, uint32_t>, ReviewCandidate> best;
  for (ReviewCandidate c : candidates) {
    if (decided.contains(pair_key(c.a, c.b))) continue;
    uint32_t x = clusters.find(c.a), y = clusters.find(c.b);
    if (x == y) continue;
    const auto verdict = clusters.may_join(x, y, true);
    if (verdict != Clusters::Verdict::kAllowed && verdict != Clusters::Verdict::kExisting) continue;
    c.existing_children = verdict == Clusters::Verdict::kExisting;
    auto [it, added] = best.try_emplace({std::min(x, y), std::max(x, y)}, c);
    if (!added && c.weight > it->second.weight) it->second = c;
  }
  for (const auto& [key, c] : best)
    out.review.push_back(c);
  std::sort(out.review.begin(), out.review.end(),
            [](const ReviewCandidate& x, const ReviewCandidate& y) {
              return x.weight != y.weight ? x.weight > y.weight : x.a < y.a;
            });

  out.root.resize(records.size());
  for (uint32_t r = 0; r < records.size(); ++r)
    out.root[r] = clusters.find(r);
  return out;
}

}  // namespace onechild::linkage
