// parse_programmes_config on arbitrary text: settings or an error naming the
// origin, never a crash or an exception escaping. Settings it accepts must be
// safe to run: every clock and signal is evaluated with them on a record that
// has an event of every kind they read, at several dates, and each result
// keeps the promises ClockResult and SignalResult make.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "programmes/clocks.h"
#include "programmes/programmes_config.h"
#include "programmes/signals.h"

namespace {

using namespace onechild;

void check(bool condition) {
  if (!condition) std::abort();
}

Day day_of(int y, unsigned m, unsigned d) {
  return to_day(Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}});
}

void add(Vocabulary& w, ChildFacts& c, std::string_view kind, Day start, std::string_view code,
         std::string_view display = "", std::string_view status = "", std::string_view value = "",
         Day end = kNoDay) {
  Fact f;
  f.kind = w.intern(kind);
  f.code = w.intern(code);
  f.display = w.intern(display);
  f.status = w.intern(status);
  f.value = w.intern(value);
  f.start = start;
  f.end = end;
  c.facts.push_back(f);
}

// A child born 29 February 2008 with something of everything.
ChildFacts record(Vocabulary& w) {
  ChildFacts c;
  c.birth = day_of(2008, 2, 29);
  const Day t = day_of(2019, 1, 1);
  add(w, c, "social-care-episode", t, "C1", "Looked after", "X1", "", t + 100);
  add(w, c, "social-care-episode", t + 100, "C2", "Looked after");
  add(w, c, "social-care-episode", t + 30, "", "Initial health assessment");
  add(w, c, "social-care-episode", t + 400, "", "Review health assessment");
  add(w, c, "ehc-request", t, "", "", "assess", "exceptions apply Y", t + 50);
  add(w, c, "ehc-assessment", t, "", "", "plan", "", t + 150);
  add(w, c, "ehc-plan", t + 150, "");
  add(w, c, "ehc-request", t + 900, "", "", "assess", "exceptions apply N", t + 930);
  add(w, c, "condition", t - 500, "46635009");
  add(w, c, "condition", t + 20, "84757009");
  add(w, c, "condition", t + 40, "35919005");
  add(w, c, "care-plan", t + 1500, "transition");
  add(w, c, "outpatient-appointment", t + 3700, "307", "", "attended", "first");
  add(w, c, "outpatient-appointment", t + 10, "421", "", "did-not-attend", "first");
  add(w, c, "outpatient-appointment", t + 12, "421", "", "attended", "first");
  add(w, c, "mental-health-referral", t + 200, "A1", "", "", "Anxiety", t + 300);
  add(w, c, "mental-health-contact", t + 220, "01", "", "attended");
  add(w, c, "mental-health-referral", t + 600, "H1", "", "", "Self harm");
  add(w, c, "service-request", t - 100, "community-paediatrics", "", "completed",
      "Suspected autism");
  add(w, c, "encounter", t + 30, "diagnostic-assessment");
  add(w, c, "ed-attendance", t + 5, "91175000", "Seizure", "01");
  add(w, c, "ed-attendance", t + 60, "82271004", "Injury of head", "01");
  add(w, c, "admission", t + 61, "S099", "", "21", "W199");
  add(w, c, "admission", t + 90, "T391", "", "21", "X609");
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = parse_programmes_config(text, "fuzz.toml");
  if (!config.ok()) {
    check(config.error().message().starts_with("fuzz.toml"));
    return 0;
  }
  static const BankHolidays holidays =
      *BankHolidays::parse("date,name\n2019-12-25,Christmas Day\n2019-12-26,Boxing Day\n", "t");
  Vocabulary words;
  const ChildFacts child = record(words);
  const ClockBook clocks(*config, holidays, words);
  const SignalBook signals(*config, holidays, words);
  for (const Day as_of :
       {day_of(2019, 1, 1), day_of(2020, 6, 30), day_of(2026, 3, 1), day_of(2040, 1, 1)}) {
    std::vector<ClockResult> out;
    clocks.evaluate(child, as_of, out);
    for (const ClockResult& r : out) {
      check(!r.clock.empty() && r.start != kNoDay && r.start <= as_of && r.due != kNoDay);
      check(r.stopped == kNoDay || r.stopped <= as_of);
      if (r.stopped == kNoDay) {
        check(r.state == ClockState::kRunning || r.state == ClockState::kOverdue ||
              r.state == ClockState::kException);
      } else {
        check(r.state == ClockState::kMet || r.state == ClockState::kMissed ||
              r.state == ClockState::kException);
      }
      check(r.state != ClockState::kMet || r.stopped <= r.due);
      check(r.state != ClockState::kRunning || as_of <= r.due);
    }
    std::vector<SignalResult> found;
    signals.evaluate(child, as_of, found);
    for (const SignalResult& s : found) {
      check(s.count >= s.threshold && s.count >= 1 && s.first <= s.last && s.last <= as_of);
      check(s.window_days >= 28 && as_of - s.first < s.window_days);
    }
  }
  return 0;
}
