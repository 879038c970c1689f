// The family view, for parents (proxy access) and young people: GET /family
// lists the children the account has family access to and whether that
// access is active; GET /family/{child_id} is the digital red book. Both go
// through decide_record_access (the family rules: a parent's access is
// suspended for review at 13 and ends at 16; a young person's own starts at
// 16 or when recorded as competent) and every view is audited.
//
// Cost: the list reads family_access by its key (user, child) and, per
// child (at most 50), the access decision and one name look-up by links'
// child index. The red book is the record page's work without the clocks or
// the timeline: one record load, labels and one child's programme facts.
#include <algorithm>

#include "access/access_control.h"
#include "api/pages.h"
#include "api/web/modules.h"
#include "core/date.h"
#include "record/child_record.h"
#include "record/record_summary.h"

namespace onechild::api {
namespace {

constexpr const char* kActivity = "view-own-record";

struct FamilyChild {
  int64_t child_id = 0;
  std::string relation;
  std::string name = "Name not recorded";
  std::optional<std::string> birth_date;
  AccessDecision decision;
};

// The name and date of birth to list: the first current source record
// that has them, as the record page's heading does.
void add_identity(Database& db, FamilyChild& child) {
  auto stmt = db.prepare(R"sql(
    SELECT p.given_name, p.family_name, p.birth_date
    FROM links l
    JOIN source_persons p ON p.id = l.source_person_id
    JOIN source_systems s ON s.id = p.source_system_id
    WHERE l.child_id = ?1 AND p.superseded_by IS NULL
    ORDER BY s.code, p.original_id, p.id DESC LIMIT 20)sql");
  if (!stmt.ok()) checked(Status(stmt.error()));
  stmt->bind(1, child.child_id);
  bool named = false;
  checked(stmt->each_row([&](const Statement& row) {
    const auto given = row.column_optional_text(0), family = row.column_optional_text(1);
    if (!named && (given || family)) {
      child.name = given.value_or("");
      if (family) child.name += (child.name.empty() ? "" : " ") + *family;
      named = true;
    }
    if (!child.birth_date) child.birth_date = row.column_optional_text(2);
  }));
}

std::optional<int> age_of(const std::optional<std::string>& birth) {
  if (!birth) return std::nullopt;
  auto born = parse_iso_date(birth->substr(0, 10));
  if (!born.ok()) return std::nullopt;
  return age_in_years(*born, today());
}

// The access state in plain English, with a tag colour (the text carries
// the meaning; the colour only repeats it).
std::pair<std::string, std::string> state_of(const FamilyChild& c, const AccessPolicy& policy) {
  if (c.decision.allowed) return {"Active", "green"};
  const auto age = age_of(c.birth_date);
  if (c.relation == "parent" && age && *age >= policy.proxy_end_age) {
    return {"Ended at " + std::to_string(policy.proxy_end_age), "grey"};
  }
  if (c.relation == "parent" && age && *age >= policy.proxy_review_age) {
    return {"Suspended for review at " + std::to_string(policy.proxy_review_age), "yellow"};
  }
  if (c.relation == "self") return {"Not started yet", "grey"};
  return {"Not available", "grey"};
}

std::string sentence(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text + ".";
}

HttpResponse family_list(PageContext& ctx) {
  auto stmt = ctx.db.prepare(
      "SELECT child_id, relation FROM family_access WHERE user_id = ?1 "
      "ORDER BY granted_at, child_id LIMIT 50");
  if (!stmt.ok()) checked(Status(stmt.error()));
  stmt->bind(1, ctx.user.id);
  std::vector<FamilyChild> children;
  checked(stmt->each_row([&](const Statement& row) {
    FamilyChild c;
    c.child_id = row.column_int64(0);
    c.relation = row.column_text(1);
    children.push_back(std::move(c));
  }));
  const Principal principal = principal_for(ctx.user);
  std::string rows;
  for (auto& c : children) {
    auto decision = decide_record_access(ctx.db, ctx.policy(), principal, c.child_id);
    if (!decision.ok()) {
      if (decision.error().code() == Error::Code::kNotFound) continue;  // removed since
      checked(Status(decision.error()));
    }
    c.decision = *decision;
    add_identity(ctx.db, c);
    const auto [state, colour] = state_of(c, ctx.policy());
    const std::string href = "/family/" + std::to_string(c.child_id);
    rows += row_html(cell_html(c.decision.allowed ? link(href, c.name) : html_escape(c.name)) +
                     cell(nice_date(c.birth_date)) + cell_html(tag(state, colour)) +
                     cell(c.decision.allowed
                              ? (c.relation == "parent" ? "You can see this child's record"
                                                        : "You can see your own record")
                              : sentence(c.decision.reason)));
  }
  checked(record_audit(ctx.db,
                       audit_of(ctx.user, "view-family-list", std::nullopt,
                                "GET /family: " + std::to_string(children.size()) + " children")));
  std::string main = R"(<h1>Your child's record</h1>)";
  if (rows.empty()) {
    main += R"(<p class="nhsuk-body" id="no-children">No child's record is linked to your account )"
            R"(yet. Ask your GP practice or health visitor to link it.</p>)";
  } else {
    main += table("Records linked to your account", "family-children",
                  {"Child", "Date of birth", "Access", "What this means"}, rows);
    main += inset(
        "<p>A parent can see their child's record until the child is " +
        std::to_string(ctx.policy().proxy_review_age) +
        ". Then access is paused while the GP practice reviews it with the young person, and it "
        "ends at " +
        std::to_string(ctx.policy().proxy_end_age) +
        ", when young people can have their own access.</p>");
  }
  return html_page(200, layout(ctx.shell("Your child's record", "/family"), main));
}

std::string upcoming_section(const ProgrammeView& programmes) {
  // Everything due or overdue now, then the next three not yet due.
  std::vector<const ScheduleLine*> now, next;
  for (const auto& line : programmes.items) {
    if (line.status == "due" || line.status == "overdue") now.push_back(&line);
    if (line.status == "not-yet-due") next.push_back(&line);
  }
  std::stable_sort(next.begin(), next.end(), [](const ScheduleLine* a, const ScheduleLine* b) {
    return a->due.value_or("") < b->due.value_or("");
  });
  if (next.size() > 3) next.resize(3);
  std::string rows;
  for (const auto* list : {&now, &next}) {
    for (const ScheduleLine* line : *list) {
      rows += row_html(
          cell(line->name) + cell(line->programme == "imms" ? "Immunisation" : "Health review") +
          cell_html(schedule_status_tag(*line)) + cell(line->due ? nice_date(line->due) : "") +
          cell(line->by ? nice_date(line->by) : ""));
    }
  }
  std::string html = R"(<h2 id="upcoming-heading">Coming up</h2>)";
  if (rows.empty()) {
    return html + R"(<p class="nhsuk-body">Nothing is due at the moment.</p>)";
  }
  return html +
         table("Reviews and immunisations due now and next", "upcoming",
               {"What", "Type", "Status", "Due from", "On time by"}, rows) +
         R"(<p class="nhsuk-body">To book, contact your GP practice (immunisations) or health )"
         R"(visiting team (reviews).</p>)";
}

std::string given_section(const ChildRecord& record, const ProgrammeView& programmes) {
  std::string rows;
  for (const auto& line : programmes.items) {
    if (line.programme != "imms" || (line.status != "done-on-time" && line.status != "done-late")) {
      continue;
    }
    rows += row_html(cell(line.name) + cell(line.done ? nice_date(line.done) : "") +
                     cell_html(schedule_status_tag(line)));
  }
  std::string html = R"(<h2 id="given-heading">Immunisations given</h2>)";
  html +=
      rows.empty()
          ? R"(<p class="nhsuk-body">No routine immunisations recorded as given yet.</p>)"
          : table("Routine immunisations given", "given", {"Vaccine", "Given on", "Timing"}, rows);
  return html +
         R"(<details class="nhsuk-details"><summary class="nhsuk-details__summary">)"
         R"(<span class="nhsuk-details__summary-text">Every immunisation record</span></summary>)"
         R"(<div class="nhsuk-details__text">)" +
         recorded_immunisations_table(record) + "</div></details>";
}

std::string emergency_section(const std::vector<BreakGlass>& accesses) {
  std::string html = R"(<h2 id="emergency-access">Emergency access to this record</h2>)";
  if (accesses.empty()) {
    return html + R"(<p class="nhsuk-body">No one has used emergency access to this record.</p>)";
  }
  std::string rows;
  for (const auto& b : accesses) {
    rows +=
        row_html(cell(nice_date(b.started_at)) + cell(b.reason) + cell(nice_date(b.expires_at)));
  }
  return html +
         R"(<p class="nhsuk-body">Staff without a care relationship with your child may open the )"
         R"(record in an emergency. Each time is recorded and checked by the information )"
         R"(governance team.</p>)" +
         table("Emergency accesses, newest first", "emergency-accesses",
               {"Date", "Reason given", "Access ended"}, rows);
}

HttpResponse red_book(PageContext& ctx, int64_t child_id) {
  const AccessPolicy& policy = ctx.policy();
  const Principal principal = principal_for(ctx.user);
  auto decision = decide_record_access(ctx.db, policy, principal, child_id);
  if (!decision.ok()) {
    if (decision.error().code() == Error::Code::kNotFound) {
      return message_response(ctx, 404, "Page not found", "There is no record at this address.");
    }
    checked(Status(decision.error()));
  }
  const std::string what = "GET /family/" + std::to_string(child_id);
  if (!decision->allowed) {
    checked(record_audit(ctx.db, audit_of(ctx.user, "view-record", child_id,
                                          what + ": " + decision->reason, "denied")));
    // Why, not the record.
    const std::string main =
        R"(<a class="nhsuk-back-link" href="/family">Back to your child's record</a>)"
        R"(<h1>You cannot see this record now</h1><p class="nhsuk-body" id="refusal">)" +
        html_escape(sentence(decision->reason)) +
        R"(</p><p class="nhsuk-body">If you think this is wrong, contact your GP practice.</p>)";
    return html_page(403, layout(ctx.shell("You cannot see this record now", "/family"), main));
  }
  auto record = checked(load_child_record(ctx.db, child_id));
  const auto labels = checked(label_record(ctx.db, policy, record));
  apply_sensitivity(policy, principal, labels, record);
  const auto programmes =
      checked(programme_view(ctx.db, ctx.services.rules, record.child_id, today(), false, false));
  CareTeam team = checked(load_care_team(ctx.db, record, today(), timestamp_now()));
  const auto accesses = checked(break_glass_history(ctx.db, record.child_id));
  checked(record_audit(ctx.db, audit_of(ctx.user, "view-record", record.child_id,
                                        what + " (basis: " + decision->basis + ")")));

  std::string main =
      R"(<a class="nhsuk-back-link" href="/family">Back to your child's record</a>)"
      R"(<span class="nhsuk-caption-l">)" +
      std::string(decision->basis == "parent" ? "Your child's record" : "Your record") +
      "</span><h1>" + html_escape(record.display_name()) + "</h1>";
  main += R"(<dl class="nhsuk-summary-list" id="child-details">)" +
          summary_row("Date of birth", nice_date(record.birth_date())) +
          summary_row("NHS number", formatted_nhs_number(record.nhs_number)) + "</dl>";
  main +=
      R"(<nav class="nhsuk-contents-list" role="navigation" aria-label="Sections of this record">)"
      R"(<h2 class="nhsuk-u-visually-hidden">Contents</h2><ol class="nhsuk-contents-list__list">)";
  for (const auto& [href, text] :
       {std::pair<const char*, const char*>{"upcoming-heading", "Coming up"},
        {"given-heading", "Immunisations given"},
        {"reviews", "Health reviews"},
        {"growth", "Growth"},
        {"plans", "Plans"},
        {"care-team", "Who is involved"},
        {"emergency-access", "Emergency access to this record"}}) {
    main +=
        R"(<li class="nhsuk-contents-list__item"><a class="nhsuk-contents-list__link" href="#)" +
        std::string(href) + "\">" + text + "</a></li>";
  }
  main += "</ol></nav>";
  main += upcoming_section(programmes) + given_section(record, programmes);
  main += schedule_section(programmes, "hcp", "reviews", "Health reviews",
                           "Healthy Child Programme reviews");
  main += growth_section(record, "/children/" + std::to_string(record.child_id) + "/growth.json");
  main += plans_section(record);
  main += care_team_section(team, false);
  main += emergency_section(accesses);
  // Said always, whatever is labelled: a notice only when something is
  // hidden would itself tell the family something.
  main += inset(
      "<p>Some information, such as notes from specialist or social care services, is kept by "
      "the services that recorded it and is not shown here.</p>",
      "not-shown");
  return html_page(200, layout(ctx.shell(record.display_name(), "/family"), main));
}

}  // namespace

std::optional<HttpResponse> family_pages(PageContext& ctx) {
  constexpr std::string_view kRoot = "/family";
  if (ctx.path != kRoot && ctx.path.rfind("/family/", 0) != 0) return std::nullopt;
  if (!ctx.permits(kActivity)) {
    return refuse(ctx, "You cannot open this page",
                  "This page is for parents and young people to see their own records.");
  }
  if (!ctx.get()) return message_response(ctx, 405, "Method not allowed", "Use the links.");
  if (ctx.path == kRoot) return family_list(ctx);
  const auto child_id = id_of(ctx.path.substr(kRoot.size() + 1));
  if (!child_id) {
    return message_response(ctx, 404, "Page not found", "There is no record at this address.");
  }
  return red_book(ctx, *child_id);
}

}  // namespace onechild::api
