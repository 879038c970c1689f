// onechild: the command line (DESIGN §5).
//
// Exit status: 0 success, 1 user error (bad arguments, unreadable input: one
// line on stderr saying what and where), 2 internal error.

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>

#include "access/grants.h"
#include "access/users.h"
#include "api/server.h"
#include "cli/access_commands.h"
#include "cli/audit_commands.h"
#include "cli/common.h"
#include "cli/evaluation_command.h"
#include "cli/export_command.h"
#include "cli/indicator_commands.h"
#include "cli/programme_commands.h"
#include "cli/review_commands.h"
#include "core/csv.h"
#include "core/text.h"
#include "ingest/ingest.h"
#include "ingest/quarantine.h"
#include "link/evaluate.h"
#include "link/link.h"
#include "record/protection.h"
#include "store/database.h"
#include "synth/synth.h"

namespace onechild {
namespace {

namespace fs = std::filesystem;

Status write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text << '\n';
  if (!out.good()) return Error::io_error("cannot write '" + path + "'");
  return {};
}

Result<Date> date_option(const std::string& text, const char* option) {
  if (text.empty()) return today();
  auto date = parse_iso_date(text);
  if (!date.ok())
    return Error::invalid_argument(std::string(option) + ": " + date.error().message());
  return date;
}

struct Args {
  std::string db, out, report, truth, as_of, username, display_name,
      role = "health-visitor", web_dir, host = "127.0.0.1", dir = "data", mappings_dir,
      mapping_file, source, file, model, organisation, reference;
  std::vector<std::string> inputs;
  int64_t children = 2000, batch_rows = 50000, limit = 100;
  bool include_resolved = false, retrain = false;
  uint64_t seed = 1;
  int history_years = 5, threads = 0;
  double hub_effect = -0.2;
  uint16_t port = 8080;
  bool password_stdin = false;
};

// --report R.json: the command's figures as JSON, for scripts and CI.
int write_report_if_asked(const Args& a, const std::string& json) {
  if (a.report.empty()) return 0;
  if (Status s = write_text(a.report, json); !s.ok()) return fail(s.error());
  return 0;
}

int run_synth(const Args& a) {
  auto as_of = date_option(a.as_of, "--as-of");
  if (!as_of.ok()) return fail(as_of.error());
  auto summary =
      synthesise({a.children, a.seed, *as_of, a.out, a.history_years, a.hub_effect, a.threads});
  if (!summary.ok()) return fail(summary.error());
  std::printf("synth: %lld children in %s\n", static_cast<long long>(summary->children),
              a.out.c_str());
  for (const auto& [file, rows] : summary->rows) {
    std::printf("  %-48s %10lld rows\n", file.c_str(), static_cast<long long>(rows));
  }
  return 0;
}

void print_file(const FileReport& f) {
  std::printf(
      "ingest: %s (%s%s%s, source %s): read %lld: %lld new, %lld updated, %lld unchanged, "
      "%lld quarantined\n",
      f.file.c_str(), f.format.c_str(), f.mapping.empty() ? "" : ", mapping ", f.mapping.c_str(),
      f.source.c_str(), static_cast<long long>(f.rows_read), static_cast<long long>(f.rows_new),
      static_cast<long long>(f.rows_updated), static_cast<long long>(f.rows_unchanged),
      static_cast<long long>(f.rows_quarantined));
  if (f.invalid_nhs_numbers > 0) {
    std::printf("  %lld NHS numbers fail the check digit: kept as recorded, flagged invalid\n",
                static_cast<long long>(f.invalid_nhs_numbers));
  }
  if (f.rows_converted > 0) {
    std::printf("  %lld rows were Windows-1252 text, converted to UTF-8\n",
                static_cast<long long>(f.rows_converted));
  }
  for (const auto& [reason, n] : f.quarantined_by_reason) {
    std::printf("  quarantined %lld: %s\n", static_cast<long long>(n), reason.c_str());
  }
  for (size_t i = 0; i < f.quarantined.size() && i < 3; ++i) {
    const auto& q = f.quarantined[i];
    std::printf("    e.g. line %lld%s%s: %s\n", static_cast<long long>(q.line),
                q.field.empty() ? "" : " field ", q.field.c_str(), q.reason.c_str());
  }
}

Result<IngestOptions> ingest_options(const Args& a) {
  IngestOptions options;
  options.mappings_dir = a.mappings_dir;
  options.mapping_file = a.mapping_file;
  if (a.batch_rows < 1) return Error::invalid_argument("--batch-rows must be at least 1");
  options.rows_per_commit = a.batch_rows;
  auto as_of = date_option(a.as_of, "--as-of");
  if (!as_of.ok()) return as_of.error();
  options.as_of = *as_of;
  options.on_file = print_file;
  return options;
}

int run_ingest(const Args& a) {
  auto options = ingest_options(a);
  if (!options.ok()) return fail(options.error());
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());
  auto report = ingest_paths(*db, a.inputs, *options);
  if (!report.ok()) return fail(report.error());
  std::printf("%s\n", report->summary().c_str());
  const int written = write_report_if_asked(a, report->to_json());
  if (!report->reconciles()) return fail(Error::internal("row counts do not reconcile"));
  return written;
}

