// Information governance (DESIGN §2: who saw what and why; emergency access;
// a tamper-evident audit): GET /ig (the audit search), GET /ig/break-glass
// with POST /ig/break-glass/{id}/review, GET /ig/chain with POST
// /ig/chain/verify. Every page, search and review is itself audited.
//
// Costs on a log of millions of rows: each search reads one page (50 rows)
// through an index chosen by the filter (search_audit); a page number is
// capped so OFFSET stays bounded; the break-glass list is paged and counts
// record views through the user's audit index within the 4-hour window; the
// chain page reads the last row and the IG officers' own latest verification
// through audit_events_by_user. Verification itself (the whole chain) runs
// only when asked, from a button.
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <utility>
#include <vector>

#include "access/access_control.h"
#include "api/web/modules.h"

namespace onechild::api {
namespace {

constexpr int64_t kPageSize = 50;
// OFFSET reads and discards the rows before the page: past this, narrow the search.
constexpr int64_t kMaxPage = 200;
// How many days an action search without a user or child may cover.

// The actions the product records (grep record_audit / audit_of), offered
// in the search; an action recorded since (letters and hyphens) is accepted too.
constexpr std::string_view kActions[] = {
    "break-glass",
    "denied",
    "everything",
    "export",
    "export-audit",
    "link-decision",
    "login",
    "login-failed",
    "logout",
    "mdt-outcome",
    "mdt-raise",
    "merge-children",
    "read",
    "review-break-glass",
    "search",
    "search-audit",
    "unmerge-child",
    "verify-audit",
    "view-audit-chain",
    "view-break-glass",
    "view-child-history",
    "view-data-quality",
    "view-family-list",
    "view-growth",
    "view-hub-mdt",
    "view-indicators",
    "view-notifications",
    "view-record",
    "view-review",
    "view-review-queue",
    "view-worklist",
};

using FieldErrors = std::vector<std::pair<std::string, std::string>>;  // field id, message

std::string error_for(const FieldErrors& errors, const std::string& id) {
  for (const auto& [field, message] : errors) {
    if (field == id) return message;
  }
  return "";
}

// The error summary with one line per field (kit's error_summary has one).
std::string errors_summary(const FieldErrors& errors) {
  std::string items;
  for (const auto& [field, message] : errors) {
    items += R"(<li><a href="#)" + html_escape(field) + "\">" + html_escape(message) + "</a></li>";
  }
  return R"(<div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1">)"
         R"(<h2 class="nhsuk-error-summary__title" id="error-summary-title">There is a problem</h2>)"
         R"(<div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list">)" +
         items + "</ul></div></div>";
}

std::string error_message(const std::string& id, const std::string& message) {
  return R"(<span class="nhsuk-error-message" id=")" + html_escape(id) +
         R"(-error"><span class="nhsuk-u-visually-hidden">Error:</span> )" + html_escape(message) +
         "</span>";
}

std::string success_banner(const std::string& text) {
  return R"(<div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert" )"
         R"(aria-labelledby="success-title" data-module="nhsuk-notification-banner">)"
         R"(<div class="nhsuk-notification-banner__header"><h2 class="nhsuk-notification-banner__title" id="success-title">Success</h2></div>)"
         R"(<div class="nhsuk-notification-banner__content"><p class="nhsuk-notification-banner__heading">)" +
         html_escape(text) + "</p></div></div>";
}

// "22 November 2026, 12:06:19 UTC" from the store's ISO timestamps.
std::string when_text(const std::string& iso) {
  if (iso.size() < 19) return nice_date(iso);
  return nice_date(iso) + ", " + iso.substr(11, 8) + " UTC";
}

std::string role_name(const PageContext& ctx, const std::string& role) {
  const RolePolicy* r = ctx.policy().role(role);
  return r != nullptr ? r->name : role;
}

// The three pages, as a contents list under the heading.
std::string contents(const std::string& current) {
  constexpr std::pair<const char*, const char*> kPages[] = {
      {"/ig", "Audit search"},
      {"/ig/break-glass", "Break-glass review"},
      {"/ig/chain", "Audit chain status"},
  };
  std::string html =
      R"(<nav class="nhsuk-contents-list" role="navigation" aria-label="Information governance pages">)"
      R"(<h2 class="nhsuk-u-visually-hidden">Information governance pages</h2><ol class="nhsuk-contents-list__list">)";
  for (const auto& [href, text] : kPages) {
    html +=
        current == href
            ? std::string(
                  R"(<li class="nhsuk-contents-list__item" aria-current="page"><span class="nhsuk-contents-list__current">)") +
                  text + "</span></li>"
            : std::string(
                  R"(<li class="nhsuk-contents-list__item"><a class="nhsuk-contents-list__link" href=")") +
                  href + "\">" + text + "</a></li>";
  }
  return html + "</ol></nav>";
}

