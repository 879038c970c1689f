#include "cli/audit_commands.h"

#include <pwd.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "access/audit.h"
#include "cli/common.h"
#include "core/text.h"
#include "store/database.h"

namespace onechild {
namespace {

namespace json = boost::json;

struct AuditArgs {
  std::string db, out, user, from, to, action, expect_head;
  int64_t child = 0, limit = 50, offset = 0;
  bool json = false;
  CLI::Option* child_option = nullptr;
  CLI::Option* limit_option = nullptr;
};

// Opens an existing store: a mistyped path must not verify as an empty chain.
Result<Database> open_existing(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Error::io_error("no database at '" + path + "'");
  }
  return Database::open(path);
}

Result<AuditQuery> query_of(const AuditArgs& a, int64_t default_limit) {
  AuditQuery q;
  q.user = a.user;
  if (a.child_option != nullptr && a.child_option->count() > 0) q.child_id = a.child;
  for (auto [text, date, name] :
       {std::tuple{&a.from, &q.from, "--from"}, std::tuple{&a.to, &q.to, "--to"}}) {
    if (text->empty()) continue;
    auto parsed = parse_iso_date(*text);
    if (!parsed.ok()) {
      return Error::invalid_argument(std::string(name) + ": " + parsed.error().message());
    }
    *date = *parsed;
  }
  q.action = a.action;
  q.limit = default_limit;
  if (a.limit_option != nullptr && a.limit_option->count() > 0) {
    if (a.limit < 0) return Error::invalid_argument("--limit must not be negative");
    q.limit = a.limit;
  }
  if (a.offset < 0) return Error::invalid_argument("--offset must not be negative");
  q.offset = a.offset;
  return q;
}

int run_verify(const AuditArgs& a) {
  auto db = open_existing(a.db);
  if (!db.ok()) return fail(db.error());
  auto v = verify_audit(*db, {a.expect_head});
  if (!v.ok()) return fail(v.error());
  if (v->intact()) {
    std::printf("audit chain intact: %lld entries, head %s\n", static_cast<long long>(v->entries),
                v->head_hash.c_str());
    return 0;
  }
  for (const AuditProblem& p : v->problems)
    std::printf("%s\n", p.message.c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "onechild: audit chain broken: %zu problem%s in %lld entries (head %s)\n",
               v->problems.size(), v->problems.size() == 1 ? "" : "s",
               static_cast<long long>(v->entries), v->head_hash.c_str());
  return 1;
}

json::object row_json(const AuditRow& r) {
  json::array children;
  for (int64_t c : r.children)
    children.push_back(c);
  json::object o{{"seq", r.seq},           {"at", r.at},           {"user_id", nullptr},
                 {"username", r.username}, {"role", r.role},       {"organisation", r.organisation},
                 {"purpose", r.purpose},   {"action", r.action},   {"children", children},
                 {"what", r.what},         {"outcome", r.outcome}, {"prev_hash", r.prev_hash},
                 {"hash", r.hash}};
  if (r.user_id) o["user_id"] = *r.user_id;
  return o;
}

std::string who_of(const AuditRow& r) {
  std::string who = r.username.empty() ? "-" : r.username;
  if (!r.role.empty() || !r.organisation.empty()) {
    who += " (" + r.role + (r.organisation.empty() ? "" : ", " + r.organisation) + ")";
  }
  return who;
}

int run_search(const AuditArgs& a) {
  auto query = query_of(a, 50);
  if (!query.ok()) return fail(query.error());
  auto db = open_existing(a.db);
  if (!db.ok()) return fail(db.error());
  auto rows = search_audit(*db, *query);
  if (!rows.ok()) return fail(rows.error());
  if (a.json) {
    json::array out;
    for (const AuditRow& r : *rows)
      out.push_back(row_json(r));
    std::printf("%s\n", json::serialize(out).c_str());
    return 0;
  }
  std::printf("%7s  %-24s  %-32s  %-18s  %-7s  %-12s  %s\n", "seq", "at (UTC)", "who", "action",
              "outcome", "children", "what");
  for (const AuditRow& r : *rows) {
    std::string children;
    for (int64_t c : r.children)
      children += (children.empty() ? "" : " ") + std::to_string(c);
    std::printf("%7lld  %-24s  %-32s  %-18s  %-7s  %-12s  %s\n", static_cast<long long>(r.seq),
                r.at.c_str(), printable(who_of(r), 64).c_str(), printable(r.action, 64).c_str(),
                r.outcome.c_str(), children.empty() ? "-" : children.c_str(),
                printable(r.what, 120).c_str());
  }
  std::printf("%zu shown, newest first\n", rows->size());
  return 0;
}

// Who runs a command: the login, as `link merge` names it (cli:<login>);
// $USER, else the account the process runs as.
std::string cli_user() {
  const char* user = std::getenv("USER");
  if (user == nullptr || *user == '\0') {
    const passwd* pw = getpwuid(geteuid());
    user = pw != nullptr ? pw->pw_name : nullptr;
  }
  return std::string("cli:") + (user != nullptr && *user != '\0' ? user : "unknown");
}

std::string filters_of(const AuditArgs& a) {
  std::string f;
  auto add = [&](const char* name, const std::string& value) {
    if (!value.empty()) f += std::string(f.empty() ? "" : " ") + name + " " + value;
  };
  add("--user", a.user);
  if (a.child_option != nullptr && a.child_option->count() > 0) {
    add("--child", std::to_string(a.child));
  }
  add("--from", a.from);
  add("--to", a.to);
  add("--action", a.action);
  if (a.limit_option != nullptr && a.limit_option->count() > 0) {
    add("--limit", std::to_string(a.limit));
  }
  if (a.offset > 0) add("--offset", std::to_string(a.offset));
  return f;
}

int run_export(const AuditArgs& a) {
  auto query = query_of(a, -1);
  if (!query.ok()) return fail(query.error());
  query->oldest_first = true;
  auto db = open_existing(a.db);
  if (!db.ok()) return fail(db.error());
  std::ofstream out(a.out, std::ios::binary);
  if (!out) return fail(Error::io_error("cannot write '" + a.out + "'"));
  int64_t count = 0;
  Status s = for_each_audit(*db, *query, [&](const AuditRow& r) {
    out << to_fhir_audit_event(r) << '\n';
    ++count;
  });
  out.close();
  const bool written = s.ok() && out.good();
  // Reading the audit is itself audited (docs/audit.md).
  AuditEntry entry{std::nullopt, "export-audit", query->child_id,
                   "audit export to " + a.out + ": " + std::to_string(count) + " events" +
                       (filters_of(a).empty() ? "" : " (" + filters_of(a) + ")")};
  entry.username = cli_user();
  entry.role = "command-line";
  entry.purpose = "administration";
  entry.outcome = written ? "allowed" : "failed";
  Status audited = record_audit(*db, entry);
  if (!s.ok()) return fail(s.error());
  if (!written) return fail(Error::io_error("cannot write '" + a.out + "'"));
  if (!audited.ok()) return fail(audited.error());
  std::printf("audit export: %lld events to %s\n", static_cast<long long>(count), a.out.c_str());
  return 0;
}

}  // namespace

