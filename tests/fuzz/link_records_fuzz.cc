// Linkage's record set, comparison, scoring and blocking on arbitrary values: one record per
// line, values separated by '|', in the order of the model's fields (a field of every kind, and
// every comparator). Never crash; level codes stay within each field's range and do not depend
// on the order of the pair; weights are finite; blocking gives each pair once.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "link/blocking.h"
#include "link/comparison.h"
#include "link/model.h"
#include "link/nicknames.h"
#include "link/records.h"
#include "link/scoring.h"
#include "link/training.h"

namespace {

using namespace onechild::linkage;

constexpr std::string_view kModel = R"toml(
[model]
name = "fuzz"
max_block_size = 50

[[field]]
name = "given_name"
kind = "name"
tf_minimum = 0.01
levels = [
  { compare = "exact", tf = true, m = 0.8, u = 0.01 },
  { compare = "swap_with", with = "family_name", m = 0.01, u = 0.0001 },
  { compare = "nickname", m = 0.03, u = 0.001 },
  { compare = "jaro_winkler", threshold = 0.9, m = 0.05, u = 0.01 },
  { compare = "any_part", m = 0.02, u = 0.005 },
  { compare = "phonetic", m = 0.02, u = 0.01 },
  { compare = "damerau_levenshtein", threshold = 2, m = 0.02, u = 0.02 },
  { compare = "initial", m = 0.01, u = 0.05 },
]

[[field]]
name = "family_name"
kind = "name"
levels = [
  { compare = "exact", tf = true, m = 0.85, u = 0.01 },
  { compare = "any_part", m = 0.05, u = 0.005 },
  { compare = "jaro_winkler", threshold = 0.8, m = 0.05, u = 0.05 },
]

[[field]]
name = "birth_date"
kind = "date"
levels = [
  { compare = "exact", m = 0.9, u = 0.001 },
  { compare = "day_month_swap", m = 0.02, u = 0.0001 },
  { compare = "within_days", threshold = 3, m = 0.02, u = 0.002 },
  { compare = "year_off", threshold = 2, m = 0.02, u = 0.002 },
  { compare = "damerau_levenshtein", threshold = 1, m = 0.02, u = 0.01 },
  { compare = "jaro_winkler", threshold = 0.9, m = 0.01, u = 0.05 },
]

[[field]]
name = "postcode"
kind = "postcode"
levels = [
  { compare = "exact", m = 0.7, u = 0.001 },
  { compare = "sector", m = 0.1, u = 0.005 },
  { compare = "district", m = 0.1, u = 0.02 },
  { compare = "area", m = 0.05, u = 0.1 },
  { compare = "initial", m = 0.02, u = 0.2 },
]

[[field]]
name = "sex"
kind = "sex"
levels = [ { compare = "exact", m = 0.98, u = 0.5 } ]

[[field]]
name = "nhs_number"
kind = "nhs_number"
levels = [
  { compare = "exact", m = 0.9, u = 0.00001 },
  { compare = "damerau_levenshtein", threshold = 1, m = 0.05, u = 0.0001 },
]

[[field]]
name = "note"
kind = "text"
levels = [
  { compare = "exact", tf = true, m = 0.5, u = 0.1 },
  { compare = "damerau_levenshtein", threshold = 3, m = 0.2, u = 0.2 },
]

[[blocking]]
keys = ["nhs_number"]
[[blocking]]
keys = ["birth_date", "family_name:phonetic"]
[[blocking]]
keys = ["given_name:initial", "birth_date:year", "postcode:sector"]
[[blocking]]
keys = ["postcode:district", "note"]
)toml";

constexpr std::string_view kNicknames = "william,will,bill,billy,liam\nelizabeth,beth,liz,eliza\n";

void check(bool condition) {
  if (!condition) std::abort();
}

struct Setup {
  Setup()
      : spec(std::move(ModelSpec::parse(kModel, "fuzz.toml")).value()),
        nicknames(std::move(Nicknames::parse(kNicknames, "nicknames.csv")).value()),
        params(Parameters::sized_for(spec)) {
    apply_fixed(spec, params);
    params.prior = 0.001;
  }
  ModelSpec spec;
  Nicknames nicknames;
  Parameters params;
};

const Setup& setup() {
  static const Setup instance;
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Setup& s = setup();
  const size_t fields = s.spec.fields.size();
  std::string_view text(reinterpret_cast<const char*>(data), size);

  RecordSet records(s.spec);
  static constexpr std::string_view kSources[] = {"gp", "school", "acute"};
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    std::vector<std::optional<std::string_view>> values;
    while (values.size() < fields) {
      const size_t bar = line.find('|');
      values.emplace_back(line.substr(0, bar));
      if (bar == std::string_view::npos) break;
      line.remove_prefix(bar + 1);
    }
    const size_t r = records.size();
    records.add(kSources[r % 3], static_cast<int64_t>(r) + 1, r % 4 == 0 ? 7 : 0, values);
  }

  for (size_t f = 0; f < fields; ++f) {
    check(records.present(f) <= records.size());
    for (uint32_t id = 1; id < records.value_count(f); ++id) {
      const double freq = records.frequency(f, id);
      check(freq > 0 && freq <= 1);
    }
  }
  check(records.nhs_invalid() + records.nhs_test_range() <= static_cast<int64_t>(records.size()));

  const Comparer comparer(records, s.nicknames);
  const Scorer scorer(records, comparer, s.params);
  const size_t n = std::min<size_t>(records.size(), 20);
  for (size_t a = 0; a < n; ++a) {
    for (size_t b = 0; b < n; ++b) {
      if (a == b) continue;
      const LevelVector levels = comparer.levels(a, b);
      for (size_t f = 0; f < fields; ++f) {
        const uint8_t code = level_at(levels, f);
        check(code <= comparer.else_level(f));
        check(code == comparer.level(f, a, b));
        check(code == comparer.level(f, b, a));
        check((code == kNullLevel) ==
              (records.value_id(f, a) == kNull || records.value_id(f, b) == kNull));
      }
      const double w = scorer.weight(a, b);
      check(std::isfinite(w));
      check(w == scorer.weight_of(levels, a));
      check(std::isfinite(scorer.probability(w)));
      for (const Evidence& e : scorer.explain(a, b))
        check(std::isfinite(e.weight) && !e.label.empty());
    }
  }

  const Candidates candidates = block(records, false);
  int64_t counted = 0;
  for (const BlockingStats& stats : candidates.stats)
    counted += stats.pairs;
  check(counted == static_cast<int64_t>(candidates.pairs.size()));
  for (size_t i = 0; i < candidates.pairs.size(); ++i) {
    const Pair& p = candidates.pairs[i];
    check(p.a < p.b && p.b < records.size());
    if (i > 0) {
      const Pair& q = candidates.pairs[i - 1];
      check(q.a < p.a || (q.a == p.a && q.b < p.b));  // sorted, no repeats
    }
  }
  return 0;
}
