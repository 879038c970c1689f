#include "api/fhir/search.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <set>

#include "api/http_util.h"
#include "core/date.h"

namespace onechild::api::fhir {
namespace {

constexpr std::string_view kOpenEnd = "9999-12-31";
constexpr std::string_view kProtectionPlanSystem =
    "https://onechild.example/fhir/CodeSystem/protection-plan";

Error bad(std::string message) {
  return Error::invalid_argument(std::move(message));
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const size_t at = text.find(sep);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<int64_t> whole_number(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// The last day of a month, as "DD".
std::string last_day(int year, unsigned month) {
  const std::chrono::year_month_day_last last{std::chrono::year{year} / std::chrono::month{month} /
                                              std::chrono::last};
  const unsigned d = static_cast<unsigned>(last.day());
  return (d < 10 ? "0" : "") + std::to_string(d);
}

bool token_matches(const TokenFilter& f,
                   const std::vector<std::pair<std::string, std::string>>& in) {
  for (const auto& [system, code] : in) {
    if (f.system && *f.system != system) continue;
    if (!f.code.empty() && f.code != code) continue;
    return true;
  }
  return false;
}

bool string_matches(const StringFilter& f, const std::vector<std::string>& values) {
  const std::string want = lower(f.value);
  for (const auto& v : values) {
    const std::string have = lower(v);
    switch (f.mode) {
      case StringFilter::Mode::kExact:
        if (v == f.value) return true;
        break;
      case StringFilter::Mode::kContains:
        if (have.find(want) != std::string::npos) return true;
        break;
      case StringFilter::Mode::kStartsWith:
        if (have.rfind(want, 0) == 0) return true;
        break;
    }
  }
  return false;
}

template <typename Filter, typename Test>
bool all_of_any(const std::vector<std::vector<Filter>>& groups, Test test) {
  return std::all_of(groups.begin(), groups.end(), [&](const std::vector<Filter>& any) {
    return std::any_of(any.begin(), any.end(), test);
  });
}

// Which parameters a type takes, and what each means.
enum class Param {
  kId,
  kPatient,
  kDate,
  kCode,
  kCategory,
  kStatus,
  kIdentifier,
  kName,
  kFamily,
  kGiven,
  kBirthdate,
  kGender,
  kType,
  kStart,
  kEnd
};

std::optional<Param> param_for(std::string_view type, std::string_view name) {
  if (name == "_id") return Param::kId;
  if (type == "Patient") {
    if (name == "identifier") return Param::kIdentifier;
    if (name == "name") return Param::kName;
    if (name == "family") return Param::kFamily;
    if (name == "given") return Param::kGiven;
    if (name == "birthdate") return Param::kBirthdate;
    if (name == "gender") return Param::kGender;
    return std::nullopt;
  }
  if (type == "$everything") {
    if (name == "_type") return Param::kType;
    if (name == "start") return Param::kStart;
    if (name == "end") return Param::kEnd;
    return std::nullopt;
  }
  if (name == "patient" || name == "subject") return Param::kPatient;
  if (name == "date") return Param::kDate;
  if (name == "code") return Param::kCode;
  if (name == "category") return Param::kCategory;
  if (name == "status") return Param::kStatus;  // Condition: its clinical status
  // The names R4 itself gives these parameters on some types.
  if (type == "Immunization" && name == "vaccine-code") return Param::kCode;
  if ((type == "Encounter" || type == "EpisodeOfCare") && name == "type") return Param::kCode;
  if (type == "Condition" && name == "clinical-status") return Param::kStatus;
  if (type == "Condition" && name == "onset-date") return Param::kDate;
  if ((type == "ServiceRequest" || type == "QuestionnaireResponse") && name == "authored") {
    return Param::kDate;
  }
  return std::nullopt;
}

}  // namespace

Result<QueryParams> parse_query(std::string_view query) {
  QueryParams out;
  if (query.empty()) return out;
  for (std::string_view pair : split(query, '&')) {
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    auto name = url_decode(pair.substr(0, eq));
    auto value = url_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) {
      return bad("the query has a malformed %-escape in '" + std::string(pair) + "'");
    }
    if (name->empty()) continue;
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

std::string format_query(const QueryParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    // Keep the punctuation FHIR values use readable; encode the rest.
    std::string v;
    for (char c : value) {
      if (c == ':' || c == '|' || c == ',' || c == '/' || c == '*') {
        v += c;
      } else {
        v += url_encode(std::string_view(&c, 1));
      }
    }
    // The name and its :modifier are encoded too (but the ':' itself), so a
    // parameter always reads back as it was.
    for (char c : name)
      out += c == ':' ? std::string(1, c) : url_encode(std::string_view(&c, 1));
    out += '=' + v;
  }
  return out;
}

Result<DateFilter> parse_date_filter(std::string_view text) {
  DateFilter f;
  static constexpr std::string_view kPrefixes[] = {"eq", "ne", "gt", "lt", "ge",
                                                   "le", "sa", "eb", "ap"};
  if (text.size() >= 2 && std::isalpha(static_cast<unsigned char>(text[0]))) {
    const std::string_view prefix = text.substr(0, 2);
    if (std::find(std::begin(kPrefixes), std::end(kPrefixes), prefix) == std::end(kPrefixes)) {
      return bad("'" + std::string(text) +
                 "' is not a date: use [prefix]YYYY[-MM[-DD]] with prefix " +
                 "eq, ne, gt, lt, ge, le, sa, eb or ap");
    }
    f.prefix = prefix;
    text.remove_prefix(2);
  }
  const auto fail = [&] {
    return bad("'" + std::string(text) + "' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD");
  };
  const auto digits = [&](size_t from, size_t n) {
    if (text.size() < from + n) return false;
    for (size_t i = from; i < from + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    }
    return true;
  };
  if (!digits(0, 4)) return fail();
  const int year = std::stoi(std::string(text.substr(0, 4)));
  if (year == 0) return fail();
  if (text.size() == 4) {
    f.lo = std::string(text) + "-01-01";
    f.hi = std::string(text) + "-12-31";
    return f;
  }
  if (text[4] != '-' || !digits(5, 2)) return fail();
  const unsigned month = static_cast<unsigned>(std::stoi(std::string(text.substr(5, 2))));
  if (month < 1 || month > 12) return fail();
  if (text.size() == 7) {
    f.lo = std::string(text) + "-01";
    f.hi = std::string(text) + "-" + last_day(year, month);
    return f;
  }
  // A day, or a dateTime whose day is taken (searching is to the day).
  if (text.size() > 10 && text[10] != 'T') return fail();
  if (!parse_iso_date(text.substr(0, 10)).ok()) return fail();
  f.lo = f.hi = std::string(text.substr(0, 10));
  return f;
}

bool date_matches(const DateFilter& f, std::string_view lo, std::string_view hi) {
  if (lo.empty()) return false;
  if (hi.empty()) hi = lo;
  const bool eq = lo >= f.lo && hi <= f.hi;
  if (f.prefix == "eq") return eq;
  if (f.prefix == "ne") return !eq;
  if (f.prefix == "gt") return hi > f.hi;
  if (f.prefix == "lt") return lo < f.lo;
  if (f.prefix == "ge") return hi >= f.lo;
  if (f.prefix == "le") return lo <= f.hi;
  if (f.prefix == "sa") return lo > f.hi;
  if (f.prefix == "eb") return hi < f.lo;
  return lo <= f.hi && hi >= f.lo;  // ap: overlaps
}

TokenFilter parse_token(std::string_view text) {
  TokenFilter f;
  const size_t bar = text.find('|');
  if (bar == std::string_view::npos) {
    f.code = std::string(text);
  } else {
    f.system = std::string(text.substr(0, bar));
    f.code = std::string(text.substr(bar + 1));
  }
  return f;
}

bool Search::has_criteria() const {
  return !ids.empty() || !dates.empty() || !birthdates.empty() || !codes.empty() ||
         !categories.empty() || !statuses.empty() || !identifiers.empty() || !genders.empty() ||
         !names.empty() || !families.empty() || !givens.empty();
}

Result<Search> parse_search(std::string_view type, const QueryParams& params) {
  Search s;
  s.type = std::string(type);
  for (const auto& [full_name, value] : params) {
    const size_t colon = full_name.find(':');
    const std::string name = full_name.substr(0, colon);
    const std::string modifier = colon == std::string::npos ? "" : full_name.substr(colon + 1);

    // Result parameters, the same for every type.
    if (name == "_format" || name == "_pretty") {
      if (name == "_format" && value.find("xml") != std::string::npos) {
        return bad("only JSON is served (_format=json)");
      }
      s.paging.emplace_back(full_name, value);
      continue;
    }
    if (name == "_count") {
      auto n = whole_number(value);
      if (!n) return bad("_count must be a whole number");
      s.count = static_cast<int>(std::min<int64_t>(*n, kMaxCount));
      if (s.count == 0) s.summary_count = true;  // no entries: the total only
      s.paging.emplace_back(name, std::to_string(s.count));
      continue;
    }
    if (name == "_offset") {
      auto n = whole_number(value);
      if (!n) return bad("_offset must be a whole number");
      s.offset = *n;
      continue;
    }
    if (name == "_summary") {
      if (value == "count") {
        s.summary_count = true;
      } else if (value != "false") {
        return bad("_summary supports only 'count' and 'false'");
      }
      s.paging.emplace_back(name, value);
      continue;
    }
    if (name == "_total") {  // totals are always given when known
      s.paging.emplace_back(name, value);
      continue;
    }
    if (name == "_include") {
      const auto parts = split(value, ':');
      const bool patient_include =
          parts.size() == 2 && (parts[0] == "*" || parts[0] == type) &&
          (parts[1] == "patient" || parts[1] == "subject" || parts[1] == "*");
      if (type == "Patient" || type == "$everything" || !(value == "*" || patient_include)) {
        return bad("_include supports only the patient (" +
                   std::string(type == "Patient" ? "Observation" : type) +
                   ":patient or *:patient)");
      }
      s.include_patient = true;
      s.paging.emplace_back(name, value);
      continue;
    }

    const auto param = param_for(type, name);
    if (!param) {
      return bad("unknown search parameter '" + name + "' for " +
                 std::string(type == "$everything" ? "Patient/$everything" : type));
    }
    const bool string_param =
        *param == Param::kName || *param == Param::kFamily || *param == Param::kGiven;
    if (!modifier.empty() && !(string_param && (modifier == "exact" || modifier == "contains"))) {
      return bad("the modifier ':" + modifier + "' is not supported on '" + name + "'");
    }
    if (value.empty()) return bad("'" + name + "' needs a value");
    s.paging.emplace_back(full_name, value);
    const auto values = split(value, ',');
    switch (*param) {
      case Param::kId: {
        std::vector<std::string> any;
        for (auto v : values)
          any.emplace_back(v);
        s.ids.push_back(std::move(any));
        break;
      }
      case Param::kPatient: {
        if (values.size() != 1) return bad("give one patient");
        std::string_view ref = values[0];
        if (ref.rfind("Patient/", 0) == 0) ref.remove_prefix(8);
        auto id = whole_number(ref);
        if (!id) return bad("'" + value + "' is not a patient (use Patient/<id> or <id>)");
        if (s.patient && *s.patient != *id) return bad("give one patient");
        s.patient = *id;
        break;
      }
      case Param::kDate:
      case Param::kBirthdate:
      case Param::kStart:
      case Param::kEnd: {
        std::vector<DateFilter> any;
        for (auto v : values) {
          auto f = parse_date_filter(v);
          if (!f.ok()) return bad(name + ": " + f.error().message());
          // $everything's start and end bound the care dates.
          if (*param == Param::kStart) f->prefix = "ge";
          if (*param == Param::kEnd) f->prefix = "le";
          any.push_back(std::move(*f));
        }
        (*param == Param::kBirthdate ? s.birthdates : s.dates).push_back(std::move(any));
        break;
      }
      case Param::kCode:
      case Param::kCategory:
      case Param::kStatus:
      case Param::kIdentifier:
      case Param::kGender: {
        std::vector<TokenFilter> any;
        for (auto v : values)
          any.push_back(parse_token(v));
        auto& into = *param == Param::kCode         ? s.codes
                     : *param == Param::kCategory   ? s.categories
                     : *param == Param::kStatus     ? s.statuses
                     : *param == Param::kIdentifier ? s.identifiers
                                                    : s.genders;
        into.push_back(std::move(any));
        break;
      }
      case Param::kName:
      case Param::kFamily:
      case Param::kGiven: {
        std::vector<StringFilter> any;
        const auto mode = modifier == "exact"      ? StringFilter::Mode::kExact
                          : modifier == "contains" ? StringFilter::Mode::kContains
                                                   : StringFilter::Mode::kStartsWith;
        for (auto v : values)
          any.push_back({std::string(v), mode});
        (*param == Param::kName     ? s.names
         : *param == Param::kFamily ? s.families
                                    : s.givens)
            .push_back(std::move(any));
        break;
      }
      case Param::kType:
        for (auto v : values) {
          if (!is_resource_type(v))
            return bad("_type: '" + std::string(v) + "' is not a type served");
          s.types.emplace_back(v);
        }
        break;
    }
  }
  return s;
}

bool matches(const Search& s, const Item& item) {
  if (!s.types.empty() && std::find(s.types.begin(), s.types.end(), item.type) == s.types.end()) {
    return false;
  }
  if (!all_of_any(s.ids, [&](const std::string& id) { return id == item.id; })) return false;
  // $everything's start/end leave the Patient (which has no care date) in.
  const bool dated = !(s.type == "$everything" && item.type == "Patient");
  if (dated && !all_of_any(s.dates, [&](const DateFilter& f) {
        return date_matches(f, item.date_lo, item.date_hi);
      })) {
    return false;
  }
  if (!all_of_any(s.codes, [&](const TokenFilter& f) { return token_matches(f, item.codes); })) {
    return false;
  }
  if (!all_of_any(s.categories,
                  [&](const TokenFilter& f) { return token_matches(f, item.categories); })) {
    return false;
  }
  if (!all_of_any(s.statuses, [&](const TokenFilter& f) { return f.code == item.status; })) {
    return false;
  }
  if (!all_of_any(s.identifiers,
                  [&](const TokenFilter& f) { return token_matches(f, item.identifiers); })) {
    return false;
  }
  if (!all_of_any(s.genders, [&](const TokenFilter& f) { return f.code == item.gender; })) {
    return false;
  }
  if (!all_of_any(s.birthdates, [&](const DateFilter& f) {
        return std::any_of(item.birth_dates.begin(), item.birth_dates.end(),
                           [&](const std::string& d) { return date_matches(f, d, d); });
      })) {
    return false;
  }
  if (!all_of_any(s.names, [&](const StringFilter& f) { return string_matches(f, item.names); })) {
    return false;
  }
  if (!all_of_any(s.families,
                  [&](const StringFilter& f) { return string_matches(f, item.families); })) {
    return false;
  }
  return all_of_any(s.givens,
                    [&](const StringFilter& f) { return string_matches(f, item.givens); });
}

namespace {

std::string date_part(const std::optional<std::string>& text) {
  if (!text) return "";
  auto d = fhir_date(*text);
  if (!d) return "";
  if (d->size() == 4) return *d + "-01-01";
  if (d->size() == 7) return *d + "-01";
  return *d;
}

bool open_ended(std::string_view type) {
  return type == "EpisodeOfCare" || type == "CarePlan" || type == "Flag" || type == "CareTeam" ||
         type == "Condition";
}

}  // namespace

Item patient_item(const ChildRecord& record, const Subject& subject) {
  Item item;
  item.type = "Patient";
  item.id = subject.id;
  item.resource = patient_resource(record, subject);
  item.status = "active";
  if (!subject.pseudonymised) {
    std::set<std::string> names, families, givens, born;
    for (const auto& id : record.identities) {
      if (id.family_name) {
        families.insert(*id.family_name);
        names.insert(*id.family_name);
      }
      if (id.given_name) {
        for (auto part : split(*id.given_name, ' ')) {
          if (part.empty()) continue;
          givens.emplace(part);
          names.emplace(part);
        }
      }
      if (id.birth_date) {
        if (auto d = fhir_date(*id.birth_date); d && d->size() == 10) born.insert(*d);
      }
    }
    item.names.assign(names.begin(), names.end());
    item.families.assign(families.begin(), families.end());
    item.givens.assign(givens.begin(), givens.end());
    item.birth_dates.assign(born.begin(), born.end());
  }
  if (const auto* g = item.resource.if_contains("gender")) item.gender = g->as_string().c_str();
  if (const auto* ids = item.resource.if_contains("identifier")) {
    for (const auto& v : ids->as_array()) {
      const auto& o = v.as_object();
      item.identifiers.emplace_back(o.at("system").as_string().c_str(),
                                    o.at("value").as_string().c_str());
    }
  }
  return item;
}

std::vector<Item> record_items(const ChildRecord& record, const std::vector<ProtectionFlag>& flags,
                               const Subject& subject, const std::string& today) {
  std::vector<Item> items;
  items.reserve(record.events.size() + 2 * flags.size() + 1);
  items.push_back(patient_item(record, subject));
  for (const RecordEvent& e : record.events) {
    Item item;
    item.resource = event_resource(e, subject, today);
    item.type = item.resource.at("resourceType").as_string().c_str();
    item.id = resource_id(e);
    item.status = fhir_status(e, today);
    item.date_lo = date_part(e.start_date);
    item.date_hi = date_part(e.end_date);
    if (item.date_hi.empty() || item.date_hi < item.date_lo) {
      item.date_hi = open_ended(item.type) && !e.end_date ? std::string(kOpenEnd) : item.date_lo;
    }
    const CodeRole role = mapping_for(e.kind).code_role;
    if (e.code && role != CodeRole::kProvider) {
      item.codes.emplace_back(e.code_system.value_or(""), *e.code);
    }
    if (e.kind == "birth") item.codes.emplace_back("http://snomed.info/sct", "364589006");
    item.categories = event_categories(e);
    items.push_back(std::move(item));
  }
  for (const char* type : {"Flag", "CareTeam"}) {
    for (const ProtectionFlag& f : flags) {
      Item item;
      item.type = type;
      item.resource = item.type == "Flag" ? protection_flag_resource(f, subject)
                                          : protection_care_team_resource(f, subject);
      item.id = item.resource.at("id").as_string().c_str();
      item.status = "active";
      item.date_lo = date_part(f.start);
      item.date_hi = f.end ? date_part(f.end) : std::string(kOpenEnd);
      if (item.date_hi.empty()) item.date_hi = kOpenEnd;
      item.codes.emplace_back(kProtectionPlanSystem, f.kind);
      item.categories.emplace_back(kEventKindSystem, "cp-is");
      if (item.type == "Flag") {
        item.categories.emplace_back("http://terminology.hl7.org/CodeSystem/flag-category",
                                     "safety");
      } else {
        item.categories.emplace_back(kProtectionPlanSystem, f.kind);
      }
      items.push_back(std::move(item));
    }
  }
  return items;
}

}  // namespace onechild::api::fhir
