#include "api/web/outcomes_indicator.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "api/http_util.h"
#include "api/web/outcomes_view.h"
#include "core/csv.h"

namespace onechild::api {
namespace {

using namespace outcomes;

constexpr const char* kDefaultBreakdown = "local-authority";
// What the charts draw, besides the ICS trend: bars by place and practice,
// the funnel plot (practices), the inequality chart (IMD deciles).
constexpr const char* kChartBreakdowns[] = {"local-authority", "practice", "imd-decile"};
const std::vector<int> kLatest = {0};
const std::vector<int> kAllPeriods = {0, 1, 2, 3, 4};

// Ids are the engine's: lower-case letters, digits and hyphens.
bool plausible_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
}

std::string row_header(const std::string& text) {
  return R"(<th scope="row" class="nhsuk-table__header">)" + html_escape(text) + "</th>";
}

std::string breakdown_rows(const std::vector<StoredCell>& cells, const Definition& d) {
  std::string rows;
  for (const StoredCell& c : cells) {
    rows += row_html(row_header(c.group_name) + cell_html(value_html(c, d)) + cell(ci_text(c, d)) +
                     cell_html(counts_html(c)) + cell_html(comparison_html(c)) +
                     cell_html(trend_html(c, d)));
  }
  return rows;
}

std::string breakdown_table(const std::vector<StoredCell>& cells, const Definition& d,
                            const std::string& caption, const std::string& id) {
  return R"(<div class="onechild-table-scroll">)" +
         table(caption, id,
               {"Group", "Value", "95% confidence interval", "Count / denominator",
                "Compared with ICS", "Recent trend"},
               breakdown_rows(cells, d)) +
         "</div>";
}

std::string details(const std::string& summary_text, const std::string& body_html,
                    const std::string& id = "") {
  return R"(<details class="nhsuk-details")" + (id.empty() ? "" : " id=\"" + id + '"') +
         R"(><summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">)" +
         html_escape(summary_text) + R"(</span></summary><div class="nhsuk-details__text">)" +
         body_html + "</div></details>";
}

// `counts` is the engine's Markdown-ish sentence: `code` spans become <code>.
std::string counts_html_of(const std::string& text) {
  std::string out;
  bool open = false;
  size_t from = 0;
  for (size_t at = text.find('`'); at != std::string::npos; at = text.find('`', from)) {
    out += html_escape(text.substr(from, at - from)) + (open ? "</code>" : "<code>");
    open = !open;
    from = at + 1;
  }
  out += html_escape(text.substr(from));
  return open ? out + "</code>" : out;
}

std::string definition_html(const Definition& d) {
  std::string list = R"(<dl class="nhsuk-summary-list">)";
  if (!d.description.empty()) list += summary_row("Description", d.description);
  list += summary_row_html("Numerator and denominator",
                           d.counts.empty() ? "See docs/indicators.md" : counts_html_of(d.counts));
  list += summary_row("Method", d.method_name);
  list += summary_row("Unit", d.unit);
  list += summary_row("Polarity", polarity_text(d));
  list += summary_row("Period", std::to_string(d.period_months) +
                                    " months; the latest ends on "
                                    "the date computed for");
  list += summary_row("Source", d.source);
  list += summary_row("Suppression rule",
                      "Hidden: " + suppression_rule_text(d) +
                          "; and any figure from which a hidden count could be worked out");
  list += summary_row("Benchmark",
                      "The ICS total is compared with England; each group with "
                      "the ICS total (95% confidence interval)");
  return details("Definition of this indicator", list + "</dl>", "definition");
}

std::string select_html(const std::string& chosen, const std::optional<std::string>& error) {
  std::string html = error ? R"(<div class="nhsuk-form-group nhsuk-form-group--error">)"
                           : R"(<div class="nhsuk-form-group">)";
  html += R"(<label class="nhsuk-label" for="breakdown">Break down by</label>)";
  if (error) {
    html +=
        R"(<span class="nhsuk-error-message" id="breakdown-error"><span class="nhsuk-u-visually-hidden">Error:</span> )" +
        html_escape(*error) + "</span>";
  }
  html += std::string(R"(<select class="nhsuk-select)") + (error ? " nhsuk-select--error" : "") +
          R"(" id="breakdown" name="breakdown")" +
          (error ? R"( aria-describedby="breakdown-error")" : "") + ">";
  for (const BreakdownName& b : breakdown_names()) {
    html += R"(<option value=")" + std::string(b.id) + '"' + (chosen == b.id ? " selected" : "") +
            ">" + html_escape(b.label) + "</option>";
  }
  return html + "</select></div>";
}

