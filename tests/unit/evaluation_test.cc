// The hub evaluation on hand-built populations whose answer is known exactly:
// rates, difference-in-differences, the re-weighting of the comparison,
// who is counted, and the same figures from the same input.
#include "analytics/evaluation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/random.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

using testing::TempDir;

Day day(const char* iso) {
  return to_day(*parse_iso_date(iso));
}

// Two LSOAs (IMD deciles 1 and 9, quintiles 1 and 5) with 50 postcodes each
// (AA1 0AA.. in the first, BB1 0BB.. in the second) and four practices: H1
// in a hub from 2022-01-01, H2 in one from `h2_from`, N1 and N2 in none.
AreaReference reference(const std::string& h2_from = "2023-01-01") {
  TempDir dir;
  const auto write = [&](const char* name, const std::string& text) {
    std::ofstream(dir.file(name)) << text;
  };
  write("geography.csv",
        "lsoa_code,imd_decile,local_authority_code,local_authority_name\n"
        "L1,1,E1,Town\nL2,9,E1,Town\n");
  std::string postcodes = "postcode,lsoa_code\n";
  for (int k = 0; k < 50; ++k) {
    postcodes += "AA1 " + std::to_string(k) + "AA,L1\n";
    postcodes += "BB1 " + std::to_string(k) + "BB,L2\n";
  }
  write("postcodes.csv", postcodes);
  write("organisations.csv",
        "code,name,type,parent_code,local_authority_code,child_health_hub_from\n"
        "P1,PCN 1,pcn,,E1,\n"
        "H1,Hub practice 1,gp-practice,P1,E1,2022-01-01\n"
        "H2,Hub practice 2,gp-practice,P1,E1," +
            h2_from +
            "\n"
            "N1,Practice 1,gp-practice,P1,E1,\n"
            "N2,Practice 2,gp-practice,P1,E1,\n");
  auto ref = AreaReference::load(dir.path().string());
  EXPECT_TRUE(ref.ok()) << ref.error().to_string();
  return std::move(*ref);
}

// Builds children one call at a time: events are (kind, status, day).
class PopulationBuilder {
 public:
  struct Event {
    const char* kind;
    const char* status;
    const char* date;
    const char* code = "";
  };
  ChildFacts& add(const char* birth, const char* practice, const char* postcode,
                  const std::vector<Event>& events) {
    ChildFacts c;
    c.child_id = static_cast<int64_t>(pop_.children.size() + 1);
    c.birth = day(birth);
    c.practice = pop_.words.intern(practice);
    c.postcode = pop_.words.intern(postcode);
    for (const Event& e : events) {
      Fact f;
      f.kind = pop_.words.intern(e.kind);
      f.status = pop_.words.intern(e.status);
      f.code = pop_.words.intern(e.code);
      f.start = day(e.date);
      c.facts.push_back(f);
    }
    std::sort(c.facts.begin(), c.facts.end(),
              [](const Fact& a, const Fact& b) { return a.start < b.start; });
    pop_.children.push_back(std::move(c));
    return pop_.children.back();
  }
  // `n` children alike: born 2015-06-01 (6 at the start), `before` ED
  // attendances on `before_on` and `after` on `after_on`.
  void add_alike(int n, const char* practice, const char* postcode, int before, int after,
                 const char* before_on = "2021-05-01", const char* after_on = "2022-05-01") {
    for (int k = 0; k < n; ++k) {
      std::vector<Event> events;
      events.reserve(static_cast<size_t>(before) + static_cast<size_t>(after));
      for (int i = 0; i < before; ++i)
        events.push_back({"ed-attendance", "01", before_on});
      for (int i = 0; i < after; ++i)
        events.push_back({"ed-attendance", "01", after_on});
      add("2015-06-01", practice, postcode, events);
    }
  }
  Population take() { return std::move(pop_); }

 private:
  Population pop_;
};

EvaluationOptions options(const char* as_of = "2023-06-01") {
  EvaluationOptions o;
  o.as_of = *parse_iso_date(as_of);
  o.bootstrap = 200;
  return o;
}

