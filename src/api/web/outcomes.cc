// The outcomes dashboard (GET /outcomes), one indicator (GET
// /outcomes/{id}, .json, .csv: outcomes_indicator.cc) and the board summary
// (GET /board). Aggregates only, from the outcomes engine's stored run:
// every page reads the latest run by primary key, never the records.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "api/web/modules.h"
#include "api/web/outcomes_indicator.h"
#include "api/web/outcomes_view.h"

namespace onechild::api {
namespace {

using namespace outcomes;

// Definitions grouped by domain, in the order the domains first appear.
std::vector<std::pair<std::string, std::vector<const Definition*>>> by_domain(
    const Dashboard& dash) {
  std::vector<std::pair<std::string, std::vector<const Definition*>>> out;
  for (const Definition& d : dash.definitions) {
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == d.domain; });
    if (it == out.end()) it = out.insert(out.end(), {d.domain, {}});
    it->second.push_back(&d);
  }
  return out;
}

std::map<std::string, const StoredCell*> index_totals(const std::vector<StoredCell>& totals) {
  std::map<std::string, const StoredCell*> out;
  for (const StoredCell& c : totals)
    out[c.indicator] = &c;
  return out;
}

// The rules in use, for the one legend: "a count between 1 and 7".
std::string rules_text(const Dashboard& dash) {
  std::set<std::string> rules;
  for (const Definition& d : dash.definitions)
    rules.insert(suppression_rule_text(d));
  std::string out;
  for (const std::string& r : rules)
    out += (out.empty() ? "" : "; or, where an indicator's rule says so, ") + r;
  return out;
}

std::string slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  return out;
}

HttpResponse dashboard(PageContext& ctx) {
  const std::string title = "Outcomes";
  auto dash = load_dashboard(ctx.db);
  if (!dash) return no_run_page(ctx, title, "/outcomes");
  const auto totals = checked(stored_totals(ctx.db, dash->run.id, dash->ids()));
  const auto total_of = index_totals(totals);
  audit_view(ctx, "GET /outcomes (run " + std::to_string(dash->run.id) + ")");

  std::string main = R"(<h1>Outcomes</h1><p class="nhsuk-lede-text">Children's indicators for )"
                     R"(the whole ICS, compared with England, with the recent trend.</p>)"
                     R"(<p class="nhsuk-body" id="run">)" +
                     html_escape(run_text(dash->run)) + "</p>";
  main += R"(<p class="nhsuk-body">Choose an indicator for its breakdowns (place, practice, )"
          R"(deprivation, ethnic group and more), charts and definition. The )" +
          link("/board", "board summary") + " lists the indicators that need attention.</p>";
  for (const auto& [domain, defs] : by_domain(*dash)) {
    std::string rows;
    for (const Definition* d : defs) {
      const auto it = total_of.find(d->id);
      std::string cells = R"(<th scope="row" class="nhsuk-table__header">)" +
                          link("/outcomes/" + d->id, d->name) + "</th>";
      if (it == total_of.end()) {
        cells += R"(<td class="nhsuk-table__cell" colspan="6">Not computed in this run</td>)";
      } else {
        const StoredCell& c = *it->second;
        cells += cell(period_text(c)) + cell_html(value_html(c, *d)) + cell(ci_text(c, *d)) +
                 cell_html(counts_html(c)) + cell_html(comparison_html(c)) +
                 cell_html(trend_html(c, *d));
      }
      rows += row_html(cells);
    }
    main += R"(<h2 id="domain-)" + slug(domain) + "\">" + html_escape(domain) + "</h2>";
    main += R"(<div class="onechild-table-scroll">)" +
            table(domain + ": ICS value, compared with England", "table-" + slug(domain),
                  {"Indicator", "Period", "Value", "95% confidence interval", "Count / denominator",
                   "Compared with England", "Recent trend"},
                  rows) +
            "</div>";
  }
  main += suppression_legend(rules_text(*dash));
  return html_page(200, layout(ctx.shell(title, "/outcomes"), main));
}

