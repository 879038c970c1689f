#include "ingest/csv/mapping.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/text.h"

namespace onechild::ingest {
namespace {

using namespace std::chrono;
const Date kAsOf{year{2026}, month{11}, day{1}};

// A small export in the style of a school nursing service, in the UK date
// format, to show a mapping's every feature on one file.
constexpr std::string_view kMapping = R"toml(
[feed]
name = "school_nursing.contacts"
files = ["school_nursing.contacts*.csv"]
order = 2
date_format = "%d/%m/%Y"
max_field_bytes = 64

[columns]
"Pupil ID" = { required = true }
"DOB" = { required = true }
"NHS No" = { type = "nhs-number" }
"Contact type" = { required = true, map = { "HC" = "health-check", "IM" = "immunisation" } }
"Sex" = { values = ["M", "F"], may_be_absent = true }
"Next visit" = { type = "date", future = true }
"Height" = { type = "decimal" }

[[person]]
original_id = "Pupil ID"
nhs_number = "NHS No"
family_name = "Surname"
birth_date = "DOB"
sex = "Sex"

[[event]]
kind = "school-nurse-contact"
original_id = "{Pupil ID}-{Contact date}"
person = "Pupil ID"
start_date = "Contact date"
end_date = "Next visit"
code = "Contact type"
code_system = "https://example.org/contact-type"
display = { const = "School nurse contact" }
value = "{Height} cm"
when = "Contact date"
)toml";

const std::vector<std::string> kHeader = {"Pupil ID",     "Surname",      " dob ",      "NHS No",
                                          "Contact date", "Contact type", "Next visit", "Height"};

CsvRecord record(std::vector<std::string> fields) {
  CsvRecord r;
  r.line = 2;
  r.fields = std::move(fields);
  return r;
}

MappedCsv bound() {
  auto mapping = Mapping::parse(kMapping, "test.toml");
  EXPECT_TRUE(mapping.ok()) << mapping.error().to_string();
  auto mapped = mapping->bind(kHeader, kAsOf);
  EXPECT_TRUE(mapped.ok()) << mapped.error().to_string();
  return std::move(mapped).value();
}

TEST(Mapping, ReadsARowIntoAPersonAndAnEvent) {
  auto row = bound().parse(record(
      {"P1", "Smith", "31/01/2019", "943 476 5919", "02/03/2024", "HC", "01/03/2027", "112.5"}));
  ASSERT_TRUE(row.ok()) << row.error().to_string();
  ASSERT_EQ(row->persons.size(), 1u);
  const PersonRow& p = row->persons[0];
  EXPECT_EQ(p.original_id, "P1");
  EXPECT_EQ(p.birth_date, "2019-01-31");
  EXPECT_EQ(p.nhs_number, "9434765919");
  EXPECT_EQ(p.nhs_number_status, NhsNumberStatus::kValid);
  EXPECT_FALSE(p.sex);  // the column may be absent, and is
  ASSERT_EQ(row->events.size(), 1u);
  const EventRow& e = row->events[0];
  EXPECT_EQ(e.original_id, "P1-2024-03-02");  // templates see the ISO date
  EXPECT_EQ(e.kind, "school-nurse-contact");
  EXPECT_EQ(e.start_date, "2024-03-02");
  EXPECT_EQ(e.end_date, "2027-03-01");  // future = true allows a booked visit
  EXPECT_EQ(e.code, "health-check");
  EXPECT_EQ(e.code_system, "https://example.org/contact-type");
  EXPECT_EQ(e.display, "School nurse contact");
  EXPECT_EQ(e.value, "112.5 cm");
}

TEST(Mapping, BlankOptionalValuesAndWhenSkipRecords) {
  auto row = bound().parse(record({"P1", "Smith", "31/01/2019", "", "", "IM", "", ""}));
  ASSERT_TRUE(row.ok()) << row.error().to_string();
  EXPECT_EQ(row->persons[0].nhs_number_status, NhsNumberStatus::kMissing);
  EXPECT_TRUE(row->events.empty());  // when = "Contact date", which is blank
}

TEST(Mapping, InvalidNhsNumberIsKeptAndFlagged) {
  auto row = bound().parse(record({"P1", "Smith", "31/01/2019", "9434765918", "", "IM", "", ""}));
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->persons[0].nhs_number_status, NhsNumberStatus::kInvalid);
  EXPECT_FALSE(row->persons[0].nhs_number);
  EXPECT_EQ(row->persons[0].nhs_number_recorded, "9434765918");
}

