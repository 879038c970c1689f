#include "cli/evaluation_command.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "analytics/evaluation.h"
#include "cli/common.h"
#include "cli/read_population.h"
#include "core/progress.h"
#include "programmes/programmes.h"
#include "store/database.h"

namespace onechild {
namespace {

struct EvaluationArgs {
  std::string db, reference, out, as_of, config;
  int months = 12, bootstrap = 500;
  uint64_t seed = 1;
};

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The options from the arguments; the long-term condition matched on is the
// config's "long-term-condition" group, so the evaluation and the indicator
// breakdowns mean the same by it.
Result<EvaluationOptions> options_of(const EvaluationArgs& a) {
  EvaluationOptions o;
  o.as_of = today();
  if (!a.as_of.empty()) {
    auto d = parse_iso_date(a.as_of);
    if (!d.ok()) return Error::invalid_argument("--as-of: " + d.error().message());
    o.as_of = *d;
  }
  if (a.months < 1 || a.months > 120) {
    return Error::invalid_argument("--months must be 1 to 120, not " + std::to_string(a.months));
  }
  if (a.bootstrap < 0 || a.bootstrap > 100000) {
    return Error::invalid_argument("--bootstrap must be 0 to 100000, not " +
                                   std::to_string(a.bootstrap));
  }
  o.months = a.months;
  o.bootstrap = a.bootstrap;
  o.seed = a.seed;
  const std::string config = a.config.empty() ? ProgrammeRules::default_config_dir() : a.config;
  const std::string path = config + "/vulnerable_groups.toml";
  auto groups = load_vulnerable_groups(path);
  if (!groups.ok()) return groups.error();
  for (const VulnerableGroup& g : *groups) {
    if (g.id == "long-term-condition") {
      o.long_term_condition = g.condition;
      return o;
    }
  }
  return Error::invalid_argument(path + ": no group 'long-term-condition' to match on");
}

Status write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.good()) return Error::io_error("cannot write '" + path + "'");
  return {};
}

int run_evaluation(const EvaluationArgs& a) {
  if (!a.out.empty() && !ends_with(a.out, ".csv") && !ends_with(a.out, ".json")) {
    return fail(Error::invalid_argument("--out must end in .csv or .json: '" + a.out + "'"));
  }
  auto options = options_of(a);
  if (!options.ok()) return fail(options.error());
  auto reference = AreaReference::load(a.reference);
  if (!reference.ok()) return fail(reference.error());
  // Opening a missing file would create an empty store with nothing to evaluate.
  if (!std::filesystem::exists(a.db)) return fail(Error::io_error("no database at '" + a.db + "'"));
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());

  const auto started = std::chrono::steady_clock::now();
  auto loaded = read_population(*db, evaluation_filter(*options));
  if (!loaded.ok()) return fail(loaded.error());
  const auto read = std::chrono::steady_clock::now();
  const char* from = read_from(*loaded);
  const Snapshot snapshot =
      make_snapshot(std::move(loaded->population), *reference, {}, options->as_of);
  auto result = evaluate_hubs(snapshot, *reference, *options);
  if (!result.ok()) return fail(result.error());
  const auto computed = std::chrono::steady_clock::now();

  if (a.out.empty()) {
    std::printf("%s", evaluation_summary(*result).c_str());
  } else {
    const std::string text =
        ends_with(a.out, ".csv") ? evaluation_csv(*result) : evaluation_json(*result, *options);
    if (Status s = write_file(a.out, text); !s.ok()) return fail(s.error());
  }
  const auto seconds = [](auto x, auto y) { return std::chrono::duration<double>(y - x).count(); };
  std::fprintf(stderr,
               "evaluate: %lld hub and %lld comparison children of %zu, as of %s; read %.2f s "
               "from %s, computed %.2f s\n",
               static_cast<long long>(result->intervention_children),
               static_cast<long long>(result->comparison_children),
               snapshot.population.children.size(), format_iso_date(options->as_of).c_str(),
               seconds(started, read), from, seconds(read, computed));
  return 0;
}

}  // namespace

void add_evaluation_command(CLI::App& app, std::function<int()>& action) {
  auto a = std::make_shared<EvaluationArgs>();
  auto* cmd = app.add_subcommand(
      "evaluate",
      "Child health hub evaluation: ED attendances, outpatient appointments and emergency "
      "admissions before and after each hub started, against matched children elsewhere "
      "(difference-in-differences with 95% intervals)");
  cmd->add_option("--db", a->db, "Store (SQLite file)")->required();
  cmd->add_option("--reference", a->reference,
                  "Folder with geography.csv, postcodes.csv, organisations.csv (hub start dates)")
      ->required();
  cmd->add_option("--as-of", a->as_of,
                  "Evaluate the hubs whose after-window has ended by this date (default today)");
  cmd->add_option("--months", a->months, "Months in each window before and after (default 12)");
  cmd->add_option("--bootstrap", a->bootstrap,
                  "Bootstrap replicates for the 95% intervals (default 500; 0 for none)");
  cmd->add_option("--seed", a->seed,
                  "Bootstrap seed: the same seed gives the same intervals (default 1)");
  cmd->add_option("--out", a->out, "Write the effects to FILE.csv or FILE.json (default: print)");
  cmd->add_option("--config", a->config,
                  "Config folder: its vulnerable_groups.toml defines the long-term condition "
                  "(default: the installed config/)");
  cmd->callback([&action, a] { action = [a] { return run_evaluation(*a); }; });
}

}  // namespace onechild
