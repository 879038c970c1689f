// The child health programmes as one object: schedules (Healthy Child
// Programme reviews, immunisations), statutory clocks and safeguarding
// signals, read from the config folder and compiled against a population's
// vocabulary. docs/programmes.md lists every rule with its source.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "programmes/clocks.h"
#include "programmes/facts.h"
#include "programmes/load_facts.h"
#include "programmes/programmes_config.h"
#include "programmes/schedule.h"
#include "programmes/signals.h"
#include "programmes/status.h"
#include "programmes/working_days.h"

namespace onechild {

struct ProgrammeRules {
  std::vector<Schedule> schedules;
  ProgrammesConfig config;               // clocks and signals
  std::optional<BankHolidays> holidays;  // always set by load()

  // config_dir/schedules/*.toml, programmes.toml, reference/bank-holidays-england.csv
  static Result<ProgrammeRules> load(const std::string& config_dir);
  static std::string default_config_dir();
  // The event kinds (and codes) the rules read: what load_population needs.
  FactFilter filter() const;
};

class Programmes {
 public:
  Programmes(const ProgrammeRules& rules, Vocabulary& words);

  const ScheduleBook& schedules() const { return schedules_; }
  const ClockBook& clocks() const { return clocks_; }
  const SignalBook& signals() const { return signals_; }
  const Vocabulary& words() const { return words_; }

 private:
  Vocabulary& words_;
  ScheduleBook schedules_;
  ClockBook clocks_;
  SignalBook signals_;
};

}  // namespace onechild
