#include "link/store_records.h"

#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "core/date.h"

namespace onechild::linkage {
namespace {

namespace json = boost::json;

// The source_persons columns a model may compare, in the order the load
// query selects them. The query is fixed text: a model file chooses among
// these, it never adds SQL.
constexpr std::string_view kColumns[] = {"nhs_number", "given_name", "family_name",    "birth_date",
                                         "sex",        "postcode",   "ethnic_category"};
constexpr int kFirstFieldColumn = 4;

std::string record_key(int64_t source_system_id, std::string_view original_id) {
  // The unit separator cannot appear in an id read from a feed.
  std::string key = std::to_string(source_system_id);
  key += '\x1f';
  key += original_id;
  return key;
}

Status run(Statement& stmt) {
  Status s = stmt.run();
  stmt.reset();
  return s;
}

}  // namespace

Result<StoreRecords> StoreRecords::load(Database& db, const ModelSpec& spec) {
  for (const Field& f : spec.fields) {
    if (std::find(std::begin(kColumns), std::end(kColumns), f.column) == std::end(kColumns)) {
      return Error::invalid_argument(spec.origin + ": field " + f.name + ": '" + f.column +
                                     "' is not a source person column (nhs_number, given_name, "
                                     "family_name, birth_date, sex, postcode, ethnic_category)");
    }
  }
  StoreRecords store(db, spec);
  auto snapshot = store.load_snapshot();
  if (!snapshot.ok()) return snapshot.error();
  Status s = *snapshot ? store.load_since_snapshot() : store.load_all();
  if (!s.ok()) return s.error();
  if (Status d = store.resolve_decisions(); !d.ok()) return d.error();
  return store;
}

namespace {

// The columns every record query selects, in this order; the model's fields
// pick among them (kColumns) from index kFirstFieldColumn.
constexpr std::string_view kRecordColumns =
    "SELECT p.id, p.source_system_id, s.code, p.original_id, p.nhs_number_recorded, "
    "p.given_name, p.family_name, p.birth_date, p.sex, p.postcode, p.ethnic_category ";

// Reads one row's field values as views into the row (valid until the next
// step; RecordSet copies what it keeps).
class RowValues {
 public:
  explicit RowValues(const ModelSpec& spec) {
    for (const Field& f : spec.fields) {
      const auto* at = std::find(std::begin(kColumns), std::end(kColumns), f.column);
      column_of_.push_back(kFirstFieldColumn + static_cast<int>(at - std::begin(kColumns)));
    }
    raw_.resize(column_of_.size());
  }
  const std::vector<std::optional<std::string_view>>& read(const Statement& row) {
    for (size_t f = 0; f < column_of_.size(); ++f) {
      if (row.column_is_null(column_of_[f])) {
        raw_[f].reset();
      } else {
        raw_[f] = row.column_view(column_of_[f]);
      }
    }
    return raw_;
  }

