#include "link/link.h"

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <optional>

#include "core/csv.h"
#include "core/date.h"

namespace onechild {
namespace {

namespace json = boost::json;

// The child for an NHS number, creating the index entry the first time.
Result<int64_t> child_for(Database& db, Statement& find, Statement& create, const std::string& nhs,
                          LinkReport& report) {
  find.bind(1, nhs);
  auto row = find.step();
  std::optional<int64_t> id;
  if (row.ok() && *row) id = find.column_int64(0);
  find.reset();
  if (!row.ok()) return row.error();
  if (id) return *id;
  create.bind(1, nhs).bind(2, timestamp_now());
  Status s = create.run();
  create.reset();
  if (!s.ok()) return s.error();
  ++report.new_children;
  return db.last_insert_id();
}

int64_t pairs(int64_t n) {
  return n * (n - 1) / 2;
}

}  // namespace

Result<LinkReport> link_unlinked(Database& db) {
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return tx.error();
  auto unlinked = db.prepare(
      "SELECT p.id, p.nhs_number FROM source_persons p "
      "LEFT JOIN links l ON l.source_person_id = p.id WHERE l.id IS NULL ORDER BY p.id");
  auto find = db.prepare("SELECT id FROM children WHERE nhs_number = ?1");
  auto create = db.prepare("INSERT INTO children (nhs_number, created_at) VALUES (?1, ?2)");
  auto link = db.prepare(
      "INSERT INTO links (source_person_id, child_id, method, created_at) "
      "VALUES (?1, ?2, 'nhs-number', ?3)");
  for (const auto* stmt : {&unlinked, &find, &create, &link}) {
    if (!stmt->ok()) return stmt->error();
  }
  LinkReport report;
  const std::string now = timestamp_now();
  for (;;) {
    auto row = unlinked->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    ++report.considered;
    if (unlinked->column_is_null(1)) {
      ++report.unlinked_no_nhs_number;
      continue;
    }
    auto child = child_for(db, *find, *create, unlinked->column_text(1), report);
    if (!child.ok()) return child.error();
    link->bind(1, unlinked->column_int64(0)).bind(2, *child).bind(3, now);
    Status s = link->run();
    link->reset();
    if (!s.ok()) return s.error();
    ++report.linked;
  }
  if (Status s = tx->commit(); !s.ok()) return s.error();
  return report;
}

std::string LinkReport::to_json() const {
  return json::serialize(json::object{{"considered", considered},
                                      {"linked", linked},
                                      {"new_children", new_children},
                                      {"unlinked_no_nhs_number", unlinked_no_nhs_number}});
}

double LinkEvaluation::precision() const {
  return predicted_pairs == 0
             ? 1.0
             : static_cast<double>(true_positive_pairs) / static_cast<double>(predicted_pairs);
}

double LinkEvaluation::recall() const {
  return true_pairs == 0
             ? 1.0
             : static_cast<double>(true_positive_pairs) / static_cast<double>(true_pairs);
}

double LinkEvaluation::f1() const {
  const double p = precision(), r = recall();
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

std::string LinkEvaluation::to_json() const {
  return json::serialize(json::object{{"records", records},
                                      {"records_not_loaded", records_not_loaded},
                                      {"true_pairs", true_pairs},
                                      {"predicted_pairs", predicted_pairs},
                                      {"true_positive_pairs", true_positive_pairs},
                                      {"precision", precision()},
                                      {"recall", recall()},
                                      {"f1", f1()},
                                      {"persons", persons},
                                      {"persons_exactly_clustered", persons_exactly_clustered}});
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
  // Each source record's cluster in the store: its child, or a singleton of
  // its own when unlinked (negative ids cannot collide with child ids).
  auto cluster_of = db.prepare(
      "SELECT p.id, (SELECT l.child_id FROM links l WHERE l.source_person_id = p.id) "
      "FROM source_persons p JOIN source_systems s ON s.id = p.source_system_id "
      "WHERE s.code = ?1 AND p.original_id = ?2 ORDER BY p.id DESC LIMIT 1");
  if (!cluster_of.ok()) return cluster_of.error();

  LinkEvaluation eval;
  std::map<std::string, int64_t> person_size;
  std::map<int64_t, int64_t> cluster_size;
  std::map<std::pair<int64_t, std::string>, int64_t> overlap;
  while (auto record = reader.next()) {
    if (record->error || record->fields.size() != 3) {
      return Error::invalid_argument("malformed truth row").at(truth_csv, record->line);
    }
    cluster_of->bind(1, record->fields[0]).bind(2, record->fields[1]);
    auto row = cluster_of->step();
    if (!row.ok()) return row.error();
    std::optional<int64_t> cluster;
    if (*row) {
      cluster = cluster_of->column_is_null(1) ? -cluster_of->column_int64(0)
                                              : cluster_of->column_int64(1);
    }
    cluster_of->reset();
    if (!cluster) {
      ++eval.records_not_loaded;
      continue;
    }
    ++eval.records;
    ++person_size[record->fields[2]];
    ++cluster_size[*cluster];
    ++overlap[{*cluster, record->fields[2]}];
  }
  for (const auto& [person, n] : person_size)
    eval.true_pairs += pairs(n);
  for (const auto& [cluster, n] : cluster_size)
    eval.predicted_pairs += pairs(n);
  for (const auto& [key, n] : overlap) {
    eval.true_positive_pairs += pairs(n);
    // A person is exactly clustered when one cluster holds all of them and nobody else.
    if (n == person_size[key.second] && n == cluster_size[key.first])
      ++eval.persons_exactly_clustered;
  }
  eval.persons = static_cast<int64_t>(person_size.size());
  return eval;
}

}  // namespace onechild
