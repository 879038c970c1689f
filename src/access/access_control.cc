#include "access/access_control.h"

#include <algorithm>
#include <boost/json.hpp>

#include "access/audit.h"
#include "core/date.h"

namespace onechild {
namespace {

// The child a merged id now lives on.
Result<int64_t> resolve_child(Database& db, int64_t child_id) {
  auto stmt = db.prepare("SELECT merged_into FROM children WHERE id = ?1");
  if (!stmt.ok()) return stmt.error();
  for (int hops = 0; hops < 100; ++hops) {
    stmt->bind(1, child_id);
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    if (!*row) return Error::not_found("no child with id " + std::to_string(child_id));
    if (stmt->column_is_null(0)) return child_id;
    child_id = stmt->column_int64(0);
    stmt->reset();
  }
  return child_id;
}

// One row from a query with ?1 = child, ?2 = organisation, ?3 = user, ?4 = now.
Result<std::optional<std::string>> first_text(Database& db, const char* sql, int64_t child,
                                              const Principal& p, const std::string& now) {
  auto stmt = db.prepare(sql);
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, child).bind(2, p.organisation).bind(3, p.user_id).bind(4, now);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->column_text(0));
}

// The relationship that justifies the access, if any, in a fixed order: a
// recorded one, GP registration, area caseload, social care allocation,
// then break-glass.
Result<std::optional<std::string>> relationship(Database& db, int64_t child, const Principal& p,
                                                const std::string& now) {
  // Recorded relationships and break-glass count on the child and on every
  // child merged into it (rows stay on the id they were recorded under, so an
  // unmerge gives them back).
  static constexpr const char* kChecks[] = {
      // Recorded: referral, MDT case, SEND case, unscheduled-care attendance...
      R"sql(SELECT kind FROM relationships
            WHERE child_id IN (WITH RECURSIVE m(id) AS (SELECT ?1 UNION
                               SELECT c.id FROM children c JOIN m ON c.merged_into = m.id)
                               SELECT id FROM m)
              AND organisation = ?2 AND (user_id IS NULL OR user_id = ?3)
              AND valid_from <= ?4 AND (valid_until IS NULL OR valid_until > ?4)
            ORDER BY id LIMIT 1)sql",
      // Registered with the user's practice, as any current source says.
      R"sql(SELECT 'gp-registration' FROM links l JOIN source_persons sp ON sp.id = l.source_person_id
            WHERE l.child_id = ?1 AND sp.superseded_by IS NULL AND sp.gp_practice = ?2
              AND ?2 <> '' AND ?3 = ?3 AND ?4 = ?4 LIMIT 1)sql",
      // Living in the team's patch (postcode district = the outward code: all
      // but the last three characters, however the feed spaced or cased it).
      R"sql(SELECT 'caseload' FROM links l JOIN source_persons sp ON sp.id = l.source_person_id
            JOIN caseload_areas a ON a.organisation = ?2
             AND a.postcode_district = upper(substr(replace(sp.postcode, ' ', ''), 1,
                                                    length(replace(sp.postcode, ' ', '')) - 3))
            WHERE l.child_id = ?1 AND sp.superseded_by IS NULL AND ?3 = ?3 AND ?4 = ?4 LIMIT 1)sql",
      // An open episode in the user's local authority's social care record.
      R"sql(SELECT 'social-care-allocation'
            FROM local_authorities la
            JOIN source_systems s ON s.code = la.social_care_source
            JOIN source_persons sp ON sp.source_system_id = s.id AND sp.superseded_by IS NULL
            JOIN links l ON l.source_person_id = sp.id AND l.child_id = ?1
            JOIN source_events e ON e.source_system_id = s.id
             AND e.person_original_id = sp.original_id AND e.superseded_by IS NULL
             AND e.end_date IS NULL
            WHERE la.code = ?2 AND ?3 = ?3 AND ?4 = ?4 LIMIT 1)sql",
      R"sql(SELECT 'break-glass' FROM break_glass
            WHERE child_id IN (WITH RECURSIVE m(id) AS (SELECT ?1 UNION
                               SELECT c.id FROM children c JOIN m ON c.merged_into = m.id)
                               SELECT id FROM m)
              AND user_id = ?3 AND started_at <= ?4 AND expires_at > ?4
              AND ?2 = ?2 LIMIT 1)sql",
  };
  for (const char* sql : kChecks) {
    auto found = first_text(db, sql, child, p, now);
    if (!found.ok() || *found) return found;
  }
  return std::optional<std::string>();
}

