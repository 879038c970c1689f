#include "link/child_search.h"

#include <gtest/gtest.h>

#include <fstream>

#include "ingest/ingest.h"
#include "link/link.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

Date ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

// Three children: Jonathan Smith and Joanna Smyth share a birthday; Amira
// Khan is born on 4 March 2021, which a clinician might type as 3 April.
class ChildSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("gp.ndjson"))
        << R"({"resourceType":"Patient","id":"a","name":[{"family":"Smith","given":["Jonathan"]}],"birthDate":"2020-06-15","address":[{"postalCode":"LS1 4AP"}]})"
        << "\n"
        << R"({"resourceType":"Patient","id":"b","name":[{"family":"Smyth","given":["Joanna"]}],"birthDate":"2020-06-15"})"
        << "\n"
        << R"({"resourceType":"Patient","id":"c","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"name":[{"family":"Khan","given":["Amira"]}],"birthDate":"2021-03-04"})"
        << "\n";
    db_ = std::move(Database::open(dir_.file("x.db"))).value();
    ASSERT_TRUE(ingest_paths(*db_, {dir_.file("gp.ndjson")}).ok());
    ASSERT_TRUE(link_unlinked(*db_).ok());
  }

  std::vector<ChildMatch> find(std::string given, std::string family, Date dob) {
    auto r = find_children_by_name(*db_, {std::move(given), std::move(family), dob});
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : std::vector<ChildMatch>{};
  }

  testing::TempDir dir_;
  std::optional<Database> db_;
};

TEST_F(ChildSearchTest, FindsTheChildDespiteTypos) {
  auto found = find("Jonathon", "Smiht", ymd(2020, 6, 15));
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0].given_name, "Jonathan");
  EXPECT_EQ(found[0].family_name, "Smith");
  EXPECT_TRUE(found[0].exact_date);
  EXPECT_EQ(found[0].postcode, "LS1 4AP");
  EXPECT_EQ(found[0].sources, "gp");
  // The closer name ranks first; the other Smyth is offered after, if at all.
  for (size_t i = 1; i < found.size(); ++i)
    EXPECT_LE(found[i].score, found[0].score);
}

TEST_F(ChildSearchTest, NamesTheWrongWayRound) {
  auto found = find("Khan", "Amira", ymd(2021, 3, 4));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].family_name, "Khan");
}

TEST_F(ChildSearchTest, DayAndMonthSwappedOrADayOut) {
  auto swapped = find("Amira", "Khan", ymd(2021, 4, 3));
  ASSERT_EQ(swapped.size(), 1u);
  EXPECT_FALSE(swapped[0].exact_date);
  EXPECT_EQ(swapped[0].birth_date, "2021-03-04");
  EXPECT_EQ(swapped[0].nhs_number, "9434765919");
  EXPECT_EQ(find("Amira", "Khan", ymd(2021, 3, 5)).size(), 1u);
  EXPECT_TRUE(find("Amira", "Khan", ymd(2021, 3, 7)).empty());
}

TEST_F(ChildSearchTest, ADifferentNameIsNotOffered) {
  EXPECT_TRUE(find("Oliver", "Brown", ymd(2020, 6, 15)).empty());
  EXPECT_TRUE(find("Jonathan", "Smith", ymd(2019, 6, 15)).empty());
}

TEST_F(ChildSearchTest, BlankNamesAreAnError) {
  auto r = find_children_by_name(*db_, {" ", "--", ymd(2020, 6, 15)});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Error::Code::kInvalidArgument);
}

TEST(PlausibleBirthDates, SwapsOnlyWhenThatIsADate) {
  EXPECT_EQ(plausible_birth_dates(ymd(2021, 3, 4)).size(), 4u);
  EXPECT_EQ(plausible_birth_dates(ymd(2021, 3, 25)).size(), 3u);            // no 25th month
  EXPECT_EQ(plausible_birth_dates(ymd(2021, 3, 3)).size(), 3u);             // the same date
  EXPECT_EQ(plausible_birth_dates(ymd(2021, 1, 1))[1], ymd(2020, 12, 31));  // 1 Jan swaps to itself
}

}  // namespace
}  // namespace onechild
