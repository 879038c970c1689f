// Issues 6 and 7 on a real synthetic ICS: synth -> ingest -> link -> worklist
// and indicators. The worklists are checked
// against a hand calculation from the store and the
// overdue rates against the synthetic truth (truth/programmes.csv: what the
// programmes really did for each child, before any feed's errors).
#include "programmes/programmes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/csv.h"
#include "programmes/population_file.h"
#include "store/database.h"
#include "support/run_cli.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

using testing::TempDir;
namespace json = boost::json;

constexpr const char* kAsOf = "2026-11-24";

using testing::onechild;
using testing::Run;
using testing::slurp;

std::vector<std::map<std::string, std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  CsvReader reader(in);
  auto header = reader.next();
  std::vector<std::map<std::string, std::string>> rows;
  while (auto r = reader.next()) {
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < r->fields.size() && i < header->fields.size(); ++i)
      row[header->fields[i]] = r->fields[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// The synthetic vaccines' codes (src/synth/life/immunisation.cc).
const std::map<std::string, std::string> kVaccineCodes = {
    {"6in1", "1162640003"},  {"5in1", "414619005"}, {"MenB", "871873005"},
    {"Rota", "871761004"},   {"PCV", "836398006"},  {"HibMenC", "871871007"},
    {"MenC", "871866001"},   {"MMR", "871831003"},  {"MMRV", "871908002"},
    {"4in1", "871893003"},   {"HPV", "836379009"},  {"TdIPV", "871887006"},
    {"MenACWY", "871874004"}};

// The truth as a Population: each true child with what really happened.
Population truth_population(const std::string& dir) {
  Population pop;
  std::map<std::string, size_t> index;
  for (const auto& c : read_csv(dir + "/truth/children.csv")) {
    ChildFacts child;
    child.child_id = static_cast<int64_t>(pop.children.size() + 1);
    child.birth = to_day(*parse_iso_date(c.at("birth_date")));
    child.sex = pop.words.intern(c.at("sex"));
    if (!c.at("died").empty()) child.died = to_day(*parse_iso_date(c.at("died")));
    index[c.at("person_id")] = pop.children.size();
    pop.children.push_back(std::move(child));
  }
  // Which sources hold a record of each child: whose schedule it is.
  for (const auto& r : read_csv(dir + "/truth/persons.csv")) {
    const auto at = index.find(r.at("person_id"));
    if (at == index.end()) continue;
    auto& sources = pop.children[at->second].sources;
    const uint32_t source = pop.words.intern(r.at("source"));
    if (std::find(sources.begin(), sources.end(), source) == sources.end()) {
      sources.push_back(source);
      std::sort(sources.begin(), sources.end());
    }
  }
  for (const auto& r : read_csv(dir + "/truth/programmes.csv")) {
    const auto at = index.find(r.at("person_id"));
    if (at == index.end()) continue;
    Fact f;
    f.start = to_day(*parse_iso_date(r.at("date")));
    if (r.at("programme") == "hcp") {
      f.kind = pop.words.intern("encounter");
      f.code = pop.words.intern(r.at("item"));
      f.status = pop.words.intern("finished");
    } else {
      f.kind = pop.words.intern("immunisation");
      f.code = pop.words.intern(kVaccineCodes.at(r.at("item")));
      const bool declined = r.at("outcome") == "declined";
      f.status = pop.words.intern(declined ? "not-done" : "completed");
      if (declined) f.value = pop.words.intern("PATOBJ");
    }
    pop.children[at->second].facts.push_back(f);
  }
  for (ChildFacts& c : pop.children) {
    std::sort(c.facts.begin(), c.facts.end(),
              [](const Fact& a, const Fact& b) { return a.start < b.start; });
  }
  return pop;
}

struct Rates {
  std::map<std::string, int> applicable, overdue, done;
};

// Per item, among children under 5 on the date: how many it applies to, are
// overdue and have had it.
Rates rates(const ProgrammeRules& rules, Population& pop, Day as_of) {
  const Programmes p(rules, pop.words);
  Rates r;
  std::vector<ItemResult> out;
  for (const ChildFacts& c : pop.children) {
    if (c.birth == kNoDay || c.birth <= as_of - 5 * 365 || c.birth > as_of) continue;
    if (c.died != kNoDay && c.died <= as_of) continue;
    out.clear();
    p.schedules().evaluate(c, as_of, out);
    for (const ItemResult& i : out) {
      const std::string& id = p.schedules().items()[i.item]->id;
      ++r.applicable[id];
      if (i.status == ItemStatus::kOverdue) ++r.overdue[id];
      if (i.status == ItemStatus::kDoneOnTime || i.status == ItemStatus::kDoneLate) ++r.done[id];
    }
  }
  return r;
}

class ProgrammesOnSyntheticIcs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    const TempDir& d = *dir_;
    auto synth = onechild(d, std::string("synth --children 2500 --seed 5 --as-of ") + kAsOf +
                                 " --out '" + d.file("ics") + "'");
    ASSERT_EQ(synth.status, 0) << synth.err;
    auto ingest = onechild(d, "ingest --db '" + d.file("ics.db") + "' --as-of " + kAsOf + " '" +
                                  d.file("ics/feeds") + "'");
    ASSERT_EQ(ingest.status, 0) << ingest.err;
    auto link = onechild(d, "link --db '" + d.file("ics.db") + "'");
    ASSERT_EQ(link.status, 0) << link.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string db() { return dir_->file("ics.db"); }
  static TempDir* dir_;
};
TempDir* ProgrammesOnSyntheticIcs::dir_ = nullptr;

