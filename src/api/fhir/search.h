// FHIR search: parameters parsed and checked, and matched against the
// resources of one child's record (docs/fhir.md lists what each type takes).
//
// Parsing is strict: an unknown parameter, modifier or prefix, or a value
// that does not parse, is an error (the API answers 400 with an
// OperationOutcome) rather than a search that silently ignores it.
// Repeating a parameter ANDs the values; a comma inside one value ORs them.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/fhir/resources.h"
#include "core/error.h"
#include "record/child_record.h"
#include "record/protection.h"

namespace onechild::api::fhir {

// name (with any :modifier) and decoded value, in the order given.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=x%20y&a=2" -> {{a,1},{b,x y},{a,2}}. A malformed %-escape is an error.
Result<QueryParams> parse_query(std::string_view query);
// The inverse, for paging links.
std::string format_query(const QueryParams& params);

// A date parameter: prefix and the range its value covers, as inclusive
// "YYYY-MM-DD" days ("2024" covers 2024-01-01..2024-12-31).
struct DateFilter {
  std::string prefix = "eq";  // eq ne gt lt ge le sa eb ap
  std::string lo, hi;
};
Result<DateFilter> parse_date_filter(std::string_view text);
// Whether a resource covering [lo, hi] matches (hi "9999-12-31": ongoing).
bool date_matches(const DateFilter& filter, std::string_view lo, std::string_view hi);

// A token: "system|code", "|code" (no system), "system|" (any code in the
// system) or "code" (any system).
struct TokenFilter {
  std::optional<std::string> system;
  std::string code;
};
TokenFilter parse_token(std::string_view text);

struct StringFilter {
  enum class Mode { kStartsWith, kExact, kContains };
  std::string value;
  Mode mode = Mode::kStartsWith;
};

// One resource and what search matches it on.
struct Item {
  std::string type, id;
  json::object resource;
  std::string date_lo, date_hi;  // "" when the resource has no date
  std::vector<std::pair<std::string, std::string>> codes, categories;  // (system, code)
  std::string status;
  // Patient only.
  std::vector<std::string> names, families, givens, birth_dates;
  std::string gender;
  std::vector<std::pair<std::string, std::string>> identifiers;
};

// The record's Patient, and what Patient search matches it on (every
// source's names and birth dates).
Item patient_item(const ChildRecord& record, const Subject& subject);

// Every resource of a record: Patient first, then events (newest first),
// then a Flag and a CareTeam per protection flag. today: "YYYY-MM-DD".
std::vector<Item> record_items(const ChildRecord& record, const std::vector<ProtectionFlag>& flags,
                               const Subject& subject, const std::string& today);

// A search, parsed. Each inner vector is one parameter occurrence (its
// comma-separated values ORed); the outer vectors are ANDed.
struct Search {
  std::string type;
  std::optional<int64_t> patient;  // patient= / subject=
  std::vector<std::vector<std::string>> ids;
  std::vector<std::vector<DateFilter>> dates, birthdates;
  std::vector<std::vector<TokenFilter>> codes, categories, statuses, identifiers, genders;
  std::vector<std::vector<StringFilter>> names, families, givens;
  std::vector<std::string> types;  // $everything's _type
  int count = 50;                  // _count: page size (max 500)
  int64_t offset = 0;              // _offset: where the page starts
  bool include_patient = false;    // _include=*:patient
  bool summary_count = false;      // _summary=count
  QueryParams paging;              // the parameters to repeat in paging links (no _offset)
  bool has_criteria() const;       // any filter besides patient and paging
};

inline constexpr int kDefaultCount = 50;
inline constexpr int kMaxCount = 500;

// type: a resource type, or "$everything" (takes _type, start, end).
Result<Search> parse_search(std::string_view type, const QueryParams& params);

bool matches(const Search& search, const Item& item);

}  // namespace onechild::api::fhir
