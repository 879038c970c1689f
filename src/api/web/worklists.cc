// Worklists and the child health hub MDT case list:
//
//   GET  /worklists?kind=hcp&practice=&upcoming=&page=   who is due or overdue
//   GET  /hub[?page=]                                     case-finding and the MDT
//   POST /hub/cases                                       raise a child for discussion
//   POST /hub/cases/{id}/outcome                          record what the MDT decided
//
// Roles with "view-worklists"; rows are only children the user's team has a
// legitimate relationship with. Lists come from WorklistCache, so a page
// costs a filter over cached rows plus one lookup per row shown.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <set>

#include "access/mdt.h"
#include "analytics/case_finding.h"
#include "api/web/modules.h"
#include "api/worklist_api.h"
#include "core/date.h"
#include "programmes/facts.h"

namespace onechild::api {
namespace {

constexpr size_t kRowsPerPage = 50;
constexpr size_t kSuggestionsPerPage = 10;
constexpr int kOpenCasesShown = 50;
constexpr int kOutcomesShown = 20;
constexpr int kMaxUpcomingDays = 365;

std::string day_text(Day day) {
  return day == kNoDay ? "" : nice_date(format_iso_date(from_day(day)));
}

// A whole number from min to max, or nullopt; "" is `empty`.
std::optional<int> number_of(const std::string& text, int empty, int min, int max) {
  if (text.empty()) return empty;
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    return std::nullopt;
  }
  return v;
}

std::string plural(size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// The status as a tag with words, never colour alone.
std::string status_tag(const WorklistRow& r) {
  if (r.status == "overdue" || r.days_overdue > 0) {
    return tag("Overdue by " + plural(static_cast<size_t>(r.days_overdue), "day", "days"), "red");
  }
  if (r.status == "due") return tag("Due", "yellow");
  if (r.status == "not-yet-due") return tag("Due soon", "grey");
  if (r.status == "signal") return tag("Signal", "orange");
  if (r.status == "running") return tag("Clock running", "blue");
  return tag(r.status, "grey");
}

// NHS number and name of each child, looked up once each.
std::map<int64_t, std::pair<std::string, std::string>> identities(Database& db,
                                                                  const std::set<int64_t>& ids) {
  std::vector<WorklistRow> rows;
  for (int64_t id : ids) {
    WorklistRow r;
    r.child_id = id;
    rows.push_back(std::move(r));
  }
  checked(add_identities(db, rows));
  std::map<int64_t, std::pair<std::string, std::string>> out;
  for (WorklistRow& r : rows)
    out[r.child_id] = {std::move(r.nhs_number), std::move(r.name)};
  return out;
}

std::string child_link(int64_t id, const std::string& name) {
  return link("/children/" + std::to_string(id), name.empty() ? "Name not known" : name);
}

std::string error_message(const std::string& id, const std::string& text) {
  return R"(<span class="nhsuk-error-message" id=")" + html_escape(id) +
         R"(-error"><span class="nhsuk-u-visually-hidden">Error:</span> )" + html_escape(text) +
         "</span>";
}

std::string pagination(const std::string& base, size_t page, size_t pages) {
  if (pages <= 1) return "";
  std::string html =
      R"(<nav class="nhsuk-pagination" role="navigation" aria-label="Pagination"><ul class="nhsuk-list nhsuk-pagination__list">)";
  const auto item = [&](size_t to, const char* side, const char* title) {
    return std::string(R"(<li class="nhsuk-pagination-item--)") + side +
           R"("><a class="nhsuk-pagination__link nhsuk-pagination__link--)" +
           (side[0] == 'p' ? "prev" : "next") + R"(" href=")" +
           html_escape(base + "page=" + std::to_string(to)) + R"(" rel=")" +
           (side[0] == 'p' ? "prev" : "next") + R"("><span class="nhsuk-pagination__title">)" +
           title +
           R"(<span class="nhsuk-u-visually-hidden"> page</span></span><span class="nhsuk-u-visually-hidden">:</span><span class="nhsuk-pagination__page">)" +
           std::to_string(to) + " of " + std::to_string(pages) + "</span></a></li>";
  };
  if (page > 1) html += item(page - 1, "previous", "Previous");
  if (page < pages) html += item(page + 1, "next", "Next");
  return html + "</ul></nav>";
}

