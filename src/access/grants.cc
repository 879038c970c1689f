#include "access/grants.h"

#include "core/date.h"
#include "core/nhs_number.h"

namespace onechild {
namespace {

Result<int64_t> user_id(Database& db, const std::string& username) {
  auto stmt = db.prepare("SELECT id FROM users WHERE username = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, username);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return Error::not_found("no user '" + username + "'");
  return stmt->column_int64(0);
}

Status child_exists(Database& db, int64_t child_id) {
  auto stmt = db.prepare("SELECT 1 FROM children WHERE id = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, child_id);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return Error::not_found("no child with id " + std::to_string(child_id));
  return {};
}

bool known_label(const AccessPolicy& policy, const std::string& label) {
  for (const auto& l : policy.labels) {
    if (l.id == label) return true;
  }
  return false;
}

Status insert_label(Database& db, const char* sql, int64_t id, const std::string& label) {
  auto stmt = db.prepare(sql);
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, id).bind(2, label).bind(3, timestamp_now());
  return stmt->run();
}

}  // namespace

Result<int64_t> add_relationship(Database& db, const AccessPolicy& policy,
                                 const RelationshipGrant& grant, Clock::time_point now) {
  if (!policy.relationship_kinds.contains(grant.kind)) {
    return Error::invalid_argument("unknown relationship kind '" + grant.kind + "'");
  }
  if (grant.organisation.empty()) return Error::invalid_argument("give the team's organisation");
  if (Status s = child_exists(db, grant.child_id); !s.ok()) return s.error();
  std::optional<int64_t> member;
  if (grant.username) {
    auto id = user_id(db, *grant.username);
    if (!id.ok()) return id.error();
    member = *id;
  }
  std::optional<int> hours = grant.hours;
  if (!hours && grant.kind == "unscheduled-care") hours = policy.unscheduled_care_hours;
  if (hours && *hours <= 0) return Error::invalid_argument("a relationship lasts at least 1 hour");
  auto stmt = db.prepare(
      "INSERT INTO relationships (child_id, kind, organisation, user_id, valid_from, valid_until, "
      "created_at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?7)");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, grant.child_id)
      .bind(2, grant.kind)
      .bind(3, grant.organisation)
      .bind(5, format_iso_timestamp(now));
  stmt->bind(7, grant.note);
  if (member)
    stmt->bind(4, *member);
  else
    stmt->bind_null(4);
  if (hours)
    stmt->bind(6, format_iso_timestamp(now + std::chrono::hours(*hours)));
  else
    stmt->bind_null(6);
  if (Status s = stmt->run(); !s.ok()) return s.error();
  return db.last_insert_id();
}

Status add_caseload_area(Database& db, const std::string& organisation,
                         const std::string& postcode_district) {
  if (organisation.empty() || postcode_district.empty() ||
      postcode_district.find(' ') != std::string::npos || postcode_district.size() > 4) {
    return Error::invalid_argument("give an organisation and a postcode district such as 'LS12'");
  }
  auto stmt = db.prepare(
      "INSERT OR IGNORE INTO caseload_areas (organisation, postcode_district) "
      "VALUES (?1, upper(?2))");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, organisation).bind(2, postcode_district);
  return stmt->run();
}

Status grant_family_access(Database& db, const std::string& username, int64_t child_id,
                           const std::string& relation, bool competent) {
  if (relation != "parent" && relation != "self") {
    return Error::invalid_argument("relation must be 'parent' or 'self'");
  }
  if (competent && relation != "self") {
    return Error::invalid_argument("only a young person's own access is marked competent");
  }
  auto id = user_id(db, username);
  if (!id.ok()) return id.error();
  if (Status s = child_exists(db, child_id); !s.ok()) return s;
  auto stmt = db.prepare(
      "INSERT INTO family_access (user_id, child_id, relation, competent, granted_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id, child_id) DO UPDATE SET "
      "relation = excluded.relation, competent = excluded.competent");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, *id)
      .bind(2, child_id)
      .bind(3, relation)
      .bind(4, int64_t{competent ? 1 : 0})
      .bind(5, timestamp_now());
  return stmt->run();
}

Status label_event(Database& db, const AccessPolicy& policy, int64_t event_id,
                   const std::string& label) {
  if (!known_label(policy, label)) return Error::invalid_argument("unknown label '" + label + "'");
  auto exists = db.prepare("SELECT 1 FROM source_events WHERE id = ?1");
  if (!exists.ok()) return exists.error();
  exists->bind(1, event_id);
  auto row = exists->step();
  if (!row.ok()) return row.error();
  if (!*row) return Error::not_found("no event with id " + std::to_string(event_id));
  return insert_label(
      db, "INSERT OR IGNORE INTO event_labels (event_id, label) SELECT ?1, ?2 WHERE ?3 <> ''",
      event_id, label);
}

Status label_child(Database& db, const AccessPolicy& policy, int64_t child_id,
                   const std::string& label) {
  if (!known_label(policy, label)) return Error::invalid_argument("unknown label '" + label + "'");
  if (Status s = child_exists(db, child_id); !s.ok()) return s;
  return insert_label(
      db, "INSERT OR IGNORE INTO child_labels (child_id, label, set_at) VALUES (?1, ?2, ?3)",
      child_id, label);
}

Status record_opt_out(Database& db, const std::string& nhs_number) {
  auto nhs = NhsNumber::parse(nhs_number);
  if (!nhs.ok()) return nhs.error();
  auto stmt =
      db.prepare("INSERT OR IGNORE INTO data_opt_outs (nhs_number, recorded_at) VALUES (?1, ?2)");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, nhs->digits()).bind(2, timestamp_now());
  return stmt->run();
}

}  // namespace onechild
