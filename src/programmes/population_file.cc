#include "programmes/population_file.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <type_traits>

#include "core/bytes.h"

namespace onechild {
namespace {

constexpr std::string_view kMagic = "onechild population\n";
constexpr uint32_t kFormat = 1;
constexpr uint32_t kByteOrder = 0x01020304;  // reads back otherwise on a big-endian machine

// Facts are copied as a block each way, so their layout is the format.
static_assert(std::is_trivially_copyable_v<Fact> && sizeof(Fact) == 32);
// The fewest bytes a child takes: id, three days, four words, two counts.
constexpr size_t kSmallestChild = 8 + 3 * 4 + 4 * 4 + 2 * 4;

Error damaged(std::string_view what) {
  return Error::corruption("population file damaged: " + std::string(what));
}

// Reads one child after its id; every word must be one the file defines.
Status decode_child(ByteReader& in, uint32_t words, ChildFacts& child) {
  const auto word_ok = [&](uint32_t w) { return w < words; };
  uint32_t n = 0;
  if (!in.get(child.birth) || !in.get(child.died) || !in.get(child.left) || !in.get(child.sex) ||
      !in.get(child.practice) || !in.get(child.postcode) || !in.get(child.ethnicity) ||
      !in.get(n)) {
    return damaged("a child is cut short");
  }
  if (!word_ok(child.sex) || !word_ok(child.practice) || !word_ok(child.postcode) ||
      !word_ok(child.ethnicity)) {
    return damaged("a child names a word the file does not define");
  }
  if (n > in.left() / 4) return damaged("a child's source count is larger than the file");
  child.sources.resize(n);
  for (uint32_t& s : child.sources) {
    if (!in.get(s) || !word_ok(s)) return damaged("a child's sources are not words of the file");
  }
  std::string_view block;
  if (!in.get(n) || n > in.left() / sizeof(Fact) || !in.view(n * sizeof(Fact), block)) {
    return damaged("a child's fact count is larger than the file");
  }
  child.facts.resize(n);
  if (n > 0) std::memcpy(child.facts.data(), block.data(), block.size());
  for (const Fact& f : child.facts) {
    if (!word_ok(f.source) || !word_ok(f.kind) || !word_ok(f.code) || !word_ok(f.display) ||
        !word_ok(f.status) || !word_ok(f.value)) {
      return damaged("a fact names a word the file does not define");
    }
  }
  return {};
}

// What the store holds, cheaply: each table's newest row and the first
// load's time (two stores built the same way still differ there). A load
// still running gives nullopt: its rows are arriving.
Result<std::optional<std::string>> store_version(Database& db) {
  auto stmt = db.prepare(R"sql(SELECT
    (SELECT count(*) FROM ingest_batches WHERE status = 'loading'),
    (SELECT coalesce(max(id), 0) FROM ingest_batches) || '/' ||
    (SELECT coalesce(max(id), 0) FROM link_runs) || '/' ||
    (SELECT coalesce(max(id), 0) FROM child_history) || '/' ||
    (SELECT coalesce(max(id), 0) FROM children) || '/' ||
    (SELECT coalesce(max(id), 0) FROM links) || '/' ||
    (SELECT coalesce(max(id), 0) FROM source_persons) || '/' ||
    (SELECT coalesce(max(id), 0) FROM source_events) || '/' ||
    coalesce((SELECT received_at FROM ingest_batches ORDER BY id LIMIT 1), '') || '/' ||
    coalesce((SELECT finished_at FROM ingest_batches ORDER BY id DESC LIMIT 1), ''))sql");
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (stmt->column_int64(0) > 0) return std::optional<std::string>();
  return std::optional<std::string>(stmt->column_text(1));
}

std::string filter_text(const FactFilter& filter) {
  std::string text = "kinds:";
  for (const std::string& k : filter.kinds)
    text += k + ",";
  for (const auto& [kind, codes] : filter.codes) {
    text += ";" + kind + ":";
    for (const std::string& c : codes)
      text += c + ",";
  }
  return text;
}

// FNV-1a: the file name only has to tell filters apart; the whole filter
// is in the key, so two filters sharing a name cannot share a population.
std::string file_suffix(std::string_view text) {
  uint64_t h = 14695981039346656037ULL;
  for (const char c : text)
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

std::optional<std::string> read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return std::nullopt;
  const std::streamoff size = in.tellg();
  if (size < 0) return std::nullopt;
  std::string bytes(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), size)) return std::nullopt;
  return bytes;
}