std::string svg_arrow(bool left) {
  return std::string(R"(<svg class="nhsuk-icon nhsuk-icon--arrow-)") + (left ? "left" : "right") +
         R"(" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16" focusable="false" aria-hidden="true"><path d=")" +
         (left ? "M10.7 6.3c.4.4.4 1 0 1.4L7.4 11H19a1 1 0 0 1 0 2H7.4l3.3 3.3c.4.4.4 1 0 1.4a1 1 "
                 "0 0 1-1.4 0l-5-5A1 1 0 0 1 4 12c0-.3.1-.5.3-.7l5-5a1 1 0 0 1 1.4 0Z"
               : "m14.7 6.3 5 5c.2.2.3.4.3.7 0 .3-.1.5-.3.7l-5 5a1 1 0 0 1-1.4-1.4l3.3-3.3H5a1 1 0 "
                 "0 1 0-2h11.6l-3.3-3.3a1 1 0 1 1 1.4-1.4Z") +
         "\"/></svg>";
}

// Previous / next links (nhsuk pagination without numbers); hrefs built here.
std::string pagination(const std::string& previous_href, const std::string& next_href,
                       int64_t page) {
  if (previous_href.empty() && next_href.empty()) return "";
  std::string html =
      R"(<nav class="nhsuk-pagination" role="navigation" aria-label="Pagination"><ul class="nhsuk-list nhsuk-pagination__list">)";
  if (!previous_href.empty()) {
    html +=
        R"(<li class="nhsuk-pagination-item--previous"><a class="nhsuk-pagination__link nhsuk-pagination__link--prev" href=")" +
        html_escape(previous_href) +
        R"(" rel="prev"><span class="nhsuk-pagination__title">Previous<span class="nhsuk-u-visually-hidden"> page</span></span>)"
        R"(<span class="nhsuk-u-visually-hidden">:</span><span class="nhsuk-pagination__page">Page )" +
        std::to_string(page - 1) + "</span>" + svg_arrow(true) + "</a></li>";
  }
  if (!next_href.empty()) {
    html +=
        R"(<li class="nhsuk-pagination-item--next"><a class="nhsuk-pagination__link nhsuk-pagination__link--next" href=")" +
        html_escape(next_href) +
        R"(" rel="next"><span class="nhsuk-pagination__title">Next<span class="nhsuk-u-visually-hidden"> page</span></span>)"
        R"(<span class="nhsuk-u-visually-hidden">:</span><span class="nhsuk-pagination__page">Page )" +
        std::to_string(page + 1) + "</span>" + svg_arrow(false) + "</a></li>";
  }
  return html + "</ul></nav>";
}

std::string outcome_tag(const std::string& outcome) {
  if (outcome == "allowed") return tag("allowed", "green");
  if (outcome == "denied") return tag("denied", "red");
  return tag(outcome, "orange");
}

// ---------------------------------------------------------------- /ig

struct SearchForm {
  std::string user, child, from, to, action, page;  // as typed, shown back
  FieldErrors errors;
  AuditQuery query;
  int64_t page_number = 1;
};

SearchForm read_search(const std::map<std::string, std::string>& params) {
  SearchForm f{param(params, "user"),
               param(params, "child"),
               param(params, "from"),
               param(params, "to"),
               param(params, "action"),
               param(params, "page"),
               {},
               {},
               1};
  AuditQuery& q = f.query;
  q.limit = kPageSize + 1;  // one more than shown: is there a next page?
  if (f.user.size() > 100) {
    f.errors.emplace_back("user", "Username or user id must be 100 characters or fewer");
  } else {
    q.user = f.user;
  }
  if (!f.child.empty()) {
    if (auto id = id_of(f.child)) {
      q.child_id = *id;
    } else {
      f.errors.emplace_back("child", "Enter the child id as a number, like 1234");
    }
  }
  for (const auto& [id, text, out, label] :
       {std::tuple{"from", &f.from, &q.from, "from"}, std::tuple{"to", &f.to, &q.to, "to"}}) {
    if (text->empty()) continue;
    auto date = parse_iso_date(*text);
    if (date.ok() && text->size() == 10) {
      *out = *date;
    } else {
      f.errors.emplace_back(id, std::string("Enter a real ") + label +
                                    " date, in the form YYYY-MM-DD, like 2026-11-01");
    }
  }
  if (q.from && q.to && *q.to < *q.from) {
    f.errors.emplace_back("to", "The to date must be the same as or after the from date");
  }
  if (!f.action.empty()) {
    if (f.action.size() > 40 ||
        f.action.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos) {
      f.errors.emplace_back("action", "Choose an action from the list");
    } else {
      q.action = f.action;
    }
  }
  if (!f.page.empty()) {
    auto n = id_of(f.page);
    if (!n || *n < 1 || *n > kMaxPage) {
      f.errors.emplace_back("search-button", "The page number must be from 1 to " +
                                                 std::to_string(kMaxPage) +
                                                 ": narrow the search to see older entries");
    } else {
      f.page_number = *n;
    }
  }
  q.offset = (f.page_number - 1) * kPageSize;
  return f;
}

