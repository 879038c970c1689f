// RecordSet: the records being linked, normalised once and held by column.
//
// Each field's values are kept in a dictionary: a record holds a small id
// per field, so "the same value" is an integer comparison, a value's
// frequency (for term-frequency adjustment) is a counter, and the work of
// normalising, phonetic coding and postcode parsing is done once per
// distinct value rather than once per record.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "link/model.h"
#include "link/nicknames.h"

namespace onechild::linkage {

// One distinct normalised value of a field, with what comparisons need.
struct Value {
  std::string text;            // normalised: folded name, ISO date, "LS1 4AP", "M", digits
  std::string phonetic;        // names: NYSIIS of the name without spaces
  bool several_parts = false;  // names: more than one part ("smith jones")
  // Postcodes: the sector ("LS1 4"), district ("LS1") and area ("LS") are
  // prefixes of the text; empty when it is not a UK postcode.
  uint8_t sector_length = 0, district_length = 0, area_length = 0;
  std::string_view sector() const { return std::string_view(text).substr(0, sector_length); }
  std::string_view district() const { return std::string_view(text).substr(0, district_length); }
  std::string_view area() const { return std::string_view(text).substr(0, area_length); }
  // Hashes of phonetic, sector and district (0 when empty), computed once:
  // blocking keys every record on them in every run.
  uint64_t phonetic_hash = 0, sector_hash = 0, district_hash = 0;
  int32_t day_number = 0;  // dates: days since 1970-01-01
  int16_t year = 0;
  uint8_t month = 0, day = 0;
  bool valid = true;        // NHS numbers: passes the check
  bool test_range = false;  // NHS numbers: in the 999 range reserved for testing
  uint32_t count = 0;       // records holding it
};

constexpr uint32_t kNull = 0;  // value id of a missing value

class RecordSet {
 public:
  explicit RecordSet(const ModelSpec& spec);

  // Adds a record: its source (an index into sources()), a caller's key
  // (source_persons.id, or a file row), the child it is already linked to
  // (0 when new) and one raw value per model field (nullopt when absent).
  void add(std::string_view source, int64_t key, int64_t child,
           const std::vector<std::optional<std::string_view>>& raw);
  // A new version of record r: new key, new values.
  void replace(size_t r, int64_t key, const std::vector<std::optional<std::string_view>>& raw);
  void set_child(size_t r, int64_t child);

  size_t size() const { return keys_.size(); }
  size_t field_count() const { return columns_.size(); }

  int64_t key(size_t r) const { return keys_[r]; }
  int64_t child(size_t r) const { return children_[r]; }
  uint16_t source(size_t r) const { return sources_[r]; }
  const std::vector<std::string>& sources() const { return source_names_; }

  uint32_t value_id(size_t field, size_t r) const { return columns_[field].ids[r]; }
  const Value& value(size_t field, uint32_t id) const { return columns_[field].values[id]; }
  const Value* value_of(size_t field, size_t r) const {
    const uint32_t id = value_id(field, r);
    return id == kNull ? nullptr : &columns_[field].values[id];
  }
  size_t value_count(size_t field) const { return columns_[field].values.size(); }
  // How common a value is among the records that have the field at all.
  double frequency(size_t field, uint32_t id) const;
  // The records that have the field.
  uint32_t present(size_t field) const { return columns_[field].present; }

  const ModelSpec& spec() const { return *spec_; }
  // Counts of NHS number outcomes, for the report.
  int64_t nhs_test_range() const { return nhs_test_range_; }
  int64_t nhs_invalid() const { return nhs_invalid_; }

  // The index snapshot (format in docs/linkage.md): the dictionaries and the
  // records' value ids as blobs, so that the next run loads a million
  // records without normalising or hashing them again. Records go in chunks
  // of kChunk; only what changed since decode() need be written again.
  static constexpr size_t kChunk = 65536;
  std::string encode_sources() const;
  std::string encode_dictionary(size_t field) const;
  std::string encode_records(size_t chunk) const;
  size_t chunk_count() const { return (size() + kChunk - 1) / kChunk; }
  bool dictionary_changed(size_t field) const { return columns_[field].changed; }
  bool chunk_changed(size_t chunk) const {
    return chunk < changed_chunks_.size() && changed_chunks_[chunk];
  }
  // Rebuilds from those blobs, children included; nullptr when a blob is
  // malformed (the caller then loads from the store instead).
  static std::unique_ptr<RecordSet> decode(const ModelSpec& spec, std::string_view sources,
                                           const std::vector<std::string_view>& dictionaries,
                                           const std::vector<std::string_view>& chunks);

 private:
  // Lets the maps be searched with a string_view, without building a string.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Index = std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>>;
  struct Column {
    std::vector<uint32_t> ids;
    std::vector<Value> values{Value{}};  // id 0 is the null value
    Index by_raw;                        // as received -> id
    Index by_text;                       // normalised -> id; built on first need after decode()
    uint32_t present = 0;
    bool changed = true;  // values added since decode()
  };
  std::optional<Value> normalise(const Field& field, std::string_view raw) const;
  uint32_t intern(size_t field, std::optional<std::string_view> raw);
  void count(size_t field, uint32_t id, int delta);
  void mark_changed(size_t r);
  uint16_t source_index(std::string_view source);

  const ModelSpec* spec_;
  std::vector<Column> columns_;
  std::vector<int64_t> keys_, children_;
  std::vector<uint16_t> sources_;
  std::vector<std::string> source_names_;
  std::vector<bool> changed_chunks_;
  int64_t nhs_test_range_ = 0, nhs_invalid_ = 0;
};

}  // namespace onechild::linkage