Result<std::optional<std::string>> birth_date(Database& db, int64_t child) {
  auto stmt = db.prepare(R"sql(
    SELECT sp.birth_date FROM links l JOIN source_persons sp ON sp.id = l.source_person_id
    WHERE l.child_id = ?1 AND sp.superseded_by IS NULL AND sp.birth_date IS NOT NULL
    GROUP BY sp.birth_date ORDER BY count(*) DESC, sp.birth_date LIMIT 1)sql");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, child);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(stmt->column_text(0));
}

std::optional<int> years_between(const std::string& birth, Clock::time_point now) {
  auto born = parse_iso_date(birth);
  if (!born.ok()) return std::nullopt;
  return age_in_years(*born, Date{std::chrono::floor<std::chrono::days>(now)});
}

AccessDecision refuse(std::string reason, bool may_break_glass = false) {
  return {false, "", std::move(reason), may_break_glass};
}

// Parents and young people: family_access and the child's age decide.
Result<AccessDecision> decide_family(Database& db, const AccessPolicy& policy, const Principal& p,
                                     int64_t child, Clock::time_point now) {
  // Granted on this child or on one merged into it; this child's own grant first.
  auto stmt = db.prepare(R"sql(
    SELECT relation, competent FROM family_access
    WHERE user_id = ?1 AND child_id IN (WITH RECURSIVE m(id) AS (SELECT ?2 UNION
                                        SELECT c.id FROM children c JOIN m ON c.merged_into = m.id)
                                        SELECT id FROM m)
    ORDER BY child_id = ?2 DESC, child_id DESC LIMIT 1)sql");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, p.user_id).bind(2, child);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return refuse("this record is not linked to your account");
  const std::string relation = stmt->column_text(0);
  const bool competent = stmt->column_int64(1) != 0;
  auto born = birth_date(db, child);
  if (!born.ok()) return born.error();
  const auto age = *born ? years_between(**born, now) : std::nullopt;
  if (!age) return refuse("the child's date of birth is not known, so access cannot be checked");
  if (relation == "parent") {
    if (*age >= policy.proxy_end_age) {
      return refuse("parent access ended when the young person turned " +
                    std::to_string(policy.proxy_end_age));
    }
    if (*age >= policy.proxy_review_age) {
      return refuse("parent access is suspended for review from age " +
                    std::to_string(policy.proxy_review_age));
    }
    return AccessDecision{true, "parent", "", false};
  }
  if (relation == "self") {
    if (*age >= policy.own_access_age) return AccessDecision{true, "self", "", false};
    if (competent) return AccessDecision{true, "self-competent", "", false};
    return refuse("your own access starts at " + std::to_string(policy.own_access_age) +
                  " unless you are recorded as able to decide for yourself");
  }
  return refuse("unknown family relation '" + relation + "'");
}

bool has_code(const SensitivityLabel& label, const RecordEvent& e) {
  if (!e.code) return false;
  return label.codes.contains(*e.code) ||
         (e.code_system && label.codes.contains(*e.code_system + "|" + *e.code));
}

}  // namespace

Principal principal_for(const User& user) {
  Principal p;
  p.user_id = user.id;
  p.username = user.username;
  p.role = user.role;
  p.organisation = user.organisation;
  return p;
}

Result<AccessDecision> decide_record_access(Database& db, const AccessPolicy& policy,
                                            const Principal& principal, int64_t child_id,
                                            Clock::time_point now) {
  const RolePolicy* role = policy.role(principal.role);
  if (role == nullptr) return refuse("your role '" + principal.role + "' is not in the policy");
  auto child = resolve_child(db, child_id);
  if (!child.ok()) return child.error();
  if (principal.via == Principal::Via::kPatientToken &&
      (!principal.token_child || *principal.token_child != *child)) {
    return refuse("this token is for another child's record");
  }
  if (role->family) return decide_family(db, policy, principal, *child, now);
  if (!role->activities.contains("view-record")) {
    return refuse(role->name + "s see aggregated or pseudonymised data only, not records");
  }
  auto basis = relationship(db, *child, principal, format_iso_timestamp(now));
  if (!basis.ok()) return basis.error();
  if (*basis) return AccessDecision{true, **basis, "", false};
  return refuse("you have no legitimate relationship with this child",
                role->activities.contains("break-glass"));
}

