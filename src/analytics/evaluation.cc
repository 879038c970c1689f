#include "analytics/evaluation.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "analytics/conditions.h"
#include "core/csv.h"
#include "core/random.h"
#include "programmes/schedule.h"

namespace onechild {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum Outcome : size_t { kEd, kOutpatient, kEmergencyAdmission, kOutcomes };
constexpr const char* kOutcomeIds[kOutcomes] = {"ed-attendances", "outpatient-appointments",
                                                "emergency-admissions"};
constexpr const char* kOutcomeNames[kOutcomes] = {"ED attendances", "Outpatient appointments",
                                                  "Emergency admissions"};

EventMatcher matcher(std::string kind, std::vector<std::string> codes = {},
                     std::vector<std::string> statuses = {}) {
  EventMatcher m;
  m.kind = std::move(kind);
  m.codes = std::move(codes);
  m.statuses = std::move(statuses);
  return m;
}

// Every appointment booked, whatever its outcome: the hub changes how often
// children are referred and booked, not whether they are brought, so
// counting only attended ones would mix the hub's effect with any change in
// missed appointments. Emergency admissions: admission method 21-2D, 28.
std::array<EventMatcher, kOutcomes> outcome_matchers() {
  return {matcher("ed-attendance"), matcher("outpatient-appointment"),
          matcher("admission", {}, {"2*"})};
}

// One hub start date: its windows as day numbers.
struct Window {
  Date hub_start;
  Day start = 0, index = 0, end = 0;  // before: [start, index), after: [index, end)
  double years_before() const { return (index - start) / 365.25; }
  double years_after() const { return (end - index) / 365.25; }
};

Window window_of(Date hub_start, int months) {
  return {hub_start, to_day(add_months(hub_start, -months)), to_day(hub_start),
          to_day(add_months(hub_start, months))};
}

// A child's events per outcome, before ([2k]) and after ([2k + 1]).
using Counts = std::array<int32_t, 2 * kOutcomes>;

// The matching strata: (hub start, age band, IMD quintile, condition),
// numbered so that their order is the same in every run.
using StratumKey = uint32_t;
constexpr uint32_t kStrataPerWindow = 4 * 6 * 2;
StratumKey stratum_key(size_t window, int age, int imd_decile, bool condition) {
  const auto band = static_cast<uint32_t>(age / 5);                   // 0-4, 5-9, 10-14, 15-17
  const auto quintile = static_cast<uint32_t>((imd_decile + 1) / 2);  // 0 not known, 1..5
  return static_cast<StratumKey>(window) * kStrataPerWindow + (band * 6 + quintile) * 2 +
         (condition ? 1 : 0);
}
size_t window_of_key(StratumKey key) {
  return key / kStrataPerWindow;
}

// One child counted for one hub start.
struct Entry {
  uint64_t cluster = 0;  // the address: children of one family stay together
  StratumKey key = 0;
  uint32_t stratum = 0;  // index into the matched strata, once matched
  Counts counts{};
};

// A cohort's entries grouped by cluster, so that the bootstrap can draw
// whole clusters: entries of cluster k are [begin[k], begin[k + 1]).
struct Cohort {
  std::vector<Entry> entries;
  std::vector<size_t> begin;
};

// Per matched stratum and cohort: children and their summed events.
struct Sum {
  int64_t children = 0;
  std::array<int64_t, 2 * kOutcomes> events{};
  void add(const Entry& e) {
    ++children;
    for (size_t j = 0; j < events.size(); ++j)
      events[j] += e.counts[j];
  }
};
using Sums = std::vector<std::array<Sum, 2>>;  // [stratum][cohort]

// Weighted events and child-years of both cohorts.
struct Totals {
  std::array<std::array<double, 2 * kOutcomes>, 2> events{};
  std::array<std::array<double, 2>, 2> years{};
};

struct Effect {
  double did, relative;
};

double per_thousand(double events, double years) {
  return years > 0 ? 1000 * events / years : kNaN;
}

Effect effect_of(const Totals& t, size_t outcome) {
  const auto rate = [&](size_t cohort, size_t after) {
    return per_thousand(t.events[cohort][2 * outcome + after], t.years[cohort][after]);
  };
  const double did = (rate(0, 1) - rate(0, 0)) - (rate(1, 1) - rate(1, 0));
  const double bi = rate(0, 0), bc = rate(1, 0), ac = rate(1, 1);
  const double relative = bi > 0 && bc > 0 && ac > 0 ? (rate(0, 1) / bi) / (ac / bc) - 1 : kNaN;
  return {did, relative};
}

// The totals with each comparison stratum re-weighted to the intervention's
// share of it (coarsened exact matching: weight = share_i / share_c);
// strata lacking either cohort count for neither. Every child is present
// for both whole windows, so a stratum's child-years are its children times
// its windows' lengths.
Totals totals_of(const Sums& sums, const std::vector<Window>& windows,
                 const std::vector<size_t>& window_of_stratum) {
  std::array<double, 2> all{};
  for (const auto& s : sums) {
    if (s[0].children > 0 && s[1].children > 0) {
      for (size_t c = 0; c < 2; ++c)
        all[c] += static_cast<double>(s[c].children);
    }
  }
  Totals t;
  for (size_t k = 0; k < sums.size(); ++k) {
    const auto& s = sums[k];
    if (s[0].children == 0 || s[1].children == 0) continue;
    const double share_i = static_cast<double>(s[0].children) / all[0];
    const double share_c = static_cast<double>(s[1].children) / all[1];
    const Window& w = windows[window_of_stratum[k]];
    for (size_t c = 0; c < 2; ++c) {
      const double weight = c == 0 ? 1.0 : share_i / share_c;
      for (size_t j = 0; j < s[c].events.size(); ++j)
        t.events[c][j] += weight * static_cast<double>(s[c].events[j]);
      const double n = weight * static_cast<double>(s[c].children);
      t.years[c][0] += n * w.years_before();
      t.years[c][1] += n * w.years_after();
    }
  }
  return t;
}

// The percentile interval (linear interpolation between order statistics);
// NaN when any replicate could not be calculated.
stats::Interval percentile_interval(std::vector<double>& values) {
  if (values.empty() ||
      std::any_of(values.begin(), values.end(), [](double v) { return !std::isfinite(v); })) {
    return {kNaN, kNaN};
  }
  std::sort(values.begin(), values.end());
  const auto at = [&](double p) {
    const double h = p * static_cast<double>(values.size() - 1);
    const auto lo = static_cast<size_t>(std::floor(h));
    const size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
  };
  return {at(0.025), at(0.975)};
}

// The hub start dates: those whose after-window ends by as_of, with their
// practices counted; later ones counted apart.
struct Hubs {
  std::vector<Window> windows;
  int64_t practices = 0, practices_later = 0;
};

Hubs hubs_of(const AreaReference& reference, const EvaluationOptions& o) {
  std::set<Day> starts;
  Hubs h;
  for (const auto& [code, org] : reference.organisations()) {
    if (org.type != "gp-practice" || !org.hub_from) continue;
    if (to_day(add_months(*org.hub_from, o.months)) <= to_day(o.as_of)) {
      ++h.practices;
      starts.insert(to_day(*org.hub_from));
    } else {
      ++h.practices_later;
    }
  }
  for (const Day d : starts)
    h.windows.push_back(window_of(from_day(d), o.months));
  return h;
}

// Per snapshot practice: whether the reference knows it, and its hub start.
struct PracticeHub {
  bool known = false;
  Day hub_from = kNoDay;
};

std::vector<PracticeHub> practice_hubs(const Snapshot& s, const AreaReference& reference) {
  std::vector<PracticeHub> out(s.practices.size());
  for (size_t p = 1; p < s.practices.size(); ++p) {
    const Organisation* org = reference.organisation(s.practices[p]);
    if (org == nullptr || org->type != "gp-practice") continue;
    out[p].known = true;
    if (org->hub_from) out[p].hub_from = to_day(*org->hub_from);
  }
  return out;
}

// Present for both whole windows (born by the first day, neither died nor
// moved out before the last) and aged 0-17 on the hub's start.
bool present(const ChildFacts& c, const Window& w) {
  if (c.birth == kNoDay || c.birth > w.start) return false;
  if (c.died != kNoDay && c.died < w.end) return false;
  if (c.left != kNoDay && c.left < w.end) return false;
  return age_in_years(from_day(c.birth), from_day(w.index)) <= 17;
}

// 0 intervention (at a practice of this hub), 1 comparison (at a practice
// the reference knows, in no hub before the after-window ends), nullopt
// neither (another hub's, or a practice the reference does not know).
std::optional<size_t> cohort_of(const PracticeHub& p, const Window& w) {
  if (!p.known) return std::nullopt;
  if (p.hub_from == w.index) return 0;
  if (p.hub_from == kNoDay || p.hub_from >= w.end) return 1;
  return std::nullopt;
}

class Builder {
 public:
  Builder(const Snapshot& s, const EvaluationOptions& o)
      : numbers_(s.population.words),
        condition_(o.long_term_condition, s.population.words, numbers_) {
    const auto matchers = outcome_matchers();
    for (const EventMatcher& m : matchers)
      outcomes_.emplace_back(m, s.population.words, numbers_);
  }