TEST_F(ProgrammesOnSyntheticIcs, OverdueRatesFollowTheSyntheticTruth) {
  auto rules = ProgrammeRules::load(ProgrammeRules::default_config_dir());
  ASSERT_TRUE(rules.ok()) << rules.error().to_string();
  auto store = Database::open(db());
  ASSERT_TRUE(store.ok());
  auto linked = load_population(*store, rules->filter());
  ASSERT_TRUE(linked.ok()) << linked.error().to_string();
  Population truth = truth_population(dir_->file("ics"));
  const Day as_of = to_day(*parse_iso_date(kAsOf));
  const Rates from_store = rates(*rules, *linked, as_of);
  const Rates from_truth = rates(*rules, truth, as_of);
  int compared = 0, overdue_store = 0, overdue_truth = 0;
  for (const auto& [item, n] : from_truth.applicable) {
    overdue_truth += from_truth.overdue.count(item) ? from_truth.overdue.at(item) : 0;
    overdue_store += from_store.overdue.count(item) ? from_store.overdue.at(item) : 0;
    if (n < 100) continue;
    const int m = from_store.applicable.count(item) ? from_store.applicable.at(item) : 0;
    // The same children are in both (linkage joins each child's records).
    EXPECT_NEAR(m, n, 0.03 * n) << item;
    const auto rate = [&](const std::map<std::string, int>& count, int total) {
      const auto it = count.find(item);
      return total == 0 ? 0.0 : (it == count.end() ? 0 : it->second) / double(total);
    };
    EXPECT_NEAR(rate(from_store.overdue, m), rate(from_truth.overdue, n), 0.02) << item;
    EXPECT_NEAR(rate(from_store.done, m), rate(from_truth.done, n), 0.03) << item;
    ++compared;
  }
  EXPECT_GE(compared, 15);
  EXPECT_GT(overdue_truth, 0);
  EXPECT_NEAR(overdue_store, overdue_truth, 0.1 * overdue_truth + 5);
}