struct BadRow {
  std::vector<std::string> fields;
  std::string field, reason;
};

TEST(Mapping, RejectsEachKindOfBadValueNamingTheColumn) {
  const MappedCsv mapped = bound();
  const std::vector<BadRow> cases = {
      {{"", "Smith", "31/01/2019", "", "", "IM", "", ""}, "pupil id", "missing (required)"},
      {{"P1", "Smith", "30/02/2019", "", "", "IM", "", ""}, "dob", "impossible date"},
      {{"P1", "Smith", "2019-01-31", "", "", "IM", "", ""},
       "dob",
       "not a date in the format %d/%m/%Y"},
      {{"P1", "Smith", "31/01/2027", "", "", "IM", "", ""}, "dob", "date in the future"},
      {{"P1", "Smith", "31/01/2019", "", "", "XX", "", ""}, "contact type", "not in the value set"},
      {{"P1", "Smith", "31/01/2019", "", "", "IM", "", "tall"}, "height", "not a number"},
      {{"P1", "Smith", "31/01/2019", "", "02/03/2024", "IM", "01/03/2024", ""},
       "Next visit",
       "before the start date"},
      {{"P1", std::string(65, 'x'), "31/01/2019", "", "", "IM", "", ""},
       "",
       "a field is longer than 64 bytes"},
      {{"P1", "Smith"}, "", "expected 8 fields, found 2"},
  };
  for (const auto& c : cases) {
    auto row = mapped.parse(record(c.fields));
    ASSERT_FALSE(row.ok()) << c.reason;
    EXPECT_EQ(row.error().field(), c.field) << c.reason;
    EXPECT_EQ(row.error().message(), c.reason);
  }
  CsvRecord malformed = record({"P1"});
  malformed.error = "quote inside an unquoted field";
  auto row = mapped.parse(malformed);
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.error().message(), "quote inside an unquoted field");
  EXPECT_EQ(mapped.original_id(record({"P7", "", "", "", "", "", "", ""})), "P7");
}

TEST(Mapping, HeaderThatDoesNotFitNamesTheMissingColumnsAndTheDelimiter) {
  auto mapping = Mapping::parse(kMapping, "test.toml");
  ASSERT_TRUE(mapping.ok());
  auto wrong = mapping->bind({"Pupil ID;Surname;DOB"}, kAsOf);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find("pupil id"), std::string::npos);
  EXPECT_NE(wrong.error().message().find("separated by ';'"), std::string::npos);
}

