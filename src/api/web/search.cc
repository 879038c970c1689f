// Find a child: GET /search?nhs_number=... or
// GET /search?given_name=&family_name=&dob-day=&dob-month=&dob-year=
// Every search is audited with the children it found.
#include <charconv>
#include <cmath>

#include "api/web/modules.h"
#include "link/child_search.h"
#include "record/child_record.h"

namespace onechild::api {
namespace {

struct SearchForm {
  std::string nhs_number;  // as typed, shown back in the field
  std::string given, family, day, month, year;
  std::optional<std::string> nhs_error;   // a field error, e.g. not a valid number
  std::optional<std::string> name_error;  // names or date
  std::string name_error_target = "given_name";
  std::optional<std::string> not_found;
  std::optional<std::vector<ChildMatch>> matches;  // a name search's results
};

std::string text_input(const std::string& id, const std::string& label, const std::string& value,
                       const char* width, const char* autocomplete) {
  return R"(<div class="nhsuk-form-group"><label class="nhsuk-label" for=")" + id + "\">" + label +
         R"(</label><input class="nhsuk-input )" + width + R"(" id=")" + id + R"(" name=")" + id +
         R"(" type="text" spellcheck="false" autocomplete=")" + autocomplete + R"(" value=")" +
         html_escape(value) + "\"></div>";
}

std::string date_part(const std::string& name, const char* label, const std::string& value,
                      bool error, const char* width) {
  return R"(<div class="nhsuk-date-input__item"><div class="nhsuk-form-group"><label class="nhsuk-label nhsuk-date-input__label" for="dob-)" +
         name + "\">" + label + R"(</label><input class="nhsuk-input nhsuk-date-input__input )" +
         width + (error ? " nhsuk-input--error" : "") + R"(" id="dob-)" + name + R"(" name="dob-)" +
         name + R"(" type="text" inputmode="numeric" value=")" + html_escape(value) +
         "\"></div></div>";
}

std::string nhs_number_form(const SearchForm& form) {
  std::string html = R"(<form method="get" action="/search" novalidate><h2>By NHS number</h2>)";
  html += form.nhs_error ? R"(<div class="nhsuk-form-group nhsuk-form-group--error">)"
                         : R"(<div class="nhsuk-form-group">)";
  html += R"(<label class="nhsuk-label" for="nhs_number">NHS number</label>)"
          R"(<div class="nhsuk-hint" id="nhs_number-hint">For example, 943 476 5919</div>)";
  if (form.nhs_error) {
    html +=
        R"(<span class="nhsuk-error-message" id="nhs_number-error"><span class="nhsuk-u-visually-hidden">Error:</span> )" +
        html_escape(*form.nhs_error) + "</span>";
  }
  html +=
      std::string(R"(<input class="nhsuk-input nhsuk-input--width-10)") +
      (form.nhs_error ? " nhsuk-input--error" : "") +
      R"(" id="nhs_number" name="nhs_number" type="text" inputmode="numeric" spellcheck="false" aria-describedby="nhs_number-hint" value=")" +
      html_escape(form.nhs_number) +
      R"("></div><button class="nhsuk-button" data-module="nhsuk-button" type="submit">Search</button></form>)";
  return html;
}

std::string name_form(const SearchForm& form) {
  std::string html =
      R"(<form method="get" action="/search" novalidate><h2>By name and date of birth</h2>)"
      R"(<p class="nhsuk-body">Spelling mistakes, names the wrong way round and the day and month )"
      R"(swapped are allowed for.</p>)";
  if (form.name_error) {
    html +=
        R"(<div class="nhsuk-form-group nhsuk-form-group--error"><span class="nhsuk-error-message" id="name-search-error"><span class="nhsuk-u-visually-hidden">Error:</span> )" +
        html_escape(*form.name_error) + "</span>";
  }
  html += text_input("given_name", "Given name", form.given, "nhsuk-u-width-one-half", "off") +
          text_input("family_name", "Family name", form.family, "nhsuk-u-width-one-half", "off");
  const bool date_error = form.name_error && form.name_error_target == "dob-day";
  html +=
      R"(<div class="nhsuk-form-group"><fieldset class="nhsuk-fieldset" role="group" aria-describedby="dob-hint">)"
      R"(<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Date of birth</legend>)"
      R"(<div class="nhsuk-hint" id="dob-hint">For example, 15 3 2021</div><div class="nhsuk-date-input" id="dob">)" +
      date_part("day", "Day", form.day, date_error, "nhsuk-input--width-2") +
      date_part("month", "Month", form.month, date_error, "nhsuk-input--width-2") +
      date_part("year", "Year", form.year, date_error, "nhsuk-input--width-4") +
      "</div></fieldset></div>";
  if (form.name_error) html += "</div>";
  return html +
         R"(<button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit">Search by name</button></form>)";
}

