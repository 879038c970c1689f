#include "programmes/schedule.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "programmes/toml_reader.h"

#ifndef ONECHILD_CONFIG_DIR
#define ONECHILD_CONFIG_DIR "config"
#endif

namespace onechild {
namespace fs = std::filesystem;
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

// "3y4m", "8w", "10d", "1y182d": a sequence of numbers with units.
Result<When> parse_age(std::string_view text) {
  When when;
  const std::string_view original = text;
  const auto bad = [&] {
    return Error::invalid_argument("'" + std::string(original) +
                                   "' is not an age (like \"8w\", \"1y\", \"3y4m\", \"10d\"), a "
                                   "school year (\"year 8 start\") or a date");
  };
  if (text.empty()) return bad();
  while (!text.empty()) {
    int n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end == text.data() + text.size() || n < 0 || n > 1200) return bad();
    switch (*end) {
      case 'y':
        when.months += 12 * n;
        break;
      case 'm':
        when.months += n;
        break;
      case 'w':
        when.days += 7 * n;
        break;
      case 'd':
        when.days += n;
        break;
      default:
        return bad();
    }
    text.remove_prefix(static_cast<size_t>(end - text.data()) + 1);
  }
  return when;
}

// The academic year (by the calendar year it starts in) in which a child
// born on `birth` is in Reception: the September after the fourth birthday.
int reception_year(Date birth) {
  const int y = static_cast<int>(birth.year());
  return static_cast<unsigned>(birth.month()) >= 9 ? y + 5 : y + 4;
}

class Reader : TomlReader {
 public:
  explicit Reader(Schedule& s) : TomlReader(s.origin), s_(s) {}
  Status read(const toml::table& root);

 private:
  struct Course {
    std::string kind;
    std::vector<std::string> codes;
  };
  Result<std::optional<When>> when(const toml::table& t, std::string_view key,
                                   const std::string& where) const;
  Status read_courses(const toml::table& t);
  Status read_item(const toml::table& t, size_t index);

  Schedule& s_;
  std::map<std::string, Course, std::less<>> courses_;
};

Result<std::optional<When>> Reader::when(const toml::table& t, std::string_view key,
                                         const std::string& where) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::optional<When>();
  if (const auto* d = n->as_date()) {
    When w;
    w.kind = When::Kind::kDate;
    w.date = date_of(d->get());
    if (!w.date.ok()) return error(where, "'" + std::string(key) + "' is not a real date");
    return std::optional<When>(w);
  }
  auto v = n->value<std::string>();
  if (!v) return error(where, "'" + std::string(key) + "' must be an age, school year or date");
  auto w = When::parse(*v);
  if (!w.ok()) return error(where + " " + std::string(key), w.error().message());
  return std::optional<When>(*w);
}

Status Reader::read_courses(const toml::table& t) {
  for (const auto& [key, node] : t) {
    const std::string where = "[courses] " + std::string(key.str());
    const toml::table* ct = node.as_table();
    if (ct == nullptr) return error(where, "must be a table { kind = ..., codes = [...] }");
    if (Status st = only(*ct, where, {"kind", "codes", "name"}); !st.ok()) return st;
    Course c;
    auto kind = text(*ct, "kind", where, true);
    if (!kind.ok()) return kind.error();
    c.kind = *kind;
    const toml::array* codes = (*ct)["codes"].as_array();
    if (codes == nullptr || codes->empty()) return error(where, "'codes' must be a list of codes");
    for (const toml::node& code : *codes) {
      auto v = code.value<std::string>();
      if (!v || v->empty()) return error(where, "'codes' must hold non-empty texts");
      c.codes.push_back(*v);
    }
    courses_.emplace(std::string(key.str()), std::move(c));
  }
  return {};
}

Status Reader::read_item(const toml::table& t, size_t index) {
  std::string where = "[[item]] " + std::to_string(index + 1);
  if (Status st = only(t, where,
                       {"id", "name", "course", "dose", "born_from", "born_before", "sex", "due",
                        "by", "until", "also_by", "source"});
      !st.ok())
    return st;
  ScheduleItem item;
  item.programme = s_.id;
  auto id = text(t, "id", where, true);
  if (!id.ok()) return id.error();
  item.id = *id;
  where = "item '" + item.id + "'";
  for (const ScheduleItem& other : s_.items) {
    if (other.id == item.id) return error(where, "the id is used twice");
  }
  auto name = text(t, "name", where, true);
  if (!name.ok()) return name.error();
  item.name = *name;
  auto course = text(t, "course", where, true);
  if (!course.ok()) return course.error();
  const auto c = courses_.find(*course);
  if (c == courses_.end()) return error(where, "course '" + *course + "' is not in [courses]");
  item.course = *course;
  item.kind = c->second.kind;
  item.codes = c->second.codes;
  if (const toml::node* d = t.get("dose")) {
    auto v = d->value<int64_t>();
    if (!v || *v < 1 || *v > 20) return error(where, "'dose' must be a whole number from 1 to 20");
    item.dose = static_cast<int>(*v);
  }
  auto from = date(t, "born_from", where);
  if (!from.ok()) return from.error();
  item.born_from = *from;
  auto before = date(t, "born_before", where);
  if (!before.ok()) return before.error();
  item.born_before = *before;
  if (item.born_from && item.born_before &&
      std::chrono::sys_days{*item.born_before} <= std::chrono::sys_days{*item.born_from}) {
    return error(where, "'born_before' must be after 'born_from'");
  }
  auto sex = text(t, "sex", where, false);
  if (!sex.ok()) return sex.error();
  if (!sex->empty() && *sex != "male" && *sex != "female") {
    return error(where, "'sex' must be \"male\" or \"female\"");
  }
  item.sex = *sex;
  auto due = when(t, "due", where);
  if (!due.ok()) return due.error();
  auto by = when(t, "by", where);
  if (!by.ok()) return by.error();
  if (!*due || !*by) return error(where, "'due' and 'by' are required");
  item.due = **due;
  item.by = **by;
  auto until = when(t, "until", where);
  if (!until.ok()) return until.error();
  item.until = *until;
  auto also = when(t, "also_by", where);
  if (!also.ok()) return also.error();
  item.also_by = *also;
  auto source = text(t, "source", where, false);
  if (!source.ok()) return source.error();
  item.source = source->empty() ? s_.source : *source;
  s_.items.push_back(std::move(item));
  return {};
}

