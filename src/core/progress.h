// Progress: a bar with rate and ETA for long work on a terminal.
//
// Quiet when stderr is not a terminal or CI is set, so pipes and test logs
// stay clean (DESIGN §5).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace onechild {

// True on a terminal outside CI: where progress and stage messages belong.
bool progress_wanted();

class Progress {
 public:
  // total = 0 means the amount of work is unknown (a counter, no ETA).
  // wanted = false keeps it quiet even on a terminal.
  Progress(std::string label, int64_t total, bool wanted = true);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void advance(int64_t n = 1);
  // Work measured in bytes of a file: done is the bytes read so far; each
  // call also counts one item (a row), so the bar shows rows per second.
  void advance_to(int64_t bytes_done);
  void finish();

 private:
  void draw(bool final);

  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  int64_t items_ = 0;
  bool in_bytes_ = false;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace onechild