std::string text_field(const SearchForm& f, const std::string& id, const std::string& label,
                       const std::string& hint, const std::string& value, const char* type,
                       const char* width, const char* extra = "") {
  const std::string error = error_for(f.errors, id);
  std::string html = error.empty() ? R"(<div class="nhsuk-form-group">)"
                                   : R"(<div class="nhsuk-form-group nhsuk-form-group--error">)";
  html += R"(<label class="nhsuk-label" for=")" + id + "\">" + html_escape(label) + "</label>";
  std::string described = id + "-hint";
  html += R"(<div class="nhsuk-hint" id=")" + id + R"(-hint">)" + html_escape(hint) + "</div>";
  if (!error.empty()) {
    html += error_message(id, error);
    described += " " + id + "-error";
  }
  return html + R"(<input class="nhsuk-input )" + width +
         (error.empty() ? "" : " nhsuk-input--error") + R"(" id=")" + id + R"(" name=")" + id +
         R"(" type=")" + type + "\" " + extra + R"( aria-describedby=")" + described +
         R"(" value=")" + html_escape(value) + "\"></div>";
}

std::string action_select(const SearchForm& f) {
  const std::string error = error_for(f.errors, "action");
  std::string html = error.empty() ? R"(<div class="nhsuk-form-group">)"
                                   : R"(<div class="nhsuk-form-group nhsuk-form-group--error">)";
  html += R"(<label class="nhsuk-label" for="action">Action</label>)"
          R"(<div class="nhsuk-hint" id="action-hint">What was done: a view, a search, an )"
          R"(emergency access, a refusal</div>)";
  if (!error.empty()) html += error_message("action", error);
  html += std::string(R"(<select class="nhsuk-select)") +
          (error.empty() ? "" : " nhsuk-select--error") + R"(" id="action" name="action")" +
          (error.empty() ? R"( aria-describedby="action-hint")"
                         : R"( aria-describedby="action-hint action-error")") +
          R"(><option value="">Any action</option>)";
  const bool listed = f.action.empty() || std::find(std::begin(kActions), std::end(kActions),
                                                    f.action) != std::end(kActions);
  if (!listed && error.empty()) {
    html += "<option value=\"" + html_escape(f.action) + "\" selected>" + html_escape(f.action) +
            "</option>";
  }
  for (std::string_view a : kActions) {
    html += "<option value=\"" + std::string(a) + "\"" + (f.action == a ? " selected" : "") + ">" +
            std::string(a) + "</option>";
  }
  return html + "</select></div>";
}

std::string children_text(const std::vector<int64_t>& children) {
  std::string text;
  const size_t shown = std::min<size_t>(children.size(), 10);
  for (size_t i = 0; i < shown; ++i)
    text += (i ? ", " : "") + std::to_string(children[i]);
  if (children.size() > shown) text += " and " + std::to_string(children.size() - shown) + " more";
  return text.empty() ? "None" : text;
}

// The search's query string without `page`, for the paging links.
std::string search_query(const SearchForm& f) {
  std::string q;
  for (const auto& [name, value] :
       {std::pair{"user", &f.user}, std::pair{"child", &f.child}, std::pair{"from", &f.from},
        std::pair{"to", &f.to}, std::pair{"action", &f.action}}) {
    if (!value->empty()) q += std::string(q.empty() ? "" : "&") + name + "=" + url_encode(*value);
  }
  return q;
}

std::string page_href(const std::string& base, const std::string& query, int64_t page) {
  std::string q = query;
  if (page > 1) q += (q.empty() ? "" : "&") + std::string("page=") + std::to_string(page);
  return q.empty() ? base : base + "?" + q;
}