  void add(size_t child, const ChildFacts& c, const ChildProfile& p, size_t cohort, size_t window,
           const Window& w) {
    const int age = age_in_years(from_day(c.birth), from_day(w.index));
    const bool condition = condition_.holds(c, w.index - 1, no_schedule_);
    Entry e;
    // A child without an address is a cluster of their own.
    e.cluster = c.postcode != 0 ? c.postcode : (uint64_t{1} << 32) + child;
    e.key = stratum_key(window, age, p.imd_decile, condition);
    e.counts = counts(c, w);
    cohorts_[cohort].entries.push_back(e);
  }

  std::array<Cohort, 2>& cohorts() { return cohorts_; }

 private:
  Counts counts(const ChildFacts& c, const Window& w) const {
    Counts n{};
    // Facts are ordered by start: skip to the before-window, stop after.
    auto f = std::lower_bound(c.facts.begin(), c.facts.end(), w.start,
                              [](const Fact& x, Day d) { return x.start < d; });
    for (; f != c.facts.end() && f->start < w.end; ++f) {
      const size_t after = f->start >= w.index ? 1 : 0;
      for (size_t k = 0; k < kOutcomes; ++k) {
        if (outcomes_[k].matches(*f)) ++n[2 * k + after];
      }
    }
    return n;
  }

