// FirstSeen: the (source, original id) pairs one load has written, kept in a
// fixed-size Bloom filter. On a source that had no rows when the load began,
// an id the filter has never seen cannot have a current version, so the
// batch inserts it without first looking one up: most rows of a first load.
// A "maybe" (seen, or a false positive) takes the ordinary lookup, so the
// filter can make a load faster but never wrong; its size is fixed, so
// memory does not grow with the files (it only gets slower when crowded).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string_view>

namespace onechild::ingest {

class FirstSeen {
 public:
  explicit FirstSeen(size_t bits_log2 = 28);  // 2^28 bits: 32 MiB, allocated on first use

  bool maybe_contains(int64_t source, std::string_view id) const;
  void add(int64_t source, std::string_view id);

 private:
  struct Free {
    void operator()(uint64_t* p) const { std::free(p); }
  };
  uint64_t mask_;
  bool unavailable_ = false;                 // no memory for the filter: every id is a "maybe"
  std::unique_ptr<uint64_t[], Free> words_;  // calloc'd: untouched pages cost no memory
};

// What one `ingest_paths` call knows across its files: the sources that were
// empty (per table) when it first met them, and the ids it has written since.
struct LoadState {
  std::set<int64_t> fresh_person_sources, fresh_event_sources, examined_sources;
  FirstSeen persons, events;
};

}  // namespace onechild::ingest
