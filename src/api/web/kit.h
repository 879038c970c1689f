// The page kit: the NHS design system (nhsuk-frontend) markup every page is
// built from. One page shell with the header, the navigation for the user's
// role and the footer; and the components pages share. Every argument named
// `text` is escaped here; arguments named `html` are markup already built
// from escaped parts.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "access/policy.h"
#include "access/users.h"

namespace onechild::api {

struct Shell {
  std::string title;                     // <title> and, usually, the h1
  const User* user = nullptr;            // null: signed out (no navigation)
  const AccessPolicy* policy = nullptr;  // what the navigation offers the role
  std::string csrf;                      // the session's form token (for Log out)
  std::string active;                    // the navigation item to mark: "/outcomes"
  std::string main_class;                // e.g. "print-page"
};
std::string layout(const Shell& shell, const std::string& main_html);

// <input type=hidden name=csrf>: every form that posts carries one.
std::string csrf_field(std::string_view token);

std::string error_summary(const std::string& text, const std::string& target_id);
std::string summary_row(const std::string& key_text, const std::string& value_text);
std::string summary_row_html(const std::string& key_text, const std::string& value_html);
std::string table(const std::string& caption_text, const std::string& id,
                  std::initializer_list<std::string_view> headings_text,
                  const std::string& rows_html);
std::string cell(const std::string& text);
std::string cell_html(const std::string& html);
std::string row_html(const std::string& cells_html);
std::string tag(const std::string& text, std::string_view colour);  // "red", "green", "grey", ...
std::string inset(const std::string& html, const std::string& id = "");
std::string link(const std::string& href, const std::string& text);  // href is escaped too

// "3 March 2024" from ISO text, or the text itself when not a date.
std::string nice_date(const std::optional<std::string>& iso);
std::string formatted_nhs_number(const std::optional<std::string>& digits);

}  // namespace onechild::api
