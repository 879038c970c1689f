// Issue 6 targets: the status of every schedule item for 500,000 children in
// 5 s, and one child's status (read from the store and evaluated) in 1 ms.
//
//   bench_programmes --db LINKED.db [--children 500000] [--runs 5] [--as-of DATE]
//
// The store's children are read once (reported separately: that is the
// store, not the rules). When the store holds fewer children than asked
// for, its children are repeated under new ids until there are enough, so
// the rules see the event mix of a real synthetic ICS at the size asked.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "programmes/programmes.h"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace onechild;
  std::string db_path, as_of_text = "2026-12-02";
  size_t children = 500000;
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--db")
      db_path = v;
    else if (k == "--children")
      children = std::stoul(v);
    else if (k == "--runs")
      runs = std::stoi(v);
    else if (k == "--as-of")
      as_of_text = v;
    else {
      std::fprintf(stderr, "bench_programmes: unknown option %s\n", k.c_str());
      return 1;
    }
  }
  if (db_path.empty()) {
    std::fprintf(stderr, "usage: bench_programmes --db LINKED.db [--children N] [--runs R]\n");
    return 1;
  }
  auto as_of = parse_iso_date(as_of_text);
  auto rules = ProgrammeRules::load(ProgrammeRules::default_config_dir());
  auto db = Database::open(db_path);
  if (!as_of.ok() || !rules.ok() || !db.ok()) {
    std::fprintf(stderr, "bench_programmes: cannot start (bad date, config or database)\n");
    return 1;
  }
  const Day today = to_day(*as_of);

  auto t0 = Clock::now();
  auto population = load_population(*db, rules->filter());
  if (!population.ok()) {
    std::fprintf(stderr, "%s\n", population.error().to_string().c_str());
    return 1;
  }
  const double load_s = seconds_since(t0);
  const size_t stored = population->children.size();
  size_t facts = 0;
  for (const ChildFacts& c : population->children)
    facts += c.facts.size();
  std::printf("store: %zu children, %zu facts read in %.2f s\n", stored, facts, load_s);

  std::vector<ChildFacts> all = population->children;
  for (size_t i = 0; all.size() < children && stored > 0; ++i) {
    ChildFacts copy = population->children[i % stored];
    copy.child_id += static_cast<int64_t>(all.size());
    all.push_back(std::move(copy));
  }
  const Programmes programmes(*rules, population->words);

  // Every item of every child: the whole population's status, as a worklist
  // or coverage run needs it.
  std::vector<double> times;
  size_t results = 0;
  for (int run = 0; run < runs; ++run) {
    const auto t = Clock::now();
    std::vector<ItemResult> out;
    results = 0;
    for (const ChildFacts& c : all) {
      out.clear();
      programmes.schedules().evaluate(c, today, out);
      results += out.size();
    }
    times.push_back(seconds_since(t));
  }
  std::printf("status of every item, %zu children (%zu item results): median %.3f s of %d runs\n",
              all.size(), results, median(times), runs);

  // And every statutory clock and safeguarding signal, as the other lists need.
  times.clear();
  size_t clock_results = 0;
  for (int run = 0; run < runs; ++run) {
    const auto t = Clock::now();
    std::vector<ClockResult> clocks;
    std::vector<SignalResult> signals;
    clock_results = 0;
    for (const ChildFacts& c : all) {
      clocks.clear();
      signals.clear();
      programmes.clocks().evaluate(c, today, clocks);
      programmes.signals().evaluate(c, today, signals);
      clock_results += clocks.size() + signals.size();
    }
    times.push_back(seconds_since(t));
  }
  std::printf("every clock and signal, %zu children (%zu results): median %.3f s of %d runs\n",
              all.size(), clock_results, median(times), runs);

  // One child: read from the store and evaluated, as the record page does.
  std::mt19937_64 rng(7);
  std::vector<double> per_child;
  for (int i = 0; i < 2000 && stored > 0; ++i) {
    const int64_t id = population->children[rng() % stored].child_id;
    const auto t = Clock::now();
    Vocabulary words;
    auto child = load_child_facts(*db, id, rules->filter(), words);
    const Programmes one(*rules, words);
    std::vector<ItemResult> out;
    std::vector<ClockResult> clocks;
    std::vector<SignalResult> signals;
    if (child.ok()) {
      one.schedules().evaluate(*child, today, out);
      one.clocks().evaluate(*child, today, clocks);
      one.signals().evaluate(*child, today, signals);
    }
    per_child.push_back(seconds_since(t) * 1000.0);
  }
  std::sort(per_child.begin(), per_child.end());
  if (!per_child.empty()) {
    std::printf(
        "one child from the store (items, clocks, signals): median %.3f ms, p99 %.3f ms (%zu "
        "children)\n",
        per_child[per_child.size() / 2], per_child[per_child.size() * 99 / 100], per_child.size());
  }
  return 0;
}
