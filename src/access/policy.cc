#include "access/policy.h"

#include <fstream>
#include <sstream>

#include "programmes/toml_reader.h"

namespace onechild {
namespace {

class PolicyReader : TomlReader {
 public:
  explicit PolicyReader(const std::string& origin) : TomlReader(origin) {}

  Result<AccessPolicy> read(const toml::table& root) {
    AccessPolicy p;
    if (Status s =
            only(root, "top level",
                 {"clocks", "family", "opt_out", "relationships", "activities", "roles", "labels"});
        !s.ok()) {
      return s.error();
    }
    if (Status s = read_clocks(root, p); !s.ok()) return s.error();
    if (Status s = read_lists(root, p); !s.ok()) return s.error();
    auto includes = read_activities(root, p);
    if (!includes.ok()) return includes.error();
    if (Status s = read_roles(root, *includes, p); !s.ok()) return s.error();
    if (Status s = read_labels(root, p); !s.ok()) return s.error();
    for (const auto& [id, role] : p.roles) {
      for (const auto& label : role.sees) {
        bool known = false;
        for (const auto& l : p.labels)
          known = known || l.id == label;
        if (!known) return error("roles." + id, "sees an unknown label '" + label + "'");
      }
    }
    return p;
  }

 private:
  using Includes = std::map<std::string, std::vector<std::string>>;

  Status number(const toml::table* t, std::string_view key, const std::string& where, int& out) {
    if (t == nullptr) return {};
    const toml::node* n = t->get(key);
    if (n == nullptr) return {};
    // An integer only: toml++ would read true as 1.
    auto v = n->is_integer() ? n->value<int64_t>() : std::nullopt;
    if (!v || *v < 0 || *v > 100000) {
      return error(where, "'" + std::string(key) + "' must be a whole number from 0");
    }
    out = static_cast<int>(*v);
    return {};
  }

  Result<std::vector<std::string>> strings(const toml::table& t, std::string_view key,
                                           const std::string& where) {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (n == nullptr) return out;
    const toml::array* a = n->as_array();
    if (a == nullptr) return error(where, "'" + std::string(key) + "' must be a list of texts");
    for (const auto& item : *a) {
      auto v = item.value<std::string>();
      if (!v || v->empty()) {
        return error(where, "'" + std::string(key) + "' must be a list of non-empty texts");
      }
      out.push_back(*v);
    }
    return out;
  }

  const toml::table* table(const toml::table& root, std::string_view key, Status& status) {
    const toml::node* n = root.get(key);
    if (n == nullptr) return nullptr;
    if (n->as_table() == nullptr) status = error(std::string(key), "must be a table");
    return n->as_table();
  }

  Status read_clocks(const toml::table& root, AccessPolicy& p) {
    Status s;
    const toml::table* clocks = table(root, "clocks", s);
    const toml::table* family = table(root, "family", s);
    if (!s.ok()) return s;
    if (clocks) {
      if (Status o =
              only(*clocks, "clocks",
                   {"session_hours", "lockout_failures", "lockout_minutes", "break_glass_hours",
                    "unscheduled_care_hours", "recent_unscheduled_accesses"});
          !o.ok())
        return o;
    }
    if (family) {
      if (Status o =
              only(*family, "family", {"proxy_review_age", "proxy_end_age", "own_access_age"});
          !o.ok())
        return o;
    }
    for (const auto& [key, out] : std::initializer_list<std::pair<std::string_view, int*>>{
             {"session_hours", &p.session_hours},
             {"lockout_failures", &p.lockout_failures},
             {"lockout_minutes", &p.lockout_minutes},
             {"break_glass_hours", &p.break_glass_hours},
             {"unscheduled_care_hours", &p.unscheduled_care_hours},
             {"recent_unscheduled_accesses", &p.recent_unscheduled_accesses}}) {
      if (Status n = number(clocks, key, "clocks", *out); !n.ok()) return n;
    }
    for (const auto& [key, out] : std::initializer_list<std::pair<std::string_view, int*>>{
             {"proxy_review_age", &p.proxy_review_age},
             {"proxy_end_age", &p.proxy_end_age},
             {"own_access_age", &p.own_access_age}}) {
      if (Status n = number(family, key, "family", *out); !n.ok()) return n;
    }
    if (p.session_hours == 0 || p.break_glass_hours == 0 || p.lockout_failures == 0) {
      return error("clocks", "session, break-glass and lockout settings must be above 0");
    }
    if (p.proxy_review_age > p.proxy_end_age) {
      return error("family", "proxy_review_age must not be after proxy_end_age");
    }
    return {};
  }

  Status read_lists(const toml::table& root, AccessPolicy& p) {
    Status s;
    if (const toml::table* o = table(root, "opt_out", s)) {
      if (Status k = only(*o, "opt_out", {"social_care_sources"}); !k.ok()) return k;
      auto v = strings(*o, "social_care_sources", "opt_out");
      if (!v.ok()) return v.error();
      p.social_care_sources.insert(v->begin(), v->end());
    }
    if (const toml::table* r = table(root, "relationships", s)) {
      if (Status k = only(*r, "relationships", {"kinds"}); !k.ok()) return k;
      auto v = strings(*r, "kinds", "relationships");
      if (!v.ok()) return v.error();
      p.relationship_kinds.insert(v->begin(), v->end());
    }
    return s;
  }