// ---------------------------------------------------------------- /worklists

struct WorklistForm {
  WorklistKind kind = WorklistKind::kHcp;
  std::string practice, upcoming, page;  // as typed
  std::optional<std::string> error, error_field;
};

std::string kind_navigation(const WorklistForm& form, const std::vector<WorklistCounts>& counts) {
  std::string html =
      R"(<nav class="nhsuk-contents-list" id="worklist-kinds" role="navigation" aria-label="Worklists">)"
      R"(<h2 class="nhsuk-u-visually-hidden">Worklists</h2><ol class="nhsuk-contents-list__list">)";
  for (const WorklistCounts& c : counts) {
    const std::string name(worklist_kind_name(c.kind));
    const std::string text = std::string(worklist_title(c.kind)) + " (" +
                             std::to_string(c.overdue) + " overdue, " + std::to_string(c.other) +
                             " due)";
    if (c.kind == form.kind) {
      html +=
          R"(<li class="nhsuk-contents-list__item" aria-current="page"><span class="nhsuk-contents-list__current">)" +
          html_escape(text) + "</span></li>";
    } else {
      html +=
          R"(<li class="nhsuk-contents-list__item"><a class="nhsuk-contents-list__link" id="kind-)";
      html.append(name).append(R"(" href="/worklists?kind=)").append(name).append("\">");
      html += html_escape(text) + "</a></li>";
    }
  }
  return html + "</ol></nav>";
}

std::string filter_form(const WorklistForm& form) {
  const auto field = [&](const char* id, const char* label, const char* hint,
                         const std::string& value, const char* width, const char* mode) {
    const bool bad = form.error_field && *form.error_field == id;
    std::string html =
        std::string(R"(<div class="nhsuk-form-group)") + (bad ? " nhsuk-form-group--error" : "") +
        R"("><label class="nhsuk-label" for=")" + id + "\">" + label +
        R"(</label><div class="nhsuk-hint" id=")" + id + R"(-hint">)" + hint + "</div>";
    if (bad) html += error_message(id, *form.error);
    return html + R"(<input class="nhsuk-input )" + width + (bad ? " nhsuk-input--error" : "") +
           R"(" id=")" + id + R"(" name=")" + id + R"(" type="text" inputmode=")" + mode +
           R"(" spellcheck="false" aria-describedby=")" + id + "-hint" +
           (bad ? std::string(" ") + id + "-error" : "") + R"(" value=")" + html_escape(value) +
           R"("></div>)";
  };
  return R"(<form method="get" action="/worklists" class="app-worklist-filters" novalidate>)"
         R"(<input type="hidden" name="kind" value=")" +
         std::string(worklist_kind_name(form.kind)) +
         R"("><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Filter the list</legend>)" +
         field("practice", "GP practice code",
               "For example, A81001. Leave blank for every practice", form.practice,
               "nhsuk-input--width-10", "text") +
         field("upcoming", "Include items falling due within this many days",
               "A number from 0 to 365", form.upcoming, "nhsuk-input--width-4", "numeric") +
         R"(</fieldset><button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit">Apply filters</button></form>)";
}

