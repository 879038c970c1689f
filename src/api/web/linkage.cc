// Linkage review, the data manager's part in the master child index:
//   GET  /linkage[?status=open|decided|linked&page=N]  the review queue
//   GET  /linkage/{review_id}                          a pair side by side
//   POST /linkage/{review_id}/decision                 same / not the same child
//   GET  /linkage/children/{child_id}                  a child's records and history
//   POST /linkage/children/{child_id}/merge            merge into another child
//   POST /linkage/children/{child_id}/unmerge          move records out
// Only the review-links activity; every read is audited here and every
// decision by src/link/review.cc, with the same action names as the JSON API.
#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <string_view>
#include <vector>

#include "api/web/feed_quality.h"
#include "api/web/modules.h"
#include "link/review.h"

namespace onechild::api {
namespace {

namespace json = boost::json;

constexpr int64_t kPageSize = 25;
constexpr int64_t kMaxPage = 100000;       // 2.5 million pairs: more than any queue
constexpr int64_t kMaxChildRecords = 200;  // a child has a handful; bounded all the same
constexpr size_t kMaxReason = 2000;        // characters kept of a reason

struct FieldError {
  std::string id, text;  // the field's id (the summary links to it) and what to do
};

std::string error_summary_of(const std::vector<FieldError>& errors) {
  if (errors.empty()) return "";
  std::string items;
  for (const FieldError& e : errors) {
    items += R"(<li><a href="#)" + html_escape(e.id) + "\">" + html_escape(e.text) + "</a></li>";
  }
  return R"(<div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1">)"
         R"(<h2 class="nhsuk-error-summary__title" id="error-summary-title">There is a problem</h2>)"
         R"(<div class="nhsuk-error-summary__body"><ul class="nhsuk-list nhsuk-error-summary__list">)" +
         items + "</ul></div></div>";
}

const FieldError* error_for(const std::vector<FieldError>& errors, const std::string& id) {
  for (const FieldError& e : errors) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

std::string error_message(const FieldError* e, const std::string& id) {
  if (e == nullptr) return "";
  return R"(<span class="nhsuk-error-message" id=")" + html_escape(id) +
         R"(-error"><span class="nhsuk-u-visually-hidden">Error:</span> )" + html_escape(e->text) +
         "</span>";
}

std::string group_open(const FieldError* e) {
  return e ? R"(<div class="nhsuk-form-group nhsuk-form-group--error">)"
           : R"(<div class="nhsuk-form-group">)";
}

std::string textarea(const std::string& id, const std::string& label, const std::string& hint,
                     const std::string& value, const FieldError* e) {
  return group_open(e) + R"(<label class="nhsuk-label" for=")" + id + "\">" + html_escape(label) +
         R"(</label><div class="nhsuk-hint" id=")" + id + R"(-hint">)" + html_escape(hint) +
         "</div>" + error_message(e, id) + R"(<textarea class="nhsuk-textarea)" +
         (e ? " nhsuk-textarea--error" : "") + R"(" id=")" + id +
         R"(" name="reason" rows="3" aria-describedby=")" + id + "-hint" +
         (e ? " " + id + "-error" : "") + "\">" + html_escape(value) + "</textarea></div>";
}

std::string success_banner(const std::string& html) {
  return R"(<div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert" aria-labelledby="nhsuk-notification-banner-title" data-module="nhsuk-notification-banner">)"
         R"(<div class="nhsuk-notification-banner__header"><h2 class="nhsuk-notification-banner__title" id="nhsuk-notification-banner-title">Success</h2></div>)"
         R"(<div class="nhsuk-notification-banner__content"><p class="nhsuk-notification-banner__heading" id="outcome">)" +
         html + "</p></div></div>";
}

std::string trimmed(const std::string& text) {
  const size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  const size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(start, std::min(end - start + 1, kMaxReason));
}

std::string upper_first(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 32);
  return text;
}

// "87.3%", without claiming certainty the model does not have.
std::string percent(double p) {
  if (p >= 1.0) return "100%";
  if (p > 0.999) return "over 99.9%";
  if (p <= 0.0) return "0%";
  if (p < 0.001) return "under 0.1%";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", p * 100);
  return buf;
}

