// The one place that decides whether someone may see a child's record, and
// what of it. Every endpoint that returns person-level data (web pages, the
// JSON API, FHIR, bulk export) asks here first and audits the answer.
//
// A record may be opened with: a role whose activities include
// "view-record", and a legitimate relationship (GP registration, a team's
// area caseload, or a recorded relationship: referral, MDT case, social care
// allocation, SEND case, unscheduled-care attendance) that is current; or a
// current break-glass. Family members go by family_access and the child's
// age instead. Analysts never open records.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "access/policy.h"
#include "access/users.h"
#include "core/error.h"
#include "record/child_record.h"
#include "store/database.h"

namespace onechild {

using Clock = std::chrono::system_clock;

// Who is asking, however they authenticated.
struct Principal {
  enum class Via { kSession, kUserToken, kPatientToken, kSystemToken };
  int64_t user_id = 0;
  std::string username, role, organisation;
  Via via = Via::kSession;
  std::optional<int64_t> token_child;  // a patient/ token's one child
  std::vector<std::string> scopes;     // a token's scopes; empty for a web session
  std::string purpose = "direct-care";
};

// A signed-in web user as a principal.
Principal principal_for(const User& user);

struct AccessDecision {
  bool allowed = false;
  std::string basis;   // why allowed: "gp-registration", "caseload", "referral", "break-glass",
                       // "parent", "self", ...
  std::string reason;  // why refused, in words fit for the user
  bool may_break_glass = false;  // refused, but the role may break glass
};

// Whether principal may open child_id's record now. Never throws; a store
// error is an Error.
Result<AccessDecision> decide_record_access(Database& db, const AccessPolicy& policy,
                                            const Principal& principal, int64_t child_id,
                                            Clock::time_point now = Clock::now());

// Every child principal has a current legitimate relationship with (not
// counting break-glass), for filtering person-level lists such as worklists.
// Empty for roles without "view-record".
Result<std::unordered_set<int64_t>> related_children(Database& db, const AccessPolicy& policy,
                                                     const Principal& principal,
                                                     Clock::time_point now = Clock::now());

// What sensitivity filtering removed, for "something is withheld" notices.
struct Withheld {
  std::string label;  // id
  std::string name;   // "Sexual health"
  int events = 0;
  bool say = true;  // policy says to tell the viewer
};

// The labels on each event (from codes, kinds and event_labels rows) and
// on the child (child_labels, e.g. "sealed-address").
struct RecordLabels {
  std::vector<std::vector<std::string>> by_event;  // parallel to record.events
  std::vector<std::string> on_child;
};
// The labelling rule itself, given the labels set by hand (event id ->
// labels): label_record reads those for one child, bulk export for all.
std::vector<std::vector<std::string>> label_events(
    const AccessPolicy& policy, const ChildRecord& record,
    const std::map<int64_t, std::vector<std::string>>& by_hand);
Result<RecordLabels> label_record(Database& db, const AccessPolicy& policy,
                                  const ChildRecord& record);

// Removes from record what principal's role may not see: labelled events,
// and postcodes when the address is sealed. Returns what was withheld.
std::vector<Withheld> apply_sensitivity(const AccessPolicy& policy, const Principal& principal,
                                        const RecordLabels& labels, ChildRecord& record);

// Break-glass: a time-limited access with a reason, alerted to the IG officer.
struct BreakGlass {
  int64_t id = 0;
  int64_t user_id = 0;
  int64_t child_id = 0;
  std::string reason, started_at, expires_at;
};
Result<BreakGlass> break_glass(Database& db, const AccessPolicy& policy, const Principal& principal,
                               int64_t child_id, const std::string& reason,
                               Clock::time_point now = Clock::now());
// Every break-glass on a child's record, newest first (for the family and IG).
Result<std::vector<BreakGlass>> break_glass_history(Database& db, int64_t child_id);

// The IG officer's review of break-glass accesses (DESIGN §2: who saw what
// and why). Newest first; paged, since the table only grows.
struct BreakGlassAccess {
  BreakGlass access;
  std::string display_name, username, role, organisation;  // who broke glass
  // The user's view-record audit rows for that child inside the window:
  // whether the access was actually used.
  int64_t record_views = 0;
  std::optional<std::string> reviewed_at, review_note, reviewer;  // reviewer's display name
};
struct BreakGlassQuery {
  bool unreviewed_only = false;
  int64_t limit = 50, offset = 0;
  std::optional<int64_t> id;  // just this one
};
Result<std::vector<BreakGlassAccess>> list_break_glass(Database& db, const BreakGlassQuery& query);
Result<int64_t> count_break_glass(Database& db, bool unreviewed_only);
// Records a review once (NotFound: no such access; InvalidArgument: already
// reviewed, or no note), audited as "review-break-glass" in one transaction.
Status review_break_glass(Database& db, const Principal& reviewer, int64_t break_glass_id,
                          const std::string& note, Clock::time_point now = Clock::now());

// The child's age in whole years on today, from the record's birth date.
std::optional<int> age_on(const ChildRecord& record, Clock::time_point now);

}  // namespace onechild