std::string sii_text(const std::optional<StoredSii>& sii, const Definition& d) {
  if (!sii) {
    return "The slope index of inequality cannot be calculated for this indicator (it needs a "
           "proportion or a crude rate shown in at least two IMD deciles).";
  }
  const std::string unit = d.unit == "%" ? " percentage points" : " " + d.unit;
  return "Slope index of inequality: " + number_text(sii->sii.slope) + unit +
         " (95% confidence interval " + number_text(sii->sii.ci95.lower) + " to " +
         number_text(sii->sii.ci95.upper) +
         "), the modelled gap from the most to the least "
         "deprived, from " +
         std::to_string(sii->deciles) + " of 10 IMD deciles" +
         (sii->deciles < 10 ? " (suppressed deciles and those without children are left out, so "
                              "it is a guide only)."
                            : ".");
}

std::string chart(const std::string& kind, const std::string& breakdown, const Definition& d,
                  const std::string& caption) {
  return R"(<figure class="onechild-chart-figure"><figcaption class="nhsuk-body-s">)" +
         html_escape(caption) + R"(</figcaption><div class="onechild-chart" data-chart=")" + kind +
         R"(" data-breakdown=")" + breakdown + R"(" data-src="/outcomes/)" + d.id +
         R"(.json"></div></figure>)";
}

// How many areas sit outside the funnel's limits, in words for everyone.
std::string funnel_text(const std::vector<StoredCell>& practices) {
  int above998 = 0, below998 = 0, shown = 0;
  for (const StoredCell& c : practices) {
    if (suppressed(c) || std::isnan(c.value) || std::isnan(c.funnel_lower998)) continue;
    ++shown;
    if (c.value > c.funnel_upper998) ++above998;
    if (c.value < c.funnel_lower998) ++below998;
  }
  if (shown == 0) return "No practice has funnel limits for this indicator.";
  return std::to_string(shown) + (shown == 1 ? " practice" : " practices") +
         " plotted: " + std::to_string(above998) + " above and " + std::to_string(below998) +
         " below the 99.8% control limits around the ICS average.";
}

std::string trend_rows(const std::vector<StoredCell>& totals, const Definition& d) {
  std::string rows;
  for (auto it = totals.rbegin(); it != totals.rend(); ++it) {  // oldest first
    rows += row_html(row_header(period_text(*it)) + cell_html(value_html(*it, d)) +
                     cell(ci_text(*it, d)) + cell_html(counts_html(*it)));
  }
  return rows;
}

