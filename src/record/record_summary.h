// What the integrated record page shows besides the raw events, derived from
// a ChildRecord (after sensitivity filtering, so nothing withheld leaks into
// a summary): NHS number status, growth, conditions, referrals, plans, the
// education summary, the care team and its lead professional, and each
// event's kind in words. Kept apart from the HTML so the rules can be tested
// and reused (family view, JSON).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/error.h"
#include "record/child_record.h"
#include "store/database.h"

namespace onechild {

// One current source record's NHS number as the source sent it.
struct SourceNumber {
  std::string source;
  std::optional<std::string> nhs_number;  // valid digits, else none
  std::optional<std::string> recorded;    // as sent (may be invalid)
  std::string status;                     // "valid" | "invalid" | "missing"
};
Result<std::vector<SourceNumber>> load_source_numbers(Database& db, int64_t child_id);

struct NumberAgreement {
  enum class State { kVerified, kSingleSource, kDiffers, kNotKnown } state = State::kNotKnown;
  std::string text;  // "Verified on 3 sources", "Differs between sources: ...", "Not known"
};
NumberAgreement nhs_number_status(const std::optional<std::string>& number,
                                  const std::vector<SourceNumber>& sources);

// Height and weight measured on one day; BMI when both were.
struct GrowthPoint {
  std::string date;  // ISO
  std::optional<double> height_cm, weight_kg, bmi;
  std::string source;
};
std::vector<GrowthPoint> growth_of(const ChildRecord& record);  // oldest first
std::string growth_json(const std::vector<GrowthPoint>& points);

std::vector<const RecordEvent*> conditions_of(const ChildRecord& record);
// Referrals: service requests, mental health referrals, outpatient appointments.
std::vector<const RecordEvent*> referrals_of(const ChildRecord& record);

struct Plan {
  std::string name, status, start, source;
  std::optional<std::string> end;
};
// Care plans (including transition plans) and EHC plans with their requests
// and assessments, newest first.
std::vector<Plan> plans_of(const ChildRecord& record);

struct Education {
  std::optional<std::string> school_urn, term, census_date, year_group, free_meals, sen, source;
  std::optional<std::string> eyfsp;  // "Good level of development: Y (30 June 2024)"
};
Education education_of(const ChildRecord& record);

// An event's kind in words ("Emergency department attendance") and what it was.
std::string event_kind_name(const std::string& kind);
std::string event_detail(const RecordEvent& e);

// Who is involved with the child, and the lead professional.
struct CareTeamMember {
  std::string role;          // "Registered GP practice", "Health visiting team", ...
  std::string organisation;  // ODS or local authority code, or name when known
  std::string detail;        // how we know: "GP record", "caseload area NB1", "referral since ..."
  std::optional<std::string> person{};  // a named member (staff views only)
  std::optional<std::string> phone{};   // a local authority's office-hours number
  bool lead = false;
  bool recorded = false;  // from the relationships table (a staff-only fact)
};
struct CareTeam {
  std::vector<CareTeamMember> members;
  std::string lead_reason;  // why the lead is who it is, in words
};
// The social care episodes come from the record's events and the area teams
// from its postcodes, both as filtered for the viewer (a sealed address shows
// no area); recorded relationships are those current at now_timestamp.
Result<CareTeam> load_care_team(Database& db, const ChildRecord& record, Date today,
                                const std::string& now_timestamp);

}  // namespace onechild
