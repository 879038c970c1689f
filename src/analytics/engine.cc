#include "analytics/engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <thread>

#include "analytics/conditions.h"
#include "core/csv.h"

namespace onechild {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kBands = 5;  // 0-4, 5-9, 10-14, 15-19, 20-24

// ---------------------------------------------------------------------------
// Where each breakdown group's counts live: one array of slots per period.

struct Layout {
  struct Breakdown {
    std::string name;
    size_t offset = 0, size = 0;
  };
  std::vector<Breakdown> breakdowns;  // "all" first, then all_breakdowns() order
  size_t slots = 0;

  explicit Layout(const Snapshot& s) {
    const auto add = [&](std::string name, size_t size) {
      breakdowns.push_back({std::move(name), slots, size});
      slots += size;
    };
    add("all", 1);
    add("age-band", kBands);
    add("sex", 3);
    add("ethnic-group", 6);
    add("imd-decile", 11);
    add("imd-quintile", 6);
    add("core20", 3);
    add("local-authority", s.local_authorities.size());
    add("pcn", s.pcns.size());
    add("practice", s.practices.size());
    add("vulnerable-group", s.groups.size());
  }
  const Breakdown& get(std::string_view name) const {
    return *std::find_if(breakdowns.begin(), breakdowns.end(),
                         [&](const Breakdown& b) { return b.name == name; });
  }
};

// A child's slots other than total, age band and vulnerable groups.
struct ChildSlots {
  std::array<uint32_t, 8> fixed;
  uint32_t vulnerable_offset;
  uint32_t vulnerable;

  ChildSlots(const Layout& l, const ChildProfile& p) {
    const auto at = [&](size_t b, size_t i) {
      return static_cast<uint32_t>(l.breakdowns[b].offset + i);
    };
    const int quintile = p.imd_decile == 0 ? 0 : (p.imd_decile + 1) / 2;
    const int core20 = p.imd_decile == 0 ? 0 : p.imd_decile <= 2 ? 1 : 2;
    fixed = {at(2, p.sex),  at(3, p.ethnic_group),    at(4, p.imd_decile), at(5, quintile),
             at(6, core20), at(7, p.local_authority), at(8, p.pcn),        at(9, p.practice)};
    vulnerable_offset = static_cast<uint32_t>(l.breakdowns[10].offset);
    vulnerable = p.vulnerable;
  }
};

struct Count {
  int64_t numerator = 0, denominator = 0;
};

// One indicator's counts on one thread: [period][slot], plus age strata for
// a DSR ([period][slot][band]) and durations for a median.
struct Tally {
  std::vector<Count> counts;
  std::vector<Count> strata;
  std::vector<std::vector<double>> durations;
  size_t slots = 0;