QuarantineFilter quarantine_filter(const Args& a) {
  return {a.source, a.file, a.include_resolved};
}

int run_quarantine_list(const Args& a) {
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());
  auto entries = list_quarantine(*db, quarantine_filter(a), a.limit);
  if (!entries.ok()) return fail(entries.error());
  for (const auto& e : *entries) {
    std::printf("%s:%lld%s%s: %s%s%s\n    %s\n", e.file.c_str(), static_cast<long long>(e.line),
                e.field.empty() ? "" : " field ", e.field.c_str(), e.reason.c_str(),
                e.original_id ? " (id " : "", e.original_id ? (*e.original_id + ")").c_str() : "",
                printable(e.raw, 160).c_str());
  }
  std::printf("quarantine: %zu rows shown%s\n", entries->size(),
              static_cast<int64_t>(entries->size()) == a.limit ? " (more with --limit)" : "");
  return 0;
}

int run_quarantine_export(const Args& a) {
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());
  // Written beside the target and renamed at the end, so a refused export
  // (rows of two headers) leaves no half-written file to be loaded by mistake.
  const std::string part = a.out + ".part";
  Result<int64_t> count = Error::internal("not written");
  {
    std::ofstream out(part, std::ios::binary);
    if (!out) return fail(Error::io_error("cannot write '" + a.out + "'"));
    count = export_quarantine(*db, quarantine_filter(a), out);
  }
  std::error_code ec;
  if (!count.ok()) {
    fs::remove(part, ec);
    return fail(count.error());
  }
  fs::rename(part, a.out, ec);
  if (ec) return fail(Error::io_error("cannot write '" + a.out + "': " + ec.message()));
  std::printf("quarantine: %lld rows written to %s; fix them and load with onechild ingest\n",
              static_cast<long long>(*count), a.out.c_str());
  return 0;
}

