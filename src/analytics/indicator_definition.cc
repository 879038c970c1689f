#include "analytics/indicator_definition.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "analytics/condition_reader.h"
#include "programmes/toml_reader.h"

namespace onechild {
namespace {

constexpr int kMaxAge = 24;  // the product covers 0-25

struct Unit {
  std::string_view name;
  double multiplier;
};
constexpr Unit kUnits[] = {
    {"%", 100}, {"per 1,000", 1000}, {"per 10,000", 10000}, {"per 100,000", 1e5}, {"days", 1}};

class Reader : TomlReader {
 public:
  explicit Reader(const std::string& origin) : TomlReader(origin) {}

  Result<IndicatorDefinition> indicator(const toml::table& t, size_t index) const;
  Result<Condition> condition(const toml::table& t, const std::string& where) const;

 private:
  Result<std::vector<std::string>> texts(const toml::table& t, std::string_view key,
                                         const std::string& where) const;
  Result<EventMatcher> matcher(const toml::node& n, const std::string& where) const;
  Result<std::vector<EventMatcher>> matchers(const toml::table& t, std::string_view key,
                                             const std::string& where) const;
  Result<std::vector<Condition>> conditions(const toml::table& t, std::string_view key,
                                            const std::string& where) const;
  Status measure(const toml::table& t, const std::string& where, IndicatorDefinition& d) const;
  Status ages(const toml::table& t, const std::string& where, Measure& m) const;
  Status suppression(const toml::table& t, const std::string& where, SuppressionRule& rule) const;
  Result<std::optional<double>> number(const toml::table& t, std::string_view key,
                                       const std::string& where) const;
  Result<std::pair<int64_t, int64_t>> range(const toml::node& n, const std::string& what,
                                            const std::string& where) const;
};

Result<std::vector<std::string>> Reader::texts(const toml::table& t, std::string_view key,
                                               const std::string& where) const {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const toml::array* a = n->as_array();
  if (a == nullptr) return error(where, "'" + std::string(key) + "' must be a list of texts");
  for (const toml::node& e : *a) {
    auto v = e.value<std::string>();
    if (!v || v->empty()) {
      return error(where, "'" + std::string(key) + "' must be a list of non-empty texts");
    }
    out.push_back(*v);
  }
  return out;
}

Result<std::optional<double>> Reader::number(const toml::table& t, std::string_view key,
                                             const std::string& where) const {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::optional<double>();
  auto v = n->value<double>();
  if (!v) return error(where, "'" + std::string(key) + "' must be a number");
  return std::optional<double>(*v);
}

Result<EventMatcher> Reader::matcher(const toml::node& n, const std::string& where) const {
  const toml::table* t = n.as_table();
  if (t == nullptr) return error(where, "an event must be a table { kind = \"...\" }");
  if (Status s = only(*t, where, {"kind", "codes", "values", "statuses", "min_value", "max_value"});
      !s.ok()) {
    return s.error();
  }
  EventMatcher m;
  auto kind = text(*t, "kind", where, true);
  if (!kind.ok()) return kind.error();
  m.kind = *kind;
  auto codes = texts(*t, "codes", where);
  auto values = texts(*t, "values", where);
  auto statuses = texts(*t, "statuses", where);
  auto lo = number(*t, "min_value", where);
  auto hi = number(*t, "max_value", where);
  for (const Error* e :
       {codes.ok() ? nullptr : &codes.error(), values.ok() ? nullptr : &values.error(),
        statuses.ok() ? nullptr : &statuses.error(), lo.ok() ? nullptr : &lo.error(),
        hi.ok() ? nullptr : &hi.error()}) {
    if (e != nullptr) return *e;
  }
  m.codes = std::move(*codes);
  m.values = std::move(*values);
  m.statuses = std::move(*statuses);
  m.min_value = *lo;
  m.max_value = *hi;
  return m;
}

Result<std::vector<EventMatcher>> Reader::matchers(const toml::table& t, std::string_view key,
                                                   const std::string& where) const {
  std::vector<EventMatcher> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const toml::array* a = n->as_array();
  if (a == nullptr) return error(where, "'" + std::string(key) + "' must be a list of events");
  for (const toml::node& e : *a) {
    auto m = matcher(e, where + " " + std::string(key));
    if (!m.ok()) return m.error();
    out.push_back(std::move(*m));
  }
  return out;
}

Result<Condition> Reader::condition(const toml::table& t, const std::string& where) const {
  if (Status s = only(t, where, {"when", "months", "at_least", "any"}); !s.ok()) {
    return s.error();
  }
  Condition c;
  auto when = text(t, "when", where, true);
  if (!when.ok()) return when.error();
  static const std::pair<std::string_view, Condition::When> kWhen[] = {
      {"before", Condition::When::kBefore},
      {"within", Condition::When::kWithin},
      {"open", Condition::When::kOpen},
      {"none-within", Condition::When::kNoneWithin},
      {"immunised", Condition::When::kImmunised}};
  const auto w = std::find_if(std::begin(kWhen), std::end(kWhen),
                              [&](const auto& p) { return p.first == *when; });
  if (w == std::end(kWhen)) {
    return error(where,
                 "when '" + *when + "' is not one of before, within, open, none-within, immunised");
  }
  c.when = w->second;
  if (const toml::node* m = t.get("months")) {
    if (c.when != Condition::When::kWithin && c.when != Condition::When::kNoneWithin) {
      return error(where, "'months' goes with 'within' or 'none-within'");
    }
    auto v = m->value<int64_t>();
    if (!v || *v < 1 || *v > 120) return error(where, "'months' must be a whole number 1-120");
    c.within_months = static_cast<int>(*v);
  }
  if (const toml::node* n = t.get("at_least")) {
    auto v = n->value<int64_t>();
    if (!v || *v < 1 || *v > 1000) return error(where, "'at_least' must be a whole number 1-1000");
    if (c.when != Condition::When::kBefore && c.when != Condition::When::kWithin) {
      return error(where, "'at_least' goes with 'before' or 'within'");
    }
    c.at_least = static_cast<int>(*v);
  }
  auto any = matchers(t, "any", where);
  if (!any.ok()) return any.error();
  c.any = std::move(*any);
  if (c.any.empty() != (c.when == Condition::When::kImmunised)) {
    return error(where, c.any.empty() ? "'any' must list at least one event"
                                      : "'immunised' takes no events");
  }
  return c;
}

Result<std::vector<Condition>> Reader::conditions(const toml::table& t, std::string_view key,
                                                  const std::string& where) const {
  std::vector<Condition> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const toml::array* a = n->as_array();
  if (a == nullptr) return error(where, "'" + std::string(key) + "' must be a list of conditions");
  for (const toml::node& e : *a) {
    const toml::table* ct = e.as_table();
    if (ct == nullptr)
      return error(where, "a condition must be a table { when = ..., any = [...] }");
    auto c = condition(*ct, where + " " + std::string(key));
    if (!c.ok()) return c.error();
    out.push_back(std::move(*c));
  }
  return out;
}

Result<std::pair<int64_t, int64_t>> Reader::range(const toml::node& n, const std::string& what,
                                                  const std::string& where) const {
  const toml::array* a = n.as_array();
  if (a == nullptr || a->size() != 2 || !a->get(0)->value<int64_t>() ||
      !a->get(1)->value<int64_t>()) {
    return error(where, "'" + what + "' must be two whole numbers [from, to]");
  }
  const int64_t lo = *a->get(0)->value<int64_t>(), hi = *a->get(1)->value<int64_t>();
  if (lo < 0 || hi < lo) return error(where, "'" + what + "' must have 0 <= from <= to");
  return std::pair{lo, hi};
}

Status Reader::ages(const toml::table& t, const std::string& where, Measure& m) const {
  const toml::node* n = t.get("ages");
  if (n == nullptr) return {};
  auto r = range(*n, "ages", where);
  if (!r.ok()) return r.error();
  if (r->second > kMaxAge) return error(where, "'ages' must be within 0-24");
  m.min_age = static_cast<int>(r->first);
  m.max_age = static_cast<int>(r->second);
  return {};
}

Status Reader::measure(const toml::table& t, const std::string& where,
                       IndicatorDefinition& d) const {
  const std::string at = where + " measure";
  auto type = text(t, "type", at, true);
  if (!type.ok()) return type.error();
  Measure& m = d.measure;
  // Each type's settings; anything else is refused so a typo is never ignored.
  std::set<std::string_view> keys = {"type"};
  std::string_view target_key;
  if (*type == "coverage") {
    m.type = MeasureType::kCoverage, keys.insert("coverage"), target_key = "coverage";
  } else if (*type == "schedule") {
    m.type = MeasureType::kSchedule, keys.insert({"item", "also_by"}), target_key = "item";
  } else if (*type == "clock") {
    m.type = MeasureType::kClock, keys.insert("clock"), target_key = "clock";
  } else if (*type == "events") {
    m.type = MeasureType::kEvents, keys.insert({"ages", "event"});
  } else if (*type == "share") {
    m.type = MeasureType::kShare, keys.insert({"event", "same_day"});
  } else if (*type == "people") {
    m.type = MeasureType::kPeople, keys.insert({"ages", "birthday", "population", "numerator"});
  } else {
    return error(
        at, "type '" + *type + "' is not one of coverage, schedule, clock, events, share, people");
  }
  if (Status s = only(t, at, keys); !s.ok()) return s;
  if (!target_key.empty()) {
    auto target = text(t, target_key, at, true);
    if (!target.ok()) return target.error();
    m.target = *target;
  }
  if (const toml::node* n = t.get("also_by")) {
    if (!n->value<bool>()) return error(at, "'also_by' must be true or false");
    m.also_by = *n->value<bool>();
  }
  if (Status s = ages(t, at, m); !s.ok()) return s;
  if (const toml::node* n = t.get("event")) {
    auto e = matcher(*n, at + " event");
    if (!e.ok()) return e.error();
    m.event = std::move(*e);
  } else if (m.type == MeasureType::kEvents || m.type == MeasureType::kShare) {
    return error(at, "'event' is required");
  }
  auto same_day = matchers(t, "same_day", at);
  if (!same_day.ok()) return same_day.error();
  m.same_day = std::move(*same_day);
  if (m.type == MeasureType::kShare && m.same_day.empty()) {
    return error(at, "'same_day' must list what the numerator needs");
  }
  auto population = conditions(t, "population", at);
  if (!population.ok()) return population.error();
  m.population = std::move(*population);
  auto numerator = conditions(t, "numerator", at);
  if (!numerator.ok()) return numerator.error();
  m.numerator = std::move(*numerator);
  if (m.type == MeasureType::kPeople && m.numerator.empty()) {
    return error(at, "'numerator' must list at least one condition");
  }
  if (const toml::node* n = t.get("birthday")) {
    auto v = n->value<int64_t>();
    if (!v || *v < 1 || *v > kMaxAge) return error(at, "'birthday' must be a whole number 1-24");
    m.birthday = static_cast<int>(*v);
  }
  return {};
}

Status Reader::suppression(const toml::table& t, const std::string& where,
                           SuppressionRule& rule) const {
  const toml::node* n = t.get("suppress");
  if (n == nullptr) return {};
  const toml::table* st = n->as_table();
  const std::string at = where + " suppress";
  if (st == nullptr) return error(where, "'suppress' must be a table { numerator = [1, 7] }");
  if (Status s = only(*st, at, {"numerator", "denominator"}); !s.ok()) return s;
  if (const toml::node* r = st->get("numerator")) {
    auto v = range(*r, "numerator", at);
    if (!v.ok()) return v.error();
    rule.numerator_min = v->first, rule.numerator_max = v->second;
  }
  if (const toml::node* r = st->get("denominator")) {
    auto v = range(*r, "denominator", at);
    if (!v.ok()) return v.error();
    rule.denominator_min = v->first, rule.denominator_max = v->second;
  }
  return {};
}

bool valid_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Result<IndicatorDefinition> Reader::indicator(const toml::table& t, size_t index) const {
  std::string where = "indicator " + std::to_string(index + 1);
  if (Status s = only(t, where,
                      {"id", "name", "domain", "description", "unit", "method", "polarity",
                       "period_months", "measure", "breakdowns", "suppress", "source"});
      !s.ok()) {
    return s.error();
  }
  IndicatorDefinition d;
  auto id = text(t, "id", where, true);
  if (!id.ok()) return id.error();
  if (!valid_id(*id))
    return error(where, "id '" + *id + "' must be lower-case letters, digits, '-'");
  d.id = *id;
  where = "indicator '" + d.id + "'";
  for (auto [key, out, required] :
       {std::tuple{"name", &d.name, true}, std::tuple{"domain", &d.domain, true},
        std::tuple{"description", &d.description, false}, std::tuple{"source", &d.source, true},
        std::tuple{"unit", &d.unit, true}}) {
    auto v = text(t, key, where, required);
    if (!v.ok()) return v.error();
    *out = *v;
  }
  const auto unit = std::find_if(std::begin(kUnits), std::end(kUnits),
                                 [&](const Unit& u) { return u.name == d.unit; });
  if (unit == std::end(kUnits)) {
    return error(where,
                 "unit '" + d.unit + "' is not one of %, per 1,000, per 10,000, per 100,000, days");
  }
  d.multiplier = unit->multiplier;

  auto method = text(t, "method", where, true);
  if (!method.ok()) return method.error();
  if (*method == "proportion")
    d.method = Method::kProportion;
  else if (*method == "crude-rate")
    d.method = Method::kCrudeRate;
  else if (*method == "dsr")
    d.method = Method::kDsr;
  else if (*method == "median")
    d.method = Method::kMedian;
  else
    return error(where,
                 "method '" + *method + "' is not one of proportion, crude-rate, dsr, median");

  auto polarity = text(t, "polarity", where, true);
  if (!polarity.ok()) return polarity.error();
  if (*polarity == "higher-is-better")
    d.polarity = stats::Polarity::kHigherIsBetter;
  else if (*polarity == "lower-is-better")
    d.polarity = stats::Polarity::kLowerIsBetter;
  else if (*polarity == "no-judgement")
    d.polarity = stats::Polarity::kNoJudgement;
  else
    return error(where, "polarity '" + *polarity +
                            "' is not one of higher-is-better, lower-is-better, no-judgement");

  if (const toml::node* n = t.get("period_months")) {
    auto v = n->value<int64_t>();
    if (!v || *v < 1 || *v > 60) return error(where, "'period_months' must be a whole number 1-60");
    d.period_months = static_cast<int>(*v);
  }
  const toml::table* m = t.get_as<toml::table>("measure");
  if (m == nullptr) return error(where, "'measure' is required: a table with a type");
  if (Status s = measure(*m, where, d); !s.ok()) return s.error();
  auto breakdowns = texts(t, "breakdowns", where);
  if (!breakdowns.ok()) return breakdowns.error();
  for (const std::string& b : *breakdowns) {
    const auto& all = all_breakdowns();
    if (std::find(all.begin(), all.end(), b) == all.end()) {
      return error(where, "breakdown '" + b + "' is not one the engine knows");
    }
  }
  d.breakdowns = std::move(*breakdowns);
  if (Status s = suppression(t, where, d.suppression); !s.ok()) return s.error();

  // What each method needs from its measure.
  const bool counts_people = d.measure.type != MeasureType::kEvents;
  if (d.method == Method::kMedian && d.measure.type != MeasureType::kClock) {
    return error(where, "method 'median' needs a clock measure (a duration per child)");
  }
  if (d.method == Method::kDsr && d.measure.type != MeasureType::kEvents) {
    return error(where, "method 'dsr' needs an events measure");
  }
  if (d.method == Method::kProportion && !counts_people) {
    return error(where, "an events measure is a rate: method 'crude-rate' or 'dsr'");
  }
  if ((d.method == Method::kMedian) != (d.unit == "days")) {
    return error(where, "unit 'days' goes with method 'median' and only with it");
  }
  return d;
}

}  // namespace

Result<Condition> read_condition(const toml::table& t, const std::string& origin,
                                 const std::string& where) {
  return Reader(origin).condition(t, where);
}

std::string_view method_name(Method m) {
  switch (m) {
    case Method::kProportion:
      return "proportion (Wilson score interval)";
    case Method::kCrudeRate:
      return "crude rate (Byar's method; exact Poisson below 10)";
    case Method::kDsr:
      return "directly standardised rate (ESP2013; Dobson's method)";
    case Method::kMedian:
      return "median";
  }
  return "";
}

const std::vector<std::string>& all_breakdowns() {
  static const std::vector<std::string> kAll = {
      "age-band",        "sex", "ethnic-group", "imd-decile",      "imd-quintile", "core20",
      "local-authority", "pcn", "practice",     "vulnerable-group"};
  return kAll;
}

Result<std::vector<IndicatorDefinition>> parse_indicators(std::string_view toml_text,
                                                          const std::string& origin) {
  auto root = parse_toml(toml_text, origin);
  if (!root.ok()) return root.error();
  Reader reader(origin);
  for (const auto& [key, value] : *root) {
    if (key.str() != "indicator") {
      return Error::invalid_argument(origin + ": unknown setting '" + std::string(key.str()) +
                                     "' (definitions are [[indicator]] tables)");
    }
  }
  std::vector<IndicatorDefinition> out;
  const toml::node* indicators = root->get("indicator");
  if (indicators == nullptr) return out;
  // [indicator] for [[indicator]] would otherwise define nothing, silently.
  const toml::array* list = indicators->as_array();
  if (list == nullptr) {
    return Error::invalid_argument(origin + ": 'indicator' must be [[indicator]] tables");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const toml::table* t = list->get(i)->as_table();
    if (t == nullptr) {
      return Error::invalid_argument(origin + ": indicator " + std::to_string(i + 1) +
                                     " must be a table");
    }
    auto d = reader.indicator(*t, i);
    if (!d.ok()) return d.error();
    d->origin = origin;
    out.push_back(std::move(*d));
  }
  return out;
}

Result<std::vector<IndicatorDefinition>> load_indicators(const std::string& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".toml") files.push_back(entry.path());
  }
  if (ec)
    return Error::io_error("cannot read indicator definitions in " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<IndicatorDefinition> all;
  std::set<std::string> ids;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error::io_error("cannot read " + path.string());
    std::stringstream text;
    text << in.rdbuf();
    auto defs = parse_indicators(text.str(), path.string());
    if (!defs.ok()) return defs.error();
    for (IndicatorDefinition& d : *defs) {
      if (!ids.insert(d.id).second) {
        return Error::invalid_argument(path.string() + ": indicator id '" + d.id +
                                       "' is defined twice");
      }
      all.push_back(std::move(d));
    }
  }
  if (all.empty()) return Error::invalid_argument("no indicator definitions in " + dir);
  return all;
}

