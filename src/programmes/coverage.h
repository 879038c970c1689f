// COVER-style immunisation coverage: of the children reaching their 1st, 2nd
// or 5th birthday in a quarter, the share given the doses by that birthday
// (config/coverage.toml; docs/programmes.md). A measure may have several
// entries with the same id, one per date-of-birth cohort, when the schedule
// changed what counts: their cells add up to one series.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/error.h"
#include "programmes/facts.h"
#include "programmes/schedule.h"

namespace onechild {

struct CoverageMeasure {
  std::string id, name;
  std::string course;                          // a course of the "imms" schedule
  When age;                                    // the birthday evaluated ("1y", "2y", "5y")
  int doses = 1;                               // doses of the course given on or before it
  std::optional<Date> born_from, born_before;  // the cohort: born in [from, before)
  std::string source;
};

struct CoverageSpec {
  std::string name, source, origin;  // origin: the file, for messages
  double target = 0.95;
  std::vector<CoverageMeasure> measures;
};

// A TOML file -> spec, or Error::invalid_argument naming origin and measure.
// Courses are checked against the schedule by compute_coverage.
Result<CoverageSpec> parse_coverage(std::string_view toml, const std::string& origin);
Result<CoverageSpec> load_coverage(const std::string& path);
std::string default_coverage_path();  // ONECHILD_CONFIG_DIR "/coverage.toml"

// The measures' courses compiled against a population's words, to judge
// one child at a time (compute_coverage, and the outcomes engine's
// immunisation indicators). The spec must outlive the judge.
class CoverageJudge {
 public:
  static Result<CoverageJudge> compile(const CoverageSpec& spec,
                                       const std::vector<Schedule>& schedules,
                                       const Vocabulary& words);
  // Reads the child's given doses (status empty, "completed" or "finished";
  // a course's records on one day are one dose). Call before immunised().
  void read(const ChildFacts& child);
  // The day of measure i's birthday for the child read, or kNoDay when the
  // child is outside the measure's cohort or has no birth date.
  Day birthday(const ChildFacts& child, size_t measure) const;
  // Whether the child read had the measure's doses between birth and birthday.
  bool immunised(const ChildFacts& child, size_t measure, Day birthday) const;

 private:
  struct Course {
    uint32_t kind = UINT32_MAX;   // UINT32_MAX: no record has it
    std::vector<uint32_t> codes;  // sorted; only codes some record uses
  };
  const CoverageSpec* spec_ = nullptr;
  std::vector<Course> courses_;
  std::vector<size_t> course_of_;        // measure -> course
  std::vector<std::vector<Day>> given_;  // per course: days of doses, sorted
  uint32_t completed_ = UINT32_MAX, finished_ = UINT32_MAX;
};

struct CoverageCell {
  std::string measure;  // the measure id
  std::string quarter;  // calendar quarter of the birthday: "2026-Q3" is July-September
  std::string group;    // "" for everyone, else a practice code or "(none)"
  int64_t numerator = 0, denominator = 0;
};

// Cells for the last `quarters` quarters ending on or before as_of, oldest
// first, each measure in file order, everyone before each practice (by code,
// when by_practice). A cell is there when the measure's cohort can reach the
// birthday in the quarter, even with no children; practice cells only with
// children. The denominator leaves out children with no birth date, who died
// before the birthday or moved out by the end of the quarter. A dose counts
// if given (status empty, "completed" or "finished") between birth and the
// birthday inclusive; records of a course on the same day are one dose.
Result<std::vector<CoverageCell>> compute_coverage(const CoverageSpec& spec,
                                                   const std::vector<Schedule>& schedules,
                                                   const Population& population, Date as_of,
                                                   int quarters, bool by_practice);

}  // namespace onechild
