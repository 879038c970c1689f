#include "api/web/kit.h"

#include <vector>

#include "core/date.h"
#include "core/nhs_number.h"
#include "core/text.h"

namespace onechild::api {
namespace {

struct NavItem {
  const char* href;
  const char* text;
  const char* activity;  // the policy activity that offers it; "" for everyone
};

// The navigation follows the policy: a role sees the pages its activities
// open, so a new role in access.toml needs no change here.
constexpr NavItem kNavigation[] = {
    {"/", "Home", ""},
    {"/search", "Find a child", "search"},
    {"/worklists", "Worklists", "view-worklists"},
    {"/hub", "Hub MDT", "view-worklists"},
    {"/notifications", "Notifications", "receive-protection-alerts"},
    {"/family", "Your child's record", "view-own-record"},
    {"/outcomes", "Outcomes", "view-aggregates"},
    {"/board", "Board summary", "view-aggregates"},
    {"/linkage", "Linkage review", "review-links"},
    {"/data-quality", "Data quality", "view-aggregates"},  // counts only: analysts and IG too
    {"/ig", "Information governance", "view-audit"},
};

std::string header(const Shell& shell) {
  std::string html =
      R"(<header class="nhsuk-header" role="banner"><div class="nhsuk-header__container nhsuk-width-container">)"
      R"(<div class="nhsuk-header__service"><a class="nhsuk-header__service-logo" href="/" aria-label="onechild homepage">)"
      R"(<span class="nhsuk-header__service-name">onechild</span></a></div>)";
  if (shell.user == nullptr) return html + "</div></header>";
  html +=
      R"(<nav class="nhsuk-header__account" aria-label="Account"><ul class="nhsuk-header__account-list">)"
      R"(<li class="nhsuk-header__account-item">)" +
      html_escape(shell.user->display_name) +
      R"(</li><li class="nhsuk-header__account-item"><form class="nhsuk-header__account-form" action="/logout" method="post" novalidate>)" +
      csrf_field(shell.csrf) +
      R"(<button class="nhsuk-header__account-button" type="submit">Log out</button></form></li></ul></nav></div>)";
  html +=
      R"(<nav class="nhsuk-header__navigation" aria-label="Menu"><div class="nhsuk-header__navigation-container nhsuk-width-container">)"
      R"(<ul class="nhsuk-header__navigation-list">)";
  for (const NavItem& item : kNavigation) {
    if (*item.activity != '\0' &&
        (shell.policy == nullptr || !shell.policy->permits(shell.user->role, item.activity))) {
      continue;
    }
    const bool current = shell.active == item.href;
    html +=
        std::string(R"(<li class="nhsuk-header__navigation-item)") +
        (current ? " nhsuk-header__navigation-item--current" : "") +
        R"("><a class="nhsuk-header__navigation-link" href=")" + item.href + '"' +
        (current
             ? R"( aria-current="page"><strong class="nhsuk-header__navigation-item-current-fallback">)"
             : ">") +
        item.text + (current ? "</strong>" : "") + "</a></li>";
  }
  return html +
         R"(<li class="nhsuk-header__menu" hidden><button class="nhsuk-header__menu-toggle nhsuk-header__navigation-link" id="toggle-menu" aria-expanded="false">)"
         R"(<span class="nhsuk-u-visually-hidden">Browse </span>More</button></li></ul></div></nav></header>)";
}

}  // namespace

std::string layout(const Shell& shell, const std::string& main_html) {
  return R"(<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">)"
         R"(<meta name="viewport" content="width=device-width, initial-scale=1">)"
         "<title>" +
         html_escape(shell.title) +
         R"( – onechild</title><link rel="icon" href="/assets/images/favicon.svg" type="image/svg+xml">)"
         R"(<link rel="stylesheet" href="/assets/nhsuk-frontend.min.css">)"
         R"(<link rel="stylesheet" href="/assets/app.css"></head><body class="nhsuk-frontend-supported">)"
         R"(<a class="nhsuk-skip-link" href="#maincontent">Skip to main content</a>)" +
         header(shell) + R"(<div class="nhsuk-width-container"><main class="nhsuk-main-wrapper)" +
         (shell.main_class.empty() ? "" : " " + html_escape(shell.main_class)) +
         R"(" id="maincontent" role="main">)" + main_html +
         R"(</main></div><footer class="nhsuk-footer" role="contentinfo"><div class="nhsuk-width-container">)"
         R"(<p class="nhsuk-body-s">onechild – synthetic data only. Every view of a record is audited.</p>)"
         R"(</div></footer><script type="module" src="/assets/app.js"></script></body></html>)";
}

