// The hub evaluation on a real synthetic ICS: synth (with a known hub
// effect) -> ingest -> link -> `onechild evaluate`. The evaluation must
// recover what the synth injected (src/synth/life/hospital.cc), within its
// 95% interval, and find nothing when the hub start is moved a year back
// (a placebo: both windows before any hub). One ctest entry, so the ICS is
// built once.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "core/csv.h"
#include "support/run_cli.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

using testing::TempDir;
namespace json = boost::json;
namespace fs = std::filesystem;

constexpr const char* kAsOf = "2026-11-24";  // the synth's hubs start 730 days before
// Strong enough for the ED and outpatient intervals to exclude no effect in
// 5,000 children (in 28 of 30 ICSs; docs/evaluation.md §6).
constexpr double kHubEffect = -0.5;

using testing::onechild;
using testing::Run;
using testing::slurp;

// The share of a feed's rows that `thinned` says the hub thins.
template <typename Thinned>
double thinned_share(const std::string& path, Thinned thinned) {
  std::ifstream in(path);
  CsvReader reader(in);
  const auto header = reader.next();
  int64_t all = 0, thin = 0;
  while (auto r = reader.next()) {
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < r->fields.size() && i < header->fields.size(); ++i)
      row[header->fields[i]] = r->fields[i];
    const auto verdict = thinned(row);
    if (!verdict) continue;
    ++all;
    thin += *verdict ? 1 : 0;
  }
  return all == 0 ? 0 : static_cast<double>(thin) / static_cast<double>(all);
}

// The synth thins everyday ED attendances, not those for asthma, diabetic
// ketoacidosis, seizures or self-harm (ECDS SNOMED CT diagnoses).
double ed_share(const std::string& feeds) {
  const std::set<std::string> kept = {"195967001", "420422005", "91175000", "55680006",
                                      "248062006"};
  return thinned_share(feeds + "/acute.ecds.csv", [&](auto& row) -> std::optional<bool> {
    return !kept.contains(row["diagnosis_snomed"]);
  });
}

// Emergency admissions thinned: those from a thinned ED attendance (method
// 21 with an everyday diagnosis); not those the GP arranged (22) or for a
// condition or self-harm (ICD-10).
double admission_share(const std::string& feeds) {
  const std::set<std::string> kept = {"J459", "E101", "G409", "R568", "T391", "S519"};
  return thinned_share(feeds + "/acute.apc.csv", [&](auto& row) -> std::optional<bool> {
    const std::string& method = row["admission_method"];
    if (method.empty() || method[0] != '2') return std::nullopt;
    return method == "21" && !kept.contains(row["primary_diagnosis_icd10"]);
  });
}

struct Effect {
  double relative = 0, lower = 0, upper = 0, did = 0;
};

std::map<std::string, Effect> effects(const std::string& path) {
  std::map<std::string, Effect> out;
  const json::object o = json::parse(slurp(path)).as_object();
  for (const json::value& v : o.at("outcomes").as_array()) {
    const json::object& e = v.as_object();
    const json::array& ci = e.at("relative_ci95").as_array();
    out[std::string(e.at("outcome").as_string())] = {
        e.at("relative").to_number<double>(), ci[0].to_number<double>(), ci[1].to_number<double>(),
        e.at("did").to_number<double>()};
  }
  return out;
}

class EvaluationOnSyntheticIcs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    const TempDir& d = *dir_;
    auto synth =
        onechild(d, "synth --children 5000 --seed 201 --hub-effect " + std::to_string(kHubEffect) +
                        " --as-of " + kAsOf + " --out '" + d.file("ics") + "'");
    ASSERT_EQ(synth.status, 0) << synth.err;
    auto ingest = onechild(
        d, "ingest --db '" + db() + "' --as-of " + kAsOf + " '" + d.file("ics/feeds") + "'");
    ASSERT_EQ(ingest.status, 0) << ingest.err;
    auto link = onechild(d, "link --db '" + db() + "'");
    ASSERT_EQ(link.status, 0) << link.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string db() { return dir_->file("ics.db"); }
  static std::string ics() { return dir_->file("ics"); }
  static TempDir* dir_;
};
TempDir* EvaluationOnSyntheticIcs::dir_ = nullptr;

