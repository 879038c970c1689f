#include "ingest/ingest.h"

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <string>
#include <vector>

#include "ingest/batch.h"
#include "ingest/hashing_file.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

using testing::TempDir;

void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

int64_t count(Database& db, const char* table) {
  auto stmt = db.prepare(std::string("SELECT count(*) FROM ") + table);  // table names are literals
  EXPECT_TRUE(stmt.ok());
  EXPECT_TRUE(*stmt->step());
  return stmt->column_int64(0);
}

constexpr const char* kPersons =
    "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
    "CSC1,Sam,Smith,2019-01-31,male,LS2 7XY,9434765919\n"
    "CSC2,Amy,Jones,2018-13-01,female,LS3 1AB,\n"            // bad date
    "CSC3,Kai,Brown,2017-06-01,male,LS4 2CD\n"               // wrong column count
    "CSC4,Eve,Green,2016-02-02,female,LS5 3EF,9434765918\n"  // bad check digit
    "CSC5,\"O'Brien, Jo\",Hall,2015-03-03,female,LS6 4GH,\n";

TEST(Ingest, QuarantinesBadRowsAndReconciles) {
  TempDir dir;
  write(dir.file("social_care.persons.csv"), kPersons);
  auto db = Database::open(dir.file("x.db"));
  auto report = ingest_paths(*db, {dir.file("social_care.persons.csv")});
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  ASSERT_EQ(report->files.size(), 1u);
  const auto& f = report->files[0];
  EXPECT_EQ(f.source, "social_care");
  EXPECT_EQ(f.mapping, "social_care.persons");
  EXPECT_EQ(f.rows_read, 5);
  EXPECT_EQ(f.rows_new, 3);
  EXPECT_EQ(f.rows_quarantined, 2);
  EXPECT_EQ(f.invalid_nhs_numbers, 1);
  EXPECT_TRUE(report->reconciles());
  ASSERT_EQ(f.quarantined.size(), 2u);
  EXPECT_EQ(f.quarantined[0].line, 3);
  EXPECT_EQ(f.quarantined[0].field, "date_of_birth");
  EXPECT_EQ(f.quarantined[0].reason, "impossible date");
  EXPECT_EQ(f.quarantined[1].line, 4);
  EXPECT_EQ(f.quarantined_by_reason.at("impossible date"), 1);
  EXPECT_EQ(count(*db, "source_persons"), 3);
  EXPECT_EQ(count(*db, "quarantine"), 2);

  auto raw = db->prepare("SELECT raw, original_id FROM quarantine WHERE line = 4");
  ASSERT_TRUE(*raw->step());
  EXPECT_EQ(raw->column_text(0), "CSC3,Kai,Brown,2017-06-01,male,LS4 2CD");
  EXPECT_EQ(raw->column_text(1), "CSC3");

  // A number that fails Modulus 11 is kept as recorded and flagged, never
  // used as the NHS number.
  auto eve = db->prepare(
      "SELECT nhs_number, nhs_number_recorded, nhs_number_status FROM source_persons "
      "WHERE original_id = 'CSC4'");
  ASSERT_TRUE(*eve->step());
  EXPECT_TRUE(eve->column_is_null(0));
  EXPECT_EQ(eve->column_text(1), "9434765918");
  EXPECT_EQ(eve->column_text(2), "invalid");
}

TEST(Ingest, RecordsTheFilesSha256) {
  TempDir dir;
  write(dir.file("social_care.persons.csv"),
        "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
        "A1,Sam,Smith,2019-01-31,male,LS2 7XY,\n");
  auto db = Database::open(dir.file("x.db"));
  ASSERT_TRUE(ingest_paths(*db, {dir.file("social_care.persons.csv")}).ok());
  auto stmt = db->prepare("SELECT file_sha256 FROM ingest_batches");
  ASSERT_TRUE(*stmt->step());
  // sha256sum of the file above.
  EXPECT_EQ(stmt->column_text(0),
            "75b78ba3f6d3f4aba92e0a64d71b18efa36b07370f94e7124492fe4e0a97f38c");
}

TEST(HashingFile, HashCoversTheWholeFileWhateverWasRead) {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 20000; ++i)
    content += "line " + std::to_string(i) + "\n";  // > 64 KiB
  write(dir.file("big.txt"), content);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(content.data()),
                     content.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());

  ingest::HashingFile in(dir.file("big.txt"));
  ASSERT_TRUE(in.is_open());
  std::string line;
  for (int i = 0; i < 3; ++i)
    std::getline(in.stream(), line);  // an adapter that stopped early
  EXPECT_EQ(line, "line 2");
  EXPECT_EQ(in.sha256(), hex.data());
  EXPECT_FALSE(ingest::HashingFile(dir.file("missing")).is_open());
}