Status Reader::read(const toml::table& root) {
  if (Status st = only(root, "file", {"schedule", "courses", "item"}); !st.ok()) return st;
  const toml::table* head = root["schedule"].as_table();
  if (head == nullptr) return error("file", "a [schedule] table is required");
  if (Status st = only(*head, "[schedule]", {"id", "name", "source", "population"}); !st.ok())
    return st;
  if (const toml::node* pop = head->get("population")) {
    const toml::array* list = pop->as_array();
    if (list == nullptr) return error("[schedule]", "'population' must be a list of source codes");
    for (const toml::node& n : *list) {
      auto v = n.value<std::string>();
      if (!v || v->empty()) return error("[schedule]", "'population' must hold source codes");
      s_.population.push_back(*v);
    }
  }
  for (auto [key, field] : {std::pair{"id", &s_.id}, {"name", &s_.name}, {"source", &s_.source}}) {
    auto v = text(*head, key, "[schedule]", true);
    if (!v.ok()) return v.error();
    *field = *v;
  }
  if (const toml::table* courses = root["courses"].as_table()) {
    if (Status st = read_courses(*courses); !st.ok()) return st;
  } else if (root.contains("courses")) {
    return error("[courses]", "must be a table");
  }
  const toml::array* items = root["item"].as_array();
  if (items == nullptr || items->empty()) return error("file", "no [[item]] entries");
  for (size_t i = 0; i < items->size(); ++i) {
    const toml::table* t = (*items)[i].as_table();
    if (t == nullptr) return error("[[item]] " + std::to_string(i + 1), "must be a table");
    if (Status st = read_item(*t, i); !st.ok()) return st;
  }
  return {};
}

}  // namespace

Date add_months(Date date, int months) {
  const std::chrono::year_month ym = date.year() / date.month() + std::chrono::months{months};
  const Date d{ym.year(), ym.month(), date.day()};
  if (d.ok()) return d;
  return Date{std::chrono::year_month_day_last{ym.year(), std::chrono::month_day_last{ym.month()}}};
}

Result<When> When::parse(std::string_view text) {
  if (text.starts_with("year ")) {
    std::string_view rest = text.substr(5);
    When w;
    const auto space = rest.find(' ');
    const std::string_view number = rest.substr(0, space);
    const std::string_view which = space == std::string_view::npos ? "" : rest.substr(space + 1);
    int n = -1;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
    if (ec != std::errc() || end != number.data() + number.size() || n < 0 || n > 14 ||
        (which != "start" && which != "end")) {
      return Error::invalid_argument("'" + std::string(text) +
                                     "' is not a school year (\"year 8 start\", \"year 9 end\")");
    }
    w.kind = which == "start" ? Kind::kSchoolYearStart : Kind::kSchoolYearEnd;
    w.school_year = n;
    return w;
  }
  return parse_age(text);
}

Date When::on(Date birth) const {
  switch (kind) {
    case Kind::kAge:
      return add_days(add_months(birth, months), days);
    case Kind::kSchoolYearStart:
      return Date{year{reception_year(birth) + school_year}, std::chrono::September, day{1}};
    case Kind::kSchoolYearEnd:
      return Date{year{reception_year(birth) + school_year + 1}, std::chrono::August, day{31}};
    case Kind::kDate:
      break;
  }
  return date;
}

Result<Schedule> parse_schedule(std::string_view toml_text, const std::string& origin) {
  Schedule s;
  s.origin = origin;
  auto root = parse_toml(toml_text, origin);
  if (!root.ok()) return root.error();
  if (Status st = Reader(s).read(*root); !st.ok()) return st.error();
  return s;
}

Result<Schedule> load_schedule(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io_error("cannot read schedule " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_schedule(text.str(), path);
}

Result<std::vector<Schedule>> load_schedules(const std::string& dir) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  if (ec) return Error::io_error("cannot read the schedules folder " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<Schedule> out;
  for (const fs::path& f : files) {
    auto s = load_schedule(f.string());
    if (!s.ok()) return s.error();
    out.push_back(std::move(*s));
  }
  if (out.empty()) return Error::invalid_argument("no schedules (*.toml) in " + dir);
  return out;
}

std::string default_schedules_dir() {
  return std::string(ONECHILD_CONFIG_DIR) + "/schedules";
}

}  // namespace onechild