std::string search_page(const PageContext& ctx, const SearchForm& f,
                        const std::vector<AuditRow>* rows) {
  std::string main;
  if (!f.errors.empty()) main += errors_summary(f.errors);
  main += R"(<h1>Audit search</h1>)" + contents("/ig");
  main +=
      R"(<p class="nhsuk-body">Who did what to which child, when, for what purpose, and whether it was allowed. )"
      R"(Newest first, 50 to a page. Your searches are audited too.</p>)";
  main +=
      R"(<form method="get" action="/ig" novalidate><div class="nhsuk-grid-row"><div class="nhsuk-grid-column-one-half">)";
  main += text_field(f, "user", "Username or user id", "For example, edoc or 12", f.user, "text",
                     "nhsuk-input--width-20", R"(spellcheck="false" autocomplete="off")");
  main += text_field(f, "child", "Child id", "The child's id in onechild, for example 1234",
                     f.child, "text", "nhsuk-input--width-10", R"(inputmode="numeric")");
  main += action_select(f);
  main += R"(</div><div class="nhsuk-grid-column-one-half">)";
  main += text_field(f, "from", "From date", "The first day to include, for example 2026-11-01",
                     f.from, "date", "nhsuk-input--width-10");
  main += text_field(f, "to", "To date", "The last day to include", f.to, "date",
                     "nhsuk-input--width-10");
  main +=
      R"(</div></div><button class="nhsuk-button" data-module="nhsuk-button" type="submit" id="search-button">Search the audit</button></form>)";
  if (rows != nullptr) {
    std::string body;
    const size_t shown = std::min<size_t>(rows->size(), kPageSize);
    for (size_t i = 0; i < shown; ++i) {
      const AuditRow& r = (*rows)[i];
      std::string who = r.username.empty() ? "Unknown" : r.username;
      if (r.user_id) who += " (user " + std::to_string(*r.user_id) + ")";
      body += row_html(cell(when_text(r.at)) + cell(who) + cell(role_name(ctx, r.role)) +
                       cell(r.organisation) + cell(r.action) + cell(children_text(r.children)) +
                       cell(r.what) + cell_html(outcome_tag(r.outcome)) + cell(r.purpose));
    }
    const std::string caption =
        rows->empty()
            ? "No audit entries match"
            : "Audit entries " + std::to_string(f.query.offset + 1) + " to " +
                  std::to_string(f.query.offset + static_cast<int64_t>(shown)) + ", newest first";
    main += R"(<h2 id="results-heading">Results</h2>)";
    if (rows->empty()) {
      main += inset(R"(<p>No audit entries match this search.</p>)", "no-results");
    } else {
      // A wide table scrolls sideways: its container takes focus so that
      // keyboard users can scroll it.
      main +=
          R"(<div class="nhsuk-table-container" tabindex="0" role="region" aria-label="Audit entries">)" +
          table(caption, "audit-results",
                {"When", "Who", "Role", "Organisation", "Action", "Children", "What", "Outcome",
                 "Purpose"},
                body) +
          "</div>";
    }
    const std::string query = search_query(f);
    main += pagination(f.page_number > 1 ? page_href("/ig", query, f.page_number - 1) : "",
                       rows->size() > shown && f.page_number < kMaxPage
                           ? page_href("/ig", query, f.page_number + 1)
                           : "",
                       f.page_number);
  }
  return layout(ctx.shell(f.errors.empty() ? "Audit search" : "Error: Audit search", "/ig"), main);
}

HttpResponse audit_search(PageContext& ctx) {
  SearchForm form = read_search(ctx.params());
  const std::string what = "GET /ig" + (ctx.query.empty() ? "" : "?" + ctx.query);
  if (!form.errors.empty()) {
    checked(record_audit(ctx.db, audit_of(ctx.user, "search-audit", std::nullopt,
                                          what + ": not a valid search", "failed")));
    return html_page(400, search_page(ctx, form, nullptr));
  }
  const auto rows = checked(search_audit(ctx.db, form.query));
  checked(record_audit(ctx.db, audit_of(ctx.user, "search-audit", form.query.child_id, what)));
  return html_page(200, search_page(ctx, form, &rows));
}

// ---------------------------------------------------------------- /ig/break-glass

constexpr const char* kAppropriate = "Appropriate";
constexpr const char* kEscalate = "Not appropriate — escalate";

struct ReviewForm {
  int64_t id = 0;
  std::string outcome, note;
  FieldErrors errors;
};

std::string review_form(const BreakGlassAccess& a, const ReviewForm* entered) {
  const std::string id = std::to_string(a.access.id);
  const bool mine = entered != nullptr && entered->id == a.access.id;
  const std::string outcome_error = mine ? error_for(entered->errors, "outcome-" + id) : "";
  const std::string note_error = mine ? error_for(entered->errors, "note-" + id) : "";
  const std::string outcome = mine ? entered->outcome : "";
  std::string html =
      R"(<form method="post" action="/ig/break-glass/)" + id + R"(/review" novalidate>)";
  html += outcome_error.empty() ? R"(<div class="nhsuk-form-group">)"
                                : R"(<div class="nhsuk-form-group nhsuk-form-group--error">)";
  html +=
      R"(<fieldset class="nhsuk-fieldset" aria-describedby="outcome-)" + id + "-hint" +
      (outcome_error.empty() ? "" : " outcome-" + id + "-error") +
      R"("><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s"><h3 class="nhsuk-fieldset__heading">Was this access appropriate?</h3></legend>)"
      R"(<div class="nhsuk-hint" id="outcome-)" +
      id + R"(-hint">Check the reason against what was opened and when.</div>)";
  if (!outcome_error.empty()) html += error_message("outcome-" + id, outcome_error);
  html += R"(<div class="nhsuk-radios" data-module="nhsuk-radios">)";
  for (const auto& [value, label, suffix] :
       {std::tuple{"appropriate", kAppropriate, ""}, std::tuple{"escalate", kEscalate, "-2"}}) {
    const std::string input_id = "outcome-" + id + suffix;
    html += R"(<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id=")" +
            input_id + R"(" name="outcome" type="radio" value=")" + value + "\"";
    if (outcome == value) html += " checked";
    html += R"(><label class="nhsuk-label nhsuk-radios__label" for=")" + input_id + "\">";
    html += html_escape(label) + "</label></div>";
  }
  html += "</div></fieldset></div>";
  html += note_error.empty() ? R"(<div class="nhsuk-form-group">)"
                             : R"(<div class="nhsuk-form-group nhsuk-form-group--error">)";
  html += R"(<label class="nhsuk-label" for="note-)" + id +
          R"(">Review note</label>)"
          R"(<div class="nhsuk-hint" id="note-)" +
          id + R"(-hint">What you checked and any action taken.</div>)";
  if (!note_error.empty()) html += error_message("note-" + id, note_error);
  html += std::string(R"(<textarea class="nhsuk-textarea)") +
          (note_error.empty() ? "" : " nhsuk-textarea--error") + R"(" id="note-)" + id +
          R"(" name="note" rows="3" aria-describedby="note-)" + id + "-hint" +
          (note_error.empty() ? "" : " note-" + id + "-error") + "\">" +
          html_escape(mine ? entered->note : "") + "</textarea></div>";
  html +=
      R"(<button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit">Record review<span class="nhsuk-u-visually-hidden"> of break-glass access )" +
      id + "</span></button>";
  return html;  // the caller adds the token and closes the form
}

