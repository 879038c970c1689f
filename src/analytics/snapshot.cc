#include "analytics/snapshot.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "analytics/conditions.h"
#include "core/csv.h"

namespace onechild {
namespace {

// Index of code in list, appending it the first time; "" is index 0.
uint16_t index_of(std::map<std::string, uint16_t, std::less<>>& index,
                  std::vector<std::string>& list, std::string_view code) {
  if (code.empty()) return 0;
  const auto it = index.find(code);
  if (it != index.end()) return it->second;
  const auto i = static_cast<uint16_t>(list.size());
  list.emplace_back(code);
  index.emplace(std::string(code), i);
  return i;
}

}  // namespace

void FactFilterBuilder::add(const EventMatcher& m) {
  kinds_.insert(m.kind);
  const bool exact =
      !m.codes.empty() && std::none_of(m.codes.begin(), m.codes.end(), [](const std::string& c) {
        return c.find('*') != std::string::npos;
      });
  if (exact)
    codes_[m.kind].insert(m.codes.begin(), m.codes.end());
  else
    any_code_.insert(m.kind);
}

void FactFilterBuilder::add(const FactFilter& filter) {
  for (const auto& k : filter.kinds) {
    kinds_.insert(k);
    if (!filter.codes.contains(k)) any_code_.insert(k);
  }
  for (const auto& [kind, list] : filter.codes)
    codes_[kind].insert(list.begin(), list.end());
}

void FactFilterBuilder::add_every_code(const std::string& kind) {
  kinds_.insert(kind);
  any_code_.insert(kind);
}

FactFilter FactFilterBuilder::build() const {
  FactFilter f;
  f.kinds.assign(kinds_.begin(), kinds_.end());
  for (const auto& [kind, list] : codes_) {
    if (!any_code_.contains(kind)) f.codes[kind].assign(list.begin(), list.end());
  }
  return f;
}

FactFilter snapshot_filter(const ProgrammeRules& rules,
                           const std::vector<IndicatorDefinition>& definitions,
                           const std::vector<VulnerableGroup>& groups) {
  FactFilterBuilder builder;
  builder.add(rules.filter());
  const auto add_conditions = [&](const std::vector<Condition>& list) {
    for (const Condition& c : list) {
      for (const EventMatcher& m : c.any)
        builder.add(m);
    }
  };
  for (const IndicatorDefinition& d : definitions) {
    const Measure& m = d.measure;
    if (!m.event.kind.empty()) builder.add(m.event);
    for (const EventMatcher& e : m.same_day)
      builder.add(e);
    add_conditions(m.population);
    add_conditions(m.numerator);
  }
  for (const VulnerableGroup& g : groups)
    add_conditions({g.condition});
  return builder.build();
}

std::string_view sex_group_name(uint8_t sex) {
  switch (sex) {
    case 1:
      return "Male";
    case 2:
      return "Female";
    default:
      return "Not known";
  }
}

std::string_view ethnic_group_name(uint8_t group) {
  static constexpr std::string_view kNames[] = {"Not known", "White", "Mixed",
                                                "Asian",     "Black", "Other"};
  return group < std::size(kNames) ? kNames[group] : kNames[0];
}

uint8_t ethnic_group_of(std::string_view code) {
  // NHS Data Dictionary ethnic category: A-C White, D-G Mixed, H-L Asian or
  // Asian British, M-P Black or Black British, R-S Other; Z not stated.
  if (code.size() != 1) return 0;
  const char c = code[0];
  if (c >= 'A' && c <= 'C') return 1;
  if (c >= 'D' && c <= 'G') return 2;
  if (c >= 'H' && c <= 'L') return 3;
  if (c >= 'M' && c <= 'P') return 4;
  if (c == 'R' || c == 'S') return 5;
  return 0;
}

Snapshot make_snapshot(Population population, const AreaReference& reference,
                       std::vector<VulnerableGroup> groups, Date as_of) {
  Snapshot s;
  s.population = std::move(population);
  s.groups = std::move(groups);
  s.as_of = as_of;
  s.local_authorities = {""};
  s.pcns = {""};
  s.practices = {""};
  std::map<std::string, uint16_t, std::less<>> la_index, pcn_index, practice_index;
  // Every practice the reference knows, so a practice with no children
  // still has its place in PCN totals.
  for (const auto& [code, org] : reference.organisations()) {
    if (org.type != "gp-practice") continue;
    const uint16_t p = index_of(practice_index, s.practices, code);
    s.pcn_of_practice.resize(s.practices.size(), 0);
    s.pcn_of_practice[p] = index_of(pcn_index, s.pcns, org.parent);
  }

  const Vocabulary& words = s.population.words;
  const WordNumbers numbers(words);
  std::vector<ConditionRule> rules;
  for (const VulnerableGroup& g : s.groups)
    rules.emplace_back(g.condition, words, numbers);
  const uint32_t male = words.find("male").value_or(UINT32_MAX);
  const uint32_t female = words.find("female").value_or(UINT32_MAX);
  const Day day = to_day(as_of);
  const std::function<bool(Day)> no_schedule = [](Day) { return false; };

  s.profiles.resize(s.population.children.size());
  for (size_t i = 0; i < s.population.children.size(); ++i) {
    const ChildFacts& child = s.population.children[i];
    ChildProfile& p = s.profiles[i];
    p.sex = child.sex == male ? 1 : child.sex == female ? 2 : 0;
    p.ethnic_group = ethnic_group_of(words.text(child.ethnicity));
    if (const Lsoa* l = reference.lsoa_of_postcode(words.text(child.postcode))) {
      p.imd_decile = static_cast<uint8_t>(l->imd_decile);
      p.local_authority = index_of(la_index, s.local_authorities, l->local_authority);
    }
    if (child.practice != 0) {
      p.practice = index_of(practice_index, s.practices, words.text(child.practice));
      s.pcn_of_practice.resize(s.practices.size(), 0);
      p.pcn = s.pcn_of_practice[p.practice];
    }
    for (size_t g = 0; g < rules.size() && g < 32; ++g) {
      if (rules[g].holds(child, day, no_schedule)) p.vulnerable |= 1u << g;
    }
  }
  for (const auto* list : {&s.local_authorities, &s.pcns, &s.practices}) {
    for (const std::string& code : *list) {
      if (!code.empty()) s.area_names[code] = reference.name_of(code);
    }
  }
  return s;
}

Status write_snapshot_csv(const Snapshot& s, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error::io_error("cannot create " + dir + ": " + ec.message());
  std::ofstream children(dir + "/children.csv", std::ios::binary);
  std::ofstream events(dir + "/events.csv", std::ios::binary);
  if (!children || !events) return Error::io_error("cannot write the snapshot in " + dir);
  const Vocabulary& w = s.population.words;
  const auto day = [](Day d) { return d == kNoDay ? std::string() : format_iso_date(from_day(d)); };
  children << "child_id,birth,died,left,sex,ethnic_group,imd_decile,local_authority,pcn,practice,"
              "vulnerable\n";
  events << "child_id,kind,code,status,value,start,end\n";
  for (size_t i = 0; i < s.population.children.size(); ++i) {
    const ChildFacts& c = s.population.children[i];
    const ChildProfile& p = s.profiles[i];
    children << c.child_id << ',' << day(c.birth) << ',' << day(c.died) << ',' << day(c.left) << ','
             << int{p.sex} << ',' << int{p.ethnic_group} << ',' << int{p.imd_decile} << ','
             << s.local_authorities[p.local_authority] << ',' << s.pcns[p.pcn] << ','
             << s.practices[p.practice] << ',' << p.vulnerable << '\n';
    for (const Fact& f : c.facts) {
      events << c.child_id << ',' << csv_quote(w.text(f.kind)) << ',' << csv_quote(w.text(f.code))
             << ',' << csv_quote(w.text(f.status)) << ',' << csv_quote(w.text(f.value)) << ','
             << day(f.start) << ',' << day(f.end) << '\n';
    }
  }
  children.flush();
  events.flush();
  if (!children.good() || !events.good())
    return Error::io_error("cannot write the snapshot in " + dir);
  return {};
}

}  // namespace onechild
