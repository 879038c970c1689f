#include "api/pages.h"

#include <cstdio>
#include <string_view>
#include <utility>

#include "api/http_util.h"
#include "api/web/kit.h"
#include "core/date.h"
#include "core/ethnicity.h"

namespace onechild::api {
namespace {

std::string ethnicity_of(const ChildRecord& record) {
  for (const auto& id : record.identities) {
    if (!id.ethnic_category) continue;
    auto category = find_ethnic_category(*id.ethnic_category);
    return category ? std::string(category->name) : *id.ethnic_category;
  }
  return "Not recorded";
}

// FHIR Immunization.status in words: a dose recorded as not done (declined,
// contraindicated) must never read as given.
std::string immunisation_status(const std::optional<std::string>& status) {
  if (!status || *status == "completed") return "Given";
  if (*status == "not-done") return "Not given";
  if (*status == "entered-in-error") return "Entered in error";
  return *status;
}

std::string paragraph(const std::string& text) {
  return R"(<p class="nhsuk-body">)" + html_escape(text) + "</p>";
}

std::string heading(const std::string& id, const std::string& text) {
  return R"(<h2 id=")" + id + R"(">)" + html_escape(text) + "</h2>";
}

std::string optional_date(const std::optional<std::string>& iso) {
  return iso ? nice_date(iso) : std::string();
}

std::string social_care_section(const ChildRecord& record) {
  std::string rows;
  for (const auto& e : record.events) {
    if (e.kind != "social-care-episode") continue;
    rows += row_html(cell(e.display.value_or("Episode")) + cell(nice_date(e.start_date)) +
                     cell(e.end_date ? nice_date(e.end_date) : "Open") + cell(e.source));
  }
  std::string html = heading("social-care-heading", "Social care");
  if (rows.empty()) return html + paragraph("No social care episodes recorded.");
  return html + table("Social care episodes, newest first", "social-care",
                      {"Episode", "Start", "End", "Source"}, rows);
}

std::string team_section(const CareTeam& care_team, bool staff) {
  std::string html =
      heading("care-team", staff ? "Care team and lead professional" : "Who is involved");
  if (care_team.members.empty()) {
    return html + paragraph("No team is recorded for this child.") +
           paragraph(care_team.lead_reason);
  }
  std::string rows;
  for (const auto& m : care_team.members) {
    if (!staff && m.recorded && m.role == "Social care team") continue;
    std::string who = html_escape(m.role);
    if (m.lead) who += " " + tag("Lead professional", "blue");
    std::string org = html_escape(m.organisation);
    if (m.phone) org += "<br>Office hours: " + html_escape(*m.phone);
    rows +=
        row_html(cell_html(who) + cell_html(org) +
                 (staff ? cell(m.person.value_or("Whole team")) : std::string()) + cell(m.detail));
  }
  html += staff ? table("Who is involved with this child", "care-team-table",
                        {"Role", "Team or service", "Person", "How we know"}, rows)
                : table("Who is involved with your child", "care-team-table",
                        {"Role", "Team or service", "How we know"}, rows);
  return html + paragraph(care_team.lead_reason);
}

std::string conditions_section(const ChildRecord& record) {
  std::string rows;
  for (const RecordEvent* e : conditions_of(record)) {
    rows += row_html(cell(event_detail(*e)) + cell(nice_date(e->start_date)) +
                     cell(e->status.value_or("Not recorded")) + cell(e->source));
  }
  std::string html = heading("conditions", "Conditions");
  if (rows.empty()) return html + paragraph("No conditions recorded.");
  return html + table("Conditions, newest first", "conditions-table",
                      {"Condition", "Since", "Status", "Source"}, rows);
}

std::string clock_tag(const ClockLine& c) {
  if (c.state == "overdue") return tag("Overdue", "red");
  if (c.state == "running") return tag("Waiting", "yellow");
  if (c.state == "met") return tag("Met", "green");
  if (c.state == "missed") return tag("Late", "orange");
  if (c.state == "exception") return tag("Late, exception applies", "grey");
  return tag(c.state, "grey");
}

std::string referrals_section(const ChildRecord& record, const RecordView& view) {
  std::string html = heading("referrals", "Referrals and waits");
  std::string rows;
  for (const RecordEvent* e : referrals_of(record)) {
    std::string what = event_kind_name(e->kind);
    std::string detail = event_detail(*e);
    if (e->kind == "service-request" && e->value) detail += " – " + *e->value;
    if (e->kind == "outpatient-appointment") detail = "Treatment function " + e->code.value_or("");
    rows += row_html(
        cell(nice_date(e->start_date)) + cell(what) + cell(detail) +
        cell(e->status.value_or(e->end_date ? "Closed " + nice_date(e->end_date) : "Open")) +
        cell(e->source));
  }
  if (rows.empty())
    html += paragraph("No referrals recorded.");
  else {
    html += table("Referrals and appointments, newest first", "referrals-table",
                  {"Date", "Type", "Detail", "Status", "Source"}, rows);
  }
  std::string clocks;
  for (const auto& c : view.programmes.clocks) {
    clocks +=
        row_html(cell(c.name) + cell(nice_date(c.start)) + cell(nice_date(c.due)) +
                 cell_html(clock_tag(c) + (c.stopped ? " on " + html_escape(nice_date(c.stopped))
                                                     : std::string())) +
                 cell(c.detail));
  }
  if (!clocks.empty()) {
    html += table("Waiting times and statutory clocks", "clocks-table",
                  {"Clock", "Started", "Due by", "State", "Detail"}, clocks);
  }
  return html;
}

std::string education_section(const ChildRecord& record) {
  const Education ed = education_of(record);
  std::string html = heading("education", "Education");
  if (!ed.census_date && !ed.eyfsp) return html + paragraph("No education records.");
  html += R"(<dl class="nhsuk-summary-list" id="education-summary">)";
  if (ed.census_date) {
    html += summary_row("School", "URN " + ed.school_urn.value_or("not recorded")) +
            summary_row("Year group", ed.year_group.value_or("Not recorded")) +
            summary_row("Special educational needs", ed.sen.value_or("Not recorded")) +
            summary_row("Free school meals", ed.free_meals.value_or("Not recorded")) +
            summary_row("Latest school census", ed.term.value_or("") + " (" +
                                                    nice_date(ed.census_date) + ", " +
                                                    ed.source.value_or("") + ")");
  }
  if (ed.eyfsp) html += summary_row("Early years foundation stage", *ed.eyfsp);
  return html + "</dl>" +
         paragraph("Attendance and exclusions are not in the education feeds received.");
}

std::string timeline_section(const ChildRecord& record, const RecordView& view) {
  std::string rows;
  size_t shown = 0;
  for (const auto& e : record.events) {
    if (view.timeline_limit != 0 && shown == view.timeline_limit) break;
    ++shown;
    rows += row_html(cell(nice_date(e.start_date)) + cell(event_kind_name(e.kind)) +
                     cell(event_detail(e)) + cell(e.value.value_or("")) + cell(e.source));
  }
  std::string html = heading("timeline-heading", "Timeline");
  if (rows.empty()) return html + paragraph("No events recorded.");
  const size_t total = record.events.size();
  html += table(shown < total ? "The latest " + std::to_string(shown) + " of " +
                                    std::to_string(total) + " events, from every source"
                              : "All " + std::to_string(total) + " events, newest first",
                "timeline", {"Date", "Event", "Detail", "Value", "Source"}, rows);
  if (shown < total) {
    html += R"(<p class="nhsuk-body">)" +
            link("/children/" + std::to_string(record.child_id) + "?timeline=all#timeline-heading",
                 "Show all " + std::to_string(total) + " events") +
            "</p>";
  }
  return html;
}

std::string contents_list(std::initializer_list<std::pair<const char*, const char*>> items) {
  std::string html =
      R"(<nav class="nhsuk-contents-list" role="navigation" aria-label="Sections of this record">)"
      R"(<h2 class="nhsuk-u-visually-hidden">Contents</h2><ol class="nhsuk-contents-list__list">)";
  for (const auto& [href, text] : items) {
    html +=
        R"(<li class="nhsuk-contents-list__item"><a class="nhsuk-contents-list__link" href="#)" +
        std::string(href) + "\">" + text + "</a></li>";
  }
  return html + "</ol></nav>";
}

}  // namespace

std::string care_team_section(const CareTeam& care_team, bool staff) {
  return team_section(care_team, staff);
}

std::string schedule_status_tag(const ScheduleLine& line) {
  const bool imms = line.programme == "imms";
  const std::string& s = line.status;
  if (s == "done-on-time") return tag(imms ? "Given on time" : "Done on time", "green");
  if (s == "done-late") return tag(imms ? "Given late" : "Done late", "aqua-green");
  if (s == "due") return tag("Due", "yellow");
  if (s == "overdue") return tag("Overdue", "red");
  if (s == "not-yet-due") return tag("Not yet due", "grey");
  if (s == "declined") return tag("Declined", "orange");
  if (s == "contraindicated") return tag("Not suitable", "purple");
  if (s == "moved-out") return tag("Moved out of area", "grey");
  if (s == "missed") return tag("Missed", "red");
  return tag(s, "grey");
}

std::string schedule_section(const ProgrammeView& programmes, const std::string& programme,
                             const std::string& id, const std::string& heading_text,
                             const std::string& caption) {
  const bool imms = programme == "imms";
  std::string rows;
  for (const auto& line : programmes.items) {
    if (line.programme != programme) continue;
    rows += row_html(cell(line.name) + cell_html(schedule_status_tag(line)) +
                     cell(optional_date(line.due)) + cell(optional_date(line.by)) +
                     cell(optional_date(line.done)));
  }
  std::string html = heading(id, heading_text);
  if (rows.empty()) return html + paragraph("No schedule items apply to this child.");
  return html + table(caption, id + "-table",
                      {imms ? "Vaccine" : "Review", "Status", "Due from", "On time by",
                       imms ? "Given or declined on" : "Done on"},
                      rows);
}

std::string recorded_immunisations_table(const ChildRecord& record) {
  std::string rows;
  for (const auto& e : record.events) {
    if (e.kind != "immunisation") continue;
    rows += row_html(cell(nice_date(e.start_date)) +
                     cell(e.display.value_or(e.code.value_or("Unknown vaccine"))) +
                     cell(immunisation_status(e.status)) + cell(e.source));
  }
  if (rows.empty()) return paragraph("No immunisations recorded.");
  return table("Immunisations recorded, newest first", "immunisations",
               {"Date", "Vaccine", "Status", "Source"}, rows);
}

std::string growth_section(const ChildRecord& record, const std::string& json_url) {
  const auto points = growth_of(record);
  std::string html = heading("growth", "Growth");
  if (points.empty()) return html + paragraph("No height or weight measurements recorded.");
  // growth.js draws the charts from the JSON; the table has the same figures.
  html += R"(<div class="growth-charts" data-growth-src=")" + html_escape(json_url) + R"("></div>)";
  std::string rows;
  for (auto it = points.rbegin(); it != points.rend(); ++it) {
    const auto number = [](const std::optional<double>& n, const char* unit) {
      if (!n) return std::string("–");
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f%s", *n, unit);
      return std::string(buf);
    };
    rows +=
        row_html(cell(nice_date(it->date)) + cell(number(it->height_cm, " cm")) +
                 cell(number(it->weight_kg, " kg")) + cell(number(it->bmi, "")) + cell(it->source));
  }
  return html + table("Height, weight and body mass index (BMI), newest first", "growth-table",
                      {"Date", "Height", "Weight", "BMI", "Source"}, rows);
}

std::string plans_section(const ChildRecord& record) {
  std::string rows;
  for (const auto& p : plans_of(record)) {
    rows += row_html(cell(p.name) + cell(p.status) + cell(nice_date(p.start)) +
                     cell(p.end ? nice_date(p.end) : "") + cell(p.source));
  }
  std::string html = heading("plans", "Plans");
  if (rows.empty()) return html + paragraph("No care, EHC or transition plans recorded.");
  return html + table("Care plans, EHC plans and transition plans, newest first", "plans-table",
                      {"Plan", "Status", "Start", "End", "Source"}, rows);
}

std::string login_page(const std::string& username, bool failed, const std::string& csrf) {
  std::string main = R"(<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">)";
  if (failed) main += error_summary("Enter a correct username and password", "username");
  main +=
      R"(<h1>Log in to onechild</h1><form method="post" action="/login" novalidate>)" +
      csrf_field(csrf) +
      R"(<div class="nhsuk-form-group"><label class="nhsuk-label" for="username">Username</label>)"
      R"(<input class="nhsuk-input nhsuk-u-width-two-thirds" id="username" name="username" type="text" autocomplete="username" spellcheck="false" value=")" +
      html_escape(username) +
      R"("></div><div class="nhsuk-form-group"><label class="nhsuk-label" for="password">Password</label>)"
      R"(<input class="nhsuk-input nhsuk-u-width-two-thirds" id="password" name="password" type="password" autocomplete="current-password"></div>)"
      R"(<button class="nhsuk-button" data-module="nhsuk-button" type="submit">Log in</button></form></div></div>)";
  Shell shell;
  shell.title = failed ? "Error: Log in" : "Log in";
  return layout(shell, main);
}

