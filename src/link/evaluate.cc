#include "link/evaluate.h"

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <unordered_map>

#include "core/csv.h"
#include "link/csv_records.h"
#include "link/engine.h"

namespace onechild {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

int64_t pairs(int64_t n) {
  return n * (n - 1) / 2;
}

double ratio(int64_t a, int64_t b) {
  return b == 0 ? 1.0 : static_cast<double>(a) / static_cast<double>(b);
}

struct TruePerson {
  std::string household, birth_date, mother;
};

// children.csv from `onechild synth`: who is whose twin, sibling or mother.
std::optional<RelationOf> synth_relations(const std::string& truth_csv) {
  const fs::path children = fs::path(truth_csv).parent_path() / "children.csv";
  std::ifstream in(children);
  if (!in) return std::nullopt;
  CsvReader reader(in);
  auto header = reader.next();
  if (!header) return std::nullopt;
  auto col = [&](std::string_view name) -> int {
    for (size_t i = 0; i < header->fields.size(); ++i) {
      if (header->fields[i] == name) return static_cast<int>(i);
    }
    return -1;
  };
  const int id = col("person_id"), household = col("household"), birth = col("birth_date"),
            mother = col("mother_person_id");
  if (id < 0 || household < 0 || birth < 0 || mother < 0) return std::nullopt;
  auto people = std::make_shared<std::unordered_map<std::string, TruePerson>>();
  while (auto r = reader.next()) {
    if (r->error || r->fields.size() != header->fields.size()) continue;
    (*people)[r->fields[static_cast<size_t>(id)]] = {r->fields[static_cast<size_t>(household)],
                                                     r->fields[static_cast<size_t>(birth)],
                                                     r->fields[static_cast<size_t>(mother)]};
  }
  return RelationOf([people](const std::string& a, const std::string& b) -> std::string {
    const auto pa = people->find(a), pb = people->find(b);
    if (pa != people->end() && pa->second.mother == b) return "mother and child";
    if (pb != people->end() && pb->second.mother == a) return "mother and child";
    if (pa == people->end() || pb == people->end()) return "unrelated";
    if (pa->second.household != pb->second.household) return "unrelated";
    return pa->second.birth_date == pb->second.birth_date ? "twins" : "siblings";
  });
}

}  // namespace

double LinkEvaluation::precision() const {
  return ratio(true_positive_pairs, predicted_pairs);
}
double LinkEvaluation::recall() const {
  return ratio(true_positive_pairs, true_pairs);
}
double LinkEvaluation::f1() const {
  const double p = precision(), r = recall();
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}
double LinkEvaluation::purity() const {
  return ratio(records_in_majority, records);
}

std::string LinkEvaluation::to_json() const {
  json::object by_relation;
  for (const auto& [relation, n] : persons_falsely_merged_by_relation)
    by_relation[relation] = n;
  return json::serialize(
      json::object{{"records", records},
                   {"records_not_loaded", records_not_loaded},
                   {"true_pairs", true_pairs},
                   {"predicted_pairs", predicted_pairs},
                   {"true_positive_pairs", true_positive_pairs},
                   {"precision", precision()},
                   {"recall", recall()},
                   {"f1", f1()},
                   {"persons", persons},
                   {"persons_exactly_clustered", persons_exactly_clustered},
                   {"clusters", clusters},
                   {"purity", purity()},
                   {"false_merge_clusters", false_merge_clusters},
                   {"persons_falsely_merged", persons_falsely_merged},
                   {"persons_falsely_merged_by_relation", by_relation},
                   {"false_split_persons", false_split_persons},
                   {"extra_clusters", extra_clusters},
                   {"review_open", review_open},
                   {"seconds", seconds},
                   {"model", model_json.empty() ? json::value(nullptr) : json::parse(model_json)}});
}