std::string access_card(const PageContext& ctx, const BreakGlassAccess& a,
                        const ReviewForm* entered) {
  const std::string id = std::to_string(a.access.id);
  const std::string who = (a.display_name.empty() ? "Unknown user" : a.display_name) +
                          (a.username.empty() ? "" : " (" + a.username + ")");
  std::string html = R"(<div class="nhsuk-card" id="break-glass-)" + id +
                     R"("><div class="nhsuk-card__content"><h2 class="nhsuk-card__heading">)" +
                     html_escape(who) + " opened the record of child " +
                     std::to_string(a.access.child_id) + "</h2>";
  html += R"(<dl class="nhsuk-summary-list">)";
  html += summary_row("Break-glass", id);
  html += summary_row("Role", role_name(ctx, a.role));
  html += summary_row("Organisation", a.organisation.empty() ? "Not recorded" : a.organisation);
  html += summary_row("Child id", std::to_string(a.access.child_id));
  html += summary_row("Started", when_text(a.access.started_at));
  html += summary_row("Expires", when_text(a.access.expires_at));
  html += summary_row("Reason given", a.access.reason);
  html += summary_row("Record opened in that time",
                      a.record_views == 0   ? "Not opened"
                      : a.record_views == 1 ? "Once"
                                            : std::to_string(a.record_views) + " times");
  std::string review;
  if (a.reviewed_at) {
    review = tag("Reviewed", "green") + R"(<p class="nhsuk-body nhsuk-u-margin-top-2">)" +
             html_escape(a.review_note.value_or("")) + "</p>" + R"(<p class="nhsuk-body-s">By )" +
             html_escape(a.reviewer.value_or("unknown")) + ", " +
             html_escape(when_text(*a.reviewed_at)) + "</p>";
  } else {
    review = tag("Not reviewed", "yellow");
  }
  html += summary_row_html("Review", review);
  html += "</dl>";
  html += R"(<p class="nhsuk-body">)" +
          link("/ig?child=" + std::to_string(a.access.child_id), "This child's audit trail") +
          " · " +
          link("/ig?user=" +
                   url_encode(a.username.empty() ? std::to_string(a.access.user_id) : a.username) +
                   "&from=" + a.access.started_at.substr(0, 10),
               "This user's audit trail from that day") +
          "</p>";
  if (!a.reviewed_at) {
    html += review_form(a, entered) + csrf_field(ctx.csrf) + "</form>";
  }
  return html + "</div></div>";
}