namespace {

std::string flags_section(const RecordView& view) {
  if (view.flags.empty()) return "";
  std::string html;
  for (const auto& f : view.flags) {
    html += R"(<div class="nhsuk-warning-callout protection-flag" id="protection-flag-)" +
            html_escape(f.kind) +
            R"("><h2 class="nhsuk-warning-callout__label"><span role="text">)"
            R"(<span class="nhsuk-u-visually-hidden">Important: </span>)" +
            html_escape(f.title) + "</span></h2>";
    html += R"(<dl class="nhsuk-summary-list">)" + summary_row("Since", nice_date(f.start));
    if (f.end) html += summary_row("Until", nice_date(f.end));
    if (!f.category.empty()) html += summary_row("Category", f.category);
    if (f.local_authority) {
      html += summary_row("Responsible local authority", f.local_authority->name) +
              summary_row("Office hours", f.local_authority->office_hours_phone) +
              summary_row("Out of hours", f.local_authority->out_of_hours_phone);
    } else {
      html += summary_row("Responsible local authority", "Not known (feed " + f.source + ")");
    }
    html += "</dl></div>";
  }
  if (!view.recent_unscheduled.empty()) {
    html +=
        R"(<details class="nhsuk-details" id="recent-unscheduled"><summary class="nhsuk-details__summary">)"
        R"(<span class="nhsuk-details__summary-text">Recent unscheduled care accesses ()" +
        std::to_string(view.recent_unscheduled.size()) +
        R"()</span></summary><div class="nhsuk-details__text"><ul>)";
    for (const auto& n : view.recent_unscheduled) {
      html += "<li>" + html_escape(n.created_at) + " – " + html_escape(n.username) + " (" +
              html_escape(n.user_organisation) + ")</li>";
    }
    html += "</ul></div></details>";
  }
  return html;
}