TEST(Ingest, ReloadingTheSameFileChangesNothing) {
  TempDir dir;
  write(dir.file("social_care.persons.csv"), kPersons);
  auto db = Database::open(dir.file("x.db"));
  ASSERT_TRUE(ingest_paths(*db, {dir.path().string()}).ok());
  auto again = ingest_paths(*db, {dir.path().string()});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->files[0].rows_unchanged, 3);
  EXPECT_EQ(again->files[0].rows_new, 0);
  EXPECT_EQ(again->files[0].rows_updated, 0);
  EXPECT_EQ(again->files[0].rows_quarantined, 2);  // reported again, stored once
  EXPECT_EQ(again->files[0].quarantine_written, 0);
  EXPECT_EQ(count(*db, "source_persons"), 3);
  EXPECT_EQ(count(*db, "quarantine"), 2);
}

TEST(Ingest, ChangedRowArrivesAsNewVersion) {
  TempDir dir;
  const std::string header =
      "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n";
  const std::string file = dir.file("social_care.persons.csv");
  write(file, header + "A1,Sam,Smith,2019-01-31,male,LS2 7XY,\n");
  auto db = Database::open(dir.file("x.db"));
  ASSERT_TRUE(ingest_paths(*db, {file}).ok());
  write(file, header + "A1,Sam,Smith,2019-01-31,male,LS9 9ZZ,\n");
  auto second = ingest_paths(*db, {file});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->files[0].rows_updated, 1);
  EXPECT_EQ(count(*db, "source_persons"), 2);
  // The old version is kept and points to its successor; only one is current.
  auto versions =
      db->prepare("SELECT postcode, superseded_by IS NULL FROM source_persons ORDER BY id");
  ASSERT_TRUE(*versions->step());
  EXPECT_EQ(versions->column_text(0), "LS2 7XY");
  EXPECT_EQ(versions->column_int64(1), 0);
  ASSERT_TRUE(*versions->step());
  EXPECT_EQ(versions->column_text(0), "LS9 9ZZ");
  EXPECT_EQ(versions->column_int64(1), 1);

  // The same content again, in a re-exported file with other quoting and
  // CRLF endings, is unchanged: the hash is of the record, not the bytes.
  write(file, header + "\"A1\",Sam,Smith,2019-01-31,male,\"LS9 9ZZ\",\r\n");
  auto third = ingest_paths(*db, {file});
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->files[0].rows_unchanged, 1);
  EXPECT_EQ(count(*db, "source_persons"), 2);

  // The first version again (an extract that carries history) is unchanged
  // too: identical to a superseded version, which is not made current again.
  write(file, header + "A1,Sam,Smith,2019-01-31,male,LS2 7XY,\n");
  auto fourth = ingest_paths(*db, {file});
  ASSERT_TRUE(fourth.ok());
  EXPECT_EQ(fourth->files[0].rows_unchanged, 1);
  EXPECT_EQ(fourth->files[0].rows_new + fourth->files[0].rows_updated, 0);
  EXPECT_EQ(count(*db, "source_persons"), 2);
  auto current = db->prepare("SELECT postcode FROM source_persons WHERE superseded_by IS NULL");
  ASSERT_TRUE(*current->step());
  EXPECT_EQ(current->column_text(0), "LS9 9ZZ");
  EXPECT_FALSE(*current->step());
}

TEST(Ingest, LoadsFhirNdjsonWithQuarantine) {
  TempDir dir;
  write(
      dir.file("gp.ndjson"),
      R"({"resourceType":"Patient","id":"p1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"birthDate":"2020-01-01"})"
      "\n{not json\n\n"
      R"({"resourceType":"Immunization","id":"i1","patient":{"reference":"Patient/p1"},"vaccineCode":{"coding":[{"code":"871831003","display":"MMR"}]},"occurrenceDateTime":"2021-01-05"})"
      "\n");
  auto db = Database::open(dir.file("x.db"));
  auto report = ingest_paths(*db, {dir.file("gp.ndjson")});
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  const auto& f = report->files[0];
  EXPECT_EQ(f.format, "fhir-ndjson");
  EXPECT_EQ(f.rows_read, 3);
  EXPECT_EQ(f.rows_accepted(), 2);
  EXPECT_EQ(f.rows_quarantined, 1);
  EXPECT_EQ(f.quarantined[0].line, 2);
  EXPECT_EQ(count(*db, "source_events"), 1);
}