Result<EvaluationResult> run(PopulationBuilder& b, const AreaReference& ref,
                             const EvaluationOptions& o) {
  return evaluate_hubs(make_snapshot(b.take(), ref, {}, o.as_of), ref, o);
}

// Both windows of the 2022-01-01 hub are 365 days: rates per 1,000
// child-years are 1000 * events / (children * 365 / 365.25).
double rate(double events, double children) {
  return 1000 * events / (children * 365 / 365.25);
}

TEST(Evaluation, HalvedEdRateGivesMinusHalfAndTheExactDifference) {
  const AreaReference ref = reference();
  PopulationBuilder b;
  b.add_alike(4, "H1", "AA1 1AA", 2, 1);  // the hub halves their attendances
  b.add_alike(4, "N1", "AA1 1AA", 1, 1);  // the comparison's stay level
  // Emergency admissions (method 2*) count, planned ones (11) do not;
  // events outside both windows do not either.
  b.add("2015-06-01", "H1", "AA1 1AA",
        {{"ed-attendance", "01", "2021-05-01"},
         {"ed-attendance", "01", "2021-11-01"},
         {"ed-attendance", "01", "2022-05-01"},
         {"admission", "21", "2022-05-01"},
         {"admission", "11", "2022-06-01"},
         {"admission", "21", "2021-06-01"},
         {"admission", "21", "2020-12-31"},
         {"ed-attendance", "01", "2023-01-01"},
         {"outpatient-appointment", "did-not-attend", "2022-07-01"},
         {"outpatient-appointment", "attended", "2021-07-01"}});
  auto r = run(b, ref, options());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->intervention_children, 5);
  EXPECT_EQ(r->comparison_children, 4);
  EXPECT_EQ(r->strata, 1u);
  ASSERT_EQ(r->hub_starts.size(), 1u);
  EXPECT_EQ(format_iso_date(r->hub_starts[0]), "2022-01-01");
  EXPECT_EQ(r->hub_practices, 1);
  EXPECT_EQ(r->hub_practices_later, 1);  // H2: its after-window ends 2024-01-01

  ASSERT_EQ(r->outcomes.size(), 3u);
  const OutcomeEffect& ed = r->outcomes[0];
  EXPECT_EQ(ed.outcome, "ed-attendances");
  EXPECT_EQ(ed.events_before_i, 10);
  EXPECT_EQ(ed.events_after_i, 5);
  EXPECT_EQ(ed.events_before_c, 4);
  EXPECT_EQ(ed.events_after_c, 4);
  EXPECT_NEAR(ed.rate_before_i, rate(10, 5), 1e-9);
  EXPECT_NEAR(ed.rate_after_i, rate(5, 5), 1e-9);
  EXPECT_NEAR(ed.rate_before_c, rate(4, 4), 1e-9);
  EXPECT_NEAR(ed.rate_after_c, rate(4, 4), 1e-9);
  EXPECT_NEAR(ed.did, rate(5, 5) - rate(10, 5), 1e-9);  // -1,000.7 per 1,000 child-years
  EXPECT_NEAR(ed.did, -1000 * 365.25 / 365, 1e-9);
  EXPECT_NEAR(ed.relative, -0.5, 1e-12);
  // One address per cohort: the bootstrap resamples addresses, so every
  // replicate is the sample itself.
  EXPECT_DOUBLE_EQ(ed.relative_ci95.lower, ed.relative);
  EXPECT_DOUBLE_EQ(ed.relative_ci95.upper, ed.relative);
  EXPECT_DOUBLE_EQ(ed.did_ci95.upper, ed.did);

  const OutcomeEffect& op = r->outcomes[1];
  EXPECT_EQ(op.outcome, "outpatient-appointments");
  EXPECT_EQ(op.events_before_i, 1);  // attended or not, every appointment booked
  EXPECT_EQ(op.events_after_i, 1);
  EXPECT_TRUE(std::isnan(op.relative));  // the comparison had none
  EXPECT_TRUE(std::isnan(op.relative_ci95.lower));

  const OutcomeEffect& admissions = r->outcomes[2];
  EXPECT_EQ(admissions.outcome, "emergency-admissions");
  EXPECT_EQ(admissions.events_before_i, 1);
  EXPECT_EQ(admissions.events_after_i, 1);
  EXPECT_NEAR(admissions.did, 0, 1e-9);
}

