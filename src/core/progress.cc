#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace onechild {

bool progress_wanted() {
  const char* ci = std::getenv("CI");
  if (ci != nullptr && *ci != '\0' && std::string(ci) != "false") return false;
  return isatty(STDERR_FILENO) != 0;
}

Progress::Progress(std::string label, int64_t total, bool wanted)
    : label_(std::move(label)),
      total_(total),
      enabled_(wanted && progress_wanted()),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  finish();
}

void Progress::advance_to(int64_t bytes_done) {
  in_bytes_ = true;
  ++items_;
  advance(bytes_done - done_);
}

void Progress::advance(int64_t n) {
  done_ += n;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ > std::chrono::milliseconds(100)) {
    last_draw_ = now;
    draw(false);
  }
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_) draw(true);
}

void Progress::draw(bool final) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0.0;
  if (total_ > 0) {
    constexpr int kWidth = 30;
    const double fraction = std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
    const int filled = static_cast<int>(fraction * kWidth);
    const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0.0;
    const std::string bar(static_cast<size_t>(filled), '#');
    if (in_bytes_) {
      const double items_rate = seconds > 0 ? static_cast<double>(items_) / seconds : 0.0;
      std::fprintf(stderr, "\r%s [%-*s] %3.0f%% %.1f/%.1f MB %.0f rows/s ETA %.0fs  ",
                   label_.c_str(), kWidth, bar.c_str(), fraction * 100,
                   static_cast<double>(done_) / 1e6, static_cast<double>(total_) / 1e6, items_rate,
                   eta);
    } else {
      std::fprintf(stderr, "\r%s [%-*s] %3.0f%% %lld/%lld %.0f/s ETA %.0fs  ", label_.c_str(),
                   kWidth, bar.c_str(), fraction * 100, static_cast<long long>(done_),
                   static_cast<long long>(total_), rate, eta);
    }
  } else {
    std::fprintf(stderr, "\r%s %lld %.0f/s  ", label_.c_str(), static_cast<long long>(done_), rate);
  }
  if (final) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace onechild
