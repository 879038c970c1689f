// HTML pages in the NHS design system (nhsuk-frontend markup). Every value
// that came from a feed or a user passes through html_escape here.
#pragma once

#include <optional>
#include <string>

#include "access/users.h"
#include "record/child_record.h"

namespace onechild::api {

std::string login_page(const std::string& username, bool failed);

struct SearchForm {
  std::string nhs_number;            // as typed, shown back in the field
  std::optional<std::string> error;  // field error, e.g. not a valid number
  std::optional<std::string> not_found;
};
std::string search_page(const User& user, const SearchForm& form);

std::string record_page(const User& user, const ChildRecord& record);

// 404, 500 and similar: a heading and one sentence.
std::string message_page(const std::optional<User>& user, const std::string& title,
                         const std::string& message);

}  // namespace onechild::api
