// What the programmes' TOML files (schedules, programmes.toml, coverage.toml)
// share: parsing with the line of a syntax error, refusing unknown keys so a
// misspelt setting is never silently ignored, and errors naming the file and
// the table. Shared by src/programmes/ and src/analytics/.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/error.h"

namespace onechild {

Result<toml::table> parse_toml(std::string_view text, const std::string& origin);
Date date_of(const toml::date& d);

class TomlReader {
 protected:
  explicit TomlReader(const std::string& origin) : origin_(origin) {}

  // "origin: where: what", as Error::invalid_argument.
  Error error(const std::string& where, const std::string& what) const;
  Status only(const toml::table& t, const std::string& where,
              const std::set<std::string_view>& keys) const;
  // A non-empty text; "" when absent and not required.
  Result<std::string> text(const toml::table& t, std::string_view key, const std::string& where,
                           bool required) const;
  Result<std::optional<Date>> date(const toml::table& t, std::string_view key,
                                   const std::string& where) const;

 private:
  const std::string& origin_;
};

}  // namespace onechild