Result<std::unordered_set<int64_t>> related_children(Database& db, const AccessPolicy& policy,
                                                     const Principal& principal,
                                                     Clock::time_point now) {
  std::unordered_set<int64_t> out;
  const RolePolicy* role = policy.role(principal.role);
  if (role == nullptr || role->family || !role->activities.contains("view-record")) return out;
  // The same relationships as relationship() above, for every child at once.
  static constexpr const char* kAll[] = {
      R"sql(SELECT child_id FROM relationships
            WHERE organisation = ?1 AND (user_id IS NULL OR user_id = ?2)
              AND valid_from <= ?3 AND (valid_until IS NULL OR valid_until > ?3))sql",
      R"sql(SELECT l.child_id FROM source_persons sp JOIN links l ON l.source_person_id = sp.id
            WHERE sp.gp_practice = ?1 AND ?1 <> '' AND sp.superseded_by IS NULL
              AND ?2 = ?2 AND ?3 = ?3)sql",
      R"sql(SELECT l.child_id FROM caseload_areas a
            JOIN source_persons sp ON sp.superseded_by IS NULL
             AND upper(substr(replace(sp.postcode, ' ', ''), 1,
                              length(replace(sp.postcode, ' ', '')) - 3)) = a.postcode_district
            JOIN links l ON l.source_person_id = sp.id
            WHERE a.organisation = ?1 AND ?2 = ?2 AND ?3 = ?3)sql",
      R"sql(SELECT l.child_id FROM local_authorities la
            JOIN source_systems s ON s.code = la.social_care_source
            JOIN source_persons sp ON sp.source_system_id = s.id AND sp.superseded_by IS NULL
            JOIN links l ON l.source_person_id = sp.id
            WHERE la.code = ?1 AND ?2 = ?2 AND ?3 = ?3 AND EXISTS (
              SELECT 1 FROM source_events e WHERE e.source_system_id = s.id
                AND e.person_original_id = sp.original_id AND e.superseded_by IS NULL
                AND e.end_date IS NULL))sql",
  };
  for (const char* sql : kAll) {
    auto stmt = db.prepare(sql);
    if (!stmt.ok()) return stmt.error();
    stmt->bind(1, principal.organisation)
        .bind(2, principal.user_id)
        .bind(3, format_iso_timestamp(now));
    if (Status s = stmt->each_row([&](const Statement& row) { out.insert(row.column_int64(0)); });
        !s.ok()) {
      return s.error();
    }
  }
  return out;
}

std::vector<std::vector<std::string>> label_events(
    const AccessPolicy& policy, const ChildRecord& record,
    const std::map<int64_t, std::vector<std::string>>& by_hand) {
  std::vector<std::vector<std::string>> out(record.events.size());
  for (size_t i = 0; i < record.events.size(); ++i) {
    const RecordEvent& e = record.events[i];
    auto& labels = out[i];
    for (const auto& label : policy.labels) {
      if (has_code(label, e) || label.kinds.contains(e.kind) ||
          (e.display && label.categories.contains(*e.display))) {
        labels.push_back(label.id);
      }
    }
    if (auto it = by_hand.find(e.id); it != by_hand.end()) {
      // A label set by hand that the code, kind or display already gives is
      // one label, so the event is counted once when withheld.
      for (const auto& label : it->second) {
        if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(label);
      }
    }
  }
  return out;
}

Result<RecordLabels> label_record(Database& db, const AccessPolicy& policy,
                                  const ChildRecord& record) {
  RecordLabels out;
  out.by_event.resize(record.events.size());
  std::map<int64_t, std::vector<std::string>> by_hand;
  auto stmt = db.prepare(R"sql(
    SELECT el.event_id, el.label FROM event_labels el
    WHERE el.event_id IN (SELECT value FROM json_each(?1)))sql");
  if (!stmt.ok()) return stmt.error();
  boost::json::array ids;
  for (const auto& e : record.events)
    ids.push_back(e.id);
  stmt->bind(1, boost::json::serialize(ids));
  if (Status s = stmt->each_row([&](const Statement& row) {
        by_hand[row.column_int64(0)].push_back(row.column_text(1));
      });
      !s.ok()) {
    return s.error();
  }
  out.by_event = label_events(policy, record, by_hand);
  // Labels set on this child or on one merged into it (a sealed address must
  // stay sealed when the records are found to be the same child).
  auto child = db.prepare(R"sql(
    SELECT DISTINCT label FROM child_labels
    WHERE child_id IN (WITH RECURSIVE m(id) AS (SELECT ?1 UNION
                       SELECT c.id FROM children c JOIN m ON c.merged_into = m.id)
                       SELECT id FROM m)
    ORDER BY label)sql");
  if (!child.ok()) return child.error();
  child->bind(1, record.child_id);
  if (Status s = child->each_row(
          [&](const Statement& row) { out.on_child.push_back(row.column_text(0)); });
      !s.ok()) {
    return s.error();
  }
  return out;
}