std::string worklist_table(const WorklistForm& form, const std::vector<WorklistRow>& rows,
                           size_t total, size_t page, size_t pages) {
  const std::string title(worklist_title(form.kind));
  if (total == 0) {
    return inset("<p>No children you care for are due or overdue on this list" +
                     std::string(form.practice.empty() ? "" : " at this practice") + ".</p>",
                 "worklist-empty");
  }
  const size_t first = (page - 1) * kRowsPerPage + 1;
  std::string html =
      R"(<p class="nhsuk-body" id="worklist-summary">)" +
      html_escape(plural(total, "item", "items") + ", overdue first. Showing " +
                  std::to_string(first) + " to " + std::to_string(first + rows.size() - 1) + ".") +
      "</p>";
  std::string body;
  for (const WorklistRow& r : rows) {
    std::string item = html_escape(r.item_name.empty() ? r.item : r.item_name);
    if (!r.detail.empty()) {
      item +=
          R"(<span class="nhsuk-body-s app-worklist-detail">)" + html_escape(r.detail) + "</span>";
    }
    body += row_html(cell_html(child_link(r.child_id, r.name)) +
                     cell(formatted_nhs_number(r.nhs_number.empty()
                                                   ? std::nullopt
                                                   : std::optional<std::string>(r.nhs_number))) +
                     cell(day_text(r.birth)) + cell_html(item) + cell_html(status_tag(r)) +
                     cell(day_text(r.due)) + cell(day_text(r.by)) +
                     cell(r.practice.empty() ? "Not known" : r.practice));
  }
  html +=
      table(title + ": page " + std::to_string(page) + " of " + std::to_string(pages), "worklist",
            {"Child", "NHS number", "Date of birth", "Item", "Status", "Due", "Due by", "Practice"},
            body);
  std::string base = "/worklists?kind=" + std::string(worklist_kind_name(form.kind)) + "&";
  if (!form.practice.empty()) base += "practice=" + url_encode(form.practice) + "&";
  if (!form.upcoming.empty()) base += "upcoming=" + url_encode(form.upcoming) + "&";
  return html + pagination(base, page, pages);
}

HttpResponse worklist_page(PageContext& ctx, const WorklistForm& form,
                           const std::vector<WorklistCounts>& counts, const std::string& results,
                           int status) {
  std::string main;
  if (form.error) main += error_summary(*form.error, form.error_field.value_or("worklist-kinds"));
  // The lists and the filters side by side; the table needs the full width.
  main +=
      R"(<h1>Worklists</h1><div class="nhsuk-grid-row"><div class="nhsuk-grid-column-one-half">)" +
      kind_navigation(form, counts) + R"(</div><div class="nhsuk-grid-column-one-half">)" +
      filter_form(form) + R"(</div></div><h2 id="worklist-title">)" +
      html_escape(worklist_title(form.kind)) + "</h2>" + results;
  const std::string title = std::string(worklist_title(form.kind)) + " – Worklists";
  return html_page(status,
                   layout(ctx.shell(form.error ? "Error: " + title : title, "/worklists"), main));
}

