#include "programmes/coverage.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "programmes/status.h"
#include "programmes/toml_reader.h"

#ifndef ONECHILD_CONFIG_DIR
#define ONECHILD_CONFIG_DIR "config"
#endif

namespace onechild {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::year;

constexpr std::string_view kImmunisations = "imms";
constexpr std::string_view kNoPractice = "(none)";
constexpr int kMaxAgeMonths = 25 * 12;
constexpr int kMaxAgeDays = 3660;
constexpr int kMaxQuarters = 400;

class Reader : TomlReader {
 public:
  explicit Reader(CoverageSpec& s) : TomlReader(s.origin), s_(s) {}
  Status read(const toml::table& root);

 private:
  Status read_head(const toml::table& t);
  Status read_measure(const toml::table& t, size_t index);
  Status check_shared_ids() const;

  CoverageSpec& s_;
};

Status Reader::read_head(const toml::table& t) {
  const std::string where = "[coverage]";
  if (Status st = only(t, where, {"name", "source", "target"}); !st.ok()) return st;
  auto name = text(t, "name", where, true);
  if (!name.ok()) return name.error();
  s_.name = *name;
  auto source = text(t, "source", where, true);
  if (!source.ok()) return source.error();
  s_.source = *source;
  const toml::node* target = t.get("target");
  if (target == nullptr) return error(where, "'target' is required (0.95 for 95%)");
  const auto v = target->value<double>();
  if (!v || !(*v > 0.0 && *v <= 1.0)) {
    return error(where, "'target' must be a share above 0 and at most 1 (0.95 for 95%)");
  }
  s_.target = *v;
  return {};
}

bool valid_id(std::string_view id) {
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

Status Reader::read_measure(const toml::table& t, size_t index) {
  // Messages name the measure by its id once it is known to be one.
  std::string where = "[[measure]] " + std::to_string(index + 1);
  CoverageMeasure m;
  auto id = text(t, "id", where, true);
  if (!id.ok()) return id.error();
  if (!valid_id(*id)) {
    return error(where, "'id' may hold only letters, digits, '-', '_' and '.'");
  }
  m.id = *id;
  where = "measure '" + m.id + "'";
  if (Status st = only(
          t, where, {"id", "name", "age", "course", "doses", "born_from", "born_before", "source"});
      !st.ok())
    return st;
  auto name = text(t, "name", where, true);
  if (!name.ok()) return name.error();
  m.name = *name;
  auto course = text(t, "course", where, true);
  if (!course.ok()) return course.error();
  m.course = *course;

  auto age = text(t, "age", where, true);
  if (!age.ok()) return age.error();
  auto when = When::parse(*age);
  if (!when.ok()) return error(where + " age", when.error().message());
  if (when->kind != When::Kind::kAge || when->months + when->days <= 0 ||
      when->months > kMaxAgeMonths || when->days > kMaxAgeDays) {
    return error(where, "'age' must be a birthday up to 25 years, like \"1y\", \"2y\" or \"5y\"");
  }
  m.age = *when;

  const toml::node* doses = t.get("doses");
  if (doses == nullptr) return error(where, "'doses' is required");
  const auto n = doses->value_exact<int64_t>();
  if (!n || *n < 1 || *n > 20) return error(where, "'doses' must be a whole number from 1 to 20");
  m.doses = static_cast<int>(*n);

  auto from = date(t, "born_from", where);
  if (!from.ok()) return from.error();
  m.born_from = *from;
  auto before = date(t, "born_before", where);
  if (!before.ok()) return before.error();
  m.born_before = *before;
  if (m.born_from && m.born_before && sys_days{*m.born_before} <= sys_days{*m.born_from}) {
    return error(where, "'born_before' must be after 'born_from'");
  }
  auto source = text(t, "source", where, false);
  if (!source.ok()) return source.error();
  m.source = source->empty() ? s_.source : *source;
  s_.measures.push_back(std::move(m));
  return {};
}

// Entries sharing an id are one series across schedule changes: the same
// name and birthday, and cohorts that do not overlap, so no child counts twice.
Status Reader::check_shared_ids() const {
  const auto lo = [](const CoverageMeasure& m) {
    return m.born_from ? sys_days{*m.born_from} : sys_days::min();
  };
  const auto hi = [](const CoverageMeasure& m) {
    return m.born_before ? sys_days{*m.born_before} : sys_days::max();
  };
  for (size_t i = 0; i < s_.measures.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const CoverageMeasure& a = s_.measures[j];
      const CoverageMeasure& b = s_.measures[i];
      if (a.id != b.id) continue;
      const std::string where = "measure '" + b.id + "' (entry " + std::to_string(i + 1) + ")";
      if (a.name != b.name) {
        return error(where, "entries sharing an id must have the same name");
      }
      if (a.age.months != b.age.months || a.age.days != b.age.days) {
        return error(where, "entries sharing an id must have the same age");
      }
      if (std::max(lo(a), lo(b)) < std::min(hi(a), hi(b))) {
        return error(where,
                     "entries sharing an id must be for cohorts that do not overlap "
                     "(born_from / born_before)");
      }
    }
  }
  return {};
}

Status Reader::read(const toml::table& root) {
  if (Status st = only(root, "file", {"coverage", "measure"}); !st.ok()) return st;
  const toml::table* head = root["coverage"].as_table();
  if (head == nullptr) return error("file", "a [coverage] table is required");
  if (Status st = read_head(*head); !st.ok()) return st;
  const toml::array* measures = root["measure"].as_array();
  if (measures == nullptr || measures->empty()) return error("file", "no [[measure]] entries");
  for (size_t i = 0; i < measures->size(); ++i) {
    const toml::table* t = (*measures)[i].as_table();
    if (t == nullptr) return error("[[measure]] " + std::to_string(i + 1), "must be a table");
    if (Status st = read_measure(*t, i); !st.ok()) return st;
  }
  return check_shared_ids();
}

// ---- computing --------------------------------------------------------------

// Quarters as a running number: year * 4 + (0 for January-March ... 3).
int quarter_of(Date d) {
  return static_cast<int>(d.year()) * 4 + static_cast<int>((unsigned(d.month()) - 1) / 3);
}
Date quarter_start(int q) {
  const int y = q >= 0 ? q / 4 : (q - 3) / 4;
  return Date{year{y}, month{static_cast<unsigned>((q - 4 * y) * 3 + 1)}, day{1}};
}
Date quarter_end(int q) {
  return add_days(quarter_start(q + 1), -1);
}
std::string quarter_label(int q) {
  const int y = static_cast<int>(quarter_start(q).year());
  return std::to_string(y) + "-Q" + std::to_string(q - 4 * y + 1);
}

// The earliest birth date whose `age` birthday is on or after d. When::on is
// non-decreasing in the birth date, so start near the answer and step.
Day first_birth(const When& age, Date d) {
  const Date guess = add_days(d, -age.days);
  const std::chrono::year_month ym = guess.year() / guess.month() - std::chrono::months{age.months};
  Date b{ym / std::chrono::last};
  if (guess.day() < b.day()) b = Date{ym / guess.day()};
  Day day_b = to_day(b);
  const Day target = to_day(d);
  while (to_day(age.on(from_day(day_b))) >= target)
    --day_b;
  while (to_day(age.on(from_day(day_b))) < target)
    ++day_b;
  return day_b;
}

struct Count {
  int64_t numerator = 0, denominator = 0;
};

}  // namespace

