#include "cli/access_commands.h"

#include <cstdio>
#include <memory>

#include "access/access_control.h"
#include "access/alerts.h"
#include "access/grants.h"
#include "access/tokens.h"
#include "cli/common.h"
#include "record/protection.h"

namespace onechild {
namespace {

struct AccessArgs {
  std::string db, policy, kind, organisation, user, note, relation = "parent", label, nhs_number,
                                                          file, client, scopes = "user/*.read";
  std::vector<std::string> districts;
  int64_t child = 0, event = 0;
  int hours = 0;
  bool competent = false;
};

// Opens the store and the policy, then runs fn(db, policy).
template <typename Fn>
int with_store(const AccessArgs& a, Fn&& fn) {
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());
  auto policy = AccessPolicy::load(a.policy.empty() ? AccessPolicy::default_path() : a.policy);
  if (!policy.ok()) return fail(policy.error());
  Status s = fn(*db, *policy);
  return s.ok() ? 0 : fail(s.error());
}

Status print_check(Database& db, const AccessPolicy& policy, const AccessArgs& a) {
  auto stmt = db.prepare(
      "SELECT id, username, display_name, role, organisation FROM users WHERE username = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, a.user);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return Error::not_found("no user '" + a.user + "'");
  const User user{stmt->column_int64(0), stmt->column_text(1), stmt->column_text(2),
                  stmt->column_text(3), stmt->column_text(4)};
  auto decision = decide_record_access(db, policy, principal_for(user), a.child);
  if (!decision.ok()) return decision.error();
  if (decision->allowed) {
    std::printf("allowed: %s\n", decision->basis.c_str());
  } else {
    std::printf("refused: %s%s\n", decision->reason.c_str(),
                decision->may_break_glass ? " (may break glass)" : "");
  }
  return {};
}

void db_option(CLI::App* cmd, AccessArgs& a) {
  cmd->add_option("--db", a.db, "SQLite database file")->required();
  cmd->add_option("--policy", a.policy, "Access policy (default: the shipped config/access.toml)");
}

}  // namespace

void add_access_commands(CLI::App& app, std::function<int()>& action) {
  auto a = std::make_shared<AccessArgs>();
  auto* access = app.add_subcommand("access", "Relationships, family access, labels, opt-outs");
  access->require_subcommand(1);

  auto* relate = access->add_subcommand(
      "relate", "Record a legitimate relationship between a team (or one member) and a child");
  db_option(relate, *a);
  relate->add_option("--child", a->child, "Child id")->required();
  relate->add_option("--kind", a->kind, "referral, mdt, social-care-allocation, send-case, ...")
      ->required();
  relate->add_option("--organisation", a->organisation, "The team's ODS or LA code")->required();
  relate->add_option("--user", a->user, "One member of the team only");
  relate->add_option("--hours", a->hours, "Time-limited (unscheduled-care: the policy's hours)");
  relate->add_option("--note", a->note, "Why");
  relate->callback([&action, a] {
    action = [a] {
      return with_store(*a, [&](Database& db, const AccessPolicy& policy) -> Status {
        RelationshipGrant g{a->child,     a->kind,      a->organisation,
                            std::nullopt, std::nullopt, a->note};
        if (!a->user.empty()) g.username = a->user;
        if (a->hours > 0) g.hours = a->hours;
        auto id = add_relationship(db, policy, g);
        if (!id.ok()) return id.error();
        std::printf("access: relationship %lld recorded\n", static_cast<long long>(*id));
        return {};
      });
    };
  });

  auto* caseload = access->add_subcommand(
      "caseload", "Give a team every child living in these postcode districts");
  db_option(caseload, *a);
  caseload->add_option("--organisation", a->organisation, "The team's code")->required();
  caseload->add_option("districts", a->districts, "Postcode districts, e.g. LS12")->required();
  caseload->callback([&action, a] {
    action = [a] {
      return with_store(*a, [&](Database& db, const AccessPolicy&) -> Status {
        for (const auto& d : a->districts) {
          if (Status s = add_caseload_area(db, a->organisation, d); !s.ok()) return s;
        }
        std::printf("access: %zu districts on %s's caseload\n", a->districts.size(),
                    a->organisation.c_str());
        return {};
      });
    };
  });

  auto* family = access->add_subcommand(
      "family", "Give a parent (proxy) or young person access to a child's own record");
  db_option(family, *a);
  family->add_option("--user", a->user, "The parent's or young person's account")->required();
  family->add_option("--child", a->child, "Child id")->required();
  family->add_option("--relation", a->relation, "parent (default) or self");
  family->add_flag("--competent", a->competent,
                   "self: recorded as able to decide for themselves before 16");
  family->callback([&action, a] {
    action = [a] {
      return with_store(*a, [&](Database& db, const AccessPolicy&) -> Status {
        if (Status s = grant_family_access(db, a->user, a->child, a->relation, a->competent);
            !s.ok())
          return s;
        std::printf("access: %s has %s access to child %lld\n", a->user.c_str(),
                    a->relation.c_str(), static_cast<long long>(a->child));
        return {};
      });
    };
  });

  auto* label = access->add_subcommand("label", "Label an event or a whole child as sensitive");
  db_option(label, *a);
  label->add_option("--label", a->label, "A label from the policy, e.g. sealed-address")
      ->required();
  label->add_option("--event", a->event, "Event id");
  label->add_option("--child", a->child, "Child id");
  label->callback([&action, a] {
    action = [a] {
      return with_store(*a, [&](Database& db, const AccessPolicy& policy) -> Status {
        if ((a->event > 0) == (a->child > 0)) {
          return Error::invalid_argument("access label: give --event or --child");
        }
        Status s = a->event > 0 ? label_event(db, policy, a->event, a->label)
                                : label_child(db, policy, a->child, a->label);
        if (s.ok()) std::printf("access: labelled %s\n", a->label.c_str());
        return s;
      });
    };
  });

  auto* opt_out = access->add_subcommand("opt-out", "Record a National Data Opt-out");
  db_option(opt_out, *a);
  opt_out->add_option("--nhs-number", a->nhs_number, "NHS number")->required();
  opt_out->callback([&action, a] {
    action = [a] {
      return with_store(*a, [&](Database& db, const AccessPolicy&) -> Status {
        Status s = record_opt_out(db, a->nhs_number);
        if (s.ok()) std::printf("access: opt-out recorded\n");
        return s;
      });
    };
  });

  auto* contacts = access->add_subcommand(
      "contacts", "Load local authorities' social care contacts (local_authorities.csv)");
  db_option(contacts, *a);
  contacts->add_option("--file", a->file, "CSV: code,name,social_care_source,...")->required();
  contacts->callback([&action, a] {
    action = [a] {
      return with_store(*a, [&](Database& db, const AccessPolicy&) -> Status {
        Status s = load_local_authorities(db, a->file);
        if (s.ok()) std::printf("access: local authority contacts loaded\n");
        return s;
      });
    };
  });

  auto* check = access->add_subcommand(
      "check", "Whether a user may open a child's record now, and why (not audited: no data)");
  db_option(check, *a);
  check->add_option("--user", a->user, "Username")->required();
  check->add_option("--child", a->child, "Child id")->required();
  check->callback([&action, a] {
    action = [a] {
      return with_store(*a, [&](Database& db, const AccessPolicy& policy) {
        return print_check(db, policy, *a);
      });
    };
  });

  auto* notes = access->add_subcommand(
      "notifications", "Alerts to a team (its code) or, with no --organisation, to IG officers");
  db_option(notes, *a);
  notes->add_option("--organisation", a->organisation, "The receiving team's code");
  notes->callback([&action, a] {
    action = [a] {
      return with_store(*a, [&](Database& db, const AccessPolicy&) -> Status {
        auto list = notifications_for(db, a->organisation, 100);
        if (!list.ok()) return list.error();
        for (const auto& n : *list) {
          std::printf("%s  %-24s child %-8s %s\n", n.created_at.c_str(), n.kind.c_str(),
                      n.child_id ? std::to_string(*n.child_id).c_str() : "-", n.detail.c_str());
        }
        std::printf("%zu notifications\n", list->size());
        return {};
      });
    };
  });

  auto* tokens = app.add_subcommand("tokens", "Bearer tokens for API clients");
  tokens->require_subcommand(1);
  auto* add = tokens->add_subcommand("add", "Issue a token (printed once)");
  add->add_option("--db", a->db, "SQLite database file")->required();
  add->add_option("--client", a->client, "The client's name")->required();
  add->add_option("--user", a->user, "Whose rights the token carries")->required();
  add->add_option("--scopes", a->scopes, "patient/*.read, user/*.read or system/*.read");
  add->add_option("--child", a->child, "patient/ scopes: the child");
  add->add_option("--hours", a->hours, "Valid for (default 24)");
  add->callback([&action, a] {
    action = [a] {
      auto db = Database::open(a->db);
      if (!db.ok()) return fail(db.error());
      TokenRequest r{a->client, a->user, a->scopes, std::nullopt, a->hours > 0 ? a->hours : 24};
      if (a->child > 0) r.child_id = a->child;
      auto token = issue_token(*db, r);
      if (!token.ok()) return fail(token.error());
      std::printf("%s\n", token->c_str());
      return 0;
    };
  });
  auto* revoke = tokens->add_subcommand("revoke", "Revoke a client's tokens");
  revoke->add_option("--db", a->db, "SQLite database file")->required();
  revoke->add_option("--client", a->client, "The client's name")->required();
  revoke->callback([&action, a] {
    action = [a] {
      auto db = Database::open(a->db);
      if (!db.ok()) return fail(db.error());
      if (Status s = revoke_token(*db, a->client); !s.ok()) return fail(s.error());
      std::printf("tokens: %s revoked\n", a->client.c_str());
      return 0;
    };
  });
}

}  // namespace onechild