TEST_F(ProgrammesOnSyntheticIcs, ImmunisationWorklistMatchesAHandCalculation) {
  TempDir out;
  auto run = onechild(out, "worklist --db '" + db() + "' --kind imms --format json --as-of " +
                               std::string(kAsOf) + " --out '" + out.file("imms.json") + "'");
  ASSERT_EQ(run.status, 0) << run.err;
  const json::object list = json::parse(slurp(out.file("imms.json"))).as_object();
  const json::array& rows = list.at("rows").as_array();
  ASSERT_GT(rows.size(), 20u);
  EXPECT_EQ(list.at("count").as_int64(), static_cast<int64_t>(rows.size()));

  // Every 6-in-1 first dose listed as overdue: by hand, born 12+ weeks
  // before the date, under 10, and the store has no 6-in-1 (or 5-in-1) given
  // or refused for the child.
  auto store = Database::open(db());
  ASSERT_TRUE(store.ok());
  auto doses = store->prepare(R"sql(
    SELECT count(*) FROM links l JOIN source_persons p ON p.id = l.source_person_id
    JOIN source_events e ON e.source_system_id = p.source_system_id
                        AND e.person_original_id = p.original_id
    WHERE l.child_id = ?1 AND e.kind = 'immunisation' AND e.superseded_by IS NULL
      AND e.code IN ('1162640003', '414619005'))sql");
  ASSERT_TRUE(doses.ok());
  const Date as_of = *parse_iso_date(kAsOf);
  int checked = 0;
  int64_t previous_overdue = INT64_MAX;
  for (const json::value& v : rows) {
    const json::object& r = v.as_object();
    const std::string status(r.at("status").as_string());
    EXPECT_TRUE(status == "due" || status == "overdue") << r;
    // Most overdue first.
    EXPECT_LE(r.at("days_overdue").as_int64(), previous_overdue);
    previous_overdue = r.at("days_overdue").as_int64();
    if (r.at("item").as_string() != "6in1-1" || status != "overdue") continue;
    const Date birth = *parse_iso_date(std::string(r.at("birth_date").as_string()));
    const Date by = add_days(birth, 84);
    EXPECT_EQ(std::string(r.at("due").as_string()), format_iso_date(add_days(birth, 56)));
    EXPECT_EQ(std::string(r.at("by").as_string()), format_iso_date(by));
    EXPECT_EQ(r.at("days_overdue").as_int64(),
              (std::chrono::sys_days{as_of} - std::chrono::sys_days{by}).count());
    EXPECT_LT(age_in_years(birth, as_of), 10);
    doses->reset();
    doses->bind(1, r.at("child_id").as_int64());
    ASSERT_TRUE(*doses->step());
    EXPECT_EQ(doses->column_int64(0), 0) << r;
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST_F(ProgrammesOnSyntheticIcs, HealthVisitingWorklistAndOneChildsStatus) {
  TempDir out;
  auto run = onechild(out, "worklist --db '" + db() + "' --kind hcp --as-of " + std::string(kAsOf) +
                               " --upcoming 14 --out '" + out.file("hcp.csv") + "'");
  ASSERT_EQ(run.status, 0) << run.err;
  const auto rows = read_csv(out.file("hcp.csv"));
  ASSERT_FALSE(rows.empty());
  std::map<std::string, int> by_item;
  for (const auto& r : rows) {
    ++by_item[r.at("item")];
    EXPECT_FALSE(r.at("nhs_number").empty() && r.at("name").empty()) << r.at("child_id");
    // A new birth visit is due from day 10 and late after day 14.
    if (r.at("item") == "new-birth-visit") {
      const Date birth = *parse_iso_date(r.at("birth_date"));
      EXPECT_EQ(r.at("due"), format_iso_date(add_days(birth, 10)));
      EXPECT_EQ(r.at("by"), format_iso_date(add_days(birth, 14)));
    }
  }
  EXPECT_GT(by_item["2-2.5-year-review"], 0);

  const std::string child = rows.front().at("child_id");
  auto status = onechild(out, "programmes status --db '" + db() + "' --child " + child +
                                  " --as-of " + std::string(kAsOf));
  ASSERT_EQ(status.status, 0) << status.err;
  EXPECT_NE(status.out.find(rows.front().at("item")), std::string::npos) << status.out;
}

// The clocks' worklists, each row's due date worked out by hand from its start.
TEST_F(ProgrammesOnSyntheticIcs, ClockAndSignalWorklists) {
  TempDir out;
  auto holidays = BankHolidays::load(BankHolidays::default_path());
  ASSERT_TRUE(holidays.ok());
  std::map<std::string, int> items;
  for (const char* kind : {"lac", "ehcp", "transition", "rtt", "signals"}) {
    auto run = onechild(out, "worklist --db '" + db() + "' --kind " + kind + " --as-of " +
                                 std::string(kAsOf) + " --out '" + out.file("list.csv") + "'");
    ASSERT_EQ(run.status, 0) << run.err;
    for (const auto& r : read_csv(out.file("list.csv"))) {
      ++items[r.at("item")];
      const std::string& status = r.at("status");
      if (std::string(kind) == "signals") {
        EXPECT_EQ(status, "signal");
        continue;
      }
      EXPECT_TRUE(status == "running" || status == "overdue") << kind << " " << status;
      const Date started = *parse_iso_date(r.at("started"));
      const Date due = *parse_iso_date(r.at("due"));
      // SEND Regulations 2014 reg. 5(1): a decision within 6 weeks of the request.
      if (r.at("item") == "ehc-decision") {
        EXPECT_EQ(due, add_days(started, 42));
      }
      // Reg. 13(2): the final plan within 20 weeks of the request.
      if (r.at("item") == "ehc-plan") {
        EXPECT_EQ(due, add_days(started, 140));
      }
      // The initial health assessment within 20 working days of becoming looked after.
      if (r.at("item") == "lac-initial-health") {
        EXPECT_EQ(due, holidays->add_working_days(started, 20));
      }
      if (r.at("item") == "camhs-first-contact") {
        EXPECT_EQ(due, add_days(started, 28));
      }
    }
  }
  EXPECT_GT(items["camhs-first-contact"], 0);
  EXPECT_GT(items["transition-plan"], 0);
  EXPECT_GT(items["was-not-brought"] + items["unscheduled-care"], 0);
}

TEST_F(ProgrammesOnSyntheticIcs, CoverageCountsChildrenReachingEachBirthday) {
  TempDir out;
  auto run = onechild(out, "coverage --db '" + db() + "' --format json --quarters 4 --as-of " +
                               std::string(kAsOf) + " --out '" + out.file("cover.json") + "'");
  ASSERT_EQ(run.status, 0) << run.err;
  const json::object cover = json::parse(slurp(out.file("cover.json"))).as_object();
  int64_t children = 0, immunised = 0;
  std::set<std::string> quarters;
  for (const json::value& v : cover.at("cells").as_array()) {
    const json::object& c = v.as_object();
    EXPECT_LE(c.at("numerator").as_int64(), c.at("denominator").as_int64()) << c;
    quarters.insert(std::string(c.at("quarter").as_string()));
    if (c.at("measure").as_string() == "12m-6in1") {
      children += c.at("denominator").as_int64();
      immunised += c.at("numerator").as_int64();
    }
  }
  EXPECT_EQ(quarters.size(), 4u);
  // About a fiftieth of 2,500 children turn one in a quarter; most are immunised.
  EXPECT_GT(children, 40);
  EXPECT_GT(immunised, children * 8 / 10);
}

TEST_F(ProgrammesOnSyntheticIcs, BadArgumentsAreOneClearLine) {
  TempDir out;
  auto kind = onechild(out, "worklist --db '" + db() + "' --kind flu");
  EXPECT_EQ(kind.status, 1);
  EXPECT_NE(kind.err.find("unknown worklist kind 'flu'"), std::string::npos) << kind.err;
  auto date = onechild(out, "worklist --db '" + db() + "' --kind imms --as-of 2026-13-01");
  EXPECT_EQ(date.status, 1);
  EXPECT_NE(date.err.find("--as-of"), std::string::npos) << date.err;
  auto child = onechild(out, "programmes status --db '" + db() + "' --child 99999999");
  EXPECT_EQ(child.status, 1);
  EXPECT_NE(child.err.find("no child with id 99999999"), std::string::npos) << child.err;
}

// ---------------------------------------------------------------------------
// The population file beside the store: used while the store is unchanged,
// rebuilt after a change, never trusted when damaged or during a load.

// A child's facts as text, so populations with their own vocabularies compare.
std::vector<std::string> as_text(const Population& p) {
  std::vector<std::string> lines;
  const auto w = [&](uint32_t id) { return p.words.text(id) + "|"; };
  for (const ChildFacts& c : p.children) {
    std::string line = std::to_string(c.child_id) + " " + std::to_string(c.birth) + " " +
                       std::to_string(c.died) + " " + std::to_string(c.left) + " " + w(c.sex) +
                       w(c.practice) + w(c.postcode) + w(c.ethnicity);
    for (const uint32_t s : c.sources)
      line += w(s);
    for (const Fact& f : c.facts) {
      line += "\n  " + w(f.source) + w(f.kind) + w(f.code) + w(f.display) + w(f.status) +
              w(f.value) + std::to_string(f.start) + "|" + std::to_string(f.end);
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

TEST_F(ProgrammesOnSyntheticIcs, TwoHalvesReadTheSameAsOneScan) {
  auto rules = ProgrammeRules::load(ProgrammeRules::default_config_dir());
  ASSERT_TRUE(rules.ok()) << rules.error().to_string();
  auto store = Database::open(db());
  ASSERT_TRUE(store.ok());
  auto one = load_population(*store, rules->filter(), false, INT64_MAX);
  auto two = load_population(*store, rules->filter(), false, 0);
  ASSERT_TRUE(one.ok() && two.ok());
  size_t facts = 0;
  for (const ChildFacts& c : one->children)
    facts += c.facts.size();
  EXPECT_GT(facts, 10000u);
  EXPECT_EQ(as_text(*two), as_text(*one));
}

TEST_F(ProgrammesOnSyntheticIcs, PopulationFileIsUsedUntilTheStoreChanges) {
  TempDir own;
  const std::string path = own.file("ics.db");
  std::filesystem::copy_file(db(), path);
  auto rules = ProgrammeRules::load(ProgrammeRules::default_config_dir());
  ASSERT_TRUE(rules.ok()) << rules.error().to_string();
  auto store = Database::open(path);
  ASSERT_TRUE(store.ok());
  auto direct = load_population(*store, rules->filter());
  ASSERT_TRUE(direct.ok()) << direct.error().to_string();
  const std::vector<std::string> want = as_text(*direct);
  ASSERT_GT(want.size(), 2000u);

  auto first = load_population_cached(*store, rules->filter());
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_FALSE(first->from_file);
  EXPECT_EQ(first->warning, "");
  ASSERT_EQ(first->file.rfind(path + ".facts-", 0), 0u) << first->file;
  const auto perms = std::filesystem::status(first->file).permissions();
  EXPECT_EQ(perms, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(as_text(first->population), want);

  auto second = load_population_cached(*store, rules->filter());
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->from_file);
  EXPECT_EQ(as_text(second->population), want);

  // Another filter has its own file: neither is read for the other.
  FactFilter immunisations_only;
  immunisations_only.kinds = {"immunisation"};
  auto other = load_population_cached(*store, immunisations_only);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->from_file);
  EXPECT_NE(other->file, first->file);
  EXPECT_TRUE(load_population_cached(*store, rules->filter())->from_file);

  // A load running: its rows are arriving, so the file is neither read nor written.
  ASSERT_TRUE(store
                  ->execute("UPDATE ingest_batches SET status = 'loading' "
                            "WHERE id = (SELECT max(id) FROM ingest_batches)")
                  .ok());
  auto loading = load_population_cached(*store, rules->filter());
  ASSERT_TRUE(loading.ok());
  EXPECT_FALSE(loading->from_file);
  EXPECT_EQ(loading->file, "");
  ASSERT_TRUE(store
                  ->execute("UPDATE ingest_batches SET status = 'complete' "
                            "WHERE status = 'loading'")
                  .ok());

  // A merge changes the store: the next read is from the store, and it
  // sees the merged record under the child it joined.
  const int64_t kept = direct->children[0].child_id, gone = direct->children[1].child_id;
  ASSERT_TRUE(store
                  ->execute("UPDATE children SET merged_into = " + std::to_string(kept) +
                            " WHERE id = " + std::to_string(gone))
                  .ok());
  ASSERT_TRUE(store
                  ->execute("INSERT INTO child_history (at, action, child_id, other_child_id, "
                            "actor) VALUES ('2026-11-24T09:00:00Z', 'merged', " +
                            std::to_string(gone) + ", " + std::to_string(kept) + ", 'test')")
                  .ok());
  auto merged = load_population_cached(*store, rules->filter());
  ASSERT_TRUE(merged.ok());
  EXPECT_FALSE(merged->from_file);
  EXPECT_EQ(merged->population.children.size(), direct->children.size() - 1);
  auto after = load_population_cached(*store, rules->filter());
  EXPECT_TRUE(after->from_file);
  EXPECT_EQ(as_text(after->population), as_text(merged->population));

  // Damaged: said, rebuilt from the store, and the figures are the store's.
  {
    std::ofstream damage(first->file, std::ios::binary | std::ios::trunc);
    damage << "onechild population\n" << std::string(30, '\xff');
  }
  auto rebuilt = load_population_cached(*store, rules->filter());
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_FALSE(rebuilt->from_file);
  EXPECT_NE(rebuilt->warning.find("population file damaged"), std::string::npos)
      << rebuilt->warning;
  EXPECT_EQ(as_text(rebuilt->population), as_text(merged->population));
  EXPECT_TRUE(load_population_cached(*store, rules->filter())->from_file);
}

// ---------------------------------------------------------------------------
// Issue 7: the indicator set through the CLI, on the same ICS.

std::string indicators_args(const std::string& db, const std::string& out) {
  return "indicators --db '" + db + "' --reference '" + db.substr(0, db.rfind('/')) +
         "/ics/reference' --as-of " + kAsOf + " --out '" + out + "'";
}

TEST_F(ProgrammesOnSyntheticIcs, IndicatorsReadThePopulationFileTheSecondTime) {
  TempDir own;
  const std::string path = own.file("ics.db");
  std::filesystem::copy_file(db(), path);
  std::filesystem::create_directory_symlink(dir_->file("ics"), own.file("ics"));
  TempDir out;
  auto cold = onechild(out, indicators_args(path, out.file("cold.csv")) + " --no-store");
  ASSERT_EQ(cold.status, 0) << cold.err;
  EXPECT_NE(cold.err.find("from the store"), std::string::npos) << cold.err;
  auto warm = onechild(out, indicators_args(path, out.file("warm.csv")) + " --no-store");
  ASSERT_EQ(warm.status, 0) << warm.err;
  EXPECT_NE(warm.err.find("from the population file"), std::string::npos) << warm.err;
  EXPECT_EQ(slurp(out.file("warm.csv")), slurp(out.file("cold.csv")));
  EXPECT_GT(slurp(out.file("warm.csv")).size(), 10000u);
}

TEST_F(ProgrammesOnSyntheticIcs, IndicatorsAreHonestAndAddUp) {
  TempDir out;
  auto run = onechild(out, indicators_args(db(), out.file("ind.csv")) + " --snapshot-out '" +
                               out.file("snap") + "'");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.err.find("stored as run 1"), std::string::npos) << run.err;
  const auto rows = read_csv(out.file("ind.csv"));
  std::set<std::string> ids;
  std::map<std::tuple<std::string, std::string, std::string>,
           std::map<std::string, const std::map<std::string, std::string>*>>
      tables;
  for (const auto& r : rows) {
    ids.insert(r.at("indicator"));
    if (r.at("group") == "sii") continue;
    if (!r.at("suppressed").empty()) {
      // Hidden: no count, no value, no interval; never a zero.
      EXPECT_EQ(r.at("numerator"), "") << r.at("indicator");
      EXPECT_EQ(r.at("value"), "");
      EXPECT_EQ(r.at("lower_95"), "");
    } else if (r.at("indicator").rfind("imms-", 0) != 0 && !r.at("numerator").empty()) {
      const int64_t n = std::stoll(r.at("numerator"));
      EXPECT_FALSE(n >= 1 && n <= 7) << r.at("indicator") << " " << r.at("breakdown") << " "
                                     << r.at("group") << " shows " << n;
    }
    tables[{r.at("indicator"), r.at("period_start"), r.at("breakdown")}][r.at("group")] = &r;
  }
  EXPECT_EQ(ids.size(), 43u);
  // Where every group of an additive breakdown is shown, they add up to the total.
  int checked = 0;
  for (const auto& [key, groups] : tables) {
    const auto& [id, period, breakdown] = key;
    if (breakdown == "all" || breakdown == "vulnerable-group") continue;
    const auto total = tables.find({id, period, "all"});
    ASSERT_NE(total, tables.end());
    const auto& t = *total->second.at("all");
    if (t.at("numerator").empty()) continue;
    int64_t num = 0, den = 0;
    bool hidden = false;
    for (const auto& [g, r] : groups) {
      hidden = hidden || r->at("numerator").empty();
      if (!hidden) num += std::stoll(r->at("numerator")), den += std::stoll(r->at("denominator"));
    }
    if (hidden) continue;
    EXPECT_EQ(num, std::stoll(t.at("numerator"))) << id << " " << period << " " << breakdown;
    EXPECT_EQ(den, std::stoll(t.at("denominator"))) << id << " " << period << " " << breakdown;
    ++checked;
  }
  EXPECT_GT(checked, 500);

  // Children in need on the day, worked out by hand from the engine's input.
  std::map<std::string, Date> births;
  for (const auto& c : read_csv(out.file("snap/children.csv"))) {
    if (c.at("died").empty() && c.at("left").empty())
      births[c.at("child_id")] = *parse_iso_date(c.at("birth"));
  }
  const Date as_of = *parse_iso_date(kAsOf);
  std::set<std::string> in_need;
  for (const auto& e : read_csv(out.file("snap/events.csv"))) {
    if (e.at("kind") != "social-care-episode" || e.at("code").empty() || e.at("code")[0] != 'N')
      continue;
    const auto b = births.find(e.at("child_id"));
    if (b == births.end() || age_in_years(b->second, as_of) > 17) continue;
    if (*parse_iso_date(e.at("start")) > as_of) continue;
    if (!e.at("end").empty() && *parse_iso_date(e.at("end")) < as_of) continue;
    in_need.insert(e.at("child_id"));
  }
  int64_t population = 0;
  for (const auto& [id, birth] : births)
    population += birth <= as_of && age_in_years(birth, as_of) <= 17 ? 1 : 0;
  const auto& cin = *tables.at({"children-in-need", "2025-11-25", "all"}).at("all");
  EXPECT_EQ(std::stoll(cin.at("numerator")), static_cast<int64_t>(in_need.size()));
  EXPECT_EQ(std::stoll(cin.at("denominator")), population);
  EXPECT_GT(in_need.size(), 20u);

  // The run is in the store with the same cells, suppressed ones as NULL.
  auto store = Database::open(db());
  ASSERT_TRUE(store.ok());
  auto q = store->prepare(
      "SELECT count(*), sum(suppressed <> '' AND numerator IS NULL), sum(suppressed <> '') "
      "FROM indicator_results WHERE run_id = 1");
  ASSERT_TRUE(q.ok());
  ASSERT_TRUE(*q->step());
  const auto sii_rows =
      std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.at("group") == "sii"; });
  EXPECT_EQ(q->column_int64(0), static_cast<int64_t>(rows.size()) - sii_rows);
  EXPECT_EQ(q->column_int64(1), q->column_int64(2));
  EXPECT_GT(q->column_int64(2), 0);
}

TEST_F(ProgrammesOnSyntheticIcs, IndicatorsJsonCaseFindingAndBadArguments) {
  TempDir out;
  auto run = onechild(
      out, indicators_args(db(), out.file("ind.json")) + " --no-store --only ae-0-4,camhs-access");
  ASSERT_EQ(run.status, 0) << run.err;
  const json::value v = json::parse(slurp(out.file("ind.json")));
  EXPECT_EQ(v.at("as_of").as_string(), kAsOf);
  ASSERT_EQ(v.at("indicators").as_array().size(), 2u);
  const auto& ae = v.at("indicators").as_array()[0].as_object();
  EXPECT_EQ(ae.at("id").as_string(), "ae-0-4");
  EXPECT_EQ(ae.at("unit").as_string(), "per 1,000");
  EXPECT_GT(ae.at("cells").as_array().size(), 50u);

  auto cases =
      onechild(out, "casefinding --db '" + db() + "' --reference '" + dir_->file("ics/reference") +
                        "' --as-of " + kAsOf + " --out '" + out.file("cases.csv") + "'");
  ASSERT_EQ(cases.status, 0) << cases.err;
  EXPECT_EQ(slurp(out.file("cases.csv")).substr(0, 45),
            "list,child_id,age,practice,imd_decile,core20,");
  EXPECT_NE(cases.err.find("case-finding: asthma-repeated-ed:"), std::string::npos) << cases.err;

  auto bad_out = onechild(out, indicators_args(db(), out.file("ind.txt")));
  EXPECT_EQ(bad_out.status, 1);
  EXPECT_NE(bad_out.err.find("--out must end in .csv or .json"), std::string::npos) << bad_out.err;
  auto no_ref =
      onechild(out, "indicators --db '" + db() + "' --reference '" + out.file("none") + "'");
  EXPECT_EQ(no_ref.status, 1);
  EXPECT_NE(no_ref.err.find("cannot read reference file"), std::string::npos) << no_ref.err;
  auto only = onechild(out, indicators_args(db(), out.file("x.csv")) + " --only nothing");
  EXPECT_EQ(only.status, 1);
  EXPECT_NE(only.err.find("--only: no indicator 'nothing'"), std::string::npos) << only.err;
}

}  // namespace
}  // namespace onechild