Result<CoverageSpec> parse_coverage(std::string_view toml_text, const std::string& origin) {
  CoverageSpec s;
  s.origin = origin;
  auto root = parse_toml(toml_text, origin);
  if (!root.ok()) return root.error();
  if (Status st = Reader(s).read(*root); !st.ok()) return st.error();
  return s;
}

Result<CoverageSpec> load_coverage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io_error("cannot read coverage measures " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_coverage(text.str(), path);
}

std::string default_coverage_path() {
  return std::string(ONECHILD_CONFIG_DIR) + "/coverage.toml";
}

Result<CoverageJudge> CoverageJudge::compile(const CoverageSpec& spec,
                                             const std::vector<Schedule>& schedules,
                                             const Vocabulary& words) {
  const auto imms = std::find_if(schedules.begin(), schedules.end(),
                                 [](const Schedule& s) { return s.id == kImmunisations; });
  if (imms == schedules.end()) {
    return Error::invalid_argument(spec.origin +
                                   ": no immunisation schedule (id \"imms\") is loaded");
  }
  CoverageJudge j;
  j.spec_ = &spec;
  std::map<std::string, size_t, std::less<>> course_index;
  for (const CoverageMeasure& m : spec.measures) {
    auto c = course_index.find(m.course);
    if (c == course_index.end()) {
      const auto item = std::find_if(imms->items.begin(), imms->items.end(),
                                     [&](const ScheduleItem& i) { return i.course == m.course; });
      if (item == imms->items.end()) {
        return Error::invalid_argument(spec.origin + ": measure '" + m.id + "': course '" +
                                       m.course + "' is not a course of the immunisation " +
                                       "schedule (" + imms->origin + ")");
      }
      Course compiled;
      if (auto kind = words.find(item->kind)) compiled.kind = *kind;
      for (const std::string& code : item->codes) {
        if (auto id = words.find(code)) compiled.codes.push_back(*id);
      }
      std::sort(compiled.codes.begin(), compiled.codes.end());
      c = course_index.emplace(m.course, j.courses_.size()).first;
      j.courses_.push_back(std::move(compiled));
    }
    j.course_of_.push_back(c->second);
  }
  j.given_.resize(j.courses_.size());
  j.completed_ = words.find("completed").value_or(UINT32_MAX);
  j.finished_ = words.find("finished").value_or(UINT32_MAX);
  return j;
}