HttpResponse show_worklists(PageContext& ctx) {
  if (!ctx.permits("view-worklists")) {
    return refuse(ctx, "You cannot see worklists", "Your role does not work caseload lists.");
  }
  const auto counts = ctx.services.worklists.counts_for(ctx.db, ctx.policy(), ctx.user);
  if (counts.empty()) {
    return refuse(ctx, "You cannot see worklists", "Your role works none of the worklists.");
  }
  const auto params = ctx.params();
  WorklistForm form;
  form.kind = counts.front().kind;
  form.practice = param(params, "practice");
  form.upcoming = param(params, "upcoming");
  form.page = param(params, "page");
  const std::string kind_text = param(params, "kind");
  if (!kind_text.empty()) {
    auto kind = parse_worklist_kind(kind_text);
    if (!kind.ok()) {
      form.error = "Choose a worklist from the list";
      return worklist_page(ctx, form, counts, "", 400);
    }
    form.kind = *kind;
    if (!role_works_list(ctx.user.role, form.kind)) {
      return refuse(ctx, "You cannot see this worklist", "Your role does not work this list.");
    }
  }
  // A practice is an ODS code: letters and digits only.
  std::string practice;
  for (char c : form.practice) {
    if (c != ' ') practice += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (practice.size() > 10 ||
      practice.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != std::string::npos) {
    form.error = "Enter a GP practice code of letters and numbers, like A81001";
    form.error_field = "practice";
    return worklist_page(ctx, form, counts, "", 400);
  }
  const auto upcoming = number_of(form.upcoming, 0, 0, kMaxUpcomingDays);
  if (!upcoming) {
    form.error = "Enter a number of days from 0 to 365";
    form.error_field = "upcoming";
    return worklist_page(ctx, form, counts, "", 400);
  }
  const auto page = number_of(form.page, 1, 1, 1000000);
  if (!page) {
    form.error = "Enter a page number of 1 or more";
    return worklist_page(ctx, form, counts, "", 400);
  }
  WorklistQuery q;
  q.kind = form.kind;
  q.as_of = today();
  q.practice = practice;
  q.upcoming_days = *upcoming;
  const size_t first = (static_cast<size_t>(*page) - 1) * kRowsPerPage;
  auto slice =
      ctx.services.worklists.slice_for(ctx.db, ctx.policy(), ctx.user, q, first, kRowsPerPage);
  const size_t total = slice.total;
  const size_t pages = std::max<size_t>(1, (total + kRowsPerPage - 1) / kRowsPerPage);
  if (static_cast<size_t>(*page) > pages) {
    form.error = "There is no page " + std::to_string(*page) + ": the list has " +
                 plural(pages, "page", "pages");
    return worklist_page(ctx, form, counts, "", 400);
  }
  std::vector<WorklistRow>& shown = slice.rows;
  checked(add_identities(ctx.db, shown));
  AuditEntry audit =
      audit_of(ctx.user, "view-worklist", std::nullopt,
               "GET /worklists " + std::string(worklist_kind_name(form.kind)) +
                   (practice.empty() ? "" : " practice " + practice) + " upcoming " +
                   std::to_string(*upcoming) + " page " + std::to_string(*page) + ", " +
                   std::to_string(shown.size()) + " of " + std::to_string(total) + " rows");
  std::set<int64_t> children;
  for (const WorklistRow& r : shown)
    children.insert(r.child_id);
  audit.more_children.assign(children.begin(), children.end());
  checked(record_audit(ctx.db, audit));
  return worklist_page(ctx, form, counts,
                       worklist_table(form, shown, total, static_cast<size_t>(*page), pages), 200);
}

// ---------------------------------------------------------------------- /hub

struct HubState {
  size_t page = 1;
  std::string done;  // "raised" | "outcome": the success banner after a redirect
  // A form that failed validation, shown again with its error.
  std::optional<std::string> error, error_field;
  int64_t raise_child = 0;
  std::string raise_list, reason;
  int64_t outcome_case = 0;
  std::string action, outcome;
};

std::string text_area(const std::string& id, const std::string& name, const std::string& label,
                      const std::string& hint, const std::string& value, const HubState& state) {
  const bool bad = state.error_field && *state.error_field == id;
  std::string html = std::string(R"(<div class="nhsuk-form-group)") +
                     (bad ? " nhsuk-form-group--error" : "") +
                     R"("><label class="nhsuk-label" for=")" + html_escape(id) + "\">" +
                     html_escape(label) + R"(</label><div class="nhsuk-hint" id=")" +
                     html_escape(id) + R"(-hint">)" + html_escape(hint) + "</div>";
  if (bad) html += error_message(id, *state.error);
  return html + R"(<textarea class="nhsuk-textarea)" + (bad ? " nhsuk-textarea--error" : "") +
         R"(" id=")" + html_escape(id) + R"(" name=")" + name + R"(" rows="2" aria-describedby=")" +
         html_escape(id) + "-hint" + (bad ? " " + html_escape(id) + "-error" : "") + "\">" +
         html_escape(value) + "</textarea></div>";
}

std::string list_name(const std::vector<CaseFindingList>& lists, const std::string& id) {
  for (const CaseFindingList& l : lists) {
    if (l.id == id) return l.name;
  }
  return id;
}

