#include "cli/indicator_commands.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "analytics/case_finding.h"
#include "analytics/engine.h"
#include "analytics/indicator_output.h"
#include "cli/common.h"
#include "cli/read_population.h"
#include "core/csv.h"
#include "core/progress.h"

namespace onechild {
namespace {

struct IndicatorArgs {
  std::string db, reference, out, as_of, config, england, snapshot_out, only, list;
  int periods = 5;
  bool no_store = false;
};

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
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
    if (r->error || r->fields.size() != 2)
      return Error::invalid_argument(where + ": expected indicator,value");
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

Result<Date> as_of_of(const IndicatorArgs& a) {
  if (a.as_of.empty()) return today();
  auto d = parse_iso_date(a.as_of);
  if (!d.ok()) return Error::invalid_argument("--as-of: " + d.error().message());
  return d;
}

std::string config_of(const IndicatorArgs& a) {
  return a.config.empty() ? ProgrammeRules::default_config_dir() : a.config;
}

// The store read into a snapshot: the events `filter` keeps, every child's
// groups; `from` says where the facts came from (read_from).
Result<Snapshot> read_snapshot(const IndicatorArgs& a, const FactFilter& filter,
                               std::vector<VulnerableGroup> groups, Date as_of, std::string& from) {
  auto reference = AreaReference::load(a.reference);
  if (!reference.ok()) return reference.error();
  auto db = Database::open(a.db);
  if (!db.ok()) return db.error();
  auto loaded = read_population(*db, filter);
  if (!loaded.ok()) return loaded.error();
  from = read_from(*loaded);
  return make_snapshot(std::move(loaded->population), *reference, std::move(groups), as_of);
}

int run_indicators(const IndicatorArgs& a) {
  if (!a.out.empty() && !ends_with(a.out, ".csv") && !ends_with(a.out, ".json")) {
    return fail(Error::invalid_argument("--out must end in .csv or .json: '" + a.out + "'"));
  }
  auto as_of_date = as_of_of(a);
  if (!as_of_date.ok()) return fail(as_of_date.error());
  const Date as_of = *as_of_date;
  const std::string config = config_of(a);
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
  const auto started = std::chrono::steady_clock::now();
  const FactFilter filter = snapshot_filter(*rules, *definitions, *groups);
  std::string from;
  auto snapshot_read = read_snapshot(a, filter, std::move(*groups), as_of, from);
  if (!snapshot_read.ok()) return fail(snapshot_read.error());
  Snapshot& snapshot = *snapshot_read;
  const auto read = std::chrono::steady_clock::now();
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
    const std::string text =
        ends_with(a.out, ".csv") ? indicators_csv(*results) : indicators_json(*results, as_of);
    if (Status s = write_file(a.out, text); !s.ok()) return fail(s.error());
  }
  int64_t run = 0;
  if (!a.no_store) {
    auto db = Database::open(a.db);
    if (!db.ok()) return fail(db.error());
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
               "read %.2f s from %s, computed %.2f s%s\n",
               results->size(), cells, hidden, snapshot.population.children.size(),
               format_iso_date(as_of).c_str(), seconds(started, read), from.c_str(),
               seconds(read, computed),
               run > 0 ? (", stored as run " + std::to_string(run)).c_str() : "");
  return 0;
}

// The definitions as Markdown (docs/indicator-definitions.md is this output).
int run_indicator_docs(const IndicatorArgs& a) {
  auto definitions = load_indicators(config_of(a) + "/indicators");
  if (!definitions.ok()) return fail(definitions.error());
  const std::string text =
      "# Indicator definitions\n\n"
      "Generated from `config/indicators/*.toml` by `onechild indicator-docs --out "
      "docs/indicator-definitions.md`; do not edit by hand. How they are computed: "
      "[indicators.md](indicators.md).\n\n" +
      indicators_markdown(*definitions);
  if (a.out.empty() || a.out == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }
  if (Status s = write_file(a.out, text); !s.ok()) return fail(s.error());
  return 0;
}

int run_case_finding(const IndicatorArgs& a) {
  auto as_of = as_of_of(a);
  if (!as_of.ok()) return fail(as_of.error());
  auto lists = load_case_finding(config_of(a) + "/case_finding.toml");
  if (!lists.ok()) return fail(lists.error());
  if (!a.list.empty()) {
    std::erase_if(*lists, [&](const CaseFindingList& l) { return l.id != a.list; });
    if (lists->empty()) return fail(Error::invalid_argument("--list: no list '" + a.list + "'"));
  }
  // The kinds and codes the lists read.
  FactFilter filter;
  for (const CaseFindingList& l : *lists) {
    for (const auto* conditions : {&l.population, &l.criteria}) {
      for (const Condition& c : *conditions) {
        for (const EventMatcher& m : c.any) {
          if (std::find(filter.kinds.begin(), filter.kinds.end(), m.kind) == filter.kinds.end()) {
            filter.kinds.push_back(m.kind);
          }
        }
      }
    }
  }
  std::string from;
  auto snapshot = read_snapshot(a, filter, {}, *as_of, from);
  if (!snapshot.ok()) return fail(snapshot.error());
  const std::vector<CaseFindingRow> rows = find_cases(*lists, *snapshot, *as_of);
  const std::string csv = case_finding_csv(rows);
  if (a.out.empty() || a.out == "-") {
    std::fwrite(csv.data(), 1, csv.size(), stdout);
  } else if (Status s = write_file(a.out, csv); !s.ok()) {
    return fail(s.error());
  }
  for (const CaseFindingList& l : *lists) {
    const auto n =
        std::count_if(rows.begin(), rows.end(), [&](const auto& r) { return r.list == l.id; });
    const auto core20 = std::count_if(rows.begin(), rows.end(),
                                      [&](const auto& r) { return r.list == l.id && r.core20; });
    std::fprintf(stderr, "case-finding: %s: %td children (%td in Core20)\n", l.id.c_str(), n,
                 core20);
  }
  return 0;
}

}  // namespace

