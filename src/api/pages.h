// HTML pages in the NHS design system (nhsuk-frontend markup). Every value
// that came from a feed or a user passes through html_escape here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "access/access_control.h"
#include "access/alerts.h"
#include "access/users.h"
#include "api/web/kit.h"
#include "record/child_record.h"
#include "record/protection.h"
#include "record/record_summary.h"

namespace onechild {
struct ProgrammeRules;
}

namespace onechild::api {

// csrf: the login form token (a cookie of its own: api/web/csrf.h).
std::string login_page(const std::string& username, bool failed, const std::string& csrf);

// One child's schedules (immunisations, Healthy Child Programme reviews) and
// clocks (referral waits, EHC, looked-after health) from the programmes
// engine, as `onechild programmes status --child` evaluates them.
struct ScheduleLine {
  std::string programme;  // "imms" | "hcp"
  std::string name;
  std::string status;  // status_name(): "due", "overdue", "done-on-time", ...
  std::optional<std::string> due, by, done;
};
struct ClockLine {
  std::string name, state, start, due, detail;
  std::optional<std::string> stopped;
};
struct ProgrammeView {
  std::vector<ScheduleLine> items;
  std::vector<ClockLine> clocks;
};
// The CAMHS wait tells of a mental health referral: shown only with
// show_mental_health (the viewer's role sees mental health notes); clocks
// only with with_clocks. Defined in web/record.cc.
Result<ProgrammeView> programme_view(Database& db, const ProgrammeRules& rules, int64_t child_id,
                                     Date as_of, bool with_clocks, bool show_mental_health);

// What access control added to a record: protection flags (shown first),
// recent unscheduled-care accesses, what was withheld, and on what basis
// the record was opened; and what was derived from it for the page.
struct RecordView {
  std::vector<ProtectionFlag> flags;
  std::vector<Notification> recent_unscheduled;  // when the viewer is unscheduled care
  std::vector<Withheld> withheld;
  std::vector<BreakGlass> break_glass;  // shown to the family: emergency accesses
  std::string basis;                    // "gp-registration", "break-glass", ...
  NumberAgreement nhs_status;
  CareTeam care_team;
  ProgrammeView programmes;
  size_t timeline_limit = 100;  // 0: every event (?timeline=all)
};
std::string record_page(const Shell& shell, const ChildRecord& record, const RecordView& view);

// Sections the family view shares with the record page.
std::string schedule_section(const ProgrammeView& programmes, const std::string& programme,
                             const std::string& id, const std::string& heading,
                             const std::string& caption);
std::string growth_section(const ChildRecord& record, const std::string& json_url);
std::string plans_section(const ChildRecord& record);
// staff: names the members recorded by name; the family sees teams only.
std::string care_team_section(const CareTeam& care_team, bool staff);
std::string recorded_immunisations_table(const ChildRecord& record);
std::string schedule_status_tag(const ScheduleLine& line);

// 403 for a record: why, and the break-glass form when the role may use it.
std::string refused_page(const Shell& shell, int64_t child_id, const std::string& reason,
                         bool may_break_glass, const std::optional<std::string>& form_error);

// 404, 500 and similar: a heading and one sentence.
// (shell.title is the heading.)
std::string message_page(const Shell& shell, const std::string& message);

}  // namespace onechild::api
