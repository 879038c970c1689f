// The integrated record: GET /children/{id} (?timeline=all for every event),
// its growth figures GET /children/{id}/growth.json, and the break-glass
// form POST /children/{id}/break-glass. Every view and every refusal is
// audited.
//
// Cost: one record load (the child's links, persons and events by index),
// the labels, one child's programme facts (the same rows again, filtered by
// kind) and a few indexed look-ups for the care team; the timeline prints
// the latest 100 events unless asked for all. Measured: 75-120 ms for a
// record of 487 events in the ASan debug build (growth.json 27 ms); a
// release build is several times faster.
#include "access/access_control.h"
#include "access/alerts.h"
#include "api/pages.h"
#include "api/web/modules.h"
#include "programmes/programmes.h"
#include "record/child_record.h"
#include "record/protection.h"
#include "record/record_summary.h"

namespace onechild::api {
namespace {

std::string_view clock_name(std::string_view id) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {clock_id::kEhcDecision, "EHC needs assessment: decision whether to assess"},
      {clock_id::kEhcPlan, "EHC plan issued"},
      {clock_id::kEhcNoPlan, "EHC needs assessment: decision not to issue a plan"},
      {clock_id::kLacInitialHealth, "Looked after: initial health assessment"},
      {clock_id::kLacReviewHealth, "Looked after: review health assessment"},
      {clock_id::kTransitionPlan, "Transition plan"},
      {clock_id::kAdultService, "Transfer to adult services"},
      {clock_id::kCamhsFirstContact, "CAMHS: referral to first contact"},
      {clock_id::kCommunityPaediatrics, "Community paediatrics: referral to assessment"},
      {clock_id::kEpilepsySpecialist, "Epilepsy: seen by a specialist"},
      {clock_id::kAutismDiagnosis, "Autism: referral to diagnosis"},
      {clock_id::kEpilepsyDiagnosis, "Epilepsy: referral to diagnosis"},
  };
  for (const auto& [clock, name] : kNames) {
    if (clock == id) return name;
  }
  return id;
}

}  // namespace

Result<ProgrammeView> programme_view(Database& db, const ProgrammeRules& rules, int64_t child_id,
                                     Date as_of, bool with_clocks, bool show_mental_health) {
  // As `onechild programmes status --child` does: one child's facts, the
  // rules compiled against their vocabulary, evaluated on as_of.
  Vocabulary words;
  auto child = load_child_facts(db, child_id, rules.filter(), words);
  if (!child.ok()) return child.error();
  const Programmes programmes(rules, words);
  std::vector<ItemResult> items;
  programmes.schedules().evaluate(*child, to_day(as_of), items);
  const auto date = [](Day day) {
    return day == kNoDay ? std::nullopt
                         : std::optional<std::string>(format_iso_date(from_day(day)));
  };
  ProgrammeView view;
  for (const ItemResult& r : items) {
    const ScheduleItem& item = *programmes.schedules().items()[r.item];
    view.items.push_back({item.programme, item.name, std::string(status_name(r.status)),
                          date(r.due), date(r.by), date(r.done)});
  }
  if (!with_clocks) return view;
  std::vector<ClockResult> clocks;
  programmes.clocks().evaluate(*child, to_day(as_of), clocks);
  for (const ClockResult& c : clocks) {
    if (c.clock == clock_id::kCamhsFirstContact && !show_mental_health) continue;
    view.clocks.push_back({std::string(clock_name(c.clock)), std::string(clock_state_name(c.state)),
                           date(c.start).value_or(""), date(c.due).value_or(""), c.detail,
                           date(c.stopped)});
  }
  return view;
}

namespace {

HttpResponse not_found(const PageContext& ctx) {
  return message_response(ctx, 404, "Page not found", "There is no child record at this address.");
}

HttpResponse show_record(PageContext& ctx, int64_t child_id) {
  const AccessPolicy& policy = ctx.policy();
  const RolePolicy* role = policy.role(ctx.user.role);
  // Parents and young people read the record as the red book (family.cc).
  if (role != nullptr && role->family) return redirect_to("/family/" + std::to_string(child_id));
  const std::string timeline = param(ctx.params(), "timeline");
  if (!timeline.empty() && timeline != "all") {
    return message_response(ctx, 400, "Bad request", "timeline can only be 'all'.");
  }
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
  if (!role->family) view.flags = checked(protection_flags(ctx.db, record, today()));
  if (role->unscheduled_care && !view.flags.empty()) {
    checked(notify_unscheduled_access(ctx.db, principal, record.child_id, view.flags));
    view.recent_unscheduled = checked(
        recent_unscheduled_accesses(ctx.db, record.child_id, policy.recent_unscheduled_accesses));
  }
  if (role->family) view.break_glass = checked(break_glass_history(ctx.db, record.child_id));
  view.nhs_status =
      nhs_number_status(record.nhs_number, checked(load_source_numbers(ctx.db, record.child_id)));
  view.care_team = checked(load_care_team(ctx.db, record, today(), timestamp_now()));
  view.programmes =
      checked(programme_view(ctx.db, ctx.services.rules, record.child_id, today(), true,
                             policy.role_sees(ctx.user.role, "mental-health-notes")));
  view.timeline_limit = timeline == "all" ? 0 : 100;
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

// The growth table's figures for growth.js: the same access decision, the
// same sensitivity filtering and an audit row, as the page.
HttpResponse growth(PageContext& ctx, int64_t child_id) {
  const AccessPolicy& policy = ctx.policy();
  const Principal principal = principal_for(ctx.user);
  auto decision = decide_record_access(ctx.db, policy, principal, child_id);
  if (!decision.ok()) {
    if (decision.error().code() == Error::Code::kNotFound) return json_error(404, "no such child");
    checked(Status(decision.error()));
  }
  const std::string what = "GET /children/" + std::to_string(child_id) + "/growth.json";
  if (!decision->allowed) {
    checked(record_audit(ctx.db, audit_of(ctx.user, "view-growth", child_id,
                                          what + ": " + decision->reason, "denied")));
    return json_error(403, decision->reason);
  }
  auto record = checked(load_child_record(ctx.db, child_id));
  const auto labels = checked(label_record(ctx.db, policy, record));
  apply_sensitivity(policy, principal, labels, record);
  checked(record_audit(ctx.db, audit_of(ctx.user, "view-growth", record.child_id,
                                        what + " (basis: " + decision->basis + ")")));
  return json_response(200, growth_json(growth_of(record)));
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
  if (action == "growth.json" && ctx.get()) return growth(ctx, *child_id);
  if (action.empty() || action == "break-glass" || action == "growth.json") {
    return message_response(ctx, 405, "Method not allowed", "Use the links and forms.");
  }
  return not_found(ctx);
}

}  // namespace onechild::api
