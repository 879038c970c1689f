#include "synth/synth.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "core/csv.h"
#include "core/nhs_number.h"
#include "support/synth_files.h"
#include "support/temp_dir.h"
#include "synth/calendar.h"

namespace onechild {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::TempDir;
using namespace std::chrono;
using namespace testing::synth_files;
using synth::before;

// Every file under dir, relative path -> contents.
std::map<std::string, std::string> tree(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files[fs::relative(e.path(), dir).string()] = slurp(e.path());
  }
  return files;
}

TEST(Synth, SameSeedGivesIdenticalFilesWhateverTheThreads) {
  TempDir a, b, c;
  auto one = synth_options(a.path().string(), 7, 300);
  one.threads = 1;
  auto two = synth_options(b.path().string(), 7, 300);
  two.threads = 3;
  ASSERT_TRUE(synthesise(one).ok());
  ASSERT_TRUE(synthesise(two).ok());
  ASSERT_TRUE(synthesise(synth_options(c.path().string(), 8, 300)).ok());
  const auto first = tree(a.path()), second = tree(b.path());
  EXPECT_GT(first.size(), 20u);  // every feed, reference and truth file
  ASSERT_EQ(first.size(), second.size());
  for (const auto& [name, text] : first) {
    EXPECT_EQ(text, second.at(name)) << name;
  }
  EXPECT_NE(slurp(a.path() / "feeds/gp.ndjson"), slurp(c.path() / "feeds/gp.ndjson"));
}

TEST(Synth, RejectsBadOptions) {
  TempDir dir;
  auto o = synth_options(dir.path().string(), 7, 300);
  o.children = 0;
  EXPECT_FALSE(synthesise(o).ok());
  o.children = 500'001;
  auto too_many = synthesise(o);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.error().message().find("500,000"), std::string::npos);
  o.children = 10;
  o.history_years = 0;
  EXPECT_FALSE(synthesise(o).ok());
  o.history_years = 5;
  o.hub_effect = -1.5;
  EXPECT_FALSE(synthesise(o).ok());
  o.hub_effect = -0.2;
  o.out_dir = "/proc/no-such-place";
  auto r = synthesise(o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is_user_error());
}

TEST(Synth, ReplacesAnEarlierRunsFiles) {
  TempDir dir;
  fs::create_directories(dir.path() / "feeds");
  std::ofstream(dir.path() / "feeds" / "social_care_elsewhere.persons.csv") << "stale\n";
  ASSERT_TRUE(synthesise(synth_options(dir.path().string(), 7, 300)).ok());
  EXPECT_FALSE(fs::exists(dir.path() / "feeds" / "social_care_elsewhere.persons.csv"));
}

