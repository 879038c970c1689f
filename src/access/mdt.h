// The child health hub MDT case list: a team raises a child found by a
// case-finding list (config/case_finding.toml) for discussion, then records
// what the MDT decided. Raising a case gives the team an "mdt" relationship
// with the child (so its members may open the record), and each change is
// audited in the same transaction as the change itself.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "access/access_control.h"
#include "access/users.h"

namespace onechild {

struct MdtAction {
  std::string_view id, name;
};
// What an MDT may decide. "discuss-again" closes the case and raises a new
// one for the next meeting.
inline constexpr MdtAction kMdtActions[] = {
    {"refer-specialist-nurse", "Refer to specialist nurse"},
    {"refer-paediatrician", "Refer to paediatrician"},
    {"primary-care-review", "Ask the GP practice to review"},
    {"no-further-action", "No further action"},
    {"discuss-again", "Discuss again at the next meeting"},
};
std::optional<std::string_view> mdt_action_name(std::string_view id);

inline constexpr size_t kMdtTextLimit = 1000;  // characters in a reason or outcome

struct MdtCase {
  int64_t id = 0, child_id = 0;
  std::string list, organisation;
  std::string raised_by, raised_at, reason;  // raised_by: the user's display name
  std::string status;                        // "open" | "closed"
  std::string action, outcome, outcome_by, outcome_at;
};

// Raises child_id on `list` for user's team. The reason is required; a child
// already open on that list for the team is refused (kInvalidArgument).
Result<int64_t> raise_mdt_case(Database& db, const AccessPolicy& policy, const User& user,
                               int64_t child_id, const std::string& list, const std::string& reason,
                               Clock::time_point now = Clock::now());

// Closes an open case of user's team with an action and the outcome text.
// kNotFound when the team has no such open case; kInvalidArgument for a
// missing outcome or an unknown action.
Status record_mdt_outcome(Database& db, const User& user, int64_t case_id,
                          const std::string& action, const std::string& outcome,
                          Clock::time_point now = Clock::now());

// A team's cases: open ones oldest first, closed ones newest outcome first.
Result<std::vector<MdtCase>> mdt_cases(Database& db, const std::string& organisation,
                                       std::string_view status, int limit, int offset = 0);
// (child, list) pairs the team has raised since `since` (ISO timestamp),
// open or closed: case-finding does not suggest them again meanwhile.
Result<std::set<std::pair<int64_t, std::string>>> raised_since(Database& db,
                                                               const std::string& organisation,
                                                               const std::string& since);
Result<int64_t> count_mdt_cases(Database& db, const std::string& organisation,
                                std::string_view status);

}  // namespace onechild
