// Data quality: GET /data-quality. Per feed: the last load, rows, quarantine
// by reason, NHS number completeness and validity, linkage rate; and the
// ICS's totals. Counts only, no person: for the data manager (review-links)
// and for the roles that see aggregates (analysts, IG officers).
#include <cstdio>

#include "api/web/feed_quality.h"
#include "api/web/modules.h"

namespace onechild::api {
namespace {

// "1,234,567": counts are read at a glance.
std::string count_text(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (n < 0 ? "-" : "") + out;
}

// "98.7% (1,234 of 1,250)", or `none` when there is nothing to divide by.
std::string share(int64_t part, int64_t whole, const char* none = "No records") {
  if (whole <= 0) return none;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%",
                100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return std::string(buf) + " (" + count_text(part) + " of " + count_text(whole) + ")";
}

std::string file_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string when(const std::string& timestamp) {
  const std::string time = timestamp.size() >= 16 ? " " + timestamp.substr(11, 5) : "";
  return nice_date(timestamp) + time;
}

std::string status_tag(const std::string& status) {
  if (status == "complete") return tag("Complete", "green");
  if (status == "loading") return tag("Loading", "blue");
  if (status == "interrupted") return tag("Interrupted", "red");
  return tag(status, "grey");
}

std::string loads_table(const StoreQuality& q) {
  std::string rows;
  for (const FeedQuality& f : q.feeds) {
    std::string last = "No loads yet";
    std::string counts = cell("") + cell("") + cell("") + cell("");
    if (f.last) {
      last = html_escape(when(f.last->received_at)) + "<br>" +
             html_escape(file_name(f.last->file_path)) + "<br>" + status_tag(f.last->status);
      counts = cell(count_text(f.last->rows_read)) + cell(count_text(f.last->rows_accepted)) +
               cell(count_text(f.last->rows_unchanged)) +
               cell(count_text(f.last->rows_quarantined));
    }
    rows += R"(<tr class="nhsuk-table__row"><th scope="row" class="nhsuk-table__header">)" +
            html_escape(f.source) + R"(<br><span class="nhsuk-body-s">)" + html_escape(f.format) +
            "</span></th>" + cell_html(last) + counts +
            cell(count_text(f.rows_accepted) + " of " + count_text(f.rows_read) + " in " +
                 count_text(f.files) + (f.files == 1 ? " file" : " files")) +
            "</tr>";
  }
  return table("Loads by feed: the last file's rows, then every file's", "feed-loads",
               {"Feed", "Last load", "Read", "Accepted", "Unchanged", "Quarantined",
                "Accepted in every load"},
               rows);
}

std::string records_table(const StoreQuality& q) {
  std::string rows;
  for (const FeedQuality& f : q.feeds) {
    const FeedRecords& r = f.records;
    rows += R"(<tr class="nhsuk-table__row"><th scope="row" class="nhsuk-table__header">)" +
            html_escape(f.source) + "</th>" + cell(count_text(r.persons)) +
            cell(share(r.with_nhs_number, r.persons)) +
            cell(share(r.valid_nhs_number, r.with_nhs_number, "No numbers recorded")) +
            cell(share(r.linked, r.persons)) + "</tr>";
  }
  return table("Person records by feed", "feed-records",
               {"Feed", "Current person records", "NHS number recorded",
                "NHS number valid (of those recorded)", "Linked to a child"},
               rows);
}

std::string quarantine_table(const StoreQuality& q) {
  std::string rows;
  for (const FeedQuality& f : q.feeds) {
    const FeedRecords& r = f.records;
    if (r.quarantined == 0) continue;
    int64_t shown = 0;
    for (const auto& [reason, n] : r.quarantine_reasons) {
      rows += row_html(cell(f.source) + cell(reason) + cell(count_text(n)));
      shown += n;
    }
    if (shown < r.quarantined) {
      rows += row_html(cell(f.source) + cell("Other reasons") +
                       cell(count_text(r.quarantined - shown)));
    }
  }
  if (rows.empty()) {
    return R"(<h2 id="quarantine">Quarantine</h2><p class="nhsuk-body">No rows are waiting in quarantine.</p>)";
  }
  return R"(<h2 id="quarantine">Quarantine</h2><p class="nhsuk-body">Rows a load rejected and no later load has accepted. To see them, run <code>onechild quarantine list --db &lt;database&gt; --source &lt;feed&gt;</code>; <code>onechild quarantine export</code> writes them out to fix and load again.</p>)" +
         table("Quarantined rows by reason (the 5 commonest per feed)", "quarantine-reasons",
               {"Feed", "Reason", "Rows"}, rows);
}

}  // namespace

std::optional<HttpResponse> data_quality_pages(PageContext& ctx) {
  if (ctx.path != "/data-quality") return std::nullopt;
  if (!ctx.permits("review-links") && !ctx.permits("view-aggregates")) {
    return refuse(ctx, "You cannot see data quality",
                  "Data quality is for data managers, analysts and information governance.");
  }
  if (!ctx.get()) return message_response(ctx, 405, "Method not allowed", "Use the links.");
  const StoreQuality q = checked(ctx.services.feed_quality->read(ctx.db));
  AuditEntry audit = audit_of(ctx.user, "view-data-quality", std::nullopt, "GET /data-quality");
  audit.purpose = "administration";
  checked(record_audit(ctx.db, audit));

  const std::string pairs =
      count_text(q.open_pairs) + (q.open_pairs == 1 ? " open pair" : " open pairs");
  std::string main =
      R"(<h1>Data quality</h1><p class="nhsuk-body-l">Each feed's loads, rejected rows and how well its records identify and link children.</p>)";
  main +=
      R"(<h2>The ICS</h2><dl class="nhsuk-summary-list" id="ics-totals">)" +
      summary_row("Children in the index", count_text(q.children)) +
      summary_row_html("Pairs waiting for review",
                       ctx.permits("review-links") ? link("/linkage", pairs) : html_escape(pairs)) +
      summary_row("Feeds", count_text(static_cast<int64_t>(q.feeds.size()))) +
      summary_row("Record figures counted", when(q.computed_at)) + "</dl>";
  if (q.feeds.empty()) {
    main += inset("<p>No feed has been loaded yet.</p>", "no-feeds");
  } else {
    main += R"(<h2 id="loads">Loads</h2>)" + loads_table(q);
    main +=
        R"(<h2 id="records">Person records</h2><p class="nhsuk-body">The latest version of each record. An NHS number is valid when it passes the Modulus 11 check; only valid numbers are used for linkage.</p>)" +
        records_table(q);
    main += quarantine_table(q);
  }
  return html_page(200, layout(ctx.shell("Data quality", "/data-quality"), main));
}

}  // namespace onechild::api
