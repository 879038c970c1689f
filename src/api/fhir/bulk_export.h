// FHIR Bulk Data export (docs/fhir.md): every child's record as NDJSON, one
// file per resource type, for analytics.
//
// run_export() streams: one pass over the store in child order (three
// cursors, children / identities / events, merged by child id), each child's
// record built in memory, filtered (access, National Data Opt-out,
// sensitivity), written as resources, and forgotten. It never runs a query
// per child, so a 100,000-child ICS exports in well under a minute.
//
// BulkExporter runs exports for the API: the asynchronous kick-off starts a
// background thread it owns; the status, the manifest and any error live in
// the bulk_exports table; files are written under "<db>.exports/<id>/".
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "access/access_control.h"
#include "core/error.h"
#include "store/database.h"

namespace onechild::api::fhir {

struct ExportRequest {
  std::string level = "system";    // "system" | "patient" | "group"
  std::string group;               // level "group": a GP practice's ODS code
  std::vector<std::string> types;  // _type; empty: every type
  std::string since;               // _since (ISO date or instant): only what arrived since
  // Pseudonymised: Patient.id and every subject reference are a keyed hash
  // of the child id; no name, NHS number, postcode or source ids; birth
  // dates to the month only.
  bool pseudonymise = false;
  // The National Data Opt-out: an opted-out child's health data is left
  // out; children's social care data is not covered and stays.
  bool apply_opt_out = false;
  // Whose rules apply: an identifiable export holds only the children this
  // principal may open, and what their role may see. None: the operator of
  // the command line, who holds the database file already.
  std::optional<Principal> principal;
  // Without a principal: the role whose sensitivity labels apply ("" = none
  // withheld).
  std::string sensitivity_role;
  std::string kick_off;       // the kick-off URL, for the manifest
  std::string file_base_url;  // the manifest's file URLs: <file_base_url>/<file name>
};

struct ExportFile {
  std::string type, name;  // "Observation", "Observation.2.ndjson"
  int64_t count = 0;       // resources (lines)
};

struct ExportResult {
  std::vector<ExportFile> files;
  int64_t children = 0;   // children with at least one resource written
  int64_t refused = 0;    // identifiable export: children the principal may not open
  int64_t opted_out = 0;  // children whose health data the opt-out withheld
  int64_t resources = 0;
  double seconds = 0;
};

// Shared with a running export: how far it has got, and a request to stop.
struct ExportProgress {
  std::atomic<int64_t> done{0}, total{0};
  std::atomic<bool> cancel{false};
};

// Sensitivity labels for many records without a query per record: the
// hand-set labels loaded once, the policy's code/kind/category rules applied
// in memory. Gives what label_record() (access_control.h) gives.
class LabelTables {
 public:
  static Result<LabelTables> load(Database& db);
  RecordLabels label(const AccessPolicy& policy, const ChildRecord& record) const;

 private:
  std::map<int64_t, std::vector<std::string>> by_event_, by_child_;
};

// The resource types an export can hold.
std::vector<std::string> exportable_types();

// Runs an export synchronously into dir (created; files replaced). A
// cancelled export returns Error::internal("cancelled").
Result<ExportResult> run_export(Database& db, const AccessPolicy& policy,
                                const ExportRequest& request, const std::filesystem::path& dir,
                                ExportProgress* progress = nullptr);

// The Bulk Data manifest (JSON text) for a finished export.
std::string export_manifest(const ExportRequest& request, const ExportResult& result,
                            const std::string& transaction_time);

// Group/{id}: the children registered with GP practice `group` (as any
// current source record says). Empty when there is no such practice.
Result<std::vector<int64_t>> group_members(Database& db, const std::string& group);

// The exports of a running server.
class BulkExporter {
 public:
  // db_path: the store; files go under "<db_path>.exports/".
  BulkExporter(std::string db_path, const AccessPolicy& policy);
  ~BulkExporter();  // cancels what is running and waits for it
  BulkExporter(const BulkExporter&) = delete;
  BulkExporter& operator=(const BulkExporter&) = delete;

  // Records the export as running and starts it on its own thread.
  Result<std::string> start(Database& db, int64_t user_id, ExportRequest request);

  struct State {
    std::string status;  // "running" | "complete" | "failed" | "cancelled"
    int64_t user_id = 0;
    int64_t done = 0, total = 0;  // children, while running
    std::string manifest, error, requested_at;
  };
  // nullopt: no such export. A "running" export that no thread runs (the
  // server restarted) is reported failed.
  Result<std::optional<State>> state(Database& db, const std::string& id);

  // Stops the export if running, deletes its files and marks it cancelled.
  Status cancel(Database& db, const std::string& id);

  // The file of a finished export; nullopt for a name that is not one of
  // ours ("Observation.ndjson", "Observation.2.ndjson").
  std::optional<std::filesystem::path> file(const std::string& id, const std::string& name) const;

  int running();  // exports whose thread has not finished

 private:
  struct Job {
    std::thread thread;
    ExportProgress progress;
    std::atomic<bool> finished{false};
  };
  void reap();  // joins finished threads; mutex_ held

  std::string db_path_;
  const AccessPolicy& policy_;
  std::filesystem::path root_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Job>> jobs_;
};

}  // namespace onechild::api::fhir
