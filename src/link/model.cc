#include "link/model.h"

#include <sodium.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/text.h"

namespace onechild::linkage {
namespace {

namespace fs = std::filesystem;

struct ComparatorInfo {
  std::string_view name;
  Comparator comparator;
  bool takes_threshold;
};

constexpr ComparatorInfo kComparators[] = {
    {"exact", Comparator::kExact, false},
    {"nickname", Comparator::kNickname, false},
    {"jaro_winkler", Comparator::kJaroWinkler, true},
    {"damerau_levenshtein", Comparator::kDamerauLevenshtein, true},
    {"phonetic", Comparator::kPhonetic, false},
    {"any_part", Comparator::kAnyPart, false},
    {"swap_with", Comparator::kSwapWith, false},
    {"initial", Comparator::kInitial, false},
    {"day_month_swap", Comparator::kDayMonthSwap, false},
    {"within_days", Comparator::kWithinDays, true},
    {"year_off", Comparator::kYearOff, true},
    {"sector", Comparator::kSector, false},
    {"district", Comparator::kDistrict, false},
    {"area", Comparator::kArea, false},
};

// Which comparators make sense for which kind of field: a date compared by
// Jaro-Winkler is a mistake in the model file, said when it loads.
bool fits(Comparator c, FieldKind kind) {
  switch (c) {
    case Comparator::kExact:
      return true;
    case Comparator::kNickname:
    case Comparator::kPhonetic:
    case Comparator::kAnyPart:
    case Comparator::kSwapWith:
      return kind == FieldKind::kName;
    case Comparator::kJaroWinkler:
    case Comparator::kDamerauLevenshtein:
    case Comparator::kInitial:
      return kind != FieldKind::kSex;  // on the normalised text (dates as YYYY-MM-DD)
    case Comparator::kDayMonthSwap:
    case Comparator::kWithinDays:
    case Comparator::kYearOff:
      return kind == FieldKind::kDate;
    case Comparator::kSector:
    case Comparator::kDistrict:
    case Comparator::kArea:
      return kind == FieldKind::kPostcode;
  }
  return false;
}

std::optional<FieldKind> parse_kind(std::string_view s) {
  if (s == "name") return FieldKind::kName;
  if (s == "date") return FieldKind::kDate;
  if (s == "postcode") return FieldKind::kPostcode;
  if (s == "sex") return FieldKind::kSex;
  if (s == "nhs_number") return FieldKind::kNhsNumber;
  if (s == "text") return FieldKind::kText;
  return std::nullopt;
}

bool key_fits(KeyTransform t, FieldKind kind) {
  switch (t) {
    case KeyTransform::kValue:
      return true;
    case KeyTransform::kPhonetic:
      return kind == FieldKind::kName;
    case KeyTransform::kInitial:
      return kind == FieldKind::kName || kind == FieldKind::kText;
    case KeyTransform::kYear:
      return kind == FieldKind::kDate;
    case KeyTransform::kSector:
    case KeyTransform::kDistrict:
      return kind == FieldKind::kPostcode;
  }
  return false;
}

std::optional<KeyTransform> parse_transform(std::string_view s) {
  if (s.empty() || s == "value") return KeyTransform::kValue;
  if (s == "phonetic") return KeyTransform::kPhonetic;
  if (s == "initial") return KeyTransform::kInitial;
  if (s == "year") return KeyTransform::kYear;
  if (s == "sector") return KeyTransform::kSector;
  if (s == "district") return KeyTransform::kDistrict;
  return std::nullopt;
}

// Reads one model file, refusing unknown keys so a misspelt setting is never
// silently ignored.
class Reader {
 public:
  Reader(ModelSpec& spec) : spec_(spec) {}  // NOLINT(google-explicit-constructor)
  Status read(const toml::table& root);

 private:
  Error error(const std::string& where, const std::string& what) const {
    return Error::invalid_argument(spec_.origin + ": " + where + ": " + what);
  }
  Status only(const toml::table& t, const std::string& where,
              const std::set<std::string_view>& keys);
  Status read_model(const toml::table& t);
  Status read_field(const toml::table& t, size_t index);
  Status read_level(const toml::table& t, Field& field, const std::string& where);
  Status resolve_swaps(const toml::table& root);
  Status read_blocking(const toml::table& t, size_t index);
  Status read_training(const toml::table& t);
  Result<double> probability(const toml::node& node, const std::string& where);

