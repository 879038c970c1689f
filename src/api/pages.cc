#include "api/pages.h"

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

std::string immunisations_section(const ChildRecord& record) {
  std::string rows;
  for (const auto& e : record.events) {
    if (e.kind != "immunisation") continue;
    rows += R"(<tr class="nhsuk-table__row">)" + cell(nice_date(e.start_date)) +
            cell(e.display.value_or(e.code.value_or("Unknown vaccine"))) +
            cell(immunisation_status(e.status)) + cell(e.source) + "</tr>";
  }
  std::string html = R"(<h2 id="immunisations-heading">Immunisations</h2>)";
  if (rows.empty()) return html + R"(<p class="nhsuk-body">No immunisations recorded.</p>)";
  return html + table("Immunisations recorded, newest first", "immunisations",
                      {"Date", "Vaccine", "Status", "Source"}, rows);
}

// The health events that have no section of their own: contacts, conditions,
// observations, care plans and requests (referrals), with what was found.
std::string health_events_section(const ChildRecord& record) {
  static constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
      {"encounter", "Contact"},
      {"condition", "Condition"},
      {"observation", "Observation"},
      {"care-plan", "Care plan"},
      {"service-request", "Request"}};
  std::string rows;
  for (const auto& e : record.events) {
    if (e.kind == "immunisation" || e.kind == "social-care-episode") continue;
    std::string label = e.kind;
    for (const auto& [kind, name] : kLabels) {
      if (e.kind == kind) label = name;
    }
    rows += R"(<tr class="nhsuk-table__row">)" + cell(nice_date(e.start_date)) + cell(label) +
            cell(e.display.value_or(e.code.value_or("Not recorded"))) + cell(e.value.value_or("")) +
            cell(e.source) + "</tr>";
  }
  std::string html = R"(<h2 id="health-events-heading">Health events</h2>)";
  if (rows.empty()) return html + R"(<p class="nhsuk-body">No other health events recorded.</p>)";
  return html + table("Contacts, conditions, observations, care plans and requests, newest first",
                      "health-events", {"Date", "Event", "Detail", "Value", "Source"}, rows);
}

std::string social_care_section(const ChildRecord& record) {
  std::string rows;
  for (const auto& e : record.events) {
    if (e.kind != "social-care-episode") continue;
    rows += R"(<tr class="nhsuk-table__row">)" + cell(e.display.value_or("Episode")) +
            cell(nice_date(e.start_date)) + cell(e.end_date ? nice_date(e.end_date) : "Open") +
            cell(e.source) + "</tr>";
  }
  std::string html = R"(<h2 id="social-care-heading">Social care</h2>)";
  if (rows.empty()) return html + R"(<p class="nhsuk-body">No social care episodes recorded.</p>)";
  return html + table("Social care episodes, newest first", "social-care",
                      {"Episode", "Start", "End", "Source"}, rows);
}

}  // namespace

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
  std::string main = R"(<a class="nhsuk-back-link" href="/search">Find another child</a>)"
                     R"(<span class="nhsuk-caption-l">Child record</span><h1>)" +
                     html_escape(record.display_name()) + "</h1>";
  main += flags_section(view) + withheld_section(view);
  main += R"(<dl class="nhsuk-summary-list" id="demographics">)" +
          summary_row("NHS number", formatted_nhs_number(record.nhs_number)) +
          summary_row("Date of birth", nice_date(record.birth_date())) +
          summary_row("Sex", first && first->sex ? *first->sex : "Not recorded") +
          summary_row("Postcode", first && first->postcode ? *first->postcode : "Not recorded") +
          summary_row("Ethnicity", ethnicity_of(record)) +
          summary_row("Sources", sources.empty() ? "None" : sources) + "</dl>";
  main +=
      immunisations_section(record) + health_events_section(record) + social_care_section(record);
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