// Weights are log2 Bayes factors: the sign says which way the field points.
std::string weight_text(double w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2f", w);
  std::string s = buf;
  if (s[0] == '-') s = "\xE2\x88\x92" + s.substr(1);  // a true minus sign
  return s;
}

std::string name_of(const std::optional<std::string>& given,
                    const std::optional<std::string>& family) {
  std::string name = given.value_or("");
  if (family) name += (name.empty() ? "" : " ") + *family;
  return name.empty() ? "No name recorded" : name;
}

std::string child_href(int64_t id) {
  return "/linkage/children/" + std::to_string(id);
}

std::string child_link(const std::optional<int64_t>& id) {
  return id ? link(child_href(*id), "Child " + std::to_string(*id)) : html_escape("Not linked");
}

AuditEntry audit_for(const PageContext& ctx, std::string action, std::optional<int64_t> child,
                     std::string detail, std::string outcome = "allowed") {
  AuditEntry e =
      audit_of(ctx.user, std::move(action), child, std::move(detail), std::move(outcome));
  e.purpose = "administration";  // keeping the index right, not care of the child
  return e;
}

HttpResponse not_found(const PageContext& ctx, const std::string& message) {
  return message_response(ctx, 404, "Page not found", message);
}

HttpResponse bad_request(const PageContext& ctx, const std::string& message) {
  return message_response(ctx, 400, "There is a problem with this address", message);
}

// ---- The queue ----------------------------------------------------------

std::string record_brief(const ReviewRecord& r) {
  return html_escape(name_of(r.given_name, r.family_name)) +
         R"(<br><span class="nhsuk-body-s">Born )" + html_escape(nice_date(r.birth_date)) + "<br>" +
         html_escape(r.source) + " " + html_escape(r.original_id) + "</span>";
}

const char* status_heading(const std::string& status) {
  if (status == "decided") return "Decided pairs";
  if (status == "linked") return "Pairs joined since";
  return "Open pairs, most likely matches first";
}

std::string queue_href(const std::string& status, int64_t page) {
  return "/linkage?status=" + status + (page > 1 ? "&page=" + std::to_string(page) : "");
}

