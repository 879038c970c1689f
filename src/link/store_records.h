// StoreRecords: the master child index's side of a run. Loads every current
// source record (with the child it already has, through any version) and the
// decisions people have made; writes back new children, links, the review
// queue and the run, inside the caller's transaction.
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
  struct RecordInfo {
    int64_t source_system_id;
    std::string original_id;
    std::vector<int64_t> unlinked_versions;  // source_persons ids needing a link row
  };
  struct KeyedDecision {  // records as (source, original id) keys until they load
    std::string left, right;
    bool same;
  };
  StoreRecords(Database& db, const ModelSpec& spec)
      : db_(&db), spec_(&spec), records_(std::make_unique<RecordSet>(spec)) {}
  Status load_records();
  Status load_superseded();
  Status load_decisions();
  Result<int64_t> model_id(const EngineResult& result, const LinkReport& report);
  Result<std::vector<int64_t>> assign_children(const EngineResult& result, int64_t run_id,
                                               LinkReport& report);
  Status write_review(const EngineResult& result, const Nicknames& nicknames, int64_t run_id,
                      LinkReport& report);

  Database* db_;
  const ModelSpec* spec_;
  std::unique_ptr<RecordSet> records_;
  std::vector<RecordInfo> info_;  // per record
  std::vector<KeyedDecision> keyed_decisions_;
  std::vector<Decision> decisions_;
  std::vector<int64_t> child_before_;  // per record, as loaded
};

}  // namespace onechild::linkage