std::string suggestion_card(const PageContext& ctx, const CaseFindingRow& row,
                            const std::vector<CaseFindingList>& lists,
                            const std::pair<std::string, std::string>& who, const HubState& state,
                            bool knows_deprivation) {
  const std::string id = "reason-" + std::to_string(row.child_id) + "-" + row.list;
  const std::string name = who.second.empty() ? "Name not known" : who.second;
  std::string deprivation =
      row.imd_decile > 0 ? "IMD decile " + std::to_string(row.imd_decile) : "Not known";
  std::string evidence = row.events > 0 ? plural(static_cast<size_t>(row.events), "event", "events")
                                        : std::string("None in the period");
  if (row.last_event.ok()) {
    evidence += ", latest " + nice_date(format_iso_date(row.last_event));
  }
  std::string html =
      R"(<div class="nhsuk-card app-hub-card"><div class="nhsuk-card__content"><h3 class="nhsuk-card__heading nhsuk-heading-s">)" +
      child_link(row.child_id, who.second) + "</h3>";
  if (row.core20) html += "<p>" + tag("Core20: most deprived 20%", "purple") + "</p>";
  html +=
      R"(<dl class="nhsuk-summary-list">)" + summary_row("List", list_name(lists, row.list)) +
      summary_row("NHS number",
                  formatted_nhs_number(who.first.empty() ? std::nullopt
                                                         : std::optional<std::string>(who.first))) +
      summary_row("Age", plural(static_cast<size_t>(row.age), "year", "years")) +
      summary_row("Practice", row.practice.empty() ? "Not known" : row.practice) +
      summary_row("Deprivation", knows_deprivation ? deprivation : "Not known") +
      summary_row("Evidence", evidence) + "</dl>";
  const bool again = state.raise_child == row.child_id && state.raise_list == row.list;
  html +=
      R"(<form method="post" action="/hub/cases" novalidate>)" + csrf_field(ctx.csrf) +
      R"(<input type="hidden" name="child" value=")" + std::to_string(row.child_id) +
      R"("><input type="hidden" name="list" value=")" + html_escape(row.list) +
      R"("><input type="hidden" name="page" value=")" + std::to_string(state.page) + "\">" +
      text_area(id, "reason", "Reason for raising " + name, "What the MDT should discuss",
                again ? state.reason : "", state) +
      R"(<button class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" data-module="nhsuk-button" type="submit">Raise for discussion<span class="nhsuk-u-visually-hidden">: )" +
      html_escape(name) + "</span></button></form></div></div>";
  return html;
}

std::string outcome_card(const PageContext& ctx, const MdtCase& c,
                         const std::vector<CaseFindingList>& lists,
                         const std::pair<std::string, std::string>& who, const HubState& state) {
  const std::string n = std::to_string(c.id);
  const std::string name = who.second.empty() ? "Name not known" : who.second;
  const bool again = state.outcome_case == c.id;
  std::string html =
      R"(<div class="nhsuk-card app-hub-card" id="case-)" + n +
      R"("><div class="nhsuk-card__content"><h3 class="nhsuk-card__heading nhsuk-heading-s">)" +
      child_link(c.child_id, who.second) + "</h3>" + R"(<dl class="nhsuk-summary-list">)" +
      summary_row("List", list_name(lists, c.list)) + summary_row("Raised by", c.raised_by) +
      summary_row("Raised on", nice_date(c.raised_at)) + summary_row("Reason", c.reason) + "</dl>";
  const std::string action_id = "action-" + n;
  const bool bad_action = state.error_field && *state.error_field == action_id + "-1";
  html +=
      R"(<form method="post" action="/hub/cases/)" + n + R"(/outcome" novalidate>)" +
      csrf_field(ctx.csrf) + R"(<div class="nhsuk-form-group)" +
      (bad_action ? " nhsuk-form-group--error" : "") + R"("><fieldset class="nhsuk-fieldset")" +
      (bad_action ? R"( aria-describedby=")" + action_id + R"(-1-error")" : "") +
      R"(><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">What did the MDT decide for )" +
      html_escape(name) + "?</legend>";
  if (bad_action) html += error_message(action_id + "-1", *state.error);
  html += R"(<div class="nhsuk-radios nhsuk-radios--small" data-module="nhsuk-radios">)";
  int i = 0;
  for (const MdtAction& a : kMdtActions) {
    const std::string id = action_id + "-" + std::to_string(++i);
    html += R"(<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id=")" + id +
            R"(" name="action" type="radio" value=")" + std::string(a.id) + "\"";
    if (again && state.action == a.id) html += " checked";
    html += R"(><label class="nhsuk-label nhsuk-radios__label" for=")" + id + "\">";
    html += html_escape(a.name) + "</label></div>";
  }
  html +=
      "</div></fieldset></div>" +
      text_area("outcome-" + n, "outcome", "Outcome of the discussion",
                "What was agreed, and who will do it", again ? state.outcome : "", state) +
      R"(<button class="nhsuk-button nhsuk-u-margin-bottom-0" data-module="nhsuk-button" type="submit">Record outcome<span class="nhsuk-u-visually-hidden">: )" +
      html_escape(name) + "</span></button></form></div></div>";
  return html;
}

