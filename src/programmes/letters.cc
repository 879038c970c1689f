#include "programmes/letters.h"

#include <map>

#include "core/text.h"

namespace onechild {
namespace {

std::string uk_date(Day day) {
  return day == kNoDay ? std::string() : format_uk_date(from_day(day));
}

// "943 476 5919": how the NHS writes the number for people to read.
std::string spaced_nhs_number(const std::string& digits) {
  if (digits.size() != 10) return digits;
  return digits.substr(0, 3) + " " + digits.substr(3, 3) + " " + digits.substr(6);
}

constexpr const char* kStyle = R"(
body { font-family: Arial, sans-serif; color: #212b32; margin: 0; }
.letter { max-width: 170mm; margin: 0 auto; padding: 20mm 0; page-break-after: always; }
.letter:last-child { page-break-after: auto; }
.from { text-align: right; margin-bottom: 12mm; }
h1 { font-size: 20pt; margin: 0 0 6mm; }
table { border-collapse: collapse; width: 100%; margin: 6mm 0; }
th, td { text-align: left; border-bottom: 1px solid #d8dde0; padding: 2mm; }
.overdue { font-weight: bold; }
.small { font-size: 9pt; color: #4c6272; }
@page { size: A4; margin: 15mm; }
)";

std::string what(WorklistKind kind) {
  return kind == WorklistKind::kHcp ? "health and development review" : "vaccination";
}

}  // namespace

std::string letters_html(const std::vector<WorklistRow>& rows, const LetterOptions& o) {
  std::map<int64_t, std::vector<const WorklistRow*>> by_child;
  std::vector<int64_t> order;
  for (const WorklistRow& r : rows) {
    auto& list = by_child[r.child_id];
    if (list.empty()) order.push_back(r.child_id);
    list.push_back(&r);
  }
  std::string html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                     html_escape(o.service) + ": letters " + format_iso_date(o.printed) +
                     "</title><style>" + kStyle + "</style></head><body>";
  for (const int64_t id : order) {
    const auto& items = by_child[id];
    const WorklistRow& child = *items.front();
    bool overdue = false;
    for (const WorklistRow* r : items)
      overdue = overdue || r->status == "overdue";
    const std::string name = child.name.empty() ? "your child" : child.name;
    html += "<section class=\"letter\"><p class=\"from\">" + html_escape(o.service) + "<br>" +
            html_escape(format_uk_date(o.printed)) + "</p>";
    // From 16 a young person arranges their own care: the letter is to them.
    const bool own = child.birth != kNoDay && !child.name.empty() &&
                     age_in_years(from_day(child.birth), o.printed) >= 16;
    html += std::string("<p>") + (own ? "Dear " : "To the parent or carer of ") +
            html_escape(name) + "</p>";
    html += "<p class=\"small\">NHS number " + html_escape(spaced_nhs_number(child.nhs_number)) +
            ", born " + html_escape(uk_date(child.birth)) + "</p>";
    html += std::string("<h1>") +
            (overdue ? "A reminder: " + html_escape(name) + " has missed a " + what(o.kind)
                     : html_escape(name) + " is due a " + what(o.kind)) +
            "</h1>";
    html += std::string("<p>Our records show that ") +
            (own ? "you are" : html_escape(name) + " is") +
            " due:</p><table><thead><tr>"
            "<th scope=\"col\">What</th><th scope=\"col\">Due from</th></tr></thead><tbody>";
    for (const WorklistRow* r : items) {
      html += std::string("<tr") + (r->status == "overdue" ? " class=\"overdue\"" : "") + "><td>" +
              html_escape(r->item_name) + "</td><td>" + html_escape(uk_date(r->due)) + "</td></tr>";
    }
    html += "</tbody></table>";
    html += o.kind == WorklistKind::kHcp
                ? "<p>Please contact your health visiting team to arrange a time.</p>"
                : "<p>Please contact your GP practice" +
                      (child.practice.empty() ? std::string()
                                              : " (" + html_escape(child.practice) + ")") +
                      " to book an appointment.</p>";
    html += "<p class=\"small\">If you think our records are wrong (for example, " +
            html_escape(name) +
            " had this elsewhere), please tell us so that we can correct them.</p></section>";
  }
  return html + "</body></html>\n";
}

}  // namespace onechild
