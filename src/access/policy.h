// The access policy (config/access.toml; docs/access.md in plain English):
// roles and the activities they may perform (an activity may include
// others, as in national RBAC), which sensitivity labels each role may see,
// the kinds of legitimate relationship, and the clocks (session, lockout,
// break-glass, unscheduled-care relationship, family ages).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace onechild {

struct RolePolicy {
  std::string id;                    // e.g. "health-visitor"
  std::string name;                  // "Health visitor"
  std::set<std::string> activities;  // with every included activity expanded
  std::set<std::string> sees;        // sensitivity labels this role may see
  bool unscheduled_care = false;     // sees protection flags first; accesses notify
  bool family = false;               // parent or young person: family_access rules
};

// A sensitivity label and the events it covers. An event carries the label
// when its code is listed, its kind is listed, or it was labelled by hand.
struct SensitivityLabel {
  std::string id;                    // "sexual-health"
  std::string name;                  // "Sexual health"
  bool say_withheld = true;          // the record says something is withheld
  std::set<std::string> codes;       // "code" or "system|code"
  std::set<std::string> kinds;       // RecordEvent kinds
  std::set<std::string> categories;  // event displays / categories, exact
};

struct AccessPolicy {
  std::map<std::string, RolePolicy, std::less<>> roles;
  std::map<std::string, std::string, std::less<>> activity_names;  // id -> description
  std::vector<SensitivityLabel> labels;
  std::set<std::string> relationship_kinds;
  std::set<std::string> social_care_sources;  // source codes exempt from the opt-out (prefixes)

  int session_hours = 8;
  int lockout_failures = 5;
  int lockout_minutes = 30;
  int break_glass_hours = 4;
  int unscheduled_care_hours = 72;
  int proxy_review_age = 13;  // parent access suspended for review
  int proxy_end_age = 16;     // parent access ends
  int own_access_age = 16;    // a young person's own access (earlier if competent)
  int recent_unscheduled_accesses = 25;

  static Result<AccessPolicy> load(const std::string& path);
  static Result<AccessPolicy> parse(std::string_view text, const std::string& origin);
  // The shipped policy: ONECHILD_CONFIG_DIR/access.toml.
  static std::string default_path();

  const RolePolicy* role(std::string_view id) const;
  bool permits(std::string_view role, std::string_view activity) const;
  bool role_sees(std::string_view role, std::string_view label) const;
};

}  // namespace onechild