std::string withheld_section(const RecordView& view) {
  std::string items;
  for (const auto& w : view.withheld) {
    if (!w.say) continue;
    items += "<li>" + html_escape(w.name) +
             (w.events > 0 ? " (" + std::to_string(w.events) + " entries)" : std::string()) +
             "</li>";
  }
  if (items.empty()) return "";
  return R"(<div class="nhsuk-inset-text" id="withheld"><span class="nhsuk-u-visually-hidden">Information: </span>)"
         R"(<p>Some information is not shown because your role may not see it:</p><ul>)" +
         items + "</ul></div>";
}

std::string break_glass_section(const RecordView& view) {
  if (view.break_glass.empty()) return "";
  std::string html =
      R"(<h2 id="emergency-access">Emergency access to this record</h2><ul class="nhsuk-list">)";
  for (const auto& b : view.break_glass) {
    html += "<li>" + html_escape(b.started_at) + ": " + html_escape(b.reason) + "</li>";
  }
  return html + "</ul>";
}

}  // namespace

std::string record_page(const Shell& shell, const ChildRecord& record, const RecordView& view) {
  std::string sources;
  for (const auto& id : record.identities) {
    if (!sources.empty()) sources += ", ";
    sources += id.source + " (" + id.original_id + ")";
  }
  const SourceIdentity* first = record.identities.empty() ? nullptr : &record.identities.front();
  std::optional<std::string> postcode;
  for (const auto& id : record.identities) {
    if (id.postcode) {
      postcode = id.postcode;
      break;
    }
  }
  std::string main = R"(<a class="nhsuk-back-link" href="/search">Find another child</a>)"
                     R"(<span class="nhsuk-caption-l">Child record</span><h1>)" +
                     html_escape(record.display_name()) + "</h1>";
  main += flags_section(view) + withheld_section(view);
  main += R"(<dl class="nhsuk-summary-list" id="demographics">)" +
          summary_row("NHS number", formatted_nhs_number(record.nhs_number)) +
          summary_row_html("NHS number status", R"(<span id="nhs-number-status">)" +
                                                    html_escape(view.nhs_status.text) + "</span>") +
          summary_row("Date of birth", nice_date(record.birth_date())) +
          summary_row("Sex", first && first->sex ? *first->sex : "Not recorded") +
          summary_row("Postcode", postcode.value_or("Not recorded")) +
          summary_row("Ethnicity", ethnicity_of(record)) +
          summary_row("Sources", sources.empty() ? "None" : sources) + "</dl>";
  main += contents_list({{"care-team", "Care team and lead professional"},
                         {"immunisations-schedule", "Immunisations"},
                         {"reviews", "Healthy Child Programme reviews"},
                         {"growth", "Growth"},
                         {"conditions", "Conditions"},
                         {"referrals", "Referrals and waits"},
                         {"plans", "Plans"},
                         {"education", "Education"},
                         {"social-care-heading", "Social care"},
                         {"timeline-heading", "Timeline"}});
  main += care_team_section(view.care_team, true);
  main += schedule_section(view.programmes, "imms", "immunisations-schedule", "Immunisations",
                           "Immunisations against the routine schedule") +
          R"(<h3 id="immunisations-recorded">Immunisations recorded</h3>)" +
          recorded_immunisations_table(record);
  main += schedule_section(view.programmes, "hcp", "reviews", "Healthy Child Programme reviews",
                           "Reviews against the Healthy Child Programme");
  main += growth_section(record, "/children/" + std::to_string(record.child_id) + "/growth.json");
  main += conditions_section(record) + referrals_section(record, view) + plans_section(record) +
          education_section(record) + social_care_section(record) + timeline_section(record, view);
  main += break_glass_section(view);
  Shell named = shell;
  named.title = record.display_name();
  return layout(named, main);
}

