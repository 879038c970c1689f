#include "link/store_records.h"

#include <boost/json.hpp>
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
constexpr std::string_view kColumns[] = {"nhs_number", "given_name", "family_name", "birth_date",
                                         "sex",        "postcode",   "ethnic_category"};
constexpr int kFirstFieldColumn = 4;

std::string record_key(int64_t source_system_id, std::string_view original_id) {
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
  if (Status s = store.load_decisions(); !s.ok()) return s.error();
  if (Status s = store.load_records(); !s.ok()) return s.error();
  return store;
}

// Decisions first, as (source, original id) keys; they become record indexes
// as the records load.
Status StoreRecords::load_decisions() {
  auto stmt = db_->prepare(
      "SELECT left_source_system_id, left_original_id, right_source_system_id, right_original_id, "
      "decision FROM link_decisions ORDER BY id");
  if (!stmt.ok()) return stmt.error();
  return stmt->each_row([&](Statement& row) {
    keyed_decisions_.push_back({record_key(row.column_int64(0), row.column_text(1)),
                                record_key(row.column_int64(2), row.column_text(3)),
                                row.column_text(4) == "same"});
  });
}

Status StoreRecords::load_records() {
  // Versions replaced by a newer one: their links tell which child a record
  // already has; unlinked ones need a link when their record gets a child.
  std::unordered_map<std::string, std::pair<int64_t, std::vector<int64_t>>> older;
  {
    auto stmt = db_->prepare(
        "SELECT p.id, p.source_system_id, p.original_id, l.child_id FROM source_persons p "
        "LEFT JOIN links l ON l.source_person_id = p.id WHERE p.superseded_by IS NOT NULL");
    if (!stmt.ok()) return stmt.error();
    Status s = stmt->each_row([&](Statement& row) {
      auto& entry = older[record_key(row.column_int64(1), row.column_text(2))];
      if (row.column_is_null(3)) {
        entry.second.push_back(row.column_int64(0));
      } else {
        entry.first = row.column_int64(3);
      }
    });
    if (!s.ok()) return s;
  }
  std::unordered_set<std::string> wanted;
  for (const KeyedDecision& d : keyed_decisions_) {
    wanted.insert(d.left);
    wanted.insert(d.right);
  }
  std::unordered_map<std::string, uint32_t> index_of;  // only records a decision names

  auto stmt = db_->prepare(
      "SELECT p.id, p.source_system_id, s.code, p.original_id, p.nhs_number_recorded, "
      "p.given_name, p.family_name, p.birth_date, p.sex, p.postcode, p.ethnic_category, "
      "l.child_id FROM source_persons p JOIN source_systems s ON s.id = p.source_system_id "
      "LEFT JOIN links l ON l.source_person_id = p.id WHERE p.superseded_by IS NULL ORDER BY p.id");
  if (!stmt.ok()) return stmt.error();
  std::vector<int> column_of;
  for (const Field& f : spec_->fields) {
    const auto* at = std::find(std::begin(kColumns), std::end(kColumns), f.column);
    column_of.push_back(kFirstFieldColumn + static_cast<int>(at - std::begin(kColumns)));
  }
  std::vector<std::optional<std::string_view>> raw(column_of.size());
  Status s = stmt->each_row([&](Statement& row) {
    const int64_t id = row.column_int64(0), ssid = row.column_int64(1);
    int64_t child = row.column_is_null(11) ? 0 : row.column_int64(11);
    RecordInfo info{ssid, row.column_text(3), {}};
    if (child == 0) info.unlinked_versions.push_back(id);
    if (!older.empty()) {
      if (auto it = older.find(record_key(ssid, info.original_id)); it != older.end()) {
        if (child == 0) child = it->second.first;
        info.unlinked_versions.insert(info.unlinked_versions.end(), it->second.second.begin(),
                                      it->second.second.end());
      }
    }
    // Views into the row: valid until the next step, and add() copies what it keeps.
    for (size_t f = 0; f < column_of.size(); ++f) {
      if (row.column_is_null(column_of[f])) {
        raw[f].reset();
      } else {
        raw[f] = row.column_view(column_of[f]);
      }
    }
    if (!wanted.empty()) {
      const std::string key = record_key(ssid, info.original_id);
      if (wanted.contains(key)) index_of[key] = static_cast<uint32_t>(records_->size());
    }
    records_->add(row.column_view(2), id, child, raw);
    child_before_.push_back(child);
    info_.push_back(std::move(info));
  });
  if (!s.ok()) return s;
  // Later decisions on the same two records replace earlier ones.
  std::map<std::pair<uint32_t, uint32_t>, bool> latest;
  for (const KeyedDecision& d : keyed_decisions_) {
    const auto a = index_of.find(d.left), b = index_of.find(d.right);
    if (a == index_of.end() || b == index_of.end() || a->second == b->second) continue;
    latest[{std::min(a->second, b->second), std::max(a->second, b->second)}] = d.same;
  }
  for (const auto& [pair, same] : latest)
    decisions_.push_back({pair.first, pair.second, same});
  return {};
}


