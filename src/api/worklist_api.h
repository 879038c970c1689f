// Worklists for the web application, as JSON and for the HTML pages:
//
//   GET /api/worklists/{kind}[?practice=A81001&as_of=2026-12-02&upcoming=14&limit=200]
//
// kind: hcp, imms, lac, ehcp, transition, rtt or signals. Signed-in users
// whose role does that work (role_works_list), and only the children they
// have a legitimate relationship with (access_control.h); every list served
// is audited, every refusal too. Errors: {"error": "..."} with 400, 401,
// 403, 404.
//
// WorklistCache keeps what is expensive to work out until the store changes
// (a load, a link run, a merge): the programmes' view of the store, each
// list built from it, the case-finding rows; and each team's related
// children until a relationship is added or one of them ends.
// Pages then only filter and page.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "access/access_control.h"
#include "access/users.h"
#include "programmes/worklist.h"
#include "store/database.h"

namespace onechild {
struct CaseFindingList;
struct CaseFindingRow;
struct Population;
struct ProgrammeRules;
}  // namespace onechild

namespace onechild::api {

struct HttpRequest;
struct HttpResponse;

// Which lists each role works (within roles with "view-worklists").
bool role_works_list(const std::string& role, WorklistKind kind);
// Every kind, in the order pages show them, and each one's name for people.
inline constexpr WorklistKind kWorklistKinds[] = {
    WorklistKind::kHcp,        WorklistKind::kImms, WorklistKind::kLac,    WorklistKind::kEhcp,
    WorklistKind::kTransition, WorklistKind::kRtt,  WorklistKind::kSignals};
std::string_view worklist_title(WorklistKind kind);  // "Healthy Child Programme reviews"

struct WorklistCounts {
  WorklistKind kind;
  size_t overdue = 0;
  size_t other = 0;  // due, running clocks, signals: on the list but not overdue
};

class WorklistCache {
 public:
  // reference_dir: the area reference (geography.csv, postcodes.csv,
  // organisations.csv) that gives case-finding deprivation; "" for none.
  explicit WorklistCache(std::string config_dir, std::string reference_dir = "");
  ~WorklistCache();

  HttpResponse handle(const HttpRequest& request, const std::string& path, const std::string& query,
                      const std::optional<User>& user, Database& db, const AccessPolicy& policy);

  // The rows of query.kind for the children user is related to, most
  // overdue first, every row (query.limit is ignored); identities not added.
  // The caller checks the role works the list.
  std::vector<WorklistRow> rows_for(Database& db, const AccessPolicy& policy, const User& user,
                                    const WorklistQuery& query);
  // One page of those rows, and how many there are in all: copies only the
  // page, so a long list costs a pass over the cached rows.
  struct Slice {
    size_t total = 0;
    std::vector<WorklistRow> rows;
  };
  Slice slice_for(Database& db, const AccessPolicy& policy, const User& user,
                  const WorklistQuery& query, size_t offset, size_t count);
  // Overdue and other rows on today's lists the user's role works.
  std::vector<WorklistCounts> counts_for(Database& db, const AccessPolicy& policy,
                                         const User& user);

  // The case-finding lists (config/case_finding.toml).
  std::shared_ptr<const std::vector<CaseFindingList>> case_finding_lists();
  // Today's case-finding rows for the children user is related to: lists in
  // file order, Core20 first within a list. IMD deciles come from the area
  // reference when the cache has one; otherwise deprivation is not known.
  std::vector<CaseFindingRow> case_finding_for(Database& db, const AccessPolicy& policy,
                                               const User& user);
  // Whether an area reference was loaded (deprivation known).
  bool knows_deprivation() const { return !reference_dir_.empty(); }

  // Builds today's lists and case-finding rows now, so the first user of
  // the day does not wait for them (serve calls it at start-up).
  void warm(Database& db);

 private:
  using Related = std::shared_ptr<const std::unordered_set<int64_t>>;
  using Rows = std::shared_ptr<const std::vector<WorklistRow>>;
  struct RelatedEntry {
    std::string key;      // what the set was worked out from
    std::string expires;  // when its first time-limited relationship ends ("" none)
    Related children;
  };

  // Under mutex_: drops everything built from an older store.
  void refresh_locked(Database& db);
  Rows list_locked(WorklistKind kind, Date as_of, int upcoming_days);
  Related related(Database& db, const AccessPolicy& policy, const User& user);
  std::shared_ptr<const std::vector<CaseFindingRow>> cases_locked(Database& db);
  std::shared_ptr<const std::vector<CaseFindingList>> case_lists_locked();

  std::string config_dir_;
  std::string reference_dir_;
  std::mutex mutex_;  // one build at a time; requests share the result
  std::string version_;
  std::shared_ptr<const ProgrammeRules> rules_;
  std::shared_ptr<Population> population_;
  std::map<std::tuple<int, int32_t, int>, Rows> lists_;  // (kind, as_of day, upcoming) -> rows
  std::shared_ptr<const std::vector<CaseFindingList>> case_lists_;
  std::optional<bool> has_reference_;
  std::shared_ptr<const std::vector<CaseFindingRow>> cases_;  // today's, every child
  int32_t cases_day_ = 0;
  std::mutex related_mutex_;
  std::map<std::pair<std::string, int64_t>, RelatedEntry> related_;  // (organisation, user)
};

}  // namespace onechild::api
