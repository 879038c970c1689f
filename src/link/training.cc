#include "link/training.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/random.h"
#include "link/parallel.h"

namespace onechild::linkage {
namespace {

using Counts = std::vector<std::vector<double>>;  // [field][code]

Counts zero_counts(const Parameters& p) {
  Counts c;
  for (const auto& f : p.m)
    c.emplace_back(f.size(), 0.0);
  return c;
}

// Where nothing was seen, a small floor rather than zero: a level that
// never happened in a sample can still happen.
void normalise_row(std::vector<double>& row, double floor) {
  double total = 0;
  for (size_t code = 1; code < row.size(); ++code)
    total += row[code];
  for (size_t code = 1; code < row.size(); ++code) {
    row[code] =
        total > 0 ? std::max(row[code] / total, floor) : 1.0 / static_cast<double>(row.size() - 1);
  }
}

// Exact agreement between two different records by chance, from value
// counts: sum over values of c(c-1) / (n(n-1)). Only valid values count,
// as only they can fall in an exact level.
double exact_by_chance(const RecordSet& records, size_t field) {
  const double n = records.present(field);
  if (n < 2) return 0;
  double same = 0;
  for (uint32_t id = 1; id < records.value_count(field); ++id) {
    const Value& v = records.value(field, id);
    if (v.valid) same += static_cast<double>(v.count) * (v.count - 1);
  }
  return same / (n * (n - 1));
}

void estimate_u(const RecordSet& records, const Comparer& comparer, int64_t samples, uint64_t seed,
                Parameters& params) {
  const ModelSpec& spec = records.spec();
  const size_t n = records.size();
  const size_t workers = worker_count();
  std::vector<Counts> partial(workers, zero_counts(params));
  // Each chunk draws from its own stream, so the sample does not depend on
  // how many threads there are... for a fixed machine. Chunk boundaries
  // depend on the thread count, so seed by pair index, not by chunk.
  parallel_chunks(static_cast<size_t>(samples), [&](size_t begin, size_t end, size_t w) {
    for (size_t i = begin; i < end; ++i) {
      SplitMix64 rng(seed * 0x9E3779B97F4A7C15ULL + i);
      const auto a = static_cast<size_t>(rng.below(static_cast<int64_t>(n)));
      auto b = static_cast<size_t>(rng.below(static_cast<int64_t>(n - 1)));
      if (b >= a) ++b;
      for (size_t f = 0; f < spec.fields.size(); ++f)
        partial[w][f][comparer.level(f, a, b)] += 1;
    }
  });
  Counts counts = zero_counts(params);
  for (const Counts& c : partial) {
    for (size_t f = 0; f < c.size(); ++f) {
      for (size_t code = 0; code < c[f].size(); ++code)
        counts[f][code] += c[f][code];
    }
  }
  for (size_t f = 0; f < spec.fields.size(); ++f) {
    std::vector<double>& row = counts[f];
    double seen = 0;
    for (size_t code = 1; code < row.size(); ++code)
      seen += row[code];
    const double floor = 0.5 / std::max(seen, 1.0);
    const auto& levels = spec.fields[f].levels;
    if (levels.front().compare == Comparator::kExact) {
      // Replace the sampled exact share by the exact one; rescale the rest.
      const double exact = exact_by_chance(records, f);
      row[1] = 0;
      normalise_row(row, floor);
      row[1] = 0;
      double rest = 0;
      for (size_t code = 2; code < row.size(); ++code)
        rest += row[code];
      for (size_t code = 2; code < row.size(); ++code)
        row[code] = rest > 0 ? row[code] * (1.0 - exact) / rest : 0;
      row[1] = std::max(exact, 1e-12);
    } else {
      normalise_row(row, floor);
    }
    for (size_t i = 0; i < levels.size(); ++i) {
      if (levels[i].u) row[i + 1] = *levels[i].u;
    }
    params.u[f] = row;
  }
}

// Where EM starts m: most matches agree exactly, a few fall in each fuzzy
// level, fewer still in "else".
void default_m(const ModelSpec& spec, Parameters& params) {
  for (size_t f = 0; f < spec.fields.size(); ++f) {
    auto& row = params.m[f];
    const size_t levels = row.size() - 2;  // configured levels
    row[1] = levels == 1 ? 0.95 : 0.85;
    for (size_t code = 2; code <= levels; ++code)
      row[code] = 0.12 / static_cast<double>(levels - 1);
    row[levels + 1] = levels == 1 ? 0.05 : 0.03;
    for (size_t i = 0; i < levels; ++i) {
      if (spec.fields[f].levels[i].m) row[i + 1] = *spec.fields[f].levels[i].m;
    }
  }
}

std::vector<PatternCount> count_patterns(const Comparer& comparer, const std::vector<Pair>& pairs) {
  const size_t workers = worker_count();
  std::vector<std::unordered_map<LevelVector, double>> partial(workers);
  parallel_chunks(pairs.size(), [&](size_t begin, size_t end, size_t w) {
    for (size_t i = begin; i < end; ++i)
      partial[w][comparer.levels(pairs[i].a, pairs[i].b)] += 1;
  });
  std::unordered_map<LevelVector, double> all;
  for (const auto& p : partial) {
    for (const auto& [levels, n] : p)
      all[levels] += n;
  }
  std::vector<PatternCount> out;
  out.reserve(all.size());
  for (const auto& [levels, n] : all)
    out.push_back({levels, n});
  // A fixed order, so sums (and so the estimates) do not depend on hashing.
  std::sort(out.begin(), out.end(),
            [](const PatternCount& x, const PatternCount& y) { return x.levels < y.levels; });
  return out;
}

}  // namespace

EmSession expectation_maximisation(const ModelSpec& spec, const std::vector<PatternCount>& patterns,
                                   const std::vector<bool>& excluded, Parameters& params,
                                   double& match_share) {
  EmSession session;
  for (const auto& p : patterns)
    session.pairs += static_cast<int64_t>(p.count);
  const size_t fields = spec.fields.size();
  for (int it = 0; it < spec.em_max_iterations; ++it) {
    Counts m_new = zero_counts(params), u_new = zero_counts(params);
    double matches = 0, total = 0;
    for (const PatternCount& p : patterns) {
      double pm = match_share, pu = 1.0 - match_share;
      for (size_t f = 0; f < fields; ++f) {
        const uint8_t code = level_at(p.levels, f);
        if (excluded[f] || code == kNullLevel) continue;
        pm *= params.m[f][code];
        pu *= params.u[f][code];
      }
      const double posterior = pm + pu > 0 ? pm / (pm + pu) : 0;
      matches += p.count * posterior;
      total += p.count;
      for (size_t f = 0; f < fields; ++f) {
        const uint8_t code = level_at(p.levels, f);
        if (excluded[f] || code == kNullLevel) continue;
        m_new[f][code] += p.count * posterior;
        u_new[f][code] += p.count * (1 - posterior);
      }
    }
    double change = std::abs(matches / std::max(total, 1.0) - match_share);
    match_share = std::clamp(matches / std::max(total, 1.0), 1e-9, 1 - 1e-9);
    for (size_t f = 0; f < fields; ++f) {
      if (excluded[f]) continue;
      // Half a pair of pseudo-count in every level: a level no match fell
      // in within this sample is rare, not impossible, and must not veto a
      // link by itself (a weight of minus infinity).
      for (size_t code = 1; code < m_new[f].size(); ++code) {
        m_new[f][code] += 0.5;
        u_new[f][code] += 0.5;
      }
      normalise_row(m_new[f], 1e-9);
      normalise_row(u_new[f], 1e-9);
      for (size_t code = 1; code < m_new[f].size(); ++code) {
        const Level* level =
            code <= spec.fields[f].levels.size() ? &spec.fields[f].levels[code - 1] : nullptr;
        if (level != nullptr && level->m) m_new[f][code] = *level->m;
        if (level != nullptr && level->u) u_new[f][code] = *level->u;
        change = std::max(change, std::abs(m_new[f][code] - params.m[f][code]));
      }
      params.m[f] = m_new[f];
      params.u[f] = u_new[f];
    }
    session.iterations = it + 1;
    if (change < spec.em_tolerance) {
      session.converged = true;
      break;
    }
  }
  session.match_share = match_share;
  return session;
}

Parameters train(const RecordSet& records, const Comparer& comparer, TrainingReport& report) {
  const ModelSpec& spec = records.spec();
  Parameters params = Parameters::sized_for(spec);
  params.prior = spec.prior.value_or(1e-4);
  default_m(spec, params);
  for (auto& row : params.u)
    normalise_row(row, 0);  // all zero: every level equally likely until estimated
  if (records.size() < 2) {
    apply_fixed(spec, params);
    return params;
  }
  report.u_pairs = spec.u_sample_pairs;
  estimate_u(records, comparer, spec.u_sample_pairs, spec.seed, params);

  Counts m_sum = zero_counts(params);
  std::vector<int> trained(spec.fields.size(), 0);
  for (int r : spec.training_rules) {
    const BlockingRule& rule = spec.blocking[static_cast<size_t>(r)];
    const auto pairs = block_for_training(records, rule, spec.training_max_pairs,
                                          spec.seed + static_cast<uint64_t>(r));
    std::vector<bool> excluded(spec.fields.size(), false);
    for (const KeyPart& part : rule.parts)
      excluded[static_cast<size_t>(part.field)] = true;
    Parameters session_params = params;  // each rule starts from the defaults
    double share = 0.1;
    EmSession session = expectation_maximisation(spec, count_patterns(comparer, pairs), excluded,
                                                 session_params, share);
    session.rule = rule.name;
    report.sessions.push_back(session);
    if (session.pairs == 0) continue;
    for (size_t f = 0; f < spec.fields.size(); ++f) {
      if (excluded[f]) continue;
      ++trained[f];
      for (size_t code = 1; code < m_sum[f].size(); ++code)
        m_sum[f][code] += session_params.m[f][code];
    }
  }
  for (size_t f = 0; f < spec.fields.size(); ++f) {
    if (trained[f] == 0) {
      report.untrained_fields.push_back(spec.fields[f].name);
      continue;
    }
    for (size_t code = 1; code < m_sum[f].size(); ++code)
      params.m[f][code] = m_sum[f][code] / trained[f];
    normalise_row(params.m[f], spec.m_floor);
  }
  apply_fixed(spec, params);
  return params;
}

void apply_fixed(const ModelSpec& spec, Parameters& params) {
  for (size_t f = 0; f < spec.fields.size(); ++f) {
    const auto& levels = spec.fields[f].levels;
    bool all_m = true, all_u = true;
    double sum_m = 0, sum_u = 0;
    for (size_t i = 0; i < levels.size(); ++i) {
      if (levels[i].m) params.m[f][i + 1] = *levels[i].m;
      if (levels[i].u) params.u[f][i + 1] = *levels[i].u;
      all_m = all_m && levels[i].m.has_value();
      all_u = all_u && levels[i].u.has_value();
      sum_m += levels[i].m.value_or(0);
      sum_u += levels[i].u.value_or(0);
    }
    // Every level fixed: "else" is what is left.
    const size_t other = levels.size() + 1;
    if (all_m) params.m[f][other] = std::max(1.0 - sum_m, 1e-9);
    if (all_u) params.u[f][other] = std::max(1.0 - sum_u, 1e-9);
  }
}

double estimate_prior(const std::vector<float>& weights, double total_pairs, double start) {
  // Weights to the nearest 1/64 bit: a few thousand bins instead of tens of
  // millions of pairs per iteration, and far finer than the thresholds.
  std::unordered_map<int64_t, double> bins;
  for (float w : weights)
    bins[std::llround(w * 64.0)] += 1;
  std::vector<std::pair<double, double>> histogram;
  histogram.reserve(bins.size());
  for (const auto& [bin, n] : bins)
    histogram.emplace_back(static_cast<double>(bin) / 64.0, n);
  std::sort(histogram.begin(), histogram.end());
  double prior = start;
  for (int it = 0; it < 500; ++it) {
    const double prior_weight = std::log2(prior / (1.0 - prior));
    double expected = 0;
    for (const auto& [w, n] : histogram)
      expected += n / (1.0 + std::exp2(-(w + prior_weight)));
    const double next = std::clamp(expected / std::max(total_pairs, 1.0), 1e-15, 0.5);
    if (std::abs(std::log(next / prior)) < 1e-7) return next;
    prior = next;
  }
  return prior;
}

}  // namespace onechild::linkage
