#include "api/web/feed_quality.h"

#include <map>
#include <string_view>

#include "core/date.h"

namespace onechild::api {

struct FeedQualityCache::Scanned {
  std::map<int64_t, FeedRecords> feeds;  // by source_systems.id
  int64_t children = 0;
  std::string computed_at;
  int64_t max_person = 0, max_link = 0;  // the rows the figures have seen
};

namespace {

constexpr int64_t kReasonsPerFeed = 5;  // the commonest; the rest are summed

// What identifies the store's content for these figures: every load (its
// rows so far, as a load commits in chunks), every link run, and every merge
// or unmerge (child_history) changes it.
Result<std::string> store_version(Database& db) {
  auto stmt = db.prepare(
      "SELECT (SELECT count(*) || ':' || coalesce(sum(records_written), 0) || ':' || "
      "coalesce(sum(quarantine_written), 0) || ':' || coalesce(max(id), 0) FROM ingest_batches) "
      "|| '/' || (SELECT coalesce(max(id), 0) FROM link_runs) || '/' || "
      "(SELECT coalesce(max(id), 0) FROM child_history)");
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  return stmt->column_text(0);
}

Result<int64_t> single(Database& db, std::string_view sql) {
  auto stmt = db.prepare(sql);
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  return stmt->column_int64(0);
}

// Adds (sign 1) or takes away (sign -1) the rows of a query giving, per
// source: records, with an NHS number, valid, linked.
Status tally(Statement& stmt, FeedQualityCache::Scanned& out, int64_t sign) {
  return stmt.each_row([&](const Statement& r) {
    FeedRecords& f = out.feeds[r.column_int64(0)];
    f.persons += sign * r.column_int64(1);
    f.with_nhs_number += sign * r.column_int64(2);
    f.valid_nhs_number += sign * r.column_int64(3);
    f.linked += sign * r.column_int64(4);
  });
}

// The first time: one pass over the current person records. NOT INDEXED:
// reading the table in rowid order and grouping its dozen feeds in a
// temporary b-tree is about 2.5 times faster than walking it in (source,
// original id) order, which jumps about the file for every row.
Status scan_all(Database& db, FeedQualityCache::Scanned& out) {
  auto persons = db.prepare(
      "SELECT p.source_system_id, count(*), count(p.nhs_number_recorded), "
      "sum(p.nhs_number_status = 'valid'), count(l.id) FROM source_persons p NOT INDEXED "
      "LEFT JOIN links l ON l.source_person_id = p.id WHERE p.superseded_by IS NULL "
      "GROUP BY p.source_system_id");
  if (!persons.ok()) return persons.error();
  return tally(*persons, out, 1);
}

// Later: only what changed since the figures saw rows up to `max_person`
// and `max_link`. Person rows are never deleted or edited except to point
// to their successor, and links are never deleted (a merge moves them), so
// three range reads keep the figures exact. NOT INDEXED and CROSS JOIN
// keep SQLite on those rowid ranges: left to itself it walks the whole
// (source, original id) index to save sorting a dozen groups.
Status scan_changes(Database& db, FeedQualityCache::Scanned& out) {
  // Records that arrived since and are current.
  auto added = db.prepare(
      "SELECT p.source_system_id, count(*), count(p.nhs_number_recorded), "
      "sum(p.nhs_number_status = 'valid'), count(l.id) FROM source_persons p NOT INDEXED "
      "LEFT JOIN links l ON l.source_person_id = p.id WHERE p.id > ?1 AND "
      "p.superseded_by IS NULL GROUP BY p.source_system_id");
  if (!added.ok()) return added.error();
  added->bind(1, out.max_person);
  if (Status s = tally(*added, out, 1); !s.ok()) return s;
  // Records counted before that a new version has replaced since, each
  // found from its successor on the (source, original id) index.
  auto replaced = db.prepare(
      "SELECT old.source_system_id, count(*), count(old.nhs_number_recorded), "
      "sum(old.nhs_number_status = 'valid'), sum(EXISTS (SELECT 1 FROM links l WHERE "
      "l.source_person_id = old.id AND l.id <= ?2)) FROM source_persons n NOT INDEXED "
      "CROSS JOIN source_persons old ON old.source_system_id = n.source_system_id AND "
      "old.original_id = n.original_id AND old.id <= ?1 AND old.superseded_by = n.id "
      "WHERE n.id > ?1 GROUP BY old.source_system_id");
  if (!replaced.ok()) return replaced.error();
  replaced->bind(1, out.max_person).bind(2, out.max_link);
  if (Status s = tally(*replaced, out, -1); !s.ok()) return s;
  // Records counted before as unlinked that a link run has linked since.
  auto linked = db.prepare(
      "SELECT p.source_system_id, 0, 0, 0, count(*) FROM links l NOT INDEXED "
      "CROSS JOIN source_persons p ON p.id = l.source_person_id WHERE l.id > ?2 AND p.id <= ?1 AND "
      "p.superseded_by IS NULL GROUP BY p.source_system_id");
  if (!linked.ok()) return linked.error();
  linked->bind(1, out.max_person).bind(2, out.max_link);
  return tally(*linked, out, 1);
}

// Small whatever the store's size: the unresolved quarantine (rows ingest
// rejected, a few in a thousand) and the children, counted on indexes.
Status scan_small(Database& db, FeedQualityCache::Scanned& out) {
  for (auto& [source, f] : out.feeds) {
    f.quarantined = 0;
    f.quarantine_reasons.clear();
  }
  auto quarantine = db.prepare(
      "SELECT source_system_id, reason, count(*) AS n FROM quarantine WHERE resolved_at IS NULL "
      "GROUP BY source_system_id, reason ORDER BY source_system_id, n DESC, reason");
  if (!quarantine.ok()) return quarantine.error();
  if (Status s = quarantine->each_row([&](const Statement& r) {
        FeedRecords& f = out.feeds[r.column_int64(0)];
        const int64_t n = r.column_int64(2);
        f.quarantined += n;
        if (static_cast<int64_t>(f.quarantine_reasons.size()) < kReasonsPerFeed) {
          f.quarantine_reasons.emplace_back(r.column_text(1), n);
        }
      });
      !s.ok()) {
    return s;
  }
  // Every child less those merged away (children_by_merged_into, partial).
  auto all = single(db, "SELECT count(*) FROM children");
  if (!all.ok()) return all.error();
  auto merged = single(db, "SELECT count(*) FROM children WHERE merged_into IS NOT NULL");
  if (!merged.ok()) return merged.error();
  out.children = *all - *merged;
  return {};
}

// A read transaction: every figure from the same state of the store, even
// while a load commits.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Database& db) : db_(db) {}
  ~ReadSnapshot() {
    if (open_) (void)db_.execute("ROLLBACK");
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  Status begin() {
    Status s = db_.execute("BEGIN");
    open_ = s.ok();
    return s;
  }
  Status end() {
    open_ = false;
    return db_.execute("COMMIT");
  }

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace

Result<StoreQuality> FeedQualityCache::read(Database& db) {
  std::shared_ptr<const Scanned> scanned;
  {
    // Held while counting: a second request waits for the figures rather
    // than counting them again.
    std::lock_guard lock(mutex_);
    ReadSnapshot snapshot(db);
    if (Status s = snapshot.begin(); !s.ok()) return s.error();
    auto version = store_version(db);
    if (!version.ok()) return version.error();
    if (!scanned_ || *version != version_) {
      auto max_person = single(db, "SELECT coalesce(max(id), 0) FROM source_persons");
      if (!max_person.ok()) return max_person.error();
      auto max_link = single(db, "SELECT coalesce(max(id), 0) FROM links");
      if (!max_link.ok()) return max_link.error();
      auto fresh = std::make_shared<Scanned>(scanned_ ? *scanned_ : Scanned{});
      // Fewer rows than seen means another store: count it all again.
      const bool from_scratch =
          !scanned_ || *max_person < fresh->max_person || *max_link < fresh->max_link;
      if (from_scratch) *fresh = Scanned{};
      if (Status s = from_scratch ? scan_all(db, *fresh) : scan_changes(db, *fresh); !s.ok()) {
        return s.error();
      }
      if (Status s = scan_small(db, *fresh); !s.ok()) return s.error();
      fresh->max_person = *max_person;
      fresh->max_link = *max_link;
      fresh->computed_at = timestamp_now();
      scanned_ = std::move(fresh);
      version_ = *version;
    }
    if (Status s = snapshot.end(); !s.ok()) return s.error();
    scanned = scanned_;
  }
  StoreQuality out;
  out.children = scanned->children;
  out.computed_at = scanned->computed_at;
  // Loads: one row per file, a small table, so always read afresh.
  auto feeds = db.prepare(
      "SELECT s.id, s.code, s.format, count(b.id), coalesce(sum(b.rows_read), 0), "
      "coalesce(sum(b.rows_accepted), 0), max(b.id) FROM source_systems s "
      "LEFT JOIN ingest_batches b ON b.source_system_id = s.id GROUP BY s.id ORDER BY s.code");
  if (!feeds.ok()) return feeds.error();
  std::vector<std::optional<int64_t>> last_batches;
  if (Status s = feeds->each_row([&](const Statement& r) {
        FeedQuality f;
        f.source = r.column_text(1);
        f.format = r.column_text(2);
        f.files = r.column_int64(3);
        f.rows_read = r.column_int64(4);
        f.rows_accepted = r.column_int64(5);
        if (auto it = scanned->feeds.find(r.column_int64(0)); it != scanned->feeds.end()) {
          f.records = it->second;
        }
        last_batches.push_back(r.column_is_null(6) ? std::nullopt
                                                   : std::optional(r.column_int64(6)));
        out.feeds.push_back(std::move(f));
      });
      !s.ok()) {
    return s.error();
  }
  auto batch = db.prepare(
      "SELECT id, received_at, file_path, status, rows_read, rows_accepted, rows_unchanged, "
      "rows_quarantined FROM ingest_batches WHERE id = ?1");
  if (!batch.ok()) return batch.error();
  for (size_t i = 0; i < out.feeds.size(); ++i) {
    if (!last_batches[i]) continue;
    batch->reset();
    batch->bind(1, *last_batches[i]);
    auto row = batch->step();
    if (!row.ok()) return row.error();
    if (!*row) continue;
    out.feeds[i].last =
        FeedLoad{batch->column_int64(0), batch->column_text(1),  batch->column_text(2),
                 batch->column_text(3),  batch->column_int64(4), batch->column_int64(5),
                 batch->column_int64(6), batch->column_int64(7)};
  }
  auto open = count_review_pairs(db, "open");
  if (!open.ok()) return open.error();
  out.open_pairs = *open;
  return out;
}

Result<int64_t> count_review_pairs(Database& db, const std::string& status) {
  // Counted on the link_review_open (status, match_probability) index.
  auto stmt = db.prepare("SELECT count(*) FROM link_review WHERE status = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, status);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  return stmt->column_int64(0);
}

Result<std::optional<IndexChild>> find_index_child(Database& db, int64_t child_id) {
  auto stmt =
      db.prepare("SELECT id, nhs_number, merged_into, created_at FROM children WHERE id = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, child_id);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<IndexChild>();
  IndexChild c;
  c.id = stmt->column_int64(0);
  c.nhs_number = stmt->column_optional_text(1);
  if (!stmt->column_is_null(2)) c.merged_into = stmt->column_int64(2);
  c.created_at = stmt->column_text(3);
  return std::optional(std::move(c));
}

Result<std::vector<ChildSourceRecord>> child_source_records(Database& db, int64_t child_id,
                                                            int64_t limit) {
  // links_by_child, then each record by its primary key.
  auto stmt = db.prepare(
      "SELECT p.id, s.code, p.original_id, l.method, p.given_name, p.family_name, p.birth_date, "
      "p.nhs_number_recorded, l.match_probability FROM links l "
      "JOIN source_persons p ON p.id = l.source_person_id "
      "JOIN source_systems s ON s.id = p.source_system_id "
      "WHERE l.child_id = ?1 AND p.superseded_by IS NULL ORDER BY s.code, p.original_id LIMIT ?2");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, child_id).bind(2, limit);
  std::vector<ChildSourceRecord> out;
  if (Status s = stmt->each_row([&](const Statement& r) {
        ChildSourceRecord c;
        c.source_person_id = r.column_int64(0);
        c.source = r.column_text(1);
        c.original_id = r.column_text(2);
        c.method = r.column_text(3);
        c.given_name = r.column_optional_text(4);
        c.family_name = r.column_optional_text(5);
        c.birth_date = r.column_optional_text(6);
        c.nhs_number = r.column_optional_text(7);
        if (!r.column_is_null(8)) c.match_probability = r.column_double(8);
        out.push_back(std::move(c));
      });
      !s.ok()) {
    return s.error();
  }
  return out;
}

Result<std::optional<PairDecision>> decision_on_pair(Database& db, int64_t review_id) {
  // No index on review_id: decisions are made by hand, so the table stays
  // small (thousands of rows at most).
  auto stmt = db.prepare(
      "SELECT decision, decided_by, coalesce(reason, ''), decided_at FROM link_decisions "
      "WHERE review_id = ?1 ORDER BY id DESC LIMIT 1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, review_id);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<PairDecision>();
  return std::optional(PairDecision{stmt->column_text(0), stmt->column_text(1),
                                    stmt->column_text(2), stmt->column_text(3)});
}

}  // namespace onechild::api
