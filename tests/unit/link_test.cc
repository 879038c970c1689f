#include "link/link.h"

#include <gtest/gtest.h>

#include <fstream>

#include "ingest/ingest.h"
#include "record/child_record.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

using testing::TempDir;

class LinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("gp.ndjson"))
        << R"({"resourceType":"Patient","id":"g1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}]})"
        << "\n"
        << R"({"resourceType":"Patient","id":"g2","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"0100000010"}]})"
        << "\n";
    std::ofstream(dir_.file("social_care.persons.csv"))
        << "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
        << "C1,Sam,Smith,2019-01-31,male,LS2 7XY,943 476 5919\n"
        << "C2,Amy,Jones,2018-01-01,female,LS3 1AB,\n";
    std::ofstream(dir_.file("truth.csv"))
        << "source,original_id,person_id\n"
        << "gp,g1,P1\ngp,g2,P2\nsocial_care,C1,P1\nsocial_care,C2,P2\nsocial_care,C9,P3\n";
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(db.ok());
    db_.emplace(std::move(db).value());
    ASSERT_TRUE(
        ingest_paths(*db_, {dir_.file("gp.ndjson"), dir_.file("social_care.persons.csv")}).ok());
  }

  TempDir dir_;
  std::optional<Database> db_;
};

TEST_F(LinkTest, LinksOnNhsNumberAndCountsTheRest) {
  auto report = link_unlinked(*db_);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_EQ(report->considered, 4);
  EXPECT_EQ(report->linked, 3);
  EXPECT_EQ(report->new_children, 2);
  EXPECT_EQ(report->unlinked_no_nhs_number, 1);

  auto again = link_unlinked(*db_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->considered, 1);  // only the one without an NHS number is left
  EXPECT_EQ(again->linked, 0);
}

TEST_F(LinkTest, EvaluatesAgainstTruth) {
  ASSERT_TRUE(link_unlinked(*db_).ok());
  auto eval = evaluate_links(*db_, dir_.file("truth.csv"));
  ASSERT_TRUE(eval.ok()) << eval.error().to_string();
  EXPECT_EQ(eval->records, 4);
  EXPECT_EQ(eval->records_not_loaded, 1);
  EXPECT_EQ(eval->true_pairs, 2);       // (g1,C1) and (g2,C2)
  EXPECT_EQ(eval->predicted_pairs, 1);  // (g1,C1)
  EXPECT_EQ(eval->true_positive_pairs, 1);
  EXPECT_DOUBLE_EQ(eval->precision(), 1.0);
  EXPECT_DOUBLE_EQ(eval->recall(), 0.5);
  EXPECT_NEAR(eval->f1(), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(eval->persons, 2);
  EXPECT_EQ(eval->persons_exactly_clustered, 1);
}

TEST_F(LinkTest, EvaluateRejectsBadTruthFile) {
  std::ofstream(dir_.file("bad.csv")) << "a,b\n";
  auto eval = evaluate_links(*db_, dir_.file("bad.csv"));
  ASSERT_FALSE(eval.ok());
  EXPECT_EQ(eval.error().line(), 1);
  EXPECT_FALSE(evaluate_links(*db_, dir_.file("missing.csv")).ok());
}

}  // namespace
}  // namespace onechild

namespace onechild {
namespace {

// A source that re-sends a child with a new address, and an episode with a
// new end date: the record shows each once, as now (the old versions stay in
// the store as history).
TEST_F(LinkTest, RecordShowsOnlyTheCurrentVersionOfEachSourceRecord) {
  std::ofstream(dir_.file("social_care.cin.csv"))
      << "episode_id,local_id,category,start_date,end_date\nE1,C1,Child in need,2020-01-01,\n";
  std::ofstream(dir_.file("social_care.persons.v2.csv"))
      << "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
      << "C1,Sam,Smith,2019-01-31,male,LS9 9ZZ,943 476 5919\n";
  ASSERT_TRUE(ingest_paths(*db_, {dir_.file("social_care.cin.csv")}).ok());
  ASSERT_TRUE(link_unlinked(*db_).ok());
  std::ofstream(dir_.file("social_care.cin.csv"))
      << "episode_id,local_id,category,start_date,end_date\nE1,C1,Child in need,2020-01-01,"
         "2020-06-30\n";
  auto second = ingest_paths(
      *db_, {dir_.file("social_care.persons.v2.csv"), dir_.file("social_care.cin.csv")});
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  ASSERT_TRUE(link_unlinked(*db_).ok());
  auto find = db_->prepare("SELECT id FROM children WHERE nhs_number = '9434765919'");
  ASSERT_TRUE(*find->step());
  auto record = load_child_record(*db_, find->column_int64(0));
  ASSERT_TRUE(record.ok()) << record.error().to_string();
  int social_care = 0;
  for (const auto& id : record->identities) {
    if (id.source == "social_care") {
      ++social_care;
      EXPECT_EQ(id.postcode, "LS9 9ZZ");
    }
  }
  EXPECT_EQ(social_care, 1);
  ASSERT_EQ(record->events.size(), 1u);
  EXPECT_EQ(record->events[0].end_date, "2020-06-30");
}

}  // namespace
}  // namespace onechild
