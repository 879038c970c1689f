#include "access/alerts.h"

#include <boost/json.hpp>
#include <set>

#include "core/date.h"

namespace onechild {
namespace {

constexpr const char* kSelect = R"sql(
  SELECT n.id, n.created_at, n.kind, n.organisation, n.child_id, coalesce(u.username, ''),
         coalesce(u.role, ''), coalesce(u.organisation, ''), n.detail
  FROM notifications n LEFT JOIN users u ON u.id = n.user_id )sql";

Result<std::vector<Notification>> read(Statement& stmt) {
  std::vector<Notification> out;
  if (Status s = stmt.each_row([&](const Statement& row) {
        Notification n;
        n.id = row.column_int64(0);
        n.created_at = row.column_text(1);
        n.kind = row.column_text(2);
        n.organisation = row.column_text(3);
        if (!row.column_is_null(4)) n.child_id = row.column_int64(4);
        n.username = row.column_text(5);
        n.role = row.column_text(6);
        n.user_organisation = row.column_text(7);
        n.detail = row.column_text(8);
        out.push_back(std::move(n));
      });
      !s.ok()) {
    return s.error();
  }
  return out;
}

}  // namespace

Status notify_unscheduled_access(Database& db, const Principal& principal, int64_t child_id,
                                 const std::vector<ProtectionFlag>& flags, Clock::time_point now) {
  const std::string at = format_iso_timestamp(now);
  std::set<std::string> notified;
  auto stmt = db.prepare(
      "INSERT INTO notifications (created_at, kind, organisation, child_id, user_id, detail) "
      "VALUES (?1, 'unscheduled-care-access', ?2, ?3, ?4, ?5)");
  if (!stmt.ok()) return stmt.error();
  for (const auto& f : flags) {
    // An authority we have no contacts for still gets the alert, under the
    // feed's name, so the access is never lost.
    const std::string to = f.local_authority ? f.local_authority->code : f.source;
    if (!notified.insert(to).second) continue;
    boost::json::object detail{{"who", principal.username},
                               {"role", principal.role},
                               {"where", principal.organisation},
                               {"when", at},
                               {"flag", f.title}};
    stmt->reset();
    stmt->bind(1, at)
        .bind(2, to)
        .bind(3, child_id)
        .bind(4, principal.user_id)
        .bind(5, boost::json::serialize(detail));
    if (Status s = stmt->run(); !s.ok()) return s;
  }
  return {};
}

Result<std::vector<Notification>> notifications_for(Database& db, const std::string& organisation,
                                                    int limit) {
  auto stmt =
      db.prepare(std::string(kSelect) +
                 "WHERE n.organisation = ?1 ORDER BY n.created_at DESC, n.id DESC LIMIT ?2");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, organisation).bind(2, int64_t{limit});
  return read(*stmt);
}

Result<std::vector<Notification>> recent_unscheduled_accesses(Database& db, int64_t child_id,
                                                              int limit) {
  // Several authorities may be told of one access: count each access once.
  auto stmt = db.prepare(std::string(kSelect) +
                         "WHERE n.child_id = ?1 AND n.kind = 'unscheduled-care-access' "
                         "GROUP BY n.created_at, n.user_id "
                         "ORDER BY n.created_at DESC, n.id DESC LIMIT ?2");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, child_id).bind(2, int64_t{limit});
  return read(*stmt);
}

}  // namespace onechild