  Tally(size_t periods, size_t slot_count, Method method) : slots(slot_count) {
    counts.resize(periods * slots);
    if (method == Method::kDsr) strata.resize(periods * slots * kBands);
    if (method == Method::kMedian) durations.resize(periods * slots);
  }
  void merge(const Tally& o) {
    for (size_t i = 0; i < counts.size(); ++i) {
      counts[i].numerator += o.counts[i].numerator;
      counts[i].denominator += o.counts[i].denominator;
    }
    for (size_t i = 0; i < strata.size(); ++i) {
      strata[i].numerator += o.strata[i].numerator;
      strata[i].denominator += o.strata[i].denominator;
    }
    for (size_t i = 0; i < durations.size(); ++i)
      durations[i].insert(durations[i].end(), o.durations[i].begin(), o.durations[i].end());
  }
};

// Adds a unit to every slot the child is counted in.
void add(Tally& t, int period, int band, const ChildSlots& c, int64_t num, int64_t den,
         double duration = kNaN) {
  const size_t base = static_cast<size_t>(period) * t.slots;
  const auto one = [&](size_t slot) {
    Count& k = t.counts[base + slot];
    k.numerator += num;
    k.denominator += den;
    if (!t.strata.empty()) {
      Count& s = t.strata[(base + slot) * kBands + static_cast<size_t>(band)];
      s.numerator += num;
      s.denominator += den;
    }
    if (!t.durations.empty() && !std::isnan(duration)) t.durations[base + slot].push_back(duration);
  };
  one(0);
  one(1 + static_cast<size_t>(band));
  for (uint32_t slot : c.fixed)
    one(slot);
  for (uint32_t bits = c.vulnerable, g = 0; bits != 0; bits >>= 1, ++g) {
    if (bits & 1u) one(c.vulnerable_offset + g);
  }
}

// ---------------------------------------------------------------------------
// Ages and periods.

struct Birthdays {
  std::chrono::year_month_day birth;
  explicit Birthdays(Day b) : birth(std::chrono::sys_days{std::chrono::days{b}}) {}
  // Whole years on `on`.
  int age_on(Day on) const {
    const std::chrono::year_month_day d{std::chrono::sys_days{std::chrono::days{on}}};
    int age = static_cast<int>(d.year()) - static_cast<int>(birth.year());
    if (d.month() < birth.month() || (d.month() == birth.month() && d.day() < birth.day())) --age;
    return age;
  }
};

int band_of(int age) {
  return std::clamp(age / 5, 0, kBands - 1);
}

struct Periods {
  std::vector<Day> start, end;  // [k]: period k, 0 the latest
  Periods(Date as_of, int months, int count) {
    for (int k = 0; k < count; ++k) {
      end.push_back(to_day(add_months(as_of, -k * months)));
      start.push_back(to_day(add_months(as_of, -(k + 1) * months)) + 1);
    }
  }
  int of(Day d) const {
    for (size_t k = 0; k < end.size(); ++k) {
      if (d >= start[k] && d <= end[k]) return static_cast<int>(k);
    }
    return -1;
  }
  int size() const { return static_cast<int>(end.size()); }
};

bool present_on(const ChildFacts& c, Day day) {
  return c.birth != kNoDay && c.birth <= day && (c.died == kNoDay || c.died > day) &&
         (c.left == kNoDay || c.left > day);
}

// ---------------------------------------------------------------------------
// A child's results from the programme rules, worked out once per child on
// first use by any indicator.

struct ChildWork {
  const ChildFacts* child = nullptr;
  FactIndex index;  // built for every child before counting
  bool have_items = false, have_clocks = false, read_doses = false;
  std::vector<ItemResult> items;
  std::vector<ClockResult> clocks;
};

struct Context {
  const Programmes& programmes;
  const WordNumbers& numbers;
  const Vocabulary& words;
  Day as_of;
  const Schedule* imms = nullptr;
};

// One definition compiled: counts one child into a Tally.
class Counter {
 public:
  Counter(const IndicatorDefinition& d, const Context& x, const CoverageSpec& coverage, int periods)
      : d_(d), m_(d.measure), x_(x), periods_(from_day(x.as_of), d.period_months, periods) {
    if (!m_.event.kind.empty()) event_.emplace(m_.event, x.words, x.numbers);
    for (const EventMatcher& e : m_.same_day)
      same_day_.emplace_back(e, x.words, x.numbers);
    for (const Condition& c : m_.population)
      population_.emplace_back(c, x.words, x.numbers);
    for (const Condition& c : m_.numerator)
      numerator_.emplace_back(c, x.words, x.numbers);
    // Each condition's window on each period's last day, worked out once.
    for (const auto* rules : {&population_, &numerator_}) {
      for (const ConditionRule& r : *rules) {
        std::vector<Day> from;
        for (Day end : periods_.end)
          from.push_back(months_before(end, r.months()));
        windows_.push_back(std::move(from));
      }
    }
    if (m_.type == MeasureType::kCoverage) {
      for (size_t i = 0; i < coverage.measures.size(); ++i) {
        if (coverage.measures[i].id == m_.target) coverage_measures_.push_back(i);
      }
    }
    if (m_.type == MeasureType::kSchedule) {
      const auto& items = x.programmes.schedules().items();
      for (size_t i = 0; i < items.size(); ++i) {
        if (items[i]->id == m_.target) item_ = static_cast<int>(i);
      }
    }
  }
  const Periods& periods() const { return periods_; }
  const IndicatorDefinition& definition() const { return d_; }

  void count(ChildWork& w, const ChildSlots& slots, CoverageJudge* judge, Tally& t) const;

 private:
  void coverage(ChildWork& w, const ChildSlots& s, CoverageJudge* judge, Tally& t) const;
  void schedule(ChildWork& w, const ChildSlots& s, Tally& t) const;
  void clock(ChildWork& w, const ChildSlots& s, Tally& t) const;
  void events(ChildWork& w, const ChildSlots& s, Tally& t) const;
  void share(ChildWork& w, const ChildSlots& s, Tally& t) const;
  void people(ChildWork& w, const ChildSlots& s, Tally& t) const;
  bool immunised(const ChildFacts& c, Day day) const;

