#include "cli/programme_commands.h"

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>

#include "cli/common.h"
#include "cli/read_population.h"
#include "core/csv.h"
#include "core/progress.h"
#include "programmes/coverage.h"
#include "programmes/letters.h"
#include "programmes/programmes.h"
#include "programmes/worklist.h"

namespace onechild {
namespace {

struct ProgrammeArgs {
  std::string db, kind, as_of, practice, format = "csv", out, config, letters;
  int upcoming = 0, quarters = 4;
  bool by_practice = false;
  size_t limit = 0;
  int64_t child = 0;
};

Result<Date> as_of_date(const std::string& text) {
  if (text.empty()) return today();
  auto date = parse_iso_date(text);
  if (!date.ok()) return Error::invalid_argument("--as-of: " + date.error().message());
  return date;
}

Status write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return {};
  }
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out.good()) return Error::io_error("cannot write '" + path + "'");
  return {};
}

Result<ProgrammeRules> rules_of(const ProgrammeArgs& a) {
  return ProgrammeRules::load(a.config.empty() ? ProgrammeRules::default_config_dir() : a.config);
}

// What the whole-population commands share: the date, the rules, the store
// and every child's facts.
struct Loaded {
  Date as_of;
  ProgrammeRules rules;
  Database db;
  Population population;
};

Result<Loaded> load_all(const ProgrammeArgs& a) {
  if (a.format != "csv" && a.format != "json") {
    return Error::invalid_argument("--format must be csv or json, not '" + a.format + "'");
  }
  auto as_of = as_of_date(a.as_of);
  if (!as_of.ok()) return as_of.error();
  auto rules = rules_of(a);
  if (!rules.ok()) return rules.error();
  auto db = Database::open(a.db);
  if (!db.ok()) return db.error();
  auto loaded = read_population(*db, rules->filter());
  if (!loaded.ok()) return loaded.error();
  return Loaded{*as_of, std::move(*rules), std::move(*db), std::move(loaded->population)};
}

int run_worklist(const ProgrammeArgs& a) {
  auto kind = parse_worklist_kind(a.kind);
  if (!kind.ok()) return fail(kind.error());
  auto loaded = load_all(a);
  if (!loaded.ok()) return fail(loaded.error());
  const Programmes programmes(loaded->rules, loaded->population.words);
  WorklistQuery q{*kind, loaded->as_of, a.practice, a.upcoming, a.limit};
  std::vector<WorklistRow> rows = build_worklist(programmes, loaded->population, q);
  if (Status s = add_identities(loaded->db, rows); !s.ok()) return fail(s.error());
  const std::string text = a.format == "json" ? worklist_json(rows, q) + "\n" : worklist_csv(rows);
  if (Status s = write_output(a.out, text); !s.ok()) return fail(s.error());
  if (!a.out.empty() && a.out != "-") {
    std::fprintf(stderr, "%zu rows written to %s\n", rows.size(), a.out.c_str());
  }
  if (!a.letters.empty()) {
    if (*kind != WorklistKind::kHcp && *kind != WorklistKind::kImms) {
      return fail(Error::invalid_argument("--letters is for the hcp and imms worklists"));
    }
    LetterOptions options{*kind, today()};
    if (Status s = write_output(a.letters, letters_html(rows, options)); !s.ok()) {
      return fail(s.error());
    }
    std::fprintf(stderr, "letters written to %s\n", a.letters.c_str());
  }
  return 0;
}

int run_status(const ProgrammeArgs& a) {
  auto as_of = as_of_date(a.as_of);
  if (!as_of.ok()) return fail(as_of.error());
  auto rules = rules_of(a);
  if (!rules.ok()) return fail(rules.error());
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());
  Vocabulary words;
  auto child = load_child_facts(*db, a.child, rules->filter(), words);
  if (!child.ok()) return fail(child.error());
  const Programmes programmes(*rules, words);
  std::vector<ItemResult> items;
  programmes.schedules().evaluate(*child, to_day(*as_of), items);
  std::printf("child %lld, born %s, practice %s, on %s\n", static_cast<long long>(child->child_id),
              child->birth == kNoDay ? "unknown" : format_iso_date(from_day(child->birth)).c_str(),
              words.text(child->practice).empty() ? "-" : words.text(child->practice).c_str(),
              format_iso_date(*as_of).c_str());
  for (const ItemResult& r : items) {
    const ScheduleItem& item = *programmes.schedules().items()[r.item];
    std::printf("  %-5s %-22s %-16s due %s by %s%s%s\n", item.programme.c_str(), item.id.c_str(),
                std::string(status_name(r.status)).c_str(),
                format_iso_date(from_day(r.due)).c_str(), format_iso_date(from_day(r.by)).c_str(),
                r.done != kNoDay ? "  on " : "",
                r.done != kNoDay ? format_iso_date(from_day(r.done)).c_str() : "");
  }
  std::vector<ClockResult> clocks;
  programmes.clocks().evaluate(*child, to_day(*as_of), clocks);
  for (const ClockResult& c : clocks) {
    std::printf("  clock %-32s %-9s started %s, due %s  %s\n", std::string(c.clock).c_str(),
                std::string(clock_state_name(c.state)).c_str(),
                format_iso_date(from_day(c.start)).c_str(),
                format_iso_date(from_day(c.due)).c_str(), c.detail.c_str());
  }
  std::vector<SignalResult> signals;
  programmes.signals().evaluate(*child, to_day(*as_of), signals);
  for (const SignalResult& s : signals) {
    std::printf("  signal %-18s %d in %d days (threshold %d), %s to %s\n",
                std::string(s.signal).c_str(), s.count, s.window_days, s.threshold,
                format_iso_date(from_day(s.first)).c_str(),
                format_iso_date(from_day(s.last)).c_str());
  }
  return 0;
}

