#include "record/child_record.h"

namespace onechild {

std::string ChildRecord::display_name() const {
  for (const auto& id : identities) {
    if (id.given_name || id.family_name) {
      std::string name = id.given_name.value_or("");
      if (id.family_name) name += (name.empty() ? "" : " ") + *id.family_name;
      return name;
    }
  }
  return "Name not recorded";
}

std::optional<std::string> ChildRecord::birth_date() const {
  for (const auto& id : identities) {
    if (id.birth_date) return id.birth_date;
  }
  return std::nullopt;
}

Result<std::optional<int64_t>> find_child_by_nhs_number(Database& db, const NhsNumber& nhs) {
  // The child whose records mostly carry the number; failing that, a child
  // with any record carrying it (a number recorded once, perhaps wrongly).
  for (const char* sql :
       {"SELECT id FROM children WHERE nhs_number = ?1 AND merged_into IS NULL ORDER BY id LIMIT 1",
        "SELECT l.child_id FROM source_persons p JOIN links l ON l.source_person_id = p.id "
        "WHERE p.nhs_number = ?1 ORDER BY l.child_id LIMIT 1"}) {
    auto stmt = db.prepare(sql);
    if (!stmt.ok()) return stmt.error();
    stmt->bind(1, nhs.digits());
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    if (*row) return std::optional<int64_t>{stmt->column_int64(0)};
  }
  return std::optional<int64_t>{};
}

namespace {

Status load_identities(Database& db, ChildRecord& record) {
  auto stmt = db.prepare(R"sql(
    SELECT s.code, p.original_id, p.given_name, p.family_name, p.birth_date, p.sex, p.postcode,
           p.ethnic_category
    FROM links l
    JOIN source_persons p ON p.id = l.source_person_id
    JOIN source_systems s ON s.id = p.source_system_id
    WHERE l.child_id = ?1 AND p.superseded_by IS NULL  -- each source's current version
    ORDER BY s.code, p.original_id, p.id DESC)sql");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, record.child_id);
  return stmt->each_row([&](const Statement& row) {
    record.identities.push_back({row.column_text(0), row.column_text(1),
                                 row.column_optional_text(2), row.column_optional_text(3),
                                 row.column_optional_text(4), row.column_optional_text(5),
                                 row.column_optional_text(6), row.column_optional_text(7)});
  });
}

Status load_events(Database& db, ChildRecord& record) {
  // Events point at the source's own person id; the link joins them to the
  // child. DISTINCT because a person re-sent with changes has several rows.
  auto stmt = db.prepare(R"sql(
    SELECT DISTINCT e.id, s.code, e.kind, e.start_date, e.end_date, e.code_system, e.code,
           e.display, e.status, e.value
    FROM links l
    JOIN source_persons p ON p.id = l.source_person_id
    JOIN source_events e ON e.source_system_id = p.source_system_id
                        AND e.person_original_id = p.original_id
    JOIN source_systems s ON s.id = e.source_system_id
    WHERE l.child_id = ?1 AND e.superseded_by IS NULL  -- an updated event shows once, as now
    ORDER BY e.start_date DESC, e.id DESC)sql");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, record.child_id);
  return stmt->each_row([&](const Statement& row) {
    record.events.push_back(
        {row.column_text(1), row.column_text(2), row.column_text(3), row.column_optional_text(4),
         row.column_optional_text(5), row.column_optional_text(6), row.column_optional_text(7),
         row.column_optional_text(8), row.column_optional_text(9), row.column_int64(0)});
  });
}

}  // namespace

Result<ChildRecord> load_child_record(Database& db, int64_t child_id) {
  ChildRecord record;
  auto stmt = db.prepare("SELECT nhs_number, merged_into FROM children WHERE id = ?1");
  if (!stmt.ok()) return stmt.error();
  // A merged child's id leads to the child it was merged into.
  for (int hops = 0;; ++hops) {
    stmt->bind(1, child_id);
    auto row = stmt->step();
    if (!row.ok()) return row.error();
    if (!*row) return Error::not_found("no child with id " + std::to_string(child_id));
    if (stmt->column_is_null(1) || hops > 100) break;
    child_id = stmt->column_int64(1);
    stmt->reset();
  }
  record.child_id = child_id;
  record.nhs_number = stmt->column_optional_text(0);
  if (Status s = load_identities(db, record); !s.ok()) return s.error();
  if (Status s = load_events(db, record); !s.ok()) return s.error();
  return record;
}

}  // namespace onechild
