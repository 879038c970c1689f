#include "record/protection.h"

#include <fstream>
#include <map>
#include <set>

#include "core/csv.h"

namespace onechild {
namespace {

bool in_force(const RecordEvent& e, const std::string& today) {
  return e.start_date <= today && (!e.end_date || e.end_date->empty() || *e.end_date >= today);
}

bool mentions_unborn(const RecordEvent& e) {
  for (const auto* text : {&e.display, &e.value, &e.code}) {
    if (!*text) continue;
    std::string lower;
    for (char c : **text)
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.find("unborn") != std::string::npos || lower.find("pre-birth") != std::string::npos) {
      return true;
    }
  }
  return false;
}

Result<std::map<std::string, LocalAuthorityContact>> contacts_by_source(Database& db) {
  std::map<std::string, LocalAuthorityContact> out;
  auto stmt = db.prepare(
      "SELECT social_care_source, code, name, office_hours_phone, out_of_hours_phone, email "
      "FROM local_authorities");
  if (!stmt.ok()) return stmt.error();
  if (Status s = stmt->each_row([&](const Statement& row) {
        out[row.column_text(0)] = {row.column_text(1), row.column_text(2), row.column_text(3),
                                   row.column_text(4), row.column_text(5)};
      });
      !s.ok()) {
    return s.error();
  }
  return out;
}

}  // namespace

Result<std::vector<ProtectionFlag>> protection_flags(Database& db, const ChildRecord& record,
                                                     Date today) {
  const std::string day = format_iso_date(today);
  const auto born = record.birth_date();
  std::vector<ProtectionFlag> plans, care;
  for (const RecordEvent& e : record.events) {
    if (e.kind != "social-care-episode" || !e.display || !in_force(e, day)) continue;
    ProtectionFlag f;
    f.start = e.start_date;
    f.end = e.end_date;
    f.source = e.source;
    f.event_id = e.id;
    f.category = e.code.value_or("");
    if (*e.display == "Child protection plan" || mentions_unborn(e)) {
      // A plan made before this person was born, or marked as pre-birth, is
      // an unborn child's plan held on the mother's record.
      const bool unborn = mentions_unborn(e) || (born && e.start_date < *born);
      f.kind = unborn ? "unborn-child-protection-plan" : "child-protection-plan";
      f.title = unborn ? "Unborn child protection plan" : "Child protection plan";
      plans.push_back(std::move(f));
    } else if (*e.display == "Looked after") {
      f.kind = "looked-after";
      f.title = "Looked after child";
      care.push_back(std::move(f));
    }
  }
  // Consecutive looked-after episodes are one period of care: show the latest.
  if (care.size() > 1) care.resize(1);
  plans.insert(plans.end(), care.begin(), care.end());
  if (plans.empty()) return plans;
  auto contacts = contacts_by_source(db);
  if (!contacts.ok()) return contacts.error();
  for (auto& f : plans) {
    if (auto it = contacts->find(f.source); it != contacts->end()) f.local_authority = it->second;
  }
  return plans;
}

Status load_local_authorities(Database& db, const std::string& csv_path) {
  std::ifstream in(csv_path, std::ios::binary);
  if (!in) return Error::io_error("cannot read '" + csv_path + "'");
  CsvReader reader(in);
  const std::vector<std::string> header = {
      "code", "name", "social_care_source", "office_hours_phone", "out_of_hours_phone", "email"};
  auto first = reader.next();
  if (!first || first->error || first->fields != header) {
    return Error::invalid_argument(
               "the header must be code,name,social_care_source,"
               "office_hours_phone,out_of_hours_phone,email")
        .at(csv_path, 1);
  }
  std::vector<std::vector<std::string>> rows;
  std::set<std::string> codes;
  while (auto r = reader.next()) {
    if (r->error) return Error::invalid_argument(*r->error).at(csv_path, r->line);
    if (r->fields.size() != header.size()) {
      return Error::invalid_argument("expected 6 fields, found " + std::to_string(r->fields.size()))
          .at(csv_path, r->line);
    }
    for (size_t i = 0; i < 5; ++i) {
      if (r->fields[i].empty()) {
        return Error::invalid_argument("is empty").at(csv_path, r->line, header[i]);
      }
    }
    if (!codes.insert(r->fields[0]).second) {
      return Error::invalid_argument("'" + r->fields[0] + "' is listed twice")
          .at(csv_path, r->line, "code");
    }
    rows.push_back(std::move(r->fields));
  }
  auto tx = Transaction::begin(db);
  if (!tx.ok()) return tx.error();
  if (Status s = db.execute("DELETE FROM local_authorities"); !s.ok()) return s;
  auto stmt = db.prepare(
      "INSERT INTO local_authorities (code, name, social_care_source, office_hours_phone, "
      "out_of_hours_phone, email) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!stmt.ok()) return stmt.error();
  for (const auto& f : rows) {
    stmt->reset();
    for (int i = 0; i < 6; ++i)
      stmt->bind(i + 1, f[static_cast<size_t>(i)]);
    if (Status s = stmt->run(); !s.ok()) {
      return Error::internal(csv_path + ": cannot store '" + f[0] + "': " + s.error().message());
    }
  }
  return tx->commit();
}

}  // namespace onechild
