#include "api/worklist_api.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>

#include "api/http_util.h"
#include "api/router.h"
#include "programmes/programmes.h"
#include "programmes/worklist.h"

namespace onechild::api {
namespace {

namespace json = boost::json;

HttpResponse error(int status, const std::string& message) {
  return json_error(status, message);
}

// Which lists each role works, within the roles the policy lets see
// worklists at all ("view-worklists"); the rows are then limited to the
// children the user has a legitimate relationship with.
bool role_may_see(const std::string& role, WorklistKind kind) {
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

}  // namespace

WorklistCache::WorklistCache(std::string config_dir) : config_dir_(std::move(config_dir)) {}
WorklistCache::~WorklistCache() = default;

HttpResponse WorklistCache::handle(const HttpRequest& request, const std::string& path,
                                   const std::string& query, const std::optional<User>& user,
                                   Database& db, const AccessPolicy& policy) {
  if (!user) return error(401, "sign in first");
  if (request.method != "GET") return error(405, "worklists are read with GET");
  const std::string name = path.substr(std::string_view("/api/worklists/").size());
  auto kind = parse_worklist_kind(name);
  if (!kind.ok()) return error(404, kind.error().message());
  if (!policy.permits(user->role, "view-worklists") || !role_may_see(user->role, *kind)) {
    if (Status s = record_audit(db, {user->id, "denied", std::nullopt, "GET " + path}); !s.ok())
      throw std::runtime_error(s.error().to_string());
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
  const size_t limit = q.limit;
  q.limit = 0;
  auto related = related_children(db, policy, principal_for(*user));
  if (!related.ok()) throw std::runtime_error(related.error().to_string());
  std::vector<WorklistRow> rows;
  {
    std::lock_guard lock(mutex_);
    auto version = store_version(db);
    if (!version.ok()) throw std::runtime_error(version.error().to_string());
    if (!rules_) {
      auto rules = ProgrammeRules::load(config_dir_);
      if (!rules.ok()) throw std::runtime_error(rules.error().to_string());
      rules_ = std::make_shared<const ProgrammeRules>(std::move(*rules));
    }
    if (!population_ || *version != version_) {
      auto population = load_population(db, rules_->filter());
      if (!population.ok()) throw std::runtime_error(population.error().to_string());
      population_ = std::make_shared<Population>(std::move(*population));
      version_ = *version;
    }
    // Compiling the rules interns their codes into the population's words.
    const Programmes programmes(*rules_, population_->words);
    rows = build_worklist(programmes, *population_, q);
  }
  std::erase_if(rows, [&](const WorklistRow& r) { return !related->contains(r.child_id); });
  if (limit > 0 && rows.size() > limit) rows.resize(limit);
  q.limit = limit;
  if (Status s = add_identities(db, rows); !s.ok()) throw std::runtime_error(s.error().to_string());
  const std::string detail = name + (q.practice.empty() ? "" : " practice " + q.practice) + ", " +
                             std::to_string(rows.size()) + " rows";
  if (Status s = record_audit(db, {user->id, "view-worklist", std::nullopt, detail}); !s.ok())
    throw std::runtime_error(s.error().to_string());
  return json_response(200, worklist_json(rows, q));
}

}  // namespace onechild::api
