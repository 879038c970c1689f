// Home: GET / — what the signed-in user's role has waiting: worklist counts
// and open MDT cases, protection alerts, review pairs, unreviewed
// break-glass, and links to the pages the role uses. Every figure is a
// count from WorklistCache or one indexed query; alerts are the latest 5.
#include <set>

#include "access/alerts.h"
#include "access/mdt.h"
#include "api/web/modules.h"
#include "api/worklist_api.h"

namespace onechild::api {
namespace {

constexpr int kNotificationsShown = 5;

int64_t count_of(Database& db, std::string_view sql) {
  auto stmt = checked(db.prepare(sql));
  return checked(stmt.step()) ? stmt.column_int64(0) : 0;
}

std::string paragraph_link(const std::string& href, const std::string& text,
                           const std::string& id = "") {
  return std::string(R"(<p class="nhsuk-body")") + (id.empty() ? "" : " id=\"" + id + "\"") + ">" +
         link(href, text) + "</p>";
}

std::string plural(int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string worklist_section(PageContext& ctx) {
  const auto counts = ctx.services.worklists.counts_for(ctx.db, ctx.policy(), ctx.user);
  std::string html = R"(<h2 id="worklists">Your worklists</h2>)";
  if (counts.empty()) {
    html += inset("<p>Your role works none of the worklists.</p>");
  } else {
    std::string rows;
    for (const WorklistCounts& c : counts) {
      const std::string name(worklist_kind_name(c.kind));
      rows +=
          row_html(cell_html(link("/worklists?kind=" + name, std::string(worklist_title(c.kind)))) +
                   cell_html(c.overdue > 0 ? tag(std::to_string(c.overdue) + " overdue", "red")
                                           : html_escape("None overdue")) +
                   cell(std::to_string(c.other)));
    }
    html += table("Children you care for who are due or overdue today", "worklist-counts",
                  {"Worklist", "Overdue", "Due or in progress"}, rows);
  }
  const int64_t open = checked(count_mdt_cases(ctx.db, ctx.user.organisation, "open"));
  html += R"(<h2 id="hub-mdt">Child health hub MDT</h2>)" +
          paragraph_link("/hub", plural(open, "case", "cases") + " waiting for discussion",
                         "hub-open-cases");
  return html;
}

std::string kind_text(const std::string& kind) {
  if (kind == "unscheduled-care-access") return "Unscheduled care access to a child on a plan";
  if (kind == "break-glass") return "Emergency access (break glass)";
  return kind;
}

std::string notifications_section(PageContext& ctx) {
  const auto list = checked(notifications_for(ctx.db, ctx.user.organisation, kNotificationsShown));
  std::string html = R"(<h2 id="notifications">Latest notifications</h2>)";
  if (list.empty()) {
    html += inset("<p>You have no notifications.</p>", "notifications-empty");
  } else {
    std::set<int64_t> ids;
    for (const Notification& n : list) {
      if (n.child_id) ids.insert(*n.child_id);
    }
    std::vector<WorklistRow> who;
    for (int64_t id : ids) {
      WorklistRow r;
      r.child_id = id;
      who.push_back(std::move(r));
    }
    checked(add_identities(ctx.db, who));
    std::map<int64_t, std::string> names;
    for (const WorklistRow& r : who)
      names[r.child_id] = r.name.empty() ? "Name not known" : r.name;
    std::string rows;
    for (const Notification& n : list) {
      rows += row_html(
          cell(nice_date(n.created_at)) + cell(kind_text(n.kind)) +
          cell(n.username + (n.user_organisation.empty() ? "" : " (" + n.user_organisation + ")")) +
          cell_html(n.child_id
                        ? link("/children/" + std::to_string(*n.child_id), names[*n.child_id])
                        : html_escape("Not recorded")));
    }
    html += table(
        "The latest " + plural(static_cast<int64_t>(list.size()), "notification", "notifications"),
        "notifications-table", {"Date", "What happened", "Who", "Child"}, rows);
    AuditEntry audit = audit_of(ctx.user, "view-notifications", std::nullopt, "GET / (latest 5)");
    audit.more_children.assign(ids.begin(), ids.end());
    checked(record_audit(ctx.db, audit));
  }
  return html + paragraph_link("/notifications", "All notifications");
}

}  // namespace

std::optional<HttpResponse> home_pages(PageContext& ctx) {
  if (ctx.path != "/") return std::nullopt;
  if (!ctx.get()) return message_response(ctx, 405, "Method not allowed", "Use the links.");
  const RolePolicy* role = ctx.policy().role(ctx.user.role);
  std::string main = R"(<span class="nhsuk-caption-l" id="home-role">)" +
                     html_escape(role ? role->name : ctx.user.role) + "</span><h1>" +
                     html_escape("Hello, " + ctx.user.display_name) + "</h1>";
  if (ctx.permits("search")) main += paragraph_link("/search", "Find a child", "home-search");
  if (ctx.permits("view-worklists")) main += worklist_section(ctx);
  if (ctx.permits("receive-protection-alerts")) main += notifications_section(ctx);
  if (ctx.permits("review-links")) {
    const int64_t open = count_of(ctx.db, "SELECT count(*) FROM link_review WHERE status = 'open'");
    main += R"(<h2 id="linkage">Record linkage</h2>)" +
            paragraph_link("/linkage", plural(open, "pair", "pairs") + " of records to review",
                           "home-review-pairs") +
            paragraph_link("/data-quality", "Data quality by feed");
  }
  if (ctx.permits("view-audit")) {
    const int64_t waiting =
        count_of(ctx.db, "SELECT count(*) FROM break_glass WHERE reviewed_at IS NULL");
    main += R"(<h2 id="governance">Information governance</h2>)" +
            paragraph_link("/ig/break-glass",
                           plural(waiting, "emergency access", "emergency accesses") +
                               " (break glass) not yet reviewed",
                           "home-break-glass") +
            paragraph_link("/ig", "Search the audit");
  }
  if (ctx.permits("view-aggregates")) {
    main += R"(<h2 id="outcomes">Outcomes</h2>)" +
            paragraph_link("/outcomes", "Outcomes dashboard") +
            paragraph_link("/board", "Board summary");
  }
  if (ctx.permits("view-own-record")) {
    main += paragraph_link("/family", "Your child's record", "home-family");
  }
  return html_page(200, layout(ctx.shell("Home", "/"), main));
}

}  // namespace onechild::api
