#include "analytics/indicator_output.h"

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/csv.h"

namespace onechild {
namespace {

std::string number(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string count(int64_t v) {
  return v < 0 ? "" : std::to_string(v);
}

boost::json::value json_number(double v) {
  return std::isnan(v) ? boost::json::value(nullptr) : boost::json::value(v);
}
boost::json::value json_count(int64_t v) {
  return v < 0 ? boost::json::value(nullptr) : boost::json::value(v);
}

constexpr const char* kColumns[] = {"indicator",
                                    "name",
                                    "unit",
                                    "method",
                                    "period_start",
                                    "period_end",
                                    "breakdown",
                                    "group",
                                    "group_name",
                                    "numerator",
                                    "denominator",
                                    "value",
                                    "lower_95",
                                    "upper_95",
                                    "lower_99_8",
                                    "upper_99_8",
                                    "benchmark",
                                    "compared_95",
                                    "compared_99_8",
                                    "funnel_lower_95",
                                    "funnel_upper_95",
                                    "funnel_lower_99_8",
                                    "funnel_upper_99_8",
                                    "trend",
                                    "suppressed"};

std::string_view method_id(Method m) {
  switch (m) {
    case Method::kProportion:
      return "proportion";
    case Method::kCrudeRate:
      return "crude-rate";
    case Method::kDsr:
      return "dsr";
    case Method::kMedian:
      return "median";
  }
  return "";
}

std::string_view polarity_id(stats::Polarity p) {
  switch (p) {
    case stats::Polarity::kHigherIsBetter:
      return "higher-is-better";
    case stats::Polarity::kLowerIsBetter:
      return "lower-is-better";
    case stats::Polarity::kNoJudgement:
      return "no-judgement";
  }
  return "";
}

}  // namespace

std::string indicators_csv(const std::vector<IndicatorResult>& results) {
  std::string out;
  for (const char* c : kColumns) {
    if (!out.empty()) out += ',';
    out += c;
  }
  out += '\n';
  for (const IndicatorResult& r : results) {
    const IndicatorDefinition& d = *r.definition;
    for (const IndicatorCell& c : r.cells) {
      const std::string fields[] = {d.id,
                                    d.name,
                                    d.unit,
                                    std::string(method_id(d.method)),
                                    format_iso_date(c.period_start),
                                    format_iso_date(c.period_end),
                                    c.breakdown,
                                    c.group,
                                    c.group_name,
                                    count(c.numerator),
                                    count(c.denominator),
                                    number(c.value),
                                    number(c.ci95.lower),
                                    number(c.ci95.upper),
                                    number(c.ci998.lower),
                                    number(c.ci998.upper),
                                    number(c.benchmark),
                                    std::string(stats::comparison_name(c.compared95)),
                                    std::string(stats::comparison_name(c.compared998)),
                                    number(c.funnel95.lower),
                                    number(c.funnel95.upper),
                                    number(c.funnel998.lower),
                                    number(c.funnel998.upper),
                                    std::string(stats::trend_name(c.trend)),
                                    std::string(suppressed_name(c.suppressed))};
      bool first = true;
      for (const std::string& f : fields) {
        if (!first) out += ',';
        out += csv_quote(f);
        first = false;
      }
      out += '\n';
    }
    if (r.sii) {
      out += csv_quote(d.id) + ',' + csv_quote(d.name) + ',' + csv_quote(d.unit) + ',' +
             "slope-index-of-inequality,,,imd-decile,sii,Slope index of inequality,,," +
             number(r.sii->slope) + ',' + number(r.sii->ci95.lower) + ',' +
             number(r.sii->ci95.upper) + ",,,,,,,,,,,\n";
    }
  }
  return out;
}

std::string indicators_json(const std::vector<IndicatorResult>& results, Date as_of) {
  boost::json::array indicators;
  for (const IndicatorResult& r : results) {
    const IndicatorDefinition& d = *r.definition;
    boost::json::array cells;
    for (const IndicatorCell& c : r.cells) {
      cells.push_back(boost::json::object{
          {"period", c.period},
          {"period_start", format_iso_date(c.period_start)},
          {"period_end", format_iso_date(c.period_end)},
          {"breakdown", c.breakdown},
          {"group", c.group},
          {"group_name", c.group_name},
          {"numerator", json_count(c.numerator)},
          {"denominator", json_count(c.denominator)},
          {"value", json_number(c.value)},
          {"ci95", boost::json::array{json_number(c.ci95.lower), json_number(c.ci95.upper)}},
          {"ci99_8", boost::json::array{json_number(c.ci998.lower), json_number(c.ci998.upper)}},
          {"benchmark", json_number(c.benchmark)},
          {"compared_95", stats::comparison_name(c.compared95)},
          {"compared_99_8", stats::comparison_name(c.compared998)},
          {"funnel95",
           boost::json::array{json_number(c.funnel95.lower), json_number(c.funnel95.upper)}},
          {"funnel99_8",
           boost::json::array{json_number(c.funnel998.lower), json_number(c.funnel998.upper)}},
          {"trend", stats::trend_name(c.trend)},
          {"suppressed", suppressed_name(c.suppressed)}});
    }
    boost::json::object o{{"id", d.id},
                          {"name", d.name},
                          {"domain", d.domain},
                          {"unit", d.unit},
                          {"method", method_id(d.method)},
                          {"method_name", method_name(d.method)},
                          {"polarity", polarity_id(d.polarity)},
                          {"period_months", d.period_months},
                          {"source", d.source},
                          {"cells", std::move(cells)}};
    if (r.sii) {
      o["sii"] = boost::json::object{{"slope", r.sii->slope},
                                     {"ci95", boost::json::array{json_number(r.sii->ci95.lower),
                                                                 json_number(r.sii->ci95.upper)}}};
    }
    indicators.push_back(std::move(o));
  }
  return boost::json::serialize(boost::json::object{{"as_of", format_iso_date(as_of)},
                                                    {"indicators", std::move(indicators)}}) +
         "\n";
}

namespace {
std::string describe_measure(const IndicatorDefinition& d);  // below, with the Markdown
}  // namespace

Result<int64_t> store_indicator_results(Database& db, const std::vector<IndicatorResult>& results,
                                        Date as_of, int64_t children) {
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return tx.error();
  auto run = db.prepare(
      "INSERT INTO indicator_runs (computed_at, as_of, children, definitions) VALUES "
      "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?1, ?2, ?3)");
  if (!run.ok()) return run.error();
  boost::json::array defs;
  for (const IndicatorResult& r : results) {
    const IndicatorDefinition& d = *r.definition;
    defs.push_back(boost::json::object{
        {"id", d.id},
        {"name", d.name},
        {"domain", d.domain},
        {"unit", d.unit},
        {"method", method_id(d.method)},
        {"polarity", polarity_id(d.polarity)},
        {"source", d.source},
        // What the dashboard shows as the definition on hand.
        {"method_name", method_name(d.method)},
        {"period_months", d.period_months},
        {"description", d.description},
        {"counts", describe_measure(d)},
        {"suppression", boost::json::object{{"numerator_min", d.suppression.numerator_min},
                                            {"numerator_max", d.suppression.numerator_max},
                                            {"denominator_min", d.suppression.denominator_min},
                                            {"denominator_max", d.suppression.denominator_max}}}});
  }
  if (Status s = run->bind(1, format_iso_date(as_of))
                     .bind(2, children)
                     .bind(3, boost::json::serialize(defs))
                     .run();
      !s.ok()) {
    return s.error();
  }
  const int64_t run_id = db.last_insert_id();
  auto cell = db.prepare(
      "INSERT INTO indicator_results VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
      "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)");
  if (!cell.ok()) return cell.error();
  const auto real = [&](int i, double v) -> Statement& {
    return std::isnan(v) ? cell->bind_null(i) : cell->bind(i, v);
  };
  const auto integer = [&](int i, int64_t v) -> Statement& {
    return v < 0 ? cell->bind_null(i) : cell->bind(i, v);
  };
  for (const IndicatorResult& r : results) {
    for (const IndicatorCell& c : r.cells) {
      cell->reset();
      cell->bind(1, run_id).bind(2, r.definition->id).bind(3, int64_t{c.period});
      cell->bind(4, format_iso_date(c.period_start)).bind(5, format_iso_date(c.period_end));
      cell->bind(6, c.breakdown).bind(7, c.group).bind(8, c.group_name);
      integer(9, c.numerator);
      integer(10, c.denominator);
      real(11, c.value);
      real(12, c.ci95.lower);
      real(13, c.ci95.upper);
      real(14, c.ci998.lower);
      real(15, c.ci998.upper);
      real(16, c.benchmark);
      cell->bind(17, stats::comparison_name(c.compared95));
      cell->bind(18, stats::comparison_name(c.compared998));
      real(19, c.funnel95.lower);
      real(20, c.funnel95.upper);
      real(21, c.funnel998.lower);
      real(22, c.funnel998.upper);
      cell->bind(23, stats::trend_name(c.trend)).bind(24, suppressed_name(c.suppressed));
      if (Status s = cell->run(); !s.ok()) return s.error();
    }
  }
  if (Status s = tx->commit(); !s.ok()) return s.error();
  return run_id;
}

namespace {

std::string describe_matcher(const EventMatcher& m) {
  std::string out = "`" + m.kind + "`";
  const auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v)
      s += (s.empty() ? "" : ", ") + ("`" + x + "`");
    return s;
  };
  if (!m.codes.empty()) out += " with code " + list(m.codes);
  if (!m.values.empty()) out += " with value " + list(m.values);
  if (!m.statuses.empty()) out += " with status " + list(m.statuses);
  if (m.min_value) out += " with a value of at least " + number(*m.min_value);
  if (m.max_value) out += " with a value of at most " + number(*m.max_value);
  return out;
}

std::string describe_condition(const Condition& c) {
  std::string events;
  for (const EventMatcher& m : c.any)
    events += (events.empty() ? "" : " or ") + describe_matcher(m);
  const std::string months = std::to_string(c.within_months);
  switch (c.when) {
    case Condition::When::kBefore:
      return "an event " + events + " on or before the day";
    case Condition::When::kWithin:
      return "an event " + events + " in the " + months + " months to the day";
    case Condition::When::kOpen:
      return "an episode " + events + " open on the day";
    case Condition::When::kNoneWithin:
      return "no event " + events + " in the " + months + " months to the day";
    case Condition::When::kImmunised:
      return "no immunisation overdue or missed on the day";
  }
  return "";
}

std::string describe_measure(const IndicatorDefinition& d) {
  const Measure& m = d.measure;
  const std::string ages = std::to_string(m.min_age) + "-" + std::to_string(m.max_age);
  switch (m.type) {
    case MeasureType::kCoverage:
      return "COVER measure `" + m.target +
             "` (config/coverage.toml): of the children whose "
             "birthday fell in the period, those with the doses by it.";
    case MeasureType::kSchedule:
      return "Schedule item `" + m.target + "`: of the children whose deadline" +
             (m.also_by ? " (the item's second deadline)" : "") +
             " fell in the period, those seen by it (moved-out and contraindicated not counted).";
    case MeasureType::kClock:
      return d.method == Method::kMedian
                 ? "Clock `" + m.target +
                       "`: the median days from start to stop of the clocks stopped in the period."
                 : "Clock `" + m.target +
                       "`: of the clocks stopped in the period or fallen overdue in it, those met "
                       "(exceptions left out).";
    case MeasureType::kEvents:
      return "Numerator: events " + describe_matcher(m.event) + " in the period at ages " + ages +
             ". Denominator: children aged " + ages + " in the ICS at the middle of the period.";
    case MeasureType::kShare: {
      std::string s = "Of the events " + describe_matcher(m.event) +
                      " in the period (one a day), those with, on the same day, ";
      for (size_t i = 0; i < m.same_day.size(); ++i)
        s += (i ? " and " : "") + describe_matcher(m.same_day[i]);
      return s + ".";
    }
    case MeasureType::kPeople: {
      std::string s = m.birthday
                          ? "Children reaching their " + std::to_string(*m.birthday) +
                                "th birthday in the period (the day)"
                          : "Children aged " + ages + " on the last day of the period (the day)";
      for (const Condition& c : m.population)
        s += ", with " + describe_condition(c);
      s += ". Numerator: those with ";
      for (size_t i = 0; i < m.numerator.size(); ++i)
        s += (i ? ", and " : "") + describe_condition(m.numerator[i]);
      return s + ".";
    }
  }
  return "";
}

}  // namespace

