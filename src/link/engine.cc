#include "link/engine.h"

#include <chrono>
#include <cstdio>

#include "core/progress.h"
#include "link/parallel.h"

namespace onechild::linkage {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Stage messages for a person at a terminal; quiet in pipes and CI, as the
// progress bar is.
class Stages {
 public:
  explicit Stages(bool wanted) : on_(wanted && progress_wanted()) {}
  void say(const char* what, double seconds) const {
    if (on_) std::fprintf(stderr, "link: %-30s %7.1f s\n", what, seconds);
  }

 private:
  bool on_;
};

}  // namespace

EngineResult run_engine(const RecordSet& records, const Nicknames& nicknames,
                        EngineOptions options) {
  EngineResult result;
  const Stages stages(options.progress);
  const ModelSpec& spec = records.spec();
  const Comparer comparer(records, nicknames);

  auto start = std::chrono::steady_clock::now();
  if (options.stored) {
    result.params = std::move(*options.stored);
  } else {
    result.params = train(records, comparer, result.training);
    result.trained = true;
  }
  result.seconds.train = seconds_since(start);
  stages.say(result.trained ? "trained the model" : "reused the stored model",
             result.seconds.train);

  start = std::chrono::steady_clock::now();
  Candidates candidates = block(records, options.only_new);
  result.blocking = std::move(candidates.stats);
  result.candidate_pairs = static_cast<int64_t>(candidates.pairs.size());
  result.seconds.block = seconds_since(start);
  stages.say("found candidate pairs", result.seconds.block);

  start = std::chrono::steady_clock::now();
  std::vector<float> weights(candidates.pairs.size());
  {
    const Scorer scorer(records, comparer, result.params);
    parallel_chunks(candidates.pairs.size(), [&](size_t begin, size_t end, size_t) {
      for (size_t i = begin; i < end; ++i) {
        weights[i] =
            static_cast<float>(scorer.weight(candidates.pairs[i].a, candidates.pairs[i].b));
      }
    });
  }
  if (result.trained && !spec.prior && records.size() > 1) {
    const double n = static_cast<double>(records.size());
    result.params.prior = estimate_prior(weights, n * (n - 1) / 2, 1.0 / n);
  }
  const Scorer scorer(records, comparer, result.params);
  result.auto_weight = scorer.weight_for_probability(spec.auto_link);
  result.review_weight = scorer.weight_for_probability(spec.review);
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] >= result.review_weight) {
      result.scored.push_back({candidates.pairs[i].a, candidates.pairs[i].b, weights[i]});
    }
  }
  result.seconds.score = seconds_since(start);
  stages.say("scored the pairs", result.seconds.score);

  start = std::chrono::steady_clock::now();
  ClusterOptions cluster_options{result.auto_weight,
                                 result.review_weight,
                                 {},
                                 spec.chain_duplicates,
                                 [&](uint32_t a, uint32_t b) { return scorer.weight(a, b); }};
  for (const std::string& source : records.sources())
    cluster_options.source_repeats_people.push_back(spec.source_has_duplicates(source));
  result.clustering = cluster(records, result.scored, options.decisions, cluster_options);
  result.seconds.cluster = seconds_since(start);
  stages.say("clustered", result.seconds.cluster);
  return result;
}

}  // namespace onechild::linkage