// The comparison's deprived children's attendances doubled while the
// others' stayed level, and so did the hub's: no effect. Unweighted, the
// comparison (mostly less deprived) would show too little rise and make the
// hub look 40% worse.
TEST(Evaluation, ComparisonIsReweightedToTheInterventionsStrata) {
  const AreaReference ref = reference();
  PopulationBuilder b;
  b.add_alike(3, "H1", "AA1 1AA", 1, 2);  // deprived: 1 -> 2
  b.add_alike(1, "H1", "BB1 1BB", 1, 1);  // least deprived: level
  b.add_alike(1, "N1", "AA1 1AA", 1, 2);
  b.add_alike(3, "N2", "BB1 1BB", 1, 1);
  auto r = run(b, ref, options());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->strata, 2u);
  const OutcomeEffect& ed = r->outcomes[0];
  // Counted as recorded, before weighting.
  EXPECT_EQ(ed.events_before_c, 4);
  EXPECT_EQ(ed.events_after_c, 5);
  // Weighted: 3 deprived for every 1 other, as in the hub's children.
  EXPECT_NEAR(ed.rate_before_c, rate(4, 4), 1e-9);
  EXPECT_NEAR(ed.rate_after_c, rate(7, 4), 1e-9);
  EXPECT_NEAR(ed.rate_after_i, rate(7, 4), 1e-9);
  EXPECT_NEAR(ed.did, 0, 1e-9);
  EXPECT_NEAR(ed.relative, 0, 1e-12);
  EXPECT_NEAR((7.0 / 4) / (5.0 / 4) - 1, 0.4, 1e-12);  // what no weighting would say
}

TEST(Evaluation, CountsOnlyChildrenPresentThroughBothWindowsAndUnder18) {
  // H2 starts inside H1's windows; its own after-window is not over.
  const AreaReference ref = reference("2022-06-01");
  PopulationBuilder b;
  b.add_alike(2, "H1", "AA1 1AA", 1, 1);
  b.add_alike(2, "N1", "AA1 1AA", 1, 1);
  b.add("2021-01-01", "H1", "AA1 1AA", {});  // born on the first day: present
  b.add("2020-12-01", "N1", "AA1 1AA", {});
  b.add("2021-01-02", "H1", "AA1 1AA", {});  // born after the before-window began
  b.add("2015-06-01", "H1", "AA1 1AA", {}).died = day("2022-12-31");
  b.add("2015-06-01", "N1", "AA1 1AA", {}).left = day("2022-03-01");
  b.add("2015-06-01", "N1", "AA1 1AA", {}).died = day("2023-01-01");  // after the windows
  b.add("2003-12-31", "H1", "AA1 1AA", {});                           // 18 on the start
  b.add("2004-01-02", "H1", "AA1 1AA", {});  // 17 on the start (a 15-17 stratum alone)
  b.add("2015-06-01", "H2", "AA1 1AA", {});  // in a hub during the windows: neither group
  b.add("2015-06-01", "", "AA1 1AA", {});    // practice not known
  b.add("2015-06-01", "X9", "AA1 1AA", {});  // a practice the reference does not know
  auto r = run(b, ref, options("2023-05-31"));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->intervention_children, 3);
  EXPECT_EQ(r->comparison_children, 4);
  EXPECT_EQ(r->intervention_unmatched, 1);  // the 17-year-old
  EXPECT_EQ(r->comparison_unmatched, 0);
  EXPECT_EQ(r->strata, 2u);  // 0-4 and 5-9
  EXPECT_EQ(r->hub_practices, 1);
  EXPECT_EQ(r->hub_practices_later, 1);
}

