// Home: what the signed-in user's role does, with their alerts.
#include "api/web/modules.h"

namespace onechild::api {

std::optional<HttpResponse> home_pages(PageContext& ctx) {
  if (ctx.path != "/") return std::nullopt;
  if (!ctx.get()) return message_response(ctx, 405, "Method not allowed", "Use the links.");
  const RolePolicy* role = ctx.policy().role(ctx.user.role);
  std::string main = R"(<span class="nhsuk-caption-l">)" +
                     html_escape(role ? role->name : ctx.user.role) + "</span><h1>" +
                     html_escape("Hello, " + ctx.user.display_name) + "</h1>";
  return html_page(200, layout(ctx.shell("Home", "/"), main));
}

}  // namespace onechild::api
