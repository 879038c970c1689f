// ModelSpec: what linkage compares and how, read from TOML
// (config/linkage.toml; the format is in docs/linkage.md). Fields, their
// comparison levels, blocking rules, thresholds and training are data, so a
// data manager can change them without code.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace onechild::linkage {

// Which normaliser a field's values go through.
enum class FieldKind { kName, kDate, kPostcode, kSex, kNhsNumber, kText };

// How a comparison level decides whether two values fall in it.
enum class Comparator {
  kExact,               // the same normalised value (NHS numbers: both valid)
  kNickname,            // names one person may go by ("tom" ~ "thomas")
  kJaroWinkler,         // similarity >= threshold
  kDamerauLevenshtein,  // edit distance <= threshold
  kPhonetic,            // same NYSIIS code
  kAnyPart,             // a part of a multi-part name in common ("smith" ~ "jones smith")
  kSwapWith,            // this field and `with` exchanged (given and family name swapped)
  kInitial,             // same first letter
  kDayMonthSwap,        // 2014-03-07 ~ 2014-07-03
  kWithinDays,          // |a - b| <= threshold days
  kYearOff,             // same day and month, years within threshold
  kSector,              // postcode sector ("LS1 4")
  kDistrict,            // postcode district ("LS1")
  kArea,                // postcode area ("LS")
};

struct Level {
  std::string label;
  Comparator compare = Comparator::kExact;
  double threshold = 0;        // the comparator's number, where it takes one
  int with_field = -1;         // kSwapWith: the other field
  bool tf = false;             // term-frequency adjusted: weight from how common the value is
  std::optional<double> m, u;  // fixed in the model file rather than trained
};

struct Field {
  std::string name;
  FieldKind kind = FieldKind::kText;
  std::string column;         // store column or CSV header
  std::string date_format;    // kDate: "iso" (YYYY-MM-DD) or "yyyymmdd"
  std::vector<Level> levels;  // tried in order; then "else". Missing on either side: "null".
  double tf_minimum = 0.0;    // floor for a value's frequency in tf levels
};

// A blocking key part: a field's value, or something derived from it.
enum class KeyTransform { kValue, kPhonetic, kInitial, kYear, kSector, kDistrict };

struct KeyPart {
  int field = 0;
  KeyTransform transform = KeyTransform::kValue;
};

// Records whose key parts are all equal (and present) become candidate pairs.
struct BlockingRule {
  std::string name;
  std::vector<KeyPart> parts;
};

struct ModelSpec {
  std::string origin;  // the file it came from
  std::string name;
  std::string text_hash;  // of the TOML text: a changed model is retrained
  std::vector<Field> fields;
  std::vector<BlockingRule> blocking;
  size_t max_block_size = 2000;  // larger blocks are skipped and reported

  double auto_link = 0.99;      // match probability at or above: linked
  double review = 0.5;          // from here to auto_link: a person decides
  std::optional<double> prior;  // probability two random records match; estimated when unset

  std::vector<std::string> duplicate_sources;  // glob patterns of feeds known to repeat a person
  // Whether two records of such a feed may join one child through a chain of
  // other records alone. Off, they must at least reach review on their own,
  // which keeps twins in one hospital's feed apart; on, clusters are plain
  // connected components (deduplicating one file, where no other feed
  // speaks).
  bool chain_duplicates = false;
  bool test_range_valid = true;  // NHS numbers in the 999 test range count as valid
  std::string nicknames_path;    // resolved against the model file's folder

  // Training: u from random pairs, m by EM inside the blocks of these rules.
  int64_t u_sample_pairs = 500'000;
  std::vector<int> training_rules;
  int64_t training_max_pairs = 500'000;  // per rule, sampled when the block holds more
  // No level is impossible for a true match: m is at least this after
  // training (a level the training data never showed, such as a digit
  // typo in a birth date, must not veto a link by itself).
  double m_floor = 0.0005;
  int em_max_iterations = 100;
  double em_tolerance = 1e-6;
  uint64_t seed = 1;

  // Linking files rather than the store (the public data sets): which
  // column identifies a row, and where the true person is (a column, or a
  // regular expression's first group applied to it).
  std::string id_column, truth_column, truth_pattern;
  bool trim_values = true;

  static Result<ModelSpec> parse(std::string_view toml, const std::string& origin);
  static Result<ModelSpec> load(const std::string& path);

  int field_index(std::string_view name) const;  // -1 when absent
  bool source_has_duplicates(std::string_view source) const;
};

const char* to_string(Comparator c);

}  // namespace onechild::linkage