TEST(Evaluation, EachHubStartHasItsOwnWindowsAndComparison) {
  const AreaReference ref = reference("2022-06-01");
  PopulationBuilder b;
  // Events in both hubs' windows: before in [2021-06-01, 2022-01-01),
  // after in [2022-06-01, 2023-01-01).
  b.add_alike(2, "H1", "AA1 1AA", 2, 1, "2021-08-01", "2022-08-01");
  b.add_alike(1, "H2", "AA1 1AA", 2, 1, "2021-08-01", "2022-08-01");
  // In both comparisons, so counted once for each start.
  b.add_alike(2, "N1", "AA1 1AA", 1, 1, "2021-08-01", "2022-08-01");
  auto r = run(b, ref, options("2023-06-01"));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->hub_starts.size(), 2u);
  EXPECT_EQ(format_iso_date(r->hub_starts[1]), "2022-06-01");
  EXPECT_EQ(r->hub_practices, 2);
  EXPECT_EQ(r->intervention_children, 3);
  EXPECT_EQ(r->comparison_children, 4);
  EXPECT_EQ(r->strata, 2u);
  EXPECT_EQ(r->outcomes[0].events_before_c, 4);
  EXPECT_NEAR(r->outcomes[0].relative, -0.5, 1e-9);
}

TEST(Evaluation, HubsWithoutAWholeAfterWindowAreNotEvaluated) {
  const AreaReference ref = reference();
  PopulationBuilder b;
  b.add_alike(2, "H1", "AA1 1AA", 1, 1);
  b.add_alike(2, "H2", "AA1 1AA", 1, 1);  // H2 from 2023-01-01: a comparison for 2022
  auto r = run(b, ref, options());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->hub_starts.size(), 1u);
  EXPECT_EQ(r->comparison_children, 2);

  PopulationBuilder early;
  early.add_alike(2, "H1", "AA1 1AA", 1, 1);
  auto none = run(early, ref, options("2022-12-31"));
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(none.error().is_user_error());
  EXPECT_NE(none.error().message().find("12 months since its start by 2022-12-31"),
            std::string::npos)
      << none.error().message();
}

TEST(Evaluation, StrataWithOneGroupOnlyAreLeftOutAndCounted) {
  const AreaReference ref = reference();
  PopulationBuilder b;
  b.add_alike(2, "H1", "AA1 1AA", 1, 1);
  b.add_alike(2, "N1", "AA1 1AA", 1, 1);
  // Asthma before the start: a stratum of its own, with no comparison.
  b.add(
      "2015-06-01", "H1", "AA1 1AA",
      {{"condition", "active", "2019-01-01", "195967001"}, {"ed-attendance", "01", "2021-03-01"}});
  // Recorded only after the start: matched as without a condition.
  b.add("2015-06-01", "N1", "AA1 1AA", {{"condition", "active", "2022-02-01", "195967001"}});
  auto r = run(b, ref, options());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->intervention_children, 2);
  EXPECT_EQ(r->comparison_children, 3);
  EXPECT_EQ(r->intervention_unmatched, 1);
  EXPECT_EQ(r->outcomes[0].events_before_i, 2);  // the unmatched child's not among them

  PopulationBuilder alone;
  alone.add_alike(2, "H1", "AA1 1AA", 1, 1);
  alone.add_alike(2, "N1", "BB1 1BB", 1, 1);
  auto nothing = run(alone, ref, options());
  ASSERT_FALSE(nothing.ok());
  EXPECT_NE(nothing.error().message().find("no stratum"), std::string::npos);
}