  WordNumbers numbers_;
  ConditionRule condition_;
  std::vector<FactMatcher> outcomes_;
  std::array<Cohort, 2> cohorts_;
  std::function<bool(Day)> no_schedule_ = [](Day) { return false; };
};

// Keeps the entries of strata holding both cohorts (counting the others'
// children as unmatched), numbers the strata, and groups each cohort's
// entries by cluster. Returns each matched stratum's window.
std::vector<size_t> match(std::array<Cohort, 2>& cohorts, EvaluationResult& r) {
  std::map<StratumKey, std::array<int64_t, 2>> sizes;
  for (size_t c = 0; c < 2; ++c) {
    for (const Entry& e : cohorts[c].entries)
      ++sizes[e.key][c];
  }
  std::map<StratumKey, uint32_t> index;
  std::vector<size_t> window_of_stratum;
  for (const auto& [key, n] : sizes) {
    if (n[0] == 0 || n[1] == 0) {
      r.intervention_unmatched += n[0];
      r.comparison_unmatched += n[1];
      continue;
    }
    r.intervention_children += n[0];
    r.comparison_children += n[1];
    index[key] = static_cast<uint32_t>(window_of_stratum.size());
    window_of_stratum.push_back(window_of_key(key));
  }
  for (Cohort& cohort : cohorts) {
    std::vector<Entry>& v = cohort.entries;
    std::erase_if(v, [&](const Entry& e) { return !index.contains(e.key); });
    for (Entry& e : v)
      e.stratum = index[e.key];
    std::stable_sort(v.begin(), v.end(),
                     [](const Entry& a, const Entry& b) { return a.cluster < b.cluster; });
    for (size_t i = 0; i < v.size(); ++i) {
      if (i == 0 || v[i].cluster != v[i - 1].cluster) cohort.begin.push_back(i);
    }
    cohort.begin.push_back(v.size());
  }
  r.strata = window_of_stratum.size();
  return window_of_stratum;
}

Sums sums_of(const std::array<Cohort, 2>& cohorts, size_t strata) {
  Sums sums(strata);
  for (size_t c = 0; c < 2; ++c) {
    for (const Entry& e : cohorts[c].entries)
      sums[e.stratum][c].add(e);
  }
  return sums;
}

// As many clusters as each cohort has, drawn with replacement.
Sums resampled(const std::array<Cohort, 2>& cohorts, size_t strata, SplitMix64& rng) {
  Sums sums(strata);
  for (size_t c = 0; c < 2; ++c) {
    const Cohort& cohort = cohorts[c];
    const auto clusters = static_cast<int64_t>(cohort.begin.size() - 1);
    for (int64_t k = 0; k < clusters; ++k) {
      const auto at = static_cast<size_t>(rng.below(clusters));
      for (size_t i = cohort.begin[at]; i < cohort.begin[at + 1]; ++i)
        sums[cohort.entries[i].stratum][c].add(cohort.entries[i]);
    }
  }
  return sums;
}

// The counts as recorded, the rates as weighted, and the effects.
void fill_outcomes(const Sums& sums, const Totals& t, EvaluationResult& r) {
  r.outcomes.resize(kOutcomes);
  for (size_t k = 0; k < kOutcomes; ++k) {
    OutcomeEffect& e = r.outcomes[k];
    e.outcome = kOutcomeIds[k];
    for (const auto& s : sums) {
      e.events_before_i += s[0].events[2 * k];
      e.events_after_i += s[0].events[2 * k + 1];
      e.events_before_c += s[1].events[2 * k];
      e.events_after_c += s[1].events[2 * k + 1];
    }
    e.rate_before_i = per_thousand(t.events[0][2 * k], t.years[0][0]);
    e.rate_after_i = per_thousand(t.events[0][2 * k + 1], t.years[0][1]);
    e.rate_before_c = per_thousand(t.events[1][2 * k], t.years[1][0]);
    e.rate_after_c = per_thousand(t.events[1][2 * k + 1], t.years[1][1]);
    const Effect effect = effect_of(t, k);
    e.did = effect.did;
    e.relative = effect.relative;
  }
}

// Percentile intervals from a cluster bootstrap: addresses resampled with
// replacement within each cohort and the weights worked out again in each
// replicate, so the intervals carry the uncertainty of the re-weighting and
// of families' shared habits.
void bootstrap(const std::array<Cohort, 2>& cohorts, const std::vector<Window>& windows,
               const std::vector<size_t>& window_of_stratum, const EvaluationOptions& o,
               EvaluationResult& r) {
  if (o.bootstrap <= 0) {
    for (OutcomeEffect& e : r.outcomes)
      e.did_ci95 = e.relative_ci95 = {kNaN, kNaN};
    return;
  }
  SplitMix64 rng(o.seed);
  std::array<std::vector<double>, kOutcomes> did, relative;
  for (int b = 0; b < o.bootstrap; ++b) {
    const Sums sums = resampled(cohorts, window_of_stratum.size(), rng);
    const Totals t = totals_of(sums, windows, window_of_stratum);
    for (size_t k = 0; k < kOutcomes; ++k) {
      const Effect e = effect_of(t, k);
      did[k].push_back(e.did);
      relative[k].push_back(e.relative);
    }
  }
  for (size_t k = 0; k < kOutcomes; ++k) {
    r.outcomes[k].did_ci95 = percentile_interval(did[k]);
    r.outcomes[k].relative_ci95 = percentile_interval(relative[k]);
  }
}

std::string method_text(const EvaluationOptions& o) {
  return "Difference-in-differences of rates per 1,000 child-years in the " +
         std::to_string(o.months) + " months before and after each hub's start. Intervention: " +
         "children registered at a hub practice; comparison: children at practices in no hub, "
         "re-weighted to the intervention's mix of strata (coarsened exact matching on 5-year "
         "age band and IMD quintile of the current address and a long-term condition before "
         "the start). Children present throughout both windows and aged 0-17 at the start. " +
         "95% intervals: percentiles of a cluster bootstrap resampling addresses (postcodes) "
         "within each cohort, re-weighting each replicate (" +
         std::to_string(o.bootstrap) + " replicates, seed " + std::to_string(o.seed) + ").";
}

}  // namespace

