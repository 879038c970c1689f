#include "programmes/load_facts.h"

#include <algorithm>
#include <thread>
#include <unordered_map>

#include "core/progress.h"

namespace onechild {
namespace {

// "YYYY-MM-DD" (the store's date form) to a day number; kNoDay otherwise.
Day parse_day(std::string_view s) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return kNoDay;
  int v[3] = {0, 0, 0};
  const int spans[3][2] = {{0, 4}, {5, 7}, {8, 10}};
  for (int k = 0; k < 3; ++k) {
    for (int i = spans[k][0]; i < spans[k][1]; ++i) {
      if (s[static_cast<size_t>(i)] < '0' || s[static_cast<size_t>(i)] > '9') return kNoDay;
      v[k] = v[k] * 10 + (s[static_cast<size_t>(i)] - '0');
    }
  }
  const Date d{std::chrono::year{v[0]}, std::chrono::month{static_cast<unsigned>(v[1])},
               std::chrono::day{static_cast<unsigned>(v[2])}};
  return d.ok() ? to_day(d) : kNoDay;
}

struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using PersonIndex = std::unordered_map<std::string, uint32_t, KeyHash, std::equal_to<>>;

// A record's key: the source system's id and the source's own person id.
void person_key(std::string& key, int64_t source, std::string_view original_id) {
  key.assign(std::to_string(source));
  key += '\x1f';
  key += original_id;
}

// What the child's records say about them; the commonest value wins, the
// GP's breaking ties (it is traced against the national register most often).
struct Votes {
  std::vector<uint32_t> sources;
  std::vector<std::pair<Day, int>> births;
  std::vector<std::pair<uint32_t, int>> sexes;
  std::vector<std::pair<uint32_t, int>> ethnicities;
  uint32_t practice = 0;
  uint32_t postcode = 0;

  template <typename T>
  static void add(std::vector<std::pair<T, int>>& v, T value, int weight) {
    for (auto& [x, n] : v) {
      if (x == value) {
        n += weight;
        return;
      }
    }
    v.emplace_back(value, weight);
  }
  template <typename T>
  static T winner(const std::vector<std::pair<T, int>>& v, T none) {
    T best = none;
    int most = 0;
    for (const auto& [x, n] : v) {
      if (n > most) best = x, most = n;
    }
    return best;
  }
};

// Consecutive rows mostly repeat a kind, a code, a person (a feed sends a
// child's events together): remembering the last value answers most
// lookups with one comparison instead of a hash probe.
template <typename T>
struct LastSeen {
  std::string text;
  int64_t source = -1;
  T value{};
  bool matches(int64_t s, std::string_view t) const { return s == source && t == text; }
  void remember(int64_t s, std::string_view t, T v) {
    source = s;
    text.assign(t);
    value = v;
  }
};

class Loader {
 public:
  Loader(Database& db, const FactFilter& filter, Vocabulary& words)
      : db_(db), filter_(filter), words_(words) {}

  Status load_sources();
  // Adds one current person version's evidence (a row of kPersonColumns,
  // the child's id after them) to child `index`.
  void add_person(uint32_t index, Statement& row);
  Status read_events(Statement& stmt, const PersonIndex* persons, ChildFacts* only,
                     std::vector<ChildFacts>* all, Progress* progress);
  void settle(ChildFacts& child, const Votes& votes) const;

  std::vector<Votes> votes;

 private:
  // Interns text, asking the column's last value first.
  uint32_t word(LastSeen<uint32_t>& last, std::string_view text) {
    if (last.matches(0, text)) return last.value;
    const uint32_t id = words_.intern(text);
    last.remember(0, text, id);
    return id;
  }
  bool wanted_cached(std::string_view kind, std::string_view code) {
    if (wanted_kind_.matches(0, kind) && wanted_code_.matches(0, code)) return wanted_code_.value;
    const bool yes = wanted(kind, code);
    wanted_kind_.remember(0, kind, 0);
    wanted_code_.remember(0, code, yes);
    return yes;
  }
  bool wanted(std::string_view kind, std::string_view code) const {
    if (!filter_.kinds.empty() &&
        std::find(filter_.kinds.begin(), filter_.kinds.end(), kind) == filter_.kinds.end()) {
      return false;
    }
    const auto codes = filter_.codes.find(kind);
    return codes == filter_.codes.end() ||
           std::find(codes->second.begin(), codes->second.end(), code) != codes->second.end();
  }
  uint32_t source_word(int64_t source) const {
    const auto it = sources_.find(source);
    return it == sources_.end() ? 0 : it->second;
  }

