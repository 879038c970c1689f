// Synthetic ICS generation: children generated (with all their life events,
// every organisation's feeds, reference data and truth written) per second;
// "rows" counts the records written. The 500,000-child run is in bench/run,
// timed with its peak memory.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "synth/synth.h"

namespace {

void BM_Synth(benchmark::State& state) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "onechild-bench-synth";
  using namespace std::chrono;
  int64_t rows = 0;
  for (auto _ : state) {
    auto done = onechild::synthesise(
        {state.range(0), 1, onechild::Date{year{2026}, month{11}, day{1}}, dir.string()});
    if (!done.ok()) {
      state.SkipWithError(done.error().to_string().c_str());
      return;
    }
    rows = 0;
    for (const auto& [file, n] : done->rows)
      rows += n;
  }
  fs::remove_all(dir);
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_Synth)->Arg(2000)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