  Result<Includes> read_activities(const toml::table& root, AccessPolicy& p) {
    Status s;
    const toml::table* t = table(root, "activities", s);
    if (!s.ok()) return s.error();
    if (t == nullptr) return error("activities", "the table is required");
    Includes includes;
    for (const auto& [key, value] : *t) {
      auto list = strings(*t, key.str(), "activities");
      if (!list.ok()) return list.error();
      includes[std::string(key.str())] = *list;
      p.activity_names[std::string(key.str())] = std::string(key.str());
    }
    for (const auto& [id, inner] : includes) {
      for (const auto& i : inner) {
        if (!includes.contains(i)) {
          return error("activities." + id, "includes an unknown activity '" + i + "'");
        }
      }
    }
    return includes;
  }

  // An activity with everything it includes, however deep; a cycle is harmless.
  static void expand(const Includes& includes, const std::string& id, std::set<std::string>& out) {
    if (!out.insert(id).second) return;
    for (const auto& i : includes.at(id))
      expand(includes, i, out);
  }

  Status read_roles(const toml::table& root, const Includes& includes, AccessPolicy& p) {
    Status s;
    const toml::table* roles = table(root, "roles", s);
    if (!s.ok()) return s;
    if (roles == nullptr) return error("roles", "the table is required");
    for (const auto& [key, node] : *roles) {
      const std::string where = "roles." + std::string(key.str());
      const toml::table* t = node.as_table();
      if (t == nullptr) return error(where, "must be a table");
      if (Status o = only(*t, where, {"name", "activities", "sees", "unscheduled_care", "family"});
          !o.ok())
        return o;
      RolePolicy role;
      role.id = std::string(key.str());
      auto name = text(*t, "name", where, true);
      if (!name.ok()) return name.error();
      role.name = *name;
      auto activities = strings(*t, "activities", where);
      if (!activities.ok()) return activities.error();
      for (const auto& a : *activities) {
        if (!includes.contains(a)) return error(where, "unknown activity '" + a + "'");
        expand(includes, a, role.activities);
      }
      auto sees = strings(*t, "sees", where);
      if (!sees.ok()) return sees.error();
      role.sees.insert(sees->begin(), sees->end());
      // A misspelt value (unscheduled_care = "yes") must not silently mean false.
      for (const auto& [flag, out] : std::initializer_list<std::pair<std::string_view, bool*>>{
               {"unscheduled_care", &role.unscheduled_care}, {"family", &role.family}}) {
        if (const toml::node* n = t->get(flag)) {
          if (!n->is_boolean()) {
            return error(where, "'" + std::string(flag) + "' must be true or false");
          }
          *out = n->value_or(false);
        }
      }
      p.roles.emplace(role.id, std::move(role));
    }
    return {};
  }

  Status read_labels(const toml::table& root, AccessPolicy& p) {
    Status s;
    const toml::table* labels = table(root, "labels", s);
    if (!s.ok() || labels == nullptr) return s;
    for (const auto& [key, node] : *labels) {
      const std::string where = "labels." + std::string(key.str());
      const toml::table* t = node.as_table();
      if (t == nullptr) return error(where, "must be a table");
      if (Status o = only(*t, where, {"name", "codes", "kinds", "categories", "say_withheld"});
          !o.ok())
        return o;
      SensitivityLabel label;
      label.id = std::string(key.str());
      auto name = text(*t, "name", where, true);
      if (!name.ok()) return name.error();
      label.name = *name;
      for (const auto& [k, out] :
           std::initializer_list<std::pair<std::string_view, std::set<std::string>*>>{
               {"codes", &label.codes},
               {"kinds", &label.kinds},
               {"categories", &label.categories}}) {
        auto v = strings(*t, k, where);
        if (!v.ok()) return v.error();
        out->insert(v->begin(), v->end());
      }
      if (const toml::node* n = t->get("say_withheld")) {
        auto v = n->value<bool>();
        if (!v) return error(where, "'say_withheld' must be true or false");
        label.say_withheld = *v;
      }
      p.labels.push_back(std::move(label));
    }
    return {};
  }
};

}  // namespace

Result<AccessPolicy> AccessPolicy::parse(std::string_view text, const std::string& origin) {
  auto root = parse_toml(text, origin);
  if (!root.ok()) return root.error();
  return PolicyReader(origin).read(*root);
}

Result<AccessPolicy> AccessPolicy::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io_error("cannot read the access policy '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

std::string AccessPolicy::default_path() {
  return std::string(ONECHILD_CONFIG_DIR) + "/access.toml";
}

const RolePolicy* AccessPolicy::role(std::string_view id) const {
  auto it = roles.find(id);
  return it == roles.end() ? nullptr : &it->second;
}

bool AccessPolicy::permits(std::string_view role_id, std::string_view activity) const {
  const RolePolicy* r = role(role_id);
  return r != nullptr && r->activities.contains(std::string(activity));
}

bool AccessPolicy::role_sees(std::string_view role_id, std::string_view label) const {
  const RolePolicy* r = role(role_id);
  return r != nullptr && r->sees.contains(std::string(label));
}

}  // namespace onechild