// A few hundred children with random attendances.
PopulationBuilder random_population(uint64_t seed) {
  SplitMix64 rng(seed);
  PopulationBuilder b;
  const char* practices[] = {"H1", "N1", "N2"};
  const char* births[] = {"2008-03-01", "2012-07-01", "2016-11-01", "2019-05-01"};
  for (int k = 0; k < 600; ++k) {
    std::vector<PopulationBuilder::Event> events;
    const bool hub = rng.below(3) == 0;
    for (int i = static_cast<int>(rng.below(4)); i > 0; --i)
      events.push_back({"ed-attendance", "01", "2021-04-01"});
    for (int i = static_cast<int>(rng.below(hub ? 3 : 4)); i > 0; --i)
      events.push_back({"ed-attendance", "01", "2022-04-01"});
    for (int i = static_cast<int>(rng.below(3)); i > 0; --i)
      events.push_back({"outpatient-appointment", "attended", "2021-08-01"});
    for (int i = static_cast<int>(rng.below(3)); i > 0; --i)
      events.push_back({"outpatient-appointment", "attended", "2022-08-01"});
    for (int i = static_cast<int>(rng.below(2)); i > 0; --i)
      events.push_back({"admission", "21", "2021-09-01"});
    for (int i = static_cast<int>(rng.below(2)); i > 0; --i)
      events.push_back({"admission", "22", "2022-09-01"});
    // A few children at each address, as brothers and sisters are.
    const bool deprived = rng.chance(0.5);
    const std::string postcode =
        (deprived ? "AA1 " : "BB1 ") + std::to_string(rng.below(50)) + (deprived ? "AA" : "BB");
    b.add(births[rng.below(4)], hub ? "H1" : practices[1 + rng.below(2)], postcode.c_str(), events);
  }
  return b;
}

TEST(Evaluation, TheSameInputGivesTheSameFigures) {
  const AreaReference ref = reference();
  PopulationBuilder b1 = random_population(7), b2 = random_population(7), b3 = random_population(7);
  auto r1 = run(b1, ref, options());
  auto r2 = run(b2, ref, options());
  EvaluationOptions other = options();
  other.seed = 2;
  auto r3 = run(b3, ref, other);
  ASSERT_TRUE(r1.ok() && r2.ok() && r3.ok());
  EXPECT_EQ(evaluation_json(*r1, options()), evaluation_json(*r2, options()));
  EXPECT_EQ(evaluation_csv(*r1), evaluation_csv(*r2));
  for (size_t k = 0; k < 3; ++k) {
    const OutcomeEffect& e = r1->outcomes[k];
    EXPECT_LT(e.did_ci95.lower, e.did) << e.outcome;
    EXPECT_GT(e.did_ci95.upper, e.did) << e.outcome;
    EXPECT_LT(e.relative_ci95.lower, e.relative) << e.outcome;
    EXPECT_GT(e.relative_ci95.upper, e.relative) << e.outcome;
    // Another seed: the same estimate, slightly different limits.
    EXPECT_EQ(e.did, r3->outcomes[k].did);
    EXPECT_NE(e.did_ci95.lower, r3->outcomes[k].did_ci95.lower);
  }
  // The hub's children lost a third of their after-window attendances.
  EXPECT_LT(r1->outcomes[0].relative_ci95.upper, 0);
}

TEST(Evaluation, NoBootstrapLeavesTheIntervalsEmpty) {
  const AreaReference ref = reference();
  PopulationBuilder b = random_population(3);
  EvaluationOptions o = options();
  o.bootstrap = 0;
  auto r = run(b, ref, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::isnan(r->outcomes[0].did_ci95.lower));
  EXPECT_FALSE(std::isnan(r->outcomes[0].did));
}

TEST(Evaluation, FilterReadsTheOutcomesAndOnlyTheConditionsCodes) {
  const FactFilter f = evaluation_filter(EvaluationOptions{});
  EXPECT_EQ(f.kinds, (std::vector<std::string>{"admission", "condition", "ed-attendance",
                                               "outpatient-appointment"}));
  ASSERT_EQ(f.codes.size(), 1u);
  EXPECT_EQ(f.codes.at("condition"),
            (std::vector<std::string>{"195967001", "46635009", "84757009"}));
}

TEST(Evaluation, CsvHasOneRowPerOutcome) {
  const AreaReference ref = reference();
  PopulationBuilder b = random_population(5);
  auto r = run(b, ref, options());
  ASSERT_TRUE(r.ok());
  const std::string csv = evaluation_csv(*r);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  EXPECT_EQ(csv.rfind("outcome,hub_starts,", 0), 0u);
  EXPECT_NE(csv.find("\nemergency-admissions,2022-01-01,"), std::string::npos);
  EXPECT_NE(evaluation_summary(*r).find("ED attendances"), std::string::npos);
}

}  // namespace
}  // namespace onechild
