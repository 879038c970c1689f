#include "ingest/csv/social_care_csv.h"

#include <gtest/gtest.h>

namespace onechild::ingest {
namespace {

const std::vector<std::string> kPersonsHeader = {
    "local_id", "given_name", "family_name", "date_of_birth", "sex", "postcode", "nhs_number"};

CsvRecord record(std::vector<std::string> fields) {
  return {2, std::move(fields), "raw", {}};
}

TEST(SocialCareCsv, RecognisesHeadersInAnyOrder) {
  auto persons = SocialCareCsv::from_header(kPersonsHeader);
  ASSERT_TRUE(persons.ok());
  EXPECT_STREQ(persons->format(), "csv-persons");
  auto episodes = SocialCareCsv::from_header({"local_id", "episode_id", "start_date", "category"});
  ASSERT_TRUE(episodes.ok()) << episodes.error().to_string();
  EXPECT_STREQ(episodes->format(), "csv-episodes");
}

TEST(SocialCareCsv, UnknownHeaderNamesMissingColumns) {
  auto shape = SocialCareCsv::from_header({"id", "name"});
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(shape.error().message().find("local_id"), std::string::npos);
}

TEST(SocialCareCsv, ReadsPersonWithBlankNhsNumber) {
  auto shape = SocialCareCsv::from_header(kPersonsHeader);
  auto row = shape->parse(record({"CSC1", "Sam", "Smith", "2019-01-31", "male", "LS2 7XY", " "}));
  ASSERT_TRUE(row.ok()) << row.error().to_string();
  const auto& p = std::get<PersonRow>(*row);
  EXPECT_EQ(p.original_id, "CSC1");
  EXPECT_FALSE(p.nhs_number.has_value());
  EXPECT_EQ(p.birth_date, "2019-01-31");
}

TEST(SocialCareCsv, NormalisesFormattedNhsNumber) {
  auto shape = SocialCareCsv::from_header(kPersonsHeader);
  auto row = shape->parse(record({"CSC1", "Sam", "Smith", "2019-01-31", "", "", "943 476 5919"}));
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(std::get<PersonRow>(*row).nhs_number, "9434765919");
}

TEST(SocialCareCsv, RejectsWrongColumnCountBadDateAndBadNhsNumber) {
  auto shape = SocialCareCsv::from_header(kPersonsHeader);
  auto short_row = shape->parse(record({"CSC1", "Sam"}));
  ASSERT_FALSE(short_row.ok());
  EXPECT_EQ(short_row.error().message(), "expected 7 fields, found 2");

  auto bad_date = shape->parse(record({"CSC1", "Sam", "Smith", "31/01/2019", "", "", ""}));
  ASSERT_FALSE(bad_date.ok());
  EXPECT_EQ(bad_date.error().field(), "date_of_birth");

  auto bad_nhs = shape->parse(record({"CSC1", "Sam", "Smith", "2019-01-31", "", "", "9434765918"}));
  ASSERT_FALSE(bad_nhs.ok());
  EXPECT_EQ(bad_nhs.error().field(), "nhs_number");

  auto no_id = shape->parse(record({"", "Sam", "Smith", "2019-01-31", "", "", ""}));
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.error().field(), "local_id");
}

TEST(SocialCareCsv, ReadsEpisodeAndChecksDates) {
  auto shape =
      SocialCareCsv::from_header({"episode_id", "local_id", "category", "start_date", "end_date"});
  auto row = shape->parse(record({"E1", "CSC1", "Looked after", "2020-01-01", ""}));
  ASSERT_TRUE(row.ok()) << row.error().to_string();
  const auto& e = std::get<EventRow>(*row);
  EXPECT_EQ(e.kind, "social-care-episode");
  EXPECT_EQ(e.display, "Looked after");
  EXPECT_FALSE(e.end_date.has_value());
  auto backwards = shape->parse(record({"E1", "CSC1", "Looked after", "2020-01-01", "2019-01-01"}));
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.error().field(), "end_date");
}

TEST(SocialCareCsv, MalformedCsvRecordIsRejected) {
  auto shape = SocialCareCsv::from_header(kPersonsHeader);
  CsvRecord r = record({"a"});
  r.error = "quote inside an unquoted field";
  auto row = shape->parse(r);
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.error().message(), "quote inside an unquoted field");
}

}  // namespace
}  // namespace onechild::ingest
