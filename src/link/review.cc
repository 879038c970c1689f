#include "link/review.h"

#include <boost/json.hpp>
#include <map>
#include <set>

#include "access/users.h"
#include "core/date.h"

namespace onechild {
namespace {

namespace json = boost::json;

Status run_once(Statement& stmt) {
  Status s = stmt.run();
  stmt.reset();
  return s;
}

json::value optional_json(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object record_json(const ReviewRecord& r) {
  return json::object{{"source_person_id", r.source_person_id},
                      {"source", r.source},
                      {"original_id", r.original_id},
                      {"nhs_number", optional_json(r.nhs_number)},
                      {"given_name", optional_json(r.given_name)},
                      {"family_name", optional_json(r.family_name)},
                      {"birth_date", optional_json(r.birth_date)},
                      {"sex", optional_json(r.sex)},
                      {"postcode", optional_json(r.postcode)},
                      {"child_id", r.child_id ? json::value(*r.child_id) : json::value(nullptr)}};
}

Result<ReviewRecord> load_record(Database& db, int64_t source_person_id) {
  auto stmt = db.prepare(
      "SELECT p.id, s.code, p.original_id, p.nhs_number_recorded, p.given_name, p.family_name, "
      "p.birth_date, p.sex, p.postcode, (SELECT child_id FROM links WHERE source_person_id = p.id) "
      "FROM source_persons p JOIN source_systems s ON s.id = p.source_system_id WHERE p.id = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, source_person_id);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return Error::not_found("no source record " + std::to_string(source_person_id));
  ReviewRecord r;
  r.source_person_id = stmt->column_int64(0);
  r.source = stmt->column_text(1);
  r.original_id = stmt->column_text(2);
  r.nhs_number = stmt->column_optional_text(3);
  r.given_name = stmt->column_optional_text(4);
  r.family_name = stmt->column_optional_text(5);
  r.birth_date = stmt->column_optional_text(6);
  r.sex = stmt->column_optional_text(7);
  r.postcode = stmt->column_optional_text(8);
  if (!stmt->column_is_null(9)) r.child_id = stmt->column_int64(9);
  return r;
}

constexpr std::string_view kReviewColumns =
    "SELECT id, match_probability, match_weight, existing_children, status, evidence, "
    "created_at, left_person_id, right_person_id FROM link_review ";

Result<ReviewItem> read_item(Database& db, Statement& row) {
  ReviewItem item;
  item.id = row.column_int64(0);
  item.match_probability = row.column_double(1);
  item.match_weight = row.column_double(2);
  item.existing_children = row.column_int64(3) != 0;
  item.status = row.column_text(4);
  item.evidence_json = row.column_text(5);
  item.created_at = row.column_text(6);
  auto left = load_record(db, row.column_int64(7));
  if (!left.ok()) return left.error();
  auto right = load_record(db, row.column_int64(8));
  if (!right.ok()) return right.error();
  item.left = std::move(*left);
  item.right = std::move(*right);
  return item;
}

// A record is (source, original id); its versions are the rows that share them.
struct RecordKey {
  int64_t source_system_id;
  std::string original_id;
};

Result<RecordKey> record_of(Database& db, int64_t source_person_id) {
  auto stmt = db.prepare("SELECT source_system_id, original_id FROM source_persons WHERE id = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, source_person_id);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) {
    return Error::invalid_argument("no source record " + std::to_string(source_person_id));
  }
  return RecordKey{stmt->column_int64(0), stmt->column_text(1)};
}

Status add_decision(Database& db, const RecordKey& a, const RecordKey& b, LinkDecision decision,
                    const Actor& actor, std::optional<int64_t> review_id) {
  auto stmt = db.prepare(
      "INSERT INTO link_decisions (left_source_system_id, left_original_id, "
      "right_source_system_id, right_original_id, decision, decided_by, reason, decided_at, "
      "review_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, a.source_system_id)
      .bind(2, a.original_id)
      .bind(3, b.source_system_id)
      .bind(4, b.original_id)
      .bind(5, decision == LinkDecision::kSame ? "same" : "different")
      .bind(6, actor.name)
      .bind(7, actor.reason)
      .bind(8, timestamp_now());
  if (review_id) {
    stmt->bind(9, *review_id);
  } else {
    stmt->bind_null(9);
  }
  return stmt->run();
}

Status check_actor(const Actor& actor) {
  if (actor.name.empty()) return Error::invalid_argument("who is deciding must be recorded");
  if (actor.reason.empty()) return Error::invalid_argument("a reason is required");
  return {};
}

Status audit(Database& db, const Actor& actor, std::string action, int64_t child,
             json::object detail) {
  detail["by"] = actor.name;
  detail["reason"] = actor.reason;
  AuditEntry entry{actor.user_id, std::move(action), child, json::serialize(detail)};
  // From the command line there is no account: the login name says who.
  if (!actor.user_id) entry.username = actor.name;
  entry.purpose = "administration";
  return record_audit(db, entry);
}

// The child's NHS number: the valid one most of its records carry.
Status renumber(Database& db, int64_t child) {
  auto stmt = db.prepare(
      "UPDATE children SET updated_at = ?2, nhs_number = (SELECT p.nhs_number FROM links l "
      "JOIN source_persons p ON p.id = l.source_person_id WHERE l.child_id = ?1 AND "
      "p.superseded_by IS NULL AND p.nhs_number IS NOT NULL GROUP BY p.nhs_number "
      "ORDER BY count(*) DESC, min(p.id) LIMIT 1) WHERE id = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, child).bind(2, timestamp_now());
  return stmt->run();
}

Status require_current(Database& db, int64_t child) {
  auto stmt = db.prepare("SELECT merged_into FROM children WHERE id = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, child);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return Error::invalid_argument("no child " + std::to_string(child));
  if (!stmt->column_is_null(0)) {
    return Error::invalid_argument("child " + std::to_string(child) + " was merged into child " +
                                   std::to_string(stmt->column_int64(0)));
  }
  return {};
}

// The current versions of a child's records, oldest first.
Result<std::vector<int64_t>> current_records(Database& db, int64_t child) {
  auto stmt = db.prepare(
      "SELECT p.id FROM links l JOIN source_persons p ON p.id = l.source_person_id "
      "WHERE l.child_id = ?1 AND p.superseded_by IS NULL ORDER BY p.id");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, child);
  std::vector<int64_t> ids;
  Status s = stmt->each_row([&](Statement& row) { ids.push_back(row.column_int64(0)); });
  if (!s.ok()) return s.error();
  return ids;
}

// Moves every link of `from` to `into`, noting each record moved so an
// unmerge can put them back.
Status merge_in_transaction(Database& db, int64_t from, int64_t into, const Actor& actor) {
  if (from == into) return Error::invalid_argument("a child cannot be merged into itself");
  for (int64_t c : {from, into}) {
    if (Status s = require_current(db, c); !s.ok()) return s;
  }
  const std::string now = timestamp_now();
  auto moved = db.prepare(
      "INSERT INTO child_history (at, action, child_id, other_child_id, source_person_id, actor, "
      "reason) SELECT ?1, 'record-moved', ?2, ?3, source_person_id, ?4, ?5 FROM links "
      "WHERE child_id = ?3");
  auto relink = db.prepare("UPDATE links SET child_id = ?1 WHERE child_id = ?2");
  auto retire = db.prepare("UPDATE children SET merged_into = ?1, updated_at = ?2 WHERE id = ?3");
  auto history = db.prepare(
      "INSERT INTO child_history (at, action, child_id, other_child_id, actor, reason) "
      "VALUES (?1, 'merged', ?2, ?3, ?4, ?5)");
  auto close = db.prepare(
      "UPDATE link_review SET status = 'linked', closed_at = ?1 WHERE status = 'open' AND "
      "(SELECT child_id FROM links WHERE source_person_id = left_person_id) = "
      "(SELECT child_id FROM links WHERE source_person_id = right_person_id)");
  for (const auto* stmt : {&moved, &relink, &retire, &history, &close}) {
    if (!stmt->ok()) return stmt->error();
  }
  moved->bind(1, now).bind(2, into).bind(3, from).bind(4, actor.name).bind(5, actor.reason);
  relink->bind(1, into).bind(2, from);
  retire->bind(1, into).bind(2, now).bind(3, from);
  history->bind(1, now).bind(2, into).bind(3, from).bind(4, actor.name).bind(5, actor.reason);
  close->bind(1, now);
  for (Statement* stmt : {&*moved, &*relink, &*retire, &*history, &*close}) {
    if (Status s = run_once(*stmt); !s.ok()) return s;
  }
  if (Status s = renumber(db, into); !s.ok()) return s;
  return audit(db, actor, "merge-children", into, json::object{{"merged", from}, {"into", into}});
}

}  // namespace

std::string ReviewItem::to_json() const {
  json::value evidence;
  try {
    evidence = json::parse(evidence_json);
  } catch (const std::exception&) {
    evidence = nullptr;
  }
  return json::serialize(json::object{{"id", id},
                                      {"match_probability", match_probability},
                                      {"match_weight", match_weight},
                                      {"existing_children", existing_children},
                                      {"status", status},
                                      {"created_at", created_at},
                                      {"evidence", evidence},
                                      {"left", record_json(left)},
                                      {"right", record_json(right)}});
}

Result<std::vector<ReviewItem>> list_review(Database& db, const ReviewQuery& query) {
  auto stmt =
      db.prepare(std::string(kReviewColumns) +
                 "WHERE status = ?1 ORDER BY match_probability DESC, id LIMIT ?2 OFFSET ?3");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, query.status).bind(2, query.limit).bind(3, query.offset);
  std::vector<ReviewItem> items;
  for (;;) {
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    auto item = read_item(db, *stmt);
    if (!item.ok()) return item.error();
    items.push_back(std::move(*item));
  }
  return items;
}

Result<ReviewItem> get_review(Database& db, int64_t id) {
  auto stmt = db.prepare(std::string(kReviewColumns) + "WHERE id = ?1");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, id);
  auto row = stmt->step();
  if (!row.ok()) return row.error();
  if (!*row) return Error::not_found("no review item " + std::to_string(id));
  return read_item(db, *stmt);
}

Status decide_review(Database& db, int64_t review_id, LinkDecision decision, const Actor& actor) {
  if (Status s = check_actor(actor); !s.ok()) return s;
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return tx.error();
  auto item = get_review(db, review_id);
  if (!item.ok()) {
    return item.error().code() == Error::Code::kNotFound
               ? Error::invalid_argument(item.error().message())
               : item.error();
  }
  if (item->status != "open") {
    return Error::invalid_argument("review item " + std::to_string(review_id) + " is already " +
                                   item->status);
  }
  auto left = record_of(db, item->left.source_person_id);
  auto right = record_of(db, item->right.source_person_id);
  if (!left.ok()) return left.error();
  if (!right.ok()) return right.error();
  if (Status s = add_decision(db, *left, *right, decision, actor, review_id); !s.ok()) return s;
  auto close =
      db.prepare("UPDATE link_review SET status = 'decided', closed_at = ?1 WHERE id = ?2");
  if (!close.ok()) return close.error();
  close->bind(1, timestamp_now()).bind(2, review_id);
  if (Status s = close->run(); !s.ok()) return s;
  const int64_t a = item->left.child_id.value_or(0), b = item->right.child_id.value_or(0);
  if (decision == LinkDecision::kSame && a != 0 && b != 0 && a != b) {
    if (Status s = merge_in_transaction(db, std::max(a, b), std::min(a, b), actor); !s.ok()) {
      return s;
    }
  }
  if (Status s =
          audit(db, actor, "link-decision", a != 0 ? a : b,
                json::object{{"review", review_id},
                             {"decision", decision == LinkDecision::kSame ? "same" : "different"},
                             {"left_child", a},
                             {"right_child", b}});
      !s.ok()) {
    return s;
  }
  return tx->commit();
}

Status merge_children(Database& db, int64_t from, int64_t into, const Actor& actor) {
  if (Status s = check_actor(actor); !s.ok()) return s;
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return tx.error();
  // Keep the decision on record too: one record of each child, "same".
  auto from_records = current_records(db, from);
  auto into_records = current_records(db, into);
  if (!from_records.ok()) return from_records.error();
  if (!into_records.ok()) return into_records.error();
  if (Status s = merge_in_transaction(db, from, into, actor); !s.ok()) return s;
  if (!from_records->empty() && !into_records->empty()) {
    auto a = record_of(db, from_records->front());
    auto b = record_of(db, into_records->front());
    if (!a.ok()) return a.error();
    if (!b.ok()) return b.error();
    if (Status s = add_decision(db, *a, *b, LinkDecision::kSame, actor, std::nullopt); !s.ok()) {
      return s;
    }
  }
  return tx->commit();
}

Result<int64_t> unmerge_records(Database& db, int64_t child, const std::vector<int64_t>& records,
                                const Actor& actor) {
  if (Status s = check_actor(actor); !s.ok()) return s.error();
  if (records.empty()) return Error::invalid_argument("name the records to move out");
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return tx.error();
  if (Status s = require_current(db, child); !s.ok()) return s.error();
  auto all = current_records(db, child);
  if (!all.ok()) return all.error();

  // The records to move, by (source, original id), whichever version was named.
  std::set<std::pair<int64_t, std::string>> moving;
  for (int64_t id : records) {
    auto key = record_of(db, id);
    if (!key.ok()) return key.error();
    moving.insert({key->source_system_id, key->original_id});
  }
  std::vector<int64_t> moved, staying;
  std::map<int64_t, RecordKey> key_of;  // each record's key, read once
  for (int64_t id : *all) {
    auto key = record_of(db, id);
    if (!key.ok()) return key.error();
    (moving.contains({key->source_system_id, key->original_id}) ? moved : staying).push_back(id);
    key_of.emplace(id, std::move(*key));
  }
  if (moved.size() != moving.size()) {
    return Error::invalid_argument("not every record named belongs to child " +
                                   std::to_string(child));
  }
  if (staying.empty()) {
    return Error::invalid_argument("that is every record of child " + std::to_string(child) +
                                   "; nothing would be left");
  }

  // Back to the child they were merged from, when they all came from one
  // that is still merged into this one; otherwise a new child.
  std::optional<int64_t> target;
  {
    auto origin = db.prepare(
        "SELECT h.other_child_id FROM child_history h JOIN children c ON c.id = h.other_child_id "
        "WHERE h.action = 'record-moved' AND h.child_id = ?1 AND h.source_person_id = ?2 AND "
        "c.merged_into = ?1 ORDER BY h.id DESC LIMIT 1");
    if (!origin.ok()) return origin.error();
    std::set<int64_t> origins;
    for (int64_t id : moved) {
      origin->bind(1, child).bind(2, id);
      auto row = origin->step();
      if (!row.ok()) return row.error();
      origins.insert(*row ? origin->column_int64(0) : 0);
      origin->reset();
    }
    if (origins.size() == 1 && *origins.begin() != 0) target = *origins.begin();
  }
  const std::string now = timestamp_now();
  if (target) {
    auto revive =
        db.prepare("UPDATE children SET merged_into = NULL, updated_at = ?1 WHERE id = ?2");
    if (!revive.ok()) return revive.error();
    revive->bind(1, now).bind(2, *target);
    if (Status s = revive->run(); !s.ok()) return s.error();
  } else {
    auto create = db.prepare("INSERT INTO children (created_at) VALUES (?1)");
    if (!create.ok()) return create.error();
    create->bind(1, now);
    if (Status s = create->run(); !s.ok()) return s.error();
    target = db.last_insert_id();
  }

  // Every version of each moved record follows it.
  auto relink = db.prepare(
      "UPDATE links SET child_id = ?1 WHERE child_id = ?2 AND source_person_id IN (SELECT v.id "
      "FROM source_persons v JOIN source_persons p ON p.source_system_id = v.source_system_id "
      "AND p.original_id = v.original_id WHERE p.id = ?3)");
  auto history = db.prepare(
      "INSERT INTO child_history (at, action, child_id, other_child_id, source_person_id, actor, "
      "reason) VALUES (?1, 'unmerged', ?2, ?3, ?4, ?5, ?6)");
  if (!relink.ok()) return relink.error();
  if (!history.ok()) return history.error();
  for (int64_t id : moved) {
    relink->bind(1, *target).bind(2, child).bind(3, id);
    history->bind(1, now)
        .bind(2, child)
        .bind(3, *target)
        .bind(4, id)
        .bind(5, actor.name)
        .bind(6, actor.reason);
    for (Statement* stmt : {&*relink, &*history}) {
      if (Status s = run_once(*stmt); !s.ok()) return s.error();
    }
  }
  // Kept apart from now on: every moved record is "different" from every
  // record left behind.
  for (int64_t m : moved) {
    for (int64_t s : staying) {
      if (Status st = add_decision(db, key_of.at(m), key_of.at(s), LinkDecision::kDifferent, actor,
                                   std::nullopt);
          !st.ok()) {
        return st.error();
      }
    }
  }
  for (int64_t c : {child, *target}) {
    if (Status s = renumber(db, c); !s.ok()) return s.error();
  }
  json::array ids;
  for (int64_t id : moved)
    ids.push_back(id);
  if (Status s = audit(db, actor, "unmerge-child", child,
                       json::object{{"records", ids}, {"moved_to", *target}});
      !s.ok()) {
    return s.error();
  }
  if (Status s = tx->commit(); !s.ok()) return s.error();
  return *target;
}

Result<std::vector<HistoryEntry>> child_history(Database& db, int64_t child) {
  auto stmt = db.prepare(
      "SELECT at, action, actor, coalesce(reason, ''), child_id, other_child_id, "
      "source_person_id FROM child_history WHERE child_id = ?1 OR other_child_id = ?1 ORDER BY id");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, child);
  std::vector<HistoryEntry> out;
  Status s = stmt->each_row([&](Statement& row) {
    HistoryEntry e{row.column_text(0),  row.column_text(1), row.column_text(2), row.column_text(3),
                   row.column_int64(4), std::nullopt,       std::nullopt};
    if (!row.column_is_null(5)) e.other_child_id = row.column_int64(5);
    if (!row.column_is_null(6)) e.source_person_id = row.column_int64(6);
    out.push_back(std::move(e));
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<int64_t> current_child(Database& db, int64_t child) {
  auto stmt = db.prepare("SELECT merged_into FROM children WHERE id = ?1");
  if (!stmt.ok()) return stmt.error();
  for (int hops = 0; hops < 1000; ++hops) {
    stmt->bind(1, child);
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    if (!*row) return Error::not_found("no child " + std::to_string(child));
    if (stmt->column_is_null(0)) return child;
    child = stmt->column_int64(0);
    stmt->reset();
  }
  return Error::corruption("merged_into forms a cycle at child " + std::to_string(child));
}

}  // namespace onechild