std::vector<Withheld> apply_sensitivity(const AccessPolicy& policy, const Principal& principal,
                                        const RecordLabels& labels, ChildRecord& record) {
  std::map<std::string, int> hidden;
  std::vector<RecordEvent> kept;
  for (size_t i = 0; i < record.events.size(); ++i) {
    bool hide = false;
    for (const auto& label : labels.by_event[i]) {
      if (!policy.role_sees(principal.role, label)) {
        hide = true;
        ++hidden[label];
      }
    }
    if (!hide) kept.push_back(std::move(record.events[i]));
  }
  record.events = std::move(kept);
  for (const auto& label : labels.on_child) {
    if (label == "sealed-address" && !policy.role_sees(principal.role, label)) {
      for (auto& id : record.identities)
        id.postcode.reset();
      ++hidden[label];
    }
  }
  std::vector<Withheld> out;
  for (const auto& label : policy.labels) {
    auto it = hidden.find(label.id);
    if (it == hidden.end()) continue;
    out.push_back(
        {label.id, label.name, label.id == "sealed-address" ? 0 : it->second, label.say_withheld});
  }
  return out;
}

Result<BreakGlass> break_glass(Database& db, const AccessPolicy& policy, const Principal& principal,
                               int64_t child_id, const std::string& reason, Clock::time_point now) {
  if (!policy.permits(principal.role, "break-glass")) {
    return Error::invalid_argument("your role may not use emergency access");
  }
  // At least 10 characters once surrounding white space is trimmed.
  const auto first = reason.find_first_not_of(" \t\r\n");
  const auto last = reason.find_last_not_of(" \t\r\n");
  if (first == std::string::npos || last - first + 1 < 10) {
    return Error::invalid_argument("give the reason for emergency access (at least 10 characters)");
  }
  auto child = resolve_child(db, child_id);
  if (!child.ok()) return child.error();
  BreakGlass bg{0,
                principal.user_id,
                *child,
                reason.substr(first, last - first + 1),
                format_iso_timestamp(now),
                format_iso_timestamp(now + std::chrono::hours(policy.break_glass_hours))};
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return tx.error();
  auto stmt = db.prepare(
      "INSERT INTO break_glass (user_id, child_id, reason, started_at, expires_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, bg.user_id)
      .bind(2, bg.child_id)
      .bind(3, bg.reason)
      .bind(4, bg.started_at)
      .bind(5, bg.expires_at);
  if (Status s = stmt->run(); !s.ok()) return s.error();
  bg.id = db.last_insert_id();
  // The IG officer is alerted ('' = every IG officer).
  boost::json::object detail{{"user", principal.username},
                             {"role", principal.role},
                             {"organisation", principal.organisation},
                             {"reason", bg.reason},
                             {"expires_at", bg.expires_at}};
  auto note = db.prepare(
      "INSERT INTO notifications (created_at, kind, organisation, child_id, user_id, detail) "
      "VALUES (?1, 'break-glass', '', ?2, ?3, ?4)");
  if (!note.ok()) return note.error();
  note->bind(1, bg.started_at)
      .bind(2, bg.child_id)
      .bind(3, bg.user_id)
      .bind(4, boost::json::serialize(detail));
  if (Status s = note->run(); !s.ok()) return s.error();
  AuditEntry audit{principal.user_id, "break-glass", bg.child_id, "reason: " + bg.reason};
  audit.username = principal.username;
  audit.role = principal.role;
  audit.organisation = principal.organisation;
  audit.purpose = "emergency-care";
  if (Status s = record_audit(db, audit); !s.ok()) return s.error();
  if (Status s = tx->commit(); !s.ok()) return s.error();
  return bg;
}

Result<std::vector<BreakGlass>> break_glass_history(Database& db, int64_t child_id) {
  auto child = resolve_child(db, child_id);
  if (!child.ok()) return child.error();
  // Including those recorded on a child since merged into this one.
  auto stmt = db.prepare(R"sql(
    SELECT id, user_id, child_id, reason, started_at, expires_at FROM break_glass
    WHERE child_id IN (WITH RECURSIVE m(id) AS (SELECT ?1 UNION
                       SELECT c.id FROM children c JOIN m ON c.merged_into = m.id)
                       SELECT id FROM m)
    ORDER BY started_at DESC, id DESC)sql");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, *child);
  std::vector<BreakGlass> out;
  if (Status s = stmt->each_row([&](const Statement& row) {
        out.push_back({row.column_int64(0), row.column_int64(1), row.column_int64(2),
                       row.column_text(3), row.column_text(4), row.column_text(5)});
      });
      !s.ok()) {
    return s.error();
  }
  return out;
}

Result<std::vector<BreakGlassAccess>> list_break_glass(Database& db, const BreakGlassQuery& query) {
  // Newest first by id (ids follow started_at). The count of record views
  // walks the user's audit rows inside the window (audit_events_by_user), so
  // each row costs a few index reads however long the log. started_at has
  // whole seconds and the audit milliseconds: compare on the seconds.
  auto stmt = db.prepare(R"sql(
    SELECT bg.id, bg.user_id, bg.child_id, bg.reason, bg.started_at, bg.expires_at,
           coalesce(u.display_name, ''), coalesce(u.username, ''), coalesce(u.role, ''),
           coalesce(u.organisation, ''), bg.reviewed_at, bg.review_note, r.display_name,
           (SELECT count(*) FROM audit_events a
            WHERE a.user_id = bg.user_id AND a.at >= substr(bg.started_at, 1, 19)
              AND a.at < bg.expires_at AND a.action = 'view-record' AND a.outcome = 'allowed'
              AND EXISTS (SELECT 1 FROM audit_event_children c
                          WHERE c.child_id = bg.child_id AND c.seq = a.seq))
    FROM break_glass bg
    LEFT JOIN users u ON u.id = bg.user_id
    LEFT JOIN users r ON r.id = bg.reviewed_by
    WHERE (?1 = 0 OR bg.reviewed_at IS NULL) AND (?4 = 0 OR bg.id = ?4)
    ORDER BY bg.id DESC LIMIT ?2 OFFSET ?3)sql");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, int64_t{query.unreviewed_only ? 1 : 0})
      .bind(2, query.limit)
      .bind(3, std::max<int64_t>(0, query.offset))
      .bind(4, query.id.value_or(0));
  std::vector<BreakGlassAccess> out;
  if (Status s = stmt->each_row([&](const Statement& row) {
        BreakGlassAccess a;
        a.access = {row.column_int64(0), row.column_int64(1), row.column_int64(2),
                    row.column_text(3),  row.column_text(4),  row.column_text(5)};
        a.display_name = row.column_text(6);
        a.username = row.column_text(7);
        a.role = row.column_text(8);
        a.organisation = row.column_text(9);
        a.reviewed_at = row.column_optional_text(10);
        a.review_note = row.column_optional_text(11);
        a.reviewer = row.column_optional_text(12);
        a.record_views = row.column_int64(13);
        out.push_back(std::move(a));
      });
      !s.ok()) {
    return s.error();
  }
  return out;
}

Result<int64_t> count_break_glass(Database& db, bool unreviewed_only) {
  auto stmt = db.prepare("SELECT count(*) FROM break_glass WHERE (?1 = 0 OR reviewed_at IS NULL)");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, int64_t{unreviewed_only ? 1 : 0});
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  return stmt->column_int64(0);
}