Condition default_long_term_condition() {
  Condition c;
  c.when = Condition::When::kBefore;
  c.any = {matcher("condition", {"195967001", "84757009", "46635009"})};
  return c;
}

FactFilter evaluation_filter(const EvaluationOptions& options) {
  // The outcomes count every event of their kinds; the long-term conditions
  // read their codes.
  FactFilterBuilder builder;
  for (const EventMatcher& m : outcome_matchers())
    builder.add_every_code(m.kind);
  for (const EventMatcher& m : options.long_term_condition.any)
    builder.add(m);
  return builder.build();
}

Result<EvaluationResult> evaluate_hubs(const Snapshot& snapshot, const AreaReference& reference,
                                       const EvaluationOptions& o) {
  if (o.months < 1 || o.months > 120) {
    return Error::invalid_argument("the windows must be 1 to 120 months, not " +
                                   std::to_string(o.months));
  }
  EvaluationResult r;
  r.method = method_text(o);
  const Hubs hubs = hubs_of(reference, o);
  r.hub_practices = hubs.practices;
  r.hub_practices_later = hubs.practices_later;
  if (hubs.windows.empty()) {
    return Error::invalid_argument(
        hubs.practices_later == 0 ? "no practice in the reference has a child health hub start date"
                                  : "no child health hub has " + std::to_string(o.months) +
                                        " months since its start by " + format_iso_date(o.as_of));
  }
  for (const Window& w : hubs.windows)
    r.hub_starts.push_back(w.hub_start);

  const std::vector<PracticeHub> practices = practice_hubs(snapshot, reference);
  Builder builder(snapshot, o);
  const auto& children = snapshot.population.children;
  for (size_t w = 0; w < hubs.windows.size(); ++w) {
    const Window& window = hubs.windows[w];
    for (size_t i = 0; i < children.size(); ++i) {
      const ChildProfile& p = snapshot.profiles[i];
      const auto cohort = cohort_of(practices[p.practice], window);
      if (cohort && present(children[i], window))
        builder.add(i, children[i], p, *cohort, w, window);
    }
  }
  auto& cohorts = builder.cohorts();
  const std::vector<size_t> window_of_stratum = match(cohorts, r);
  if (window_of_stratum.empty()) {
    return Error::invalid_argument(
        "no stratum (age band, IMD quintile, condition) holds children of both hub and other "
        "practices: nothing to compare");
  }

  const Sums sums = sums_of(cohorts, window_of_stratum.size());
  fill_outcomes(sums, totals_of(sums, hubs.windows, window_of_stratum), r);
  bootstrap(cohorts, hubs.windows, window_of_stratum, o, r);
  return r;
}

