#include "cli/indicator_commands.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "analytics/engine.h"
#include "analytics/indicator_output.h"
#include "cli/common.h"
#include "core/csv.h"
#include "core/progress.h"

namespace onechild {
namespace {

struct IndicatorArgs {
  std::string db, reference, out, as_of, config, england, docs, snapshot_out, only;
  int periods = 5;
  bool no_store = false;
};

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// England values to compare the ICS with: indicator,value per line.
Result<std::map<std::string, double, std::less<>>> load_england(const std::string& path) {
  std::map<std::string, double, std::less<>> out;
  if (path.empty()) return out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io_error("cannot read England values " + path);
  CsvReader reader(in);
  auto header = reader.next();
  if (!header || header->fields != std::vector<std::string>{"indicator", "value"}) {
    return Error::invalid_argument(path + ": the header must be indicator,value");
  }
  while (auto r = reader.next()) {
    const std::string where = path + " line " + std::to_string(r->line);
    if (r->error || r->fields.size() != 2) return Error::invalid_argument(where + ": expected indicator,value");
    char* end = nullptr;
    const double v = std::strtod(r->fields[1].c_str(), &end);
    if (end == r->fields[1].c_str() || *end != '\0') {
      return Error::invalid_argument(where + ": value '" + r->fields[1] + "' is not a number");
    }
    out[r->fields[0]] = v;
  }
  return out;
}

Status write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.good()) return Error::io_error("cannot write '" + path + "'");
  return {};
}

int run_indicators(const IndicatorArgs& a) {
  if (!a.out.empty() && !ends_with(a.out, ".csv") && !ends_with(a.out, ".json")) {
    return fail(Error::invalid_argument("--out must end in .csv or .json: '" + a.out + "'"));
  }
  Date as_of = today();
  if (!a.as_of.empty()) {
    auto d = parse_iso_date(a.as_of);
    if (!d.ok()) return fail(Error::invalid_argument("--as-of: " + d.error().message()));
    as_of = *d;
  }
  const std::string config = a.config.empty() ? ProgrammeRules::default_config_dir() : a.config;
  auto definitions = load_indicators(config + "/indicators");
  if (!definitions.ok()) return fail(definitions.error());
  if (!a.only.empty()) {
    std::vector<IndicatorDefinition> chosen;
    std::stringstream ids(a.only);
    for (std::string id; std::getline(ids, id, ',');) {
      const auto it = std::find_if(definitions->begin(), definitions->end(),
                                   [&](const IndicatorDefinition& d) { return d.id == id; });
      if (it == definitions->end()) {
        return fail(Error::invalid_argument("--only: no indicator '" + id + "'"));
      }
      chosen.push_back(*it);
    }
    *definitions = std::move(chosen);
  }
  auto groups = load_vulnerable_groups(config + "/vulnerable_groups.toml");
  if (!groups.ok()) return fail(groups.error());
  auto rules = ProgrammeRules::load(config);
  if (!rules.ok()) return fail(rules.error());
  auto coverage = load_coverage(config + "/coverage.toml");
  if (!coverage.ok()) return fail(coverage.error());
  auto esp = load_standard_population(config + "/reference/esp2013.csv");
  if (!esp.ok()) return fail(esp.error());
  auto england = load_england(a.england);
  if (!england.ok()) return fail(england.error());
  auto reference = AreaReference::load(a.reference);
  if (!reference.ok()) return fail(reference.error());
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());

  const bool chatty = progress_wanted();
  const auto started = std::chrono::steady_clock::now();
  if (chatty) std::fprintf(stderr, "Reading the integrated records...\n");
  auto population = load_population(*db, snapshot_filter(*rules, *definitions, *groups), chatty);
  if (!population.ok()) return fail(population.error());
  const auto read = std::chrono::steady_clock::now();
  Snapshot snapshot = make_snapshot(std::move(*population), *reference, std::move(*groups), as_of);
  if (!a.snapshot_out.empty()) {
    if (Status s = write_snapshot_csv(snapshot, a.snapshot_out); !s.ok()) return fail(s.error());
  }
  EngineOptions options;
  options.as_of = as_of;
  options.periods = a.periods;
  options.england = std::move(*england);
  auto results = compute_indicators(*definitions, snapshot, *rules, *coverage, *esp, options);
  if (!results.ok()) return fail(results.error());
  const auto computed = std::chrono::steady_clock::now();

  if (!a.out.empty()) {
    const std::string text = ends_with(a.out, ".csv") ? indicators_csv(*results)
                                                      : indicators_json(*results, as_of);
    if (Status s = write_file(a.out, text); !s.ok()) return fail(s.error());
  }
  if (!a.docs.empty()) {
    if (Status s = write_file(a.docs, indicators_markdown(*definitions)); !s.ok()) return fail(s.error());
  }
  int64_t run = 0;
  if (!a.no_store) {
    auto stored = store_indicator_results(
        *db, *results, as_of, static_cast<int64_t>(snapshot.population.children.size()));
    if (!stored.ok()) return fail(stored.error());
    run = *stored;
  }
  size_t cells = 0, hidden = 0;
  for (const IndicatorResult& r : *results) {
    cells += r.cells.size();
    for (const IndicatorCell& c : r.cells)
      hidden += c.suppressed != Suppressed::kNo ? 1 : 0;
  }
  const auto seconds = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::fprintf(stderr,
               "indicators: %zu indicators, %zu cells (%zu suppressed) for %zu children as of %s; "
               "read %.1f s, computed %.2f s%s\n",
               results->size(), cells, hidden, snapshot.population.children.size(),
               format_iso_date(as_of).c_str(), seconds(started, read), seconds(read, computed),
               run > 0 ? (", stored as run " + std::to_string(run)).c_str() : "");
  return 0;
}

}  // namespace

void add_indicator_commands(CLI::App& app, std::function<int()>& action) {
  auto a = std::make_shared<IndicatorArgs>();
  auto* cmd = app.add_subcommand("indicators",
                                 "Compute the indicator set with every breakdown and statistic");
  cmd->add_option("--db", a->db, "Store (SQLite file)")->required();
  cmd->add_option("--reference", a->reference,
                  "Folder with geography.csv, postcodes.csv, organisations.csv")
      ->required();
  cmd->add_option("--out", a->out, "Write the cells to FILE.csv or FILE.json");
  cmd->add_option("--as-of", a->as_of, "The latest period ends on this date (default today)");
  cmd->add_option("--periods", a->periods, "Periods for the trend (default 5)");
  cmd->add_option("--england", a->england, "England values to compare with (indicator,value CSV)");
  cmd->add_option("--config", a->config, "Config folder (default: the installed config/)");
  cmd->add_option("--docs", a->docs, "Also write the definitions as Markdown here");
  cmd->add_option("--snapshot-out", a->snapshot_out,
                  "Also write the population snapshot (children.csv, events.csv) to this folder");
  cmd->add_option("--only", a->only, "Only these indicators (ids, comma-separated)");
  cmd->add_flag("--no-store", a->no_store, "Do not keep the results in the store");
  cmd->callback([&action, a] { action = [a] { return run_indicators(*a); }; });
}

}  // namespace onechild
