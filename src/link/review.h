// Review: a data manager's part in the master child index. The pairs
// linkage was unsure of, with each field's evidence; decisions on them (kept,
// and respected by every later run); and merging or unmerging children by
// hand, each with who, when and why in the child's history and the audit log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/database.h"

namespace onechild {

// One side of a review pair: the record as its source sent it.
struct ReviewRecord {
  int64_t source_person_id = 0;
  std::string source, original_id;
  std::optional<std::string> nhs_number, given_name, family_name, birth_date, sex, postcode;
  std::optional<int64_t> child_id;  // the child it is linked to now
};

struct ReviewItem {
  int64_t id = 0;
  double match_probability = 0, match_weight = 0;
  bool existing_children = false;  // both records already had different children
  std::string status;              // "open", "decided", "linked"
  std::string evidence_json;       // [{field, level, left, right, weight}]
  ReviewRecord left, right;
  std::string created_at;
  std::string to_json() const;
};

struct ReviewQuery {
  std::string status = "open";
  int64_t limit = 50, offset = 0;
};

Result<std::vector<ReviewItem>> list_review(Database& db, const ReviewQuery& query = {});
Result<ReviewItem> get_review(Database& db, int64_t id);

enum class LinkDecision { kSame, kDifferent };

struct Actor {
  std::string name;                // who decided: a username, or "cli:<login>"
  std::optional<int64_t> user_id;  // for the audit log, when a web user
  std::string reason;              // required: why
};

// Records a decision on a review item. "Same" merges the two children now
// (the older id survives; the other points to it); "different" keeps them
// apart now and in every later run.
Status decide_review(Database& db, int64_t review_id, LinkDecision decision, const Actor& actor);

// Merges child `from` into child `into` (both must be current children).
Status merge_children(Database& db, int64_t from, int64_t into, const Actor& actor);

// Moves the given source records (with all their versions) out of `child`
// into a child of their own: the one they were merged from if there was
// one, else a new child. Later runs keep them apart ("different" decisions
// between the moved records and those left). Returns the child they moved to.
Result<int64_t> unmerge_records(Database& db, int64_t child, const std::vector<int64_t>& records,
                                const Actor& actor);

struct HistoryEntry {
  std::string at, action, actor, reason;
  int64_t child_id = 0;
  std::optional<int64_t> other_child_id, source_person_id;
};

Result<std::vector<HistoryEntry>> child_history(Database& db, int64_t child);

// The child an id now refers to: itself, or the child it was merged into.
Result<int64_t> current_child(Database& db, int64_t child);

}  // namespace onechild
