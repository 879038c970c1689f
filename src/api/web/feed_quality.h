// What the data manager's pages read from the store: each feed's loads,
// quarantine and record quality, and the master child index's records and
// decisions. The SQL lives here so the pages only build HTML.
//
// The per-feed figures need every current person record (about 1.5 million
// on a 500,000-child ICS: a 2-second scan). FeedQualityCache scans once, then
// on each change of the store (a load, a link run, a merge or unmerge) reads
// only what changed: the person records and links added since.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace onechild::api {

// One feed's newest file (ingest_batches).
struct FeedLoad {
  int64_t batch_id = 0;
  std::string received_at, file_path, status;  // status: complete | loading | interrupted
  int64_t rows_read = 0, rows_accepted = 0, rows_unchanged = 0, rows_quarantined = 0;
};

// The cached part: what needs a scan of the feed's records.
struct FeedRecords {
  int64_t persons = 0;           // current person records (latest versions)
  int64_t with_nhs_number = 0;   // of those, an NHS number recorded
  int64_t valid_nhs_number = 0;  // of those, passing Modulus 11
  int64_t linked = 0;            // of those, linked to a child
  int64_t quarantined = 0;       // unresolved quarantined rows
  std::vector<std::pair<std::string, int64_t>> quarantine_reasons;  // most rows first
};

struct FeedQuality {
  std::string source, format;
  std::optional<FeedLoad> last;
  int64_t files = 0, rows_read = 0, rows_accepted = 0;  // every load of the feed
  FeedRecords records;
};

struct StoreQuality {
  std::vector<FeedQuality> feeds;  // by source code
  int64_t children = 0;            // current children (not merged away)
  int64_t open_pairs = 0;          // link_review, status open
  std::string computed_at;         // when the cached figures were counted
};

// Shared by every request; safe from any thread.
class FeedQualityCache {
 public:
  // The figures now: loads and the review queue read afresh (small tables),
  // the record scans from the cache unless the store changed.
  Result<StoreQuality> read(Database& db);

  struct Scanned;  // what the scans found (feed_quality.cc)

 private:
  std::mutex mutex_;
  std::string version_;
  std::shared_ptr<const Scanned> scanned_;
};

// --- The master child index, for the linkage pages ---

Result<int64_t> count_review_pairs(Database& db, const std::string& status);

struct IndexChild {
  int64_t id = 0;
  std::optional<std::string> nhs_number;
  std::optional<int64_t> merged_into;
  std::string created_at;
};
Result<std::optional<IndexChild>> find_index_child(Database& db, int64_t child_id);

// A child's current source records (latest versions), at most `limit`.
struct ChildSourceRecord {
  int64_t source_person_id = 0;
  std::string source, original_id, method;
  std::optional<std::string> given_name, family_name, birth_date, nhs_number;
  std::optional<double> match_probability;
};
Result<std::vector<ChildSourceRecord>> child_source_records(Database& db, int64_t child_id,
                                                            int64_t limit);

// The decision a person made on a review pair, if any.
struct PairDecision {
  std::string decision, decided_by, reason, decided_at;
};
Result<std::optional<PairDecision>> decision_on_pair(Database& db, int64_t review_id);

}  // namespace onechild::api
