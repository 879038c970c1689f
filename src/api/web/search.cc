// Find a child: GET /search?nhs_number=... or ?name=...&birth_date=...
#include "api/web/modules.h"
#include "record/child_record.h"

namespace onechild::api {
namespace {

struct SearchForm {
  std::string nhs_number;            // as typed, shown back in the field
  std::optional<std::string> error;  // field error, e.g. not a valid number
  std::optional<std::string> not_found;
};

std::string search_page(const PageContext& ctx, const SearchForm& form) {
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
  if (form.not_found) main += inset("<p>" + html_escape(*form.not_found) + "</p>", "search-result");
  main += "</div></div>";
  return layout(ctx.shell(form.error ? "Error: Find a child" : "Find a child", "/search"), main);
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
  const auto it = params.find("nhs_number");
  if (it == params.end()) return html_page(200, search_page(ctx, {}));
  SearchForm form{it->second, std::nullopt, std::nullopt};
  auto nhs = NhsNumber::parse(it->second);
  if (!nhs.ok()) {
    form.error = "Enter a valid 10-digit NHS number";
    return html_page(400, search_page(ctx, form));
  }
  auto child = checked(find_child_by_nhs_number(ctx.db, *nhs));
  checked(record_audit(ctx.db, audit_of(ctx.user, "search", child, nhs->digits())));
  if (child) return redirect_to("/children/" + std::to_string(*child));
  form.not_found = "No child found with NHS number " + nhs->formatted();
  return html_page(200, search_page(ctx, form));
}

}  // namespace onechild::api
