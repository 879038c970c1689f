#include "ingest/csv/mapping.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/text.h"

namespace onechild::ingest {

// ---- The parsed mapping ----------------------------------------------------

enum class ColumnType { kText, kDate, kInteger, kDecimal, kNhsNumber };

struct ColumnRule {
  std::string name;
  ColumnType type = ColumnType::kText;
  bool required = false;
  bool may_be_absent = false;  // the column may be missing from the header
  bool future_allowed = false;
  std::string date_format;
  std::optional<std::set<std::string>> values;
  std::optional<std::map<std::string, std::string>> map;
  size_t max_bytes = 0;  // 0: the feed's max_field_bytes
};

// A field's value: literal text and column references ("{upn}-{census_date}"),
// or a single column, or a constant.
struct Template {
  struct Piece {
    bool is_column;
    std::string text;   // literal text, or the column's name
    size_t column = 0;  // index into MappingSpec::columns when is_column
  };
  std::vector<Piece> pieces;
  bool empty() const { return pieces.empty(); }
};

enum class Field {
  kOriginalId,
  kPerson,
  kParent,
  kNhsNumber,
  kGivenName,
  kFamilyName,
  kBirthDate,
  kSex,
  kPostcode,
  kEthnicCategory,
  kGpPractice,
  kStartDate,
  kEndDate,
  kCode,
  kDisplay,
  kStatus,
  kValue,
  kCount
};

struct RecordSpec {
  bool is_person = false;
  std::string kind, code_system;
  std::optional<size_t> when;  // produce the record only when this column has a value
  std::array<Template, static_cast<size_t>(Field::kCount)> fields;
  const Template& operator[](Field f) const { return fields[static_cast<size_t>(f)]; }
};

struct MappingSpec {
  std::string origin, name, description;
  std::vector<std::string> files;
  int order = 2;
  CsvOptions csv;
  std::string date_format = "%Y-%m-%d";
  size_t max_field_bytes = 65536;
  std::vector<ColumnRule> columns;
  std::vector<RecordSpec> records;
};

namespace {

namespace fs = std::filesystem;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

Error bad(std::string_view field, std::string message) {
  return Error::invalid_argument(std::move(message)).in_field(std::string(field));
}

// Reads "%Y-%m-%d"-style dates: %Y four digits, %m and %d two (one allowed
// when a separator follows), %H %M %S read and ignored; other characters
// must match. The result must be a real date.
Result<Date> parse_date(std::string_view text, std::string_view format) {
  int year = -1, month = -1, day = -1;
  size_t t = 0;
  for (size_t f = 0; f < format.size(); ++f) {
    if (format[f] != '%' || f + 1 == format.size()) {
      if (t >= text.size() || text[t] != format[f]) {
        return Error::invalid_argument("not a date in the format " + std::string(format));
      }
      ++t;
      continue;
    }
    const char spec = format[++f];
    const size_t width = spec == 'Y' ? 4 : 2;
    size_t n = 0;
    int number = 0;
    while (n < width && t + n < text.size() &&
           std::isdigit(static_cast<unsigned char>(text[t + n]))) {
      number = number * 10 + (text[t + n] - '0');
      ++n;
    }
    if (n == 0 || (spec == 'Y' && n != 4)) {
      return Error::invalid_argument("not a date in the format " + std::string(format));
    }
    t += n;
    if (spec == 'Y')
      year = number;
    else if (spec == 'm')
      month = number;
    else if (spec == 'd')
      day = number;
    else if (spec != 'H' && spec != 'M' && spec != 'S') {
      return Error::invalid_argument("date format uses an unsupported %" + std::string(1, spec));
    }
  }
  if (t != text.size()) {
    return Error::invalid_argument("not a date in the format " + std::string(format));
  }
  const Date date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                  std::chrono::day{static_cast<unsigned>(day)}};
  if (year < 0 || month < 0 || day < 0 || !date.ok()) {
    return Error::invalid_argument("impossible date");
  }
  return date;
}

bool is_integer(std::string_view v) {
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) v.remove_prefix(1);
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

bool is_decimal(std::string_view v) {
  const auto dot = v.find('.');
  if (dot == std::string_view::npos) return is_integer(v);
  const std::string_view frac = v.substr(dot + 1);
  return is_integer(v.substr(0, dot)) && !frac.empty() &&
         std::all_of(frac.begin(), frac.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// ---- Reading the TOML ------------------------------------------------------

class SpecReader {
 public:
  SpecReader(MappingSpec& spec, const toml::table* shared) : spec_(spec), shared_(shared) {}

  Status read(const toml::table& root);

 private:
  Error error(const std::string& where, const std::string& what) const {
    return Error::invalid_argument(spec_.origin + ": " + where + ": " + what);
  }
  size_t column(std::string_view name);
  Result<Template> parse_template(const toml::node& node, const std::string& where);
  Status read_feed(const toml::table& feed);
  Status read_column(const std::string& name, const toml::table& rule);
  Status read_record(const toml::table& table, bool is_person, const std::string& where);
  Result<std::set<std::string>> value_set(const toml::node& node, const std::string& where);
  Result<std::map<std::string, std::string>> value_map(const toml::node& node,
                                                       const std::string& where);

  MappingSpec& spec_;
  const toml::table* shared_;
};

size_t SpecReader::column(std::string_view name) {
  const std::string key = lower(name);
  for (size_t i = 0; i < spec_.columns.size(); ++i) {
    if (spec_.columns[i].name == key) return i;
  }
  ColumnRule rule;
  rule.name = key;
  spec_.columns.push_back(std::move(rule));
  return spec_.columns.size() - 1;
}

Result<Template> SpecReader::parse_template(const toml::node& node, const std::string& where) {
  Template t;
  if (const toml::table* constant = node.as_table()) {
    auto text = (*constant)["const"].value<std::string>();
    if (!text || constant->size() != 1)
      return error(where, "a table here must be { const = \"text\" }");
    t.pieces.push_back({false, *text});
    return t;
  }
  auto text = node.value<std::string>();
  if (!text || text->empty())
    return error(where, "must be a column name or a \"{column}\" template");
  if (text->find('{') == std::string::npos) {
    t.pieces.push_back({true, *text, column(*text)});
    return t;
  }
  size_t i = 0;
  while (i < text->size()) {
    const size_t open = text->find('{', i);
    if (open == std::string::npos) {
      t.pieces.push_back({false, text->substr(i)});
      break;
    }
    if (open > i) t.pieces.push_back({false, text->substr(i, open - i)});
    const size_t close = text->find('}', open);
    if (close == std::string::npos || close == open + 1)
      return error(where, "unbalanced { } in template");
    const std::string name = text->substr(open + 1, close - open - 1);
    t.pieces.push_back({true, name, column(name)});
    i = close + 1;
  }
  return t;
}

Result<std::set<std::string>> SpecReader::value_set(const toml::node& node,
                                                    const std::string& where) {
  const toml::node* list = &node;
  if (auto name = node.value<std::string>()) {
    list = shared_ ? shared_->at_path("sets." + *name).node() : nullptr;
    if (list == nullptr)
      return error(where, "no shared value set '" + *name + "' in value_sets.toml");
  }
  const toml::array* array = list->as_array();
  if (array == nullptr)
    return error(where, "values must be a list of codes or a shared set's name");
  std::set<std::string> out;
  for (const auto& item : *array) {
    auto code = item.value<std::string>();
    if (!code) return error(where, "values must be strings");
    out.insert(*code);
  }
  return out;
}

Result<std::map<std::string, std::string>> SpecReader::value_map(const toml::node& node,
                                                                 const std::string& where) {
  const toml::node* table = &node;
  if (auto name = node.value<std::string>()) {
    table = shared_ ? shared_->at_path("maps." + *name).node() : nullptr;
    if (table == nullptr) return error(where, "no shared map '" + *name + "' in value_sets.toml");
  }
  const toml::table* t = table->as_table();
  if (t == nullptr)
    return error(where, "map must be a table of code = value or a shared map's name");
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : *t) {
    auto text = value.value<std::string>();
    if (!text) return error(where, "map values must be strings");
    out.emplace(std::string(key.str()), *text);
  }
  return out;
}

// A date format may use only what parse_date reads: caught when the mapping
// loads, not as a reason on every row.
bool valid_date_format(std::string_view format) {
  bool day = false, month = false, year = false;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (++i == format.size()) return false;
    const char spec = format[i];
    if (spec == 'd')
      day = true;
    else if (spec == 'm')
      month = true;
    else if (spec == 'Y')
      year = true;
    else if (spec != 'H' && spec != 'M' && spec != 'S')
      return false;
  }
  return day && month && year;
}

Status SpecReader::read_feed(const toml::table& feed) {
  static const std::set<std::string_view> kKnown = {"name",        "description",    "files",
                                                    "order",       "delimiter",      "encoding",
                                                    "date_format", "max_field_bytes"};
  for (const auto& [key, value] : feed) {
    if (!kKnown.contains(key.str())) {
      return error("[feed]", "unknown setting '" + std::string(key.str()) + "'");
    }
  }
  spec_.name = feed["name"].value_or(std::string());
  spec_.description = feed["description"].value_or(std::string());
  if (spec_.name.empty()) return error("[feed]", "name is required");
  if (const toml::array* files = feed["files"].as_array()) {
    for (const auto& f : *files) {
      if (auto pattern = f.value<std::string>()) spec_.files.push_back(*pattern);
    }
  }
  if (spec_.files.empty())
    return error("[feed]", "files (a list of file name patterns) is required");
  spec_.order = static_cast<int>(feed["order"].value_or(int64_t{2}));
  const std::string delimiter = feed["delimiter"].value_or(std::string(","));
  if (delimiter == "\\t" || delimiter == "\t") {
    spec_.csv.delimiter = '\t';
  } else if (delimiter.size() == 1 && delimiter != "\"") {
    spec_.csv.delimiter = delimiter[0];
  } else {
    return error("[feed]", "delimiter must be one character");
  }
  const std::string encoding = feed["encoding"].value_or(std::string("auto"));
  auto parsed = parse_encoding(encoding);
  if (!parsed) return error("[feed]", "encoding must be \"utf-8\", \"windows-1252\" or \"auto\"");
  spec_.csv.encoding = *parsed;
  spec_.date_format = feed["date_format"].value_or(spec_.date_format);
  if (!valid_date_format(spec_.date_format)) {
    return error("[feed]", "date_format needs %d, %m and %Y (and may use %H %M %S)");
  }
  spec_.max_field_bytes = static_cast<size_t>(feed["max_field_bytes"].value_or(int64_t{65536}));
  spec_.csv.max_record_bytes = std::max(spec_.csv.max_record_bytes, 2 * spec_.max_field_bytes);
  return {};
}

Status SpecReader::read_column(const std::string& name, const toml::table& rule) {
  const std::string where = "[columns." + name + "]";
  ColumnRule& c = spec_.columns[column(name)];
  c.required = rule["required"].value_or(false);
  c.may_be_absent = rule["may_be_absent"].value_or(false);
  c.future_allowed = rule["future"].value_or(false);
  c.max_bytes = static_cast<size_t>(rule["max_bytes"].value_or(int64_t{0}));
  // Without a type, a column keeps what its use implies (a date field's column is a date).
  const std::string type =
      rule["type"].value_or(std::string(c.type == ColumnType::kDate ? "date" : "text"));
  static const std::pair<const char*, ColumnType> kTypes[] = {
      {"text", ColumnType::kText},
      {"date", ColumnType::kDate},
      {"integer", ColumnType::kInteger},
      {"decimal", ColumnType::kDecimal},
      {"nhs-number", ColumnType::kNhsNumber}};
  bool known = false;
  for (const auto& [n, t] : kTypes) {
    if (type == n) c.type = t, known = true;
  }
  if (!known) return error(where, "type must be text, date, integer, decimal or nhs-number");
  c.date_format = rule["format"].value_or(std::string());
  if (!c.date_format.empty() && !valid_date_format(c.date_format)) {
    return error(where, "format needs %d, %m and %Y (and may use %H %M %S)");
  }
  if (!c.date_format.empty()) c.type = ColumnType::kDate;
  if (const toml::node* values = rule.get("values")) {
    auto set = value_set(*values, where);
    if (!set.ok()) return set.error();
    c.values = std::move(set).value();
  }
  if (const toml::node* map = rule.get("map")) {
    auto m = value_map(*map, where);
    if (!m.ok()) return m.error();
    c.map = std::move(m).value();
  }
  for (const auto& [key, value] : rule) {
    static const std::set<std::string_view> kKnown = {
        "required", "may_be_absent", "future", "max_bytes", "type", "format", "values", "map"};
    if (!kKnown.contains(key.str()))
      return error(where, "unknown setting '" + std::string(key.str()) + "'");
  }
  return {};
}

struct FieldName {
  const char* name;
  Field field;
  bool person, event, is_date;
};

constexpr FieldName kFieldNames[] = {
    {"original_id", Field::kOriginalId, true, true, false},
    {"person", Field::kPerson, false, true, false},
    {"parent", Field::kParent, false, true, false},
    {"nhs_number", Field::kNhsNumber, true, false, false},
    {"given_name", Field::kGivenName, true, false, false},
    {"family_name", Field::kFamilyName, true, false, false},
    {"birth_date", Field::kBirthDate, true, false, true},
    {"sex", Field::kSex, true, false, false},
    {"postcode", Field::kPostcode, true, false, false},
    {"ethnic_category", Field::kEthnicCategory, true, false, false},
    {"gp_practice", Field::kGpPractice, true, false, false},
    {"start_date", Field::kStartDate, false, true, true},
    {"end_date", Field::kEndDate, false, true, true},
    {"code", Field::kCode, false, true, false},
    {"display", Field::kDisplay, false, true, false},
    {"status", Field::kStatus, false, true, false},
    {"value", Field::kValue, false, true, false},
};

Status SpecReader::read_record(const toml::table& table, bool is_person, const std::string& where) {
  RecordSpec r;
  r.is_person = is_person;
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "kind" && !is_person) {
      r.kind = node.value_or(std::string());
      continue;
    }
    if (k == "code_system" && !is_person) {
      r.code_system = node.value_or(std::string());
      continue;
    }
    if (k == "when") {
      auto name = node.value<std::string>();
      if (!name) return error(where, "when must name a column");
      r.when = column(*name);
      continue;
    }
    const FieldName* f = nullptr;
    for (const auto& candidate : kFieldNames) {
      if (k == candidate.name && (is_person ? candidate.person : candidate.event)) f = &candidate;
    }
    if (f == nullptr) return error(where, "unknown field '" + std::string(k) + "'");
    auto t = parse_template(node, where + "." + std::string(k));
    if (!t.ok()) return t.error();
    // A column named alone in a date field is a date, in the feed's format.
    if (f->is_date && t->pieces.size() == 1 && t->pieces[0].is_column) {
      spec_.columns[t->pieces[0].column].type = ColumnType::kDate;
    }
    r.fields[static_cast<size_t>(f->field)] = std::move(t).value();
  }
  if (r[Field::kOriginalId].empty()) return error(where, "original_id is required");
  if (!is_person) {
    if (r.kind.empty()) return error(where, "kind is required");
    if (r[Field::kPerson].empty() == r[Field::kParent].empty()) {
      return error(where, "exactly one of person and parent is required");
    }
    if (r[Field::kStartDate].empty()) return error(where, "start_date is required");
  }
  spec_.records.push_back(std::move(r));
  return {};
}