  Database& db_;
  const FactFilter& filter_;
  Vocabulary& words_;
  std::unordered_map<int64_t, uint32_t> sources_;
  uint32_t gp_ = 0;
  LastSeen<uint32_t> wanted_kind_, last_kind_, last_code_, last_display_, last_status_, last_value_;
  LastSeen<bool> wanted_code_;
  LastSeen<ChildFacts*> last_person_;
};

Status Loader::load_sources() {
  auto stmt = db_.prepare("SELECT id, code FROM source_systems");
  if (!stmt.ok()) return stmt.error();
  gp_ = words_.intern("gp");
  return stmt->each_row(
      [&](Statement& s) { sources_[s.column_int64(0)] = words_.intern(s.column_view(1)); });
}

void Loader::add_person(uint32_t index, Statement& row) {
  const int64_t source = row.column_int64(0);
  const std::string_view birth = row.column_view(2), sex = row.column_view(3);
  const std::string_view practice = row.column_view(4), postcode = row.column_view(5);
  const std::string_view ethnicity = row.column_view(6);
  Votes& v = votes[index];
  v.sources.push_back(source_word(source));
  const bool gp = source_word(source) == gp_;
  const int weight = gp ? 3 : 2;
  if (const Day b = parse_day(birth); b != kNoDay) Votes::add(v.births, b, weight);
  if (!sex.empty()) Votes::add(v.sexes, words_.intern(sex), weight);
  // "Z" is "not stated": any stated category outvotes it.
  if (!ethnicity.empty())
    Votes::add(v.ethnicities, words_.intern(ethnicity), ethnicity == "Z" ? 1 : weight);
  // Practice and address: the GP's (the registration), else the first seen.
  if (!practice.empty() && (v.practice == 0 || gp)) v.practice = words_.intern(practice);
  if (!postcode.empty() && (v.postcode == 0 || gp)) v.postcode = words_.intern(postcode);
}

Status Loader::read_events(Statement& stmt, const PersonIndex* persons, ChildFacts* only,
                           std::vector<ChildFacts>* all, Progress* progress) {
  std::string key;
  return stmt.each_row([&](Statement& s) {
    if (progress) progress->advance();
    const std::string_view kind = s.column_view(2), code = s.column_view(3);
    if (!wanted_cached(kind, code)) return;
    Fact f;
    f.start = parse_day(s.column_view(7));
    if (f.start == kNoDay) return;
    const int64_t source = s.column_int64(0);
    ChildFacts* child = only;
    if (persons != nullptr) {
      const std::string_view person = s.column_view(1);
      if (last_person_.matches(source, person)) {
        child = last_person_.value;
      } else {
        person_key(key, source, person);
        const auto it = persons->find(std::string_view(key));
        child = it == persons->end() ? nullptr : &(*all)[it->second];
        last_person_.remember(source, person, child);
      }
      if (child == nullptr) return;  // a person not linked yet
    }
    f.source = source_word(source);
    f.kind = word(last_kind_, kind);
    f.code = word(last_code_, code);
    f.display = word(last_display_, s.column_view(4));
    f.status = word(last_status_, s.column_view(5));
    f.value = word(last_value_, s.column_view(6));
    f.end = parse_day(s.column_view(8));
    child->facts.push_back(f);
  });
}

void Loader::settle(ChildFacts& child, const Votes& v) const {
  child.birth = Votes::winner(v.births, kNoDay);
  child.sex = Votes::winner(v.sexes, uint32_t{0});
  child.practice = v.practice;
  child.postcode = v.postcode;
  child.ethnicity = Votes::winner(v.ethnicities, uint32_t{0});
  child.sources = v.sources;
  std::sort(child.sources.begin(), child.sources.end());
  child.sources.erase(std::unique(child.sources.begin(), child.sources.end()), child.sources.end());
  std::sort(child.facts.begin(), child.facts.end(), [](const Fact& a, const Fact& b) {
    return a.start != b.start ? a.start < b.start : a.kind < b.kind;
  });
}

constexpr std::string_view kPersonColumns =
    "p.source_system_id, p.original_id, p.birth_date, p.sex, p.gp_practice, p.postcode, "
    "p.ethnic_category";

constexpr std::string_view kEventColumns =
    "source_system_id, person_original_id, kind, code, display, status, value, start_date, "
    "end_date";

// Events with ids in [from, to], read into `into` (one entry per child).
Status read_event_range(Database& db, Loader& loader, const PersonIndex& persons, int64_t from,
                        int64_t to, std::vector<ChildFacts>& into, Progress* progress) {
  auto stmt =
      db.prepare(std::string("SELECT ") + std::string(kEventColumns) +
                 " FROM source_events WHERE id BETWEEN ?1 AND ?2 AND superseded_by IS NULL");
  if (!stmt.ok()) return stmt.error();
  stmt->bind(1, from).bind(2, to);
  return loader.read_events(*stmt, &persons, nullptr, &into, progress);
}

// Every current event into pop's children. Scanning the events is most of
// a load, so on a large store the upper half of the table is read at the
// same time on a second connection, into its own vocabulary; its facts are
// then renumbered into pop's words and put after the lower half's, so the
// result is the same as one scan in id order.
Status read_all_events(Database& db, const FactFilter& filter, Loader& loader,
                       const PersonIndex& persons, Population& pop, bool show_progress,
                       int64_t split_above) {
  auto range = db.prepare("SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM source_events");
  if (!range.ok()) return range.error();
  if (auto row = range->step(); !row.ok()) return row.error();
  const int64_t first = range->column_int64(0), last = range->column_int64(1);
  const bool split = last - first >= split_above && store_is_plain_file(db);
  const int64_t middle = split ? first + (last - first) / 2 : last;

  Vocabulary upper_words;
  std::vector<ChildFacts> upper(split ? pop.children.size() : 0);
  Status upper_status;
  std::thread upper_reader;
  if (split) {
    upper_reader = std::thread([&] {
      auto other = Database::open(db.path());
      if (!other.ok()) {
        upper_status = other.error();
        return;
      }
      Loader upper_loader(*other, filter, upper_words);
      upper_status = upper_loader.load_sources();
      if (upper_status.ok())
        upper_status =
            read_event_range(*other, upper_loader, persons, middle + 1, last, upper, nullptr);
    });
  }
  Progress progress(split ? "Reading events (two at once)" : "Reading events", 0,
                    show_progress && progress_wanted());
  Status lower_status =
      read_event_range(db, loader, persons, first, middle, pop.children, &progress);
  if (upper_reader.joinable()) upper_reader.join();
  progress.finish();
  if (!lower_status.ok()) return lower_status;
  if (!upper_status.ok()) return upper_status;
  if (!split) return {};
  std::vector<uint32_t> renumber(upper_words.size());
  for (uint32_t w = 0; w < upper_words.size(); ++w)
    renumber[w] = pop.words.intern(upper_words.text(w));
  for (size_t i = 0; i < upper.size(); ++i) {
    std::vector<Fact>& facts = pop.children[i].facts;
    std::vector<Fact>& more = upper[i].facts;
    facts.reserve(facts.size() + more.size());
    for (Fact f : more) {
      for (uint32_t* w : {&f.source, &f.kind, &f.code, &f.display, &f.status, &f.value})
        *w = renumber[*w];
      facts.push_back(f);
    }
    std::vector<Fact>().swap(more);
  }
  return {};
}
}  // namespace