HttpResponse show_queue(PageContext& ctx) {
  const auto params = ctx.params();
  std::string status = param(params, "status");
  if (status.empty()) status = "open";
  if (status != "open" && status != "decided" && status != "linked") {
    return bad_request(ctx, "Status must be open, decided or linked.");
  }
  int64_t page = 1;
  if (params.contains("page")) {
    const auto n = id_of(param(params, "page"));
    if (!n || *n < 1 || *n > kMaxPage) return bad_request(ctx, "The page must be a number.");
    page = *n;
  }
  const int64_t open = checked(count_review_pairs(ctx.db, "open"));
  const int64_t total = status == "open" ? open : checked(count_review_pairs(ctx.db, status));
  const int64_t pages = std::max<int64_t>(1, (total + kPageSize - 1) / kPageSize);
  ReviewQuery q;
  q.status = status;
  q.limit = kPageSize;
  q.offset = (page - 1) * kPageSize;
  const auto items = checked(list_review(ctx.db, q));
  checked(record_audit(ctx.db, audit_for(ctx, "view-review-queue", std::nullopt,
                                         std::to_string(items.size()) + " items (" + status +
                                             ", page " + std::to_string(page) + ")")));

  std::string main;
  if (const auto decided = id_of(param(params, "decided"))) {
    const std::string decision = param(params, "decision");
    if (decision == "same" || decision == "different") {
      main +=
          success_banner(html_escape("Pair " + std::to_string(*decided) + ": " +
                                     (decision == "same" ? "linked as the same child"
                                                         : "kept apart as different children")) +
                         " " + link("/linkage/" + std::to_string(*decided), "See the pair"));
    }
  }
  main += R"(<h1>Linkage review</h1><p class="nhsuk-body-l" id="open-count">)" +
          html_escape(open == 1 ? "1 pair is waiting for a decision."
                                : std::to_string(open) + " pairs are waiting for a decision.") +
          "</p>";
  main += R"(<nav aria-label="Pairs by status"><ul class="nhsuk-list">)";
  for (const auto& [value, label] : {std::pair{"open", "Open pairs"},
                                     {"decided", "Decided by a person"},
                                     {"linked", "Joined since by linkage or a merge"}}) {
    main += "<li>" +
            (status == value ? R"(<a class="nhsuk-link" aria-current="page" href=")" +
                                   queue_href(value, 1) + "\"><strong>" + label + "</strong></a>"
                             : link(queue_href(value, 1), label)) +
            "</li>";
  }
  main += "</ul></nav>";
  if (items.empty()) {
    main += inset("<p>" +
                      html_escape(page > 1 ? "There are no pairs on this page."
                                           : "There are no pairs here.") +
                      "</p>",
                  "queue-empty");
  } else {
    std::string rows;
    for (const ReviewItem& item : items) {
      const std::string id = std::to_string(item.id);
      rows += row_html(cell_html(link("/linkage/" + id, "Pair " + id)) +
                       cell_html(record_brief(item.left)) + cell_html(record_brief(item.right)) +
                       cell(percent(item.match_probability)) +
                       cell(weight_text(item.match_weight)) + cell(nice_date(item.created_at)));
    }
    main += table(std::string(status_heading(status)) + " (page " + std::to_string(page) + " of " +
                      std::to_string(pages) + ")",
                  "review-queue",
                  {"Pair", "First record", "Second record", "Match probability", "Weight", "Found"},
                  rows);
  }
  if (page > 1 || page < pages) {
    main +=
        R"(<nav class="nhsuk-pagination" role="navigation" aria-label="Pagination"><ul class="nhsuk-list nhsuk-pagination__list">)";
    if (page > 1) {
      main +=
          R"(<li class="nhsuk-pagination-item--previous"><a class="nhsuk-pagination__link nhsuk-pagination__link--prev" href=")" +
          html_escape(queue_href(status, page - 1)) +
          R"(" rel="prev"><span class="nhsuk-pagination__title">Previous<span class="nhsuk-u-visually-hidden"> page</span></span><span class="nhsuk-u-visually-hidden">:</span><span class="nhsuk-pagination__page">Page )" +
          std::to_string(page - 1) + "</span></a></li>";
    }
    if (page < pages) {
      main +=
          R"(<li class="nhsuk-pagination-item--next"><a class="nhsuk-pagination__link nhsuk-pagination__link--next" href=")" +
          html_escape(queue_href(status, page + 1)) +
          R"(" rel="next"><span class="nhsuk-pagination__title">Next<span class="nhsuk-u-visually-hidden"> page</span></span><span class="nhsuk-u-visually-hidden">:</span><span class="nhsuk-pagination__page">Page )" +
          std::to_string(page + 1) + "</span></a></li>";
    }
    main += "</ul></nav>";
  }
  return html_page(200, layout(ctx.shell("Linkage review", "/linkage"), main));
}

// ---- One pair -----------------------------------------------------------

struct DecisionForm {
  std::string decision, reason;
  std::vector<FieldError> errors;
};

std::string text_of(const json::value* v) {
  if (v == nullptr || v->is_null()) return "Not recorded";
  if (v->is_string()) return std::string(v->as_string());
  return json::serialize(*v);
}

// The model's field names as people say them.
std::string field_label(const std::string& field) {
  static constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
      {"nhs_number", "NHS number"},
      {"given_name", "Given name"},
      {"family_name", "Family name"},
      {"birth_date", "Date of birth"},
      {"sex", "Sex"},
      {"postcode", "Postcode"}};
  for (const auto& [name, label] : kLabels) {
    if (field == name) return std::string(label);
  }
  return field;
}

