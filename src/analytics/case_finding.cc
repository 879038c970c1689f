#include "analytics/case_finding.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "analytics/condition_reader.h"
#include "analytics/conditions.h"
#include "core/csv.h"
#include "programmes/toml_reader.h"

namespace onechild {
namespace {

Result<std::vector<Condition>> conditions_of(const toml::table& t, std::string_view key,
                                             const std::string& origin, const std::string& where) {
  std::vector<Condition> out;
  const toml::array* a = t.get_as<toml::array>(key);
  if (a == nullptr) {
    return Error::invalid_argument(origin + ": " + where + ": '" + std::string(key) +
                                   "' must be a list of conditions");
  }
  for (const toml::node& n : *a) {
    const toml::table* ct = n.as_table();
    if (ct == nullptr) {
      return Error::invalid_argument(origin + ": " + where + ": a condition must be a table");
    }
    auto c = read_condition(*ct, origin, where + " " + std::string(key));
    if (!c.ok()) return c.error();
    out.push_back(std::move(*c));
  }
  return out;
}

}  // namespace

Result<std::vector<CaseFindingList>> parse_case_finding(std::string_view toml_text,
                                                        const std::string& origin) {
  auto root = parse_toml(toml_text, origin);
  if (!root.ok()) return root.error();
  const toml::array* lists = root->get_as<toml::array>("list");
  if (lists == nullptr || root->size() != 1) {
    return Error::invalid_argument(origin + ": expected [[list]] tables and nothing else");
  }
  std::vector<CaseFindingList> out;
  for (size_t i = 0; i < lists->size(); ++i) {
    const toml::table* t = lists->get(i)->as_table();
    std::string where = "list " + std::to_string(i + 1);
    if (t == nullptr) return Error::invalid_argument(origin + ": " + where + " must be a table");
    for (const auto& [key, value] : *t) {
      static const std::string_view kKeys[] = {"id",     "name",       "area",
                                               "source", "population", "criteria"};
      if (std::find(std::begin(kKeys), std::end(kKeys), key.str()) == std::end(kKeys)) {
        return Error::invalid_argument(origin + ": " + where + ": unknown setting '" +
                                       std::string(key.str()) + "'");
      }
    }
    CaseFindingList l;
    for (auto [key, field] : {std::pair{"id", &l.id}, std::pair{"name", &l.name},
                              std::pair{"area", &l.area}, std::pair{"source", &l.source}}) {
      const auto* v = t->get_as<std::string>(key);
      if (v == nullptr || v->get().empty()) {
        return Error::invalid_argument(origin + ": " + where + ": '" + key +
                                       "' must be a non-empty text");
      }
      *field = v->get();
    }
    where = "list '" + l.id + "'";
    auto population = conditions_of(*t, "population", origin, where);
    if (!population.ok()) return population.error();
    auto criteria = conditions_of(*t, "criteria", origin, where);
    if (!criteria.ok()) return criteria.error();
    l.population = std::move(*population);
    l.criteria = std::move(*criteria);
    if (std::any_of(out.begin(), out.end(), [&](const auto& o) { return o.id == l.id; })) {
      return Error::invalid_argument(origin + ": " + where + " is defined twice");
    }
    out.push_back(std::move(l));
  }
  return out;
}

Result<std::vector<CaseFindingList>> load_case_finding(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io_error("cannot read case-finding lists " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_case_finding(text.str(), path);
}

std::vector<CaseFindingRow> find_cases(const std::vector<CaseFindingList>& lists,
                                       const Snapshot& snapshot, Date as_of) {
  const Vocabulary& words = snapshot.population.words;
  const WordNumbers numbers(words);
  const Day day = to_day(as_of);
  const std::function<bool(Day)> no_schedule = [](Day) { return false; };
  std::vector<CaseFindingRow> rows;
  for (const CaseFindingList& list : lists) {
    std::vector<ConditionRule> population, criteria;
    for (const Condition& c : list.population)
      population.emplace_back(c, words, numbers);
    for (const Condition& c : list.criteria)
      criteria.emplace_back(c, words, numbers);
    const size_t first = rows.size();
    for (size_t i = 0; i < snapshot.population.children.size(); ++i) {
      const ChildFacts& c = snapshot.population.children[i];
      if (c.birth == kNoDay || c.birth > day || (c.died != kNoDay && c.died <= day) ||
          (c.left != kNoDay && c.left <= day)) {
        continue;
      }
      const int age = age_in_years(from_day(c.birth), as_of);
      if (age > 24) continue;
      const auto holds = [&](const ConditionRule& r) { return r.holds(c, day, no_schedule); };
      if (!std::all_of(population.begin(), population.end(), holds) ||
          !std::all_of(criteria.begin(), criteria.end(), holds)) {
        continue;
      }
      const ChildProfile& p = snapshot.profiles[i];
      CaseFindingRow row{list.id,
                         c.child_id,
                         age,
                         snapshot.practices[p.practice],
                         p.imd_decile,
                         p.imd_decile >= 1 && p.imd_decile <= 2,
                         0,
                         Date{}};
      // The evidence: what the criteria counted, else what put the child in the population.
      Day last = kNoDay;
      for (const ConditionRule& r : criteria) {
        const ConditionRule::Evidence e = r.evidence(c, day);
        row.events += e.count;
        last = std::max(last, e.last);
      }
      for (const ConditionRule& r : population) {
        if (last == kNoDay) last = r.evidence(c, day).last;
      }
      if (last != kNoDay) row.last_event = from_day(last);
      rows.push_back(std::move(row));
    }
    std::stable_sort(rows.begin() + static_cast<std::ptrdiff_t>(first), rows.end(),
                     [](const CaseFindingRow& a, const CaseFindingRow& b) {
                       return a.core20 != b.core20 ? a.core20 : a.child_id < b.child_id;
                     });
  }
  return rows;
}

std::string case_finding_csv(const std::vector<CaseFindingRow>& rows) {
  std::string out = "list,child_id,age,practice,imd_decile,core20,events,last_event\n";
  for (const CaseFindingRow& r : rows) {
    out += csv_quote(r.list) + ',' + std::to_string(r.child_id) + ',' + std::to_string(r.age) +
           ',' + csv_quote(r.practice) + ',' + (r.imd_decile ? std::to_string(r.imd_decile) : "") +
           ',' + (r.core20 ? "yes" : "no") + ',' + std::to_string(r.events) + ',' +
           (r.last_event.ok() ? format_iso_date(r.last_event) : "") + '\n';
  }
  return out;
}

}  // namespace onechild
