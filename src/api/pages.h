// HTML pages in the NHS design system (nhsuk-frontend markup). Every value
// that came from a feed or a user passes through html_escape here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "access/access_control.h"
#include "access/alerts.h"
#include "access/users.h"
#include "record/child_record.h"
#include "record/protection.h"
#include "api/web/kit.h"

namespace onechild::api {

// csrf: the login form token (a cookie of its own: api/web/csrf.h).
std::string login_page(const std::string& username, bool failed, const std::string& csrf);

// What access control added to a record: protection flags (shown first),
// recent unscheduled-care accesses, what was withheld, and on what basis
// the record was opened.
struct RecordView {
  std::vector<ProtectionFlag> flags;
  std::vector<Notification> recent_unscheduled;  // when the viewer is unscheduled care
  std::vector<Withheld> withheld;
  std::vector<BreakGlass> break_glass;  // shown to the family: emergency accesses
  std::string basis;                    // "gp-registration", "break-glass", ...
};
std::string record_page(const Shell& shell, const ChildRecord& record, const RecordView& view);

// 403 for a record: why, and the break-glass form when the role may use it.
std::string refused_page(const Shell& shell, int64_t child_id, const std::string& reason,
                         bool may_break_glass, const std::optional<std::string>& form_error);

// 404, 500 and similar: a heading and one sentence.
// (shell.title is the heading.)
std::string message_page(const Shell& shell, const std::string& message);

}  // namespace onechild::api
