// Ingest and link throughput on a synthetic ICS: rows loaded per second
// (FHIR NDJSON + social care CSV, validation, hashing, one transaction per
// file) and
// source persons linked per second.
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

// The feeds ingest reads today (FHIR and the LAs' social care extracts);
// the other CSV shapes wait for mapping files (issue 4).
std::vector<std::string> loadable_feeds(const fs::path& ics) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(ics / "feeds")) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".ndjson") || name.starts_with("social_care_")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void BM_Ingest(benchmark::State& state) {
  const fs::path& ics = synthetic_ics(state.range(0));
  const std::string db_path = (ics / "bench.db").string();
  int64_t rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* suffix : {"", "-wal", "-shm"})
      fs::remove(db_path + suffix);
    auto db = Database::open(db_path);
    state.ResumeTiming();
    auto report = ingest_paths(*db, loadable_feeds(ics));
    if (!report.ok()) {
      state.SkipWithError(report.error().to_string().c_str());
      return;
    }
    rows = report->rows_read();
  }
  state.SetItemsProcessed(state.iterations() * rows);
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_Ingest)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Link(benchmark::State& state) {
  const fs::path& ics = synthetic_ics(state.range(0));
  const std::string db_path = (ics / "bench-link.db").string();
  int64_t persons = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (const char* suffix : {"", "-wal", "-shm"})
      fs::remove(db_path + suffix);
    auto db = Database::open(db_path);
    if (!ingest_paths(*db, loadable_feeds(ics)).ok()) std::abort();
    state.ResumeTiming();
    auto report = link_unlinked(*db);
    if (!report.ok()) {
      state.SkipWithError(report.error().to_string().c_str());
      return;
    }
    persons = report->considered;
  }
  state.SetItemsProcessed(state.iterations() * persons);
}
BENCHMARK(BM_Link)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