HttpResponse hub_page(PageContext& ctx, const HubState& state, int status) {
  WorklistCache& cache = ctx.services.worklists;
  const auto lists = cache.case_finding_lists();
  const auto open = checked(mdt_cases(ctx.db, ctx.user.organisation, "open", kOpenCasesShown));
  const int64_t open_total = checked(count_mdt_cases(ctx.db, ctx.user.organisation, "open"));
  const auto closed = checked(mdt_cases(ctx.db, ctx.user.organisation, "closed", kOutcomesShown));

  // Suggestions: not raised by the team on the same list in the last year
  // (open, or discussed already).
  const auto raised = checked(raised_since(
      ctx.db, ctx.user.organisation,
      format_iso_timestamp(std::chrono::system_clock::now() - std::chrono::days(365))));
  std::vector<CaseFindingRow> suggestions = cache.case_finding_for(ctx.db, ctx.policy(), ctx.user);
  std::erase_if(suggestions, [&](const CaseFindingRow& r) {
    return raised.contains({r.child_id, r.list});
  });
  const size_t pages =
      std::max<size_t>(1, (suggestions.size() + kSuggestionsPerPage - 1) / kSuggestionsPerPage);
  HubState shown_state = state;
  std::optional<std::string> page_error;
  if (state.page > pages) {
    page_error = "There is no page " + std::to_string(state.page) + " of suggestions";
    shown_state.page = 1;
  }
  const size_t first = (shown_state.page - 1) * kSuggestionsPerPage;
  const size_t last = std::min(suggestions.size(), first + kSuggestionsPerPage);

  std::set<int64_t> ids;
  for (size_t i = first; i < last; ++i)
    ids.insert(suggestions[i].child_id);
  for (const MdtCase& c : open)
    ids.insert(c.child_id);
  for (const MdtCase& c : closed)
    ids.insert(c.child_id);
  const auto who = identities(ctx.db, ids);

  std::string main;
  if (page_error) {
    main += error_summary(*page_error, "suggestions");
  } else if (state.error) {
    main += error_summary(*state.error, state.error_field.value_or("suggestions"));
  }
  main +=
      R"(<span class="nhsuk-caption-l">Core20PLUS5 case-finding</span><h1>Child health hub MDT</h1>)";
  if (state.done == "raised" || state.done == "outcome") {
    main +=
        R"(<div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert" aria-labelledby="hub-banner-title" data-module="nhsuk-notification-banner">)"
        R"(<div class="nhsuk-notification-banner__header"><h2 class="nhsuk-notification-banner__title" id="hub-banner-title">Success</h2></div>)"
        R"(<div class="nhsuk-notification-banner__content"><p class="nhsuk-notification-banner__heading" id="hub-done">)" +
        std::string(state.done == "raised" ? "Case raised for discussion" : "Outcome recorded") +
        "</p></div></div>";
  }
  main +=
      R"(<p class="nhsuk-body">Children your team cares for who meet a case-finding list, the cases raised for the team's multidisciplinary meeting, and what it decided.</p>)";

  // (a) suggestions
  main += R"(<h2 id="suggestions">Case-finding suggestions</h2>)";
  if (!cache.knows_deprivation()) {
    main += inset(
        "<p>Deprivation is not known on this server, so Core20 children cannot be put first.</p>");
  }
  if (suggestions.empty()) {
    main += inset("<p>No children you care for meet a case-finding list today.</p>",
                  "suggestions-empty");
  } else {
    main += R"(<p class="nhsuk-body" id="suggestions-summary">)" +
            html_escape(
                plural(suggestions.size(), "suggestion", "suggestions") +
                " not raised in the last year, Core20 children first within each list. Showing " +
                std::to_string(first + 1) + " to " + std::to_string(last) + ".") +
            "</p>";
    for (size_t i = first; i < last; ++i) {
      main += suggestion_card(ctx, suggestions[i], *lists, who.at(suggestions[i].child_id),
                              shown_state, cache.knows_deprivation());
    }
    main += pagination("/hub?", shown_state.page, pages);
  }

  // (b) cases raised
  main += R"(<h2 id="cases">Cases raised for discussion</h2>)";
  if (open.empty()) {
    main += inset("<p>No cases are waiting for discussion.</p>", "cases-empty");
  } else {
    if (open_total > static_cast<int64_t>(open.size())) {
      main += R"(<p class="nhsuk-body">The oldest )" + std::to_string(open.size()) + " of " +
              std::to_string(open_total) + " open cases.</p>";
    }
    for (const MdtCase& c : open)
      main += outcome_card(ctx, c, *lists, who.at(c.child_id), state);
  }

  // (c) outcomes
  main += R"(<h2 id="outcomes">Outcomes recorded</h2>)";
  if (closed.empty()) {
    main += inset("<p>No outcomes have been recorded yet.</p>", "outcomes-empty");
  } else {
    std::string body;
    for (const MdtCase& c : closed) {
      body += row_html(cell_html(child_link(c.child_id, who.at(c.child_id).second)) +
                       cell(list_name(*lists, c.list)) +
                       cell(std::string(mdt_action_name(c.action).value_or(c.action))) +
                       cell(c.outcome) + cell(c.outcome_by) + cell(nice_date(c.outcome_at)));
    }
    main += table("Outcomes recorded, newest first", "outcomes-table",
                  {"Child", "List", "Decision", "Outcome", "Recorded by", "Date"}, body);
  }

  AuditEntry audit = audit_of(ctx.user, "view-hub-mdt", std::nullopt,
                              "GET /hub page " + std::to_string(shown_state.page) + ", " +
                                  std::to_string(last - first) + " suggestions, " +
                                  std::to_string(open.size()) + " open cases");
  audit.more_children.assign(ids.begin(), ids.end());
  checked(record_audit(ctx.db, audit));
  const bool failed = state.error || page_error;
  return html_page(
      page_error ? 400 : status,
      layout(ctx.shell(failed ? "Error: Child health hub MDT" : "Child health hub MDT", "/hub"),
             main));
}

