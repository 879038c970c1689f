// RecordSet: the records being linked, normalised once and held by column.
//
// Each field's values are kept in a dictionary: a record holds a small id
// per field, so "the same value" is an integer comparison, a value's
// frequency (for term-frequency adjustment) is a counter, and the work of
// normalising, phonetic coding and postcode parsing is done once per
// distinct value rather than once per record.
#pragma once

#include <cstdint>
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
  std::string text;      // normalised: folded name, ISO date, "LS1 4AP", "M", digits
  std::string phonetic;  // names: NYSIIS of the name without spaces
  bool several_parts = false;  // names: more than one part ("smith jones")
  std::string sector, district, area;  // postcodes (empty when not a UK postcode)
  int32_t day_number = 0;              // dates: days since 1970-01-01
  int16_t year = 0;
  uint8_t month = 0, day = 0;
  bool valid = true;        // NHS numbers: passes the check
  bool test_range = false;  // NHS numbers: in the 999 range reserved for testing
  uint32_t count = 0;  // records holding it
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
    Index by_raw;   // as received -> id
    Index by_text;  // normalised -> id
    uint32_t present = 0;
  };
  std::optional<Value> normalise(const Field& field, std::string_view raw);
  uint16_t source_index(std::string_view source);

  const ModelSpec* spec_;
  std::vector<Column> columns_;
  std::vector<int64_t> keys_, children_;
  std::vector<uint16_t> sources_;
  std::vector<std::string> source_names_;
  int64_t nhs_test_range_ = 0, nhs_invalid_ = 0;
};

}  // namespace onechild::linkage