int run_link(const Args& a) {
  if (a.db.empty()) return fail(Error::invalid_argument("link: --db is required"));
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());
  LinkOptions options;
  options.model_path = a.model;
  options.retrain = a.retrain;
  auto report = link_unlinked(*db, options);
  if (!report.ok()) return fail(report.error());
  const auto n = [](int64_t v) { return static_cast<long long>(v); };
  std::printf(
      "link: %lld records, %lld new: %lld joined existing children, %lld in %lld new "
      "children\n",
      n(report->records), n(report->new_records), n(report->linked_to_existing),
      n(report->linked_to_new), n(report->new_children));
  std::printf(
      "  model %s (prior %.3g); auto-link at probability %.4g (weight %.1f), review from "
      "%.4g (weight %.1f)\n",
      report->trained ? "trained on these records" : "reused", report->prior, report->auto_link,
      report->auto_weight, report->review, report->review_weight);
  std::printf("  %lld candidate pairs:", n(report->candidate_pairs));
  for (const BlockingCount& b : report->blocking) {
    std::printf(" %s %lld%s;", b.rule.c_str(), n(b.pairs),
                b.blocks_skipped > 0
                    ? (" (" + std::to_string(b.blocks_skipped) + " blocks too large)").c_str()
                    : "");
  }
  std::printf(
      "\n  %lld pairs auto-linked; refused: %lld one-record-per-feed, %lld by a "
      "decision, %lld between existing children\n",
      n(report->auto_pairs), n(report->refused_one_per_feed), n(report->refused_by_decision),
      n(report->refused_existing));
  std::printf("  review queue: %lld added, %lld open\n", n(report->review_added),
              n(report->review_open));
  if (report->nhs_numbers_invalid > 0) {
    std::printf("  %lld records carry an NHS number that fails the check digit\n",
                n(report->nhs_numbers_invalid));
  }
  std::printf("  %.1f s to load, %.1f s to link, %.1f s to write\n", report->seconds_load,
              report->seconds_link, report->seconds_write);
  return write_report_if_asked(a, report->to_json());
}

void print_evaluation(const LinkEvaluation& e) {
  const auto n = [](int64_t v) { return static_cast<long long>(v); };
  std::printf("records evaluated        %lld (%lld in truth but not loaded)\n", n(e.records),
              n(e.records_not_loaded));
  std::printf("pairwise precision       %.5f (%lld of %lld predicted pairs)\n", e.precision(),
              n(e.true_positive_pairs), n(e.predicted_pairs));
  std::printf("pairwise recall          %.5f (%lld of %lld true pairs)\n", e.recall(),
              n(e.true_positive_pairs), n(e.true_pairs));
  std::printf("pairwise F1              %.5f\n", e.f1());
  std::printf("cluster purity           %.5f (%lld clusters)\n", e.purity(), n(e.clusters));
  std::printf("persons exactly linked   %lld of %lld\n", n(e.persons_exactly_clustered),
              n(e.persons));
  std::printf("false merges             %lld clusters holding %lld persons\n",
              n(e.false_merge_clusters), n(e.persons_falsely_merged));
  for (const auto& [relation, count] : e.persons_falsely_merged_by_relation) {
    std::printf("  of which %-14s %lld persons\n", relation.c_str(), n(count));
  }
  std::printf("false splits             %lld persons in %lld extra clusters\n",
              n(e.false_split_persons), n(e.extra_clusters));
  std::printf("review queue             %lld open\n", n(e.review_open));
  if (e.seconds > 0) std::printf("linked in                %.2f s\n", e.seconds);
}

int run_link_evaluate(const Args& a) {
  Result<LinkEvaluation> eval = Error::internal("unreachable");
  if (!a.model.empty() && !a.inputs.empty()) {
    eval = evaluate_files(a.model, a.inputs);
  } else if (!a.db.empty() && !a.truth.empty()) {
    auto db = Database::open(a.db);
    if (!db.ok()) return fail(db.error());
    eval = evaluate_links(*db, a.truth);
  } else {
    return fail(Error::invalid_argument(
        "link evaluate: give --db and --truth (the store), or --model and CSV files"));
  }
  if (!eval.ok()) return fail(eval.error());
  print_evaluation(*eval);
  return write_report_if_asked(a, eval->to_json());
}

int run_users_add(const Args& a) {
  std::string password;
  if (a.password_stdin) {
    std::getline(std::cin, password);
  } else {
    password = generate_password();
  }
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());
  auto user = add_user(*db, a.username, a.display_name.empty() ? a.username : a.display_name,
                       a.role, password, a.organisation);
  if (!user.ok()) return fail(user.error());
  std::printf("users: added '%s' (%s)\n", user->username.c_str(), user->role.c_str());
  if (!a.password_stdin) std::printf("password: %s\n", password.c_str());
  return 0;
}