TEST(Ingest, LoadsEveryFhirEventTypeWithItsValue) {
  TempDir dir;
  write(
      dir.file("community.ndjson"),
      R"json({"resourceType":"Patient","id":"CH50205978","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"birthDate":"2016-01-10"})json"
      "\n"
      R"json({"resourceType":"Encounter","id":"CH50205978-e1","status":"finished","type":[{"coding":[{"system":"http://snomed.info/sct","code":"11429006","display":"Consultation"}]}],"subject":{"reference":"Patient/CH50205978"},"period":{"start":"2017-07-10","end":"2017-07-10"}})json"
      "\n"
      R"json({"resourceType":"Condition","id":"CH50205978-c1","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"35919005","display":"Autism spectrum disorder"}]},"subject":{"reference":"Patient/CH50205978"},"onsetDateTime":"2022-03-01"})json"
      "\n"
      R"json({"resourceType":"Observation","id":"CH50205978-o2","status":"final","code":{"coding":[{"system":"https://onechild.example/fhir/CodeSystem/observation","code":"asq3-communication","display":"ASQ-3 communication score"}]},"subject":{"reference":"Patient/CH50205978"},"effectiveDateTime":"2017-07-10","valueInteger":30})json"
      "\n"
      R"json({"resourceType":"Observation","id":"CH50205978-o9","status":"final","code":{"coding":[{"code":"50373000"}]},"subject":{"reference":"Patient/CH50205978"},"effectiveDateTime":"2017-02-30","valueQuantity":{"value":98.1,"unit":"cm"}})json"
      "\n"
      R"json({"resourceType":"CarePlan","id":"CH50205978-p1","status":"active","category":[{"coding":[{"code":"asthma","display":"Asthma action plan"}]}],"subject":{"reference":"Patient/CH50205978"},"period":{"start":"2022-07-21"}})json"
      "\n"
      R"json({"resourceType":"ServiceRequest","id":"CH50205978-r15","status":"completed","code":{"coding":[{"code":"community-paediatrics","display":"Referral to community paediatrics"}]},"reasonCode":[{"coding":[{"code":"suspected-autism","display":"Suspected autism"}]}],"subject":{"reference":"Patient/CH50205978"},"authoredOn":"2021-11-10"})json"
      "\n");
  auto db = Database::open(dir.file("x.db"));
  auto report = ingest_paths(*db, {dir.file("community.ndjson")});
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  const auto& f = report->files[0];
  EXPECT_EQ(f.source, "community");
  EXPECT_EQ(f.rows_read, 7);
  EXPECT_EQ(f.rows_accepted(), 6);
  EXPECT_EQ(f.rows_quarantined, 1);
  EXPECT_TRUE(report->reconciles());
  ASSERT_EQ(f.quarantined.size(), 1u);
  EXPECT_EQ(f.quarantined[0].line, 5);  // the impossible date
  EXPECT_EQ(f.quarantined[0].field, "effectiveDateTime");
  EXPECT_EQ(count(*db, "source_persons"), 1);

  // Every event belongs to the one patient; kind, id, start, status and value as sent.
  auto events = db->prepare(
      "SELECT kind, original_id, start_date, status, value FROM source_events "
      "WHERE person_original_id = 'CH50205978' ORDER BY line");
  ASSERT_TRUE(events.ok());
  std::vector<std::string> rows;
  ASSERT_TRUE(events
                  ->each_row([&](const Statement& row) {
                    std::string text;
                    for (int i = 0; i < 5; ++i)
                      text += (i ? "|" : "") + row.column_optional_text(i).value_or("NULL");
                    rows.push_back(text);
                  })
                  .ok());
  EXPECT_EQ(rows, (std::vector<std::string>{
                      "encounter|CH50205978-e1|2017-07-10|finished|NULL",
                      "condition|CH50205978-c1|2022-03-01|active|NULL",
                      "observation|CH50205978-o2|2017-07-10|final|30",
                      "care-plan|CH50205978-p1|2022-07-21|active|NULL",
                      "service-request|CH50205978-r15|2021-11-10|completed|Suspected autism",
                  }));
}

