#include "link/nicknames.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "link/normalise.h"

namespace onechild::linkage {
namespace {

std::string_view trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// The distinct folded names of one line, in the order first seen; an error names no location
// (the caller adds file and line).
Result<std::vector<std::string>> parse_group(std::string_view line) {
  std::vector<std::string> names;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    const std::string_view field = line.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::string name = fold_name(field);
    if (name.empty()) {
      return Error::invalid_argument("empty name (or no letters) in '" + std::string(field) +
                                     "'; a group is comma-separated names");
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(std::move(name));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (names.size() < 2) {
    return Error::invalid_argument("a nickname group needs at least two different names, found " +
                                   std::to_string(names.size()));
  }
  return names;
}

}  // namespace

Result<Nicknames> Nicknames::load(const std::string& path) {
  std::error_code ec;
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path, ec)) {
    return Error::io_error("cannot read nickname list '" + path + "'");
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return Error::io_error("error reading nickname list '" + path + "'");
  return parse(text, path);
}

Result<Nicknames> Nicknames::parse(std::string_view text, const std::string& file_name) {
  Nicknames nicknames;
  int64_t line_number = 0;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const std::string_view line = trim(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;

    Result<std::vector<std::string>> names = parse_group(line);
    if (!names.ok()) return Error(names.error()).at(file_name, line_number);
    const auto group = static_cast<uint32_t>(nicknames.group_count_++);
    for (std::string& name : *names)
      nicknames.groups_of_[std::move(name)].push_back(group);
  }
  return nicknames;
}

Result<Nicknames> Nicknames::load_if_named(const std::string& path) {
  if (path.empty()) return Nicknames();
  return load(path);
}

bool Nicknames::are_variants(std::string_view a, std::string_view b) const {
  if (a == b) return false;
  const auto a_groups = groups_of_.find(a);
  if (a_groups == groups_of_.end()) return false;
  const auto b_groups = groups_of_.find(b);
  if (b_groups == groups_of_.end()) return false;
  // Both lists are ascending (groups are numbered in file order), so one merge pass.
  const std::vector<uint32_t>& x = a_groups->second;
  const std::vector<uint32_t>& y = b_groups->second;
  size_t i = 0, j = 0;
  while (i < x.size() && j < y.size()) {
    if (x[i] == y[j]) return true;
    if (x[i] < y[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

}  // namespace onechild::linkage