// The board summary: every indicator at ICS level on one printable page,
// alerts first. An alert is a figure worse than England (95% level) or a
// significant trend the wrong way for the indicator's polarity.
HttpResponse board(PageContext& ctx) {
  const std::string title = "Board summary";
  auto dash = load_dashboard(ctx.db);
  if (!dash) return no_run_page(ctx, title, "/board");
  const auto totals = checked(stored_totals(ctx.db, dash->run.id, dash->ids()));
  const auto total_of = index_totals(totals);
  audit_view(ctx, "GET /board (run " + std::to_string(dash->run.id) + ")");

  std::string alert_items, sections;
  int alerts = 0;
  for (const auto& [domain, defs] : by_domain(*dash)) {
    std::string rows;
    for (const Definition* d : defs) {
      const auto it = total_of.find(d->id);
      if (it == total_of.end()) continue;
      const StoredCell& c = *it->second;
      std::vector<std::string> why;
      if (worse(c)) why.emplace_back("worse than England");
      if (deteriorating(c, *d)) why.emplace_back("getting worse");
      std::string alert_html = "None";
      if (!why.empty()) {
        ++alerts;
        std::string reason = why[0] + (why.size() > 1 ? " and " + why[1] : "");
        alert_html = tag("Alert", "red") + " " + html_escape(reason);
        alert_items += "<li>" + link("/outcomes/" + d->id, d->name) + ": " + html_escape(reason) +
                       " (" + value_html(c, *d) + ")</li>";
      }
      rows += row_html(R"(<th scope="row" class="nhsuk-table__header">)" + html_escape(d->name) +
                       "</th>" + cell_html(value_html(c, *d)) + cell(benchmark_text(c, *d)) +
                       cell_html(comparison_html(c)) + cell_html(trend_html(c, *d)) +
                       cell_html(alert_html));
    }
    if (rows.empty()) continue;
    sections += R"(<h2 id="board-)" + slug(domain) + "\">" + html_escape(domain) + "</h2>" +
                table(domain + " at ICS level", "board-" + slug(domain) + "-table",
                      {"Indicator", "ICS value", "England", "Compared with England", "Recent trend",
                       "Alert"},
                      rows);
  }
  std::string main = "<h1>Board summary</h1>";
  main += R"(<p class="nhsuk-body" id="run">)" + html_escape(run_text(dash->run)) + "</p>";
  const std::string count =
      std::to_string(alerts) + (alerts == 1 ? " indicator needs" : " indicators need");
  if (alerts > 0) {
    main +=
        R"(<div class="nhsuk-card nhsuk-card--warning" id="alerts"><div class="nhsuk-card__content">)"
        R"(<h2 class="nhsuk-card__heading"><span class="nhsuk-u-visually-hidden">Important: </span>)" +
        html_escape(count) +
        R"( attention</h2><p class="nhsuk-body">Worse than England, or a significant trend in the )"
        R"(wrong direction:</p><ul class="nhsuk-list nhsuk-list--bullet">)" +
        alert_items + "</ul></div></div>";
  } else {
    main += inset("<p>No indicator is worse than England or getting worse.</p>", "alerts");
  }
  main += sections;
  main += R"(<p class="nhsuk-body-s">Compared with England at the 95% level. A trend is )"
          R"(Fingertips' recent trend over the last five periods (99.8% level).</p>)";
  main += suppression_legend(rules_text(*dash));
  Shell shell = ctx.shell(title, "/board");
  shell.main_class = "onechild-board";
  return html_page(200, layout(shell, main));
}

}  // namespace

std::optional<HttpResponse> outcomes_pages(PageContext& ctx) {
  const bool dashboard_path = ctx.path == "/outcomes" || ctx.path.rfind("/outcomes/", 0) == 0;
  if (!dashboard_path && ctx.path != "/board") return std::nullopt;
  if (!ctx.get()) return message_response(ctx, 405, "Method not allowed", "Use the links.");
  if (auto refused = refuse_unless_aggregates(ctx)) return refused;
  if (ctx.path == "/board") return board(ctx);
  if (ctx.path == "/outcomes") return dashboard(ctx);
  return indicator_pages(ctx, ctx.path.substr(std::string_view("/outcomes/").size()));
}

}  // namespace onechild::api
