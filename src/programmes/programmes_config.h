// The parameters of every statutory and national clock and every signal of
// concern, read from config/programmes.toml (docs/programmes.md lists each
// rule with its source). Every number is a setting, so that a local policy can
// tighten a national target, or a new regulation change it, without a rebuild.
// A table or key the file leaves out keeps the default below, which is the
// national rule; the shipped file states every one of them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/error.h"
#include "programmes/schedule.h"  // When: ages ("18y") and school years ("year 9 end")

namespace onechild {

// An age, for the defaults below.
constexpr When age_years(int years) {
  return When{When::Kind::kAge, 12 * years, 0, 0, {}};
}

// What every clock and signal says about itself.
struct RuleText {
  std::string name;    // what a person reads
  std::string source;  // where the rule comes from
  bool enabled = true;
};

struct ClockConfig : RuleText {
  // Clocks that start before this date are not evaluated (the SEND
  // Regulations 2014 apply to requests from 1 September 2014).
  std::optional<Date> applies_from;
};

// An ICD-10 range on the first three characters, "S00-T79" or "X60".
struct IcdRange {
  std::string from, to;  // three characters each, from <= to
  bool contains(std::string_view code) const;
};

struct SignalConfig : RuleText {
  int threshold = 3;           // emitted when the count in the window is at least this
  int window_months = 12;      // the window: the months ending on the evaluation date
  When under = age_years(18);  // only events before this age count
};

struct ProgrammesConfig {
  std::string origin;  // the file read, for messages

  // Outpatient and mental health contact statuses that mean the child was seen.
  std::vector<std::string> attended{"attended", "attended-late"};

  // SEND Regulations 2014: decision whether to assess (reg. 5(1)).
  struct EhcDecision : ClockConfig {
    int weeks = 6;
  } ehc_decision;
  // Final EHC plan (reg. 13(2)) and notice of a decision not to issue one
  // (reg. 10(1)); `exceptions` honours the reg. 10(4) exceptions the request
  // records ("exceptions apply Y"): a late clock is then kException.
  struct EhcOutcome : ClockConfig {
    int weeks = 20;
    bool exceptions = true;
  } ehc_plan, ehc_no_plan;

  // Looked-after children: initial health assessment within `working_days`
  // of the start of each period of care. An episode starting no more than
  // `gap_days` after the last one ended continues its period (0: only one
  // starting the day the last ends, as SSDA903 records a change of episode).
  struct InitialHealth : ClockConfig {
    int working_days = 20;
    int gap_days = 0;
    When under = age_years(18);  // periods starting at this age are not children's care
  } lac_initial;
  // Review health assessments: the next one `months_under` months after the
  // last if the child was younger than `switch_age` on its date, else
  // `months_from` months.
  struct ReviewHealth : ClockConfig {
    int months_under = 6;
    int months_from = 12;
    When switch_age = age_years(5);
    When under = age_years(18);  // reviews falling due from this age do not apply
  } lac_review;

  // Transition to adult services (NICE NG43): a plan by `due` for young
  // people with one of `conditions` (SNOMED CT) or an EHC plan. The clock
  // starts at the later of `from` and the date the young person qualified;
  // someone qualifying less than `late_months` before `due` has until
  // `late_months` after qualifying. Qualifying from `until` on does not count;
  // no plan by `until` is missed.
  struct TransitionPlan : ClockConfig {
    When from = age_years(13);
    When due{When::Kind::kSchoolYearEnd, 0, 0, 9, {}};  // "year 9 end"
    int late_months = 3;
    When until = age_years(18);
    std::vector<std::string> conditions{"46635009", "84757009"};
    bool ehc_plan = true;
  } transition_plan;

  // "No gap": the adult service's first attended appointment no later than
  // `allowance_days` after the `at` birthday. `functions` maps a condition
  // (SNOMED CT, diagnosed before `at`) to the adult treatment functions.
  struct AdultService : ClockConfig {
    When at = age_years(18);
    int allowance_days = 30;
    std::map<std::string, std::vector<std::string>> functions{{"46635009", {"307"}},
                                                              {"84757009", {"400"}}};
  } adult_service;

  // CAMHS: referral to first attended contact, per referral received before
  // `under`. A referral closed (or followed by another) without an attended
  // contact is kMissed when `closed_without_contact` is "missed", left out
  // when it is "excluded".
  struct Camhs : ClockConfig {
    int weeks = 4;
    When under = age_years(18);
    std::string closed_without_contact = "missed";
  } camhs;

  // Community paediatrics: referral (for one of `reasons`) to the diagnostic
  // assessment.
  struct CommunityPaediatrics : ClockConfig {
    int weeks = 13;
    When under = age_years(18);
    std::vector<std::string> reasons{"Suspected autism", "Suspected ADHD"};
  } community_paediatrics;

  // Suspected first seizure (an ED attendance with one of `ed_codes`) to an
  // attended appointment with one of `functions` (paediatric neurology).
  struct EpilepsySpecialist : ClockConfig {
    int weeks = 2;
    When under = age_years(18);
    std::vector<std::string> ed_codes{"91175000"};
    std::vector<std::string> functions{"421"};
  } epilepsy_specialist;

  // First presentation to diagnosis, for children with the diagnosis: the
  // earliest presentation in the `lookback_months` before the diagnosis.
  struct AutismDiagnosis : ClockConfig {
    int weeks = 13;
    int lookback_months = 60;
    std::string condition = "35919005";
    std::vector<std::string> reasons{"Suspected autism"};  // community paediatrics referrals
  } autism_diagnosis;
  struct EpilepsyDiagnosis : ClockConfig {
    int weeks = 2;
    int lookback_months = 24;
    std::string condition = "84757009";
    std::vector<std::string> ed_codes{"91175000"};  // ED attendances for a seizure
    std::vector<std::string> functions{"421"};      // attended paediatric neurology
  } epilepsy_diagnosis;

  // Signals: counts in a window ending on the evaluation date.
  struct WasNotBrought : SignalConfig {
    std::vector<std::string> kinds{"outpatient-appointment", "mental-health-contact"};
    std::vector<std::string> statuses{"did-not-attend"};
  } was_not_brought;
  struct Unscheduled : SignalConfig {
    std::vector<std::string> kinds{"ed-attendance"};
  } unscheduled;
  // ED attendances with an injury diagnosis, and admissions whose diagnosis is
  // in `admission_codes` with an external cause (the admission's value) in
  // `external_causes`. An admission up to `same_injury_days` after an ED
  // injury attendance is that injury, not another.
  struct Injuries : SignalConfig {
    std::vector<std::string> ed_codes{"82271004",  "12676007",  "44465007", "312608009",
                                      "125666000", "125605004", "55680006", "248062006"};
    std::vector<IcdRange> admission_codes{IcdRange{"S00", "T79"}};
    std::vector<IcdRange> external_causes{IcdRange{"V01", "Y36"}};
    bool require_external_cause = true;
    std::vector<std::string> admission_methods;  // empty: any method
    int same_injury_days = 1;
  } injuries;

  ProgrammesConfig();  // the national rules, with their names and sources
};

// Errors name the file and the table and key: "programmes.toml: [clock.ehc-plan]:
// 'weeks' must be a whole number from 1 to 520". Unknown tables and keys are
// refused, so that a misspelt setting is not silently the default.
Result<ProgrammesConfig> parse_programmes_config(std::string_view text, const std::string& origin);
Result<ProgrammesConfig> load_programmes_config(const std::string& path);
std::string default_programmes_config_path();  // ONECHILD_CONFIG_DIR "/programmes.toml"

}  // namespace onechild
