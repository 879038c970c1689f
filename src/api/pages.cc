#include "api/pages.h"

#include <string_view>
#include <utility>

#include "api/http_util.h"
#include "core/date.h"
#include "core/ethnicity.h"

namespace onechild::api {
namespace {

std::string header(const std::optional<User>& user) {
  std::string html =
      R"(<header class="nhsuk-header" role="banner"><div class="nhsuk-header__container nhsuk-width-container">)"
      R"(<div class="nhsuk-header__service"><a class="nhsuk-header__service-logo" href="/" aria-label="onechild homepage">)"
      R"(<span class="nhsuk-header__service-name">onechild</span></a></div>)";
  if (user) {
    html +=
        R"(<nav class="nhsuk-header__account" aria-label="Account"><ul class="nhsuk-header__account-list">)"
        R"(<li class="nhsuk-header__account-item">)" +
        html_escape(user->display_name) +
        R"(</li><li class="nhsuk-header__account-item"><form action="/logout" method="post">)"
        R"(<button class="nhsuk-header__account-button" type="submit">Log out</button></form></li></ul></nav>)";
  }
  return html + "</div></header>";
}

std::string layout(const std::string& title, const std::optional<User>& user,
                   const std::string& main) {
  return R"(<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">)"
         R"(<meta name="viewport" content="width=device-width, initial-scale=1">)"
         "<title>" +
         html_escape(title) +
         R"( – onechild</title><link rel="icon" href="/assets/images/favicon.svg" type="image/svg+xml">)"
         R"(<link rel="stylesheet" href="/assets/nhsuk-frontend.min.css">)"
         R"(<link rel="stylesheet" href="/assets/app.css"></head><body class="nhsuk-frontend-supported">)"
         R"(<a class="nhsuk-skip-link" href="#maincontent">Skip to main content</a>)" +
         header(user) +
         R"(<div class="nhsuk-width-container"><main class="nhsuk-main-wrapper" id="maincontent" role="main">)" +
         main +
         R"(</main></div><footer class="nhsuk-footer" role="contentinfo"><div class="nhsuk-width-container">)"
         R"(<p class="nhsuk-body-s">onechild – synthetic data only. Every view of a record is audited.</p>)"
         R"(</div></footer><script type="module" src="/assets/app.js"></script></body></html>)";
}

std::string error_summary(const std::string& message, const std::string& target) {
  return R"(<div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1">)"
         R"(<h2 class="nhsuk-error-summary__title" id="error-summary-title">There is a problem</h2>)"
         R"(<div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list"><li><a href="#)" +
         target + "\">" + html_escape(message) + "</a></li></ul></div></div>";
}

std::string summary_row(const std::string& key, const std::string& value) {
  return R"(<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">)" +
         html_escape(key) + R"(</dt><dd class="nhsuk-summary-list__value">)" + html_escape(value) +
         "</dd></div>";
}

std::string nice_date(const std::optional<std::string>& iso) {
  if (!iso) return "Not recorded";
  auto date = parse_iso_date(*iso);
  return date.ok() ? format_uk_date(*date) : *iso;
}

std::string ethnicity_of(const ChildRecord& record) {
  for (const auto& id : record.identities) {
    if (!id.ethnic_category) continue;
    auto category = find_ethnic_category(*id.ethnic_category);
    return category ? std::string(category->name) : *id.ethnic_category;
  }
  return "Not recorded";
}

std::string formatted_nhs_number(const std::optional<std::string>& digits) {
  if (!digits) return "Not known";
  auto nhs = NhsNumber::parse(*digits);
  return nhs.ok() ? nhs->formatted() : *digits;
}

std::string table(const std::string& caption, const std::string& id,
                  std::initializer_list<const char*> headings, const std::string& rows) {
  std::string html = R"(<table class="nhsuk-table" id=")" + id +
                     R"("><caption class="nhsuk-table__caption">)" + html_escape(caption) +
                     R"(</caption><thead class="nhsuk-table__head"><tr class="nhsuk-table__row">)";
  for (const char* h : headings)
    html += R"(<th scope="col" class="nhsuk-table__header">)" + std::string(h) + "</th>";
  return html + R"(</tr></thead><tbody class="nhsuk-table__body">)" + rows + "</tbody></table>";
}

