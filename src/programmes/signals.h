// Signals of concern on one child's record: patterns that, together, a
// practitioner should look at (a child repeatedly not brought to
// appointments, many emergency attendances, repeated injuries). Each is a
// count of events in a window of months ending on the evaluation date,
// emitted only when it reaches the configured threshold. Thresholds are local
// safeguarding policy, not national rules (config/programmes.toml).
#pragma once

#include <string_view>
#include <vector>

#include "programmes/facts.h"
#include "programmes/programmes_config.h"
#include "programmes/working_days.h"

namespace onechild {

namespace signal_id {
inline constexpr std::string_view kWasNotBrought = "was-not-brought";
inline constexpr std::string_view kUnscheduledCare = "unscheduled-care";
inline constexpr std::string_view kInjuries = "injuries";
}  // namespace signal_id

struct SignalResult {
  std::string_view signal;            // a signal_id constant
  int count = 0;                      // events in the window
  Day first = kNoDay, last = kNoDay;  // the first and last of them
  int threshold = 0;
  int window_days = 0;  // the window: the days after as_of - window_days, up to as_of
};

class SignalBook {
 public:
  // The same shape as ClockBook's (holidays are not used by the current
  // signals; a working-day window would need them).
  SignalBook(const ProgrammesConfig& config, const BankHolidays& holidays, Vocabulary& words);

  // Appends each signal at or over its threshold on as_of. A child who died or
  // moved out on or before as_of has none. `words` must not change during the call.
  void evaluate(const ChildFacts& child, Day as_of, std::vector<SignalResult>& out) const;

  const ProgrammesConfig& config() const { return config_; }

 private:
  void was_not_brought(const ChildFacts& child, Day as_of, std::vector<SignalResult>& out) const;
  void unscheduled(const ChildFacts& child, Day as_of, std::vector<SignalResult>& out) const;
  void injuries(const ChildFacts& child, Day as_of, std::vector<SignalResult>& out) const;

  ProgrammesConfig config_;
  const Vocabulary* words_;
  std::vector<uint32_t> wnb_kinds_, wnb_statuses_, ed_kinds_, injury_ed_codes_, methods_;
  uint32_t ed_ = 0, admission_ = 0;
};

}  // namespace onechild
