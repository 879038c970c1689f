#include "cli/review_commands.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/common.h"
#include "link/review.h"

namespace onechild {
namespace {

struct ReviewArgs {
  std::string db, status = "open", by, reason;
  int64_t id = 0, limit = 20, child = 0, into = 0;
  std::vector<int64_t> records;
  bool json = false, same = false, different = false;
};

// Who is acting: --by, else the login running the command.
Actor actor_of(const ReviewArgs& a) {
  std::string name = a.by;
  if (name.empty()) {
    const char* user = std::getenv("USER");
    name = std::string("cli:") + (user != nullptr ? user : "unknown");
  }
  return {name, std::nullopt, a.reason};
}

std::string side(const ReviewRecord& r) {
  auto v = [](const std::optional<std::string>& s) { return s ? *s : std::string("-"); };
  return r.source + " " + r.original_id + ": " + v(r.given_name) + " " + v(r.family_name) +
         ", born " + v(r.birth_date) + ", " + v(r.sex) + ", " + v(r.postcode) + ", NHS " +
         v(r.nhs_number) + (r.child_id ? ", child " + std::to_string(*r.child_id) : "");
}

void print_item(const ReviewItem& item) {
  std::printf("review %lld  probability %.3f (weight %.1f)%s  [%s]\n",
              static_cast<long long>(item.id), item.match_probability, item.match_weight,
              item.existing_children ? "  two children already in the index" : "",
              item.status.c_str());
  std::printf("  left   %s\n  right  %s\n", side(item.left).c_str(), side(item.right).c_str());
}

int run_list(const ReviewArgs& a) {
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());
  auto items = list_review(*db, {a.status, a.limit, 0});
  if (!items.ok()) return fail(items.error());
  if (a.json) {
    std::printf("[");
    for (size_t i = 0; i < items->size(); ++i)
      std::printf("%s%s", i ? ",\n" : "", (*items)[i].to_json().c_str());
    std::printf("]\n");
    return 0;
  }
  for (const ReviewItem& item : *items)
    print_item(item);
  std::printf("%zu shown\n", items->size());
  return 0;
}

int run_show(const ReviewArgs& a) {
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());
  auto item = get_review(*db, a.id);
  if (!item.ok()) return fail(item.error());
  std::printf("%s\n", item->to_json().c_str());
  return 0;
}

int run_decide(const ReviewArgs& a) {
  if (a.same == a.different) {
    return fail(Error::invalid_argument("link review decide: give --same or --different"));
  }
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());
  const auto decision = a.same ? LinkDecision::kSame : LinkDecision::kDifferent;
  if (Status s = decide_review(*db, a.id, decision, actor_of(a)); !s.ok()) return fail(s.error());
  std::printf("review %lld: decided %s\n", static_cast<long long>(a.id),
              a.same ? "the same child" : "different children");
  return 0;
}

int run_merge(const ReviewArgs& a) {
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());
  if (Status s = merge_children(*db, a.child, a.into, actor_of(a)); !s.ok()) return fail(s.error());
  std::printf("merged child %lld into child %lld\n", static_cast<long long>(a.child),
              static_cast<long long>(a.into));
  return 0;
}

int run_unmerge(const ReviewArgs& a) {
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());
  auto target = unmerge_records(*db, a.child, a.records, actor_of(a));
  if (!target.ok()) return fail(target.error());
  std::printf("moved %zu records from child %lld to child %lld\n", a.records.size(),
              static_cast<long long>(a.child), static_cast<long long>(*target));
  return 0;
}

int run_history(const ReviewArgs& a) {
  auto db = Database::open(a.db);
  if (!db.ok()) return fail(db.error());
  auto entries = child_history(*db, a.child);
  if (!entries.ok()) return fail(entries.error());
  for (const HistoryEntry& e : *entries) {
    std::printf("%s  %-12s child %lld", e.at.c_str(), e.action.c_str(),
                static_cast<long long>(e.child_id));
    if (e.other_child_id) std::printf(" / %lld", static_cast<long long>(*e.other_child_id));
    if (e.source_person_id) {
      std::printf("  record %lld", static_cast<long long>(*e.source_person_id));
    }
    std::printf("  by %s: %s\n", e.actor.c_str(), e.reason.c_str());
  }
  if (entries->empty())
    std::printf("no merges or unmerges for child %lld\n", static_cast<long long>(a.child));
  return 0;
}

}  // namespace

void add_review_commands(CLI::App& link, std::function<int()>& action) {
  // Shared by every subcommand below, alive as long as the app.
  auto a = std::make_shared<ReviewArgs>();
  auto use = [&action, a](int (*run)(const ReviewArgs&)) {
    return [&action, a, run] { action = [a, run] { return run(*a); }; };
  };
  auto who = [a](CLI::App* cmd) {
    cmd->add_option("--by", a->by, "Who decides (default: cli:<login>)");
    cmd->add_option("--reason", a->reason, "Why (recorded in the history and audit)")->required();
  };

  auto* review = link.add_subcommand("review", "The pairs linkage was unsure of");
  review->require_subcommand(1);
  auto* list = review->add_subcommand("list", "List review items, most likely matches first");
  list->add_option("--status", a->status, "open (default), decided or linked");
  list->add_option("--limit", a->limit, "At most this many (default 20)");
  list->add_flag("--json", a->json, "As JSON, with each field's evidence");
  list->callback(use(run_list));
  auto* show = review->add_subcommand("show", "One review item as JSON, with the evidence");
  show->add_option("--id", a->id, "Review item")->required();
  show->callback(use(run_show));
  auto* decide = review->add_subcommand("decide", "Decide a review item");
  decide->add_option("--id", a->id, "Review item")->required();
  decide->add_flag("--same", a->same, "The same child: their children are merged");
  decide->add_flag("--different", a->different, "Different children: kept apart from now on");
  who(decide);
  decide->callback(use(run_decide));

  auto* merge = link.add_subcommand("merge", "Merge one child into another");
  merge->add_option("--child", a->child, "The child merged away (its id then points on)")
      ->required();
  merge->add_option("--into", a->into, "The child that stays")->required();
  who(merge);
  merge->callback(use(run_merge));

  auto* unmerge =
      link.add_subcommand("unmerge", "Move records out of a child into a child of their own");
  unmerge->add_option("--child", a->child, "The child holding them")->required();
  unmerge->add_option("--records", a->records, "Source person ids to move (any version)")
      ->required()
      ->delimiter(',');
  who(unmerge);
  unmerge->callback(use(run_unmerge));

  auto* history = link.add_subcommand("history", "Merges and unmerges of a child");
  history->add_option("--child", a->child, "Child id")->required();
  history->callback(use(run_history));

  for (CLI::App* cmd : {list, show, decide, merge, unmerge, history}) {
    cmd->add_option("--db", a->db, "SQLite database file")->required();
  }
}

}  // namespace onechild
