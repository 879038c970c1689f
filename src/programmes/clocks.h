// Statutory and national clocks on one child's record: each starts on an
// event (a request, a referral, becoming looked after, a birthday), falls due
// a set time later and stops on the event that meets it. The rules and their
// sources are in programmes_config.h, config/programmes.toml and
// docs/programmes.md; each clock's function in clocks.cc repeats its rule.
//
// Evaluation is as on a date: events after it are not known yet (a decision
// dated later has not been made), clocks starting after it are not shown, a
// child who died or moved out has no clock that was not yet due then.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "programmes/facts.h"
#include "programmes/programmes_config.h"
#include "programmes/working_days.h"

namespace onechild {

enum class ClockState : uint8_t {
  kRunning,    // not stopped, not yet past due
  kOverdue,    // not stopped and past due
  kMet,        // stopped on or before the due day
  kMissed,     // stopped after the due day (or ended without the event: see detail)
  kException,  // late, but a recorded exception applies (SEND reg. 10(4)): not counted as late
};
std::string_view clock_state_name(ClockState state);  // "running", "overdue", "met", ...

// The stable ids of the clocks (ClockResult::clock points at one of these).
namespace clock_id {
inline constexpr std::string_view kEhcDecision = "ehc-decision";
inline constexpr std::string_view kEhcPlan = "ehc-plan";
inline constexpr std::string_view kEhcNoPlan = "ehc-no-plan";
inline constexpr std::string_view kLacInitialHealth = "lac-initial-health";
inline constexpr std::string_view kLacReviewHealth = "lac-review-health";
inline constexpr std::string_view kTransitionPlan = "transition-plan";
inline constexpr std::string_view kAdultService = "adult-service";
inline constexpr std::string_view kCamhsFirstContact = "camhs-first-contact";
inline constexpr std::string_view kCommunityPaediatrics = "community-paediatrics-assessment";
inline constexpr std::string_view kEpilepsySpecialist = "epilepsy-specialist";
inline constexpr std::string_view kAutismDiagnosis = "autism-diagnosis";
inline constexpr std::string_view kEpilepsyDiagnosis = "epilepsy-diagnosis";
}  // namespace clock_id

struct ClockResult {
  std::string_view clock;  // a clock_id constant
  Day start = kNoDay;
  Day due = kNoDay;      // the last day on time (inclusive)
  Day stopped = kNoDay;  // kNoDay while running
  ClockState state = ClockState::kRunning;
  std::string detail;  // what started and stopped it, for a person to read
};

class ClockBook {
 public:
  // Interns the codes the rules compare into words; config and holidays are copied.
  ClockBook(const ProgrammesConfig& config, const BankHolidays& holidays, Vocabulary& words);

  // Appends every clock that applies to the child on as_of, clock by clock,
  // each in start order. `words` must be the Vocabulary the child's facts and
  // this book were interned in, and must not change during the call.
  void evaluate(const ChildFacts& child, Day as_of, std::vector<ClockResult>& out) const;

  const ProgrammesConfig& config() const { return config_; }

 private:
  struct Ctx;
  void ehc(const Ctx& x) const;
  void looked_after(const Ctx& x) const;
  void transition(const Ctx& x) const;
  void adult_service(const Ctx& x) const;
  void camhs(const Ctx& x) const;
  void community_paediatrics(const Ctx& x) const;
  void epilepsy_specialist(const Ctx& x) const;
  void autism_diagnosis(const Ctx& x) const;
  void epilepsy_diagnosis(const Ctx& x) const;

  ProgrammesConfig config_;
  BankHolidays holidays_;
  const Vocabulary* words_;

  using Ids = std::vector<uint32_t>;  // sorted
  struct {
    uint32_t social_care = 0, looked_after = 0, initial_health = 0, review_health = 0;
    uint32_t ehc_request = 0, ehc_assessment = 0, ehc_plan = 0;
    uint32_t assess = 0, plan = 0, no_plan = 0, exceptions_yes = 0;
    uint32_t care_plan = 0, transition = 0, condition = 0, outpatient = 0;
    uint32_t mh_referral = 0, mh_contact = 0;
    uint32_t service_request = 0, community_paediatrics = 0, encounter = 0, diagnostic = 0;
    uint32_t ed = 0;
    uint32_t autism = 0, epilepsy = 0;
    Ids attended, transition_conditions, cp_reasons, seizure_ed, specialist_functions;
    Ids autism_reasons, dx_seizure_ed, dx_functions;
    std::vector<std::pair<uint32_t, Ids>> adult_functions;  // condition -> functions
  } id_;
};

}  // namespace onechild