Status SpecReader::read(const toml::table& root) {
  const toml::table* feed = root["feed"].as_table();
  if (feed == nullptr) return error("[feed]", "missing");
  if (Status s = read_feed(*feed); !s.ok()) return s;
  for (const auto& [kind, is_person] : {std::pair{"person", true}, std::pair{"event", false}}) {
    if (const toml::array* list = root[kind].as_array()) {
      for (size_t i = 0; i < list->size(); ++i) {
        const toml::table* t = (*list)[i].as_table();
        const std::string where = "[[" + std::string(kind) + "]] " + std::to_string(i + 1);
        if (t == nullptr) return error(where, "must be a table");
        if (Status s = read_record(*t, is_person, where); !s.ok()) return s;
      }
    }
  }
  if (spec_.records.empty()) return error("mapping", "has no [[person]] or [[event]]");
  if (const toml::table* columns = root["columns"].as_table()) {
    for (const auto& [name, rule] : *columns) {
      const toml::table* t = rule.as_table();
      if (t == nullptr) return error("[columns]", "each column's rules must be a table");
      if (Status s = read_column(std::string(name.str()), *t); !s.ok()) return s;
    }
  }
  for (ColumnRule& c : spec_.columns) {
    if (c.type == ColumnType::kDate && c.date_format.empty()) c.date_format = spec_.date_format;
  }
  for (const auto& [key, node] : root) {
    static const std::set<std::string_view> kSections = {"feed", "columns", "person", "event"};
    if (!kSections.contains(key.str())) {
      return error("mapping", "unknown section '" + std::string(key.str()) + "'");
    }
  }
  return {};
}

