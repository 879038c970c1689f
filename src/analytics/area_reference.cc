#include "analytics/area_reference.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <vector>

#include "core/csv.h"

namespace onechild {
namespace {

// Reads a CSV with a header, calling row(fields by column name) per record.
using Row = std::map<std::string, std::string, std::less<>>;
Status read_csv(const std::string& path, const std::vector<std::string>& required,
                const std::function<Status(const Row&, int64_t line)>& row) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io_error("cannot read reference file " + path);
  CsvReader reader(in);
  auto header = reader.next();
  if (!header || header->error) return Error::invalid_argument(path + ": no header row");
  for (const std::string& column : required) {
    if (std::find(header->fields.begin(), header->fields.end(), column) == header->fields.end()) {
      return Error::invalid_argument(path + ": no column '" + column + "'");
    }
  }
  Row fields;
  while (auto record = reader.next()) {
    const std::string where = path + " line " + std::to_string(record->line);
    if (record->error) return Error::invalid_argument(where + ": " + *record->error);
    if (record->fields.size() != header->fields.size()) {
      return Error::invalid_argument(where + ": " + std::to_string(record->fields.size()) +
                                     " fields, the header has " +
                                     std::to_string(header->fields.size()));
    }
    for (size_t i = 0; i < header->fields.size(); ++i)
      fields[header->fields[i]] = record->fields[i];
    if (Status s = row(fields, record->line); !s.ok()) {
      return Error::invalid_argument(where + ": " + s.error().message());
    }
  }
  return {};
}

const std::string& field(const Row& row, std::string_view name) {
  return row.find(name)->second;
}

}  // namespace

std::string normalise_postcode(std::string_view postcode) {
  std::string out;
  for (char c : postcode) {
    if (c != ' ') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

Result<AreaReference> AreaReference::load(const std::string& dir) {
  AreaReference ref;
  Status s = read_csv(
      dir + "/geography.csv",
      {"lsoa_code", "imd_decile", "local_authority_code", "local_authority_name"},
      [&](const Row& r, int64_t) -> Status {
        Lsoa l;
        const std::string& d = field(r, "imd_decile");
        if (d.size() > 2 || d.empty() ||
            !std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            std::stoi(d) < 1 || std::stoi(d) > 10) {
          return Error::invalid_argument("imd_decile '" + d + "' is not a decile from 1 to 10");
        }
        l.imd_decile = std::stoi(d);
        l.local_authority = field(r, "local_authority_code");
        ref.la_names_[l.local_authority] = field(r, "local_authority_name");
        ref.lsoas_[field(r, "lsoa_code")] = std::move(l);
        return {};
      });
  if (!s.ok()) return s.error();
  s = read_csv(
      dir + "/postcodes.csv", {"postcode", "lsoa_code"}, [&](const Row& r, int64_t) -> Status {
        if (!ref.lsoas_.contains(field(r, "lsoa_code"))) {
          return Error::invalid_argument("LSOA '" + field(r, "lsoa_code") +
                                         "' is not in geography.csv");
        }
        ref.postcode_lsoa_[normalise_postcode(field(r, "postcode"))] = field(r, "lsoa_code");
        return {};
      });
  if (!s.ok()) return s.error();
  s = read_csv(
      dir + "/organisations.csv",
      {"code", "name", "type", "parent_code", "local_authority_code", "child_health_hub_from"},
      [&](const Row& r, int64_t) -> Status {
        Organisation o{field(r, "code"),
                       field(r, "name"),
                       field(r, "type"),
                       field(r, "parent_code"),
                       field(r, "local_authority_code"),
                       std::nullopt};
        if (const std::string& hub = field(r, "child_health_hub_from"); !hub.empty()) {
          auto d = parse_iso_date(hub);
          if (!d.ok()) {
            return Error::invalid_argument("child_health_hub_from '" + hub +
                                           "' is not a date (YYYY-MM-DD)");
          }
          o.hub_from = *d;
        }
        ref.orgs_[o.code] = std::move(o);
        return {};
      });
  if (!s.ok()) return s.error();
  return ref;
}

const Lsoa* AreaReference::lsoa_of_postcode(std::string_view postcode) const {
  const auto p = postcode_lsoa_.find(normalise_postcode(postcode));
  if (p == postcode_lsoa_.end()) return nullptr;
  const auto l = lsoas_.find(p->second);
  return l == lsoas_.end() ? nullptr : &l->second;
}

const Organisation* AreaReference::organisation(std::string_view code) const {
  const auto it = orgs_.find(code);
  return it == orgs_.end() ? nullptr : &it->second;
}

std::string AreaReference::name_of(std::string_view code) const {
  if (const auto it = orgs_.find(code); it != orgs_.end()) return it->second.name;
  if (const auto it = la_names_.find(code); it != la_names_.end()) return it->second;
  return std::string(code);
}

}  // namespace onechild
