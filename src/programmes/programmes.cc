#include "programmes/programmes.h"

#include <set>

#ifndef ONECHILD_CONFIG_DIR
#define ONECHILD_CONFIG_DIR "config"
#endif

namespace onechild {

Result<ProgrammeRules> ProgrammeRules::load(const std::string& config_dir) {
  ProgrammeRules rules;
  auto schedules = load_schedules(config_dir + "/schedules");
  if (!schedules.ok()) return schedules.error();
  rules.schedules = std::move(*schedules);
  return rules;
}

std::string ProgrammeRules::default_config_dir() {
  return ONECHILD_CONFIG_DIR;
}

FactFilter ProgrammeRules::filter() const {
  FactFilter f;
  std::set<std::string> kinds;
  for (const Schedule& s : schedules) {
    for (const ScheduleItem& item : s.items) {
      kinds.insert(item.kind);
      // Encounters are mostly GP consultations the schedules do not read.
      if (item.kind == "encounter") {
        auto& codes = f.codes["encounter"];
        codes.insert(codes.end(), item.codes.begin(), item.codes.end());
      }
    }
  }
  f.kinds.assign(kinds.begin(), kinds.end());
  return f;
}

Programmes::Programmes(const ProgrammeRules& rules, Vocabulary& words)
    : words_(words), schedules_(rules.schedules, words) {}

}  // namespace onechild
