// parse_schedule on arbitrary bytes: never crashes, a failure names the
// origin, and a schedule it accepts evaluates on a child at any date without
// breaking the status rules (a done item has its day; an undone one none).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "programmes/schedule.h"
#include "programmes/status.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onechild;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto schedule = parse_schedule(text, "fuzz.toml");
  if (!schedule.ok()) {
    check(schedule.error().message().find("fuzz.toml") != std::string::npos);
    return 0;
  }
  Vocabulary words;
  const std::vector<std::string> codes =
      schedule->items.empty() ? std::vector<std::string>{} : schedule->items.front().codes;
  const std::string kind = schedule->items.empty() ? "" : schedule->items.front().kind;
  const ScheduleBook book({*schedule}, words);
  ChildFacts child;
  child.birth = to_day(Date{std::chrono::year{2020}, std::chrono::month{2}, std::chrono::day{29}});
  child.sex = words.intern("female");
  for (const std::string& p : schedule->population)
    child.sources.push_back(words.intern(p));
  std::sort(child.sources.begin(), child.sources.end());
  child.sources.erase(std::unique(child.sources.begin(), child.sources.end()), child.sources.end());
  int day = 0;
  for (const std::string& code : codes) {
    for (const char* status : {"completed", "not-done"}) {
      Fact f;
      f.kind = words.intern(kind);
      f.code = words.intern(code);
      f.status = words.intern(status);
      f.start = child.birth + (day += 40);
      child.facts.push_back(f);
    }
  }
  for (const int offset : {-1, 0, 400, 3000, 10000}) {
    std::vector<ItemResult> out;
    book.evaluate(child, child.birth + offset, out);
    for (const ItemResult& r : out) {
      check(r.item < book.items().size());
      const bool done = r.status == ItemStatus::kDoneOnTime || r.status == ItemStatus::kDoneLate;
      const bool refused =
          r.status == ItemStatus::kDeclined || r.status == ItemStatus::kContraindicated;
      check((done || refused) == (r.done != kNoDay));
      check(!done ||
            r.status == (r.done <= r.by ? ItemStatus::kDoneOnTime : ItemStatus::kDoneLate));
    }
  }
  return 0;
}
