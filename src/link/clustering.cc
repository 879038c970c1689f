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
// common" before looking at members). It works on the records the pairs
// touch (and the rest of their children), numbered locally: an incremental
// run over a million-record index clusters thousands, not millions.
class Clusters {
 public:
  Clusters(const RecordSet& records, const ClusterOptions& options, std::vector<uint32_t> global)
      : records_(records),
        options_(options),
        global_(std::move(global)),
        parent_(global_.size()),
        members_(global_.size()),
        child_(global_.size()),
        feeds_(global_.size()),
        cannot_(global_.size()) {
    for (uint32_t r = 0; r < global_.size(); ++r) {
      parent_[r] = r;
      members_[r] = {r};
      child_[r] = records.child(global_[r]);
      feeds_[r] = uint64_t{1} << (records.source(global_[r]) % 64);
    }
  }

  uint32_t global(uint32_t local) const { return global_[local]; }
  size_t size() const { return global_.size(); }
  void cannot_link(uint32_t a, uint32_t b) {
    cannot_[a].push_back(b);
    cannot_[b].push_back(a);
  }

  uint32_t find(uint32_t r) {
    while (parent_[r] != r) {
      parent_[r] = parent_[parent_[r]];
      r = parent_[r];
    }
    return r;
  }

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
        const uint16_t source = records_.source(global_[a]);
        if (source != records_.source(global_[b])) continue;
        if (!options_.source_repeats_people[source]) return Verdict::kOnePerFeed;
        if (!for_review && !options_.chain_duplicates &&
            options_.weight(global_[a], global_[b]) < options_.review_weight) {
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
  std::vector<uint32_t> global_;  // local index -> record
  std::vector<uint32_t> parent_;
  std::vector<std::vector<uint32_t>> members_;
  std::vector<int64_t> child_;
  std::vector<uint64_t> feeds_;
  std::vector<std::vector<uint32_t>> cannot_;
};

}  // namespace

namespace {

// The records clustering must consider: those in a pair or a decision, and
// every other record of the children they already belong to (a child's
// feeds and decisions bind as a whole).
std::vector<uint32_t> active_records(const RecordSet& records, const std::vector<ScoredPair>& pairs,
                                     const std::vector<Decision>& decisions) {
  std::vector<bool> active(records.size(), false);
  for (const ScoredPair& p : pairs)
    active[p.a] = active[p.b] = true;
  for (const Decision& d : decisions)
    active[d.a] = active[d.b] = true;
  std::unordered_set<int64_t> children;
  for (uint32_t r = 0; r < records.size(); ++r) {
    if (active[r] && records.child(r) != 0) children.insert(records.child(r));
  }
  std::vector<uint32_t> out;
  for (uint32_t r = 0; r < records.size(); ++r) {
    if (active[r] || (records.child(r) != 0 && children.contains(records.child(r)))) {
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace

Clustering cluster(const RecordSet& records, const std::vector<ScoredPair>& global_pairs,
                   const std::vector<Decision>& global_decisions, const ClusterOptions& options) {
  Clustering out;
  Clusters clusters(records, options, active_records(records, global_pairs, global_decisions));
  std::vector<uint32_t> local_of(records.size(), UINT32_MAX);
  for (uint32_t l = 0; l < clusters.size(); ++l)
    local_of[clusters.global(l)] = l;
  std::vector<ScoredPair> pairs;
  pairs.reserve(global_pairs.size());
  for (const ScoredPair& p : global_pairs)
    pairs.push_back({local_of[p.a], local_of[p.b], p.weight});
  std::vector<Decision> decisions;
  for (const Decision& d : global_decisions) {
    decisions.push_back({local_of[d.a], local_of[d.b], d.same});
    if (!d.same) clusters.cannot_link(local_of[d.a], local_of[d.b]);
  }

  // Records already in one child start together.
  std::unordered_map<int64_t, uint32_t> first_of_child;
  for (uint32_t r = 0; r < clusters.size(); ++r) {
    const int64_t child = records.child(clusters.global(r));
    if (child == 0) continue;
    auto [it, added] = first_of_child.try_emplace(child, r);
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
  // Strongest first; ties in record order, so the result is the same
  // whichever way the pairs arrived.
  std::sort(strong.begin(), strong.end(), [&](const ScoredPair& x, const ScoredPair& y) {
    if (x.weight != y.weight) return x.weight > y.weight;
    const uint32_t xa = clusters.global(x.a), ya = clusters.global(y.a);
    return xa != ya ? xa < ya : clusters.global(x.b) < clusters.global(y.b);
  });
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
    const uint32_t x = clusters.find(c.a), y = clusters.find(c.b);
    if (x == y) continue;
    const auto verdict = clusters.may_join(x, y, true);
    if (verdict != Clusters::Verdict::kAllowed && verdict != Clusters::Verdict::kExisting) continue;
    c.existing_children = verdict == Clusters::Verdict::kExisting;
    c.a = clusters.global(c.a);
    c.b = clusters.global(c.b);
    const auto key = std::pair{clusters.global(std::min(x, y)), clusters.global(std::max(x, y))};
    auto [it, added] = best.try_emplace(key, c);
    if (!added && (c.weight > it->second.weight ||
                   (c.weight == it->second.weight &&
                    std::pair{c.a, c.b} < std::pair{it->second.a, it->second.b}))) {
      it->second = c;
    }
  }
  for (const auto& [key, c] : best)
    out.review.push_back(c);
  std::sort(out.review.begin(), out.review.end(),
            [](const ReviewCandidate& x, const ReviewCandidate& y) {
              if (x.weight != y.weight) return x.weight > y.weight;
              return x.a != y.a ? x.a < y.a : x.b < y.b;
            });

  // Untouched records stay as they are: each its own representative, or in
  // its child (the writer keeps an existing child's id either way).
  out.root.resize(records.size());
  for (uint32_t r = 0; r < records.size(); ++r)
    out.root[r] = r;
  for (uint32_t l = 0; l < clusters.size(); ++l)
    out.root[clusters.global(l)] = clusters.global(clusters.find(l));
  return out;
}

}  // namespace onechild::linkage