HttpResponse indicator_page(PageContext& ctx, const Dashboard& dash, const Definition& d) {
  const auto params = ctx.params();
  std::string chosen = param(params, "breakdown");
  std::optional<std::string> error;
  if (chosen.empty()) {
    chosen = kDefaultBreakdown;
  } else if (breakdown_label(chosen) == nullptr) {
    error = "Select a breakdown from the list";
    chosen = kDefaultBreakdown;
  }
  const int64_t run = dash.run.id;
  const auto totals = checked(stored_cells(ctx.db, run, d.id, "all", kAllPeriods));
  const auto selected = checked(stored_cells(ctx.db, run, d.id, chosen, kLatest));
  const auto places = checked(stored_cells(ctx.db, run, d.id, "local-authority", kLatest));
  const auto practices = checked(stored_cells(ctx.db, run, d.id, "practice", kLatest));
  const auto deciles = checked(stored_cells(ctx.db, run, d.id, "imd-decile", kLatest));
  audit_view(ctx, "GET /outcomes/" + d.id + "?breakdown=" + chosen);

  const std::string label = breakdown_label(chosen);
  std::string main;
  if (error) main += error_summary(*error, "breakdown");
  main += R"(<a class="nhsuk-back-link" href="/outcomes">Back to outcomes</a>)";
  main += R"(<span class="nhsuk-caption-l">)" + html_escape(d.domain) + "</span><h1>" +
          html_escape(d.name) + "</h1>";
  main += R"(<p class="nhsuk-body" id="run">)" + html_escape(run_text(dash.run)) + "</p>";
  if (!totals.empty() && totals.front().period == 0) {
    const StoredCell& t = totals.front();
    main += R"(<dl class="nhsuk-summary-list" id="ics-summary">)" +
            summary_row("Period", period_text(t)) +
            summary_row_html("ICS value", value_html(t, d)) +
            summary_row("95% confidence interval", ci_text(t, d)) +
            summary_row_html("Count / denominator", counts_html(t)) +
            summary_row("England", benchmark_text(t, d)) +
            summary_row_html("Compared with England", comparison_html(t)) +
            summary_row_html("Recent trend", trend_html(t, d)) + "</dl>";
  }
  main += definition_html(d);

  main +=
      R"(<h2 id="breakdown-heading">Breakdown</h2><form method="get" action="/outcomes/)" + d.id +
      R"(" novalidate>)" + select_html(chosen, error) +
      R"(<button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit">Show breakdown</button></form>)";
  if (selected.empty()) {
    main +=
        inset("<p>This indicator has no figures by " + html_escape(label) +
                  " (it is not broken down this way, or its children are all in one group).</p>",
              "breakdown-empty");
  } else {
    main +=
        breakdown_table(selected, d, d.name + " by " + label + ", " + period_text(selected.front()),
                        "breakdown-table");
    main += R"(<p class="nhsuk-body"><a class="nhsuk-link" id="download-csv" href="/outcomes/)" +
            d.id + ".csv?breakdown=" + chosen +
            R"(" download>Download CSV<span class="nhsuk-u-visually-hidden"> of )" +
            html_escape(d.name) + " by " + html_escape(label) +
            "</span></a> (all five periods)</p>";
  }
  main += suppression_legend(suppression_rule_text(d));

  main += R"(<h2 id="charts">Charts</h2><p class="nhsuk-body">Each chart shows 95% confidence )"
          R"(intervals; its figures are also in the table below it.</p>)";
  main += chart("trend", "all", d, "Trend: ICS value over the last five periods");
  main += details("Figures for the trend chart",
                  table("ICS value by period", "trend-table",
                        {"Period", "Value", "95% confidence interval", "Count / denominator"},
                        trend_rows(totals, d)));
  if (!places.empty()) {
    main += chart("bar", "local-authority", d, "By place (local authority), with the ICS value");
    main += details("Figures for the chart by place",
                    breakdown_table(places, d, "By local authority (place)", "place-table"));
  }
  if (!practices.empty()) {
    main += chart("bar", "practice", d, "By GP practice, with the ICS value");
    // The funnel plot needs control limits: practices shown, of a proportion or crude rate.
    const bool limits = std::any_of(practices.begin(), practices.end(), [](const StoredCell& c) {
      return !suppressed(c) && !std::isnan(c.value) && !std::isnan(c.funnel_lower998);
    });
    if (limits) {
      main += chart("funnel", "practice", d,
                    "Funnel plot: practice values against their denominators, with 95% and "
                    "99.8% control limits");
    }
    main += R"(<p class="nhsuk-body" id="funnel-summary">)" + html_escape(funnel_text(practices)) +
            "</p>";
    main += details("Figures for the charts by practice",
                    breakdown_table(practices, d, "By GP practice", "practice-table"));
  }
  const auto sii = sii_of_deciles(deciles, d.method);
  if (!deciles.empty()) {
    main += chart("inequality", "imd-decile", d,
                  "Inequality: value by IMD decile (1 most deprived), with the slope index");
    main += R"(<p class="nhsuk-body" id="sii">)" + html_escape(sii_text(sii, d)) + "</p>";
    main += details("Figures for the inequality chart",
                    breakdown_table(deciles, d, "By IMD decile", "decile-table"));
  }
  return html_page(error ? 400 : 200,
                   layout(ctx.shell((error ? "Error: " : "") + d.name, "/outcomes"), main));
}

boost::json::value json_real(double v) {
  return std::isnan(v) ? boost::json::value(nullptr) : boost::json::value(v);
}
boost::json::value json_count(const std::optional<int64_t>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

boost::json::object json_cell(const StoredCell& c) {
  return {
      {"group", c.group},
      {"name", c.group_name},
      {"period", c.period},
      {"period_start", c.period_start},
      {"period_end", c.period_end},
      {"numerator", json_count(c.numerator)},
      {"denominator", json_count(c.denominator)},
      {"value", json_real(c.value)},
      {"ci95", boost::json::array{json_real(c.lower95), json_real(c.upper95)}},
      {"benchmark", json_real(c.benchmark)},
      {"compared_95", c.compared95},
      {"funnel95", boost::json::array{json_real(c.funnel_lower95), json_real(c.funnel_upper95)}},
      {"funnel99_8",
       boost::json::array{json_real(c.funnel_lower998), json_real(c.funnel_upper998)}},
      {"trend", c.trend},
      {"suppressed", c.suppressed}};
}

HttpResponse indicator_json(PageContext& ctx, const Dashboard& dash, const Definition& d) {
  const int64_t run = dash.run.id;
  auto totals = checked(stored_cells(ctx.db, run, d.id, "all", kAllPeriods));
  boost::json::array trend;
  for (auto it = totals.rbegin(); it != totals.rend(); ++it)
    trend.push_back(json_cell(*it));
  boost::json::object breakdowns;
  std::optional<StoredSii> sii;
  for (const char* b : kChartBreakdowns) {
    const auto cells = checked(stored_cells(ctx.db, run, d.id, b, kLatest));
    boost::json::array out;
    for (const StoredCell& c : cells)
      out.push_back(json_cell(c));
    breakdowns[b] = std::move(out);
    if (std::string_view(b) == "imd-decile") sii = sii_of_deciles(cells, d.method);
  }
  boost::json::object body{
      {"id", d.id},
      {"name", d.name},
      {"unit", d.unit},
      {"method", d.method},
      {"polarity", d.polarity},
      {"as_of", dash.run.as_of},
      {"computed_at", dash.run.computed_at},
      {"ics", totals.empty() ? boost::json::value(nullptr)
                             : boost::json::value(json_cell(totals.front()))},
      {"trend", std::move(trend)},
      {"breakdowns", std::move(breakdowns)},
      {"sii", sii ? boost::json::value(boost::json::object{
                        {"slope", json_real(sii->sii.slope)},
                        {"ci95", boost::json::array{json_real(sii->sii.ci95.lower),
                                                    json_real(sii->sii.ci95.upper)}},
                        {"deciles", sii->deciles}})
                  : boost::json::value(nullptr)}};
  audit_view(ctx, "GET /outcomes/" + d.id + ".json");
  return json_response(200, boost::json::serialize(body));
}

// A spreadsheet would run a name starting =, +, - or @ as a formula.
std::string csv_text(const std::string& text) {
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
    return csv_quote("'" + text);
  }
  return csv_quote(text);
}

