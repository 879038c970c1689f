// Worklists: who is due or overdue, per team and practice, for each kind of
// work (schedule items, statutory clocks, safeguarding signals). The CLI
// (`onechild worklist`) and the JSON API both build them here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "programmes/facts.h"
#include "store/database.h"

namespace onechild {

class Programmes;

enum class WorklistKind { kHcp, kImms, kLac, kEhcp, kTransition, kRtt, kSignals };
Result<WorklistKind> parse_worklist_kind(std::string_view text);
std::string_view worklist_kind_name(WorklistKind kind);

struct WorklistQuery {
  WorklistKind kind = WorklistKind::kImms;
  Date as_of{};
  std::string practice;   // only children registered here ("" = all)
  int upcoming_days = 0;  // also items falling due within this many days
  size_t limit = 0;       // 0 = every row
};

struct WorklistRow {
  int64_t child_id = 0;
  std::string nhs_number, name;  // filled by add_identities
  Day birth = kNoDay;
  std::string practice;
  std::string item, item_name;  // schedule item, clock or signal id and its name
  std::string status;           // "due", "overdue", "not-yet-due"; a clock's state; "signal"
  Day due = kNoDay, by = kNoDay, started = kNoDay;
  int days_overdue = 0;  // days past `by` on as_of (0 when not overdue)
  std::string detail;
};

// Rows ordered most overdue first, then by due date and child.
std::vector<WorklistRow> build_worklist(const Programmes& programmes, const Population& population,
                                        const WorklistQuery& query);

// NHS number and display name of each row's child, from the store.
Status add_identities(Database& db, std::vector<WorklistRow>& rows);

std::string worklist_csv(const std::vector<WorklistRow>& rows);
std::string worklist_json(const std::vector<WorklistRow>& rows, const WorklistQuery& query);

}  // namespace onechild