std::string evidence_rows(const std::string& evidence_json) {
  boost::system::error_code ec;
  const json::value evidence = json::parse(evidence_json, ec);
  if (ec || !evidence.is_array()) return "";
  std::string rows;
  for (const json::value& v : evidence.as_array()) {
    if (!v.is_object()) continue;
    const json::object& e = v.as_object();
    const json::value* w = e.if_contains("weight");
    std::string weight = "Not recorded";
    if (w != nullptr && w->is_number()) {
      boost::system::error_code nec;
      const double d = w->to_number<double>(nec);
      if (!nec) weight = weight_text(d);
    }
    const json::value* level = e.if_contains("level");
    rows += row_html(cell(field_label(text_of(e.if_contains("field")))) +
                     cell(text_of(e.if_contains("left"))) + cell(text_of(e.if_contains("right"))) +
                     cell(level == nullptr || level->is_null() ? "Not compared: missing on one side"
                                                               : text_of(level)) +
                     cell(weight));
  }
  return rows;
}

std::string record_rows(const ReviewItem& item) {
  const ReviewRecord& a = item.left;
  const ReviewRecord& b = item.right;
  const auto row = [](const std::string& field, const std::string& left_html,
                      const std::string& right_html) {
    return R"(<tr class="nhsuk-table__row"><th scope="row" class="nhsuk-table__header">)" +
           html_escape(field) + "</th>" + cell_html(left_html) + cell_html(right_html) + "</tr>";
  };
  const auto opt = [](const std::optional<std::string>& v) {
    return html_escape(v.value_or("Not recorded"));
  };
  return row("Source", html_escape(a.source), html_escape(b.source)) +
         row("Original id", html_escape(a.original_id), html_escape(b.original_id)) +
         row("NHS number (as recorded)", opt(a.nhs_number), opt(b.nhs_number)) +
         row("Name", html_escape(name_of(a.given_name, a.family_name)),
             html_escape(name_of(b.given_name, b.family_name))) +
         row("Date of birth", html_escape(nice_date(a.birth_date)),
             html_escape(nice_date(b.birth_date))) +
         row("Sex", opt(a.sex), opt(b.sex)) + row("Postcode", opt(a.postcode), opt(b.postcode)) +
         row("Linked now to", child_link(a.child_id), child_link(b.child_id));
}

std::string decision_form(const ReviewItem& item, const DecisionForm& form,
                          const std::string& csrf) {
  const FieldError* de = error_for(form.errors, "decision");
  const FieldError* re = error_for(form.errors, "reason");
  std::string html =
      R"(<form method="post" action="/linkage/)" + std::to_string(item.id) +
      R"(/decision" novalidate>)" + csrf_field(csrf) + group_open(de) +
      R"(<fieldset class="nhsuk-fieldset")" + (de ? R"( aria-describedby="decision-error")" : "") +
      R"(><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m"><h2 class="nhsuk-fieldset__heading">Are these the same child?</h2></legend>)" +
      error_message(de, "decision") + R"(<div class="nhsuk-radios" data-module="nhsuk-radios">)";
  int n = 0;
  for (const auto& [value, label] :
       {std::pair{"same", "The same child"}, {"different", "Not the same child"}}) {
    const std::string id = ++n == 1 ? "decision" : "decision-" + std::to_string(n);
    html += R"(<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id=")" + id +
            R"(" name="decision" type="radio" value=")" + value + '"';
    if (form.decision == value) html += " checked";
    html += R"(><label class="nhsuk-label nhsuk-radios__label" for=")" + id + "\">";
    html += std::string(label) + "</label></div>";
  }
  html += "</div></fieldset></div>";
  html += textarea("reason", "Reason",
                   "Say what you checked, for example: confirmed with the GP practice", form.reason,
                   re);
  return html +
         R"(<button class="nhsuk-button" data-module="nhsuk-button" type="submit">Save decision</button></form>)";
}