std::string csv_number(double v) {
  if (std::isnan(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

HttpResponse indicator_csv(PageContext& ctx, const Dashboard& dash, const Definition& d) {
  const std::string breakdown = param(ctx.params(), "breakdown");
  if (breakdown_label(breakdown) == nullptr) {
    return message_response(ctx, 400, "Choose a breakdown",
                            "The download needs a breakdown from the list on the indicator page.");
  }
  const auto cells = checked(stored_cells(ctx.db, dash.run.id, d.id, breakdown, kAllPeriods));
  std::string out =
      "indicator,name,unit,period_start,period_end,breakdown,group,group_name,numerator,"
      "denominator,value,lower_95,upper_95,lower_99_8,upper_99_8,benchmark,compared_95,"
      "compared_99_8,trend,suppressed\n";
  for (const StoredCell& c : cells) {
    // Suppressed cells are empty and flagged: never a zero.
    const bool hidden = suppressed(c);
    const auto real = [&](double v) { return hidden ? std::string() : csv_number(v); };
    out += csv_text(d.id) + ',' + csv_text(d.name) + ',' + csv_text(d.unit) + ',' +
           csv_text(c.period_start) + ',' + csv_text(c.period_end) + ',' + csv_text(breakdown) +
           ',' + csv_text(c.group) + ',' + csv_text(c.group_name) + ',' +
           (c.numerator ? std::to_string(*c.numerator) : "") + ',' +
           (c.denominator ? std::to_string(*c.denominator) : "") + ',' + real(c.value) + ',' +
           real(c.lower95) + ',' + real(c.upper95) + ',' + real(c.lower998) + ',' +
           real(c.upper998) + ',' + csv_number(c.benchmark) + ',' + csv_text(c.compared95) + ',' +
           csv_text(c.compared998) + ',' + csv_text(c.trend) + ',' + csv_text(c.suppressed) + '\n';
  }
  audit_view(ctx, "GET /outcomes/" + d.id + ".csv?breakdown=" + breakdown);
  HttpResponse r;
  r.content_type = "text/csv; charset=utf-8";
  r.body = std::move(out);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"onechild-" + d.id + "-" +
                                                    breakdown + "-" + dash.run.as_of + ".csv\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

HttpResponse indicator_pages(PageContext& ctx, const std::string& rest) {
  std::string id = rest;
  std::string format;
  for (const char* suffix : {".json", ".csv"}) {
    const std::string_view s(suffix);
    if (id.size() > s.size() && id.compare(id.size() - s.size(), s.size(), s) == 0) {
      format = std::string(s.substr(1));
      id.resize(id.size() - s.size());
    }
  }
  const auto not_found = [&] {
    return message_response(ctx, 404, "Page not found", "There is no indicator at this address.");
  };
  if (!plausible_id(id)) return not_found();
  auto dash = load_dashboard(ctx.db);
  if (!dash) {
    if (format.empty()) return no_run_page(ctx, "Outcomes", "/outcomes");
    return not_found();
  }
  const Definition* d = dash->find(id);
  if (d == nullptr) return not_found();
  if (format == "json") return indicator_json(ctx, *dash, *d);
  if (format == "csv") return indicator_csv(ctx, *dash, *d);
  return indicator_page(ctx, *dash, *d);
}

}  // namespace onechild::api
