#include "programmes/signals.h"

#include <algorithm>
#include <tuple>

#include "programmes/schedule.h"

namespace onechild {
namespace {

// `months` calendar months before d (31 March - 1 month = 28 or 29 February).
Day months_before(Day d, int months) {
  return to_day(add_months(from_day(d), -months));
}

// The window of a signal on as_of: events on days after `after` up to and
// including as_of (12 months ending 30 June 2025: 1 July 2024 to 30 June 2025),
// at an age before `adult` when the birth date is known.
struct Window {
  Day after, as_of, adult;
  bool contains(Day d) const { return d > after && d <= as_of && (adult == kNoDay || d < adult); }
};

Window window_of(const SignalConfig& cfg, const ChildFacts& child, Day as_of) {
  const Day adult = child.birth == kNoDay ? kNoDay : to_day(cfg.under.on(from_day(child.birth)));
  return {months_before(as_of, cfg.window_months), as_of, adult};
}

// Counts distinct events (by day, kind and code: the same event from two
// records of the child counts once) and emits when at the threshold.
void emit(std::string_view id, const SignalConfig& cfg, const Window& w,
          std::vector<std::tuple<Day, uint32_t, uint32_t>>& events,
          std::vector<SignalResult>& out) {
  std::sort(events.begin(), events.end());
  events.erase(std::unique(events.begin(), events.end()), events.end());
  const int count = static_cast<int>(events.size());
  if (count == 0 || count < cfg.threshold) return;
  out.push_back({id, count, std::get<0>(events.front()), std::get<0>(events.back()), cfg.threshold,
                 w.as_of - w.after});
}

}  // namespace

SignalBook::SignalBook(const ProgrammesConfig& config, const BankHolidays&, Vocabulary& words)
    : config_(config), words_(&words) {
  wnb_kinds_ = intern_sorted(words, config.was_not_brought.kinds);
  wnb_statuses_ = intern_sorted(words, config.was_not_brought.statuses);
  ed_kinds_ = intern_sorted(words, config.unscheduled.kinds);
  injury_ed_codes_ = intern_sorted(words, config.injuries.ed_codes);
  methods_ = intern_sorted(words, config.injuries.admission_methods);
  ed_ = words.intern("ed-attendance");
  admission_ = words.intern("admission");
}

void SignalBook::evaluate(const ChildFacts& child, Day as_of,
                          std::vector<SignalResult>& out) const {
  if (as_of == kNoDay) return;
  if ((child.died != kNoDay && child.died <= as_of) ||
      (child.left != kNoDay && child.left <= as_of)) {
    return;
  }
  was_not_brought(child, as_of, out);
  unscheduled(child, as_of, out);
  injuries(child, as_of, out);
}

// Was not brought: outpatient appointments and mental health contacts with
// status "did-not-attend" before the 18th birthday (for a child every missed
// appointment is one the child was not brought to), `threshold` (2) or more in
// `window_months` (12).
void SignalBook::was_not_brought(const ChildFacts& child, Day as_of,
                                 std::vector<SignalResult>& out) const {
  const auto& cfg = config_.was_not_brought;
  if (!cfg.enabled) return;
  const Window w = window_of(cfg, child, as_of);
  std::vector<std::tuple<Day, uint32_t, uint32_t>> events;
  for (const Fact& f : child.facts) {
    if (w.contains(f.start) && contains_id(wnb_kinds_, f.kind) &&
        contains_id(wnb_statuses_, f.status)) {
      events.emplace_back(f.start, f.kind, f.code);
    }
  }
  emit(signal_id::kWasNotBrought, cfg, w, events, out);
}

// Unscheduled care: emergency department (and urgent treatment centre)
// attendances, `threshold` (3) or more in `window_months` (12).
void SignalBook::unscheduled(const ChildFacts& child, Day as_of,
                             std::vector<SignalResult>& out) const {
  const auto& cfg = config_.unscheduled;
  if (!cfg.enabled) return;
  const Window w = window_of(cfg, child, as_of);
  std::vector<std::tuple<Day, uint32_t, uint32_t>> events;
  for (const Fact& f : child.facts) {
    if (w.contains(f.start) && contains_id(ed_kinds_, f.kind))
      events.emplace_back(f.start, f.kind, f.code);
  }
  emit(signal_id::kUnscheduledCare, cfg, w, events, out);
}

// Injuries: ED attendances with an injury diagnosis (SNOMED CT, `ed_codes`,
// self-harm included as Fingertips counts deliberate injuries), and
// admissions whose ICD-10 diagnosis is in `admission_codes` (S00-T79) with
// an external cause (the admission's value) in `external_causes` (V01-Y36),
// of one of `admission_methods` if any are listed. An admission on the day of
// an ED injury attendance, or up to `same_injury_days` after it, is that
// injury and is not counted again. `threshold` (3) or more in `window_months`.
void SignalBook::injuries(const ChildFacts& child, Day as_of,
                          std::vector<SignalResult>& out) const {
  const auto& cfg = config_.injuries;
  if (!cfg.enabled) return;
  const Window w = window_of(cfg, child, as_of);
  const auto in = [](const std::vector<IcdRange>& ranges, std::string_view code) {
    return std::any_of(ranges.begin(), ranges.end(),
                       [&](const IcdRange& r) { return r.contains(code); });
  };
  std::vector<Day> ed_days;  // every ED injury, in the window or not, to match admissions
  std::vector<std::tuple<Day, uint32_t, uint32_t>> events;
  for (const Fact& f : child.facts) {
    if (f.kind != ed_ || !contains_id(injury_ed_codes_, f.code) || f.start == kNoDay ||
        f.start > as_of) {
      continue;
    }
    ed_days.push_back(f.start);
    if (w.contains(f.start)) events.emplace_back(f.start, f.kind, f.code);
  }
  std::sort(ed_days.begin(), ed_days.end());
  for (const Fact& f : child.facts) {
    if (f.kind != admission_ || !w.contains(f.start)) continue;
    if (!methods_.empty() && !contains_id(methods_, f.status)) continue;
    if (!in(cfg.admission_codes, words_->text(f.code))) continue;
    if (cfg.require_external_cause && !in(cfg.external_causes, words_->text(f.value))) continue;
    const auto ed =
        std::lower_bound(ed_days.begin(), ed_days.end(), f.start - cfg.same_injury_days);
    if (ed != ed_days.end() && *ed <= f.start) continue;  // the ED attendance's injury
    events.emplace_back(f.start, f.kind, f.code);
  }
  emit(signal_id::kInjuries, cfg, w, events, out);
}

}  // namespace onechild