TEST(Ingest, FileLevelProblemsAreClearErrors) {
  TempDir dir;
  auto db = Database::open(dir.file("x.db"));
  auto missing = ingest_paths(*db, {dir.file("nope.csv")});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("nope.csv"), std::string::npos);

  write(dir.file("feed.txt"), "hello");
  auto unknown = ingest_paths(*db, {dir.file("feed.txt")});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().file(), dir.file("feed.txt"));

  write(dir.file("cs.csv"), "who,what\n1,2\n");
  auto no_mapping = ingest_paths(*db, {dir.file("cs.csv")});
  ASSERT_FALSE(no_mapping.ok());
  EXPECT_NE(no_mapping.error().message().find("no mapping"), std::string::npos);

  write(dir.file("social_care.persons.csv"), "who;what\n1;2\n");
  auto header = ingest_paths(*db, {dir.file("social_care.persons.csv")});
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().line(), 1);
  EXPECT_NE(header.error().message().find("missing columns"), std::string::npos);
  EXPECT_NE(header.error().message().find("wrong delimiter"), std::string::npos);
  EXPECT_EQ(count(*db, "ingest_batches"), 0);
}

TEST(Ingest, EventsBeforeBirthAndUnknownParentsAreQuarantined) {
  TempDir dir;
  write(dir.file("social_care_x.persons.csv"),
        "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
        "P1,Sam,Smith,2019-01-31,male,LS2 7XY,\n");
  write(dir.file("social_care_x.cin.csv"),
        "episode_id,local_id,category,start_date,end_date\n"
        "E1,P1,Child in need,2019-01-30,\n"    // the day before birth
        "E2,P1,Child in need,2019-01-31,\n"    // the day of birth is fine
        "E3,P9,Child in need,2001-01-01,\n");  // person not sent (yet): accepted
  write(dir.file("mental_health.care_contacts.csv"),
        "care_contact_id,service_request_id,care_contact_date,attend_or_dna_code,"
        "consultation_mechanism\nC1,SR404,2024-01-19,5,01\n");
  auto db = Database::open(dir.file("x.db"));
  auto report = ingest_paths(*db, {dir.path().string()});
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  ASSERT_EQ(report->files.size(), 3u);
  // Persons load first whatever the names say (mapping order).
  EXPECT_EQ(report->files[0].mapping, "social_care.persons");
  const FileReport& cin = report->files[1];
  EXPECT_EQ(cin.rows_new, 2);
  ASSERT_EQ(cin.rows_quarantined, 1);
  EXPECT_EQ(cin.quarantined[0].line, 2);
  EXPECT_EQ(cin.quarantined[0].reason, "event is dated before the person's birth");
  const FileReport& contacts = report->files[2];
  ASSERT_EQ(contacts.rows_quarantined, 1);
  EXPECT_EQ(contacts.quarantined[0].field, "parent");
}

TEST(Ingest, CommitsInBatchesAndResolvesFixedRows) {
  TempDir dir;
  std::string rows = "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n";
  for (int i = 0; i < 25; ++i)
    rows += "P" + std::to_string(i) + ",Sam,Smith,2019-01-" + (i == 7 ? "32" : "11") + ",male,,\n";
  const std::string file = dir.file("social_care.persons.csv");
  write(file, rows);
  auto db = Database::open(dir.file("x.db"));
  IngestOptions options;
  options.rows_per_commit = 10;
  auto first = ingest_paths(*db, {file}, options);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->files[0].rows_new, 24);
  auto batch = db->prepare(
      "SELECT status, rows_read, records_written, quarantine_written, header FROM ingest_batches");
  ASSERT_TRUE(*batch->step());
  EXPECT_EQ(batch->column_text(0), "complete");
  EXPECT_EQ(batch->column_int64(1), 25);
  EXPECT_EQ(batch->column_int64(2), 24);
  EXPECT_EQ(batch->column_int64(3), 1);
  EXPECT_EQ(batch->column_text(4).substr(0, 9), "local_id,");

  // The data manager fixes the row and loads it again: it is accepted and
  // the quarantined row is marked resolved.
  write(dir.file("social_care.persons.fixed.csv"),
        "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
        "P7,Sam,Smith,2019-01-31,male,,\n");
  auto fixed = ingest_paths(*db, {dir.file("social_care.persons.fixed.csv")}, options);
  ASSERT_TRUE(fixed.ok());
  EXPECT_EQ(fixed->files[0].rows_new, 1);
  auto resolved = db->prepare("SELECT resolved_at IS NOT NULL FROM quarantine");
  ASSERT_TRUE(*resolved->step());
  EXPECT_EQ(resolved->column_int64(0), 1);
}