int store_indicators_for(const std::string& db, const std::string& reference) {
  IndicatorArgs a;
  a.db = db;
  a.reference = reference;
  return run_indicators(a);
}

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
  cmd->add_option("--snapshot-out", a->snapshot_out,
                  "Also write the population snapshot (children.csv, events.csv) to this folder");
  cmd->add_option("--only", a->only, "Only these indicators (ids, comma-separated)");
  cmd->add_flag("--no-store", a->no_store, "Do not keep the results in the store");
  cmd->callback([&action, a] { action = [a] { return run_indicators(*a); }; });

  auto docs = std::make_shared<IndicatorArgs>();
  auto* docs_cmd =
      app.add_subcommand("indicator-docs", "Write the indicator definitions as Markdown");
  docs_cmd->add_option("--out", docs->out, "Write here instead of standard output");
  docs_cmd->add_option("--config", docs->config, "Config folder (default: the installed config/)");
  docs_cmd->callback([&action, docs] { action = [docs] { return run_indicator_docs(*docs); }; });

  auto c = std::make_shared<IndicatorArgs>();
  auto* cases = app.add_subcommand(
      "casefinding", "Core20PLUS5 case-finding lists for a child health hub MDT (person-level)");
  cases->add_option("--db", c->db, "Store (SQLite file)")->required();
  cases
      ->add_option("--reference", c->reference,
                   "Folder with geography.csv, postcodes.csv, organisations.csv")
      ->required();
  cases->add_option("--as-of", c->as_of, "The day the lists are made (default today)");
  cases->add_option("--list", c->list, "Only this list (an id from case_finding.toml)");
  cases->add_option("--out", c->out, "Write the CSV here instead of standard output");
  cases->add_option("--config", c->config, "Config folder (default: the installed config/)");
  cases->callback([&action, c] { action = [c] { return run_case_finding(*c); }; });
}

}  // namespace onechild
