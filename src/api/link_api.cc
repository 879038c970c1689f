#include "api/link_api.h"

#include <boost/json.hpp>
#include <charconv>

#include "api/http_util.h"
#include "link/review.h"

namespace onechild::api {
namespace {

namespace json = boost::json;

HttpResponse error(int status, const std::string& message) {
  return json_error(status, message);
}

// A failure from the store: the user's fault (400, 404) or ours (500, via
// the router's handler).
HttpResponse failure(const Error& e) {
  if (e.code() == Error::Code::kNotFound) return error(404, e.message());
  if (e.is_user_error()) return error(400, e.message());
  throw std::runtime_error(e.to_string());
}

std::optional<int64_t> number(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

// The path's parts after /api/link/: {"review", "12", "decision"}.
std::vector<std::string_view> parts_of(std::string_view path) {
  std::vector<std::string_view> parts;
  path.remove_prefix(std::string_view("/api/link/").size());
  while (!path.empty()) {
    const size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? "" : path.substr(slash + 1);
  }
  return parts;
}

std::optional<json::object> body_object(const HttpRequest& request) {
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return v.as_object();
}

std::string string_field(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

Actor actor_of(const User& user, const json::object& body) {
  return {user.username, user.id, string_field(body, "reason")};
}

HttpResponse list(const User& user, const std::string& query, Database& db) {
  const auto params = parse_form(query);
  ReviewQuery q;
  if (auto it = params.find("status"); it != params.end()) q.status = it->second;
  for (auto [name, target] : {std::pair{"limit", &q.limit}, {"offset", &q.offset}}) {
    if (auto it = params.find(name); it != params.end()) {
      auto v = number(it->second);
      if (!v || (target == &q.limit && (*v < 1 || *v > 500))) {
        return error(400, std::string(name) + " must be a whole number (limit 1 to 500)");
      }
      *target = *v;
    }
  }
  auto items = list_review(db, q);
  if (!items.ok()) return failure(items.error());
  if (Status s = record_audit(db, {user.id, "view-review-queue", std::nullopt,
                                   std::to_string(items->size()) + " items"});
      !s.ok()) {
    return failure(s.error());
  }
  std::string body = "[";
  for (size_t i = 0; i < items->size(); ++i) {
    if (i > 0) body += ',';
    body += (*items)[i].to_json();
  }
  return json_response(200, body + "]");
}

HttpResponse one(const User& user, int64_t id, Database& db) {
  auto item = get_review(db, id);
  if (!item.ok()) return failure(item.error());
  if (Status s = record_audit(
          db, {user.id, "view-review", item->left.child_id, "review " + std::to_string(id)});
      !s.ok()) {
    return failure(s.error());
  }
  return json_response(200, item->to_json());
}

HttpResponse decide(const User& user, int64_t id, const json::object& body, Database& db) {
  const std::string decision = string_field(body, "decision");
  if (decision != "same" && decision != "different") {
    return error(400, "decision must be \"same\" or \"different\"");
  }
  const auto d = decision == "same" ? LinkDecision::kSame : LinkDecision::kDifferent;
  if (Status s = decide_review(db, id, d, actor_of(user, body)); !s.ok()) return failure(s.error());
  return json_response(200, json::serialize(json::object{{"id", id}, {"status", "decided"}}));
}

HttpResponse merge(const User& user, int64_t child, const json::object& body, Database& db) {
  const json::value* into = body.if_contains("into");
  if (into == nullptr || !into->is_int64()) return error(400, "into must be a child id");
  if (Status s = merge_children(db, child, into->as_int64(), actor_of(user, body)); !s.ok()) {
    return failure(s.error());
  }
  return json_response(200, json::serialize(json::object{{"merged", child}, {"into", *into}}));
}

HttpResponse unmerge(const User& user, int64_t child, const json::object& body, Database& db) {
  const json::value* records = body.if_contains("records");
  std::vector<int64_t> ids;
  if (records != nullptr && records->is_array()) {
    for (const json::value& v : records->as_array()) {
      if (!v.is_int64()) return error(400, "records must be source person ids");
      ids.push_back(v.as_int64());
    }
  }
  if (ids.empty()) return error(400, "records must list the source person ids to move");
  auto moved = unmerge_records(db, child, ids, actor_of(user, body));
  if (!moved.ok()) return failure(moved.error());
  return json_response(200, json::serialize(json::object{{"child", child}, {"moved_to", *moved}}));
}

HttpResponse history(const User& user, int64_t child, Database& db) {
  auto entries = child_history(db, child);
  if (!entries.ok()) return failure(entries.error());
  if (Status s = record_audit(db, {user.id, "view-child-history", child, ""}); !s.ok()) {
    return failure(s.error());
  }
  json::array out;
  for (const HistoryEntry& e : *entries) {
    json::object o{{"at", e.at},
                   {"action", e.action},
                   {"actor", e.actor},
                   {"reason", e.reason},
                   {"child_id", e.child_id}};
    o["other_child_id"] = e.other_child_id ? json::value(*e.other_child_id) : json::value(nullptr);
    o["source_person_id"] =
        e.source_person_id ? json::value(*e.source_person_id) : json::value(nullptr);
    out.push_back(std::move(o));
  }
  return json_response(200, json::serialize(out));
}

}  // namespace

HttpResponse link_api(const HttpRequest& request, const std::string& path, const std::string& query,
                      const std::optional<User>& user, Database& db) {
  if (!user) return error(401, "sign in first");
  if (user->role != kDataManagerRole) {
    if (Status s =
            record_audit(db, {user->id, "denied", std::nullopt, request.method + " " + path});
        !s.ok()) {
      return failure(s.error());
    }
    return error(403, "only a data manager may see or change the master child index");
  }
  const auto parts = parts_of(path);
  const bool get = request.method == "GET", post = request.method == "POST";
  const auto id = parts.size() >= 2 ? number(parts[1]) : std::nullopt;
  std::optional<json::object> body;
  if (post) {
    body = body_object(request);
    if (!body) return error(400, "the body must be a JSON object");
  }
  if (parts.size() == 1 && parts[0] == "review" && get) return list(*user, query, db);
  if (parts.size() == 2 && parts[0] == "review" && id && get) return one(*user, *id, db);
  if (parts.size() == 3 && parts[0] == "review" && id && parts[2] == "decision" && post) {
    return decide(*user, *id, *body, db);
  }
  if (parts.size() == 3 && parts[0] == "children" && id) {
    if (parts[2] == "merge" && post) return merge(*user, *id, *body, db);
    if (parts[2] == "unmerge" && post) return unmerge(*user, *id, *body, db);
    if (parts[2] == "history" && get) return history(*user, *id, db);
  }
  return error(404, "no such link API resource");
}

}  // namespace onechild::api