TEST(Mapping, BadMappingFilesAreClearErrors) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"[feed\nname=1", "not valid TOML"},
      {"[feed]\nfiles=[\"x*.csv\"]\n[[person]]\noriginal_id=\"a\"", "name is required"},
      {"[feed]\nname=\"x\"\n[[person]]\noriginal_id=\"a\"", "files"},
      {"[feed]\nname=\"x\"\nfiles=[\"x*.csv\"]", "has no [[person]] or [[event]]"},
      {"[feed]\nname=\"x\"\nfiles=[\"x*.csv\"]\n[[event]]\noriginal_id=\"a\"\nkind=\"k\"\n"
       "start_date=\"d\"",
       "exactly one of person and parent"},
      {"[feed]\nname=\"x\"\nfiles=[\"x*.csv\"]\n[[person]]\noriginal_id=\"a\"\nshoe_size=\"s\"",
       "unknown field 'shoe_size'"},
      {"[feed]\nname=\"x\"\nfiles=[\"x*.csv\"]\n[[person]]\noriginal_id=\"a\"\n[columns.a]\n"
       "values=\"no-such-set\"",
       "no shared value set"},
      {"[feed]\nname=\"x\"\nfiles=[\"x*.csv\"]\nencoding=\"ebcdic\"\n[[person]]\noriginal_id=\"a\"",
       "encoding must be"},
      {"[feed]\nname=\"x\"\nfiles=[\"x*.csv\"]\n[[person]]\noriginal_id=\"{a\"", "unbalanced"},
      {"[feed]\nname=\"x\"\nfiles=[\"x*.csv\"]\ndelimeter=\";\"\n[[person]]\noriginal_id=\"a\"",
       "unknown setting 'delimeter'"},
      {"[feed]\nname=\"x\"\nfiles=[\"x*.csv\"]\ndate_format=\"%d/%b/%Y\"\n[[person]]\n"
       "original_id=\"a\"",
       "date_format needs"},
      {"[feed]\nname=\"x\"\nfiles=[\"x*.csv\"]\n[[person]]\noriginal_id=\"a\"\n[columns.d]\n"
       "format=\"%Y\"",
       "format needs"},
  };
  for (const auto& [text, expected] : cases) {
    auto mapping = Mapping::parse(text, "bad.toml");
    ASSERT_FALSE(mapping.ok()) << text;
    EXPECT_NE(mapping.error().message().find(expected), std::string::npos)
        << mapping.error().message();
    EXPECT_EQ(mapping.error().message().rfind("bad.toml", 0), 0u);
  }
}

TEST(Mapping, SharedValueSetsAndMaps) {
  constexpr std::string_view kShared = R"toml(
[sets]
yes-no = ["Y", "N"]
[maps.sex]
"1" = "male"
"2" = "female"
)toml";
  auto mapping = Mapping::parse(R"toml(
[feed]
name = "x"
files = ["x*.csv"]
[columns]
flag = { values = "yes-no" }
sex = { map = "sex" }
[[person]]
original_id = "id"
sex = "sex"
)toml",
                                "x.toml", kShared);
  ASSERT_TRUE(mapping.ok()) << mapping.error().to_string();
  auto mapped = mapping->bind({"id", "flag", "sex"}, kAsOf);
  ASSERT_TRUE(mapped.ok());
  auto row = mapped->parse(record({"A", "Y", "2"}));
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->persons[0].sex, "female");
  EXPECT_FALSE(mapped->parse(record({"A", "maybe", "2"})).ok());
  EXPECT_FALSE(mapped->parse(record({"A", "Y", "3"})).ok());
}

TEST(Mapping, GpPracticeIsAPersonField) {
  auto mapping = Mapping::parse(R"toml(
[feed]
name = "x"
files = ["x*.csv"]
[[person]]
original_id = "id"
gp_practice = "Practice"
)toml",
                                "x.toml");
  ASSERT_TRUE(mapping.ok()) << mapping.error().to_string();
  auto mapped = mapping->bind({"id", "practice"}, kAsOf);
  ASSERT_TRUE(mapped.ok()) << mapped.error().to_string();
  auto row = mapped->parse(record({"A", " B82005 "}));
  ASSERT_TRUE(row.ok()) << row.error().to_string();
  EXPECT_EQ(row->persons[0].gp_practice, "B82005");
  auto blank = mapped->parse(record({"A", ""}));
  ASSERT_TRUE(blank.ok()) << blank.error().to_string();
  EXPECT_FALSE(blank->persons[0].gp_practice);  // blank is NULL

  // A person's field, not an event's.
  auto on_event = Mapping::parse(
      "[feed]\nname=\"x\"\nfiles=[\"x*.csv\"]\n[[event]]\noriginal_id=\"a\"\nkind=\"k\"\n"
      "person=\"p\"\nstart_date=\"d\"\ngp_practice=\"g\"",
      "bad.toml");
  ASSERT_FALSE(on_event.ok());
  EXPECT_NE(on_event.error().message().find("unknown field 'gp_practice'"), std::string::npos)
      << on_event.error().message();
}

