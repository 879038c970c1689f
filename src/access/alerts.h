// Alerts that follow an access: an unscheduled-care clinician opening the
// record of a child with a protection flag notifies the responsible local
// authority's social care team (who, where, when), and the flag lists the
// most recent such accesses. Break-glass alerts to the IG officer are
// written by break_glass() in access_control.h; both are read here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "access/access_control.h"
#include "record/protection.h"

namespace onechild {

// One notification per local authority responsible for a flag in force.
Status notify_unscheduled_access(Database& db, const Principal& principal, int64_t child_id,
                                 const std::vector<ProtectionFlag>& flags,
                                 Clock::time_point now = Clock::now());

struct Notification {
  int64_t id = 0;
  std::string created_at, kind, organisation;
  std::optional<int64_t> child_id;
  std::string username, role, user_organisation;  // who caused it
  std::string detail;                             // JSON
};

// Newest first. organisation "" = the IG officers' (break-glass) alerts.
Result<std::vector<Notification>> notifications_for(Database& db, const std::string& organisation,
                                                    int limit = 100);
// The child's most recent unscheduled-care accesses, newest first.
Result<std::vector<Notification>> recent_unscheduled_accesses(Database& db, int64_t child_id,
                                                              int limit);

}  // namespace onechild
