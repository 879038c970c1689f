#include "link/child_search.h"

#include <algorithm>
#include <map>

#include "link/normalise.h"
#include "link/similarity.h"

namespace onechild {
namespace {

// The score of one name against what was typed: Jaro-Winkler on the folded
// names, or on the closest part of a multi-part name ("Smith Jones").
double name_score(const std::string& typed, const std::optional<std::string>& recorded) {
  if (typed.empty()) return 1.0;  // not given: neutral
  if (!recorded) return 0.0;
  const std::string folded = linkage::fold_name(*recorded);
  double best = linkage::jaro_winkler(typed, folded);
  for (std::string_view part : linkage::name_parts(folded)) {
    best = std::max(best, linkage::jaro_winkler(typed, part));
  }
  return best;
}

}  // namespace

std::vector<Date> plausible_birth_dates(Date typed) {
  std::vector<Date> dates{typed};
  const Date swapped{typed.year(), std::chrono::month{unsigned(typed.day())},
                     std::chrono::day{unsigned(typed.month())}};
  if (swapped.ok() && swapped != typed) dates.push_back(swapped);
  dates.push_back(add_days(typed, -1));
  dates.push_back(add_days(typed, 1));
  return dates;
}

Result<std::vector<ChildMatch>> find_children_by_name(Database& db, const ChildSearch& search) {
  const std::string given = linkage::fold_name(search.given_name);
  const std::string family = linkage::fold_name(search.family_name);
  if (given.empty() && family.empty()) {
    return Error::invalid_argument("enter a given name or a family name");
  }
  // Current records with one of the plausible dates, and the child each is
  // linked to now (a merged child's records lead to the child it joined).
  auto stmt = db.prepare(
      "SELECT COALESCE(c.merged_into, c.id), p.given_name, p.family_name, p.birth_date, "
      "p.nhs_number, p.postcode, s.code "
      "FROM source_persons p JOIN links l ON l.source_person_id = p.id "
      "JOIN children c ON c.id = l.child_id JOIN source_systems s ON s.id = p.source_system_id "
      "WHERE p.birth_date = ?1 AND p.superseded_by IS NULL");
  if (!stmt.ok()) return stmt.error();
  const std::string typed_iso = format_iso_date(search.birth_date);
  std::map<int64_t, ChildMatch> best;
  for (const Date& date : plausible_birth_dates(search.birth_date)) {
    const std::string iso = format_iso_date(date);
    stmt->reset();
    stmt->bind(1, iso);
    Status read = stmt->each_row([&](const Statement& row) {
      auto text = [&](int i) { return row.column_optional_text(i); };
      const auto recorded_given = text(1), recorded_family = text(2);
      // Names the right way round, or swapped (a form filled the wrong way).
      const double straight =
          (name_score(given, recorded_given) + name_score(family, recorded_family)) / 2;
      const double swapped =
          (name_score(given, recorded_family) + name_score(family, recorded_given)) / 2 - 0.02;
      // A date that is not the one typed costs a little: it is a guess.
      const bool exact = iso == typed_iso;
      const double score = std::max(straight, swapped) - (exact ? 0.0 : 0.05);
      if (score < search.min_score) return;
      const int64_t child = row.column_int64(0);
      auto [it, fresh] = best.try_emplace(child);
      ChildMatch& m = it->second;
      const std::string source = row.column_text(6);
      if (m.sources.find(source) == std::string::npos) {
        m.sources += (m.sources.empty() ? "" : ", ") + source;
      }
      if (!fresh && score <= m.score) return;
      m.child_id = child;
      m.given_name = recorded_given.value_or("");
      m.family_name = recorded_family.value_or("");
      m.birth_date = iso;
      m.nhs_number = text(4);
      m.postcode = text(5);
      m.score = score;
      m.exact_date = exact;
    });
    if (!read.ok()) return read.error();
  }
  std::vector<ChildMatch> out;
  out.reserve(best.size());
  for (auto& [id, m] : best)
    out.push_back(std::move(m));
  std::sort(out.begin(), out.end(), [](const ChildMatch& a, const ChildMatch& b) {
    return a.score != b.score ? a.score > b.score : a.child_id < b.child_id;
  });
  if (out.size() > search.limit) out.resize(search.limit);
  return out;
}

}  // namespace onechild