  const IndicatorDefinition& d_;
  const Measure& m_;
  const Context& x_;
  Periods periods_;
  std::optional<FactMatcher> event_;
  std::vector<FactMatcher> same_day_;
  std::vector<ConditionRule> population_, numerator_;
  std::vector<std::vector<Day>> windows_;  // [population_ then numerator_ rule][period]
  std::vector<size_t> coverage_measures_;
  int item_ = -1;
};

void Counter::count(ChildWork& w, const ChildSlots& s, CoverageJudge* judge, Tally& t) const {
  if (w.child->birth == kNoDay) return;
  switch (m_.type) {
    case MeasureType::kCoverage:
      return coverage(w, s, judge, t);
    case MeasureType::kSchedule:
      return schedule(w, s, t);
    case MeasureType::kClock:
      return clock(w, s, t);
    case MeasureType::kEvents:
      return events(w, s, t);
    case MeasureType::kShare:
      return share(w, s, t);
    case MeasureType::kPeople:
      return people(w, s, t);
  }
}

// COVER: children reaching the birthday in the period, present then and at
// the period's end, whose immunisation schedule it is (registered with a GP).
void Counter::coverage(ChildWork& w, const ChildSlots& s, CoverageJudge* judge, Tally& t) const {
  const ChildFacts& c = *w.child;
  if (x_.imms == nullptr || !in_population(c, *x_.imms, x_.words)) return;
  const Birthdays ages(c.birth);
  for (size_t i : coverage_measures_) {
    const Day birthday = judge->birthday(c, i);
    if (birthday == kNoDay) continue;
    const int k = periods_.of(birthday);
    if (k < 0 || !present_on(c, birthday) ||
        (c.left != kNoDay && c.left <= periods_.end[static_cast<size_t>(k)])) {
      continue;
    }
    if (!w.read_doses) judge->read(c), w.read_doses = true;
    const bool done = judge->immunised(c, i, birthday);
    add(t, k, band_of(ages.age_on(birthday)), s, done ? 1 : 0, 1);
  }
}

// Reviews: of the children whose deadline fell in the period, those seen by it.
// Moved-out and contraindicated items are not counted; declined ones are.
void Counter::schedule(ChildWork& w, const ChildSlots& s, Tally& t) const {
  if (item_ < 0) return;
  const ChildFacts& c = *w.child;
  const ScheduleItem& item = *x_.programmes.schedules().items()[static_cast<size_t>(item_)];
  // Most children's deadline for the item is in no period: skip the schedule.
  const Date birth = from_day(c.birth);
  const Day deadline =
      to_day(m_.also_by && item.also_by ? item.also_by->on(birth) : item.by.on(birth));
  if (periods_.of(deadline) < 0) return;
  if (!w.have_items) {
    x_.programmes.schedules().evaluate(c, x_.as_of, w.items);
    w.have_items = true;
  }
  for (const ItemResult& r : w.items) {
    if (r.item != item_ || r.status == ItemStatus::kNotYetDue ||
        r.status == ItemStatus::kMovedOut || r.status == ItemStatus::kContraindicated) {
      continue;
    }
    const Day by = m_.also_by && item.also_by ? deadline : r.by;
    const int k = periods_.of(by);
    if (k < 0 || by > x_.as_of) continue;
    const bool done =
        (r.status == ItemStatus::kDoneOnTime || r.status == ItemStatus::kDoneLate) && r.done <= by;
    add(t, k, band_of(Birthdays(c.birth).age_on(by)), s, done ? 1 : 0, 1);
  }
}

// Clocks: those stopped in the period, and those that fell overdue in it
// (not met). Exceptions are left out, as SEN2 leaves them out.
void Counter::clock(ChildWork& w, const ChildSlots& s, Tally& t) const {
  const ChildFacts& c = *w.child;
  if (!w.have_clocks) {
    x_.programmes.clocks().evaluate(c, x_.as_of, w.clocks);
    w.have_clocks = true;
  }
  for (const ClockResult& r : w.clocks) {
    if (r.clock != m_.target || r.state == ClockState::kException) continue;
    const bool stopped = r.stopped != kNoDay;
    if (!stopped && r.state != ClockState::kOverdue) continue;
    const Day day = stopped ? r.stopped : r.due;
    const int k = periods_.of(day);
    if (k < 0) continue;
    const int band = band_of(Birthdays(c.birth).age_on(day));
    if (d_.method == Method::kMedian) {
      if (stopped) add(t, k, band, s, 1, 1, static_cast<double>(r.stopped - r.start));
    } else {
      add(t, k, band, s, r.state == ClockState::kMet ? 1 : 0, 1);
    }
  }
}

// Rates: events at the ages counted, over the children of those ages in the
// ICS at the period's middle.
void Counter::events(ChildWork& w, const ChildSlots& s, Tally& t) const {
  const ChildFacts& c = *w.child;
  const Birthdays ages(c.birth);
  for (int k = 0; k < periods_.size(); ++k) {
    const size_t ku = static_cast<size_t>(k);
    const Day mid = periods_.start[ku] + (periods_.end[ku] - periods_.start[ku]) / 2;
    if (!present_on(c, mid)) continue;
    const int age = ages.age_on(mid);
    if (age >= m_.min_age && age <= m_.max_age) add(t, k, band_of(age), s, 0, 1);
  }
  if (event_->never()) return;
  for (const Fact& f : w.index.of(event_->kind())) {
    if (!event_->matches(f)) continue;
    const int k = periods_.of(f.start);
    if (k < 0) continue;
    const int age = ages.age_on(f.start);
    if (age >= m_.min_age && age <= m_.max_age) add(t, k, band_of(age), s, 1, 0);
  }
}

// Shares: of the unit events in the period, those with every same-day test met.
void Counter::share(ChildWork& w, const ChildSlots& s, Tally& t) const {
  const ChildFacts& c = *w.child;
  if (event_->never()) return;
  Day last_unit_day = kNoDay;
  for (const Fact& f : w.index.of(event_->kind())) {
    if (!event_->matches(f) || f.start == last_unit_day) continue;  // one unit a day
    last_unit_day = f.start;
    const int k = periods_.of(f.start);
    if (k < 0) continue;
    const bool all = std::all_of(same_day_.begin(), same_day_.end(), [&](const FactMatcher& need) {
      const std::span<const Fact> facts = w.index.of(need.kind());
      auto it = std::lower_bound(facts.begin(), facts.end(), f.start,
                                 [](const Fact& x, Day d) { return x.start < d; });
      for (; it != facts.end() && it->start == f.start; ++it) {
        if (need.matches(*it)) return true;
      }
      return false;
    });
    add(t, k, band_of(Birthdays(c.birth).age_on(f.start)), s, all ? 1 : 0, 1);
  }
}

bool Counter::immunised(const ChildFacts& c, Day day) const {
  // Statuses as on that day: nothing of the immunisation schedule overdue or missed.
  std::vector<ItemResult> items;
  x_.programmes.schedules().evaluate(c, day, items);
  const auto& all = x_.programmes.schedules().items();
  return std::none_of(items.begin(), items.end(), [&](const ItemResult& r) {
    return all[r.item]->programme == "imms" &&
           (r.status == ItemStatus::kOverdue || r.status == ItemStatus::kMissed);
  });
}

// People: of the children of the ages (or reaching the birthday) present on
// the anchor day and meeting the population conditions, those meeting the
// numerator's.
void Counter::people(ChildWork& w, const ChildSlots& s, Tally& t) const {
  const ChildFacts& c = *w.child;
  const Birthdays ages(c.birth);
  const std::function<bool(Day)> immunised = [&](Day day) { return this->immunised(c, day); };
  for (int k = 0; k < periods_.size(); ++k) {
    const size_t ku = static_cast<size_t>(k);
    Day anchor = periods_.end[ku];
    if (m_.birthday) {
      anchor = to_day(add_months(from_day(c.birth), 12 * *m_.birthday));
      if (anchor < periods_.start[ku] || anchor > periods_.end[ku]) continue;
    }
    if (!present_on(c, anchor)) continue;
    const int age = ages.age_on(anchor);
    if (!m_.birthday && (age < m_.min_age || age > m_.max_age)) continue;
    size_t window = 0;  // index into windows_, population_ rules first
    const auto all_hold = [&](const std::vector<ConditionRule>& rules) {
      bool all = true;
      for (const ConditionRule& r : rules) {
        const Day from = m_.birthday ? months_before(anchor, r.months()) : windows_[window][ku];
        ++window;
        all = all && r.holds(w.index, anchor, from, immunised);
      }
      return all;
    };
    if (!all_hold(population_)) continue;
    add(t, k, band_of(age), s, all_hold(numerator_) ? 1 : 0, 1);
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// From counts to published cells.

namespace {

struct GroupLabel {
  std::string code, name;
};

std::vector<GroupLabel> labels(const Layout::Breakdown& b, const Snapshot& s,
                               const std::map<std::string, std::string, std::less<>>& names) {
  std::vector<GroupLabel> out;
  const auto area = [&](const std::vector<std::string>& codes) {
    for (const std::string& c : codes) {
      if (c.empty()) {
        out.push_back({"not-known", "Not known"});
      } else {
        const auto n = names.find(c);
        out.push_back({c, n == names.end() ? c : n->second});
      }
    }
  };
  if (b.name == "all")
    out.push_back({"all", "All"});
  else if (b.name == "age-band") {
    for (int i = 0; i < kBands; ++i) {
      const std::string l = std::to_string(5 * i) + "-" + std::to_string(5 * i + 4);
      out.push_back({l, l});
    }
  } else if (b.name == "sex") {
    out = {{"not-known", "Not known"}, {"male", "Male"}, {"female", "Female"}};
  } else if (b.name == "ethnic-group") {
    for (uint8_t g = 0; g < 6; ++g) {
      std::string code(ethnic_group_name(g));
      std::transform(code.begin(), code.end(), code.begin(), ::tolower);
      std::replace(code.begin(), code.end(), ' ', '-');
      out.push_back({code, std::string(ethnic_group_name(g))});
    }
  } else if (b.name == "imd-decile" || b.name == "imd-quintile") {
    out.push_back({"not-known", "Not known"});
    const bool decile = b.name == "imd-decile";
    for (size_t i = 1; i < b.size; ++i) {
      out.push_back({std::to_string(i), (decile ? "Decile " : "Quintile ") + std::to_string(i) +
                                            (i == 1 ? " (most deprived)" : "")});
    }
  } else if (b.name == "core20") {
    out = {{"not-known", "Not known"},
           {"core20", "Core20 (IMD deciles 1-2)"},
           {"other", "IMD deciles 3-10"}};
  } else if (b.name == "local-authority")
    area(s.local_authorities);
  else if (b.name == "pcn")
    area(s.pcns);
  else if (b.name == "practice")
    area(s.practices);
  else if (b.name == "vulnerable-group") {
    for (const VulnerableGroup& g : s.groups)
      out.push_back({g.id, g.name});
  }
  return out;
}

struct Statistic {
  double value = kNaN;
  stats::Interval ci95{kNaN, kNaN}, ci998{kNaN, kNaN};
};

Statistic statistic(const IndicatorDefinition& d, const Tally& t, size_t index,
                    const std::vector<double>& weights) {
  Statistic r;
  const Count& c = t.counts[index];
  const double x = static_cast<double>(c.numerator), n = static_cast<double>(c.denominator);
  const double m = d.multiplier;
  const auto scale = [&](stats::Interval i, double by) {
    return stats::Interval{i.lower * by, i.upper * by};
  };
  switch (d.method) {
    case Method::kProportion:
      if (n <= 0) break;
      r.value = x / n * m;
      r.ci95 = scale(stats::wilson(x, n, stats::kZ95), m);
      r.ci998 = scale(stats::wilson(x, n, stats::kZ998), m);
      break;
    case Method::kCrudeRate:
      if (n <= 0) break;
      r.value = x / n * m;
      r.ci95 = scale(stats::byar(x, stats::kZ95), m / n);
      r.ci998 = scale(stats::byar(x, stats::kZ998), m / n);
      break;
    case Method::kDsr: {
      std::vector<stats::DsrStratum> strata;
      for (int b = 0; b < kBands; ++b) {
        const Count& s = t.strata[index * kBands + static_cast<size_t>(b)];
        if (s.denominator > 0) {
          strata.push_back({static_cast<double>(s.numerator), static_cast<double>(s.denominator),
                            weights[static_cast<size_t>(b)]});
        }
      }
      if (strata.empty()) break;
      const stats::Dsr dsr = stats::dobson_dsr(strata);
      r.value = dsr.value * m;
      r.ci95 = scale(dsr.ci95, m);
      r.ci998 = scale(dsr.ci998, m);
      if (std::isnan(r.value) && n > 0) r.value = kNaN;  // fewer than 10 events: not published
      break;
    }
    case Method::kMedian: {
      std::vector<double> v = t.durations[index];
      r.value = stats::median(v);
      break;
    }
  }
  return r;
}

// Cells that add up: each additive breakdown to the total, IMD deciles to
// their quintile and to Core20, practices to their PCN. Indexes are slots.
std::vector<Additive> additive_relations(const Layout& l, const Snapshot& s) {
  std::vector<Additive> out;
  for (const Layout::Breakdown& b : l.breakdowns) {
    if (b.name == "all" || b.name == "vulnerable-group") continue;  // groups overlap
    Additive a{0, {}};
    for (size_t i = 0; i < b.size; ++i)
      a.parts.push_back(b.offset + i);
    out.push_back(std::move(a));
  }
  const size_t dec = l.get("imd-decile").offset, quint = l.get("imd-quintile").offset;
  const size_t core = l.get("core20").offset;
  out.push_back({quint, {dec}});
  for (size_t q = 1; q <= 5; ++q)
    out.push_back({quint + q, {dec + 2 * q - 1, dec + 2 * q}});
  out.push_back({core, {dec}});
  out.push_back({core + 1, {dec + 1, dec + 2}});
  Additive other{core + 2, {}};
  for (size_t d = 3; d <= 10; ++d)
    other.parts.push_back(dec + d);
  out.push_back(std::move(other));
  const size_t pcn = l.get("pcn").offset, practice = l.get("practice").offset;
  std::vector<Additive> by_pcn(s.pcns.size());
  for (size_t p = 0; p < s.practices.size(); ++p) {
    const size_t of = p < s.pcn_of_practice.size() ? s.pcn_of_practice[p] : 0;
    by_pcn[of].total = pcn + of;
    by_pcn[of].parts.push_back(practice + p);
  }
  for (Additive& a : by_pcn) {
    if (!a.parts.empty()) out.push_back(std::move(a));
  }
  return out;
}

IndicatorResult finish(const Counter& counter, const Tally& t, const Layout& l, const Snapshot& s,
                       const std::map<std::string, std::string, std::less<>>& names,
                       const std::vector<double>& weights, const EngineOptions& o) {
  const IndicatorDefinition& d = counter.definition();
  const Periods& periods = counter.periods();
  const size_t np = static_cast<size_t>(periods.size());
  IndicatorResult result;
  result.definition = &d;

  // Statistics for every slot of every period, and suppression per period.
  std::vector<Statistic> stat(np * l.slots);
  std::vector<TableCell> table(np * l.slots);
  const std::vector<Additive> relations = additive_relations(l, s);
  for (size_t k = 0; k < np; ++k) {
    std::vector<TableCell> cells(l.slots);
    for (size_t i = 0; i < l.slots; ++i) {
      const size_t at = k * l.slots + i;
      stat[at] = statistic(d, t, at, weights);
      cells[i].numerator = t.counts[at].numerator;
      cells[i].denominator = t.counts[at].denominator;
    }
    // A group with nobody in it is not published and is known to be zero:
    // it cannot hide anything, so it takes no part in secondary suppression.
    std::vector<Additive> published = relations;
    for (Additive& a : published) {
      std::erase_if(a.parts, [&](size_t i) { return cells[i].denominator == 0; });
    }
    suppress(cells, published, d.suppression);
    std::copy(cells.begin(), cells.end(), table.begin() + static_cast<std::ptrdiff_t>(k * l.slots));
  }

  const bool rate = d.method == Method::kCrudeRate || d.method == Method::kDsr;
  // Age bands only where the indicator's children span more than one.
  int bands_used = 0;
  for (int b = 0; b < kBands; ++b)
    bands_used += t.counts[1 + static_cast<size_t>(b)].denominator > 0 ? 1 : 0;

  for (size_t k = 0; k < np; ++k) {
    const Statistic& total = stat[k * l.slots];
    const Count& total_count = t.counts[k * l.slots];
    for (const Layout::Breakdown& b : l.breakdowns) {
      if (b.name != "all" && !d.breakdowns.empty() &&
          std::find(d.breakdowns.begin(), d.breakdowns.end(), b.name) == d.breakdowns.end()) {
        continue;
      }
      if (b.name == "age-band" && bands_used < 2) continue;
      const std::vector<GroupLabel> groups = labels(b, s, names);
      for (size_t g = 0; g < b.size; ++g) {
        const size_t at = k * l.slots + b.offset + g;
        const Count& c = t.counts[at];
        if (c.denominator == 0 && b.name != "all") continue;
        IndicatorCell cell;
        cell.period = static_cast<int>(k);
        cell.period_start = from_day(periods.start[k]);
        cell.period_end = from_day(periods.end[k]);
        cell.breakdown = b.name;
        cell.group = groups[g].code;
        cell.group_name = groups[g].name;
        cell.numerator = c.numerator;
        cell.denominator = c.denominator;
        cell.value = stat[at].value;
        cell.ci95 = stat[at].ci95;
        cell.ci998 = stat[at].ci998;
        cell.suppressed = table[at].suppressed;

        // The benchmark: England for the ICS total (when loaded), else the ICS.
        if (b.name == "all") {
          const auto e = o.england.find(d.id);
          cell.benchmark = e == o.england.end() ? kNaN : e->second;
        } else {
          cell.benchmark = total.value;
        }
        cell.compared95 = stats::compare(cell.ci95, cell.benchmark, d.polarity);
        cell.compared998 = stats::compare(cell.ci998, cell.benchmark, d.polarity);

        const bool area = b.name == "local-authority" || b.name == "pcn" || b.name == "practice";
        cell.funnel95 = cell.funnel998 = {kNaN, kNaN};
        // Funnel plots are drawn for the latest period only.
        if (area && k == 0 && total_count.denominator > 0 && c.denominator > 0 &&
            (d.method == Method::kProportion || d.method == Method::kCrudeRate)) {
          const double avg = static_cast<double>(total_count.numerator) /
                             static_cast<double>(total_count.denominator);
          const double n = static_cast<double>(c.denominator), m = d.multiplier;
          const auto f = [&](double z) {
            const stats::Interval i =
                rate ? stats::funnel_rate(avg, n, z) : stats::funnel_proportion(avg, n, z);
            return stats::Interval{i.lower * m, i.upper * m};
          };
          cell.funnel95 = f(stats::kZ95);
          cell.funnel998 = f(stats::kZ998);
        }

        // Trend over this group's periods, oldest first; none if any is hidden.
        if (d.method != Method::kMedian && np >= 5) {
          std::vector<stats::TrendPoint> points;
          bool hidden = false;
          for (size_t j = np; j-- > 0;) {
            const size_t pj = j * l.slots + b.offset + g;
            hidden = hidden || table[pj].suppressed != Suppressed::kNo;
            points.push_back({static_cast<double>(t.counts[pj].numerator),
                              static_cast<double>(t.counts[pj].denominator)});
          }
          if (!hidden) {
            cell.trend = rate ? stats::rate_trend(points) : stats::proportion_trend(points);
          }
        }
        if (cell.suppressed != Suppressed::kNo) {
          // Nothing that would let the hidden count be worked out.
          cell.numerator = -1;
          if (d.suppression.denominator_max > 0) cell.denominator = -1;
          cell.value = kNaN;
          cell.ci95 = cell.ci998 = {kNaN, kNaN};
          cell.compared95 = cell.compared998 = stats::Comparison::kNotCompared;
        }
        result.cells.push_back(std::move(cell));
      }
    }
  }

  // SII across IMD deciles, most deprived first (latest period).
  if (d.method == Method::kProportion || d.method == Method::kCrudeRate) {
    std::vector<stats::SiiGroup> groups;
    const size_t dec = l.get("imd-decile").offset;
    for (size_t decile = 1; decile <= 10; ++decile) {
      const Count& c = t.counts[dec + decile];
      if (c.denominator <= 0) continue;
      const double x = static_cast<double>(c.numerator), n = static_cast<double>(c.denominator);
      const double p = x / n;
      const double se =
          d.method == Method::kProportion ? std::sqrt(p * (1 - p) / n) : std::sqrt(x) / n;
      groups.push_back({p * d.multiplier, n, se * d.multiplier});
    }
    if (groups.size() >= 2) result.sii = stats::slope_index(groups);
  }
  return result;
}

}  // namespace

Result<std::vector<double>> load_standard_population(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io_error("cannot read the standard population " + path);
  CsvReader reader(in);
  auto header = reader.next();
  if (!header || header->fields != std::vector<std::string>{"age_band", "weight"}) {
    return Error::invalid_argument(path + ": the header must be age_band,weight");
  }
  std::vector<double> weights;
  while (auto r = reader.next()) {
    const std::string where = path + " line " + std::to_string(r->line);
    if (r->error || r->fields.size() != 2)
      return Error::invalid_argument(where + ": expected age_band,weight");
    const std::string expected =
        std::to_string(5 * weights.size()) + "-" + std::to_string(5 * weights.size() + 4);
    if (weights.size() < kBands && r->fields[0] != expected) {
      return Error::invalid_argument(where + ": expected the band " + expected);
    }
    char* end = nullptr;
    const double w = std::strtod(r->fields[1].c_str(), &end);
    if (end == r->fields[1].c_str() || *end != '\0' || !(w > 0) || !std::isfinite(w)) {
      return Error::invalid_argument(where + ": weight '" + r->fields[1] +
                                     "' is not a positive number");
    }
    weights.push_back(w);
  }
  if (weights.size() < kBands)
    return Error::invalid_argument(path + ": fewer than the five bands 0-4 .. 20-24");
  weights.resize(kBands);
  return weights;
}

Result<std::vector<IndicatorResult>> compute_indicators(
    const std::vector<IndicatorDefinition>& definitions, Snapshot& snapshot,
    const ProgrammeRules& rules, const CoverageSpec& coverage,
    const std::vector<double>& standard_population, const EngineOptions& options) {
  if (options.periods < 1 || options.periods > 20) {
    return Error::invalid_argument("indicators: periods must be from 1 to 20");
  }
  if (standard_population.size() < kBands) {
    return Error::invalid_argument("indicators: the standard population needs five age bands");
  }
  Vocabulary& words = snapshot.population.words;
  const Programmes programmes(rules, words);  // interns the rules' codes first
  auto judge = CoverageJudge::compile(coverage, rules.schedules, words);
  if (!judge.ok()) return judge.error();
  const WordNumbers numbers(words);
  Context x{programmes, numbers, words, to_day(options.as_of), nullptr};
  for (const Schedule& sch : rules.schedules) {
    if (sch.id == "imms") x.imms = &sch;
  }

  // Every definition's target must exist, or the figures would be silently empty.
  std::vector<Counter> counters;
  for (const IndicatorDefinition& d : definitions) {
    const Measure& m = d.measure;
    const auto missing = [&](const std::string& what) {
      return Error::invalid_argument(d.origin + ": indicator '" + d.id + "': " + what + " '" +
                                     m.target + "' is not defined");
    };
    if (m.type == MeasureType::kCoverage &&
        std::none_of(coverage.measures.begin(), coverage.measures.end(),
                     [&](const CoverageMeasure& c) { return c.id == m.target; })) {
      return missing("coverage measure");
    }
    if (m.type == MeasureType::kSchedule &&
        std::none_of(programmes.schedules().items().begin(), programmes.schedules().items().end(),
                     [&](const ScheduleItem* i) { return i->id == m.target; })) {
      return missing("schedule item");
    }
    if (m.type == MeasureType::kClock) {
      static constexpr std::string_view kClocks[] = {clock_id::kEhcDecision,
                                                     clock_id::kEhcPlan,
                                                     clock_id::kEhcNoPlan,
                                                     clock_id::kLacInitialHealth,
                                                     clock_id::kLacReviewHealth,
                                                     clock_id::kTransitionPlan,
                                                     clock_id::kAdultService,
                                                     clock_id::kCamhsFirstContact,
                                                     clock_id::kCommunityPaediatrics,
                                                     clock_id::kEpilepsySpecialist,
                                                     clock_id::kAutismDiagnosis,
                                                     clock_id::kEpilepsyDiagnosis};
      if (std::find(std::begin(kClocks), std::end(kClocks), m.target) == std::end(kClocks)) {
        return missing("clock");
      }
    }
    counters.emplace_back(d, x, coverage, options.periods);
  }
  if (snapshot.groups.size() > 32) {
    return Error::invalid_argument("indicators: at most 32 vulnerable groups");
  }

  const Layout layout(snapshot);
  const auto& children = snapshot.population.children;
  const size_t threads = std::clamp<size_t>(static_cast<size_t>(std::max(1, options.threads)), 1,
                                            std::max<size_t>(1, children.size() / 1000 + 1));
  std::vector<std::vector<Tally>> tallies(threads);
  const auto work = [&](size_t part) {
    std::vector<Tally>& mine = tallies[part];
    for (const Counter& c : counters)
      mine.emplace_back(static_cast<size_t>(options.periods), layout.slots, c.definition().method);
    CoverageJudge my_judge = *judge;
    const size_t from = children.size() * part / threads;
    const size_t to = children.size() * (part + 1) / threads;
    ChildWork w;
    for (size_t i = from; i < to; ++i) {
      w.child = &children[i];
      w.index.build(children[i]);
      w.have_items = w.have_clocks = w.read_doses = false;
      w.items.clear();
      w.clocks.clear();
      const ChildSlots slots(layout, snapshot.profiles[i]);
      for (size_t c = 0; c < counters.size(); ++c)
        counters[c].count(w, slots, &my_judge, mine[c]);
    }
  };
  std::vector<std::thread> pool;
  for (size_t p = 1; p < threads; ++p)
    pool.emplace_back(work, p);
  work(0);
  for (std::thread& th : pool)
    th.join();
  for (size_t p = 1; p < threads; ++p) {
    for (size_t c = 0; c < counters.size(); ++c)
      tallies[0][c].merge(tallies[p][c]);
  }

  // Statistics and suppression, indicators shared between the threads.
  std::vector<IndicatorResult> out(counters.size());
  const auto finish_part = [&](size_t part) {
    for (size_t c = part; c < counters.size(); c += threads) {
      out[c] = finish(counters[c], tallies[0][c], layout, snapshot, snapshot.area_names,
                      standard_population, options);
    }
  };
  pool.clear();
  for (size_t p = 1; p < threads; ++p)
    pool.emplace_back(finish_part, p);
  finish_part(0);
  for (std::thread& th : pool)
    th.join();
  return out;
}

}  // namespace onechild