TEST_F(EvaluationOnSyntheticIcs, RecoversTheInjectedHubEffect) {
  TempDir out;
  auto run =
      onechild(out, "evaluate --db '" + db() + "' --reference '" + ics() + "/reference' --as-of " +
                        kAsOf + " --out '" + out.file("hubs.json") + "'");
  ASSERT_EQ(run.status, 0) << run.err;
  const auto e = effects(out.file("hubs.json"));
  ASSERT_EQ(e.size(), 3u);
  // Every children's appointment is thinned; ED attendances and emergency
  // admissions in part. (The few children who changed practice since the
  // start dilute each estimate by about 5% more.)
  const std::map<std::string, double> truth = {
      {"outpatient-appointments", kHubEffect},
      {"ed-attendances", kHubEffect * ed_share(ics() + "/feeds")},
      {"emergency-admissions", kHubEffect * admission_share(ics() + "/feeds")}};
  for (const auto& [outcome, expected] : truth) {
    const Effect& x = e.at(outcome);
    EXPECT_LE(x.lower, expected) << outcome << " " << x.relative;
    EXPECT_GE(x.upper, expected) << outcome << " " << x.relative;
  }
  // Enough children for the commoner outcomes' intervals to exclude no effect.
  for (const char* outcome : {"ed-attendances", "outpatient-appointments"}) {
    EXPECT_LT(e.at(outcome).upper, 0) << outcome;
    EXPECT_LT(e.at(outcome).did, 0) << outcome;
  }

  const json::object o = json::parse(slurp(out.file("hubs.json"))).as_object();
  EXPECT_EQ(o.at("hub_starts").as_array().at(0).as_string(), "2024-11-24");
  EXPECT_GT(o.at("intervention_children").as_int64(), 500);
  // Most practices are outside the hubs: more children to compare with.
  EXPECT_GT(o.at("comparison_children").as_int64(), o.at("intervention_children").as_int64());

  // The same store and seed give the same figures.
  auto again =
      onechild(out, "evaluate --db '" + db() + "' --reference '" + ics() + "/reference' --as-of " +
                        kAsOf + " --out '" + out.file("again.json") + "'");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(slurp(out.file("hubs.json")), slurp(out.file("again.json")));
}

// The hubs' start moved a year back: both windows fall before any hub, so
// the true effect on every outcome is none.
TEST_F(EvaluationOnSyntheticIcs, PlaceboStartAYearEarlierFindsNoEffect) {
  TempDir out;
  fs::create_directories(out.file("reference"));
  for (const char* f : {"geography.csv", "postcodes.csv"})
    fs::copy_file(ics() + "/reference/" + f, out.file("reference") + "/" + f);
  std::string orgs = slurp(ics() + "/reference/organisations.csv");
  size_t moved = 0;
  for (size_t at = orgs.find(",2024-11-24"); at != std::string::npos;
       at = orgs.find(",2024-11-24", at + 1)) {
    orgs.replace(at, 11, ",2023-11-24");
    ++moved;
  }
  ASSERT_GT(moved, 0u);
  std::ofstream(out.file("reference/organisations.csv")) << orgs;

  auto run = onechild(out, "evaluate --db '" + db() + "' --reference '" + out.file("reference") +
                               "' --as-of " + kAsOf + " --out '" + out.file("placebo.csv") + "'");
  ASSERT_EQ(run.status, 0) << run.err;
  std::ifstream in(out.file("placebo.csv"));
  CsvReader reader(in);
  const auto header = reader.next();
  ASSERT_TRUE(header);
  int rows = 0;
  while (auto r = reader.next()) {
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < r->fields.size(); ++i)
      row[header->fields[i]] = r->fields[i];
    EXPECT_EQ(row["hub_starts"], "2023-11-24");
    EXPECT_LE(std::stod(row["relative_lower_95"]), 0) << row["outcome"] << " " << row["relative"];
    EXPECT_GE(std::stod(row["relative_upper_95"]), 0) << row["outcome"] << " " << row["relative"];
    ++rows;
  }
  EXPECT_EQ(rows, 3);
}

TEST_F(EvaluationOnSyntheticIcs, PrintsASummaryAndFailsInOneLine) {
  TempDir out;
  const std::string common = "evaluate --db '" + db() + "' --reference '" + ics() + "/reference'";
  auto summary = onechild(out, common + " --as-of " + kAsOf + " --bootstrap 50");
  ASSERT_EQ(summary.status, 0) << summary.err;
  EXPECT_NE(summary.out.find("ED attendances"), std::string::npos) << summary.out;
  EXPECT_NE(summary.out.find("Emergency admissions"), std::string::npos) << summary.out;

  auto early = onechild(out, common + " --as-of 2025-06-01");
  EXPECT_EQ(early.status, 1);
  EXPECT_NE(early.err.find("no child health hub has 12 months since its start by 2025-06-01"),
            std::string::npos)
      << early.err;
  auto suffix = onechild(out, common + " --out hubs.txt");
  EXPECT_EQ(suffix.status, 1);
  EXPECT_NE(suffix.err.find("--out must end in .csv or .json"), std::string::npos) << suffix.err;
  auto date = onechild(out, common + " --as-of 2026-02-30");
  EXPECT_EQ(date.status, 1);
  EXPECT_NE(date.err.find("--as-of"), std::string::npos) << date.err;
  auto months = onechild(out, common + " --months 0");
  EXPECT_EQ(months.status, 1);
  EXPECT_EQ(std::count(months.err.begin(), months.err.end(), '\n'), 1) << months.err;
  auto reference =
      onechild(out, "evaluate --db '" + db() + "' --reference '" + out.file("none") + "'");
  EXPECT_EQ(reference.status, 1);
  EXPECT_NE(reference.err.find("geography.csv"), std::string::npos) << reference.err;
}

}  // namespace
}  // namespace onechild
