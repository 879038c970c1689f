// Recording what the access rules read: relationships between teams and
// children, a team's area caseload, family access, sensitivity labels set
// by hand, and National Data Opt-outs. Each refuses what the policy does not
// know (an unknown relationship kind or label) rather than storing it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "access/access_control.h"
#include "core/error.h"
#include "store/database.h"

namespace onechild {

struct RelationshipGrant {
  int64_t child_id = 0;
  std::string kind;          // one of the policy's relationship kinds
  std::string organisation;  // the team
  // Initialised, so {child, kind, organisation} leaves them empty without a warning.
  std::optional<std::string> username{};  // one member only; else the whole team
  std::optional<int> hours{};             // time-limited; unscheduled-care defaults to the policy's
  std::string note{};
};
Result<int64_t> add_relationship(Database& db, const AccessPolicy& policy,
                                 const RelationshipGrant& grant,
                                 Clock::time_point now = Clock::now());

Status add_caseload_area(Database& db, const std::string& organisation,
                         const std::string& postcode_district);

// relation: "parent" or "self"; competent: a young person under the policy's
// own-access age recorded as able to decide for themselves.
Status grant_family_access(Database& db, const std::string& username, int64_t child_id,
                           const std::string& relation, bool competent);

Status label_event(Database& db, const AccessPolicy& policy, int64_t event_id,
                   const std::string& label);
Status label_child(Database& db, const AccessPolicy& policy, int64_t child_id,
                   const std::string& label);

Status record_opt_out(Database& db, const std::string& nhs_number);

}  // namespace onechild