  ModelSpec& spec_;
  std::map<std::pair<size_t, size_t>, std::string> swap_targets_;  // (field, level) -> field name
};

Status Reader::only(const toml::table& t, const std::string& where,
                    const std::set<std::string_view>& keys) {
  for (const auto& [key, value] : t) {
    if (!keys.contains(key.str())) {
      return error(where, "unknown setting '" + std::string(key.str()) + "'");
    }
  }
  return {};
}

Result<double> Reader::probability(const toml::node& node, const std::string& where) {
  auto v = node.value<double>();
  if (!v || !(*v > 0.0 && *v < 1.0)) return error(where, "must be a number between 0 and 1");
  return *v;
}

Status Reader::read_model(const toml::table& t) {
  if (Status s =
          only(t, "[model]", {"name", "prior", "nicknames", "max_block_size", "nhs_test_range"});
      !s.ok())
    return s;
  spec_.name = t["name"].value_or(std::string("unnamed model"));
  if (const toml::node* prior = t.get("prior")) {
    auto p = probability(*prior, "[model] prior");
    if (!p.ok()) return p.error();
    spec_.prior = *p;
  }
  if (auto nick = t["nicknames"].value<std::string>()) {
    const fs::path base = fs::path(spec_.origin).parent_path();
    spec_.nicknames_path = fs::path(*nick).is_absolute() ? *nick : (base / *nick).string();
  }
  if (const toml::node* n = t.get("max_block_size")) {
    auto v = n->value<int64_t>();
    if (!v || *v < 2) return error("[model] max_block_size", "must be an integer of at least 2");
    spec_.max_block_size = static_cast<size_t>(*v);
  }
  if (auto range = t["nhs_test_range"].value<std::string>()) {
    if (*range != "valid" && *range != "ignore") {
      return error("[model] nhs_test_range", "must be \"valid\" or \"ignore\"");
    }
    spec_.test_range_valid = *range == "valid";
  }
  return {};
}

Status Reader::read_level(const toml::table& t, Field& field, const std::string& where) {
  if (Status s = only(t, where, {"label", "compare", "threshold", "with", "tf", "m", "u"}); !s.ok())
    return s;
  Level level;
  const auto compare = t["compare"].value<std::string>();
  if (!compare) return error(where, "needs 'compare'");
  const auto* info = std::find_if(std::begin(kComparators), std::end(kComparators),
                                  [&](const ComparatorInfo& c) { return c.name == *compare; });
  if (info == std::end(kComparators)) {
    return error(where, "unknown comparator '" + *compare + "'");
  }
  level.compare = info->comparator;
  if (!fits(level.compare, field.kind)) {
    return error(where, "'" + *compare + "' cannot compare a field of this kind");
  }
  level.label = t["label"].value_or(*compare);
  if (info->takes_threshold) {
    auto threshold = t["threshold"].value<double>();
    if (!threshold || *threshold < 0) return error(where, "'" + *compare + "' needs a threshold");
    // Edits, days and years are counted in whole numbers.
    if (level.compare != Comparator::kJaroWinkler && *threshold != std::floor(*threshold)) {
      return error(where, "'" + *compare + "' needs a whole-number threshold");
    }
    level.threshold = *threshold;
  } else if (t.contains("threshold")) {
    return error(where, "'" + *compare + "' takes no threshold");
  }
  level.tf = t["tf"].value_or(false);
  if (level.tf && level.compare != Comparator::kExact) {
    return error(where, "term-frequency adjustment applies to an exact level only");
  }
  for (const char* key : {"m", "u"}) {
    if (const toml::node* n = t.get(key)) {
      auto p = probability(*n, where + " " + key);
      if (!p.ok()) return p.error();
      (std::string_view(key) == "m" ? level.m : level.u) = *p;
    }
  }
  field.levels.push_back(std::move(level));
  return {};
}

Status Reader::read_field(const toml::table& t, size_t index) {
  const std::string where = "field " + std::to_string(index + 1);
  if (Status s = only(t, where, {"name", "kind", "column", "date_format", "levels", "tf_minimum"});
      !s.ok())
    return s;
  Field field;
  field.name = t["name"].value_or(std::string());
  if (field.name.empty()) return error(where, "needs a 'name'");
  if (spec_.field_index(field.name) >= 0) return error(where, "'" + field.name + "' twice");
  const auto kind = parse_kind(t["kind"].value_or(std::string()));
  if (!kind) {
    return error(field.name, "'kind' must be name, date, postcode, sex, nhs_number or text");
  }
  field.kind = *kind;
  field.column = t["column"].value_or(field.name);
  field.date_format = t["date_format"].value_or(std::string("iso"));
  if (field.date_format != "iso" && field.date_format != "yyyymmdd") {
    return error(field.name, "'date_format' must be \"iso\" or \"yyyymmdd\"");
  }
  field.tf_minimum = t["tf_minimum"].value_or(0.0);
  const toml::array* levels = t["levels"].as_array();
  if (levels == nullptr || levels->empty()) return error(field.name, "needs 'levels'");
  for (size_t i = 0; i < levels->size(); ++i) {
    const toml::table* lt = (*levels)[i].as_table();
    const std::string lw = field.name + " level " + std::to_string(i + 1);
    if (lt == nullptr) return error(lw, "must be a table");
    if (Status s = read_level(*lt, field, lw); !s.ok()) return s;
    const bool swap = field.levels.back().compare == Comparator::kSwapWith;
    if (auto with = (*lt)["with"].value<std::string>(); with && swap) {
      swap_targets_[{spec_.fields.size(), i}] = *with;
    } else if (swap) {
      return error(lw, "'swap_with' needs 'with', the other field");
    } else if (lt->contains("with")) {
      return error(lw, "'with' belongs to a swap_with level only");
    }
  }
  // 13 levels at most: a pair's levels pack into 4 bits per field.
  if (field.levels.size() > 13) return error(field.name, "at most 13 levels");
  spec_.fields.push_back(std::move(field));
  return {};
}

Status Reader::resolve_swaps(const toml::table&) {
  for (const auto& [at, name] : swap_targets_) {
    const int other = spec_.field_index(name);
    Field& field = spec_.fields[at.first];
    if (other < 0) return error(field.name, "swaps with unknown field '" + name + "'");
    if (spec_.fields[static_cast<size_t>(other)].kind != field.kind ||
        static_cast<size_t>(other) == at.first) {
      return error(field.name, "can only swap with another field of the same kind");
    }
    field.levels[at.second].with_field = other;
  }
  return {};
}

Status Reader::read_blocking(const toml::table& t, size_t index) {
  const std::string where = "blocking rule " + std::to_string(index + 1);
  if (Status s = only(t, where, {"name", "keys"}); !s.ok()) return s;
  BlockingRule rule;
  rule.name = t["name"].value_or(where);
  const toml::array* keys = t["keys"].as_array();
  if (keys == nullptr || keys->empty()) return error(rule.name, "needs 'keys'");
  for (const auto& node : *keys) {
    const auto key = node.value<std::string>();
    if (!key) return error(rule.name, "keys must be strings such as \"family_name:phonetic\"");
    const size_t colon = key->find(':');
    const std::string field = key->substr(0, colon);
    const auto transform =
        parse_transform(colon == std::string::npos ? "" : std::string_view(*key).substr(colon + 1));
    const int f = spec_.field_index(field);
    if (f < 0) return error(rule.name, "unknown field '" + field + "'");
    if (!transform) {
      return error(rule.name, "unknown key '" + *key +
                                  "' (value, phonetic, initial, year, sector or district)");
    }
    if (!key_fits(*transform, spec_.fields[static_cast<size_t>(f)].kind)) {
      // A key that no record can have would make the rule silently find nothing.
      return error(rule.name, "'" + *key + "' does not apply to a field of that kind");
    }
    rule.parts.push_back({f, *transform});
  }
  spec_.blocking.push_back(std::move(rule));
  return {};
}

Status Reader::read_training(const toml::table& t) {
  if (Status s = only(t, "[training]",
                      {"u_sample_pairs", "rules", "max_pairs", "max_iterations", "tolerance",
                       "seed", "m_floor"});
      !s.ok())
    return s;
  spec_.u_sample_pairs = t["u_sample_pairs"].value_or(spec_.u_sample_pairs);
  spec_.training_max_pairs = t["max_pairs"].value_or(spec_.training_max_pairs);
  spec_.em_max_iterations = t["max_iterations"].value_or(spec_.em_max_iterations);
  spec_.em_tolerance = t["tolerance"].value_or(spec_.em_tolerance);
  spec_.seed = static_cast<uint64_t>(t["seed"].value_or(int64_t{1}));
  spec_.m_floor = t["m_floor"].value_or(spec_.m_floor);
  if (!(spec_.m_floor >= 0 && spec_.m_floor < 0.1)) {
    return error("[training] m_floor", "must be at least 0 and below 0.1");
  }
  if (spec_.u_sample_pairs < 1000 || spec_.training_max_pairs < 1000 ||
      spec_.em_max_iterations < 1 || !(spec_.em_tolerance > 0)) {
    return error("[training]", "sample sizes must be at least 1000 and iterations at least 1");
  }
  if (const toml::array* rules = t["rules"].as_array()) {
    for (const auto& node : *rules) {
      const auto name = node.value<std::string>();
      const auto it = std::find_if(spec_.blocking.begin(), spec_.blocking.end(),
                                   [&](const BlockingRule& r) { return name && r.name == *name; });
      if (it == spec_.blocking.end()) {
        return error("[training] rules", "no blocking rule named '" + name.value_or("?") + "'");
      }
      spec_.training_rules.push_back(static_cast<int>(it - spec_.blocking.begin()));
    }
  }
  if (spec_.training_rules.empty()) {
    for (size_t i = 0; i < spec_.blocking.size(); ++i)
      spec_.training_rules.push_back(static_cast<int>(i));
  }
  return {};
}

Status Reader::read(const toml::table& root) {
  if (Status s = only(root, "model file",
                      {"model", "thresholds", "sources", "training", "input", "field", "blocking"});
      !s.ok())
    return s;
  if (const toml::table* t = root["model"].as_table(); t != nullptr) {
    if (Status s = read_model(*t); !s.ok()) return s;
  }
  if (const toml::table* t = root["thresholds"].as_table(); t != nullptr) {
    if (Status s = only(*t, "[thresholds]", {"auto_link", "review"}); !s.ok()) return s;
    for (auto [key, target] :
         {std::pair{"auto_link", &spec_.auto_link}, {"review", &spec_.review}}) {
      if (const toml::node* n = t->get(key)) {
        auto p = probability(*n, std::string("[thresholds] ") + key);
        if (!p.ok()) return p.error();
        *target = *p;
      }
    }
    if (spec_.review > spec_.auto_link) {
      return error("[thresholds]", "review must not be above auto_link");
    }
  }
  if (const toml::table* t = root["sources"].as_table(); t != nullptr) {
    if (Status s = only(*t, "[sources]", {"duplicates", "chain_duplicates"}); !s.ok()) return s;
    spec_.chain_duplicates = (*t)["chain_duplicates"].value_or(false);
    if (const toml::array* d = (*t)["duplicates"].as_array()) {
      for (const auto& node : *d) {
        if (auto p = node.value<std::string>()) spec_.duplicate_sources.push_back(*p);
      }
    }
  }
  if (const toml::table* t = root["input"].as_table(); t != nullptr) {
    if (Status s = only(*t, "[input]", {"id", "truth", "truth_pattern", "trim"}); !s.ok()) return s;
    spec_.id_column = t->get("id") ? (*t)["id"].value_or(std::string()) : "";
    spec_.truth_column = (*t)["truth"].value_or(std::string());
    spec_.truth_pattern = (*t)["truth_pattern"].value_or(std::string());
    spec_.trim_values = (*t)["trim"].value_or(true);
  }
  const toml::array* fields = root["field"].as_array();
  if (fields == nullptr || fields->empty()) return error("model file", "needs [[field]] entries");
  // 16 fields at most: a pair's levels pack into 64 bits.
  if (fields->size() > 16) return error("model file", "at most 16 fields");
  for (size_t i = 0; i < fields->size(); ++i) {
    const toml::table* t = (*fields)[i].as_table();
    if (t == nullptr) return error("field " + std::to_string(i + 1), "must be a table");
    if (Status s = read_field(*t, i); !s.ok()) return s;
  }
  if (Status s = resolve_swaps(root); !s.ok()) return s;
  const toml::array* rules = root["blocking"].as_array();
  if (rules == nullptr || rules->empty()) return error("model file", "needs [[blocking]] rules");
  for (size_t i = 0; i < rules->size(); ++i) {
    const toml::table* t = (*rules)[i].as_table();
    if (t == nullptr) return error("blocking rule " + std::to_string(i + 1), "must be a table");
    if (Status s = read_blocking(*t, i); !s.ok()) return s;
  }
  // 64 rules at most: a pair remembers which rules found it in a bit mask.
  if (spec_.blocking.size() > 64) return error("model file", "at most 64 blocking rules");
  toml::table empty;
  const toml::table* training = root["training"].as_table();
  return read_training(training != nullptr ? *training : empty);
}

std::string hash_text(std::string_view text) {
  unsigned char out[16];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), nullptr, 0);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : out) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

}  // namespace

Result<ModelSpec> ModelSpec::parse(std::string_view text, const std::string& origin) {
  ModelSpec spec;
  spec.origin = origin;
  spec.name = "unnamed model";
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    return Error::invalid_argument(origin + ": not valid TOML at " + where.str() + ": " +
                                   std::string(e.description()));
  }
  Reader reader(spec);
  if (Status s = reader.read(root); !s.ok()) return s.error();
  spec.text_hash = hash_text(text);
  return spec;
}

Result<ModelSpec> ModelSpec::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io_error("cannot read linkage model '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

int ModelSpec::field_index(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

bool ModelSpec::source_has_duplicates(std::string_view source) const {
  return std::any_of(duplicate_sources.begin(), duplicate_sources.end(),
                     [&](const std::string& p) { return glob_match(p, source); });
}

const char* to_string(Comparator c) {
  for (const auto& info : kComparators) {
    if (info.comparator == c) return info.name.data();
  }
  return "?";
}

}  // namespace onechild::linkage
