#include "cli/export_command.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "access/audit.h"
#include "access/policy.h"
#include "api/fhir/bulk_export.h"
#include "cli/common.h"
#include "core/date.h"
#include "core/progress.h"
#include "store/database.h"

namespace onechild {
namespace {

namespace fs = std::filesystem;

struct ExportArgs {
  std::string db, out, types, group, since, role, policy;
  bool pseudonymise = false, opt_out = false;
};

int run_export_command(const ExportArgs& a) {
  std::error_code ec;
  if (!fs::is_regular_file(a.db, ec)) return fail(Error::io_error("no database at '" + a.db + "'"));
  auto policy = AccessPolicy::load(a.policy.empty() ? AccessPolicy::default_path() : a.policy);
  if (!policy.ok()) return fail(policy.error());
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());

  api::fhir::ExportRequest request;
  request.level = a.group.empty() ? "system" : "group";
  request.group = a.group;
  std::stringstream list(a.types);
  for (std::string t; std::getline(list, t, ',');) {
    if (!t.empty()) request.types.push_back(t);
  }
  request.since = a.since;
  request.pseudonymise = a.pseudonymise;
  // Pseudonymised data is for use beyond individual care: the opt-out applies.
  request.apply_opt_out = a.pseudonymise || a.opt_out;
  // What an analyst may see, unless another role is named.
  request.sensitivity_role = !a.role.empty() ? a.role : a.pseudonymise ? "analyst" : "";
  if (request.sensitivity_role == "none") request.sensitivity_role.clear();
  request.kick_off = "onechild export";
  request.file_base_url = ".";

  // The export runs on its own thread; this one draws the progress bar.
  api::fhir::ExportProgress progress;
  Result<api::fhir::ExportResult> result = Error::internal("not run");
  std::atomic<bool> finished{false};
  const std::string started = timestamp_now();
  std::thread worker([&] {
    result = api::fhir::run_export(*db, *policy, request, a.out, &progress);
    finished = true;
  });
  {
    std::unique_ptr<Progress> bar;
    int64_t shown = 0;
    for (;;) {
      const bool done = finished;
      if (!bar && progress.total > 0) {
        bar = std::make_unique<Progress>("export", progress.total, progress_wanted());
      }
      if (bar) {
        const int64_t now = progress.done;
        bar->advance(now - shown);
        shown = now;
      }
      if (done) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (bar) bar->finish();
  }
  worker.join();
  if (!result.ok()) return fail(result.error());

  // A manifest beside the files (URLs relative to it), as the API serves.
  {
    std::ofstream manifest(fs::path(a.out) / "manifest.json");
    manifest << api::fhir::export_manifest(request, *result, started) << '\n';
    if (!manifest) return fail(Error::io_error("cannot write the manifest in '" + a.out + "'"));
  }
  // An export of person-level data is an access like any other.
  AuditEntry audit{std::nullopt, "export", std::nullopt,
                   "onechild export --out " + a.out + (a.pseudonymise ? " --pseudonymise" : "") +
                       ": " + std::to_string(result->children) + " children"};
  const char* user = std::getenv("USER");
  audit.username = user != nullptr ? user : "command line";
  audit.role = "operator";
  audit.purpose = request.apply_opt_out ? "secondary-use" : "administration";
  if (Status s = record_audit(*db, audit); !s.ok()) return fail(s.error());

  std::printf("export: %lld children, %lld resources in %.1f s%s -> %s\n",
              static_cast<long long>(result->children), static_cast<long long>(result->resources),
              result->seconds, a.pseudonymise ? " (pseudonymised)" : "", a.out.c_str());
  if (request.apply_opt_out) {
    std::printf("  National Data Opt-out: health data of %lld children left out\n",
                static_cast<long long>(result->opted_out));
  }
  for (const auto& f : result->files) {
    std::printf("  %-36s %10lld\n", f.name.c_str(), static_cast<long long>(f.count));
  }
  return 0;
}

}  // namespace

void add_export_command(CLI::App& app, std::function<int()>& action) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand(
      "export", "FHIR Bulk Data export: every child's record as NDJSON (docs/fhir.md)");
  cmd->add_option("--db", args->db, "The store")->required();
  cmd->add_option("--out", args->out, "Folder for the NDJSON files and manifest.json")->required();
  cmd->add_flag("--pseudonymise", args->pseudonymise,
                "Keyed-hash ids, no names, NHS numbers or postcodes, birth month only; applies "
                "the National Data Opt-out");
  cmd->add_flag("--apply-opt-out", args->opt_out,
                "Apply the National Data Opt-out to an identifiable export too");
  cmd->add_option("--type", args->types, "Resource types, comma separated (default: all)");
  cmd->add_option("--group", args->group, "Only the children registered with this GP practice");
  cmd->add_option("--since", args->since, "Only what arrived since (ISO date or instant)");
  cmd->add_option("--role", args->role,
                  "Withhold what this role may not see (default: analyst when pseudonymised; "
                  "'none' withholds nothing)");
  cmd->add_option("--policy", args->policy, "The access policy (default: the shipped access.toml)");
  cmd->callback([args, &action] { action = [args] { return run_export_command(*args); }; });
}

}  // namespace onechild
