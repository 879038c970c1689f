#include "programmes/toml_reader.h"

#include <sstream>

namespace onechild {

Result<toml::table> parse_toml(std::string_view text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << origin << ":" << e.source().begin.line << ": " << e.description();
    return Error::invalid_argument(where.str());
  }
}

Date date_of(const toml::date& d) {
  return Date{std::chrono::year{d.year}, std::chrono::month{d.month}, std::chrono::day{d.day}};
}

Error TomlReader::error(const std::string& where, const std::string& what) const {
  return Error::invalid_argument(origin_ + ": " + where + ": " + what);
}

Status TomlReader::only(const toml::table& t, const std::string& where,
                        const std::set<std::string_view>& keys) const {
  for (const auto& [key, value] : t) {
    if (!keys.contains(key.str())) {
      return error(where, "unknown setting '" + std::string(key.str()) + "'");
    }
  }
  return {};
}

Result<std::string> TomlReader::text(const toml::table& t, std::string_view key,
                                     const std::string& where, bool required) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) {
    if (required) return error(where, "'" + std::string(key) + "' is required");
    return std::string();
  }
  auto v = n->value<std::string>();
  if (!v || v->empty()) return error(where, "'" + std::string(key) + "' must be a non-empty text");
  return *v;
}

Result<std::optional<Date>> TomlReader::date(const toml::table& t, std::string_view key,
                                             const std::string& where) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::optional<Date>();
  const auto* d = n->as_date();
  if (d == nullptr || !date_of(d->get()).ok()) {
    return error(where, "'" + std::string(key) + "' must be a date (2024-07-01)");
  }
  return std::optional<Date>(date_of(d->get()));
}

}  // namespace onechild
