#include "programmes/worklist.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "core/csv.h"
#include "programmes/programmes.h"

namespace onechild {
namespace json = boost::json;
namespace {

constexpr std::pair<WorklistKind, std::string_view> kKinds[] = {
    {WorklistKind::kHcp, "hcp"},
    {WorklistKind::kImms, "imms"},
    {WorklistKind::kLac, "lac"},
    {WorklistKind::kEhcp, "ehcp"},
    {WorklistKind::kTransition, "transition"},
    {WorklistKind::kRtt, "rtt"},
    {WorklistKind::kSignals, "signals"}};

std::string day_text(Day d) {
  return d == kNoDay ? std::string() : format_iso_date(from_day(d));
}

// The schedule a worklist kind reads, by the schedule's id.
std::string_view schedule_of(WorklistKind kind) {
  return kind == WorklistKind::kHcp ? "hcp" : "imms";
}

WorklistRow row_for(const Programmes& p, const ChildFacts& child) {
  WorklistRow row;
  row.child_id = child.child_id;
  row.birth = child.birth;
  row.practice = p.words().text(child.practice);
  return row;
}

void schedule_rows(const Programmes& p, const ChildFacts& child, const WorklistQuery& q, Day as_of,
                   std::vector<ItemResult>& scratch, std::vector<WorklistRow>& out) {
  scratch.clear();
  p.schedules().evaluate(child, as_of, scratch);
  const std::string_view programme = schedule_of(q.kind);
  for (const ItemResult& r : scratch) {
    const ScheduleItem& item = *p.schedules().items()[r.item];
    if (item.programme != programme) continue;
    const bool upcoming = r.status == ItemStatus::kNotYetDue && q.upcoming_days > 0 &&
                          r.due <= as_of + q.upcoming_days;
    if (r.status != ItemStatus::kDue && r.status != ItemStatus::kOverdue && !upcoming) continue;
    WorklistRow row = row_for(p, child);
    row.item = item.id;
    row.item_name = item.name;
    row.status = status_name(r.status);
    row.due = r.due;
    row.by = r.by;
    row.days_overdue = r.status == ItemStatus::kOverdue ? as_of - r.by : 0;
    if (r.until != kNoDay) row.detail = "offered until " + day_text(r.until);
    out.push_back(std::move(row));
  }
}

json::object worklist_row_json(const WorklistRow& r) {
  return json::object{{"child_id", r.child_id},
                      {"nhs_number", r.nhs_number},
                      {"name", r.name},
                      {"birth_date", day_text(r.birth)},
                      {"practice", r.practice},
                      {"item", r.item},
                      {"item_name", r.item_name},
                      {"status", r.status},
                      {"started", day_text(r.started)},
                      {"due", day_text(r.due)},
                      {"by", day_text(r.by)},
                      {"days_overdue", r.days_overdue},
                      {"detail", r.detail}};
}

// The clocks each worklist kind shows.
bool clock_in(WorklistKind kind, std::string_view clock) {
  namespace id = clock_id;
  switch (kind) {
    case WorklistKind::kLac:
      return clock == id::kLacInitialHealth || clock == id::kLacReviewHealth;
    case WorklistKind::kEhcp:
      return clock == id::kEhcDecision || clock == id::kEhcPlan || clock == id::kEhcNoPlan;
    case WorklistKind::kTransition:
      return clock == id::kTransitionPlan || clock == id::kAdultService;
    case WorklistKind::kRtt:
      return clock == id::kCamhsFirstContact || clock == id::kCommunityPaediatrics ||
             clock == id::kEpilepsySpecialist || clock == id::kAutismDiagnosis ||
             clock == id::kEpilepsyDiagnosis;
    default:
      return false;
  }
}

std::string clock_name(const ProgrammesConfig& c, std::string_view clock) {
  namespace id = clock_id;
  const std::pair<std::string_view, const RuleText*> names[] = {
      {id::kEhcDecision, &c.ehc_decision},
      {id::kEhcPlan, &c.ehc_plan},
      {id::kEhcNoPlan, &c.ehc_no_plan},
      {id::kLacInitialHealth, &c.lac_initial},
      {id::kLacReviewHealth, &c.lac_review},
      {id::kTransitionPlan, &c.transition_plan},
      {id::kAdultService, &c.adult_service},
      {id::kCamhsFirstContact, &c.camhs},
      {id::kCommunityPaediatrics, &c.community_paediatrics},
      {id::kEpilepsySpecialist, &c.epilepsy_specialist},
      {id::kAutismDiagnosis, &c.autism_diagnosis},
      {id::kEpilepsyDiagnosis, &c.epilepsy_diagnosis}};
  for (const auto& [key, rule] : names) {
    if (key == clock) return rule->name;
  }
  return std::string(clock);
}

std::string signal_name(const ProgrammesConfig& c, std::string_view signal) {
  if (signal == signal_id::kWasNotBrought) return c.was_not_brought.name;
  if (signal == signal_id::kUnscheduledCare) return c.unscheduled.name;
  if (signal == signal_id::kInjuries) return c.injuries.name;
  return std::string(signal);
}

void clock_rows(const Programmes& p, const ChildFacts& child, const WorklistQuery& q, Day as_of,
                std::vector<ClockResult>& scratch, std::vector<WorklistRow>& out) {
  scratch.clear();
  p.clocks().evaluate(child, as_of, scratch);
  for (const ClockResult& c : scratch) {
    if (!clock_in(q.kind, c.clock)) continue;
    const bool upcoming = c.state == ClockState::kRunning;
    if (c.state != ClockState::kOverdue && !upcoming) continue;
    WorklistRow row = row_for(p, child);
    row.item = c.clock;
    row.item_name = clock_name(p.clocks().config(), c.clock);
    row.status = clock_state_name(c.state);
    row.started = c.start;
    row.due = c.due;
    row.by = c.due;
    row.days_overdue = c.state == ClockState::kOverdue ? as_of - c.due : 0;
    row.detail = c.detail;
    out.push_back(std::move(row));
  }
}

void signal_rows(const Programmes& p, const ChildFacts& child, Day as_of,
                 std::vector<SignalResult>& scratch, std::vector<WorklistRow>& out) {
  scratch.clear();
  p.signals().evaluate(child, as_of, scratch);
  for (const SignalResult& s : scratch) {
    WorklistRow row = row_for(p, child);
    row.item = s.signal;
    row.item_name = signal_name(p.signals().config(), s.signal);
    row.status = "signal";
    row.started = s.first;
    row.due = s.last;
    row.detail = std::to_string(s.count) + " in the last " + std::to_string(s.window_days) +
                 " days (threshold " + std::to_string(s.threshold) + ")";
    out.push_back(std::move(row));
  }
}

}  // namespace

Result<WorklistKind> parse_worklist_kind(std::string_view text) {
  for (const auto& [kind, name] : kKinds) {
    if (name == text) return kind;
  }
  return Error::invalid_argument("unknown worklist kind '" + std::string(text) +
                                 "' (hcp, imms, lac, ehcp, transition, rtt, signals)");
}

std::string_view worklist_kind_name(WorklistKind kind) {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "";
}

std::vector<WorklistRow> build_worklist(const Programmes& programmes, const Population& population,
                                        const WorklistQuery& query) {
  const Day as_of = to_day(query.as_of);
  const std::optional<uint32_t> practice =
      query.practice.empty() ? std::optional<uint32_t>() : programmes.words().find(query.practice);
  std::vector<WorklistRow> rows;
  if (!query.practice.empty() && !practice) return rows;  // no child registered there
  std::vector<ItemResult> scratch;
  std::vector<ClockResult> clocks;
  std::vector<SignalResult> signals;
  for (const ChildFacts& child : population.children) {
    if (practice && child.practice != *practice) continue;
    if (child.died != kNoDay && child.died <= as_of) continue;
    switch (query.kind) {
      case WorklistKind::kHcp:
      case WorklistKind::kImms:
        schedule_rows(programmes, child, query, as_of, scratch, rows);
        break;
      case WorklistKind::kSignals:
        signal_rows(programmes, child, as_of, signals, rows);
        break;
      default:
        clock_rows(programmes, child, query, as_of, clocks, rows);
        break;
    }
  }
  std::sort(rows.begin(), rows.end(), [](const WorklistRow& a, const WorklistRow& b) {
    if (a.days_overdue != b.days_overdue) return a.days_overdue > b.days_overdue;
    if (a.due != b.due) return a.due < b.due;
    if (a.child_id != b.child_id) return a.child_id < b.child_id;
    return a.item < b.item;
  });
  if (query.limit > 0 && rows.size() > query.limit) rows.resize(query.limit);
  return rows;
}

Status add_identities(Database& db, std::vector<WorklistRow>& rows) {
  // The GP's record first (traced against the national register most often),
  // then any record with a name.
  auto stmt = db.prepare(R"sql(
    SELECT c.nhs_number, p.given_name, p.family_name
    FROM children c
    LEFT JOIN links l ON l.child_id = c.id
    LEFT JOIN source_persons p ON p.id = l.source_person_id AND p.superseded_by IS NULL
    LEFT JOIN source_systems s ON s.id = p.source_system_id
    WHERE c.id = ?1
    ORDER BY (p.given_name IS NULL), (s.code <> 'gp'), p.id DESC
    LIMIT 1)sql");
  if (!stmt.ok()) return stmt.error();
  // A child has several rows: look each child up once.
  std::map<int64_t, std::pair<std::string, std::string>> known;  // id -> NHS number, name
  for (WorklistRow& row : rows) {
    auto it = known.find(row.child_id);
    if (it == known.end()) {
      stmt->reset();
      stmt->bind(1, row.child_id);
      auto found = stmt->step();
      if (!found.ok()) return found.error();
      std::string nhs, name;
      if (*found) {
        nhs = stmt->column_text(0);
        name = stmt->column_text(1);
        const std::string family = stmt->column_text(2);
        if (!family.empty()) name += (name.empty() ? "" : " ") + family;
      }
      it = known.emplace(row.child_id, std::pair{std::move(nhs), std::move(name)}).first;
    }
    row.nhs_number = it->second.first;
    row.name = it->second.second;
  }
  return {};
}

std::string worklist_csv(const std::vector<WorklistRow>& rows) {
  std::string out =
      "child_id,nhs_number,name,birth_date,practice,item,item_name,status,started,due,by,"
      "days_overdue,detail\n";
  for (const WorklistRow& r : rows) {
    out += std::to_string(r.child_id) + ',' + csv_quote(r.nhs_number) + ',' + csv_quote(r.name) +
           ',' + day_text(r.birth) + ',' + csv_quote(r.practice) + ',' + csv_quote(r.item) + ',' +
           csv_quote(r.item_name) + ',' + csv_quote(r.status) + ',' + day_text(r.started) + ',' +
           day_text(r.due) + ',' + day_text(r.by) + ',' + std::to_string(r.days_overdue) + ',' +
           csv_quote(r.detail) + '\n';
  }
  return out;
}

std::string worklist_json(const std::vector<WorklistRow>& rows, const WorklistQuery& query) {
  json::array items;
  json::object counts;
  for (const WorklistRow& r : rows) {
    items.push_back(worklist_row_json(r));
    auto& n = counts[r.status];
    n = (n.is_int64() ? n.as_int64() : 0) + 1;
  }
  return json::serialize(json::object{{"kind", worklist_kind_name(query.kind)},
                                      {"as_of", format_iso_date(query.as_of)},
                                      {"practice", query.practice},
                                      {"count", rows.size()},
                                      {"by_status", counts},
                                      {"rows", items}});
}

}  // namespace onechild
