#include "api/worklist_api.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "analytics/area_reference.h"
#include "analytics/case_finding.h"
#include "analytics/snapshot.h"
#include "api/http_util.h"
#include "api/router.h"
#include "core/date.h"
#include "programmes/population_file.h"
#include "programmes/programmes.h"

namespace onechild::api {
namespace {

// Through the population file beside the store, so a restarted server whose
// store has not changed reads it in seconds; why it could not be used is
// logged.
Population read_population(Database& db, const FactFilter& filter) {
  auto loaded = load_population_cached(db, filter);
  if (!loaded.ok()) throw std::runtime_error(loaded.error().to_string());
  if (!loaded->warning.empty()) std::fprintf(stderr, "onechild: %s\n", loaded->warning.c_str());
  return std::move(loaded->population);
}

HttpResponse error(int status, const std::string& message) {
  return json_error(status, message);
}

void check(const Status& s) {
  if (!s.ok()) throw std::runtime_error(s.error().to_string());
}

// What identifies the store's content: when any of it changes, the
// programmes' view is read again.
Result<std::string> store_version(Database& db) {
  auto stmt = db.prepare(
      "SELECT (SELECT coalesce(max(id), 0) FROM ingest_batches) || '/' || "
      "(SELECT coalesce(max(id), 0) FROM link_runs) || '/' || "
      "(SELECT coalesce(max(id), 0) FROM child_history)");
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  return stmt->column_text(0);
}

// What related_children reads besides the feeds: a new relationship, caseload
// area or local authority changes it. Each is a rowid maximum or a small table.
Result<std::string> relationships_version(Database& db) {
  auto stmt = db.prepare(
      "SELECT (SELECT coalesce(max(id), 0) FROM relationships) || '/' || "
      "(SELECT count(*) FROM caseload_areas) || '/' || "
      "(SELECT count(*) FROM local_authorities)");
  if (!stmt.ok()) return stmt.error();
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  return stmt->column_text(0);
}

// When the first of the team's (or member's) current relationships ends
// ("" when none is time-limited): the related set is worked out again then.
Result<std::string> next_expiry(Database& db, const User& user, const std::string& now) {
  auto stmt = db.prepare(
      "SELECT coalesce(min(valid_until), '') FROM relationships WHERE organisation = ?1 "
      "AND (user_id IS NULL OR user_id = ?2) AND valid_until IS NOT NULL AND valid_until > ?3");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, user.organisation).bind(2, user.id).bind(3, now);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  return stmt->column_text(0);
}
// Lists kept per store version (kinds x upcoming-day choices); beyond this
// the oldest choices are dropped.
constexpr size_t kMaxLists = 24;

}  // namespace

bool role_works_list(const std::string& role, WorklistKind kind) {
  using K = WorklistKind;
  static constexpr std::pair<K, std::string_view> kRoles[] = {
      {K::kHcp, " health-visitor gp chis "},
      {K::kImms, " health-visitor school-nurse gp chis "},
      {K::kLac, " social-worker health-visitor school-nurse paediatrician "},
      {K::kEhcp, " send-officer paediatrician "},
      {K::kTransition, " paediatrician gp send-officer "},
      {K::kRtt, " camhs-clinician paediatrician "},
      {K::kSignals, " social-worker health-visitor school-nurse gp paediatrician "},
  };
  if (role.empty() || role.find(' ') != std::string::npos) return false;
  for (const auto& [k, roles] : kRoles) {
    if (k == kind) return roles.find(" " + role + " ") != std::string_view::npos;
  }
  return false;
}

std::string_view worklist_title(WorklistKind kind) {
  switch (kind) {
    case WorklistKind::kHcp:
      return "Healthy Child Programme reviews";
    case WorklistKind::kImms:
      return "Immunisations";
    case WorklistKind::kLac:
      return "Looked-after children's health assessments";
    case WorklistKind::kEhcp:
      return "EHC needs assessments";
    case WorklistKind::kTransition:
      return "Transition to adult services";
    case WorklistKind::kRtt:
      return "Referral waits";
    case WorklistKind::kSignals:
      return "Safeguarding signals";
  }
  return "";
}

WorklistCache::WorklistCache(std::string config_dir, std::string reference_dir)
    : config_dir_(std::move(config_dir)), reference_dir_(std::move(reference_dir)) {}
WorklistCache::~WorklistCache() = default;

void WorklistCache::refresh_locked(Database& db) {
  auto version = store_version(db);
  if (!version.ok()) check(Status(version.error()));
  if (!rules_) {
    auto rules = ProgrammeRules::load(config_dir_);
    if (!rules.ok()) throw std::runtime_error(rules.error().to_string());
    rules_ = std::make_shared<const ProgrammeRules>(std::move(*rules));
  }
  if (population_ && *version == version_) return;
  population_ = std::make_shared<Population>(read_population(db, rules_->filter()));
  lists_.clear();
  cases_.reset();
  version_ = *version;
}