 private:
  std::vector<int> column_of_;
  std::vector<std::optional<std::string_view>> raw_;
};

constexpr std::string_view kSnapshotMagic = "onechild-link-snapshot-1";

}  // namespace

Status StoreRecords::load_all() {
  records_ = std::make_unique<RecordSet>(*spec_);
  // Versions replaced by a newer one: their links tell which child a record
  // already has; unlinked ones need a link when their record gets a child.
  std::unordered_map<std::string, std::pair<int64_t, std::vector<int64_t>>> older;
  {
    auto stmt = db_->prepare(
        "SELECT p.id, p.source_system_id, p.original_id, l.child_id FROM source_persons p "
        "LEFT JOIN links l ON l.source_person_id = p.id WHERE p.superseded_by IS NOT NULL");
    if (!stmt.ok()) return stmt.error();
    Status s = stmt->each_row([&](Statement& row) {
      auto& entry = older[record_key(row.column_int64(1), row.column_view(2))];
      if (row.column_is_null(3)) {
        entry.second.push_back(row.column_int64(0));
      } else {
        entry.first = row.column_int64(3);
      }
    });
    if (!s.ok()) return s;
  }
  auto stmt = db_->prepare(std::string(kRecordColumns) +
                           ", l.child_id FROM source_persons p JOIN source_systems s ON s.id = "
                           "p.source_system_id LEFT JOIN links l ON l.source_person_id = p.id "
                           "WHERE p.superseded_by IS NULL ORDER BY p.id");
  if (!stmt.ok()) return stmt.error();
  RowValues values(*spec_);
  Status s = stmt->each_row([&](Statement& row) {
    const int64_t id = row.column_int64(0);
    int64_t child = row.column_is_null(11) ? 0 : row.column_int64(11);
    std::vector<int64_t> unlinked;
    if (child == 0) unlinked.push_back(id);
    if (!older.empty()) {
      auto it = older.find(record_key(row.column_int64(1), row.column_view(3)));
      if (it != older.end()) {
        if (child == 0) child = it->second.first;
        unlinked.insert(unlinked.end(), it->second.second.begin(), it->second.second.end());
      }
    }
    records_->add(row.column_view(2), id, child, values.read(row));
    child_before_.push_back(child);
    unlinked_.push_back(std::move(unlinked));
    max_id_ = std::max(max_id_, id);
  });
  if (!s.ok()) return s;
  auto newest = db_->prepare("SELECT coalesce(max(id), 0) FROM source_persons");
  if (!newest.ok()) return newest.error();
  if (auto row = newest->step(); row.ok() && *row) max_id_ = newest->column_int64(0);
  return {};
}

Result<bool> StoreRecords::load_snapshot() {
  auto parts = db_->prepare("SELECT part, data FROM link_snapshot");
  if (!parts.ok()) return parts.error();
  std::string header, sources;
  std::map<int, std::string> dictionaries, chunks;
  Status s = parts->each_row([&](Statement& row) {
    const std::string part = row.column_text(0);
    std::string data(row.column_view(1));
    int n = -1;
    const auto number = [&](size_t from) {
      const char* end = part.data() + part.size();
      auto [at, ec] = std::from_chars(part.data() + from, end, n);
      return ec == std::errc() && at == end && n >= 0;
    };
    if (part == "header") {
      header = std::move(data);
    } else if (part == "sources") {
      sources = std::move(data);
    } else if (part.rfind("field:", 0) == 0 && number(6)) {
      dictionaries[n] = std::move(data);
    } else if (part.rfind("records:", 0) == 0 && number(8)) {
      chunks[n] = std::move(data);
    }
  });
  if (!s.ok()) return s.error();
  // header: magic, model hash, newest id, chunk count (text, one per line).
  std::vector<std::string> lines;
  for (size_t at = 0; at < header.size();) {
    const size_t nl = header.find('\n', at);
    lines.push_back(header.substr(at, nl - at));
    at = nl == std::string::npos ? header.size() : nl + 1;
  }
  const auto number_at = [&](size_t line, auto& out) {
    return line < lines.size() &&
           std::from_chars(lines[line].data(), lines[line].data() + lines[line].size(), out).ec ==
               std::errc();
  };
  int64_t newest = 0, history = 0;
  size_t chunk_count = 0;
  if (lines.size() != 5 || lines[0] != kSnapshotMagic || lines[1] != spec_->text_hash ||
      !number_at(2, newest) || !number_at(3, history) || !number_at(4, chunk_count) ||
      chunk_count != chunks.size() || dictionaries.size() != spec_->fields.size()) {
    return false;  // none yet, another model's, or damaged: load from the store
  }
  std::vector<std::string_view> dictionary_views, chunk_views;
  for (const auto& [i, d] : dictionaries)
    dictionary_views.push_back(d);
  for (const auto& [i, c] : chunks)
    chunk_views.push_back(c);
  records_ = RecordSet::decode(*spec_, sources, dictionary_views, chunk_views);
  if (!records_) return false;
  max_id_ = newest;
  max_history_ = history;
  auto applied = apply_history();
  if (!applied.ok() || !*applied) {
    records_.reset();
    return applied.ok() ? Result<bool>(false) : applied.error();
  }
  from_snapshot_ = true;
  return true;
}

// Merges and unmerges a person made since the snapshot, applied to its
// children. false when one cannot be followed (the caller then loads from
// the store).
Result<bool> StoreRecords::apply_history() {
  auto stmt = db_->prepare(
      "SELECT id, action, child_id, other_child_id, source_person_id FROM child_history "
      "WHERE id > ?1 ORDER BY id");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, max_history_);
  bool followed = true;
  Status s = stmt->each_row([&](Statement& row) {
    max_history_ = row.column_int64(0);
    const std::string_view action = row.column_view(1);
    const int64_t child = row.column_int64(2);
    const int64_t other = row.column_is_null(3) ? 0 : row.column_int64(3);
    if (action == "merged") {  // every record of `other` now under `child`
      for (uint32_t r = 0; r < records_->size(); ++r) {
        if (records_->child(r) == other) records_->set_child(r, child);
      }
    } else if (action == "unmerged") {  // one record from `child` to `other`
      const auto r = row.column_is_null(4) ? std::nullopt : index_of_key(row.column_int64(4));
      if (r && records_->child(*r) == child) {
        records_->set_child(*r, other);
      } else {
        followed = false;
      }
    }
  });
  if (!s.ok()) return s.error();
  return followed;
}

