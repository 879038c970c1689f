// StoreRecords: the master child index's side of a run. Loads every current
// source record (with the child it already has) and the decisions people
// have made; writes back new children, links, the review queue, the run and
// the index snapshot, inside the caller's transaction.
//
// Loading a million records from source_persons means normalising and
// interning every value again (seconds). So each run also saves the
// normalised records as a snapshot (RecordSet::encode_*), and the next run
// starts from it: only rows added since are read and normalised, and the
// children come from links. A snapshot made by another model is ignored.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "link/engine.h"
#include "link/link.h"
#include "store/database.h"

namespace onechild::linkage {

class StoreRecords {
 public:
  static Result<StoreRecords> load(Database& db, const ModelSpec& spec);

  const RecordSet& records() const { return *records_; }
  const std::vector<Decision>& decisions() const { return decisions_; }

  // Saves what the run did; fills in the report's counts.
  Status write(const EngineResult& result, const Nicknames& nicknames, LinkReport& report);

 private:
  StoreRecords(Database& db, const ModelSpec& spec) : db_(&db), spec_(&spec) {}
  Result<bool> load_snapshot();
  Status load_since_snapshot();
  Result<bool> apply_history();  // merges and unmerges since the snapshot
  Status load_all();
  Status resolve_decisions();
  std::optional<uint32_t> index_of_key(int64_t key);
  Result<int64_t> model_id(const EngineResult& result, const LinkReport& report);
  Status assign_children(const EngineResult& result, int64_t run_id, LinkReport& report);
  Status write_review(const EngineResult& result, const Nicknames& nicknames, int64_t run_id,
                      LinkReport& report);
  Status write_snapshot();

  Database* db_;
  const ModelSpec* spec_;
  std::unique_ptr<RecordSet> records_;
  bool from_snapshot_ = false;
  int64_t max_id_ = 0;                          // the newest source_persons id the records reflect
  int64_t max_history_ = 0;                     // the newest child_history id they reflect
  std::vector<std::vector<int64_t>> unlinked_;  // per record: version ids needing a link
  std::vector<int64_t> child_before_;           // per record, as loaded
  std::vector<Decision> decisions_;
  std::vector<std::pair<int64_t, uint32_t>> by_key_;  // (key, record), sorted; built on need
};

}  // namespace onechild::linkage
