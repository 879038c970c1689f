// NhsNumber::parse throughput: every row of every feed passes through it.
#include <benchmark/benchmark.h>

#include "core/nhs_number.h"

namespace {

void BM_ParseValid(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(onechild::NhsNumber::parse("943 476 5919"));
}
BENCHMARK(BM_ParseValid);

void BM_ParseInvalid(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(onechild::NhsNumber::parse("9434765918"));
}
BENCHMARK(BM_ParseInvalid);

}  // namespace