bool store_is_plain_file(const Database& db) {
  const std::string& path = db.path();
  return !path.empty() && path != ":memory:" && path.rfind("file:", 0) != 0;
}

Result<Population> load_population(Database& db, const FactFilter& filter, bool show_progress,
                                   int64_t split_above) {
  Population pop;
  Loader loader(db, filter, pop.words);
  if (Status s = loader.load_sources(); !s.ok()) return s.error();

  // Children, and where each merged id now lives.
  std::unordered_map<int64_t, int64_t> merged;
  std::unordered_map<int64_t, uint32_t> index;
  {
    auto stmt = db.prepare("SELECT id, merged_into FROM children ORDER BY id");
    if (!stmt.ok()) return stmt.error();
    Status s = stmt->each_row([&](Statement& st) {
      const int64_t id = st.column_int64(0);
      if (st.column_is_null(1)) {
        index.emplace(id, static_cast<uint32_t>(pop.children.size()));
        ChildFacts child;
        child.child_id = id;
        pop.children.push_back(std::move(child));
      } else {
        merged.emplace(id, st.column_int64(1));
      }
    });
    if (!s.ok()) return s.error();
  }
  const auto root = [&](int64_t id) -> const uint32_t* {
    for (int hops = 0; hops < 100; ++hops) {
      if (const auto it = index.find(id); it != index.end()) return &it->second;
      const auto m = merged.find(id);
      if (m == merged.end()) return nullptr;
      id = m->second;
    }
    return nullptr;
  };
  loader.votes.resize(pop.children.size());

  PersonIndex persons;
  {
    // Sized once: growing a table of millions of keys rehashes it each time.
    auto count = db.prepare("SELECT count(*) FROM links");
    if (!count.ok()) return count.error();
    if (auto row = count->step(); !row.ok()) return row.error();
    persons.reserve(static_cast<size_t>(count->column_int64(0)));
    auto stmt = db.prepare("SELECT " + std::string(kPersonColumns) + R"sql(, l.child_id
      FROM source_persons p JOIN links l ON l.source_person_id = p.id
      WHERE p.superseded_by IS NULL)sql");
    if (!stmt.ok()) return stmt.error();
    std::string key;
    Status s = stmt->each_row([&](Statement& st) {
      const uint32_t* at = root(st.column_int64(7));
      if (at == nullptr) return;
      person_key(key, st.column_int64(0), st.column_view(1));
      persons.emplace(key, *at);
      loader.add_person(*at, st);
    });
    if (!s.ok()) return s.error();
  }

  if (Status s = read_all_events(db, filter, loader, persons, pop, show_progress, split_above);
      !s.ok()) {
    return s.error();
  }
  for (size_t i = 0; i < pop.children.size(); ++i)
    loader.settle(pop.children[i], loader.votes[i]);
  return pop;
}