int serve_until_stopped(const ServerOptions& options, const std::string& login_hint) {
  Status s = serve(options, [&](uint16_t port) {
    std::printf("onechild: serving on http://%s:%u\n", options.host.c_str(), port);
    if (!login_hint.empty()) std::printf("%s\n", login_hint.c_str());
    std::printf("Press Ctrl+C to stop.\n");
    std::fflush(stdout);
  });
  return s.ok() ? 0 : fail(s.error());
}

int run_serve(const Args& a) {
  if (!fs::exists(a.db)) return fail(Error::io_error("no database at '" + a.db + "'"));
  ServerOptions options{a.db, a.host, a.port, a.web_dir, a.reference};
  if (a.threads > 0) options.threads = a.threads;
  return serve_until_stopped(options, "");
}

// The demo's accounts, and what access control needs to let them work: the
// local authorities' contacts, and a health visiting team whose caseload is
// every postcode district in the synthetic ICS.
Status seed_demo_access(Database& db, const std::string& reference, const std::string& password) {
  if (Status s = load_local_authorities(db, reference + "/local_authorities.csv"); !s.ok())
    return s;
  std::ifstream geography(reference + "/geography.csv");
  CsvReader reader(geography);
  std::set<std::string> districts;
  for (bool header = true; auto row = reader.next(); header = false) {
    if (!header && !row->error && !row->fields.empty()) districts.insert(row->fields.back());
  }
  for (const auto& d : districts) {
    if (Status s = add_caseload_area(db, "RZB-HV", d); !s.ok()) return s;
  }
  auto la = db.prepare("SELECT code FROM local_authorities ORDER BY code LIMIT 1");
  if (!la.ok()) return la.error();
  auto row = la->step();
  if (!row.ok()) return row.error();
  const std::string la_code = *row ? la->column_text(0) : "";
  struct Account {
    const char *username, *name, *role;
    std::string organisation;
  };
  for (const Account& acc :
       {Account{"demo", "Demo Health Visitor", "health-visitor", "RZB-HV"},
        Account{"ed", "Demo Emergency Clinician", "emergency-clinician", "RZA"},
        Account{"socialworker", "Demo Social Worker", "social-worker", la_code},
        Account{"analyst", "Demo ICS Analyst", "analyst", "ICB"},
        Account{"ig", "Demo IG Officer", "ig-officer", "ICB"},
        Account{"datamanager", "Demo Data Manager", "data-manager", "ICB"},
        Account{"parent", "Demo Parent", "parent", ""}}) {
    auto user = add_user(db, acc.username, acc.name, acc.role, password, acc.organisation);
    if (!user.ok()) return user.error();
  }
  // The demo parent's child: the youngest child over one with a recorded
  // immunisation, so the red book has something to show.
  auto child = db.prepare(
      "SELECT c.id FROM children c JOIN links l ON l.child_id = c.id "
      "JOIN source_persons p ON p.id = l.source_person_id "
      "JOIN source_events e ON e.source_system_id = p.source_system_id "
      " AND e.person_original_id = p.original_id "
      "WHERE c.merged_into IS NULL AND e.kind = 'immunisation' AND p.birth_date <= date('now', '-1 "
      "year') "
      "ORDER BY p.birth_date DESC LIMIT 1");
  if (!child.ok()) return child.error();
  auto found = child->step();
  if (!found.ok()) return found.error();
  if (*found) {
    if (Status s = grant_family_access(db, "parent", child->column_int64(0), "parent", false);
        !s.ok())
      return s;
  }
  return {};
}