HttpResponse raise_case(PageContext& ctx) {
  const auto form = ctx.form();
  HubState state;
  state.page = static_cast<size_t>(number_of(param(form, "page"), 1, 1, 1000000).value_or(1));
  const auto child = id_of(param(form, "child"));
  const auto lists = ctx.services.worklists.case_finding_lists();
  state.raise_list = param(form, "list");
  const bool known_list = std::any_of(lists->begin(), lists->end(), [&](const CaseFindingList& l) {
    return l.id == state.raise_list;
  });
  if (!child || !known_list) {
    return message_response(ctx, 400, "Sorry, that form could not be read",
                            "Go back to the hub MDT page and try again.");
  }
  state.raise_child = *child;
  state.reason = param(form, "reason");
  // Only a child the team already cares for (break-glass is not a reason to raise).
  auto decision = decide_record_access(ctx.db, ctx.policy(), principal_for(ctx.user), *child);
  if (!decision.ok()) {
    if (decision.error().code() == Error::Code::kNotFound) {
      return message_response(ctx, 404, "Page not found", "There is no such child.");
    }
    checked(Status(decision.error()));
  }
  if (!decision->allowed || decision->basis == "break-glass") {
    checked(
        record_audit(ctx.db, audit_of(ctx.user, "mdt-raise", *child,
                                      "POST /hub/cases: no legitimate relationship", "denied")));
    return message_response(ctx, 403, "You cannot raise this child",
                            "Your team has no legitimate relationship with this child.");
  }
  auto raised =
      raise_mdt_case(ctx.db, ctx.policy(), ctx.user, *child, state.raise_list, state.reason);
  if (!raised.ok()) {
    if (raised.error().code() != Error::Code::kInvalidArgument) checked(Status(raised.error()));
    state.error = raised.error().message();
    state.error_field = "reason-" + std::to_string(*child) + "-" + state.raise_list;
    return hub_page(ctx, state, 400);
  }
  return redirect_to("/hub?done=raised#cases");
}

