// The population snapshot the outcomes engine reads: every child's facts
// (programmes/facts.h) and, per child, the groups it is counted in (sex,
// ethnic group, IMD decile, local authority, PCN, practice, vulnerable
// groups), each resolved once so the engine only adds integers.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "analytics/area_reference.h"
#include "analytics/indicator_definition.h"
#include "programmes/facts.h"
#include "programmes/load_facts.h"
#include "programmes/programmes.h"

namespace onechild {

// Group numbers; 0 is always "not known".
struct ChildProfile {
  uint8_t sex = 0;           // 1 male, 2 female
  uint8_t ethnic_group = 0;  // 1 White, 2 Mixed, 3 Asian, 4 Black, 5 Other
  uint8_t imd_decile = 0;    // 1 (most deprived) .. 10
  uint16_t local_authority = 0, pcn = 0, practice = 0;  // indexes into Snapshot's lists
  uint32_t vulnerable = 0;                              // bit i: in Snapshot::groups[i]
};

struct Snapshot {
  Population population;
  std::vector<ChildProfile> profiles;  // parallel to population.children
  // Codes by index; index 0 is "not known" (an empty code).
  std::vector<std::string> local_authorities, pcns, practices;
  std::vector<uint16_t> pcn_of_practice;                       // practice index -> pcn index
  std::map<std::string, std::string, std::less<>> area_names;  // code -> name, from the reference
  std::vector<VulnerableGroup> groups;
  Date as_of;  // the vulnerable groups are as on this day
};

// Collects the event kinds and codes some readers need into a FactFilter:
// a kind is read for listed codes only while every matcher on it lists exact
// codes; one that reads any code (or a '*' pattern) reads the whole kind.
class FactFilterBuilder {
 public:
  void add(const EventMatcher& matcher);
  void add(const FactFilter& filter);
  void add_every_code(const std::string& kind);
  FactFilter build() const;

 private:
  std::set<std::string> kinds_, any_code_;
  std::map<std::string, std::set<std::string>> codes_;
};

// The event kinds and codes that the programme rules, the definitions and
// the groups read: what load_population needs for the snapshot.
FactFilter snapshot_filter(const ProgrammeRules& rules,
                           const std::vector<IndicatorDefinition>& definitions,
                           const std::vector<VulnerableGroup>& groups);

// Resolves each child's groups. Children whose postcode or practice the
// reference does not know are counted as "not known", never dropped.
Snapshot make_snapshot(Population population, const AreaReference& reference,
                       std::vector<VulnerableGroup> groups, Date as_of);

// Writes dir/children.csv (child_id, birth, died, left, sex, ethnic_group,
// imd_decile, local_authority, pcn, practice, vulnerable) and dir/events.csv
// (child_id, kind, code, status, value, start, end): the snapshot exactly as
// the engine sees it, for checking its figures with other tools (bench/).
Status write_snapshot_csv(const Snapshot& snapshot, const std::string& dir);

// The text names of the groups of the fixed breakdowns.
std::string_view sex_group_name(uint8_t sex);            // "Not known", "Male", "Female"
std::string_view ethnic_group_name(uint8_t group);       // "Not known", "White", ...
uint8_t ethnic_group_of(std::string_view nhs_category);  // "A" -> 1 (White)

}  // namespace onechild