std::optional<uint32_t> StoreRecords::index_of_key(int64_t key) {
  if (by_key_.size() != records_->size()) {
    by_key_.clear();
    by_key_.reserve(records_->size());
    for (uint32_t r = 0; r < records_->size(); ++r)
      by_key_.emplace_back(records_->key(r), r);
    std::sort(by_key_.begin(), by_key_.end());
  }
  auto it = std::lower_bound(by_key_.begin(), by_key_.end(), std::pair<int64_t, uint32_t>{key, 0});
  if (it == by_key_.end() || it->first != key) return std::nullopt;
  return it->second;
}

Status StoreRecords::load_since_snapshot() {
  const size_t known = records_->size();
  unlinked_.assign(known, {});
  child_before_.assign(known, 0);
  for (uint32_t r = 0; r < known; ++r) {
    child_before_[r] = records_->child(r);
    if (child_before_[r] == 0) unlinked_[r].push_back(records_->key(r));  // should not happen
  }

  // Rows added since: a new version of a known record replaces it; anything
  // else is a new record.
  auto rows = db_->prepare(
      std::string(kRecordColumns) +
      ", (SELECT max(v.id) FROM source_persons v WHERE v.source_system_id = p.source_system_id "
      "AND v.original_id = p.original_id AND v.id <= ?1) FROM source_persons p "
      "JOIN source_systems s ON s.id = p.source_system_id "
      "WHERE p.id > ?1 AND p.superseded_by IS NULL ORDER BY p.id");
  if (!rows.ok()) return rows.error();
  rows->bind(1, max_id_);
  RowValues values(*spec_);
  std::unordered_map<std::string, uint32_t> touched;  // record key -> index, for older versions
  std::vector<std::pair<uint32_t, int64_t>> replaced;
  int64_t newest = max_id_;
  Status s = rows->each_row([&](Statement& row) {
    const int64_t id = row.column_int64(0);
    newest = std::max(newest, id);
    std::optional<uint32_t> r;
    if (!row.column_is_null(11)) r = index_of_key(row.column_int64(11));
    if (r) {
      replaced.emplace_back(*r, id);
      records_->replace(*r, id, values.read(row));
      unlinked_[*r].push_back(id);
    } else {
      r = static_cast<uint32_t>(records_->size());
      records_->add(row.column_view(2), id, 0, values.read(row));
      child_before_.push_back(0);
      unlinked_.push_back({id});
    }
    touched[record_key(row.column_int64(1), row.column_view(3))] = *r;
  });
  if (!s.ok()) return s;
  // Versions that came and were replaced again since the snapshot.
  auto older = db_->prepare(
      "SELECT p.id, p.source_system_id, p.original_id FROM source_persons p LEFT JOIN links l "
      "ON l.source_person_id = p.id WHERE p.id > ?1 AND p.superseded_by IS NOT NULL "
      "AND l.id IS NULL");
  if (!older.ok()) return older.error();
  older->bind(1, max_id_);
  s = older->each_row([&](Statement& row) {
    auto it = touched.find(record_key(row.column_int64(1), row.column_view(2)));
    if (it != touched.end()) unlinked_[it->second].push_back(row.column_int64(0));
  });
  if (!s.ok()) return s;
  by_key_.clear();  // keys changed
  max_id_ = newest;
  return {};
}

