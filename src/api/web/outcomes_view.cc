#include "api/web/outcomes_view.h"

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>

namespace onechild::api::outcomes {
namespace {

std::string text_of(const boost::json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t int_of(const boost::json::object& o, const char* key, int64_t otherwise) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? v->as_int64() : otherwise;
}

std::string with_unit(const std::string& number, const Definition& d) {
  if (number.empty()) return number;
  return d.unit == "%" ? number + "%" : number + " " + d.unit;
}

}  // namespace

const Definition* Dashboard::find(std::string_view id) const {
  for (const Definition& d : definitions) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

std::vector<std::string> Dashboard::ids() const {
  std::vector<std::string> out;
  for (const Definition& d : definitions)
    out.push_back(d.id);
  return out;
}

std::optional<Dashboard> load_dashboard(Database& db) {
  auto run = checked(latest_indicator_run(db));
  if (!run) return std::nullopt;
  Dashboard dash{std::move(*run), {}};
  boost::system::error_code ec;
  const boost::json::value defs = boost::json::parse(dash.run.definitions, ec);
  if (ec || !defs.is_array()) throw std::runtime_error("indicator run has unreadable definitions");
  for (const boost::json::value& v : defs.as_array()) {
    if (!v.is_object()) continue;
    const boost::json::object& o = v.as_object();
    Definition d;
    d.id = text_of(o, "id");
    d.name = text_of(o, "name");
    d.domain = text_of(o, "domain");
    d.unit = text_of(o, "unit");
    d.method = text_of(o, "method");
    d.method_name = text_of(o, "method_name");
    if (d.method_name.empty()) d.method_name = d.method;
    d.polarity = text_of(o, "polarity");
    d.source = text_of(o, "source");
    d.description = text_of(o, "description");
    d.counts = text_of(o, "counts");
    d.period_months = static_cast<int>(int_of(o, "period_months", 12));
    if (const auto* rule = o.if_contains("suppression"); rule != nullptr && rule->is_object()) {
      const boost::json::object& r = rule->as_object();
      d.has_rule = true;
      d.numerator_min = int_of(r, "numerator_min", 0);
      d.numerator_max = int_of(r, "numerator_max", 0);
      d.denominator_min = int_of(r, "denominator_min", 0);
      d.denominator_max = int_of(r, "denominator_max", 0);
    }
    if (!d.id.empty()) dash.definitions.push_back(std::move(d));
  }
  return dash;
}

const std::vector<BreakdownName>& breakdown_names() {
  static const std::vector<BreakdownName> names = {
      {"local-authority", "Local authority (place)"},
      {"pcn", "Primary care network (PCN)"},
      {"practice", "GP practice"},
      {"age-band", "Age band"},
      {"sex", "Sex"},
      {"ethnic-group", "Ethnic group"},
      {"imd-decile", "IMD decile"},
      {"imd-quintile", "IMD quintile"},
      {"core20", "Core20 (most deprived 20%)"},
      {"vulnerable-group", "Vulnerable group"},
  };
  return names;
}

const char* breakdown_label(std::string_view id) {
  for (const BreakdownName& b : breakdown_names()) {
    if (id == b.id) return b.label;
  }
  return nullptr;
}

bool suppressed(const StoredCell& c) {
  return !c.suppressed.empty();
}

std::string number_text(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string count_text(const std::optional<int64_t>& v) {
  if (!v) return "";
  std::string digits = std::to_string(*v < 0 ? -*v : *v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (*v < 0 ? "-" : "") + out;
}

namespace {
// A hidden figure: "*" to the eye, "suppressed" to a screen reader.
constexpr const char* kSuppressedMark =
    R"(<span aria-hidden="true">*</span><span class="nhsuk-u-visually-hidden">suppressed</span>)";
}  // namespace

std::string value_html(const StoredCell& c, const Definition& d) {
  if (suppressed(c)) return kSuppressedMark;
  const std::string v = with_unit(number_text(c.value), d);
  return v.empty() ? "Not available" : html_escape(v);
}

std::string ci_text(const StoredCell& c, const Definition& d) {
  if (suppressed(c) || std::isnan(c.lower95) || std::isnan(c.upper95)) return "–";
  return number_text(c.lower95) + " to " + with_unit(number_text(c.upper95), d);
}

std::string benchmark_text(const StoredCell& c, const Definition& d) {
  const std::string v = with_unit(number_text(c.benchmark), d);
  return v.empty() ? "Not available" : v;
}

std::string counts_html(const StoredCell& c) {
  const std::string n = c.numerator ? html_escape(count_text(c.numerator)) : kSuppressedMark;
  const std::string d = c.denominator ? html_escape(count_text(c.denominator)) : kSuppressedMark;
  return n + " / " + d;
}

std::string period_text(const StoredCell& c) {
  return nice_date(c.period_start) + " to " + nice_date(c.period_end);
}

std::string comparison_html(const StoredCell& c) {
  if (suppressed(c)) return tag("Not compared", "grey");
  const std::string& k = c.compared95;
  if (k == "better") return tag("Better", "green");
  if (k == "similar") return tag("Similar", "yellow");
  if (k == "worse") return tag("Worse", "red");
  if (k == "higher") return tag("Higher", "blue");
  if (k == "lower") return tag("Lower", "purple");
  return tag("Not compared", "grey");
}

bool worse(const StoredCell& c) {
  return !suppressed(c) && c.compared95 == "worse";
}

bool deteriorating(const StoredCell& c, const Definition& d) {
  return (c.trend == "increasing" && d.polarity == "lower-is-better") ||
         (c.trend == "decreasing" && d.polarity == "higher-is-better");
}

std::string trend_html(const StoredCell& c, const Definition& d) {
  const auto arrow = [](const char* a) {
    return std::string(R"(<span class="onechild-trend__arrow" aria-hidden="true">)") + a +
           "</span> ";
  };
  std::string html;
  if (c.trend == "increasing")
    html = arrow("↑") + "Increasing";
  else if (c.trend == "decreasing")
    html = arrow("↓") + "Decreasing";
  else if (c.trend == "no-significant-change")
    html = arrow("→") + "No significant change";
  else
    return "Cannot be calculated";
  if (deteriorating(c, d)) return html + " (getting worse)";
  if ((c.trend == "increasing" && d.polarity == "higher-is-better") ||
      (c.trend == "decreasing" && d.polarity == "lower-is-better")) {
    return html + " (getting better)";
  }
  return html;
}

std::string polarity_text(const Definition& d) {
  if (d.polarity == "higher-is-better") return "Higher is better";
  if (d.polarity == "lower-is-better") return "Lower is better";
  return "No judgement (compared as higher or lower)";
}

std::string suppression_rule_text(const Definition& d) {
  if (!d.has_rule) return "a small count";
  std::string out;
  if (d.numerator_min != 0 || d.numerator_max != 0) {
    out = "a count between " + count_text(d.numerator_min) + " and " + count_text(d.numerator_max);
  }
  if (d.denominator_max > 0) {
    out += (out.empty() ? "" : ", or ") + std::string("a denominator between ") +
           count_text(d.denominator_min) + " and " + count_text(d.denominator_max);
  }
  return out.empty() ? "none (counts are not hidden)" : out;
}

std::string suppression_legend(const std::string& rule_text) {
  return R"(<p class="nhsuk-body-s onechild-legend" id="suppression-legend">)"
         R"(<span aria-hidden="true">*</span> Suppressed: )" +
         html_escape(rule_text) +
         " is hidden to protect confidentiality, and so is any figure from which a hidden "
         "count could be worked out. A suppressed figure is not zero.</p>";
}

std::string run_text(const StoredRun& run) {
  return "Computed " + nice_date(run.computed_at) + " " +
         (run.computed_at.size() >= 16 ? run.computed_at.substr(11, 5) : "") + " for " +
         nice_date(run.as_of) + ", over " + count_text(run.children) + " children.";
}

HttpResponse no_run_page(const PageContext& ctx, const std::string& title,
                         const std::string& active) {
  const std::string main =
      "<h1>" + html_escape(title) + "</h1>" +
      inset(R"(<p>No indicators have been computed yet.</p><p>A data manager computes them )"
            R"(from the linked store with <code>onechild indicators --db onechild.db )"
            R"(--reference DIR --as-of YYYY-MM-DD</code>; the figures appear here when it )"
            R"(has run.</p>)",
            "no-indicators");
  return html_page(200, layout(ctx.shell(title, active), main));
}

std::optional<HttpResponse> refuse_unless_aggregates(const PageContext& ctx) {
  if (ctx.permits("view-aggregates")) return std::nullopt;
  return refuse(ctx, "You cannot see the outcomes dashboard",
                "The outcomes dashboard is for analysts, commissioners, information governance "
                "and data managers.");
}

void audit_view(const PageContext& ctx, const std::string& detail) {
  checked(record_audit(ctx.db, audit_of(ctx.user, "view-indicators", std::nullopt, detail)));
}

}  // namespace onechild::api::outcomes
