// Given names one person may go by. A child registered as "William" is "Billy" at school and
// "Liam" to the GP; string similarity cannot see that, so linkage asks this list. The list is
// data (config/reference/nicknames.csv), replaceable without a rebuild.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"

namespace onechild::linkage {

// Groups of given names one person may go by ("william","will","bill","billy","liam").
class Nicknames {
 public:
  Nicknames() = default;  // no groups: no two names are variants

  // One group per line, comma-separated names, each run through fold_name (so the file may hold
  // accents and capitals); blank lines and lines starting with '#' are ignored. A malformed file
  // (a group with fewer than two distinct names, an empty name) -> Error::invalid_argument
  // naming the file and line. Unreadable file -> Error::io_error.
  static Result<Nicknames> load(const std::string& path);
  static Result<Nicknames> parse(std::string_view text, const std::string& file_name);
  // A model's list: load(path), or no groups when the model names none.
  static Result<Nicknames> load_if_named(const std::string& path);

  // True when a != b and some group holds both. A name may be in several groups: "alex" is in
  // both the alexander and alexandra groups, so alex~alexander and alex~alexandra, but NOT
  // alexander~alexandra unless a group holds both. Inputs are folded names. Never allocates.
  bool are_variants(std::string_view a, std::string_view b) const;

  // True when some group holds the name: a name in none has no variants.
  bool contains(std::string_view name) const { return groups_of_.find(name) != groups_of_.end(); }

  size_t group_count() const { return group_count_; }

 private:
  // Lets find() take a string_view without building a std::string.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  // Each name's groups, ascending: most names are in one or two.
  std::unordered_map<std::string, std::vector<uint32_t>, Hash, std::equal_to<>> groups_of_;
  size_t group_count_ = 0;
};

}  // namespace onechild::linkage
