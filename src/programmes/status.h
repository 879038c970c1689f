// The status of every schedule item for a child on a date: due, overdue,
// done on time or late, declined, contraindicated, moved out, missed.
// Rules (docs/programmes.md §2): a course's events count in date order;
// the item's dose is the nth given; a not-done record after the doses before
// it is a refusal (reason PATOBJ or none) or a contraindication (MEDPREC,
// IMMUNE).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "programmes/facts.h"
#include "programmes/schedule.h"

namespace onechild {

enum class ItemStatus : uint8_t {
  kNotYetDue,
  kDue,
  kOverdue,
  kDoneOnTime,
  kDoneLate,
  kDeclined,
  kContraindicated,
  kMovedOut,
  kMissed,  // not done and past the age it can be given
};
std::string_view status_name(ItemStatus status);  // "not-yet-due", "done-late", ...

struct ItemResult {
  uint16_t item = 0;  // index into ScheduleBook::items()
  ItemStatus status = ItemStatus::kNotYetDue;
  Day due = kNoDay, by = kNoDay, until = kNoDay;
  Day done = kNoDay;          // when given or seen; when declined for a refusal
  bool done_by_also = false;  // done by the item's second measure (also_by)
};

// Whether the schedule is the child's: a record from one of its population's
// sources (schedule.h).
bool in_population(const ChildFacts& child, const Schedule& schedule, const Vocabulary& words);

// Every schedule, compiled against a Vocabulary so evaluation compares ids.
class ScheduleBook {
 public:
  ScheduleBook(std::vector<Schedule> schedules, Vocabulary& words);
  ScheduleBook(const ScheduleBook&) = delete;  // items_ points into schedules_
  ScheduleBook& operator=(const ScheduleBook&) = delete;

  const std::vector<const ScheduleItem*>& items() const { return items_; }
  const std::vector<Schedule>& schedules() const { return schedules_; }

  // Appends the status of each item that applies to the child on as_of.
  void evaluate(const ChildFacts& child, Day as_of, std::vector<ItemResult>& out) const;

 private:
  struct Compiled {
    uint32_t kind = 0;
    std::vector<uint32_t> codes;  // sorted
    uint32_t sex = 0;
    Day born_from = kNoDay, born_before = kNoDay;
  };
  std::vector<Schedule> schedules_;
  std::vector<const ScheduleItem*> items_;
  std::vector<size_t> schedule_of_;  // item -> index in schedules_
  std::vector<Compiled> compiled_;
  const Vocabulary& words_;
  uint32_t completed_ = 0, finished_ = 0, not_done_ = 0, medprec_ = 0, immune_ = 0;
};

}  // namespace onechild
