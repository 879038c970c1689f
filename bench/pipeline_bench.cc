// Ingest and link throughput on a synthetic ICS: rows loaded per second
// (every feed: FHIR NDJSON and CSV through the shipped mappings; parse,
// validate, hash, insert, commit) and source persons linked per second.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "ingest/ingest.h"
#include "link/link.h"
#include "synth/synth.h"

namespace {

namespace fs = std::filesystem;
using namespace onechild;

// A synthetic ICS written once per size and reused by every iteration.
const fs::path& synthetic_ics(int64_t children) {
  static std::map<int64_t, fs::path> made;
  auto& dir = made[children];
  if (dir.empty()) {
    dir = fs::temp_directory_path() / ("onechild-bench-" + std::to_string(children));
    fs::remove_all(dir);
    using namespace std::chrono;
    auto done = synthesise({children, 42, Date{year{2026}, month{11}, day{1}}, dir.string()});
    if (!done.ok()) std::abort();
  }
  return dir;
}

// Every feed of the ICS, or only its CSV or only its FHIR files.
enum Feeds { kAll, kCsv, kFhir };

std::vector<std::string> feeds(const fs::path& ics, Feeds which) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(ics / "feeds")) {
    const bool csv = e.path().extension() == ".csv";
    if (which == kAll || (which == kCsv) == csv) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Rows per second end to end (parse, validate, hash, insert, commit) into a
// new database, as the issue 4 targets count them.
void ingest_bench(benchmark::State& state, Feeds which) {
  const fs::path& ics = synthetic_ics(state.range(0));
  const std::string db_path = (ics / "bench.db").string();
  int64_t rows = 0;
  IngestOptions options;
  options.progress = false;
  using namespace std::chrono;
  options.as_of = Date{year{2026}, month{11}, day{1}};
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* suffix : {"", "-wal", "-shm"})
      fs::remove(db_path + suffix);
    auto db = Database::open(db_path);
    state.ResumeTiming();
    auto report = ingest_paths(*db, feeds(ics, which), options);
    if (!report.ok()) {
      state.SkipWithError(report.error().to_string().c_str());
      return;
    }
    rows = report->rows_read();
  }
  state.SetItemsProcessed(state.iterations() * rows);
  state.counters["rows"] = static_cast<double>(rows);
}

void BM_Ingest(benchmark::State& state) {
  ingest_bench(state, kAll);
}
void BM_IngestCsv(benchmark::State& state) {
  ingest_bench(state, kCsv);
}
void BM_IngestFhir(benchmark::State& state) {
  ingest_bench(state, kFhir);
}
BENCHMARK(BM_Ingest)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_IngestCsv)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_IngestFhir)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Loading the same ICS again: every row unchanged (the idempotent path).
void BM_Reingest(benchmark::State& state) {
  const fs::path& ics = synthetic_ics(state.range(0));
  const std::string db_path = (ics / "bench-again.db").string();
  for (const char* suffix : {"", "-wal", "-shm"})
    fs::remove(db_path + suffix);
  auto db = Database::open(db_path);
  IngestOptions options;
  options.progress = false;
  using namespace std::chrono;
  options.as_of = Date{year{2026}, month{11}, day{1}};
  if (!ingest_paths(*db, feeds(ics, kAll), options).ok()) std::abort();
  int64_t rows = 0;
  for (auto _ : state) {
    auto report = ingest_paths(*db, feeds(ics, kAll), options);
    if (!report.ok() ||
        report->total(&FileReport::rows_new) + report->total(&FileReport::rows_updated) != 0) {
      state.SkipWithError("reload was not all unchanged or quarantined");
      return;
    }
    rows = report->rows_read();
  }
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_Reingest)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Link(benchmark::State& state) {
  const fs::path& ics = synthetic_ics(state.range(0));
  const std::string db_path = (ics / "bench-link.db").string();
  int64_t persons = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* suffix : {"", "-wal", "-shm"})
      fs::remove(db_path + suffix);
    auto db = Database::open(db_path);
    if (!ingest_paths(*db, feeds(ics, kAll)).ok()) std::abort();
    state.ResumeTiming();
    auto report = link_unlinked(*db);
    if (!report.ok()) {
      state.SkipWithError(report.error().to_string().c_str());
      return;
    }
    persons = report->records;
  }
  state.SetItemsProcessed(state.iterations() * persons);
}
BENCHMARK(BM_Link)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
