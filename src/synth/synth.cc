#include "synth/synth.h"

#include <atomic>
#include <boost/json.hpp>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/progress.h"
#include "synth/feeds/feeds.h"
#include "synth/life.h"
#include "synth/population.h"
#include "synth/reference.h"
#include "synth/world.h"

namespace onechild {
namespace {

namespace fs = std::filesystem;
using synth::Chunk;
using synth::HouseholdPlan;
using synth::Layout;
using synth::NhsNumbers;
using synth::World;

// Children per unit of work: big enough to keep threads busy, small enough
// that the chunks waiting to be written stay a few megabytes.
constexpr int64_t kChunkChildren = 1000;

// Consecutive households making up one unit of work.
struct Span {
  size_t first, count;
  int64_t children;
};

std::vector<Span> split(const std::vector<HouseholdPlan>& plans) {
  std::vector<Span> spans;
  for (size_t i = 0; i < plans.size();) {
    Span s{i, 0, 0};
    while (i < plans.size() && s.children < kChunkChildren) {
      s.children += plans[i].children;
      ++s.count;
      ++i;
    }
    spans.push_back(s);
  }
  return spans;
}

Chunk make_chunk(const World& world, const Layout& layout, const NhsNumbers& numbers,
                 const std::vector<HouseholdPlan>& plans, const Span& span, int64_t total,
                 uint64_t seed) {
  Chunk chunk(layout.size());
  for (size_t i = span.first; i < span.first + span.count; ++i) {
    synth::Family family = synth::make_family(world, plans[i], numbers, total, seed);
    std::vector<synth::Life> lives;
    lives.reserve(family.children.size());
    for (synth::Child& child : family.children)
      lives.push_back(synth::live(world, family.home, child, seed));
    synth::write_family(world, layout, family, lives, seed, chunk);
  }
  return chunk;
}

// Runs make_chunk on worker threads and hands finished chunks to `write`
// in order. At most 2 x threads chunks wait in memory.
class ChunkPipeline {
 public:
  ChunkPipeline(size_t count, int threads) : ready_(count), threads_(threads) {}

  template <typename Make, typename Write>
  void run(Make make, Write write) {
    std::vector<std::thread> workers;
    workers.reserve(static_cast<size_t>(threads_));
    for (int t = 0; t < threads_; ++t) {
      workers.emplace_back([&] { work(make); });
    }
    std::exception_ptr failure;
    for (size_t i = 0; i < ready_.size() && !failure; ++i) {
      std::unique_ptr<Chunk> chunk;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return ready_[i] != nullptr || failure_; });
        if (failure_) {
          failure = failure_;
          break;
        }
        chunk = std::move(ready_[i]);
        written_ = i + 1;
      }
      changed_.notify_all();
      write(i, *chunk);
    }
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    for (auto& w : workers)
      w.join();
    if (failure) std::rethrow_exception(failure);
  }

 private:
  template <typename Make>
  void work(Make& make) {
    for (;;) {
      const size_t i = next_.fetch_add(1);
      if (i >= ready_.size()) return;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock,
                      [&] { return stop_ || i < written_ + 2 * static_cast<size_t>(threads_); });
        if (stop_) return;
      }
      try {
        auto chunk = std::make_unique<Chunk>(make(i));
        std::lock_guard lock(mutex_);
        ready_[i] = std::move(chunk);
      } catch (...) {
        std::lock_guard lock(mutex_);
        failure_ = std::current_exception();
      }
      changed_.notify_all();
    }
  }

  std::vector<std::unique_ptr<Chunk>> ready_;
  int threads_;
  std::atomic<size_t> next_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t written_ = 0;
  bool stop_ = false;
  std::exception_ptr failure_;
};

Status check(const SynthOptions& o) {
  if (o.children <= 0) return Error::invalid_argument("--children must be at least 1");
  // Children and mothers take NHS numbers from the 999 test range (909,091
  // valid numbers); half a million children and their mothers fit.
  if (o.children > 500'000) {
    return Error::invalid_argument(
        "--children must be at most 500,000 (the NHS test number range, shared with parents)");
  }
  if (o.history_years < 1 || o.history_years > 25) {
    return Error::invalid_argument("--history-years must be between 1 and 25");
  }
  if (!(o.hub_effect > -1.0 && o.hub_effect <= 1.0)) {
    return Error::invalid_argument("--hub-effect must be above -1 and at most 1 (e.g. -0.2)");
  }
  if (o.threads < 0) return Error::invalid_argument("--threads must not be negative");
  return {};
}

}  // namespace

Result<SynthSummary> synthesise(const SynthOptions& options) {
  if (Status s = check(options); !s.ok()) return s.error();
  const fs::path dir(options.out_dir);
  std::error_code ec;
  // A previous run may have written other local authorities' files.
  for (const char* sub : {"feeds", "truth", "reference"}) {
    fs::remove_all(dir / sub, ec);
    fs::create_directories(dir / sub, ec);
    if (ec) return Error::io_error("cannot create '" + (dir / sub).string() + "': " + ec.message());
  }

  synth::Random rng(options.seed);
  const World world(synth::make_reference(rng, options.children, options.as_of), options);
  if (Status s = synth::write_reference(world.reference, options.out_dir); !s.ok())
    return s.error();
  const Layout layout(world.reference);
  const std::vector<HouseholdPlan> plans = synth::plan_households(options.seed, options.children);
  if (options.children + static_cast<int64_t>(plans.size()) > NhsNumbers::kCapacity) {
    return Error::invalid_argument("too many children and mothers for the NHS test number range");
  }
  const NhsNumbers numbers(options.seed);

  std::vector<std::ofstream> files;
  for (size_t slot = 0; slot < layout.size(); ++slot) {
    files.emplace_back(dir / layout.path(slot), std::ios::binary);
    if (!layout.header(slot).empty()) files.back() << layout.header(slot) << '\n';
  }
  SynthSummary summary;
  summary.children = options.children;
  const std::vector<Span> spans = split(plans);
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  Progress progress("synth", options.children);
  ChunkPipeline pipeline(spans.size(), threads);
  pipeline.run(
      [&](size_t i) {
        return make_chunk(world, layout, numbers, plans, spans[i], options.children, options.seed);
      },
      [&](size_t i, const Chunk& chunk) {
        for (size_t slot = 0; slot < layout.size(); ++slot) {
          files[slot] << chunk.text[slot];
          summary.rows[layout.path(slot)] += chunk.rows[slot];
        }
        progress.advance(spans[i].children);
      });
  progress.finish();

  boost::json::object rows;
  for (const auto& [path, n] : summary.rows)
    rows[path] = n;
  std::ofstream manifest(dir / "truth" / "manifest.json");
  manifest << boost::json::serialize(
                  boost::json::object{{"generator", "onechild synth"},
                                      {"seed", options.seed},
                                      {"children", options.children},
                                      {"as_of", format_iso_date(options.as_of)},
                                      {"history_from", format_iso_date(world.history_from)},
                                      {"hub_effect", options.hub_effect},
                                      {"rows", std::move(rows)}})
           << '\n';
  bool good = manifest.good();
  for (auto& f : files) {
    f.flush();
    good = good && f.good();
  }
  if (!good) return Error::io_error("writing under '" + dir.string() + "' failed (disk full?)");
  return summary;
}

}  // namespace onechild