std::string pair_page(PageContext& ctx, const ReviewItem& item, const DecisionForm& form) {
  const std::string id = std::to_string(item.id);
  std::string main = R"(<a class="nhsuk-back-link" href="/linkage">Back to the review queue</a>)";
  main += error_summary_of(form.errors);
  main +=
      R"(<span class="nhsuk-caption-l">Pair )" + id +
      R"(</span><h1>Are these records the same child?</h1><dl class="nhsuk-summary-list" id="pair-summary">)";
  main += summary_row("Match probability", percent(item.match_probability));
  main += summary_row("Match weight", weight_text(item.match_weight));
  main += summary_row("Found", nice_date(item.created_at));
  main += summary_row_html("Status", item.status == "open"      ? tag("Open", "blue")
                                     : item.status == "decided" ? tag("Decided", "green")
                                                                : tag("Joined since", "grey"));
  main += "</dl>";
  if (item.existing_children) {
    main += inset(
        "<p>Both records already belong to different children. If they are the same child, the "
        "two children are merged: the older number stays.</p>");
  }
  main += table("The two records", "records", {"Field", "First record", "Second record"},
                record_rows(item));
  const std::string evidence = evidence_rows(item.evidence_json);
  if (evidence.empty()) {
    main += R"(<h2>Evidence</h2><p class="nhsuk-body">No evidence was recorded for this pair.</p>)";
  } else {
    main +=
        R"(<p class="nhsuk-body">A positive weight counts for a match, a negative weight against it.</p>)";
    main += table("Evidence, field by field", "evidence",
                  {"Field", "First record", "Second record", "Evidence", "Weight"}, evidence);
  }
  if (item.status == "open") {
    main += decision_form(item, form, ctx.csrf);
  } else if (auto decided = checked(decision_on_pair(ctx.db, item.id))) {
    main += R"(<h2>Decision</h2><dl class="nhsuk-summary-list" id="decision">)" +
            summary_row("Decision",
                        decided->decision == "same" ? "The same child" : "Not the same child") +
            summary_row("Decided by", decided->decided_by) +
            summary_row("When", nice_date(decided->decided_at) + " " +
                                    decided->decided_at.substr(
                                        std::min<size_t>(11, decided->decided_at.size()), 5)) +
            summary_row("Reason", decided->reason) + "</dl>";
  } else {
    main += inset(
        "<p>A later link run or a merge has joined these records: there is nothing to "
        "decide.</p>",
        "decision");
  }
  const std::string title = std::string(form.errors.empty() ? "" : "Error: ") + "Pair " + id;
  return layout(ctx.shell(title, "/linkage"), main);
}

void audit_pair_view(PageContext& ctx, const ReviewItem& item) {
  AuditEntry e =
      audit_for(ctx, "view-review", item.left.child_id ? item.left.child_id : item.right.child_id,
                "review " + std::to_string(item.id));
  if (item.left.child_id && item.right.child_id && *item.left.child_id != *item.right.child_id) {
    e.more_children.push_back(*item.right.child_id);
  }
  checked(record_audit(ctx.db, e));
}

HttpResponse show_pair(PageContext& ctx, int64_t review_id) {
  auto item = get_review(ctx.db, review_id);
  if (!item.ok() && item.error().code() == Error::Code::kNotFound) {
    return not_found(ctx, "There is no review pair " + std::to_string(review_id) + ".");
  }
  const ReviewItem pair = checked(std::move(item));
  audit_pair_view(ctx, pair);
  return html_page(200, pair_page(ctx, pair, {}));
}

HttpResponse decide(PageContext& ctx, int64_t review_id) {
  auto item = get_review(ctx.db, review_id);
  if (!item.ok() && item.error().code() == Error::Code::kNotFound) {
    return not_found(ctx, "There is no review pair " + std::to_string(review_id) + ".");
  }
  const ReviewItem pair = checked(std::move(item));
  const auto values = ctx.form();
  DecisionForm form{param(values, "decision"), trimmed(param(values, "reason")), {}};
  if (form.decision != "same" && form.decision != "different") {
    form.decision.clear();
    form.errors.push_back({"decision", "Select whether these records are the same child"});
  }
  if (form.reason.empty()) form.errors.push_back({"reason", "Enter a reason for your decision"});
  if (form.errors.empty()) {
    const Status s = decide_review(
        ctx.db, review_id, form.decision == "same" ? LinkDecision::kSame : LinkDecision::kDifferent,
        Actor{ctx.user.username, ctx.user.id, form.reason});
    if (s.ok()) {
      return redirect_to("/linkage?decided=" + std::to_string(review_id) +
                         "&decision=" + form.decision);
    }
    if (!s.error().is_user_error()) checked(s);
    // Decided by someone else meanwhile, say: show the pair as it is now.
    form.errors.push_back({"reason", upper_first(s.error().message())});
  }
  audit_pair_view(ctx, pair);
  const ReviewItem now = checked(get_review(ctx.db, review_id));
  return html_page(400, pair_page(ctx, now, form));
}