int run_demo(const Args& a) {
  const fs::path dir(a.dir);
  const std::string db_path = (dir / "demo.db").string();
  const std::string feeds = (dir / "demo-ics").string();
  std::error_code ec;
  // The demo starts afresh each time so it always shows the same population.
  for (const char* suffix : {"", "-wal", "-shm"})
    fs::remove(db_path + suffix, ec);
  fs::remove_all(feeds, ec);
  fs::create_directories(dir, ec);

  Args step = a;
  step.out = feeds;
  step.db = db_path;
  step.inputs = {feeds + "/feeds"};
  if (int rc = run_synth(step); rc != 0) return rc;
  if (int rc = run_ingest(step); rc != 0) return rc;
  if (int rc = run_link(step); rc != 0) return rc;
  if (int rc = store_indicators_for(db_path, feeds + "/reference"); rc != 0) return rc;

  auto db = Database::open(db_path);
  if (!db.ok()) return fail(db.error());
  const std::string password = generate_password();
  if (Status s = seed_demo_access(*db, feeds + "/reference", password); !s.ok())
    return fail(s.error());
  return serve_until_stopped({db_path, a.host, a.port, a.web_dir, feeds + "/reference"},
                             "Demo logins (password '" + password +
                                 "'): 'demo' (health visitor, every child in the ICS on the "
                                 "team's caseload), 'ed' (emergency clinician: break glass), "
                                 "'socialworker', 'analyst', 'ig' (IG officer), 'datamanager', "
                                 "'parent' (a child's red book)");
}

}  // namespace
}  // namespace onechild