TEST(Ingest, UncommittedBatchLeavesStoreAsBefore) {
  TempDir dir;
  auto db = Database::open(dir.file("x.db"));
  FileReport report;
  report.file = "f.csv";
  report.source = "cs";
  report.format = "csv";
  {
    auto batch = ingest::Batch::begin(*db, report);
    ASSERT_TRUE(batch.ok());
    ingest::ParsedRow row;
    row.persons.emplace_back().original_id = "A1";
    ASSERT_TRUE(batch->accept(row, 2, "A1").ok());
    // Destroyed without commit(), as when a load fails or the process dies mid-file.
  }
  EXPECT_EQ(count(*db, "source_persons"), 0);
  EXPECT_EQ(count(*db, "ingest_batches"), 0);
  EXPECT_EQ(count(*db, "source_systems"), 0);
}

}  // namespace
}  // namespace onechild

namespace onechild {
namespace {

// Bug found in review: the birth date looked up for an event was cached
// even when the person was not yet loaded, so after the Patient arrived
// later in the same file its later events escaped the before-birth check.
TEST(Ingest, BirthCheckSeesAPersonLoadedAfterTheirFirstEvent) {
  TempDir dir;
  const std::string imm =
      R"({"resourceType":"Immunization","id":"%s","patient":{"reference":"Patient/p1"},"vaccineCode":{"coding":[{"code":"1"}]},"occurrenceDateTime":"2019-05-01"})";
  auto immunisation = [&](const char* id) {
    std::string text = imm;
    return text.replace(text.find("%s"), 2, id);
  };
  write(dir.file("gp.ndjson"),
        immunisation("i1") + "\n" +
            R"({"resourceType":"Patient","id":"p1","birthDate":"2020-01-01"})" + "\n" +
            immunisation("i2") + "\n");
  auto db = Database::open(dir.file("x.db"));
  auto report = ingest_paths(*db, {dir.file("gp.ndjson")});
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  const FileReport& f = report->files[0];
  EXPECT_EQ(f.rows_new, 2);  // i1 (person not known yet) and the Patient
  ASSERT_EQ(f.rows_quarantined, 1);
  EXPECT_EQ(f.quarantined[0].line, 3);
  EXPECT_EQ(f.quarantined[0].reason, "event is dated before the person's birth");
}

}  // namespace
}  // namespace onechild