// The shipped PAS and MHSDS patient mappings read the practice from the
// gp_practice_code column the synthetic feeds (and the real extracts) have.
TEST(MappingCatalog, ShippedPatientMappingsReadTheGpPractice) {
  auto catalog = MappingCatalog::load_dir(ONECHILD_CONFIG_DIR "/mappings");
  ASSERT_TRUE(catalog.ok()) << catalog.error().to_string();
  struct Case {
    const char* file;
    std::vector<std::string> header, row;
  };
  const Case cases[] = {
      {"acute.patients.csv",
       {"local_patient_id", "nhs_number", "nhs_number_status", "given_name", "family_name",
        "birth_date", "sex", "postcode", "gp_practice_code"},
       {"RX1-001", "9434765919", "01", "Amara", "OKAFOR", "2016-09-03", "2", "LS1 4AB", "B82005"}},
      {"mental_health.patients.csv",
       {"local_patient_id", "nhs_number", "given_name", "family_name", "birth_date", "gender",
        "postcode", "ethnic_category", "gp_practice_code"},
       {"MH-001", "9434765919", "Amara", "Okafor", "2016-09-03", "2", "LS1 4AB", "M", "B82005"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    const Mapping* m = catalog->find(c.file);
    ASSERT_NE(m, nullptr);
    auto mapped = m->bind(c.header, kAsOf);
    ASSERT_TRUE(mapped.ok()) << mapped.error().to_string();
    auto row = mapped->parse(record(c.row));
    ASSERT_TRUE(row.ok()) << row.error().to_string();
    ASSERT_EQ(row->persons.size(), 1u);
    EXPECT_EQ(row->persons[0].gp_practice, "B82005");
    EXPECT_EQ(row->persons[0].sex, "female");
  }
}

TEST(MappingCatalog, ShippedMappingsCoverEverySyntheticFeed) {
  auto catalog = MappingCatalog::load_dir(ONECHILD_CONFIG_DIR "/mappings");
  ASSERT_TRUE(catalog.ok()) << catalog.error().to_string();
  const std::pair<const char*, const char*> files[] = {
      {"acute.patients.csv", "acute.patients"},
      {"acute.ecds.csv", "acute.ecds"},
      {"acute.apc.csv", "acute.apc"},
      {"acute.outpatients.csv", "acute.outpatients"},
      {"mental_health.patients.csv", "mental_health.patients"},
      {"mental_health.referrals.csv", "mental_health.referrals"},
      {"mental_health.care_contacts.csv", "mental_health.care_contacts"},
      {"mental_health.outcomes.csv", "mental_health.outcomes"},
      {"maternity.births.csv", "maternity.births"},
      {"social_care_westmoor.persons.csv", "social_care.persons"},
      {"social_care_westmoor.cin.csv", "social_care.cin"},
      {"social_care_westmoor.cp_plans.csv", "social_care.cp_plans"},
      {"social_care_westmoor.lac_episodes.csv", "social_care.lac_episodes"},
      {"social_care_westmoor.health_assessments.csv", "social_care.health_assessments"},
      {"education_westmoor.school_census.csv", "education.school_census"},
      {"education_westmoor.eyfsp.csv", "education.eyfsp"},
      {"education_westmoor.ehc_requests.csv", "education.ehc_requests"},
      {"social_care.persons.fixed.csv", "social_care.persons"},
  };
  for (const auto& [file, name] : files) {
    const Mapping* m = catalog->find(file);
    ASSERT_NE(m, nullptr) << file;
    EXPECT_EQ(m->name(), name) << file;
  }
  EXPECT_EQ(catalog->find("unknown.csv"), nullptr);
}

TEST(GlobMatch, StarsAndQuestionMarks) {
  EXPECT_TRUE(glob_match("social_care*.persons*.csv", "social_care_westmoor.persons.csv"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_FALSE(glob_match("acute.ecds*.csv", "acute.apc.csv"));
  EXPECT_TRUE(glob_match("*", ""));
}

}  // namespace
}  // namespace onechild::ingest