std::string percent(int64_t numerator, int64_t denominator) {
  if (denominator == 0) return "";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f",
                100.0 * static_cast<double>(numerator) / static_cast<double>(denominator));
  return buf;
}

int run_coverage(const ProgrammeArgs& a) {
  auto spec =
      load_coverage(a.config.empty() ? default_coverage_path() : a.config + "/coverage.toml");
  if (!spec.ok()) return fail(spec.error());
  auto loaded = load_all(a);
  if (!loaded.ok()) return fail(loaded.error());
  auto cells = compute_coverage(*spec, loaded->rules.schedules, loaded->population, loaded->as_of,
                                a.quarters, a.by_practice);
  if (!cells.ok()) return fail(cells.error());
  std::map<std::string, std::string> names;
  for (const CoverageMeasure& m : spec->measures)
    names.emplace(m.id, m.name);
  std::string text;
  if (a.format == "csv") {
    const std::string target = percent(std::lround(spec->target * 1000), 1000);
    text = "measure,name,quarter,group,numerator,denominator,percent,target\n";
    for (const CoverageCell& c : *cells) {
      text += csv_quote(c.measure) + ',' + csv_quote(names[c.measure]) + ',' + c.quarter + ',' +
              csv_quote(c.group) + ',' + std::to_string(c.numerator) + ',' +
              std::to_string(c.denominator) + ',' + percent(c.numerator, c.denominator) + ',' +
              target + '\n';
    }
  } else {
    boost::json::array out;
    for (const CoverageCell& c : *cells) {
      out.push_back(boost::json::object{{"measure", c.measure},
                                        {"name", names[c.measure]},
                                        {"quarter", c.quarter},
                                        {"group", c.group},
                                        {"numerator", c.numerator},
                                        {"denominator", c.denominator}});
    }
    text =
        boost::json::serialize(boost::json::object{
            {"as_of", format_iso_date(loaded->as_of)}, {"target", spec->target}, {"cells", out}}) +
        "\n";
  }
  if (Status s = write_output(a.out, text); !s.ok()) return fail(s.error());
  return 0;
}

}  // namespace

void add_programme_commands(CLI::App& app, std::function<int()>& action) {
  auto a = std::make_shared<ProgrammeArgs>();
  auto* worklist = app.add_subcommand(
      "worklist", "Who is due or overdue: reviews, immunisations, statutory clocks, signals");
  worklist->add_option("--db", a->db, "Store (SQLite file)")->required();
  worklist->add_option("--kind", a->kind, "hcp, imms, lac, ehcp, transition, rtt or signals")
      ->required();
  worklist->add_option("--as-of", a->as_of, "Date the list is for (default today)");
  worklist->add_option("--practice", a->practice, "Only children registered at this GP practice");
  worklist->add_option("--upcoming", a->upcoming, "Also items falling due within this many days");
  worklist->add_option("--limit", a->limit, "At most this many rows (most overdue first)");
  worklist->add_option("--format", a->format, "csv (default) or json");
  worklist->add_option("--out", a->out, "Write here instead of standard output");
  worklist->add_option("--letters", a->letters,
                       "Also write call/recall letters (printable HTML, a page per child)");
  worklist->add_option("--config", a->config, "Config folder (default: the installed config/)");
  worklist->callback([&action, a] { action = [a] { return run_worklist(*a); }; });

  auto* coverage = app.add_subcommand(
      "coverage", "COVER-style immunisation coverage at 12 months, 24 months and 5 years");
  coverage->add_option("--db", a->db, "Store (SQLite file)")->required();
  coverage->add_option("--as-of", a->as_of, "Quarters ending on or before this date");
  coverage->add_option("--quarters", a->quarters, "How many quarters (default 4)");
  coverage->add_flag("--by-practice", a->by_practice, "Also each GP practice");
  coverage->add_option("--format", a->format, "csv (default) or json");
  coverage->add_option("--out", a->out, "Write here instead of standard output");
  coverage->add_option("--config", a->config, "Config folder (default: the installed config/)");
  coverage->callback([&action, a] { action = [a] { return run_coverage(*a); }; });

  auto* programmes = app.add_subcommand("programmes", "Child health programmes");
  programmes->require_subcommand(1);
  auto* status = programmes->add_subcommand("status", "One child's schedule and its status");
  status->add_option("--db", a->db, "Store (SQLite file)")->required();
  status->add_option("--child", a->child, "Child id in the master child index")->required();
  status->add_option("--as-of", a->as_of, "Date (default today)");
  status->add_option("--config", a->config, "Config folder (default: the installed config/)");
  status->callback([&action, a] { action = [a] { return run_status(*a); }; });
}

}  // namespace onechild