// ---- A child in the index -----------------------------------------------

struct ChildForms {
  std::string into, merge_reason, unmerge_reason;
  std::vector<int64_t> selected;
  std::vector<FieldError> errors;
};

std::string history_rows(const std::vector<HistoryEntry>& entries, int64_t child_id) {
  std::string rows;
  for (const HistoryEntry& h : entries) {
    std::optional<int64_t> other =
        h.child_id == child_id ? h.other_child_id : std::optional(h.child_id);
    std::string what = h.action;
    if (h.source_person_id) what += " (source record " + std::to_string(*h.source_person_id) + ")";
    rows +=
        row_html(cell(nice_date(h.at) + " " + h.at.substr(std::min<size_t>(11, h.at.size()), 5)) +
                 cell(what) + cell_html(other ? child_link(other) : "") + cell(h.actor) +
                 cell(h.reason.empty() ? "None given" : h.reason));
  }
  return rows;
}

std::string merge_form(int64_t child_id, const ChildForms& f, const std::string& csrf) {
  const FieldError* ie = error_for(f.errors, "into");
  const FieldError* re = error_for(f.errors, "merge-reason");
  return R"(<h2 id="merge">Merge into another child</h2><form method="post" action=")" +
         child_href(child_id) + R"(/merge" novalidate>)" + csrf_field(csrf) + group_open(ie) +
         R"(<label class="nhsuk-label" for="into">The child this one is the same as</label><div class="nhsuk-hint" id="into-hint">The child's number in the index, for example 1234</div>)" +
         error_message(ie, "into") + R"(<input class="nhsuk-input nhsuk-input--width-10)" +
         (ie ? " nhsuk-input--error" : "") +
         R"(" id="into" name="into" type="text" inputmode="numeric" spellcheck="false" aria-describedby="into-hint)" +
         (ie ? " into-error" : "") + R"(" value=")" + html_escape(f.into) + R"("></div>)" +
         textarea("merge-reason", "Reason for the merge", "Say what shows they are the same child",
                  f.merge_reason, re) +
         R"(<button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit">Merge this child</button></form>)";
}

std::string unmerge_form(int64_t child_id, const std::vector<ChildSourceRecord>& records,
                         const ChildForms& f, const std::string& csrf) {
  const FieldError* ce = error_for(f.errors, "records");
  const FieldError* re = error_for(f.errors, "unmerge-reason");
  std::string html =
      R"(<h2 id="unmerge">Move records out (unmerge)</h2><form method="post" action=")" +
      child_href(child_id) + R"(/unmerge" novalidate>)" + csrf_field(csrf) + group_open(ce) +
      R"(<fieldset class="nhsuk-fieldset" aria-describedby="records-hint)" +
      (ce ? " records-error" : "") +
      R"("><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Records that belong to another child</legend><div class="nhsuk-hint" id="records-hint">They move to the child they came from, or to a new child. Later link runs keep them apart.</div>)" +
      error_message(ce, "records") +
      R"(<div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">)";
  int n = 0;
  for (const ChildSourceRecord& r : records) {
    const std::string id = ++n == 1 ? "records" : "records-" + std::to_string(n);
    const bool checked_now =
        std::find(f.selected.begin(), f.selected.end(), r.source_person_id) != f.selected.end();
    html += R"(<div class="nhsuk-checkboxes__item"><input class="nhsuk-checkboxes__input" id=")" +
            id + R"(" name="record-)" + std::to_string(r.source_person_id) +
            R"(" type="checkbox" value="move")";
    if (checked_now) html += " checked";
    html += R"(><label class="nhsuk-label nhsuk-checkboxes__label" for=")" + id + "\">";
    html += html_escape(r.source + " " + r.original_id + ": " +
                        name_of(r.given_name, r.family_name) + ", born " + nice_date(r.birth_date));
    html += "</label></div>";
  }
  html += "</div></fieldset></div>";
  return html +
         textarea("unmerge-reason", "Reason for moving them",
                  "Say what shows they are a different child", f.unmerge_reason, re) +
         R"(<button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit">Move records out</button></form>)";
}

