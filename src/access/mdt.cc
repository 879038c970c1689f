#include "access/mdt.h"

#include "access/audit.h"
#include "access/grants.h"
#include "core/date.h"
#include "core/text.h"

namespace onechild {
namespace {

std::string trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// Text a person typed, as it will be stored: trimmed, valid UTF-8, bounded.
Result<std::string> clean_text(const std::string& text, const char* what) {
  std::string out = trimmed(text);
  if (out.empty()) return Error::invalid_argument(std::string("Enter ") + what);
  if (invalid_utf8_at(out) != std::string::npos) {
    return Error::invalid_argument(std::string("Enter ") + what + " in plain text");
  }
  if (out.size() > kMdtTextLimit) {
    return Error::invalid_argument(std::string(what) + " must be " + std::to_string(kMdtTextLimit) +
                                   " characters or fewer");
  }
  return out;
}

AuditEntry audit_for(const User& user, std::string action, int64_t child, std::string detail) {
  AuditEntry e{user.id, std::move(action), child, std::move(detail)};
  e.username = user.username;
  e.role = user.role;
  e.organisation = user.organisation;
  return e;
}

// Inserts an open case; the caller holds the transaction.
Result<int64_t> insert_case(Database& db, const User& user, int64_t child_id,
                            const std::string& list, const std::string& reason,
                            const std::string& at) {
  auto open = db.prepare(
      "SELECT 1 FROM mdt_cases WHERE child_id = ?1 AND list = ?2 AND organisation = ?3 "
      "AND status = 'open' LIMIT 1");
  if (!open.ok()) return open.error();
  open->bind(1, child_id).bind(2, list).bind(3, user.organisation);
  auto found = open->step();
  if (!found.ok()) return found.error();
  if (*found)
    return Error::invalid_argument("This child is already raised for discussion on this list");
  open->reset();
  auto stmt = db.prepare(
      "INSERT INTO mdt_cases (child_id, list, organisation, raised_by, raised_at, reason) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, child_id).bind(2, list).bind(3, user.organisation).bind(4, user.id).bind(5, at);
  stmt->bind(6, reason);
  if (Status s = stmt->run(); !s.ok()) return s.error();
  return db.last_insert_id();
}

}  // namespace

std::optional<std::string_view> mdt_action_name(std::string_view id) {
  for (const MdtAction& a : kMdtActions) {
    if (a.id == id) return a.name;
  }
  return std::nullopt;
}

Result<int64_t> raise_mdt_case(Database& db, const AccessPolicy& policy, const User& user,
                               int64_t child_id, const std::string& list, const std::string& reason,
                               Clock::time_point now) {
  auto text = clean_text(reason, "a reason for raising this child");
  if (!text.ok()) return text.error();
  if (list.empty()) return Error::invalid_argument("Choose a case-finding list");
  if (user.organisation.empty()) {
    return Error::invalid_argument("Your account has no team to raise cases for");
  }
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return tx.error();
  auto id = insert_case(db, user, child_id, list, *text, format_iso_timestamp(now));
  if (!id.ok()) return id.error();
  // The team discusses the child, so its members may open the record.
  auto related = add_relationship(db, policy,
                                  {child_id, "mdt", user.organisation, std::nullopt, std::nullopt,
                                   "MDT case " + std::to_string(*id) + " (" + list + ")"},
                                  now);
  if (!related.ok()) return related.error();
  if (Status s = record_audit(db, audit_for(user, "mdt-raise", child_id,
                                            "MDT case " + std::to_string(*id) + " on " + list));
      !s.ok()) {
    return s.error();
  }
  if (Status s = tx->commit(); !s.ok()) return s.error();
  return *id;
}

Status record_mdt_outcome(Database& db, const User& user, int64_t case_id,
                          const std::string& action, const std::string& outcome,
                          Clock::time_point now) {
  if (!mdt_action_name(action)) return Error::invalid_argument("Choose what the MDT decided");
  auto text = clean_text(outcome, "the outcome of the discussion");
  if (!text.ok()) return text.error();
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return tx.error();
  auto find = db.prepare(
      "SELECT child_id, list FROM mdt_cases WHERE id = ?1 AND organisation = ?2 AND status = "
      "'open'");
  if (!find.ok()) return find.error();
  find->bind(1, case_id).bind(2, user.organisation);
  auto found = find->step();
  if (!found.ok()) return found.error();
  if (!*found) return Error::not_found("Your team has no open MDT case " + std::to_string(case_id));
  const int64_t child_id = find->column_int64(0);
  const std::string list = find->column_text(1);
  find->reset();
  const std::string at = format_iso_timestamp(now);
  auto close = db.prepare(
      "UPDATE mdt_cases SET status = 'closed', action = ?2, outcome = ?3, outcome_by = ?4, "
      "outcome_at = ?5 WHERE id = ?1");
  if (!close.ok()) return close.error();
  close->bind(1, case_id).bind(2, action).bind(3, *text).bind(4, user.id).bind(5, at);
  if (Status s = close->run(); !s.ok()) return s;
  std::string detail = "MDT case " + std::to_string(case_id) + " outcome: " + action;
  if (action == "discuss-again") {
    auto next = insert_case(db, user, child_id, list, "Discuss again: " + *text, at);
    if (!next.ok()) return next.error();
    detail += ", raised again as case " + std::to_string(*next);
  }
  if (Status s = record_audit(db, audit_for(user, "mdt-outcome", child_id, detail)); !s.ok()) {
    return s;
  }
  return tx->commit();
}

Result<std::vector<MdtCase>> mdt_cases(Database& db, const std::string& organisation,
                                       std::string_view status, int limit, int offset) {
  // Two statements so each is served by its own index (migration 10).
  auto stmt = status == "open" ? db.prepare(R"sql(
      SELECT m.id, m.child_id, m.list, m.organisation, coalesce(r.display_name, ''), m.raised_at,
             m.reason, m.status, coalesce(m.action, ''), coalesce(m.outcome, ''),
             coalesce(o.display_name, ''), coalesce(m.outcome_at, '')
      FROM mdt_cases m LEFT JOIN users r ON r.id = m.raised_by LEFT JOIN users o ON o.id = m.outcome_by
      WHERE m.organisation = ?1 AND m.status = 'open'
      ORDER BY m.raised_at, m.id LIMIT ?2 OFFSET ?3)sql")
                               : db.prepare(R"sql(
      SELECT m.id, m.child_id, m.list, m.organisation, coalesce(r.display_name, ''), m.raised_at,
             m.reason, m.status, coalesce(m.action, ''), coalesce(m.outcome, ''),
             coalesce(o.display_name, ''), coalesce(m.outcome_at, '')
      FROM mdt_cases m LEFT JOIN users r ON r.id = m.raised_by LEFT JOIN users o ON o.id = m.outcome_by
      WHERE m.organisation = ?1 AND m.status = 'closed'
      ORDER BY m.outcome_at DESC, m.id DESC LIMIT ?2 OFFSET ?3)sql");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, organisation).bind(2, int64_t{limit}).bind(3, int64_t{offset});
  std::vector<MdtCase> out;
  if (Status s = stmt->each_row([&](const Statement& row) {
        MdtCase c;
        c.id = row.column_int64(0);
        c.child_id = row.column_int64(1);
        c.list = row.column_text(2);
        c.organisation = row.column_text(3);
        c.raised_by = row.column_text(4);
        c.raised_at = row.column_text(5);
        c.reason = row.column_text(6);
        c.status = row.column_text(7);
        c.action = row.column_text(8);
        c.outcome = row.column_text(9);
        c.outcome_by = row.column_text(10);
        c.outcome_at = row.column_text(11);
        out.push_back(std::move(c));
      });
      !s.ok()) {
    return s.error();
  }
  return out;
}

Result<std::set<std::pair<int64_t, std::string>>> raised_since(Database& db,
                                                               const std::string& organisation,
                                                               const std::string& since) {
  auto stmt = db.prepare(
      "SELECT child_id, list FROM mdt_cases WHERE organisation = ?1 AND status IN ('open', "
      "'closed') AND raised_at >= ?2");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, organisation).bind(2, since);
  std::set<std::pair<int64_t, std::string>> out;
  if (Status s = stmt->each_row(
          [&](const Statement& row) { out.emplace(row.column_int64(0), row.column_text(1)); });
      !s.ok()) {
    return s.error();
  }
  return out;
}

Result<int64_t> count_mdt_cases(Database& db, const std::string& organisation,
                                std::string_view status) {
  auto stmt = db.prepare("SELECT count(*) FROM mdt_cases WHERE organisation = ?1 AND status = ?2");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, organisation).bind(2, status);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  return stmt->column_int64(0);
}

}  // namespace onechild