std::string cell(const std::string& text) {
  return R"(<td class="nhsuk-table__cell">)" + html_escape(text) + "</td>";
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

std::string login_page(const std::string& username, bool failed) {
  std::string main = R"(<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">)";
  if (failed) main += error_summary("Enter a correct username and password", "username");
  main +=
      R"(<h1>Log in to onechild</h1><form method="post" action="/login" novalidate>)"
      R"(<div class="nhsuk-form-group"><label class="nhsuk-label" for="username">Username</label>)"
      R"(<input class="nhsuk-input nhsuk-u-width-two-thirds" id="username" name="username" type="text" autocomplete="username" spellcheck="false" value=")" +
      html_escape(username) +
      R"("></div><div class="nhsuk-form-group"><label class="nhsuk-label" for="password">Password</label>)"
      R"(<input class="nhsuk-input nhsuk-u-width-two-thirds" id="password" name="password" type="password" autocomplete="current-password"></div>)"
      R"(<button class="nhsuk-button" data-module="nhsuk-button" type="submit">Log in</button></form></div></div>)";
  return layout(failed ? "Error: Log in" : "Log in", std::nullopt, main);
}

std::string search_page(const User& user, const SearchForm& form) {
  std::string main = R"(<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">)";
  if (form.error) main += error_summary(*form.error, "nhs_number");
  main += R"(<h1>Find a child</h1><form method="get" action="/search" novalidate>)";
  main += form.error ? R"(<div class="nhsuk-form-group nhsuk-form-group--error">)"
                     : R"(<div class="nhsuk-form-group">)";
  main += R"(<label class="nhsuk-label" for="nhs_number">NHS number</label>)"
          R"(<div class="nhsuk-hint" id="nhs_number-hint">For example, 943 476 5919</div>)";
  if (form.error) {
    main +=
        R"(<span class="nhsuk-error-message" id="nhs_number-error"><span class="nhsuk-u-visually-hidden">Error:</span> )" +
        html_escape(*form.error) + "</span>";
  }
  main +=
      std::string(R"(<input class="nhsuk-input nhsuk-input--width-10)") +
      (form.error ? " nhsuk-input--error" : "") +
      R"(" id="nhs_number" name="nhs_number" type="text" inputmode="numeric" spellcheck="false" aria-describedby="nhs_number-hint" value=")" +
      html_escape(form.nhs_number) +
      R"("></div><button class="nhsuk-button" data-module="nhsuk-button" type="submit">Search</button></form>)";
  if (form.not_found) {
    main +=
        R"(<div class="nhsuk-inset-text" id="search-result"><span class="nhsuk-u-visually-hidden">Information: </span><p>)" +
        html_escape(*form.not_found) + "</p></div>";
  }
  main += "</div></div>";
  return layout(form.error ? "Error: Find a child" : "Find a child", user, main);
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

std::string record_page(const User& user, const ChildRecord& record, const RecordView& view) {
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
  return layout(record.display_name(), user, main);
}

std::string refused_page(const User& user, int64_t child_id, const std::string& reason,
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
        action + R"(" novalidate><div class="nhsuk-form-group)" +
        (form_error ? " nhsuk-form-group--error" : "") +
        R"("><label class="nhsuk-label" for="reason">Reason for emergency access</label>)" +
        (form_error
             ? R"(<span class="nhsuk-error-message" id="reason-error"><span class="nhsuk-u-visually-hidden">Error:</span> )" +
                   html_escape(*form_error) + "</span>"
             : std::string()) +
        R"(<textarea class="nhsuk-textarea" id="reason" name="reason" rows="3"></textarea></div>)"
        R"(<button class="nhsuk-button nhsuk-button--warning" type="submit">Open the record in an emergency</button></form>)";
  }
  return layout("You cannot open this record", user, main);
}

std::string message_page(const std::optional<User>& user, const std::string& title,
                         const std::string& message) {
  return layout(title, user,
                "<h1>" + html_escape(title) + R"(</h1><p class="nhsuk-body">)" +
                    html_escape(message) + "</p>");
}

}  // namespace onechild::api
