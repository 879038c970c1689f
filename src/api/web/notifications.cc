// GET /notifications: a social care team's alerts that an unscheduled-care
// clinician opened the record of a child with a protection flag (who,
// where, when, which flag), for their local authority; for information
// governance officers, the break-glass alerts. Others are refused. The view
// is audited with the children it shows.
//
// Cost: the latest 100 alerts through notifications_by_organisation, and one
// users lookup (by the unique username) per distinct person named.
#include <boost/json.hpp>
#include <map>

#include "access/alerts.h"
#include "api/web/modules.h"

namespace onechild::api {
namespace {

constexpr int kShown = 100;

std::string detail_text(const boost::json::object* detail, const char* key) {
  if (detail == nullptr) return "";
  const auto* v = detail->if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string when_text(const std::string& iso) {
  if (iso.size() < 16) return nice_date(iso);
  return nice_date(iso) + ", " + iso.substr(11, 5) + " UTC";
}

}  // namespace

std::optional<HttpResponse> notification_pages(PageContext& ctx) {
  if (ctx.path != "/notifications") return std::nullopt;
  if (!ctx.get()) return message_response(ctx, 405, "Method not allowed", "Use the links.");
  // The social care team first: a role with both sees its own authority's.
  const bool social_care = ctx.permits("receive-protection-alerts");
  if (!social_care && !ctx.permits("review-break-glass")) {
    return refuse(ctx, "You receive no notifications",
                  "Notifications go to social care teams and information governance officers.");
  }
  const auto list =
      checked(notifications_for(ctx.db, social_care ? ctx.user.organisation : "", kShown));

  // Display names of the people named, one lookup each.
  std::map<std::string, std::string> names;
  auto lookup = checked(ctx.db.prepare("SELECT display_name FROM users WHERE username = ?1"));
  for (const auto& n : list) {
    if (n.username.empty() || names.contains(n.username)) continue;
    lookup.reset();
    lookup.bind(1, n.username);
    names[n.username] = checked(lookup.step()) ? lookup.column_text(0) : n.username;
  }

  AuditEntry audit = audit_of(ctx.user, "view-notifications", std::nullopt, "GET /notifications");
  std::string rows;
  for (const auto& n : list) {
    boost::system::error_code ec;
    const boost::json::value parsed = boost::json::parse(n.detail, ec);
    const boost::json::object* detail = ec ? nullptr : parsed.if_object();
    const std::string child = n.child_id ? std::to_string(*n.child_id) : "";
    std::string child_cell = child.empty() ? "Not recorded" : "Child " + child;
    // A social worker may have a relationship with the child; the record
    // page decides (and audits) whether they may open it.
    if (!child.empty() && social_care)
      child_cell = link("/children/" + child, "Child " + child);
    else
      child_cell = html_escape(child_cell);
    const RolePolicy* role = ctx.policy().role(n.role);
    const std::string who = n.username.empty() ? "Unknown" : names[n.username];
    const std::string where = social_care ? detail_text(detail, "where") : n.user_organisation;
    rows +=
        row_html(cell(when_text(n.created_at)) + cell_html(child_cell) + cell(who) +
                 cell(role != nullptr ? role->name : n.role) +
                 cell(where.empty() ? n.user_organisation : where) +
                 cell(social_care ? detail_text(detail, "flag") : detail_text(detail, "reason")));
    if (n.child_id) audit.more_children.push_back(*n.child_id);
  }

  std::string main = "<h1>Notifications</h1>";
  if (social_care) {
    main +=
        R"(<p class="nhsuk-body">When an emergency or unscheduled care clinician opens the record of a child )"
        R"(with a child protection or looked-after flag your authority is responsible for, you are told here: )"
        R"(who, where and when. The latest )" +
        std::to_string(kShown) + " are shown, newest first.</p>";
  } else {
    main +=
        R"(<p class="nhsuk-body">Emergency (break-glass) accesses, newest first. Record your review of each on the )" +
        link("/ig/break-glass", "break-glass review") + " page.</p>";
  }
  if (list.empty()) {
    main += inset("<p>There are no notifications.</p>", "no-notifications");
  } else if (social_care) {
    main +=
        R"(<div class="nhsuk-table-container" tabindex="0" role="region" aria-label="Notifications">)" +
        table("Unscheduled-care accesses to children your authority is responsible for",
              "notifications", {"When", "Child", "Who accessed", "Role", "Where", "Flag"}, rows) +
        "</div>";
  } else {
    main +=
        R"(<div class="nhsuk-table-container" tabindex="0" role="region" aria-label="Notifications">)" +
        table("Break-glass accesses", "notifications",
              {"When", "Child", "Who accessed", "Role", "Organisation", "Reason given"}, rows) +
        "</div>";
  }
  checked(record_audit(ctx.db, audit));
  return html_page(200, layout(ctx.shell("Notifications", "/notifications"), main));
}

}  // namespace onechild::api