WorklistCache::Rows WorklistCache::list_locked(WorklistKind kind, Date as_of, int upcoming_days) {
  const auto key = std::tuple{static_cast<int>(kind), to_day(as_of), upcoming_days};
  if (auto it = lists_.find(key); it != lists_.end()) return it->second;
  if (lists_.size() >= kMaxLists) lists_.clear();
  WorklistQuery q;
  q.kind = kind;
  q.as_of = as_of;
  q.upcoming_days = upcoming_days;
  // Compiling the rules interns their codes into the population's words.
  const Programmes programmes(*rules_, population_->words);
  auto rows =
      std::make_shared<const std::vector<WorklistRow>>(build_worklist(programmes, *population_, q));
  lists_.emplace(key, rows);
  return rows;
}

WorklistCache::Related WorklistCache::related(Database& db, const AccessPolicy& policy,
                                              const User& user) {
  auto version = store_version(db);
  if (!version.ok()) check(Status(version.error()));
  auto relationships = relationships_version(db);
  if (!relationships.ok()) check(Status(relationships.error()));
  const std::string key = *version + "|" + *relationships;
  // Everything related_children reads is in the key except time: a
  // relationship ending (valid_until) is caught by the expiry kept with the set.
  const std::string now = format_iso_timestamp(std::chrono::system_clock::now());
  std::lock_guard lock(related_mutex_);
  RelatedEntry& entry = related_[{user.organisation, user.id}];
  if (!entry.children || entry.key != key || (!entry.expires.empty() && now >= entry.expires)) {
    auto children = related_children(db, policy, principal_for(user));
    if (!children.ok()) check(Status(children.error()));
    auto expires = next_expiry(db, user, now);
    if (!expires.ok()) check(Status(expires.error()));
    entry = {key, *expires,
             std::make_shared<const std::unordered_set<int64_t>>(std::move(*children))};
  }
  return entry.children;
}

std::vector<WorklistRow> WorklistCache::rows_for(Database& db, const AccessPolicy& policy,
                                                 const User& user, const WorklistQuery& query) {
  const Related children = related(db, policy, user);
  Rows all;
  {
    std::lock_guard lock(mutex_);
    refresh_locked(db);
    all = list_locked(query.kind, query.as_of, query.upcoming_days);
  }
  std::vector<WorklistRow> rows;
  for (const WorklistRow& r : *all) {
    if (!query.practice.empty() && r.practice != query.practice) continue;
    if (children->contains(r.child_id)) rows.push_back(r);
  }
  return rows;
}

WorklistCache::Slice WorklistCache::slice_for(Database& db, const AccessPolicy& policy,
                                              const User& user, const WorklistQuery& query,
                                              size_t offset, size_t count) {
  const Related children = related(db, policy, user);
  Rows all;
  {
    std::lock_guard lock(mutex_);
    refresh_locked(db);
    all = list_locked(query.kind, query.as_of, query.upcoming_days);
  }
  Slice out;
  for (const WorklistRow& r : *all) {
    if (!query.practice.empty() && r.practice != query.practice) continue;
    if (!children->contains(r.child_id)) continue;
    if (out.total >= offset && out.rows.size() < count) out.rows.push_back(r);
    ++out.total;
  }
  return out;
}

std::vector<WorklistCounts> WorklistCache::counts_for(Database& db, const AccessPolicy& policy,
                                                      const User& user) {
  std::vector<WorklistCounts> out;
  if (!policy.permits(user.role, "view-worklists")) return out;
  const Related children = related(db, policy, user);
  const Date as_of = today();
  for (WorklistKind kind : kWorklistKinds) {
    if (!role_works_list(user.role, kind)) continue;
    Rows all;
    {
      std::lock_guard lock(mutex_);
      refresh_locked(db);
      all = list_locked(kind, as_of, 0);
    }
    WorklistCounts counts{kind};
    for (const WorklistRow& r : *all) {
      if (!children->contains(r.child_id)) continue;
      ++(r.days_overdue > 0 || r.status == "overdue" ? counts.overdue : counts.other);
    }
    out.push_back(counts);
  }
  return out;
}

std::shared_ptr<const std::vector<CaseFindingList>> WorklistCache::case_finding_lists() {
  std::lock_guard lock(mutex_);
  return case_lists_locked();
}