void CoverageJudge::read(const ChildFacts& child) {
  for (std::vector<Day>& days : given_)
    days.clear();
  for (const Fact& f : child.facts) {
    if (f.start == kNoDay) continue;
    if (f.status != 0 && f.status != completed_ && f.status != finished_) continue;
    for (size_t c = 0; c < courses_.size(); ++c) {
      if (f.kind == courses_[c].kind &&
          std::binary_search(courses_[c].codes.begin(), courses_[c].codes.end(), f.code)) {
        given_[c].push_back(f.start);
      }
    }
  }
  for (std::vector<Day>& days : given_) {
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
  }
}

Day CoverageJudge::birthday(const ChildFacts& child, size_t measure) const {
  if (child.birth == kNoDay) return kNoDay;
  const CoverageMeasure& m = spec_->measures[measure];
  if (m.born_from && child.birth < to_day(*m.born_from)) return kNoDay;
  if (m.born_before && child.birth >= to_day(*m.born_before)) return kNoDay;
  return to_day(m.age.on(from_day(child.birth)));
}

bool CoverageJudge::immunised(const ChildFacts& child, size_t measure, Day birthday) const {
  const std::vector<Day>& days = given_[course_of_[measure]];
  const auto doses = std::upper_bound(days.begin(), days.end(), birthday) -
                     std::lower_bound(days.begin(), days.end(), child.birth);
  return doses >= spec_->measures[measure].doses;
}