// Output ---------------------------------------------------------------------

namespace {

boost::json::value json_number(double v) {
  return std::isfinite(v) ? boost::json::value(v) : boost::json::value(nullptr);
}

std::string number(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string percent(double v) {
  if (!std::isfinite(v)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", 100 * v);
  return buf;
}

std::string dates(const std::vector<Date>& list) {
  std::string out;
  for (const Date d : list)
    out += (out.empty() ? "" : ";") + format_iso_date(d);
  return out;
}

}  // namespace

std::string evaluation_json(const EvaluationResult& r, const EvaluationOptions& o) {
  boost::json::array outcomes;
  for (const OutcomeEffect& e : r.outcomes) {
    outcomes.push_back(boost::json::object{
        {"outcome", e.outcome},
        {"events_before_intervention", e.events_before_i},
        {"events_after_intervention", e.events_after_i},
        {"events_before_comparison", e.events_before_c},
        {"events_after_comparison", e.events_after_c},
        {"rate_before_intervention", json_number(e.rate_before_i)},
        {"rate_after_intervention", json_number(e.rate_after_i)},
        {"rate_before_comparison", json_number(e.rate_before_c)},
        {"rate_after_comparison", json_number(e.rate_after_c)},
        {"did", json_number(e.did)},
        {"did_ci95",
         boost::json::array{json_number(e.did_ci95.lower), json_number(e.did_ci95.upper)}},
        {"relative", json_number(e.relative)},
        {"relative_ci95", boost::json::array{json_number(e.relative_ci95.lower),
                                             json_number(e.relative_ci95.upper)}}});
  }
  boost::json::array starts;
  for (const Date d : r.hub_starts)
    starts.push_back(boost::json::value(format_iso_date(d)));
  return boost::json::serialize(
             boost::json::object{{"as_of", format_iso_date(o.as_of)},
                                 {"months", o.months},
                                 {"bootstrap", o.bootstrap},
                                 {"seed", o.seed},
                                 {"rate_unit", "per 1,000 child-years"},
                                 {"hub_starts", std::move(starts)},
                                 {"hub_practices", r.hub_practices},
                                 {"hub_practices_later", r.hub_practices_later},
                                 {"intervention_children", r.intervention_children},
                                 {"comparison_children", r.comparison_children},
                                 {"intervention_unmatched", r.intervention_unmatched},
                                 {"comparison_unmatched", r.comparison_unmatched},
                                 {"strata", r.strata},
                                 {"method", r.method},
                                 {"outcomes", std::move(outcomes)}}) +
         "\n";
}

std::string evaluation_csv(const EvaluationResult& r) {
  std::string out =
      "outcome,hub_starts,intervention_children,comparison_children,events_before_intervention,"
      "events_after_intervention,events_before_comparison,events_after_comparison,"
      "rate_before_intervention,rate_after_intervention,rate_before_comparison,"
      "rate_after_comparison,did,did_lower_95,did_upper_95,relative,relative_lower_95,"
      "relative_upper_95\n";
  for (const OutcomeEffect& e : r.outcomes) {
    const std::string fields[] = {e.outcome,
                                  dates(r.hub_starts),
                                  std::to_string(r.intervention_children),
                                  std::to_string(r.comparison_children),
                                  std::to_string(e.events_before_i),
                                  std::to_string(e.events_after_i),
                                  std::to_string(e.events_before_c),
                                  std::to_string(e.events_after_c),
                                  number(e.rate_before_i),
                                  number(e.rate_after_i),
                                  number(e.rate_before_c),
                                  number(e.rate_after_c),
                                  number(e.did),
                                  number(e.did_ci95.lower),
                                  number(e.did_ci95.upper),
                                  number(e.relative),
                                  number(e.relative_ci95.lower),
                                  number(e.relative_ci95.upper)};
    bool first = true;
    for (const std::string& f : fields) {
      out += (first ? "" : ",") + csv_quote(f);
      first = false;
    }
    out += '\n';
  }
  return out;
}

std::string evaluation_summary(const EvaluationResult& r) {
  char line[512];
  std::string out;
  std::snprintf(line, sizeof line,
                "Child health hub evaluation: %lld hub practices from %s\n"
                "  intervention %lld children, comparison %lld (re-weighted over %zu strata; "
                "unmatched and left out: %lld and %lld)\n",
                static_cast<long long>(r.hub_practices), dates(r.hub_starts).c_str(),
                static_cast<long long>(r.intervention_children),
                static_cast<long long>(r.comparison_children), r.strata,
                static_cast<long long>(r.intervention_unmatched),
                static_cast<long long>(r.comparison_unmatched));
  out += line;
  out +=
      "  rates per 1,000 child-years    hub before  after   other before  after   "
      "difference-in-differences (95% CI)   relative (95% CI)\n";
  for (size_t k = 0; k < r.outcomes.size() && k < kOutcomes; ++k) {
    const OutcomeEffect& e = r.outcomes[k];
    std::snprintf(line, sizeof line,
                  "  %-28s %10.1f %7.1f %12.1f %7.1f   %8.1f (%.1f to %.1f)   %s (%s to %s)\n",
                  kOutcomeNames[k], e.rate_before_i, e.rate_after_i, e.rate_before_c,
                  e.rate_after_c, e.did, e.did_ci95.lower, e.did_ci95.upper,
                  percent(e.relative).c_str(), percent(e.relative_ci95.lower).c_str(),
                  percent(e.relative_ci95.upper).c_str());
    out += line;
  }
  return out;
}

}  // namespace onechild