std::string default_indicators_dir() {
  return std::string(ONECHILD_CONFIG_DIR) + "/indicators";
}

Result<std::vector<VulnerableGroup>> parse_vulnerable_groups(std::string_view toml_text,
                                                             const std::string& origin) {
  auto root = parse_toml(toml_text, origin);
  if (!root.ok()) return root.error();
  Reader reader(origin);
  std::vector<VulnerableGroup> out;
  const toml::array* list = root->get_as<toml::array>("group");
  if (list == nullptr || root->size() != 1) {
    return Error::invalid_argument(origin + ": expected [[group]] tables and nothing else");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const toml::table* t = list->get(i)->as_table();
    const std::string where = "group " + std::to_string(i + 1);
    if (t == nullptr) return Error::invalid_argument(origin + ": " + where + " must be a table");
    VulnerableGroup g;
    const auto id = t->get_as<std::string>("id");
    const auto name = t->get_as<std::string>("name");
    if (id == nullptr || name == nullptr || !valid_id(id->get()) || name->get().empty()) {
      return Error::invalid_argument(origin + ": " + where +
                                     ": needs an id (lower-case letters, digits, '-') and a name");
    }
    g.id = id->get();
    g.name = name->get();
    toml::table condition = *t;
    condition.erase("id");
    condition.erase("name");
    auto c = reader.condition(condition, "group '" + g.id + "'");
    if (!c.ok()) return c.error();
    g.condition = std::move(*c);
    if (std::any_of(out.begin(), out.end(),
                    [&](const VulnerableGroup& o) { return o.id == g.id; })) {
      return Error::invalid_argument(origin + ": group '" + g.id + "' is defined twice");
    }
    out.push_back(std::move(g));
  }
  return out;
}

Result<std::vector<VulnerableGroup>> load_vulnerable_groups(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io_error("cannot read vulnerable groups " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_vulnerable_groups(text.str(), path);
}

}  // namespace onechild