std::string indicators_markdown(const std::vector<IndicatorDefinition>& definitions) {
  std::map<std::string, std::vector<const IndicatorDefinition*>> by_domain;
  std::vector<std::string> order;
  for (const IndicatorDefinition& d : definitions) {
    if (!by_domain.contains(d.domain)) order.push_back(d.domain);
    by_domain[d.domain].push_back(&d);
  }
  std::string out;
  for (const std::string& domain : order) {
    out += "## " + domain + "\n\n";
    for (const IndicatorDefinition* d : by_domain[domain]) {
      out += "### " + d->name + " (`" + d->id + "`)\n\n";
      out += "- **Counts:** " + describe_measure(*d) + "\n";
      out += "- **Unit / method:** " + d->unit + "; " + std::string(method_name(d->method)) + "\n";
      out += "- **Polarity:** " + std::string(polarity_id(d->polarity)) + "; period " +
             std::to_string(d->period_months) + " months\n";
      const SuppressionRule& rule = d->suppression;
      const bool numerators = rule.numerator_min != 0 || rule.numerator_max != 0;
      out += "- **Disclosure:** ";
      out += numerators ? "numerators " + std::to_string(rule.numerator_min) + "-" +
                              std::to_string(rule.numerator_max) + " hidden"
                        : std::string("numerators not hidden");
      if (rule.denominator_max > 0) {
        out += "; cells with denominators " + std::to_string(rule.denominator_min) + "-" +
               std::to_string(rule.denominator_max) + " hidden";
      }
      out += "; secondary suppression where a hidden count could be derived";
      out += "\n- **Source:** " + d->source + " (`" + d->origin.substr(d->origin.rfind('/') + 1) +
             "`)\n\n";
    }
  }
  return out;
}

}  // namespace onechild
