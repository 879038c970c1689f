// Case-finding lists for a child health hub MDT (Core20PLUS5 for children;
// config/case_finding.toml): the children meeting a list's conditions on a
// day, with the evidence, Core20 children first. Person-level output: the
// caller is responsible for who sees it.
#pragma once

#include <string>
#include <vector>

#include "analytics/indicator_definition.h"
#include "analytics/snapshot.h"

namespace onechild {

struct CaseFindingList {
  std::string id, name, area, source;
  std::vector<Condition> population, criteria;
};

Result<std::vector<CaseFindingList>> parse_case_finding(std::string_view toml,
                                                        const std::string& origin);
Result<std::vector<CaseFindingList>> load_case_finding(const std::string& path);

struct CaseFindingRow {
  std::string list;
  int64_t child_id = 0;
  int age = 0;
  std::string practice;  // code, "" not known
  int imd_decile = 0;    // 0 not known
  bool core20 = false;
  int events = 0;     // what the criteria counted (none for a "none-within" criterion)
  Date last_event{};  // the latest such event, or the population's evidence
};

// Rows for each list in file order; in a list Core20 children first, then by
// child id. Children aged 0-24 and present on as_of.
std::vector<CaseFindingRow> find_cases(const std::vector<CaseFindingList>& lists,
                                       const Snapshot& snapshot, Date as_of);

std::string case_finding_csv(const std::vector<CaseFindingRow>& rows);

}  // namespace onechild