// Decisions name records by (source, original id); today's version of each
// is the record to hold apart or together.
Status StoreRecords::resolve_decisions() {
  auto stmt = db_->prepare(
      "SELECT (SELECT id FROM source_persons WHERE source_system_id = d.left_source_system_id "
      "  AND original_id = d.left_original_id AND superseded_by IS NULL), "
      "(SELECT id FROM source_persons WHERE source_system_id = d.right_source_system_id "
      "  AND original_id = d.right_original_id AND superseded_by IS NULL), "
      "d.decision FROM link_decisions d ORDER BY d.id");
  if (!stmt.ok()) return stmt.error();
  // Later decisions on the same two records replace earlier ones.
  std::map<std::pair<uint32_t, uint32_t>, bool> latest;
  Status s = stmt->each_row([&](Statement& row) {
    if (row.column_is_null(0) || row.column_is_null(1)) return;
    const auto a = index_of_key(row.column_int64(0)), b = index_of_key(row.column_int64(1));
    if (!a || !b || *a == *b) return;
    latest[{std::min(*a, *b), std::max(*a, *b)}] = row.column_text(2) == "same";
  });
  if (!s.ok()) return s;
  for (const auto& [pair, same] : latest)
    decisions_.push_back({pair.first, pair.second, same});
  return {};
}