HttpResponse record_outcome(PageContext& ctx, int64_t case_id) {
  const auto form = ctx.form();
  HubState state;
  state.outcome_case = case_id;
  state.action = param(form, "action");
  state.outcome = param(form, "outcome");
  const std::string n = std::to_string(case_id);
  if (!mdt_action_name(state.action)) {
    state.error = "Choose what the MDT decided";
    state.error_field = "action-" + n + "-1";
  }
  if (!state.error) {
    Status s = record_mdt_outcome(ctx.db, ctx.user, case_id, state.action, state.outcome);
    if (s.ok()) return redirect_to("/hub?done=outcome#outcomes");
    if (s.error().code() == Error::Code::kNotFound) {
      checked(record_audit(
          ctx.db, audit_of(ctx.user, "mdt-outcome", std::nullopt,
                           "POST /hub/cases/" + n + "/outcome: " + s.error().message(), "denied")));
      return message_response(ctx, 404, "Page not found",
                              "Your team has no open case at this address.");
    }
    if (s.error().code() != Error::Code::kInvalidArgument) checked(s);
    state.error = s.error().message();
    state.error_field = "outcome-" + n;
  }
  return hub_page(ctx, state, 400);
}

HttpResponse hub(PageContext& ctx) {
  if (!ctx.permits("view-worklists")) {
    return refuse(ctx, "You cannot see the hub MDT case list",
                  "Only clinical teams with worklists take part in the MDT.");
  }
  const std::string rest = ctx.path.substr(4);  // after "/hub"
  if (rest.empty()) {
    if (!ctx.get()) return message_response(ctx, 405, "Method not allowed", "Use the forms.");
    const auto params = ctx.params();
    HubState state;
    const auto page = number_of(param(params, "page"), 1, 1, 1000000);
    if (!page) {
      state.error = "Enter a page number of 1 or more";
      return hub_page(ctx, state, 400);
    }
    state.page = static_cast<size_t>(*page);
    state.done = param(params, "done");
    return hub_page(ctx, state, 200);
  }
  if (rest == "/cases") {
    if (!ctx.post()) return message_response(ctx, 405, "Method not allowed", "Use the forms.");
    return raise_case(ctx);
  }
  constexpr std::string_view kCases = "/cases/";
  constexpr std::string_view kOutcome = "/outcome";
  if (rest.rfind(kCases, 0) == 0 && rest.size() > kCases.size() + kOutcome.size() &&
      rest.compare(rest.size() - kOutcome.size(), kOutcome.size(), kOutcome) == 0) {
    const auto id =
        id_of(rest.substr(kCases.size(), rest.size() - kCases.size() - kOutcome.size()));
    if (!id) return message_response(ctx, 404, "Page not found", "Check the web address.");
    if (!ctx.post()) return message_response(ctx, 405, "Method not allowed", "Use the forms.");
    return record_outcome(ctx, *id);
  }
  return message_response(ctx, 404, "Page not found", "Check the web address.");
}

}  // namespace

std::optional<HttpResponse> worklist_pages(PageContext& ctx) {
  if (ctx.path == "/worklists") {
    if (!ctx.get()) return message_response(ctx, 405, "Method not allowed", "Use the links.");
    return show_worklists(ctx);
  }
  if (ctx.path == "/hub" || ctx.path.rfind("/hub/", 0) == 0) return hub(ctx);
  return std::nullopt;
}

}  // namespace onechild::api
