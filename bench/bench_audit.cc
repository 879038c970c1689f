// The cost of the audit chain (access/audit.h): one record_audit per web
// request must stay well under the server's budget at >2,000 requests/s.
//
//   cmake --build --preset release --target bench_audit
//   build/release/bench/bench_audit --benchmark_filter=Append
//
// Each append is its own BEGIN IMMEDIATE transaction on a WAL database with
// synchronous=NORMAL (what Database::open sets): read the last row, hash,
// insert the row and its child index row, commit.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "access/audit.h"
#include "access/users.h"

namespace onechild {
namespace {

namespace fs = std::filesystem;

// A fresh database file per benchmark, removed afterwards.
class BenchDir {
 public:
  BenchDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("onechild-bench-audit-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~BenchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string db() const { return (path_ / "audit.db").string(); }

 private:
  fs::path path_;
};

AuditEntry view(int64_t child) {
  AuditEntry e{std::nullopt, "view-record", child, "GET /fhir/R4/Patient/" + std::to_string(child)};
  e.username = "hv1";
  e.role = "health-visitor";
  e.organisation = "RX1";
  return e;
}

// One thread, the caller saying who (as the access check does).
void BM_AuditAppend(benchmark::State& state) {
  BenchDir dir;
  auto db = Database::open(dir.db());
  int64_t child = 0;
  for (auto _ : state) {
    if (Status s = record_audit(*db, view(++child % 100000)); !s.ok()) {
      state.SkipWithError(s.error().message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuditAppend);

// The positional form: who is read from the users table first.
void BM_AuditAppendUserLookup(benchmark::State& state) {
  BenchDir dir;
  auto db = Database::open(dir.db());
  auto user = add_user(*db, "hv1", "Hana", "health-visitor", "correct horse battery");
  int64_t child = 0;
  for (auto _ : state) {
    if (Status s = record_audit(*db, {user->id, "view-record", ++child % 100000, "GET /x"});
        !s.ok()) {
      state.SkipWithError(s.error().message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuditAppendUserLookup);

// Several threads, each with its own connection, as the server's pool has:
// the appends serialise on SQLite's write lock.
void BM_AuditAppendThreads(benchmark::State& state) {
  static BenchDir* dir = nullptr;
  if (state.thread_index() == 0) {
    dir = new BenchDir();
    (void)Database::open(dir->db());  // create and migrate once
  }
  // Threads start their loops together, after every thread's setup.
  std::optional<Database> db;
  for (auto _ : state) {
    if (!db) {
      state.PauseTiming();
      db.emplace(std::move(Database::open(dir->db()).value()));
      state.ResumeTiming();
    }
    if (Status s = record_audit(*db, view(state.thread_index())); !s.ok()) {
      state.SkipWithError(s.error().message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    db.reset();
    delete dir;
    dir = nullptr;
  }
}
BENCHMARK(BM_AuditAppendThreads)->Threads(2)->Threads(4)->UseRealTime();

// Verify: rows checked per second.
void BM_AuditVerify(benchmark::State& state) {
  BenchDir dir;
  auto db = Database::open(dir.db());
  {
    auto tx = Transaction::begin(*db);  // fill fast: one transaction
    for (int64_t i = 0; i < state.range(0); ++i)
      (void)record_audit(*db, view(i % 5000));
    (void)tx->commit();
  }
  for (auto _ : state) {
    auto v = verify_audit(*db);
    if (!v.ok() || !v->intact()) state.SkipWithError("chain not intact");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AuditVerify)->Arg(100000)->Unit(benchmark::kMillisecond);

// The IG officer's question: who looked at this child (20 of 100,000 rows).
void BM_AuditSearchByChild(benchmark::State& state) {
  BenchDir dir;
  auto db = Database::open(dir.db());
  {
    auto tx = Transaction::begin(*db);
    for (int64_t i = 0; i < 100000; ++i)
      (void)record_audit(*db, view(i % 5000));
    (void)tx->commit();
  }
  for (auto _ : state) {
    auto rows = search_audit(*db, {.child_id = 1234});
    benchmark::DoNotOptimize(rows);
  }
}
BENCHMARK(BM_AuditSearchByChild);

}  // namespace
}  // namespace onechild
