#include "synth/synth.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "core/csv.h"
#include "core/nhs_number.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

using testing::TempDir;
using namespace std::chrono;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SynthOptions options(const std::string& out, uint64_t seed = 7) {
  return {300, seed, Date{year{2026}, month{11}, day{1}}, out};
}

TEST(Synth, SameSeedGivesIdenticalFiles) {
  TempDir a, b, c;
  ASSERT_TRUE(synthesise(options(a.path().string())).ok());
  ASSERT_TRUE(synthesise(options(b.path().string())).ok());
  ASSERT_TRUE(synthesise(options(c.path().string(), 8)).ok());
  for (const char* f : {"feeds/gp.ndjson", "feeds/social_care.persons.csv",
                        "feeds/social_care.episodes.csv", "truth/persons.csv"}) {
    EXPECT_EQ(slurp(a.path() / f), slurp(b.path() / f)) << f;
  }
  EXPECT_NE(slurp(a.path() / "feeds/gp.ndjson"), slurp(c.path() / "feeds/gp.ndjson"));
}

TEST(Synth, GpFeedIsFhirWithValidTestRangeNhsNumbers) {
  TempDir dir;
  auto summary = synthesise(options(dir.path().string()));
  ASSERT_TRUE(summary.ok());
  std::ifstream in(dir.path() / "feeds/gp.ndjson");
  std::string line;
  int64_t patients = 0, immunisations = 0;
  while (std::getline(in, line)) {
    auto v = boost::json::parse(line).as_object();
    if (v["resourceType"] == "Patient") {
      ++patients;
      auto& id = v["identifier"].as_array()[0].as_object();
      EXPECT_EQ(id["system"], "https://fhir.nhs.uk/Id/nhs-number");
      const std::string nhs(id["value"].as_string());
      EXPECT_TRUE(NhsNumber::parse(nhs).ok()) << nhs;
      EXPECT_EQ(nhs.substr(0, 3), "999");
    } else {
      EXPECT_EQ(v["resourceType"], "Immunization");
      ++immunisations;
    }
  }
  EXPECT_EQ(patients, summary->gp_patients);
  EXPECT_EQ(immunisations, summary->immunisations);
  EXPECT_GT(patients, 280);  // ~98% registered with a GP
  EXPECT_GT(immunisations, patients * 3);
}

TEST(Synth, TruthCoversEverySourceRecord) {
  TempDir dir;
  auto summary = synthesise(options(dir.path().string()));
  ASSERT_TRUE(summary.ok());
  std::ifstream in(dir.path() / "truth/persons.csv");
  CsvReader reader(in);
  int64_t rows = -1;  // header
  while (reader.next())
    ++rows;
  EXPECT_EQ(rows, summary->gp_patients + summary->social_care_persons);
  EXPECT_GT(summary->social_care_persons, 0);
}

TEST(Synth, RejectsBadOptions) {
  TempDir dir;
  auto o = options(dir.path().string());
  o.children = 0;
  EXPECT_FALSE(synthesise(o).ok());
  o.children = 10;
  o.out_dir = "/proc/no-such-place";
  auto r = synthesise(o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is_user_error());
}

}  // namespace
}  // namespace onechild
