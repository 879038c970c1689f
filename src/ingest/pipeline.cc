#include "ingest/pipeline.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace onechild::ingest {
namespace {

// A chunk is handed over at this many rows or bytes, whichever comes first;
// at most kMaxChunks wait, so rows in flight are bounded in count and size.
constexpr size_t kChunkRows = 512;
constexpr size_t kChunkBytes = size_t{4} << 20;
constexpr size_t kMaxChunks = 8;

class Handoff {
 public:
  // Producer side: false once the consumer has stopped.
  bool push(std::vector<ParsedItem>&& chunk) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return stopped_ || chunks_.size() < kMaxChunks; });
    if (stopped_) return false;
    chunks_.push_back(std::move(chunk));
    not_empty_.notify_one();
    return true;
  }
  void finish(std::optional<std::string> failure) {
    std::lock_guard lock(mutex_);
    done_ = true;
    failure_ = std::move(failure);
    not_empty_.notify_one();
  }

  // Consumer side: the next chunk, or nullopt when the producer is done.
  std::optional<std::vector<ParsedItem>> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return done_ || !chunks_.empty(); });
    if (chunks_.empty()) return std::nullopt;
    std::vector<ParsedItem> chunk = std::move(chunks_.front());
    chunks_.pop_front();
    not_full_.notify_one();
    return chunk;
  }
  void stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    not_full_.notify_all();
  }
  std::optional<std::string> failure() {
    std::lock_guard lock(mutex_);
    return failure_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<std::vector<ParsedItem>> chunks_;
  bool done_ = false, stopped_ = false;
  std::optional<std::string> failure_;
};

}  // namespace

Status run_pipeline(const std::function<void(const Emit&)>& produce,
                    const std::function<Status(ParsedItem&)>& consume) {
  Handoff handoff;
  std::thread worker([&] {
    std::vector<ParsedItem> chunk;
    size_t bytes = 0;
    bool open = true;
    const Emit emit = [&](ParsedItem&& item) {
      bytes += item.raw.size();
      chunk.push_back(std::move(item));
      if (chunk.size() >= kChunkRows || bytes >= kChunkBytes) {
        open = handoff.push(std::move(chunk));
        chunk = {};
        bytes = 0;
      }
      return open;
    };
    std::optional<std::string> failure;
    try {
      produce(emit);
      if (open && !chunk.empty()) handoff.push(std::move(chunk));
    } catch (const std::exception& e) {
      failure = std::string("reading the file failed: ") + e.what();
    }
    handoff.finish(std::move(failure));
  });

  Status result;
  while (auto chunk = handoff.pop()) {
    for (ParsedItem& item : *chunk) {
      result = consume(item);
      if (!result.ok()) break;
    }
    if (!result.ok()) break;
  }
  handoff.stop();
  worker.join();
  if (!result.ok()) return result;
  if (auto failure = handoff.failure()) return Error::internal(*failure);
  return {};
}

}  // namespace onechild::ingest