Result<toml::table> parse_toml(std::string_view text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << e.source().begin;
    return Error::invalid_argument(origin + ": not valid TOML at " + where.str() + ": " +
                                   std::string(e.description()));
  }
}

}  // namespace

// ---- Mapping -----------------------------------------------------------------

Result<Mapping> Mapping::parse(std::string_view text, const std::string& origin,
                               std::string_view value_sets) {
  std::optional<toml::table> shared;
  if (!value_sets.empty()) {
    auto parsed = parse_toml(value_sets, "value_sets.toml");
    if (!parsed.ok()) return parsed.error();
    shared = std::move(parsed).value();
  }
  auto root = parse_toml(text, origin);
  if (!root.ok()) return root.error();
  auto spec = std::make_shared<MappingSpec>();
  spec->origin = origin;
  SpecReader reader(*spec, shared ? &*shared : nullptr);
  if (Status s = reader.read(*root); !s.ok()) return s.error();
  return Mapping(std::move(spec));
}

namespace {

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io_error("cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<Mapping> Mapping::load(const std::string& path, std::string_view value_sets) {
  auto text = read_text_file(path);
  if (!text.ok()) return text.error();
  return parse(*text, path, value_sets);
}

const std::string& Mapping::name() const {
  return spec_->name;
}
const std::vector<std::string>& Mapping::files() const {
  return spec_->files;
}
int Mapping::order() const {
  return spec_->order;
}
CsvOptions Mapping::csv_options() const {
  return spec_->csv;
}

bool Mapping::matches(std::string_view file_name) const {
  return std::any_of(spec_->files.begin(), spec_->files.end(),
                     [&](const std::string& p) { return glob_match(p, file_name); });
}

Result<MappedCsv> Mapping::bind(const std::vector<std::string>& header, Date as_of) const {
  std::vector<int> positions;
  std::string missing;
  for (const ColumnRule& c : spec_->columns) {
    const auto it = std::find_if(header.begin(), header.end(),
                                 [&](const std::string& h) { return lower(trimmed(h)) == c.name; });
    if (it != header.end()) {
      positions.push_back(static_cast<int>(it - header.begin()));
    } else if (c.may_be_absent) {
      positions.push_back(-1);
    } else {
      missing += (missing.empty() ? "" : ", ") + c.name;
    }
  }
  if (!missing.empty()) {
    std::string message =
        "header does not fit mapping '" + spec_->name + "': missing columns " + missing;
    if (header.size() == 1) {
      for (char d : {';', '\t', '|', ','}) {
        if (d != spec_->csv.delimiter && header[0].find(d) != std::string::npos) {
          message += std::string("; the header looks separated by '") +
                     (d == '\t' ? "\\t" : std::string(1, d)) + "', not '" +
                     std::string(1, spec_->csv.delimiter) + "' (wrong delimiter?)";
          break;
        }
      }
    }
    return Error::invalid_argument(message);
  }
  return MappedCsv(spec_, std::move(positions), header.size(), as_of);
}

// ---- MappedCsv ---------------------------------------------------------------

MappedCsv::MappedCsv(std::shared_ptr<const MappingSpec> spec, std::vector<int> columns,
                     size_t width, Date as_of)
    : spec_(std::move(spec)), columns_(std::move(columns)), width_(width), as_of_(as_of) {}

namespace {

using Values = std::vector<std::optional<std::string>>;

// A column's value checked against its rule: null when blank, the date in
// ISO form, the code mapped. The error names the column.
Result<std::optional<std::string>> checked_value(const ColumnRule& rule, std::string_view text,
                                                 size_t max_bytes, Date as_of) {
  text = trimmed(text);
  if (text.empty()) {
    if (rule.required) return bad(rule.name, "missing (required)");
    return std::optional<std::string>{};
  }
  if (text.size() > (rule.max_bytes ? rule.max_bytes : max_bytes)) {
    return bad(
        rule.name,
        "longer than " + std::to_string(rule.max_bytes ? rule.max_bytes : max_bytes) + " bytes");
  }
  std::string value(text);
  switch (rule.type) {
    case ColumnType::kDate: {
      auto date = parse_date(text, rule.date_format);
      if (!date.ok()) return bad(rule.name, date.error().message());
      if (!rule.future_allowed && std::chrono::sys_days(*date) > std::chrono::sys_days(as_of)) {
        return bad(rule.name, "date in the future");
      }
      value = format_iso_date(*date);
      break;
    }
    case ColumnType::kInteger:
      if (!is_integer(text)) return bad(rule.name, "not a whole number");
      break;
    case ColumnType::kDecimal:
      if (!is_decimal(text)) return bad(rule.name, "not a number");
      break;
    case ColumnType::kText:
    case ColumnType::kNhsNumber:
      break;
  }
  if (rule.values && !rule.values->contains(value)) return bad(rule.name, "not in the value set");
  if (rule.map) {
    const auto it = rule.map->find(value);
    if (it == rule.map->end()) return bad(rule.name, "not in the value set");
    value = it->second;
  }
  return std::optional<std::string>{std::move(value)};
}

// A template's text; null when every column it names is blank (a blank
// column inside a longer template reads as nothing).
std::optional<std::string> expand(const Template& t, const Values& values) {
  if (t.empty()) return std::nullopt;
  if (t.pieces.size() == 1) {
    const auto& p = t.pieces[0];
    return p.is_column ? values[p.column] : std::optional<std::string>(p.text);
  }
  std::string out;
  bool any = false;
  for (const auto& p : t.pieces) {
    if (!p.is_column) {
      out += p.text;
    } else if (values[p.column]) {
      out += *values[p.column];
      any = true;
    }
  }
  if (!any) return std::nullopt;
  return std::string(trimmed(out));
}

// The name to report for a missing field: its column when it has one.
std::string field_column(const Template& t, const char* field) {
  for (const auto& p : t.pieces) {
    if (p.is_column) return p.text;
  }
  return field;
}

}  // namespace

std::optional<std::string> MappedCsv::original_id(const CsvRecord& record) const {
  Values values(spec_->columns.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    const int at = columns_[i];
    if (at >= 0 && static_cast<size_t>(at) < record.fields.size()) {
      const std::string_view v = trimmed(record.fields[static_cast<size_t>(at)]);
      if (!v.empty()) values[i] = std::string(v);
    }
  }
  return expand(spec_->records.front()[Field::kOriginalId], values);
}

Result<ParsedRow> MappedCsv::parse(const CsvRecord& record) const {
  if (record.error) return bad("", *record.error);
  if (record.fields.size() != width_) {
    return bad("", "expected " + std::to_string(width_) + " fields, found " +
                       std::to_string(record.fields.size()));
  }
  for (const std::string& f : record.fields) {
    if (f.size() > spec_->max_field_bytes) {
      return bad("", "a field is longer than " + std::to_string(spec_->max_field_bytes) + " bytes");
    }
  }
  Values values(spec_->columns.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    const int at = columns_[i];
    if (at < 0) continue;
    auto v = checked_value(spec_->columns[i], record.fields[static_cast<size_t>(at)],
                           spec_->max_field_bytes, as_of_);
    if (!v.ok()) return v.error();
    values[i] = std::move(v).value();
  }

  ParsedRow row;
  for (const RecordSpec& r : spec_->records) {
    if (r.when && !values[*r.when]) continue;
    auto id = expand(r[Field::kOriginalId], values);
    if (!id) return bad(field_column(r[Field::kOriginalId], "original_id"), "missing (required)");
    if (r.is_person) {
      PersonRow p;
      p.original_id = std::move(*id);
      p.set_nhs_number(expand(r[Field::kNhsNumber], values));
      p.given_name = expand(r[Field::kGivenName], values);
      p.family_name = expand(r[Field::kFamilyName], values);
      p.birth_date = expand(r[Field::kBirthDate], values);
      p.sex = expand(r[Field::kSex], values);
      p.postcode = expand(r[Field::kPostcode], values);
      p.ethnic_category = expand(r[Field::kEthnicCategory], values);
      p.gp_practice = expand(r[Field::kGpPractice], values);
      row.persons.push_back(std::move(p));
      continue;
    }
    EventRow e;
    e.original_id = std::move(*id);
    e.kind = r.kind;
    if (!r.code_system.empty()) e.code_system = r.code_system;
    if (!r[Field::kPerson].empty()) {
      auto person = expand(r[Field::kPerson], values);
      if (!person) return bad(field_column(r[Field::kPerson], "person"), "missing (required)");
      e.person_original_id = std::move(*person);
    } else {
      e.parent_original_id = expand(r[Field::kParent], values);
      if (!e.parent_original_id)
        return bad(field_column(r[Field::kParent], "parent"), "missing (required)");
    }
    auto start = expand(r[Field::kStartDate], values);
    if (!start) return bad(field_column(r[Field::kStartDate], "start_date"), "missing (required)");
    e.start_date = std::move(*start);
    e.end_date = expand(r[Field::kEndDate], values);
    if (e.end_date && *e.end_date < e.start_date) {
      return bad(field_column(r[Field::kEndDate], "end_date"), "before the start date");
    }
    e.code = expand(r[Field::kCode], values);
    e.display = expand(r[Field::kDisplay], values);
    e.status = expand(r[Field::kStatus], values);
    e.value = expand(r[Field::kValue], values);
    row.events.push_back(std::move(e));
  }
  return row;
}

// ---- MappingCatalog ----------------------------------------------------------

Result<MappingCatalog> MappingCatalog::load_dir(const std::string& dir) {
  MappingCatalog catalog;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error::io_error("no mappings directory '" + dir + "'");
  std::string value_sets;
  const fs::path shared = fs::path(dir) / "value_sets.toml";
  if (fs::exists(shared, ec)) {
    auto text = read_text_file(shared.string());
    if (!text.ok()) return text.error();
    value_sets = std::move(text).value();
  }
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".toml" && entry.path().filename() != "value_sets.toml") {
      paths.push_back(entry.path().string());
    }
  }
  if (ec) return Error::io_error("cannot list '" + dir + "': " + ec.message());
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    auto mapping = Mapping::load(path, value_sets);
    if (!mapping.ok()) return mapping.error();
    catalog.mappings_.push_back(std::move(mapping).value());
  }
  return catalog;
}

Result<MappingCatalog> MappingCatalog::single(Mapping mapping) {
  MappingCatalog catalog;
  catalog.mappings_.push_back(std::move(mapping));
  catalog.single_ = true;
  return catalog;
}

const Mapping* MappingCatalog::find(std::string_view file_name) const {
  if (single_) return &mappings_.front();
  const Mapping* best = nullptr;
  size_t best_length = 0;
  for (const Mapping& m : mappings_) {
    for (const std::string& pattern : m.files()) {
      if (glob_match(pattern, file_name) && pattern.size() >= best_length) {
        best = &m;
        best_length = pattern.size();
      }
    }
  }
  return best;
}

}  // namespace onechild::ingest