std::string results(const std::vector<ChildMatch>& matches) {
  if (matches.empty()) {
    return inset("<p>No child found with a name and date of birth like these.</p>",
                 "search-result");
  }
  std::string rows;
  for (const ChildMatch& m : matches) {
    const std::string name = m.given_name + " " + m.family_name;
    rows += row_html(cell_html(link("/children/" + std::to_string(m.child_id), name)) +
                     cell(nice_date(m.birth_date) + (m.exact_date ? "" : " (date differs)")) +
                     cell(formatted_nhs_number(m.nhs_number)) + cell(m.postcode.value_or("")) +
                     cell(m.sources) + cell(std::to_string(std::lround(m.score * 100)) + "%"));
  }
  return table("Children with a similar name and date of birth, closest first", "search-results",
               {"Name", "Date of birth", "NHS number", "Postcode", "Sources", "Match"}, rows);
}

std::string search_page(const PageContext& ctx, const SearchForm& form) {
  std::string main = R"(<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">)";
  if (form.nhs_error) main += error_summary(*form.nhs_error, "nhs_number");
  if (form.name_error) main += error_summary(*form.name_error, form.name_error_target);
  main += "<h1>Find a child</h1>" + nhs_number_form(form);
  if (form.not_found) main += inset("<p>" + html_escape(*form.not_found) + "</p>", "search-result");
  main += name_form(form) + "</div></div>";
  if (form.matches) main += results(*form.matches);
  const bool error = form.nhs_error || form.name_error;
  return layout(ctx.shell(error ? "Error: Find a child" : "Find a child", "/search"), main);
}

std::optional<int> number_in(const std::string& text, int low, int high) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    return std::nullopt;
  }
  return value;
}

HttpResponse nhs_number_search(PageContext& ctx, SearchForm form) {
  auto nhs = NhsNumber::parse(form.nhs_number);
  if (!nhs.ok()) {
    form.nhs_error = "Enter a valid 10-digit NHS number";
    return html_page(400, search_page(ctx, form));
  }
  auto child = checked(find_child_by_nhs_number(ctx.db, *nhs));
  checked(record_audit(ctx.db, audit_of(ctx.user, "search", child, nhs->digits())));
  if (child) return redirect_to("/children/" + std::to_string(*child));
  form.not_found = "No child found with NHS number " + nhs->formatted();
  return html_page(200, search_page(ctx, form));
}

HttpResponse name_search(PageContext& ctx, SearchForm form) {
  const auto day = number_in(form.day, 1, 31), month = number_in(form.month, 1, 12),
             year = number_in(form.year, 1900, 2200);
  const Date dob{std::chrono::year{year.value_or(0)},
                 std::chrono::month(unsigned(month.value_or(0))),
                 std::chrono::day(unsigned(day.value_or(0)))};
  if (form.given.empty() && form.family.empty()) {
    form.name_error = "Enter a given name or a family name";
  } else if (!day || !month || !year || !dob.ok()) {
    form.name_error = "Enter a real date of birth, for example 15 3 2021";
    form.name_error_target = "dob-day";
  }
  if (form.name_error) return html_page(400, search_page(ctx, form));
  auto matches = find_children_by_name(ctx.db, ChildSearch{form.given, form.family, dob});
  if (!matches.ok() && matches.error().code() == Error::Code::kInvalidArgument) {
    // Names with no letters in them ("--", a stray byte): nothing to match.
    form.name_error = "Enter a given name or a family name with letters in it";
    return html_page(400, search_page(ctx, form));
  }
  form.matches = checked(std::move(matches));
  AuditEntry audit = audit_of(ctx.user, "search", std::nullopt,
                              "name and date of birth (" + format_iso_date(dob) + ")");
  for (const ChildMatch& m : *form.matches)
    audit.more_children.push_back(m.child_id);
  checked(record_audit(ctx.db, audit));
  return html_page(200, search_page(ctx, form));
}

}  // namespace

std::optional<HttpResponse> search_pages(PageContext& ctx) {
  if (ctx.path != "/search") return std::nullopt;
  if (!ctx.get()) return message_response(ctx, 405, "Method not allowed", "Use the search form.");
  if (!ctx.permits("search")) {
    return refuse(ctx, "You cannot search for children",
                  "Your role sees aggregated or pseudonymised data only.");
  }
  const auto params = ctx.params();
  SearchForm form;
  form.nhs_number = param(params, "nhs_number");
  form.given = param(params, "given_name");
  form.family = param(params, "family_name");
  form.day = param(params, "dob-day");
  form.month = param(params, "dob-month");
  form.year = param(params, "dob-year");
  if (params.count("nhs_number")) return nhs_number_search(ctx, std::move(form));
  if (params.count("given_name") || params.count("family_name")) {
    return name_search(ctx, std::move(form));
  }
  return html_page(200, search_page(ctx, form));
}

}  // namespace onechild::api