HttpResponse break_glass_list(PageContext& ctx) {
  const auto params = ctx.params();
  const std::string show = param(params, "show").empty() ? "unreviewed" : param(params, "show");
  const std::string page_text = param(params, "page");
  FieldErrors errors;
  if (show != "unreviewed" && show != "all") {
    errors.emplace_back("show-links", "Show unreviewed or all accesses");
  }
  int64_t page = 1;
  if (!page_text.empty()) {
    auto n = id_of(page_text);
    if (!n || *n < 1 || *n > 100000) {
      errors.emplace_back("show-links", "The page number must be a whole number from 1");
    } else {
      page = *n;
    }
  }
  const bool unreviewed = show != "all";
  std::string main;
  if (!errors.empty()) main += errors_summary(errors);
  if (auto reviewed = id_of(param(params, "reviewed")); reviewed && errors.empty()) {
    main +=
        success_banner("Review of break-glass access " + std::to_string(*reviewed) + " recorded");
  }
  main += "<h1>Break-glass review</h1>" + contents("/ig/break-glass");
  main +=
      R"(<p class="nhsuk-body">Every emergency access to a record without a legitimate relationship, newest first. )"
      R"(Check each reason against what was opened, then record whether it was appropriate.</p>)";
  main += R"(<p class="nhsuk-body" id="show-links">)" +
          (unreviewed ? std::string(R"(<strong>Showing unreviewed accesses</strong> · )") +
                            link("/ig/break-glass?show=all", "Show all accesses")
                      : link("/ig/break-glass?show=unreviewed", "Show unreviewed accesses only") +
                            " · <strong>Showing all accesses</strong>") +
          "</p>";
  if (!errors.empty()) {
    checked(record_audit(ctx.db,
                         audit_of(ctx.user, "view-break-glass", std::nullopt,
                                  "GET /ig/break-glass?" + ctx.query + ": not valid", "failed")));
    return html_page(400, layout(ctx.shell("Error: Break-glass review", "/ig"), main));
  }
  const int64_t total = checked(count_break_glass(ctx.db, unreviewed));
  const auto accesses = checked(
      list_break_glass(ctx.db, {unreviewed, kPageSize, (page - 1) * kPageSize, std::nullopt}));
  if (accesses.empty()) {
    main += inset(unreviewed ? "<p>There are no unreviewed break-glass accesses.</p>"
                             : "<p>There are no break-glass accesses.</p>",
                  "no-accesses");
  } else {
    main += R"(<p class="nhsuk-body">)" + std::to_string(total) +
            (unreviewed ? " unreviewed" : "") + (total == 1 ? " access" : " accesses") +
            ". Showing " + std::to_string((page - 1) * kPageSize + 1) + " to " +
            std::to_string((page - 1) * kPageSize + static_cast<int64_t>(accesses.size())) +
            ".</p>";
  }
  AuditEntry audit = audit_of(ctx.user, "view-break-glass", std::nullopt,
                              "GET /ig/break-glass" + (ctx.query.empty() ? "" : "?" + ctx.query));
  for (const auto& a : accesses) {
    main += access_card(ctx, a, nullptr);
    audit.more_children.push_back(a.access.child_id);
  }
  const std::string base = "show=" + show;
  main += pagination(page > 1 ? page_href("/ig/break-glass", base, page - 1) : "",
                     page * kPageSize < total ? page_href("/ig/break-glass", base, page + 1) : "",
                     page);
  checked(record_audit(ctx.db, audit));
  return html_page(200, layout(ctx.shell("Break-glass review", "/ig"), main));
}

HttpResponse record_review(PageContext& ctx, int64_t id) {
  const auto form = ctx.form();
  ReviewForm entered{id, param(form, "outcome"), param(form, "note"), {}};
  const std::string sid = std::to_string(id);
  if (entered.outcome != "appropriate" && entered.outcome != "escalate") {
    entered.errors.emplace_back("outcome-" + sid, "Select whether the access was appropriate");
  }
  if (entered.note.find_first_not_of(" \t\r\n") == std::string::npos) {
    entered.errors.emplace_back("note-" + sid, "Enter a review note");
  } else if (entered.note.size() > 2000) {
    entered.errors.emplace_back("note-" + sid, "The review note must be 2,000 characters or fewer");
  }
  if (entered.errors.empty()) {
    const std::string note =
        std::string(entered.outcome == "appropriate" ? kAppropriate : kEscalate) + ": " +
        entered.note;
    Status saved = review_break_glass(ctx.db, principal_for(ctx.user), id, note);
    if (saved.ok()) return redirect_to("/ig/break-glass?show=all&reviewed=" + sid);
    if (saved.error().code() == Error::Code::kNotFound) {
      return message_response(ctx, 404, "Page not found", "There is no such break-glass access.");
    }
    if (saved.error().code() != Error::Code::kInvalidArgument) checked(saved);
    entered.errors.emplace_back("break-glass-" + sid, "This access has already been reviewed");
  }
  checked(record_audit(
      ctx.db, audit_of(ctx.user, "review-break-glass", std::nullopt,
                       "POST /ig/break-glass/" + sid + "/review: " + entered.errors.front().second,
                       "failed")));
  const auto accesses = checked(list_break_glass(ctx.db, {false, 1, 0, id}));
  if (accesses.empty()) {
    return message_response(ctx, 404, "Page not found", "There is no such break-glass access.");
  }
  std::string main = errors_summary(entered.errors) + "<h1>Review break-glass access " + sid +
                     "</h1>" + contents("") + access_card(ctx, accesses.front(), &entered);
  return html_page(400, layout(ctx.shell("Error: Review break-glass access", "/ig"), main));
}

// ---------------------------------------------------------------- /ig/chain

// The newest "verify-audit" row. Only roles that may see the audit verify
// from the web, so their own rows (audit_events_by_user) are read, not the
// whole log: a few index reads per IG officer.
std::optional<AuditRow> latest_verification(PageContext& ctx) {
  std::optional<AuditRow> latest;
  auto users = checked(ctx.db.prepare("SELECT id FROM users WHERE role = ?1"));
  for (const auto& [id, role] : ctx.policy().roles) {
    if (!role.activities.contains("view-audit")) continue;
    users.reset();
    users.bind(1, id);
    std::vector<int64_t> ids;
    checked(users.each_row([&](const Statement& row) { ids.push_back(row.column_int64(0)); }));
    for (int64_t user : ids) {
      AuditQuery q;
      q.user = std::to_string(user);
      q.action = "verify-audit";
      q.limit = 1;
      for (auto& row : checked(search_audit(ctx.db, q))) {
        if (!latest || row.seq > latest->seq) latest = std::move(row);
      }
    }
  }
  return latest;
}

