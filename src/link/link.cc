#include "link/link.h"

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <unordered_map>

#include "core/date.h"
#include "link/engine.h"
#include "link/store_records.h"

#ifndef ONECHILD_CONFIG_DIR
#define ONECHILD_CONFIG_DIR "config"
#endif

namespace onechild {
namespace {

namespace json = boost::json;
using namespace linkage;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string training_json(const TrainingReport& t) {
  json::array sessions;
  for (const EmSession& s : t.sessions) {
    sessions.push_back(json::object{{"rule", s.rule},
                                    {"pairs", s.pairs},
                                    {"iterations", s.iterations},
                                    {"converged", s.converged},
                                    {"match_share", s.match_share}});
  }
  json::array untrained;
  for (const auto& f : t.untrained_fields)
    untrained.push_back(json::string(f));
  return json::serialize(json::object{
      {"u_sample_pairs", t.u_pairs}, {"em", sessions}, {"untrained_fields", untrained}});
}

// The stored parameters for this model, unless the model file changed or a
// retrain was asked for.
Result<std::optional<Parameters>> stored_parameters(Database& db, const ModelSpec& spec,
                                                    bool retrain) {
  if (retrain) return std::optional<Parameters>();
  auto stmt = db.prepare(
      "SELECT parameters FROM link_models WHERE model_hash = ?1 ORDER BY id DESC LIMIT 1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, spec.text_hash);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<Parameters>();
  auto params = Parameters::from_json(stmt->column_text(0), spec);
  if (!params.ok()) return params.error();
  return std::optional<Parameters>(std::move(*params));
}

}  // namespace

std::string default_model_path() {
  return ONECHILD_CONFIG_DIR "/linkage.toml";
}

std::string LinkReport::to_json() const {
  json::array rules;
  for (const BlockingCount& b : blocking) {
    rules.push_back(
        json::object{{"rule", b.rule}, {"pairs", b.pairs}, {"blocks_skipped", b.blocks_skipped}});
  }
  json::object o{{"records", records},
                 {"new_records", new_records},
                 {"linked_to_existing", linked_to_existing},
                 {"linked_to_new", linked_to_new},
                 {"new_children", new_children},
                 {"versions_linked", versions_linked},
                 {"review_added", review_added},
                 {"review_open", review_open},
                 {"candidate_pairs", candidate_pairs},
                 {"auto_pairs", auto_pairs},
                 {"refused_one_per_feed", refused_one_per_feed},
                 {"refused_by_decision", refused_by_decision},
                 {"refused_existing", refused_existing},
                 {"nhs_numbers_invalid", nhs_numbers_invalid},
                 {"nhs_numbers_test_range", nhs_numbers_test_range},
                 {"blocking", rules},
                 {"trained", trained},
                 {"prior", prior},
                 {"auto_link", auto_link},
                 {"review", review},
                 {"auto_weight", auto_weight},
                 {"review_weight", review_weight},
                 {"seconds_load", seconds_load},
                 {"seconds_link", seconds_link},
                 {"seconds_write", seconds_write}};
  o["model"] = json::parse(model_json.empty() ? "null" : model_json);
  o["training"] = json::parse(training_json.empty() ? "null" : training_json);
  return json::serialize(o);
}

Result<LinkReport> link_unlinked(Database& db, const LinkOptions& options) {
  auto spec =
      ModelSpec::load(options.model_path.empty() ? default_model_path() : options.model_path);
  if (!spec.ok()) return spec.error();
  auto nicknames = Nicknames::load_if_named(spec->nicknames_path);
  if (!nicknames.ok()) return nicknames.error();

  // A large page cache while the run writes a link per record: the indexes
  // on links stay in memory instead of being re-read (as ingest does).
  (void)db.execute("PRAGMA cache_size = -262144");
  struct RestoreCache {
    Database& db;
    ~RestoreCache() { (void)db.execute("PRAGMA cache_size = -2000"); }
  } restore{db};
  // One write transaction for the whole run: the index moves from one
  // consistent state to the next, or not at all.
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return tx.error();
  LinkReport report;
  auto start = std::chrono::steady_clock::now();
  auto loaded = StoreRecords::load(db, *spec);
  if (!loaded.ok()) return loaded.error();
  StoreRecords& store = *loaded;
  auto stored = stored_parameters(db, *spec, options.retrain);
  if (!stored.ok()) return stored.error();
  report.seconds_load = seconds_since(start);

  start = std::chrono::steady_clock::now();
  EngineOptions engine;
  engine.stored = std::move(*stored);
  engine.only_new = true;
  engine.progress = options.progress;
  engine.decisions = store.decisions();
  const EngineResult result = run_engine(store.records(), *nicknames, std::move(engine));
  report.seconds_link = seconds_since(start);

  start = std::chrono::steady_clock::now();
  report.trained = result.trained;
  report.model_json = result.params.to_json(*spec);
  if (result.trained) report.training_json = training_json(result.training);
  if (Status s = store.write(result, *nicknames, report); !s.ok()) return s.error();
  if (Status s = tx->commit(); !s.ok()) return s.error();
  report.seconds_write = seconds_since(start);
  return report;
}

}  // namespace onechild