LinkEvaluation evaluate_clusters(const std::vector<std::string>& truth,
                                 const std::vector<int64_t>& cluster, const RelationOf& relation) {
  LinkEvaluation eval;
  eval.records = static_cast<int64_t>(truth.size());
  std::unordered_map<std::string, int64_t> person_size;
  std::unordered_map<int64_t, int64_t> cluster_size;
  std::map<std::pair<int64_t, std::string>, int64_t> overlap;  // ordered: clusters together
  for (size_t r = 0; r < truth.size(); ++r) {
    ++person_size[truth[r]];
    ++cluster_size[cluster[r]];
    ++overlap[{cluster[r], truth[r]}];
  }
  for (const auto& [person, n] : person_size)
    eval.true_pairs += pairs(n);
  for (const auto& [c, n] : cluster_size)
    eval.predicted_pairs += pairs(n);
  eval.persons = static_cast<int64_t>(person_size.size());
  eval.clusters = static_cast<int64_t>(cluster_size.size());

  std::unordered_map<std::string, int64_t> clusters_of_person;
  std::set<std::string> merged;
  std::map<std::string, std::set<std::string>> merged_by_relation;
  for (auto it = overlap.begin(); it != overlap.end();) {
    const int64_t c = it->first.first;
    std::vector<std::string> people;
    int64_t majority = 0;
    for (; it != overlap.end() && it->first.first == c; ++it) {
      const auto& [person, n] = std::pair{it->first.second, it->second};
      eval.true_positive_pairs += pairs(n);
      majority = std::max(majority, n);
      ++clusters_of_person[person];
      if (n == person_size[person] && n == cluster_size[c]) ++eval.persons_exactly_clustered;
      people.push_back(person);
    }
    eval.records_in_majority += majority;
    if (people.size() < 2) continue;
    ++eval.false_merge_clusters;
    for (size_t i = 0; i < people.size(); ++i) {
      merged.insert(people[i]);
      for (size_t j = i + 1; j < people.size() && relation; ++j) {
        const std::string kind = relation(people[i], people[j]);
        merged_by_relation[kind].insert(people[i]);
        merged_by_relation[kind].insert(people[j]);
      }
    }
  }
  eval.persons_falsely_merged = static_cast<int64_t>(merged.size());
  for (const auto& [kind, people] : merged_by_relation)
    eval.persons_falsely_merged_by_relation[kind] = static_cast<int64_t>(people.size());
  for (const auto& [person, n] : clusters_of_person) {
    if (n > 1) {
      ++eval.false_split_persons;
      eval.extra_clusters += n - 1;
    }
  }
  return eval;
}

Result<LinkEvaluation> evaluate_links(Database& db, const std::string& truth_csv) {
  std::ifstream in(truth_csv);
  if (!in) return Error::io_error("cannot read truth file '" + truth_csv + "'");
  CsvReader reader(in);
  auto header = reader.next();
  if (!header || header->fields != std::vector<std::string>{"source", "original_id", "person_id"}) {
    return Error::invalid_argument("header must be 'source,original_id,person_id'")
        .at(truth_csv, 1);
  }
  // Each record's cluster: its child (through any of its versions), or a
  // singleton of its own when unlinked (negative ids cannot collide with
  // child ids).
  auto cluster_of = db.prepare(
      "SELECT p.id, (SELECT l.child_id FROM links l JOIN source_persons v "
      "  ON v.id = l.source_person_id WHERE v.source_system_id = p.source_system_id "
      "  AND v.original_id = p.original_id LIMIT 1) "
      "FROM source_persons p JOIN source_systems s ON s.id = p.source_system_id "
      "WHERE s.code = ?1 AND p.original_id = ?2 ORDER BY p.id DESC LIMIT 1");
  if (!cluster_of.ok()) return cluster_of.error();
  std::vector<std::string> truth;
  std::vector<int64_t> cluster;
  int64_t not_loaded = 0;
  while (auto record = reader.next()) {
    if (record->error || record->fields.size() != 3) {
      return Error::invalid_argument("malformed truth row").at(truth_csv, record->line);
    }
    cluster_of->bind(1, record->fields[0]).bind(2, record->fields[1]);
    auto row = cluster_of->step();
    if (!row.ok()) return row.error();
    if (*row) {
      truth.push_back(record->fields[2]);
      cluster.push_back(cluster_of->column_is_null(1) ? -cluster_of->column_int64(0)
                                                      : cluster_of->column_int64(1));
    } else {
      ++not_loaded;
    }
    cluster_of->reset();
  }
  const auto relation = synth_relations(truth_csv);
  LinkEvaluation eval = evaluate_clusters(truth, cluster, relation.value_or(RelationOf{}));
  eval.records_not_loaded = not_loaded;
  auto open = db.prepare("SELECT count(*) FROM link_review WHERE status = 'open'");
  if (!open.ok()) return open.error();
  if (auto row = open->step(); row.ok() && *row) eval.review_open = open->column_int64(0);
  return eval;
}

Result<LinkEvaluation> evaluate_files(const std::string& model_path,
                                      const std::vector<std::string>& files) {
  using namespace linkage;
  auto spec = ModelSpec::load(model_path);
  if (!spec.ok()) return spec.error();
  if (spec->truth_column.empty()) {
    return Error::invalid_argument(model_path + ": [input] must name the truth column");
  }
  auto nicknames = Nicknames::load_if_named(spec->nicknames_path);
  if (!nicknames.ok()) return nicknames.error();
  auto loaded = load_csv_records(*spec, files);
  if (!loaded.ok()) return loaded.error();
  const auto start = std::chrono::steady_clock::now();
  const EngineResult result = run_engine(*loaded->records, *nicknames, {});
  std::vector<int64_t> cluster(result.clustering.root.begin(), result.clustering.root.end());
  LinkEvaluation eval = evaluate_clusters(loaded->truth, cluster, {});
  eval.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  eval.review_open = static_cast<int64_t>(result.clustering.review.size());
  eval.model_json = result.params.to_json(*spec);
  return eval;
}

}  // namespace onechild