std::string verification_html(const AuditRow& row, int64_t last_seq) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(row.what, ec);
  const boost::json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr || !o->contains("intact")) {
    return R"(<p class="nhsuk-body">)" + html_escape(row.what) + "</p>";
  }
  const bool intact = o->at("intact").is_bool() && o->at("intact").as_bool();
  const auto number = [&](const char* key) -> int64_t {
    const auto* x = o->if_contains(key);
    return x != nullptr && x->is_int64() ? x->as_int64() : 0;
  };
  const auto text = [&](const char* key) -> std::string {
    const auto* x = o->if_contains(key);
    return x != nullptr && x->is_string() ? std::string(x->as_string()) : std::string();
  };
  std::string html = R"(<dl class="nhsuk-summary-list" id="verification">)";
  html += summary_row_html("Result",
                           intact ? tag("Intact", "green")
                                  : tag("Broken: " + std::to_string(number("problems")) +
                                            (number("problems") == 1 ? " problem" : " problems"),
                                        "red"));
  html += summary_row("Checked", when_text(row.at) + " by " + row.username);
  html += summary_row("Entries checked", std::to_string(number("entries")));
  html += summary_row_html("Head hash then", "<code>" + html_escape(text("head")) + "</code>");
  if (!text("expect_head").empty()) {
    html +=
        summary_row_html("Expected head", "<code>" + html_escape(text("expect_head")) + "</code>");
  }
  // The verification's own row and anything after it.
  html += summary_row("Entries added since",
                      std::to_string(std::max<int64_t>(0, last_seq - number("last_seq"))));
  html += "</dl>";
  if (const auto* messages = o->if_contains("messages");
      messages && messages->is_array() && !messages->as_array().empty()) {
    html += R"(<h3>Problems found</h3><ul class="nhsuk-list nhsuk-list--bullet" id="problems">)";
    for (const auto& m : messages->as_array()) {
      if (m.is_string()) html += "<li>" + html_escape(std::string(m.as_string())) + "</li>";
    }
    html += "</ul>";
    if (number("problems") > static_cast<int64_t>(messages->as_array().size())) {
      html += R"(<p class="nhsuk-body">The first )" + std::to_string(messages->as_array().size()) +
              " are listed: run <code>onechild audit verify</code> for all of them.</p>";
    }
  }
  return html;
}

HttpResponse chain_page(PageContext& ctx, int status, const std::string& expect_head,
                        const std::string& error) {
  AuditQuery last_query;
  last_query.limit = 1;
  const auto last = checked(search_audit(ctx.db, last_query));
  const auto latest = latest_verification(ctx);
  std::string main;
  if (!error.empty()) main += error_summary(error, "expect_head");
  if (error.empty() && ctx.get() && param(ctx.params(), "verified") == "1") {
    main += success_banner("The audit chain was verified");
  }
  main += "<h1>Audit chain status</h1>" + contents("/ig/chain");
  main +=
      R"(<p class="nhsuk-body">Every audit entry carries the hash of the one before it, so an entry )"
      R"(edited, deleted or inserted breaks the chain where it happened.</p>)";
  main += R"(<h2>The chain now</h2><dl class="nhsuk-summary-list" id="chain-now">)";
  const int64_t last_seq = last.empty() ? 0 : last.front().seq;
  // Sequence numbers run 1, 2, 3, ... with no gaps (verification checks
  // that), so the last one is the count without reading every row.
  main += summary_row("Entries", std::to_string(last_seq));
  main += summary_row("Last sequence number", std::to_string(last_seq));
  main += summary_row_html(
      "Head hash",
      "<code id=\"head-hash\">" +
          html_escape(last.empty() ? std::string(kAuditGenesisHash) : last.front().hash) +
          "</code>");
  if (!last.empty()) main += summary_row("Last entry", when_text(last.front().at));
  main += "</dl><h2>Latest verification</h2>";
  main += latest ? verification_html(*latest, last_seq)
                 : inset("<p>The chain has not been verified from here yet.</p>", "verification");
  main += "<h2>Verify the chain</h2>";
  main +=
      R"(<p class="nhsuk-body">Verifying reads every entry: on a large log this takes several seconds. )"
      R"(The result is itself recorded in the audit.</p>)";
  main += inset(
      R"(<p>Keep a copy of the head hash outside onechild, for example in your information governance log. )"
      R"(Entries removed from the end, or a tail rewritten with fresh hashes, can only be seen against a )"
      R"(head kept elsewhere: enter it below, or run <code>onechild audit verify --db &lt;store&gt; --expect-head &lt;hash&gt;</code>.</p>)",
      "keep-the-head");
  main += R"(<form method="post" action="/ig/chain/verify" novalidate>)" + csrf_field(ctx.csrf);
  main += error.empty() ? R"(<div class="nhsuk-form-group">)"
                        : R"(<div class="nhsuk-form-group nhsuk-form-group--error">)";
  main +=
      R"(<label class="nhsuk-label" for="expect_head">Head hash kept from an earlier check (optional)</label>)"
      R"(<div class="nhsuk-hint" id="expect_head-hint">64 letters and digits, as shown above as the head hash</div>)";
  if (!error.empty()) main += error_message("expect_head", error);
  main +=
      std::string(R"(<input class="nhsuk-input nhsuk-input--width-30)") +
      (error.empty() ? "" : " nhsuk-input--error") +
      R"(" id="expect_head" name="expect_head" type="text" spellcheck="false" autocomplete="off" aria-describedby="expect_head-hint)" +
      (error.empty() ? "" : " expect_head-error") + R"(" value=")" + html_escape(expect_head) +
      R"("></div><button class="nhsuk-button" data-module="nhsuk-button" type="submit" id="verify-button">Verify the chain now</button></form>)";
  checked(record_audit(
      ctx.db, audit_of(ctx.user, "view-audit-chain", std::nullopt,
                       ctx.request.method + " " + ctx.path, error.empty() ? "allowed" : "failed")));
  return html_page(
      status,
      layout(ctx.shell(error.empty() ? "Audit chain status" : "Error: Audit chain status", "/ig"),
             main));
}