Result<int64_t> StoreRecords::model_id(const EngineResult& result, const LinkReport& report) {
  if (!result.trained) {
    auto find = db_->prepare(
        "SELECT id FROM link_models WHERE model_hash = ?1 ORDER BY id DESC LIMIT 1");
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
Result<std::vector<int64_t>> StoreRecords::assign_children(const EngineResult& result,
                                                           int64_t run_id, LinkReport& report) {
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
  std::unordered_map<uint32_t, int64_t> child_of_root;
  for (uint32_t r = 0; r < records.size(); ++r) {
    if (child_before_[r] != 0) child_of_root[clusters.root[r]] = resolve(child_before_[r]);
  }

  // The NHS number most of a cluster's records carry (valid ones only).
  std::unordered_map<uint32_t, std::map<std::string, int>> numbers;
  const int nhs = spec_->field_index("nhs_number");
  std::unordered_set<uint32_t> touched;
  for (uint32_t r = 0; r < records.size(); ++r) {
    if (!info_[r].unlinked_versions.empty()) touched.insert(clusters.root[r]);
  }
  if (nhs >= 0) {
    for (uint32_t r = 0; r < records.size(); ++r) {
      const Value* v = records.value_of(static_cast<size_t>(nhs), r);
      if (v != nullptr && v->valid && touched.contains(clusters.root[r])) {
        ++numbers[clusters.root[r]][v->text];
      }
    }
  }
  auto consensus = [&](uint32_t root) -> std::optional<std::string> {
    auto it = numbers.find(root);
    if (it == numbers.end()) return std::nullopt;
    const auto best = std::max_element(it->second.begin(), it->second.end(),
                                       [](const auto& x, const auto& y) { return x.second < y.second; });
    return best->first;
  };

  auto create = db_->prepare("INSERT INTO children (nhs_number, created_at) VALUES (?1, ?2)");
  auto renumber = db_->prepare(
      "UPDATE children SET nhs_number = ?1, updated_at = ?2 WHERE id = ?3 AND nhs_number IS NOT ?1");
  auto link = db_->prepare(
      "INSERT INTO links (source_person_id, child_id, method, match_probability, run_id, "
      "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  auto move_links = db_->prepare("UPDATE links SET child_id = ?1 WHERE child_id = ?2");
  auto retire = db_->prepare(
      "UPDATE children SET merged_into = ?1, updated_at = ?2 WHERE id = ?3");
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
      if (Status s = run(*stmt); !s.ok()) return s.error();
    }
  }

  // The strongest pair joining each record to its cluster: how sure the link is.
  std::vector<float> best(records.size(), -1e30F);
  for (const ScoredPair& p : result.scored) {
    if (clusters.root[p.a] != clusters.root[p.b]) continue;
    best[p.a] = std::max(best[p.a], p.weight);
    best[p.b] = std::max(best[p.b], p.weight);
  }
  std::vector<int64_t> child_of(records.size(), 0);
  std::unordered_set<uint32_t> founded;  // roots whose child this run created
  for (uint32_t r = 0; r < records.size(); ++r) {
    const uint32_t root = clusters.root[r];
    auto [it, added] = child_of_root.try_emplace(root, 0);
    if (added) {
      create->bind(1, consensus(root)).bind(2, now);
      if (Status s = run(*create); !s.ok()) return s.error();
      it->second = db_->last_insert_id();
      founded.insert(root);
      ++report.new_children;
    }
    child_of[r] = it->second;
    if (info_[r].unlinked_versions.empty()) continue;
    if (child_before_[r] == 0) {
      ++(founded.contains(root) ? report.linked_to_new : report.linked_to_existing);
    }
    for (int64_t version : info_[r].unlinked_versions) {
      link->bind(1, version)
          .bind(2, it->second)
          .bind(3, child_before_[r] != 0 ? "version" : "probabilistic");
      if (best[r] > -1e29F) {
        link->bind(4, match_probability(best[r], result.params.prior));
      } else {
        link->bind_null(4);
      }
      link->bind(5, run_id).bind(6, now);
      if (Status s = run(*link); !s.ok()) return s.error();
      ++report.versions_linked;
    }
  }
  // A child already in the index that gained records: its number follows
  // the majority of its records now.
  for (uint32_t root : touched) {
    if (founded.contains(root)) continue;
    renumber->bind(1, consensus(root)).bind(2, now).bind(3, child_of_root[root]);
    if (Status s = run(*renumber); !s.ok()) return s.error();
  }
  return child_of;
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
  report.auto_weight = result.auto_weight + std::log2(result.params.prior / (1 - result.params.prior));
  report.review_weight =
      result.review_weight + std::log2(result.params.prior / (1 - result.params.prior));

  auto model = model_id(result, report);
  if (!model.ok()) return model.error();
  auto insert_run = db_->prepare(
      "INSERT INTO link_runs (started_at, finished_at, model_id, report) VALUES (?1, ?1, ?2, '{}')");
  if (!insert_run.ok()) return insert_run.error();
  insert_run->bind(1, started).bind(2, *model);
  if (Status s = insert_run->run(); !s.ok()) return s;
  const int64_t run_id = db_->last_insert_id();

  auto children = assign_children(result, run_id, report);
  if (!children.ok()) return children.error();
  if (Status s = write_review(result, nicknames, run_id, report); !s.ok()) return s;

  auto finish = db_->prepare("UPDATE link_runs SET finished_at = ?1, report = ?2 WHERE id = ?3");
  if (!finish.ok()) return finish.error();
  finish->bind(1, timestamp_now()).bind(2, report.to_json()).bind(3, run_id);
  return finish->run();
}

}  // namespace onechild::linkage