Result<int64_t> StoreRecords::model_id(const EngineResult& result, const LinkReport& report) {
  if (!result.trained) {
    auto find =
        db_->prepare("SELECT id FROM link_models WHERE model_hash = ?1 ORDER BY id DESC LIMIT 1");
    if (!find.ok()) return find.error();
    find->bind(1, spec_->text_hash);
    auto row = find->step();
    if (!row.ok()) return row.error();
    if (*row) return find->column_int64(0);
  }
  auto insert = db_->prepare(
      "INSERT INTO link_models (created_at, model_path, model_hash, parameters, training) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!insert.ok()) return insert.error();
  insert->bind(1, timestamp_now())
      .bind(2, spec_->origin)
      .bind(3, spec_->text_hash)
      .bind(4, report.model_json)
      .bind(5, report.training_json.empty() ? "{}" : report.training_json);
  if (Status s = insert->run(); !s.ok()) return s.error();
  return db_->last_insert_id();
}

// Every cluster's child: the child its records already had (after any
// merge a person decided), or a new one. Then links for every record
// version that has none.
Status StoreRecords::assign_children(const EngineResult& result, int64_t run_id,
                                     LinkReport& report) {
  const RecordSet& records = *records_;
  const Clustering& clusters = result.clustering;
  const std::string now = timestamp_now();
  std::unordered_map<int64_t, int64_t> merged_into;
  for (const ChildMerge& m : clusters.merges)
    merged_into[m.from] = m.into;
  auto resolve = [&](int64_t child) {
    for (auto it = merged_into.find(child); it != merged_into.end(); it = merged_into.find(child))
      child = it->second;
    return child;
  };

  // Clusters with a record to link, in record order; and each one's child
  // where it already has one. Indexed by root, a record number.
  std::vector<bool> touched(records.size(), false);
  std::vector<uint32_t> touched_roots;
  for (uint32_t r = 0; r < records.size(); ++r) {
    const uint32_t root = clusters.root[r];
    if (!unlinked_[r].empty() && !touched[root]) {
      touched[root] = true;
      touched_roots.push_back(root);
    }
  }
  std::vector<int64_t> child_of_root(records.size(), 0);
  for (uint32_t r = 0; r < records.size(); ++r) {
    if (child_before_[r] != 0 && touched[clusters.root[r]]) {
      child_of_root[clusters.root[r]] = resolve(child_before_[r]);
    }
  }

  // The NHS number most of a cluster's records carry (valid ones only;
  // ties to the number seen first).
  std::unordered_map<uint32_t, std::string> consensus;
  if (const int nhs = spec_->field_index("nhs_number"); nhs >= 0) {
    std::vector<std::pair<uint32_t, uint32_t>> numbers;  // (root, value id)
    for (uint32_t r = 0; r < records.size(); ++r) {
      const Value* v = records.value_of(static_cast<size_t>(nhs), r);
      if (v != nullptr && v->valid && touched[clusters.root[r]]) {
        numbers.emplace_back(clusters.root[r], records.value_id(static_cast<size_t>(nhs), r));
      }
    }
    std::sort(numbers.begin(), numbers.end());
    for (size_t i = 0; i < numbers.size();) {
      size_t j = i, best = i, best_count = 0;
      while (j < numbers.size() && numbers[j].first == numbers[i].first) {
        size_t k = j;
        while (k < numbers.size() && numbers[k] == numbers[j])
          ++k;
        if (k - j > best_count) best_count = k - j, best = j;
        j = k;
      }
      consensus[numbers[i].first] =
          records.value(static_cast<size_t>(nhs), numbers[best].second).text;
      i = j;
    }
  }
  auto number_of = [&](uint32_t root) -> std::optional<std::string> {
    auto it = consensus.find(root);
    return it == consensus.end() ? std::nullopt : std::optional(it->second);
  };

  auto create = db_->prepare("INSERT INTO children (nhs_number, created_at) VALUES (?1, ?2)");
  auto renumber = db_->prepare(
      "UPDATE children SET nhs_number = ?1, updated_at = ?2 WHERE id = ?3 AND nhs_number IS NOT "
      "?1");
  auto link = db_->prepare(
      "INSERT INTO links (source_person_id, child_id, method, match_probability, run_id, "
      "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  auto move_links = db_->prepare("UPDATE links SET child_id = ?1 WHERE child_id = ?2");
  auto retire = db_->prepare("UPDATE children SET merged_into = ?1, updated_at = ?2 WHERE id = ?3");
  auto history = db_->prepare(
      "INSERT INTO child_history (at, action, child_id, other_child_id, actor, reason, run_id) "
      "VALUES (?1, 'merged', ?2, ?3, 'linkage run', 'a person decided the records are the same "
      "child', ?4)");
  for (const auto* stmt : {&create, &renumber, &link, &move_links, &retire, &history}) {
    if (!stmt->ok()) return stmt->error();
  }
  for (const ChildMerge& m : clusters.merges) {
    const int64_t into = resolve(m.into);
    move_links->bind(1, into).bind(2, m.from);
    retire->bind(1, into).bind(2, now).bind(3, m.from);
    history->bind(1, now).bind(2, into).bind(3, m.from).bind(4, run_id);
    for (Statement* stmt : {&*move_links, &*retire, &*history}) {
      if (Status s = run(*stmt); !s.ok()) return s;
    }
  }

  // The strongest pair joining each record to its cluster: how sure the link is.
  std::unordered_map<uint32_t, float> best;
  for (const ScoredPair& p : result.scored) {
    if (clusters.root[p.a] != clusters.root[p.b]) continue;
    for (uint32_t r : {p.a, p.b}) {
      auto [it, added] = best.try_emplace(r, p.weight);
      if (!added) it->second = std::max(it->second, p.weight);
    }
  }
  std::vector<bool> founded(records.size(), false);  // roots whose child this run created
  for (uint32_t r = 0; r < records.size(); ++r) {
    if (unlinked_[r].empty()) continue;
    const uint32_t root = clusters.root[r];
    if (child_of_root[root] == 0) {
      create->bind(1, number_of(root)).bind(2, now);
      if (Status s = run(*create); !s.ok()) return s;
      child_of_root[root] = db_->last_insert_id();
      founded[root] = true;
      ++report.new_children;
    }
    if (child_before_[r] == 0) {
      ++(founded[root] ? report.linked_to_new : report.linked_to_existing);
    }
    const auto strongest = best.find(r);
    for (int64_t version : unlinked_[r]) {
      link->bind(1, version)
          .bind(2, child_of_root[root])
          .bind(3, child_before_[r] != 0 ? "version" : "probabilistic");
      if (strongest != best.end()) {
        link->bind(4, match_probability(strongest->second, result.params.prior));
      } else {
        link->bind_null(4);
      }
      link->bind(5, run_id).bind(6, now);
      if (Status s = run(*link); !s.ok()) return s;
      ++report.versions_linked;
    }
  }
  // Every record's child as the run leaves it, for the snapshot.
  for (uint32_t r = 0; r < records.size(); ++r) {
    const uint32_t root = clusters.root[r];
    records_->set_child(r, touched[root] ? child_of_root[root] : resolve(child_before_[r]));
  }
  // A child already in the index that gained records: its number follows
  // the majority of its records now.
  for (uint32_t root : touched_roots) {
    if (founded[root]) continue;
    renumber->bind(1, number_of(root)).bind(2, now).bind(3, child_of_root[root]);
    if (Status s = run(*renumber); !s.ok()) return s;
  }
  return {};
}

Status StoreRecords::write_review(const EngineResult& result, const Nicknames& nicknames,
                                  int64_t run_id, LinkReport& report) {
  const RecordSet& records = *records_;
  const Comparer comparer(records, nicknames);
  const Scorer scorer(records, comparer, result.params);
  auto insert = db_->prepare(
      "INSERT OR IGNORE INTO link_review (left_person_id, right_person_id, match_probability, "
      "match_weight, evidence, existing_children, run_id, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!insert.ok()) return insert.error();
  const std::string now = timestamp_now();
  for (const ReviewCandidate& c : result.clustering.review) {
    // Left is the older record, so a pair is stored the same way whichever
    // run finds it.
    const uint32_t a = records.key(c.a) < records.key(c.b) ? c.a : c.b;
    const uint32_t b = a == c.a ? c.b : c.a;
    json::array evidence;
    for (const Evidence& e : scorer.explain(a, b)) {
      const Value* va = records.value_of(e.field, a);
      const Value* vb = records.value_of(e.field, b);
      evidence.push_back(json::object{{"field", spec_->fields[e.field].name},
                                      {"level", e.label},
                                      {"left", va ? json::value(va->text) : json::value(nullptr)},
                                      {"right", vb ? json::value(vb->text) : json::value(nullptr)},
                                      {"weight", e.weight}});
    }
    const double weight = scorer.weight(a, b);
    insert->bind(1, records.key(a))
        .bind(2, records.key(b))
        .bind(3, scorer.probability(weight))
        .bind(4, weight + scorer.prior_weight())
        .bind(5, json::serialize(evidence))
        .bind(6, int64_t{c.existing_children ? 1 : 0})
        .bind(7, run_id)
        .bind(8, now);
    if (Status s = run(*insert); !s.ok()) return s;
    report.review_added += db_->changes();
  }
  // Pairs whose records have since come together need no decision.
  auto close = db_->prepare(
      "UPDATE link_review SET status = 'linked', closed_at = ?1 WHERE status = 'open' AND "
      "(SELECT child_id FROM links WHERE source_person_id = left_person_id) = "
      "(SELECT child_id FROM links WHERE source_person_id = right_person_id)");
  if (!close.ok()) return close.error();
  close->bind(1, now);
  if (Status s = close->run(); !s.ok()) return s;
  auto open = db_->prepare("SELECT count(*) FROM link_review WHERE status = 'open'");
  if (!open.ok()) return open.error();
  if (auto row = open->step(); row.ok() && *row) report.review_open = open->column_int64(0);
  return {};
}

Status StoreRecords::write(const EngineResult& result, const Nicknames& nicknames,
                           LinkReport& report) {
  const std::string started = timestamp_now();
  report.records = static_cast<int64_t>(records_->size());
  for (int64_t c : child_before_)
    report.new_records += c == 0 ? 1 : 0;
  report.candidate_pairs = result.candidate_pairs;
  report.auto_pairs = result.clustering.auto_pairs;
  report.refused_one_per_feed = result.clustering.refused_one_per_feed;
  report.refused_by_decision = result.clustering.refused_by_decision;
  report.refused_existing = result.clustering.refused_existing;
  report.nhs_numbers_invalid = records_->nhs_invalid();
  report.nhs_numbers_test_range = records_->nhs_test_range();
  for (const BlockingStats& b : result.blocking)
    report.blocking.push_back({b.rule, b.pairs, b.blocks_skipped});
  report.prior = result.params.prior;
  report.auto_link = spec_->auto_link;
  report.review = spec_->review;
  report.auto_weight =
      result.auto_weight + std::log2(result.params.prior / (1 - result.params.prior));
  report.review_weight =
      result.review_weight + std::log2(result.params.prior / (1 - result.params.prior));

  auto model = model_id(result, report);
  if (!model.ok()) return model.error();
  auto insert_run = db_->prepare(
      "INSERT INTO link_runs (started_at, finished_at, model_id, report) VALUES (?1, ?1, ?2, "
      "'{}')");
  if (!insert_run.ok()) return insert_run.error();
  insert_run->bind(1, started).bind(2, *model);
  if (Status s = insert_run->run(); !s.ok()) return s;
  const int64_t run_id = db_->last_insert_id();

  if (Status s = assign_children(result, run_id, report); !s.ok()) return s;
  if (Status s = write_review(result, nicknames, run_id, report); !s.ok()) return s;

  if (Status s = write_snapshot(); !s.ok()) return s;

  auto finish = db_->prepare("UPDATE link_runs SET finished_at = ?1, report = ?2 WHERE id = ?3");
  if (!finish.ok()) return finish.error();
  finish->bind(1, timestamp_now()).bind(2, report.to_json()).bind(3, run_id);
  return finish->run();
}

Status StoreRecords::write_snapshot() {
  RecordSet& records = *records_;
  if (!from_snapshot_) {
    // Made from the store: every part is new, and a part of an older
    // snapshot (another model's fields) must not linger.
    if (Status s = db_->execute("DELETE FROM link_snapshot"); !s.ok()) return s;
  }
  auto put = db_->prepare("INSERT OR REPLACE INTO link_snapshot (part, data) VALUES (?1, ?2)");
  if (!put.ok()) return put.error();
  auto save = [&](const std::string& part, const std::string& data) {
    put->bind(1, part).bind_blob(2, data);
    return run(*put);
  };
  for (size_t f = 0; f < records.field_count(); ++f) {
    if (from_snapshot_ && !records.dictionary_changed(f)) continue;
    if (Status s = save("field:" + std::to_string(f), records.encode_dictionary(f)); !s.ok()) {
      return s;
    }
  }
  for (size_t c = 0; c < records.chunk_count(); ++c) {
    if (from_snapshot_ && !records.chunk_changed(c)) continue;
    if (Status s = save("records:" + std::to_string(c), records.encode_records(c)); !s.ok()) {
      return s;
    }
  }
  if (Status s = save("sources", records.encode_sources()); !s.ok()) return s;
  auto history = db_->prepare("SELECT coalesce(max(id), 0) FROM child_history");
  if (!history.ok()) return history.error();
  if (auto row = history->step(); row.ok() && *row) max_history_ = history->column_int64(0);
  // The header last: it names how many chunks make a whole snapshot.
  return save("header", std::string(kSnapshotMagic) + "\n" + spec_->text_hash + "\n" +
                            std::to_string(max_id_) + "\n" + std::to_string(max_history_) + "\n" +
                            std::to_string(records.chunk_count()));
}

}  // namespace onechild::linkage