HttpResponse verify_chain(PageContext& ctx) {
  std::string expect = param(ctx.form(), "expect_head");
  const auto first = expect.find_first_not_of(" \t\r\n");
  expect = first == std::string::npos
               ? std::string()
               : expect.substr(first, expect.find_last_not_of(" \t\r\n") - first + 1);
  if (!expect.empty() &&
      (expect.size() != 64 || expect.find_first_not_of("0123456789abcdef") != std::string::npos)) {
    return chain_page(
        ctx, 400, expect,
        "Enter the head hash as 64 lowercase letters a to f and digits, or leave it empty");
  }
  const auto v = checked(verify_audit(ctx.db, {expect}));
  boost::json::array messages;
  for (const auto& p : v.problems) {
    if (messages.size() == 50) break;
    messages.emplace_back(p.message);
  }
  boost::json::object detail{{"intact", v.intact()},
                             {"entries", v.entries},
                             {"last_seq", v.last_seq},
                             {"head", v.head_hash},
                             {"problems", static_cast<int64_t>(v.problems.size())},
                             {"messages", std::move(messages)}};
  if (!expect.empty()) detail["expect_head"] = expect;
  checked(record_audit(
      ctx.db, audit_of(ctx.user, "verify-audit", std::nullopt, boost::json::serialize(detail))));
  return redirect_to("/ig/chain?verified=1");
}

HttpResponse method_not_allowed(const PageContext& ctx) {
  return message_response(ctx, 405, "Method not allowed", "Use the links and forms.");
}

}  // namespace

std::optional<HttpResponse> ig_pages(PageContext& ctx) {
  if (ctx.path != "/ig" && ctx.path.rfind("/ig/", 0) != 0) return std::nullopt;
  if (!ctx.permits("view-audit")) {
    return refuse(ctx, "You cannot see the audit",
                  "Information governance pages are for information governance officers.");
  }
  if (ctx.path == "/ig") return ctx.get() ? audit_search(ctx) : method_not_allowed(ctx);
  if (ctx.path == "/ig/chain")
    return ctx.get() ? chain_page(ctx, 200, "", "") : method_not_allowed(ctx);
  if (ctx.path == "/ig/chain/verify")
    return ctx.post() ? verify_chain(ctx) : method_not_allowed(ctx);
  constexpr std::string_view kBreakGlass = "/ig/break-glass";
  if (ctx.path.rfind(kBreakGlass, 0) == 0) {
    if (!ctx.permits("review-break-glass")) {
      return refuse(ctx, "You cannot review emergency access",
                    "Break-glass review is for information governance officers.");
    }
    const std::string rest = ctx.path.substr(kBreakGlass.size());
    if (rest.empty()) return ctx.get() ? break_glass_list(ctx) : method_not_allowed(ctx);
    constexpr std::string_view kReview = "/review";
    if (rest.size() > kReview.size() + 1 && rest.front() == '/' &&
        rest.compare(rest.size() - kReview.size(), kReview.size(), kReview) == 0) {
      const auto id = id_of(rest.substr(1, rest.size() - 1 - kReview.size()));
      if (id) return ctx.post() ? record_review(ctx, *id) : method_not_allowed(ctx);
    }
  }
  return message_response(ctx, 404, "Page not found", "Check the web address.");
}

}  // namespace onechild::api