namespace onechild {
namespace {

// A first load of a source skips the version lookup for ids it has not met;
// an id that comes again in the same load (a school census term by term)
// must still supersede, not duplicate, the version before it.
TEST(Ingest, FirstLoadStillVersionsAnIdSeenTwice) {
  TempDir dir;
  write(dir.file("social_care.persons.csv"),
        "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
        "A1,Sam,Smith,2019-01-31,male,LS2 7XY,\n"
        "B1,Amy,Jones,2018-01-01,female,LS3 1AB,\n"
        "A1,Sam,Smith,2019-01-31,male,LS9 9ZZ,\n"
        "B1,Amy,Jones,2018-01-01,female,LS3 1AB,\n");
  auto db = Database::open(dir.file("x.db"));
  auto report = ingest_paths(*db, {dir.file("social_care.persons.csv")});
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  const FileReport& f = report->files[0];
  EXPECT_EQ(f.rows_new, 2);
  EXPECT_EQ(f.rows_updated, 1);
  EXPECT_EQ(f.rows_unchanged, 1);
  EXPECT_EQ(count(*db, "source_persons"), 3);
  auto current = db->prepare(
      "SELECT group_concat(postcode) FROM (SELECT postcode FROM source_persons "
      "WHERE superseded_by IS NULL ORDER BY original_id)");
  ASSERT_TRUE(*current->step());
  EXPECT_EQ(current->column_text(0), "LS9 9ZZ,LS3 1AB");
}

// The registered GP practice (migration 7) from a GP's FHIR Patient, as an
// ODS identifier (as onechild synth writes it) or an Organization reference.
TEST(Ingest, StoresTheGpPracticeOfAFhirPatient) {
  TempDir dir;
  const std::string file = dir.file("gp.ndjson");
  const auto patient = [](const std::string& id, const std::string& practice) {
    return R"({"resourceType":"Patient","id":")" + id +
           R"(","birthDate":"2020-01-01","generalPractitioner":)" + practice + "}\n";
  };
  const std::string ods = R"({"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":)";
  write(file, patient("p1", "[{\"identifier\":" + ods + "\"B82005\"}}]") +
                  patient("p2", R"([{"reference":"Organization/A81001"}])") + patient("p3", "[]") +
                  patient("p4", R"({"reference":"Organization/A81001"})"));
  auto db = Database::open(dir.file("x.db"));
  auto report = ingest_paths(*db, {file});
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_EQ(report->files[0].rows_new, 3);
  ASSERT_EQ(report->files[0].rows_quarantined, 1);
  EXPECT_EQ(report->files[0].quarantined[0].line, 4);
  EXPECT_EQ(report->files[0].quarantined[0].field, "generalPractitioner");
  const auto practices = [&] {
    auto stmt = db->prepare(
        "SELECT group_concat(original_id || '=' || coalesce(gp_practice, 'NULL'), ' ') FROM "
        "(SELECT original_id, gp_practice FROM source_persons ORDER BY id)");
    EXPECT_TRUE(stmt.ok());
    EXPECT_TRUE(*stmt->step());
    return stmt->column_text(0);
  };
  EXPECT_EQ(practices(), "p1=B82005 p2=A81001 p3=NULL");

  // Reloaded: unchanged. A move to another practice is a new version.
  auto again = ingest_paths(*db, {file});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->files[0].rows_unchanged, 3);
  write(file, patient("p1", "[{\"identifier\":" + ods + "\"Y01234\"}}]"));
  auto moved = ingest_paths(*db, {file});
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->files[0].rows_updated, 1);
  EXPECT_EQ(practices(), "p1=B82005 p2=A81001 p3=NULL p1=Y01234");
  auto current = db->prepare(
      "SELECT gp_practice FROM source_persons WHERE original_id = 'p1' AND superseded_by IS NULL");
  ASSERT_TRUE(*current->step());
  EXPECT_EQ(current->column_text(0), "Y01234");
}

TEST(Ingest, StoresTheGpPracticeOfACsvPatient) {
  TempDir dir;
  write(dir.file("acute.patients.csv"),
        "local_patient_id,nhs_number,nhs_number_status,given_name,family_name,birth_date,sex,"
        "postcode,gp_practice_code\n"
        "RX1,9434765919,01,Sam,SMITH,2019-01-31,1,LS2 7XY,B82005\n"
        "RX2,,,Amy,JONES,2018-01-01,2,LS3 1AB,\n");
  auto db = Database::open(dir.file("x.db"));
  auto report = ingest_paths(*db, {dir.file("acute.patients.csv")});
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_EQ(report->files[0].rows_new, 2);
  auto stmt = db->prepare("SELECT gp_practice FROM source_persons ORDER BY original_id");
  ASSERT_TRUE(*stmt->step());
  EXPECT_EQ(stmt->column_text(0), "B82005");
  ASSERT_TRUE(*stmt->step());
  EXPECT_TRUE(stmt->column_is_null(0));
}

// A person without a GP practice hashes exactly as before migration 7, so
// reloading an old file after the upgrade leaves them unchanged; a practice
// changes the hash. The literals are BLAKE2b-128 of the fields joined with
// 0x1f, NULL as 0x1e (docs/ingest.md).
TEST(Ingest, PersonHashWithoutAPracticeIsAsBeforeMigration7) {
  ingest::PersonRow p;
  p.original_id = "A1";
  p.given_name = "Sam";
  p.family_name = "Smith";
  p.birth_date = "2019-01-31";
  p.sex = "male";
  p.postcode = "LS2 7XY";
  EXPECT_EQ(ingest::record_hash(p), "ac80560e3ab4897c1291c5ddac29b61f");
  p.set_nhs_number("9434765919");
  p.ethnic_category = "N";
  EXPECT_EQ(ingest::record_hash(p), "6041b9898ff09844ecd53fed95d45d7b");
  p.gp_practice = "B82005";
  const std::string with_practice = ingest::record_hash(p);
  EXPECT_NE(with_practice, "6041b9898ff09844ecd53fed95d45d7b");
  p.gp_practice = "Y01234";
  EXPECT_NE(ingest::record_hash(p), with_practice);
  p.gp_practice = "";
  EXPECT_NE(ingest::record_hash(p), "6041b9898ff09844ecd53fed95d45d7b");
}

}  // namespace
}  // namespace onechild
