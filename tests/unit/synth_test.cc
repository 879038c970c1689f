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

}  // namespace
}  // namespace onechild
