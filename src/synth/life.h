// A child's life course as the organisations around them saw it: reviews,
// immunisations, measurements, consultations, hospital and mental health
// care, social care, school. Drawn once per child (truth), then rendered by
// each organisation's feed. Rates and their sources: docs/synthetic-data.md.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "synth/calendar.h"
#include "synth/model.h"
#include "synth/random.h"
#include "synth/world.h"

namespace onechild::synth {

// A code from a code system, with the text people read.
struct Code {
  std::string_view code;
  std::string_view display;
};

enum class Review : uint8_t { kAntenatal, kNewBirth, kSixToEightWeek, kOneYear, kTwoYear };
enum class Feeding : uint8_t { kTotallyBreastfed, kPartiallyBreastfed, kNotBreastfed };

struct HealthVisitorReview {
  Review review;
  Date date;
  std::optional<std::array<int, 5>> asq3;  // ASQ-3 domain scores (2-2½ year review)
  std::optional<Feeding> feeding;          // recorded at the 6-8 week review
};

struct Vaccine {
  Code code;             // SNOMED CT vaccine product (check against the UK refsets)
  std::string_view key;  // short name used in tests and docs: "6in1", "MMRV"
};

struct Dose {
  const Vaccine* vaccine;
  Date due;
  Date date;               // given, or when the family declined
  bool declined = false;   // recorded as not done (parent declined)
  bool at_school = false;  // school-aged immunisation service (community trust)
};

struct NcmpMeasurement {
  int school_year;  // 0 = Reception, 6 = Year 6
  Date date;
  std::string_view school;  // URN
  double height_cm, weight_kg, bmi_centile;
};

enum class GpContactKind : uint8_t { kFaceToFace, kTelephone, kBabyCheck, kConditionReview };
struct GpContact {
  GpContactKind kind;
  Date date;
  std::optional<Condition> about;
  std::optional<double> weight_kg;  // measured at the 6-8 week baby check
};

enum class EdGroup : uint8_t { kIllness, kInjury, kSelfHarm, kAsthma, kDiabetes, kSeizure };
struct EdDiagnosis {
  Code snomed;                      // ECDS diagnosis
  std::string_view icd10;           // primary diagnosis if admitted (CDS form, no dot)
  std::string_view external_cause;  // ICD-10 cause for injuries and self-harm
  EdGroup group;
};
struct EdAttendance {
  Date date;
  int minute_of_day;
  const EdDiagnosis* diagnosis;
  bool admitted;
  std::string_view department_type;  // "01" emergency department, "03" urgent treatment centre
};

struct Admission {
  Date admitted, discharged;
  std::string_view method;  // CDS admission method: 21 via ED, 22 via GP, 11 waiting list
  std::string_view icd10, external_cause, opcs;
  std::string_view treatment_function;
};

struct OutpatientAppointment {
  Date date;
  std::string_view treatment_function;  // e.g. 420 paediatrics, 307 diabetes medicine
  bool first;
  std::string_view attendance;  // CDS attended or did not attend: 5, 6, 3 (was not brought), 2, 4
};

struct CareContact {
  Date date;
  std::string_view attendance;  // as outpatients
  std::string_view mechanism;   // 01 face to face, 02 telephone, 04 video (check)
};
struct OutcomeScore {
  Date date;
  std::string_view tool;  // "SDQ-TD" (0-40) or "GBO" (0-10)
  int score;
};
struct CamhsReferral {
  Date received;
  std::string_view source, reason;
  std::optional<Date> discharged;
  std::vector<CareContact> contacts;
  std::vector<OutcomeScore> scores;
};

struct CinEpisode {
  Date referral;
  std::optional<Date> closed;
  std::string_view source, need, closure_reason;
};
struct ProtectionPlan {
  Date start;
  std::optional<Date> end;
  std::string_view initial_category, latest_category;
};
struct CareEpisode {  // an SSDA903 episode: a change of placement or legal status starts a new one
  Date start;
  std::optional<Date> end;
  std::string_view reason_new, legal_status, placement, reason_ceased;
};
struct HealthAssessment {
  Date date;
  bool initial;
  bool immunisations_up_to_date, dental_check;
};

struct CensusEntry {
  Date census_day;
  int academic_year;
  Term term;
  int year_group;  // 0 = Reception
  const Organisation* school;
  Date entry_date;
  bool fsm;
  char sen;  // 'N' none, 'K' SEN support, 'E' EHC plan
  std::string_view primary_need;
};
struct EyfsProfile {
  Date assessed;
  int academic_year;
  const Organisation* school;
  bool good_level_of_development;
};
struct EhcRequest {
  Date requested;
  bool assess;                  // the decision, once made
  std::optional<Date> decided;  // nullopt: awaiting a decision at the reference date
  std::optional<Date> plan_issued, no_plan_notified;
  bool exceptions;  // SEND Regulations 2014 reg. 10(4) exceptions apply
};

struct CarePlan {
  std::string_view kind;  // "asthma", "diabetes", "epilepsy", "transition"
  Date start;
};
struct PaediatricReferral {  // to community paediatrics (autism, ADHD assessment)
  Date referred;
  Date assessed;  // the diagnostic assessment, when diagnosed
  Condition reason;
};

struct Life {
  std::vector<HealthVisitorReview> reviews;
  std::vector<Dose> doses;
  std::vector<NcmpMeasurement> ncmp;
  std::vector<GpContact> gp_contacts;
  std::vector<CarePlan> gp_care_plans, transition_plans;
  std::vector<EdAttendance> ed;
  std::vector<Admission> admissions;
  std::vector<OutpatientAppointment> outpatients;
  std::vector<CamhsReferral> camhs;
  std::vector<PaediatricReferral> paediatric_referrals;
  std::vector<CinEpisode> cin;
  std::vector<ProtectionPlan> protection_plans;
  std::vector<CareEpisode> care_episodes;
  std::vector<HealthAssessment> health_assessments;
  std::vector<CensusEntry> census;
  std::optional<EyfsProfile> eyfs;
  std::vector<EhcRequest> ehc_requests;

  bool looked_after_on(Date date) const;
  bool on_protection_plan_on(Date date) const;
};

// Draws the child's diagnoses (into child) and life course (returned).
Life live(const World& world, const Household& home, Child& child, uint64_t seed);

// Display names and codes shared with the feeds.
Code condition_code(Condition condition);  // SNOMED CT disorder
std::string_view review_name(Review review);

}  // namespace onechild::synth