// truth/programmes.csv: every Healthy Child Programme review and every dose
// of a child in children.csv, and the GP feed shows the doses it should.
TEST(Synth, ProgrammesTruthMatchesChildrenAndFeeds) {
  TempDir dir;
  auto result = synthesise(synth_options(dir.path().string(), 5, 500));
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  const fs::path truth = dir.path() / "truth";
  {
    std::ifstream in(truth / "programmes.csv");
    std::string header;
    std::getline(in, header);
    EXPECT_EQ(header, "person_id,programme,item,due,date,outcome");
  }
  std::map<std::string, Date> births;
  for (const auto& c : read_csv(truth / "children.csv"))
    births[c.at("person_id")] = date(c.at("birth_date"));
  const auto rows = read_csv(truth / "programmes.csv");
  EXPECT_EQ(static_cast<int64_t>(rows.size()), result->rows.at("truth/programmes.csv"));

  const std::set<std::string> reviews = {"antenatal", "new-birth-visit", "6-8-week-review",
                                         "12-month-review", "2-2.5-year-review"};
  const Date as_of = synth_options("", 5, 500).as_of;
  std::map<std::string, int> count;
  std::set<std::string> with_rows;
  for (const auto& r : rows) {
    const std::string& person = r.at("person_id");
    ASSERT_TRUE(births.contains(person)) << person;
    with_rows.insert(person);
    const Date birth = births.at(person);
    const Date when = date(r.at("date"));
    EXPECT_TRUE(before(when, as_of)) << person << " " << r.at("item");
    ++count[r.at("programme") + "/" + r.at("outcome")];
    if (r.at("programme") == "hcp") {
      EXPECT_TRUE(reviews.contains(r.at("item"))) << r.at("item");
      EXPECT_EQ(r.at("due"), "");
      EXPECT_EQ(r.at("outcome"), "done");
      // The antenatal contact is in pregnancy (at the latest on the day of
      // the birth); the others after the birth.
      if (r.at("item") == "antenatal") {
        EXPECT_FALSE(before(birth, when)) << person;
      } else {
        EXPECT_TRUE(before(birth, when)) << person << " " << r.at("item");
      }
    } else {
      ASSERT_EQ(r.at("programme"), "imms");
      EXPECT_FALSE(r.at("item").empty());
      EXPECT_TRUE(r.at("outcome") == "done" || r.at("outcome") == "declined") << r.at("outcome");
      const Date due = date(r.at("due"));
      EXPECT_FALSE(before(when, due)) << person << " " << r.at("item");
      EXPECT_FALSE(before(due, birth)) << person << " " << r.at("item");
    }
  }
  EXPECT_GT(count["hcp/done"], 500);
  EXPECT_GT(count["imms/done"], 2000);
  EXPECT_GT(with_rows.size(), births.size() * 9 / 10);  // nearly every child has some

  // The GP feed's Immunizations, by the child they are really about.
  std::map<std::string, std::string> gp_person;
  for (const auto& r : read_csv(truth / "persons.csv")) {
    if (r.at("source") == "gp") gp_person[r.at("original_id")] = r.at("person_id");
  }
  std::set<std::pair<std::string, std::string>> gp_six_in_one;  // person, date
  int not_done = 0;
  for (const auto& r : read_ndjson(dir.path() / "feeds/gp.ndjson")) {
    if (r.at("resourceType") != "Immunization") continue;
    const std::string person = gp_person.at(str(r.at("patient").at("reference")).substr(8));
    if (r.at("status") == "not-done") {
      // A declined dose says why (task: statusReason PATOBJ).
      ++not_done;
      const auto& coding = r.at("statusReason").at("coding").as_array()[0];
      EXPECT_EQ(str(coding.at("system")), "http://terminology.hl7.org/CodeSystem/v3-ActReason");
      EXPECT_EQ(str(coding.at("code")), "PATOBJ");
      continue;
    }
    EXPECT_FALSE(r.contains("statusReason"));
    if (str(r.at("vaccineCode").at("coding").as_array()[0].at("code")) == "1162640003") {
      gp_six_in_one.insert({person, str(r.at("occurrenceDateTime"))});
    }
  }
  std::set<std::string> registered;
  for (const auto& [id, person] : gp_person)
    registered.insert(person);
  // Babies' 8-week 6-in-1 doses: in the GP record on the day (2% of
  // children have no GP record at all, so only those who have one).
  int babies = 0, matched = 0, declined = 0;
  for (const auto& r : rows) {
    const std::string& person = r.at("person_id");
    const Date birth = births.at(person);
    // Declined doses are all routine ones, which the GP record holds.
    declined += r.at("outcome") == "declined" && registered.contains(person);
    if (r.at("programme") != "imms" || r.at("item") != "6in1" || r.at("outcome") != "done" ||
        age_in_years(birth, as_of) != 0 || date(r.at("due")) != add_days(birth, 56) ||
        !registered.contains(person)) {
      continue;
    }
    ++babies;
    matched += gp_six_in_one.contains({person, r.at("date")});
  }
  EXPECT_GE(babies, 5);
  EXPECT_GE(share(matched, babies), 0.99) << matched << " of " << babies;
  EXPECT_EQ(not_done, declined);
}

}  // namespace
}  // namespace onechild
