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
  auto config = load_programmes_config(config_dir + "/programmes.toml");
  if (!config.ok()) return config.error();
  rules.config = std::move(*config);
  auto holidays = BankHolidays::load(config_dir + "/reference/bank-holidays-england.csv");
  if (!holidays.ok()) return holidays.error();
  rules.holidays = std::move(*holidays);
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
  // What the clocks and signals read (clocks.cc, signals.cc).
  for (const char* kind :
       {"social-care-episode", "ehc-request", "ehc-assessment", "ehc-plan", "care-plan",
        "condition", "mental-health-referral", "mental-health-contact", "service-request",
        "ed-attendance", "admission", "outpatient-appointment"}) {
    kinds.insert(kind);
  }
  for (const auto* list : {&config.was_not_brought.kinds, &config.unscheduled.kinds})
    kinds.insert(list->begin(), list->end());
  f.codes["encounter"].push_back("diagnostic-assessment");
  f.kinds.assign(kinds.begin(), kinds.end());
  return f;
}

Programmes::Programmes(const ProgrammeRules& rules, Vocabulary& words)
    : words_(words),
      schedules_(rules.schedules, words),
      clocks_(rules.config, *rules.holidays, words),
      signals_(rules.config, *rules.holidays, words) {}

}  // namespace onechild