void add_audit_commands(CLI::App& app, std::function<int()>& action) {
  auto a = std::make_shared<AuditArgs>();
  auto use = [&action, a](int (*run)(const AuditArgs&)) {
    return [&action, a, run] { action = [a, run] { return run(*a); }; };
  };

  auto* audit = app.add_subcommand(
      "audit", "The tamper-evident audit log: verify the chain, search it, export it");
  audit->require_subcommand(1);

  auto* verify = audit->add_subcommand(
      "verify",
      "Check the hash chain: exit 0 and the head hash when intact; exit 1 and each problem on "
      "stdout when entries were edited, deleted or inserted");
  verify->add_option("--expect-head", a->expect_head,
                     "A head hash printed by an earlier verify and kept outside the database: "
                     "also catches a truncated or re-hashed log");
  verify->callback(use(run_verify));

  auto* search = audit->add_subcommand("search", "Audit entries, newest first, as a table");
  auto* exp = audit->add_subcommand(
      "export", "Audit entries as FHIR R4 AuditEvent NDJSON, oldest first (itself audited)");
  for (CLI::App* cmd : {search, exp}) {
    cmd->add_option("--user", a->user, "Only this user (username or user id)");
    cmd->add_option("--child", a->child, "Only entries about this child id");
    cmd->add_option("--from", a->from, "From this day, YYYY-MM-DD (UTC)");
    cmd->add_option("--to", a->to, "To this day inclusive, YYYY-MM-DD (UTC)");
    cmd->add_option("--action", a->action, "Only this action (e.g. view-record, denied)");
    cmd->add_option("--offset", a->offset, "Skip this many entries first");
  }
  search->add_option("--limit", a->limit, "At most this many (default 50)");
  search->add_flag("--json", a->json, "As a JSON array of rows, with their hashes");
  search->callback([a, &action, search] {
    a->child_option = search->get_option("--child");
    a->limit_option = search->get_option("--limit");
    action = [a] { return run_search(*a); };
  });
  exp->add_option("--limit", a->limit, "At most this many (default all)");
  exp->add_option("--out", a->out, "NDJSON file to write")->required();
  exp->callback([a, &action, exp] {
    a->child_option = exp->get_option("--child");
    a->limit_option = exp->get_option("--limit");
    action = [a] { return run_export(*a); };
  });

  for (CLI::App* cmd : {verify, search, exp}) {
    cmd->add_option("--db", a->db, "SQLite database file")->required();
  }
}

}  // namespace onechild