int main(int argc, char** argv) {
  using namespace onechild;
  CLI::App app{
      "onechild: one record for every child and young person across health, social care "
      "and education in an Integrated Care System."};
  app.require_subcommand(1);
  Args a;
  std::function<int()> action;

  auto* synth =
      app.add_subcommand("synth", "Write a synthetic ICS: feeds and the truth of who is who");
  synth->add_option("--children", a.children, "Number of children (default 2000)");
  synth->add_option("--seed", a.seed, "Random seed: the same seed gives the same ICS (default 1)");
  synth->add_option("--out", a.out, "Output directory (feeds/, reference/, truth/)")->required();
  synth->add_option("--as-of", a.as_of,
                    "Date the population is drawn at, YYYY-MM-DD (default today)");
  synth->add_option("--history-years", a.history_years,
                    "Years of hospital, GP consultation and school census history (default 5)");
  synth->add_option("--hub-effect", a.hub_effect,
                    "Relative change in ED attendances and outpatient appointments for children "
                    "in child health hub practices after the hub starts (default -0.2)");
  synth->add_option("--threads", a.threads,
                    "Worker threads (default: one per core; the output is the same)");
  synth->callback([&] { action = [&] { return run_synth(a); }; });

  auto* ingest = app.add_subcommand("ingest", "Load feed files (FHIR NDJSON, CSV) into the store");
  ingest->add_option("--db", a.db, "SQLite database file (created if missing)")->required();
  ingest->add_option("--report", a.report, "Write a JSON report of counts and quarantined rows");
  ingest->add_option("--mappings", a.mappings_dir,
                     "Directory of CSV mapping files (default: the shipped config/mappings)");
  ingest->add_option("--mapping", a.mapping_file,
                     "One mapping file (TOML) to read every CSV file given with");
  ingest->add_option("--as-of", a.as_of,
                     "Dates after this day, YYYY-MM-DD, are quarantined as in the future "
                     "(default today)");
  ingest->add_option("--batch-rows", a.batch_rows,
                     "Rows per transaction; a crash loses at most the batch in progress "
                     "(default 50000)");
  ingest
      ->add_option("inputs", a.inputs,
                   "Feed files (.ndjson, .json Bundles, .csv) or directories of them")
      ->required();
  ingest->callback([&] { action = [&] { return run_ingest(a); }; });

  auto* quarantine = app.add_subcommand("quarantine", "See and export the rows ingest rejected");
  quarantine->require_subcommand(1);
  auto* qlist =
      quarantine->add_subcommand("list", "List quarantined rows: file, line, field, reason");
  auto* qexport = quarantine->add_subcommand(
      "export", "Write quarantined rows as received (under their CSV header) to fix and reload");
  for (auto* cmd : {qlist, qexport}) {
    cmd->add_option("--db", a.db, "SQLite database file")->required();
    cmd->add_option("--source", a.source, "Only this source system (e.g. acute)");
    cmd->add_option("--file", a.file, "Only rows from this file (its name or path)");
    cmd->add_flag("--include-resolved", a.include_resolved,
                  "Also rows a later load has accepted under the same id");
  }
  qlist->add_option("--limit", a.limit, "Show at most this many rows (default 100)");
  qlist->callback([&] { action = [&] { return run_quarantine_list(a); }; });
  qexport
      ->add_option("--out", a.out,
                   "File to write (name it like the feed, e.g. acute.ecds.fixed.csv)")
      ->required();
  qexport->callback([&] { action = [&] { return run_quarantine_export(a); }; });

  auto* link =
      app.add_subcommand("link", "Link unlinked source persons into the master child index");
  // Not required() here: `link evaluate` takes its own --db.
  link->add_option("--db", a.db, "SQLite database file (required)");
  link->add_option("--report", a.report, "Write a JSON report");
  link->add_option("--model", a.model, "Linkage model (default: the shipped config/linkage.toml)");
  link->add_flag("--retrain", a.retrain, "Estimate the model again even if it has not changed");
  link->callback([&] {
    if (!action) action = [&] { return run_link(a); };
  });
  auto* evaluate = link->add_subcommand(
      "evaluate",
      "Precision, recall, F1, false merges and splits: the store against a truth file, or CSV "
      "files linked with a model (the public data sets)");
  evaluate->add_option("--db", a.db, "SQLite database file");
  evaluate->add_option("--truth", a.truth, "Truth CSV: source,original_id,person_id");
  evaluate->add_option("--model", a.model, "With CSV files: the model that names their columns");
  evaluate->add_option("files", a.inputs, "CSV files to link (each one source)");
  evaluate->add_option("--report", a.report, "Write the figures as JSON");
  evaluate->callback([&] { action = [&] { return run_link_evaluate(a); }; });
  add_review_commands(*link, action);
  add_programme_commands(app, action);
  add_indicator_commands(app, action);
  add_evaluation_command(app, action);
  add_access_commands(app, action);
  add_audit_commands(app, action);
  add_export_command(app, action);

  auto* users = app.add_subcommand("users", "Manage local user accounts");
  users->require_subcommand(1);
  auto* add = users->add_subcommand(
      "add", "Add a user (prints a generated password unless --password-stdin)");
  add->add_option("--db", a.db, "SQLite database file")->required();
  add->add_option("--username", a.username, "Login name")->required();
  add->add_option("--display-name", a.display_name, "Name shown in the app");
  add->add_option("--role", a.role, "Role (default health-visitor; config/access.toml)");
  add->add_option("--organisation", a.organisation, "ODS or LA code of the user's team");
  add->add_flag("--password-stdin", a.password_stdin,
                "Read the password from the first line of stdin");
  add->callback([&] { action = [&] { return run_users_add(a); }; });

  auto* serve_cmd = app.add_subcommand("serve", "Run the web application");
  serve_cmd->add_option("--db", a.db, "SQLite database file")->required();
  serve_cmd->add_option("--host", a.host, "Address to listen on (default 127.0.0.1)");
  serve_cmd->add_option("--port", a.port, "Port (default 8080; 0 picks a free one)");
  serve_cmd->add_option("--web-dir", a.web_dir, "Built web assets (default: the build's web/dist)");
  serve_cmd->add_option("--threads", a.threads, "Request threads (default 2)");
  serve_cmd->add_option("--reference", a.reference,
                        "The ICS's area reference folder (geography.csv, postcodes.csv, "
                        "organisations.csv): deprivation for the hub's case-finding");
  serve_cmd->callback([&] { action = [&] { return run_serve(a); }; });

  auto* demo = app.add_subcommand("demo", "synth -> ingest -> link -> serve a synthetic ICS");
  demo->add_option("--children", a.children, "Number of children (default 2000)");
  demo->add_option("--seed", a.seed, "Random seed (default 1)");
  demo->add_option("--port", a.port, "Port (default 8080)");
  demo->add_option("--dir", a.dir, "Directory for demo.db and the feeds (default ./data)");
  demo->add_option("--web-dir", a.web_dir, "Built web assets (default: the build's web/dist)");
  demo->callback([&] { action = [&] { return run_demo(a); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 1;
  }
  try {
    return action();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "onechild: internal error: %s\n", e.what());
    return 2;
  }
}
