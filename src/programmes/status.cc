#include "programmes/status.h"

#include <algorithm>

namespace onechild {

std::string_view status_name(ItemStatus status) {
  switch (status) {
    case ItemStatus::kNotYetDue:
      return "not-yet-due";
    case ItemStatus::kDue:
      return "due";
    case ItemStatus::kOverdue:
      return "overdue";
    case ItemStatus::kDoneOnTime:
      return "done-on-time";
    case ItemStatus::kDoneLate:
      return "done-late";
    case ItemStatus::kDeclined:
      return "declined";
    case ItemStatus::kContraindicated:
      return "contraindicated";
    case ItemStatus::kMovedOut:
      return "moved-out";
    case ItemStatus::kMissed:
      break;
  }
  return "missed";
}

ScheduleBook::ScheduleBook(std::vector<Schedule> schedules, Vocabulary& words)
    : schedules_(std::move(schedules)), words_(words) {
  for (size_t k = 0; k < schedules_.size(); ++k) {
    for (const ScheduleItem& item : schedules_[k].items) {
      items_.push_back(&item);
      schedule_of_.push_back(k);
      Compiled c;
      c.kind = words.intern(item.kind);
      for (const std::string& code : item.codes)
        c.codes.push_back(words.intern(code));
      std::sort(c.codes.begin(), c.codes.end());
      c.sex = item.sex.empty() ? 0 : words.intern(item.sex);
      if (item.born_from) c.born_from = to_day(*item.born_from);
      if (item.born_before) c.born_before = to_day(*item.born_before);
      compiled_.push_back(std::move(c));
    }
  }
  completed_ = words.intern("completed");
  finished_ = words.intern("finished");
  not_done_ = words.intern("not-done");
  // FHIR v3-ActReason: a medical precaution or existing immunity means the
  // dose should not be given; any other reason (PATOBJ) is the family's choice.
  medprec_ = words.intern("MEDPREC");
  immune_ = words.intern("IMMUNE");
}

bool in_population(const ChildFacts& child, const Schedule& schedule, const Vocabulary& words) {
  if (schedule.population.empty()) return true;
  for (const uint32_t source : child.sources) {
    const std::string& code = words.text(source);
    for (const std::string& p : schedule.population) {
      if (code == p || (code.size() > p.size() && code.starts_with(p) && code[p.size()] == '_')) {
        return true;
      }
    }
  }
  return false;
}

void ScheduleBook::evaluate(const ChildFacts& child, Day as_of,
                            std::vector<ItemResult>& out) const {
  if (child.birth == kNoDay) return;
  const Date birth = from_day(child.birth);
  // Items are in schedule order: decide each schedule's population once.
  size_t schedule = SIZE_MAX;
  bool in = false;
  for (size_t i = 0; i < items_.size(); ++i) {
    if (schedule_of_[i] != schedule) {
      schedule = schedule_of_[i];
      in = in_population(child, schedules_[schedule], words_);
    }
    if (!in) continue;
    const ScheduleItem& item = *items_[i];
    const Compiled& c = compiled_[i];
    if (c.born_from != kNoDay && child.birth < c.born_from) continue;
    if (c.born_before != kNoDay && child.birth >= c.born_before) continue;
    if (c.sex != 0 && child.sex != c.sex) continue;
    ItemResult r;
    r.item = static_cast<uint16_t>(i);
    r.due = to_day(item.due.on(birth));
    r.by = to_day(item.by.on(birth));
    if (item.until) r.until = to_day(item.until->on(birth));
    if (child.died != kNoDay && r.due > child.died) continue;

    // The course's events in date order: the nth given is this dose; a
    // not-done record after the doses before it is a refusal of this one.
    int given = 0;
    Day last_given = kNoDay;
    const Fact* refusal = nullptr;
    for (const Fact& f : child.facts) {
      if (f.kind != c.kind || !std::binary_search(c.codes.begin(), c.codes.end(), f.code)) {
        continue;
      }
      if (f.status == not_done_) {
        if (given == item.dose - 1 && refusal == nullptr) refusal = &f;
      } else if (f.status == 0 || f.status == completed_ || f.status == finished_) {
        // The GP and the child health service may both record one jab.
        if (f.start == last_given) continue;
        last_given = f.start;
        if (++given == item.dose) {
          r.done = f.start;
          break;
        }
      }
    }
    if (r.done != kNoDay) {
      r.status = r.done <= r.by ? ItemStatus::kDoneOnTime : ItemStatus::kDoneLate;
      r.done_by_also = item.also_by && r.done <= to_day(item.also_by->on(birth));
    } else if (refusal != nullptr) {
      r.done = refusal->start;
      r.status = refusal->value == medprec_ || refusal->value == immune_
                     ? ItemStatus::kContraindicated
                     : ItemStatus::kDeclined;
    } else if (child.left != kNoDay && child.left <= as_of) {
      r.status = ItemStatus::kMovedOut;
    } else if (as_of < r.due) {
      r.status = ItemStatus::kNotYetDue;
    } else if (as_of <= r.by) {
      r.status = ItemStatus::kDue;
    } else if (r.until != kNoDay && as_of > r.until) {
      r.status = ItemStatus::kMissed;
    } else {
      r.status = ItemStatus::kOverdue;
    }
    out.push_back(r);
  }
}

}  // namespace onechild