HttpResponse child_page(PageContext& ctx, const IndexChild& child, const ChildForms& forms,
                        int status) {
  const auto records = checked(child_source_records(ctx.db, child.id, kMaxChildRecords));
  const auto history = checked(child_history(ctx.db, child.id));
  checked(record_audit(
      ctx.db, audit_for(ctx, "view-child-history", child.id, "GET " + child_href(child.id))));
  const auto params = ctx.params();
  std::string main = R"(<a class="nhsuk-back-link" href="/linkage">Back to the review queue</a>)";
  main += error_summary_of(forms.errors);
  if (status == 200) {
    if (const auto merged = id_of(param(params, "merged"))) {
      main += success_banner(
          html_escape("Child " + std::to_string(*merged) + " has been merged into this child."));
    }
    if (const auto moved = id_of(param(params, "moved_to"))) {
      main += success_banner(html_escape("The records have moved to ") +
                             link(child_href(*moved), "child " + std::to_string(*moved)) + ".");
    }
  }
  main += R"(<span class="nhsuk-caption-l">Master child index</span><h1>Child )" +
          std::to_string(child.id) + "</h1>";
  if (child.merged_into) {
    main += inset("<p>This child was merged into " + child_link(child.merged_into) +
                      ". Its records are there now.</p>",
                  "merged-into");
  }
  main += R"(<dl class="nhsuk-summary-list" id="child-summary">)" +
          summary_row("NHS number", formatted_nhs_number(child.nhs_number)) +
          summary_row("In the index since", nice_date(child.created_at)) +
          summary_row("Current source records", std::to_string(records.size())) + "</dl>";
  if (records.empty()) {
    main +=
        R"(<p class="nhsuk-body" id="source-records">No source records are linked to this child now.</p>)";
  } else {
    std::string rows;
    for (const ChildSourceRecord& r : records) {
      std::string how = r.method;
      if (r.match_probability) how += ", " + percent(*r.match_probability);
      rows += row_html(cell(r.source) + cell(r.original_id) +
                       cell(name_of(r.given_name, r.family_name)) + cell(nice_date(r.birth_date)) +
                       cell(r.nhs_number.value_or("Not recorded")) + cell(how));
    }
    main +=
        table("Source records", "source-records",
              {"Source", "Original id", "Name", "Date of birth", "NHS number", "Linked by"}, rows);
  }
  main += R"(<h2 id="history">History</h2>)";
  main += history.empty() ? R"(<p class="nhsuk-body">No merges or records moved by hand.</p>)"
                          : table("Merges and moves, oldest first", "history-table",
                                  {"When", "What", "Other child", "By", "Reason"},
                                  history_rows(history, child.id));
  if (!child.merged_into) {
    main += merge_form(child.id, forms, ctx.csrf);
    if (records.size() >= 2) main += unmerge_form(child.id, records, forms, ctx.csrf);
  }
  const std::string title =
      std::string(forms.errors.empty() ? "" : "Error: ") + "Child " + std::to_string(child.id);
  return html_page(status, layout(ctx.shell(title, "/linkage"), main));
}