Result<std::vector<CoverageCell>> compute_coverage(const CoverageSpec& spec,
                                                   const std::vector<Schedule>& schedules,
                                                   const Population& population, Date as_of,
                                                   int quarters, bool by_practice) {
  if (quarters < 1 || quarters > kMaxQuarters) {
    return Error::invalid_argument("coverage: quarters must be from 1 to " +
                                   std::to_string(kMaxQuarters));
  }
  if (!as_of.ok() || as_of.year() < year{1900} || as_of.year() > year{9000}) {
    return Error::invalid_argument("coverage: the evaluation date is not a real date");
  }
  const Vocabulary& words = population.words;
  auto judge = CoverageJudge::compile(spec, schedules, words);
  if (!judge.ok()) return judge.error();
  // compile() found it.
  const auto imms = std::find_if(schedules.begin(), schedules.end(),
                                 [](const Schedule& s) { return s.id == kImmunisations; });
  // Series: the distinct measure ids in file order.
  std::vector<size_t> series_of;
  std::vector<std::string> series;
  for (const CoverageMeasure& m : spec.measures) {
    const auto s = std::find(series.begin(), series.end(), m.id);
    series_of.push_back(static_cast<size_t>(s - series.begin()));
    if (s == series.end()) series.push_back(m.id);
  }

  // The quarters, and for each measure the births whose birthday falls in
  // each: a series has a cell in a quarter if one of its cohorts does.
  int last = quarter_of(as_of);
  if (as_of != quarter_end(last)) --last;
  const int first = last - quarters + 1;
  const size_t nq = static_cast<size_t>(quarters);
  std::vector<Day> q_end(nq);
  for (size_t q = 0; q < nq; ++q)
    q_end[q] = to_day(quarter_end(first + static_cast<int>(q)));
  const Day window_lo = to_day(quarter_start(first)), window_hi = q_end.back();
  std::vector<char> applies(series.size() * nq, 0);
  std::vector<Day> birth_lo, birth_hi;  // per measure: births reaching the birthday in the window
  for (size_t i = 0; i < spec.measures.size(); ++i) {
    const CoverageMeasure& m = spec.measures[i];
    const Day from = m.born_from ? to_day(*m.born_from) : INT32_MIN;
    const Day before = m.born_before ? to_day(*m.born_before) : INT32_MAX;
    for (size_t q = 0; q < nq; ++q) {
      const Day lo = first_birth(m.age, quarter_start(first + static_cast<int>(q)));
      const Day hi = first_birth(m.age, from_day(q_end[q] + 1)) - 1;
      if (std::max(lo, from) <= std::min(hi, before - 1)) applies[series_of[i] * nq + q] = 1;
    }
    birth_lo.push_back(std::max(first_birth(m.age, from_day(window_lo)), from));
    birth_hi.push_back(std::min(first_birth(m.age, from_day(window_hi + 1)) - 1, before - 1));
  }

  std::vector<Count> all(series.size() * nq);
  std::map<uint32_t, std::vector<Count>> practices;

  for (const ChildFacts& child : population.children) {
    if (child.birth == kNoDay) continue;
    // COVER counts the registered population: whose immunisation schedule it is.
    if (!in_population(child, *imms, words)) continue;
    bool read = false;
    for (size_t i = 0; i < spec.measures.size(); ++i) {
      if (child.birth < birth_lo[i] || child.birth > birth_hi[i]) continue;
      const Day birthday = judge->birthday(child, i);
      if (birthday == kNoDay || birthday < window_lo || birthday > window_hi) continue;
      if (child.died != kNoDay && child.died < birthday) continue;
      const size_t q = static_cast<size_t>(quarter_of(from_day(birthday)) - first);
      if (child.left != kNoDay && child.left <= q_end[q]) continue;
      if (!read) judge->read(child), read = true;
      const bool immunised = judge->immunised(child, i, birthday);

      const size_t cell = series_of[i] * nq + q;
      all[cell].denominator += 1;
      all[cell].numerator += immunised ? 1 : 0;
      if (by_practice) {
        std::vector<Count>& p = practices[child.practice];
        if (p.empty()) p.resize(all.size());
        p[cell].denominator += 1;
        p[cell].numerator += immunised ? 1 : 0;
      }
    }
  }

  // Practices by code; children with no practice last.
  std::vector<std::pair<std::string, const std::vector<Count>*>> groups;
  for (const auto& [id, counts] : practices) {
    groups.emplace_back(id == 0 ? std::string(kNoPractice) : words.text(id), &counts);
  }
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    const bool a_none = a.first == kNoPractice, b_none = b.first == kNoPractice;
    return a_none != b_none ? b_none : a.first < b.first;
  });

  std::vector<CoverageCell> out;
  for (size_t q = 0; q < nq; ++q) {
    const std::string label = quarter_label(first + static_cast<int>(q));
    for (size_t s = 0; s < series.size(); ++s) {
      const size_t cell = s * nq + q;
      if (!applies[cell]) continue;
      out.push_back({series[s], label, "", all[cell].numerator, all[cell].denominator});
      for (const auto& [group, counts] : groups) {
        const Count& c = (*counts)[cell];
        if (c.denominator > 0) out.push_back({series[s], label, group, c.numerator, c.denominator});
      }
    }
  }
  return out;
}

}  // namespace onechild
