#include "api/web/page.h"

#include "api/http_util.h"

namespace onechild::api {

Shell PageContext::shell(std::string title, std::string active) const {
  Shell s;
  s.title = std::move(title);
  s.user = &user;
  s.policy = &services.policy;
  s.csrf = csrf;
  s.active = std::move(active);
  return s;
}

std::map<std::string, std::string> PageContext::params() const {
  return parse_form(query);
}
std::map<std::string, std::string> PageContext::form() const {
  return parse_form(request.body);
}

HttpResponse html_page(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse redirect_to(const std::string& location) {
  HttpResponse r;
  r.status = 303;
  r.headers.emplace_back("Location", location);
  return r;
}

HttpResponse message_response(const PageContext& ctx, int status, const std::string& title,
                              const std::string& message) {
  return html_page(status, layout(ctx.shell(title), "<h1>" + html_escape(title) +
                                                        R"(</h1><p class="nhsuk-body">)" +
                                                        html_escape(message) + "</p>"));
}

HttpResponse refuse(const PageContext& ctx, const std::string& title, const std::string& message) {
  checked(record_audit(ctx.db, audit_of(ctx.user, "denied", std::nullopt,
                                        ctx.request.method + " " + ctx.path, "denied")));
  return message_response(ctx, 403, title, message);
}

AuditEntry audit_of(const User& user, std::string action, std::optional<int64_t> child,
                    std::string detail, std::string outcome) {
  AuditEntry e{user.id, std::move(action), child, std::move(detail)};
  e.username = user.username;
  e.role = user.role;
  e.organisation = user.organisation;
  e.outcome = std::move(outcome);
  return e;
}

std::string param(const std::map<std::string, std::string>& values, const std::string& name) {
  auto it = values.find(name);
  return it == values.end() ? std::string() : it->second;
}

std::optional<int64_t> id_of(const std::string& text) {
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoll(text);
}

}  // namespace onechild::api