HttpResponse merge(PageContext& ctx, const IndexChild& child) {
  const auto values = ctx.form();
  ChildForms f;
  f.into = param(values, "into");
  f.merge_reason = trimmed(param(values, "reason"));
  std::string digits;
  for (char c : f.into) {
    if (c != ' ') digits += c;
  }
  const auto into = id_of(digits);
  if (f.into.empty()) {
    f.errors.push_back({"into", "Enter the number of the child to merge into"});
  } else if (!into) {
    f.errors.push_back({"into", "Enter the child's number in digits, for example 1234"});
  } else if (*into == child.id) {
    f.errors.push_back({"into", "Enter a different child: a child cannot be merged into itself"});
  }
  if (f.merge_reason.empty()) f.errors.push_back({"merge-reason", "Enter a reason for the merge"});
  if (f.errors.empty()) {
    const Status s = merge_children(ctx.db, child.id, *into,
                                    Actor{ctx.user.username, ctx.user.id, f.merge_reason});
    if (s.ok()) return redirect_to(child_href(*into) + "?merged=" + std::to_string(child.id));
    if (!s.error().is_user_error()) checked(s);
    f.errors.push_back({"into", upper_first(s.error().message())});
  }
  const auto now = checked(find_index_child(ctx.db, child.id));
  return child_page(ctx, now.value_or(child), f, 400);
}

HttpResponse unmerge(PageContext& ctx, const IndexChild& child) {
  const auto values = ctx.form();
  ChildForms f;
  f.unmerge_reason = trimmed(param(values, "reason"));
  constexpr std::string_view kPrefix = "record-";
  for (const auto& [name, value] : values) {
    if (name.rfind(kPrefix, 0) != 0 || value.empty()) continue;
    if (const auto id = id_of(name.substr(kPrefix.size()))) f.selected.push_back(*id);
  }
  if (f.selected.empty()) f.errors.push_back({"records", "Select the records to move out"});
  if (f.unmerge_reason.empty()) {
    f.errors.push_back({"unmerge-reason", "Enter a reason for moving the records"});
  }
  if (f.errors.empty()) {
    auto moved = unmerge_records(ctx.db, child.id, f.selected,
                                 Actor{ctx.user.username, ctx.user.id, f.unmerge_reason});
    if (moved.ok()) {
      return redirect_to(child_href(child.id) + "?moved_to=" + std::to_string(*moved));
    }
    if (!moved.error().is_user_error()) checked(Status(moved.error()));
    f.errors.push_back({"records", upper_first(moved.error().message())});
  }
  const auto now = checked(find_index_child(ctx.db, child.id));
  return child_page(ctx, now.value_or(child), f, 400);
}

HttpResponse children_pages(PageContext& ctx, const std::string& rest) {
  const size_t slash = rest.find('/');
  const auto child_id = id_of(rest.substr(0, slash));
  const std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (!child_id || (!action.empty() && action != "merge" && action != "unmerge")) {
    return not_found(ctx, "There is no page at this address.");
  }
  if (action.empty() != ctx.get()) {
    return message_response(ctx, 405, "Method not allowed", "Use the links and forms.");
  }
  const auto child = checked(find_index_child(ctx.db, *child_id));
  if (!child)
    return not_found(ctx, "There is no child " + std::to_string(*child_id) + " in the index.");
  if (action == "merge") return merge(ctx, *child);
  if (action == "unmerge") return unmerge(ctx, *child);
  return child_page(ctx, *child, {}, 200);
}

}  // namespace

std::optional<HttpResponse> linkage_pages(PageContext& ctx) {
  if (ctx.path != "/linkage" && ctx.path.rfind("/linkage/", 0) != 0) return std::nullopt;
  if (!ctx.permits("review-links")) {
    return refuse(ctx, "You cannot review linkage",
                  "Only a data manager sees and changes the master child index.");
  }
  if (ctx.path == "/linkage") {
    if (!ctx.get()) return message_response(ctx, 405, "Method not allowed", "Use the links.");
    return show_queue(ctx);
  }
  const std::string rest = ctx.path.substr(std::string_view("/linkage/").size());
  constexpr std::string_view kChildren = "children/";
  if (rest.rfind(kChildren, 0) == 0) return children_pages(ctx, rest.substr(kChildren.size()));
  const size_t slash = rest.find('/');
  const auto review_id = id_of(rest.substr(0, slash));
  const std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (!review_id || (!action.empty() && action != "decision")) {
    return not_found(ctx, "There is no page at this address.");
  }
  if (action.empty() != ctx.get()) {
    return message_response(ctx, 405, "Method not allowed", "Use the links and forms.");
  }
  return action.empty() ? show_pair(ctx, *review_id) : decide(ctx, *review_id);
}

}  // namespace onechild::api