std::string csrf_field(std::string_view token) {
  return R"(<input type="hidden" name="csrf" value=")" + html_escape(token) + "\">";
}

std::string error_summary(const std::string& text, const std::string& target_id) {
  return R"(<div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1">)"
         R"(<h2 class="nhsuk-error-summary__title" id="error-summary-title">There is a problem</h2>)"
         R"(<div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list"><li><a href="#)" +
         html_escape(target_id) + "\">" + html_escape(text) + "</a></li></ul></div></div>";
}

std::string summary_row(const std::string& key_text, const std::string& value_text) {
  return summary_row_html(key_text, html_escape(value_text));
}

std::string summary_row_html(const std::string& key_text, const std::string& value_html) {
  return R"(<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">)" +
         html_escape(key_text) + R"(</dt><dd class="nhsuk-summary-list__value">)" + value_html +
         "</dd></div>";
}

std::string table(const std::string& caption_text, const std::string& id,
                  std::initializer_list<std::string_view> headings_text,
                  const std::string& rows_html) {
  std::string html = R"(<table class="nhsuk-table" id=")" + html_escape(id) +
                     R"("><caption class="nhsuk-table__caption">)" + html_escape(caption_text) +
                     R"(</caption><thead class="nhsuk-table__head"><tr class="nhsuk-table__row">)";
  for (std::string_view h : headings_text)
    html += R"(<th scope="col" class="nhsuk-table__header">)" + html_escape(h) + "</th>";
  return html + R"(</tr></thead><tbody class="nhsuk-table__body">)" + rows_html +
         "</tbody></table>";
}

std::string cell(const std::string& text) {
  return cell_html(html_escape(text));
}

std::string cell_html(const std::string& html) {
  return R"(<td class="nhsuk-table__cell">)" + html + "</td>";
}

std::string row_html(const std::string& cells_html) {
  return R"(<tr class="nhsuk-table__row">)" + cells_html + "</tr>";
}

std::string tag(const std::string& text, std::string_view colour) {
  return R"(<strong class="nhsuk-tag nhsuk-tag--)" + html_escape(colour) + "\">" +
         html_escape(text) + "</strong>";
}

std::string inset(const std::string& html, const std::string& id) {
  return R"(<div class="nhsuk-inset-text")" +
         (id.empty() ? std::string() : " id=\"" + html_escape(id) + '"') +
         R"(><span class="nhsuk-u-visually-hidden">Information: </span>)" + html + "</div>";
}

std::string link(const std::string& href, const std::string& text) {
  return R"(<a class="nhsuk-link" href=")" + html_escape(href) + "\">" + html_escape(text) + "</a>";
}

std::string nice_date(const std::optional<std::string>& iso) {
  if (!iso) return "Not recorded";
  auto date = parse_iso_date(iso->substr(0, 10));
  return date.ok() ? format_uk_date(*date) : *iso;
}

std::string formatted_nhs_number(const std::optional<std::string>& digits) {
  if (!digits) return "Not known";
  auto nhs = NhsNumber::parse(*digits);
  return nhs.ok() ? nhs->formatted() : *digits;
}

}  // namespace onechild::api