// Written beside the final name, then renamed over it, so a reader sees
// the old file or the new one, never half of one.
Status write_owner_only(const std::string& path, std::string_view bytes) {
  // mkstemp: a name of its own for each writer (two threads of a server, two
  // commands), created owner-only.
  std::string temp = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return Error::io_error("cannot write beside " + path);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const bool closed = ::close(fd) == 0;
  if (done != bytes.size() || !closed || std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return Error::io_error("cannot write " + path);
  }
  return {};
}

}  // namespace

std::string encode_population(const Population& population, std::string_view key) {
  size_t facts = 0;
  for (const ChildFacts& c : population.children)
    facts += c.facts.size();
  std::string out;
  out.reserve(64 + key.size() + size_t{population.words.size()} * 16 +
              population.children.size() * (kSmallestChild + 16) + facts * sizeof(Fact));
  out += kMagic;
  put_bytes(out, kFormat);
  put_bytes(out, kByteOrder);
  put_text<uint32_t>(out, key);
  put_bytes(out, population.words.size());
  for (uint32_t w = 1; w < population.words.size(); ++w)
    put_text<uint32_t>(out, population.words.text(w));
  put_bytes(out, static_cast<uint64_t>(population.children.size()));
  for (const ChildFacts& c : population.children) {
    put_bytes(out, c.child_id);
    for (const Day d : {c.birth, c.died, c.left})
      put_bytes(out, d);
    for (const uint32_t w : {c.sex, c.practice, c.postcode, c.ethnicity})
      put_bytes(out, w);
    put_bytes(out, static_cast<uint32_t>(c.sources.size()));
    for (const uint32_t s : c.sources)
      put_bytes(out, s);
    put_bytes(out, static_cast<uint32_t>(c.facts.size()));
    out.append(reinterpret_cast<const char*>(c.facts.data()), c.facts.size() * sizeof(Fact));
  }
  return out;
}

Result<std::optional<Population>> decode_population(std::string_view bytes, std::string_view key) {
  ByteReader in(bytes);
  std::string_view magic, saved_key;
  uint32_t format = 0, order = 0, length = 0, words = 0;
  if (!in.view(kMagic.size(), magic) || magic != kMagic) {
    return Error::corruption("not a population file");
  }
  if (!in.get(format) || !in.get(order) || format != kFormat || order != kByteOrder) {
    return damaged("written by another version or machine");
  }
  if (!in.get(length) || !in.view(length, saved_key)) return damaged("the key is cut short");
  if (saved_key != key) return std::optional<Population>();

  Population pop;
  if (!in.get(words) || words == 0 || words - 1 > in.left() / 4) {
    return damaged("the word count is larger than the file");
  }
  std::string text;
  for (uint32_t w = 1; w < words; ++w) {
    if (!in.text<uint32_t>(text)) return damaged("a word is cut short");
    if (pop.words.intern(text) != w) return damaged("a word is there twice");
  }
  uint64_t children = 0;
  if (!in.get(children) || children > in.left() / kSmallestChild) {
    return damaged("the child count is larger than the file");
  }
  pop.children.resize(children);
  for (ChildFacts& child : pop.children) {
    if (!in.get(child.child_id)) return damaged("a child is cut short");
    if (&child != pop.children.data() && child.child_id <= (&child - 1)->child_id) {
      return damaged("children out of order");
    }
    if (Status s = decode_child(in, words, child); !s.ok()) return s.error();
  }
  if (!in.done()) return damaged("bytes after the last child");
  return std::optional<Population>(std::move(pop));
}

Result<LoadedPopulation> load_population_cached(Database& db, const FactFilter& filter,
                                                bool show_progress) {
  LoadedPopulation loaded;
  std::optional<std::string> key;
  if (store_is_plain_file(db)) {
    auto version = store_version(db);
    if (!version.ok()) return version.error();
    if (*version) {
      const std::string filter_key = filter_text(filter);
      key = "store " + **version + "\nfilter " + filter_key;
      loaded.file = db.path() + ".facts-" + file_suffix(filter_key);
    }
  }
  if (key) {
    if (auto bytes = read_whole(loaded.file)) {
      auto saved = decode_population(*bytes, *key);
      if (saved.ok() && *saved) {
        loaded.population = std::move(**saved);
        loaded.from_file = true;
        return loaded;
      }
      if (!saved.ok()) loaded.warning = loaded.file + ": " + saved.error().message() + "; rebuilt";
    }
  }
  auto population = load_population(db, filter, show_progress);
  if (!population.ok()) return population.error();
  loaded.population = std::move(*population);
  if (key) {
    if (Status s = write_owner_only(loaded.file, encode_population(loaded.population, *key));
        !s.ok()) {
      loaded.warning = s.error().message() + " (the next run reads the store again)";
      loaded.file.clear();
    }
  }
  return loaded;
}

}  // namespace onechild