Result<ChildFacts> load_child_facts(Database& db, int64_t child_id, const FactFilter& filter,
                                    Vocabulary& words) {
  Loader loader(db, filter, words);
  if (Status s = loader.load_sources(); !s.ok()) return s.error();
  {
    auto stmt = db.prepare("SELECT merged_into FROM children WHERE id = ?1");
    if (!stmt.ok()) return stmt.error();
    for (int hops = 0;; ++hops) {
      stmt->reset();
      stmt->bind(1, child_id);
      auto row = stmt->step();
      if (!row.ok()) return row.error();
      if (!*row) return Error::not_found("no child with id " + std::to_string(child_id));
      if (stmt->column_is_null(0) || hops > 100) break;
      child_id = stmt->column_int64(0);
    }
  }
  ChildFacts child;
  child.child_id = child_id;
  loader.votes.resize(1);
  auto persons = db.prepare("SELECT " + std::string(kPersonColumns) + R"sql(
    FROM links l JOIN source_persons p ON p.id = l.source_person_id
    WHERE l.child_id = ?1 AND p.superseded_by IS NULL)sql");
  if (!persons.ok()) return persons.error();
  auto events = db.prepare(std::string("SELECT ") + std::string(kEventColumns) +
                           " FROM source_events WHERE source_system_id = ?1 AND "
                           "person_original_id = ?2 AND superseded_by IS NULL");
  if (!events.ok()) return events.error();
  persons->bind(1, child_id);
  std::vector<std::pair<int64_t, std::string>> records;
  Status s = persons->each_row([&](Statement& st) {
    records.emplace_back(st.column_int64(0), st.column_text(1));
    loader.add_person(0, st);
  });
  if (!s.ok()) return s.error();
  std::sort(records.begin(), records.end());
  records.erase(std::unique(records.begin(), records.end()), records.end());
  for (const auto& [source, original_id] : records) {
    events->reset();
    events->bind(1, source).bind(2, original_id);
    if (Status e = loader.read_events(*events, nullptr, &child, nullptr, nullptr); !e.ok()) {
      return e.error();
    }
  }
  loader.settle(child, loader.votes[0]);
  return child;
}

}  // namespace onechild
