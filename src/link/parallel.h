// Splits [0, n) into one contiguous chunk per hardware thread and runs
// work(begin, end, chunk) on each. Chunks are contiguous and numbered, so a
// caller that writes per-chunk results and joins them in chunk order gets
// the same output with any number of threads.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace onechild::linkage {

inline size_t worker_count() {
  return std::max<size_t>(1, std::thread::hardware_concurrency());
}

template <typename Work>
void parallel_chunks(size_t n, Work&& work) {
  const size_t workers = std::min(worker_count(), std::max<size_t>(1, n / 4096));
  if (workers <= 1) {
    work(size_t{0}, n, size_t{0});
    return;
  }
  std::vector<std::thread> threads;
  const size_t step = (n + workers - 1) / workers;
  for (size_t w = 0; w < workers; ++w) {
    const size_t begin = std::min(n, w * step), end = std::min(n, begin + step);
    threads.emplace_back([&work, begin, end, w] { work(begin, end, w); });
  }
  for (auto& t : threads)
    t.join();
}

}  // namespace onechild::linkage
