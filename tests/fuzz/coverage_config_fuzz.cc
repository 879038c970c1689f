// parse_coverage on arbitrary text: a spec or an error naming the file, never
// a crash or an exception escaping. A spec it accepts keeps its promises
// (doses from 1, a target in (0, 1], cohorts that do not overlap within an
// id) and computes against a small schedule and population without failing
// except for a course the schedule lacks.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "programmes/coverage.h"

namespace {

using namespace onechild;

void check(bool condition) {
  if (!condition) std::abort();
}

Date ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

const std::vector<Schedule>& schedules() {
  static const std::vector<Schedule> s = [] {
    auto imms = parse_schedule(R"(
[schedule]
id = "imms"
name = "I"
source = "s"
[courses]
dtap = { kind = "immunisation", codes = ["1162640003"] }
measles = { kind = "immunisation", codes = ["871831003", "871908002"] }
[[item]]
id = "a"
name = "A"
course = "dtap"
due = "8w"
by = "12w"
[[item]]
id = "b"
name = "B"
course = "measles"
due = "1y"
by = "1y28d"
)",
                               "imms.toml");
    check(imms.ok());
    return std::vector<Schedule>{*imms};
  }();
  return s;
}

const Population& population() {
  static const Population p = [] {
    Population p;
    const uint32_t kind = p.words.intern("immunisation");
    const uint32_t code = p.words.intern("1162640003");
    const uint32_t done = p.words.intern("completed");
    for (int i = 0; i < 40; ++i) {
      ChildFacts c;
      c.child_id = i + 1;
      c.birth = to_day(add_days(ymd(2019, 1, 1), i * 53));
      c.practice = p.words.intern(i % 3 == 0 ? "A81001" : i % 3 == 1 ? "B82005" : "");
      for (int d = 0; d < i % 5; ++d)
        c.facts.push_back(Fact{0, kind, code, 0, done, 0, c.birth + 56 + 28 * d, kNoDay});
      p.children.push_back(std::move(c));
    }
    return p;
  }();
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto spec = parse_coverage(text, "fuzz.toml");
  if (!spec.ok()) {
    check(spec.error().message().starts_with("fuzz.toml"));
    return 0;
  }
  check(!spec->measures.empty());
  check(spec->target > 0 && spec->target <= 1);
  for (const CoverageMeasure& m : spec->measures) {
    check(m.doses >= 1 && !m.id.empty() && !m.course.empty());
    check(m.age.kind == When::Kind::kAge && m.age.months + m.age.days > 0);
  }
  auto cells =
      compute_coverage(*spec, schedules(), population(), ymd(2026, 12, 31), 8, size % 2 == 0);
  if (!cells.ok()) {
    check(cells.error().message().find("is not a course") != std::string::npos);
    return 0;
  }
  for (const CoverageCell& c : *cells) {
    check(c.numerator >= 0 && c.numerator <= c.denominator);
    check(c.quarter.size() == 7 && c.quarter.starts_with("202"));
  }
  return 0;
}