std::string refused_page(const Shell& shell, int64_t child_id, const std::string& reason,
                         bool may_break_glass, const std::optional<std::string>& form_error) {
  std::string main = R"(<a class="nhsuk-back-link" href="/search">Find another child</a>)"
                     R"(<h1>You cannot open this record</h1><p class="nhsuk-body" id="refusal">)" +
                     html_escape(reason) + ".</p>";
  if (may_break_glass) {
    const std::string action = "/children/" + std::to_string(child_id) + "/break-glass";
    main +=
        (form_error ? error_summary(*form_error, "reason") : std::string()) +
        R"(<h2>Emergency access</h2><p class="nhsuk-body">In an emergency you may open the record )"
        R"(for a limited time. Your reason is recorded, the information governance officer is )"
        R"(alerted, and the family can see that you did.</p><form method="post" action=")" +
        action + R"(" novalidate>)" + csrf_field(shell.csrf) + R"(<div class="nhsuk-form-group)" +
        (form_error ? " nhsuk-form-group--error" : "") +
        R"("><label class="nhsuk-label" for="reason">Reason for emergency access</label>)" +
        (form_error
             ? R"(<span class="nhsuk-error-message" id="reason-error"><span class="nhsuk-u-visually-hidden">Error:</span> )" +
                   html_escape(*form_error) + "</span>"
             : std::string()) +
        R"(<textarea class="nhsuk-textarea" id="reason" name="reason" rows="3"></textarea></div>)"
        R"(<button class="nhsuk-button nhsuk-button--warning" type="submit">Open the record in an emergency</button></form>)";
  }
  Shell titled = shell;
  titled.title = "You cannot open this record";
  return layout(titled, main);
}

std::string message_page(const Shell& shell, const std::string& message) {
  return layout(shell, "<h1>" + html_escape(shell.title) + R"(</h1><p class="nhsuk-body">)" +
                           html_escape(message) + "</p>");
}

}  // namespace onechild::api