std::shared_ptr<const std::vector<CaseFindingList>> WorklistCache::case_lists_locked() {
  if (!case_lists_) {
    auto lists = load_case_finding(config_dir_ + "/case_finding.toml");
    if (!lists.ok()) throw std::runtime_error(lists.error().to_string());
    case_lists_ = std::make_shared<const std::vector<CaseFindingList>>(std::move(*lists));
  }
  return case_lists_;
}

// Under mutex_: today's case-finding rows for every child, built once a day
// and again after the store changes.
std::shared_ptr<const std::vector<CaseFindingRow>> WorklistCache::cases_locked(Database& db) {
  refresh_locked(db);
  const Date as_of = today();
  if (cases_ && cases_day_ == to_day(as_of)) return cases_;
  const auto lists = case_lists_locked();
  // The snapshot is read, used and dropped: only its rows are kept.
  FactFilterBuilder filter;
  for (const CaseFindingList& l : *lists) {
    for (const auto* conditions : {&l.population, &l.criteria}) {
      for (const Condition& c : *conditions) {
        for (const EventMatcher& m : c.any)
          filter.add(m);
      }
    }
  }
  AreaReference reference;
  if (knows_deprivation()) {
    auto loaded = AreaReference::load(reference_dir_);
    if (!loaded.ok()) throw std::runtime_error(loaded.error().to_string());
    reference = std::move(*loaded);
  }
  const Snapshot snapshot =
      make_snapshot(read_population(db, filter.build()), reference, {}, as_of);
  cases_ = std::make_shared<const std::vector<CaseFindingRow>>(find_cases(*lists, snapshot, as_of));
  cases_day_ = to_day(as_of);
  return cases_;
}

void WorklistCache::warm(Database& db) {
  std::lock_guard lock(mutex_);
  refresh_locked(db);
  for (WorklistKind kind : kWorklistKinds)
    list_locked(kind, today(), 0);
  cases_locked(db);
}

std::vector<CaseFindingRow> WorklistCache::case_finding_for(Database& db,
                                                            const AccessPolicy& policy,
                                                            const User& user) {
  const Related children = related(db, policy, user);
  std::shared_ptr<const std::vector<CaseFindingRow>> all;
  {
    std::lock_guard lock(mutex_);
    all = cases_locked(db);
  }
  std::vector<CaseFindingRow> rows;
  for (const CaseFindingRow& r : *all) {
    if (children->contains(r.child_id)) rows.push_back(r);
  }
  return rows;
}

HttpResponse WorklistCache::handle(const HttpRequest& request, const std::string& path,
                                   const std::string& query, const std::optional<User>& user,
                                   Database& db, const AccessPolicy& policy) {
  if (!user) return error(401, "sign in first");
  if (request.method != "GET") return error(405, "worklists are read with GET");
  const std::string name = path.substr(std::string_view("/api/worklists/").size());
  auto kind = parse_worklist_kind(name);
  if (!kind.ok()) return error(404, kind.error().message());
  if (!policy.permits(user->role, "view-worklists") || !role_works_list(user->role, *kind)) {
    check(record_audit(db, {user->id, "denied", std::nullopt, "GET " + path}));
    return error(403, "the " + user->role + " role does not work this list");
  }
  const auto params = parse_form(query);
  WorklistQuery q;
  q.kind = *kind;
  q.as_of = today();
  q.limit = 500;
  if (auto it = params.find("as_of"); it != params.end()) {
    auto d = parse_iso_date(it->second);
    if (!d.ok()) return error(400, "as_of: " + d.error().message());
    q.as_of = *d;
  }
  if (auto it = params.find("practice"); it != params.end()) q.practice = it->second;
  for (auto [key, target] : {std::pair{"upcoming", 0}, {"limit", 1}}) {
    if (auto it = params.find(key); it != params.end()) {
      int v = -1;
      auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
      if (ec != std::errc() || end != it->second.data() + it->second.size() || v < 0 ||
          v > 100000) {
        return error(400, std::string(key) + " must be a whole number from 0 to 100000");
      }
      if (target == 0)
        q.upcoming_days = v;
      else
        q.limit = static_cast<size_t>(v);
    }
  }

  // Person-level rows: only the children this user has a legitimate
  // relationship with, then the limit.
  std::vector<WorklistRow> rows = rows_for(db, policy, *user, q);
  if (q.limit > 0 && rows.size() > q.limit) rows.resize(q.limit);
  check(add_identities(db, rows));
  const std::string detail = name + (q.practice.empty() ? "" : " practice " + q.practice) + ", " +
                             std::to_string(rows.size()) + " rows";
  check(record_audit(db, {user->id, "view-worklist", std::nullopt, detail}));
  return json_response(200, worklist_json(rows, q));
}

}  // namespace onechild::api
