// The integrated record: GET /children/{id} and the break-glass form
// POST /children/{id}/break-glass. Every view and every refusal is audited.
#include "access/access_control.h"
#include "access/alerts.h"
#include "api/pages.h"
#include "api/web/modules.h"
#include "record/child_record.h"
#include "record/protection.h"

namespace onechild::api {
namespace {

HttpResponse not_found(const PageContext& ctx) {
  return message_response(ctx, 404, "Page not found", "There is no child record at this address.");
}

HttpResponse show_record(PageContext& ctx, int64_t child_id) {
  const AccessPolicy& policy = ctx.policy();
  const Principal principal = principal_for(ctx.user);
  auto decision = decide_record_access(ctx.db, policy, principal, child_id);
  if (!decision.ok()) {
    if (decision.error().code() == Error::Code::kNotFound) return not_found(ctx);
    checked(Status(decision.error()));
  }
  const std::string what = "GET /children/" + std::to_string(child_id);
  if (!decision->allowed) {
    // A refusal is audited too: the IG officer sees who tried.
    checked(record_audit(ctx.db, audit_of(ctx.user, "view-record", child_id,
                                          what + ": " + decision->reason, "denied")));
    return html_page(403, refused_page(ctx.shell("", "/search"), child_id, decision->reason,
                                       decision->may_break_glass, std::nullopt));
  }
  auto record = checked(load_child_record(ctx.db, child_id));
  RecordView view;
  view.basis = decision->basis;
  const auto labels = checked(label_record(ctx.db, policy, record));
  view.withheld = apply_sensitivity(policy, principal, labels, record);
  const RolePolicy* role = policy.role(ctx.user.role);
  if (!role->family) view.flags = checked(protection_flags(ctx.db, record, today()));
  if (role->unscheduled_care && !view.flags.empty()) {
    checked(notify_unscheduled_access(ctx.db, principal, record.child_id, view.flags));
    view.recent_unscheduled = checked(
        recent_unscheduled_accesses(ctx.db, record.child_id, policy.recent_unscheduled_accesses));
  }
  if (role->family) view.break_glass = checked(break_glass_history(ctx.db, record.child_id));
  // Every view of a record is audited, before the record is shown.
  checked(record_audit(ctx.db, audit_of(ctx.user, "view-record", record.child_id,
                                        what + " (basis: " + decision->basis + ")")));
  return html_page(200, record_page(ctx.shell("", "/search"), record, view));
}

HttpResponse break_glass(PageContext& ctx, int64_t child_id) {
  const std::string reason = param(ctx.form(), "reason");
  auto granted =
      onechild::break_glass(ctx.db, ctx.policy(), principal_for(ctx.user), child_id, reason);
  if (!granted.ok()) {
    if (granted.error().code() == Error::Code::kNotFound) return not_found(ctx);
    if (granted.error().code() != Error::Code::kInvalidArgument) checked(Status(granted.error()));
    checked(record_audit(
        ctx.db, audit_of(ctx.user, "break-glass", child_id, granted.error().message(), "denied")));
    const bool may = ctx.permits("break-glass");
    return html_page(may ? 400 : 403,
                     refused_page(ctx.shell("", "/search"), child_id,
                                  "You have no legitimate relationship with this child", may,
                                  granted.error().message()));
  }
  return redirect_to("/children/" + std::to_string(granted->child_id));
}

}  // namespace

std::optional<HttpResponse> record_pages(PageContext& ctx) {
  constexpr std::string_view kPrefix = "/children/";
  if (ctx.path.rfind(kPrefix, 0) != 0) return std::nullopt;
  const std::string rest = ctx.path.substr(kPrefix.size());
  const size_t slash = rest.find('/');
  const auto child_id = id_of(rest.substr(0, slash));
  if (!child_id) return not_found(ctx);
  const std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (action.empty() && ctx.get()) return show_record(ctx, *child_id);
  if (action == "break-glass" && ctx.post()) return break_glass(ctx, *child_id);
  if (action.empty() || action == "break-glass") {
    return message_response(ctx, 405, "Method not allowed", "Use the links and forms.");
  }
  return not_found(ctx);
}

}  // namespace onechild::api