Status review_break_glass(Database& db, const Principal& reviewer, int64_t break_glass_id,
                          const std::string& note, Clock::time_point now) {
  if (note.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Error::invalid_argument("enter a note about the review");
  }
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return tx.error();
  auto found = db.prepare("SELECT child_id, reviewed_at FROM break_glass WHERE id = ?1");
  if (!found.ok()) return found.error();
  found->bind(1, break_glass_id);
  auto row = found->step();
  if (!row.ok()) return row.error();
  if (!*row) return Error::not_found("no break-glass access " + std::to_string(break_glass_id));
  if (!found->column_is_null(1)) {
    return Error::invalid_argument("this access has already been reviewed");
  }
  const int64_t child = found->column_int64(0);
  found->reset();
  // Only an unreviewed row is updated: a review, once recorded, stands.
  auto update = db.prepare(
      "UPDATE break_glass SET reviewed_by = ?1, reviewed_at = ?2, review_note = ?3 "
      "WHERE id = ?4 AND reviewed_at IS NULL");
  if (!update.ok()) return update.error();
  update->bind(1, reviewer.user_id)
      .bind(2, format_iso_timestamp(now))
      .bind(3, note)
      .bind(4, break_glass_id);
  if (Status s = update->run(); !s.ok()) return s;
  AuditEntry audit{reviewer.user_id, "review-break-glass", child,
                   "break-glass " + std::to_string(break_glass_id) + ": " + note};
  audit.username = reviewer.username;
  audit.role = reviewer.role;
  audit.organisation = reviewer.organisation;
  audit.purpose = "administration";
  if (Status s = record_audit(db, audit); !s.ok()) return s;
  return tx->commit();
}

std::optional<int> age_on(const ChildRecord& record, Clock::time_point now) {
  const auto born = record.birth_date();
  return born ? years_between(*born, now) : std::nullopt;
}

}  // namespace onechild
