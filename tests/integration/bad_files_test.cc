// Bad files: the real onechild binary on the corpus in tests/data/bad/
// (written by tests/data/bad/make.py). Each file either stops the load with
// exit 1 and one stderr line naming it, or loads with exit 0 and exactly the
// rows quarantined that should be, for the reason they should be. Nothing
// may crash: an exit status of 2 or more, a signal or a hang is a failure.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "store/database.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

namespace json = boost::json;
using testing::TempDir;

const std::string kBad = std::string(ONECHILD_TEST_DATA) + "/bad/";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Load {
  int status = -1;  // the exit status; -1 when killed by a signal
  int signal = 0;
  std::string out, err;  // stdout, stderr
  json::object report;   // --report, when written
  std::string db;
};

// `onechild ingest --as-of 2026-11-01 --report ...` on files of the corpus,
// into a fresh database, under a two-minute limit (a hang exits 124).
Load ingest(const TempDir& dir, const std::vector<std::string>& files) {
  Load load;
  load.db = dir.file("bad.db");
  const std::string report = dir.file("report.json");
  std::string cmd = std::string("CI=true timeout 120 '") + ONECHILD_BIN + "' ingest --db '" +
                    load.db + "' --as-of 2026-11-01 --report '" + report + "'";
  for (const auto& f : files)
    cmd += " '" + kBad + f + "'";
  cmd += " >'" + dir.file("out.txt") + "' 2>'" + dir.file("err.txt") + "' </dev/null";
  const int raw = std::system(cmd.c_str());
  if (WIFEXITED(raw)) {
    load.status = WEXITSTATUS(raw);
    // The shell reports a signal that killed its child as 128 + signal.
    if (load.status > 128 && load.status < 128 + 64) load.signal = load.status - 128;
  } else if (WIFSIGNALED(raw)) {
    load.signal = WTERMSIG(raw);
  }
  load.out = slurp(dir.file("out.txt"));
  load.err = slurp(dir.file("err.txt"));
  const std::string text = slurp(report);
  if (!text.empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (!ec && v.is_object()) load.report = v.as_object();
  }
  return load;
}

// Never a crash, a sanitizer report or a hang, whatever the file.
void expect_no_crash(const Load& load) {
  EXPECT_EQ(load.signal, 0) << "killed by signal " << load.signal << "\n" << load.err;
  EXPECT_NE(load.status, 124) << "hung (timed out)";
  EXPECT_LT(load.status, 2) << "internal error or crash: " << load.err;
  EXPECT_EQ(load.err.find("Sanitizer"), std::string::npos) << load.err;
}

// Exit 1 with one line on stderr naming the file and saying what is wrong.
void expect_refused(const Load& load, const std::string& file, const std::string& says) {
  expect_no_crash(load);
  EXPECT_EQ(load.status, 1) << load.out << load.err;
  EXPECT_EQ(std::count(load.err.begin(), load.err.end(), '\n'), 1) << load.err;
  EXPECT_NE(load.err.find(file), std::string::npos)
      << "stderr should name " << file << ": " << load.err;
  EXPECT_NE(load.err.find(says), std::string::npos)
      << "stderr should say '" << says << "': " << load.err;
}

struct Counts {
  int64_t read, fresh, quarantined;
};

// Exit 0, and the file's report with these counts; returns the file's report.
json::object expect_loaded(const Load& load, const std::string& file, Counts counts) {
  expect_no_crash(load);
  EXPECT_EQ(load.status, 0) << load.out << load.err;
  EXPECT_TRUE(load.err.empty()) << load.err;
  if (load.report.empty() || !load.report.contains("files")) {
    ADD_FAILURE() << "no report for " << file;
    return {};
  }
  EXPECT_TRUE(load.report.at("reconciles").as_bool());
  for (const auto& f : load.report.at("files").as_array()) {
    const json::object& o = f.as_object();
    if (!std::string_view(o.at("file").as_string()).ends_with("/" + file)) continue;
    EXPECT_EQ(o.at("rows_read").as_int64(), counts.read) << file;
    EXPECT_EQ(o.at("rows_new").as_int64(), counts.fresh) << file;
    EXPECT_EQ(o.at("rows_updated").as_int64(), 0) << file;
    EXPECT_EQ(o.at("rows_unchanged").as_int64(), 0) << file;
    EXPECT_EQ(o.at("rows_quarantined").as_int64(), counts.quarantined) << file;
    EXPECT_EQ(static_cast<int64_t>(o.at("quarantined").as_array().size()), counts.quarantined)
        << file;
    EXPECT_TRUE(o.at("reconciles").as_bool()) << file;
    return o;
  }
  ADD_FAILURE() << "the report has no entry for " << file;
  return {};
}

struct Quarantined {
  int64_t line;
  std::string field, reason;
};

void expect_quarantined(const json::object& file, const std::vector<Quarantined>& expected) {
  if (file.empty()) return;
  const auto& q = file.at("quarantined").as_array();
  ASSERT_EQ(q.size(), expected.size()) << json::serialize(q);
  for (size_t i = 0; i < q.size(); ++i) {
    EXPECT_EQ(q[i].at("line").as_int64(), expected[i].line) << i;
    EXPECT_EQ(q[i].at("field").as_string(), expected[i].field) << i;
    EXPECT_EQ(q[i].at("reason").as_string(), expected[i].reason) << i;
  }
  std::map<std::string, int64_t> by_reason;
  for (const auto& e : expected)
    ++by_reason[e.reason];
  const auto& reported = file.at("quarantined_by_reason").as_object();
  EXPECT_EQ(reported.size(), by_reason.size()) << json::serialize(reported);
  for (const auto& [reason, n] : by_reason) {
    ASSERT_TRUE(reported.contains(reason)) << reason;
    EXPECT_EQ(reported.at(reason).as_int64(), n) << reason;
  }
}

int64_t converted(const json::object& file) {
  return file.empty() ? -1 : file.at("rows_converted_from_windows_1252").as_int64();
}

std::vector<std::string> column(const std::string& db_path, std::string_view sql) {
  std::vector<std::string> out;
  auto db = Database::open(db_path);
  EXPECT_TRUE(db.ok());
  if (!db.ok()) return out;
  auto stmt = db->prepare(sql);
  EXPECT_TRUE(stmt.ok());
  if (!stmt.ok()) return out;
  EXPECT_TRUE(stmt->each_row([&](Statement& s) {
                    out.push_back(s.column_is_null(0) ? "NULL" : s.column_text(0));
                  })
                  .ok());
  return out;
}

int64_t count(const std::string& db_path, std::string_view sql) {
  auto v = column(db_path, sql);
  return v.empty() ? -1 : std::stoll(v[0]);
}

// ---- files a load cannot read at all: exit 1 -------------------------------

TEST(BadFiles, EmptyFileIsRefused) {
  TempDir dir;
  auto load = ingest(dir, {"social_care_bad.persons.empty.csv"});
  expect_refused(load, "social_care_bad.persons.empty.csv", "empty");
}

TEST(BadFiles, BinaryCsvIsRefused) {
  TempDir dir;
  auto load = ingest(dir, {"social_care_bad.persons.binary.csv"});
  expect_refused(load, "social_care_bad.persons.binary.csv", "header");
}

TEST(BadFiles, SemicolonSeparatedFileIsRefusedAsTheWrongDelimiter) {
  TempDir dir;
  auto load = ingest(dir, {"social_care_bad.persons.semicolon.csv"});
  expect_refused(load, "social_care_bad.persons.semicolon.csv", "wrong delimiter");
}

TEST(BadFiles, DeeplyNestedBundleIsRefused) {
  TempDir dir;
  auto load = ingest(dir, {"gp_bad.deep.json"});
  expect_refused(load, "gp_bad.deep.json", "nested more than 64 levels deep");
}

TEST(BadFiles, UnknownExtensionIsRefused) {
  TempDir dir;
  auto load = ingest(dir, {"social_care_bad.persons.xlsx"});
  expect_refused(load, "social_care_bad.persons.xlsx", "unknown feed format");
}

// ---- files that load, with the bad rows quarantined ------------------------

TEST(BadFiles, TruncatedLastRowIsQuarantined) {
  TempDir dir;
  const std::string file = "social_care_bad.persons.truncated.csv";
  auto report = expect_loaded(ingest(dir, {file}), file, {3, 2, 1});
  expect_quarantined(report, {{4, "", "expected 9 fields, found 3"}});
}

TEST(BadFiles, UnclosedQuoteAtTheEndIsQuarantined) {
  TempDir dir;
  const std::string file = "social_care_bad.persons.unclosed_quote.csv";
  auto report = expect_loaded(ingest(dir, {file}), file, {3, 2, 1});
  expect_quarantined(report, {{4, "", "quoted field is never closed"}});
}

TEST(BadFiles, BinaryNdjsonLinesAreEachQuarantined) {
  TempDir dir;
  const std::string file = "gp_bad.binary.ndjson";
  auto load = ingest(dir, {file});
  auto report = expect_loaded(load, file, {3, 0, 3});
  if (report.empty()) return;
  // Every line starts with a NUL, so JSON stops at its first byte.
  expect_quarantined(report, {{1, "", "not valid JSON: syntax error at byte offset 0"},
                              {2, "", "not valid JSON: syntax error at byte offset 0"},
                              {3, "", "not valid JSON: syntax error at byte offset 0"}});
  EXPECT_EQ(count(load.db, "SELECT count(*) FROM quarantine"), 3);
  // The raw bytes are kept whole, NULs included.
  EXPECT_EQ(count(load.db, "SELECT min(length(CAST(raw AS BLOB))) FROM quarantine"), 700);
}

TEST(BadFiles, MegabyteFieldIsQuarantined) {
  TempDir dir;
  const std::string file = "social_care_bad.persons.huge_field.csv";
  auto load = ingest(dir, {file});
  auto report = expect_loaded(load, file, {3, 2, 1});
  expect_quarantined(report, {{4, "", "a field is longer than 65536 bytes"}});
  EXPECT_EQ(count(load.db, "SELECT count(*) FROM source_persons"), 2);
}

TEST(BadFiles, DeeplyNestedNdjsonLineIsQuarantined) {
  TempDir dir;
  const std::string file = "gp_bad.deep.ndjson";
  auto report = expect_loaded(ingest(dir, {file}), file, {3, 2, 1});
  expect_quarantined(report, {{2, "", "not valid JSON: nested more than 64 levels deep"}});
}

TEST(BadFiles, InvalidUtf8ThatIsNotWindows1252IsQuarantined) {
  TempDir dir;
  const std::string file = "social_care_bad.persons.invalid_utf8.csv";
  auto load = ingest(dir, {file});
  auto report = expect_loaded(load, file, {3, 2, 1});
  expect_quarantined(report, {{3, "", "neither UTF-8 nor Windows-1252 text (binary data?)"}});
  EXPECT_EQ(converted(report), 0);
  // The row is kept as received.
  EXPECT_EQ(count(load.db,
                  "SELECT count(*) FROM quarantine WHERE instr(CAST(raw AS BLOB), "
                  "X'818D') > 0"),
            1);
}

TEST(BadFiles, Windows1252IsConvertedAndAccepted) {
  TempDir dir;
  const std::string file = "social_care_bad.persons.windows1252.csv";
  auto load = ingest(dir, {file});
  auto report = expect_loaded(load, file, {3, 3, 0});
  EXPECT_EQ(converted(report), 2);
  EXPECT_EQ(column(load.db, "SELECT given_name FROM source_persons ORDER BY original_id"),
            (std::vector<std::string>{"Ren\xC3\xA9"
                                      "e",
                                      "Kai", "Zo\xC3\xAB"}));
  EXPECT_EQ(column(load.db, "SELECT family_name FROM source_persons WHERE original_id = 'CSC0003'"),
            std::vector<std::string>{"M\xC3\xBCller"});
}

TEST(BadFiles, Utf8WithBomAndCrlfIsAccepted) {
  TempDir dir;
  const std::string file = "social_care_bad.persons.bom_crlf.csv";
  auto load = ingest(dir, {file});
  auto report = expect_loaded(load, file, {3, 3, 0});
  EXPECT_EQ(converted(report), 0);
  EXPECT_EQ(column(load.db, "SELECT given_name FROM source_persons WHERE original_id = 'CSC0001'"),
            std::vector<std::string>{"Si\xC3\xA2n"});
  // No CR is left on the last column (ethnicity WBRI maps to A).
  EXPECT_EQ(count(load.db, "SELECT count(*) FROM source_persons WHERE ethnic_category = 'A'"), 3);
}

TEST(BadFiles, QuotedFieldsWithLineBreaksAreAccepted) {
  TempDir dir;
  const std::string file = "social_care_bad.persons.embedded_newlines.csv";
  auto load = ingest(dir, {file});
  auto report = expect_loaded(load, file, {3, 2, 1});
  // The third record starts on physical line 7, after two records of 2 and 3 lines.
  ASSERT_FALSE(report.empty());
  const auto& q = report.at("quarantined").as_array();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].at("line").as_int64(), 7);
  EXPECT_EQ(q[0].at("field").as_string(), "date_of_birth");
  EXPECT_EQ(column(load.db, "SELECT family_name FROM source_persons WHERE original_id = 'CSC0001'"),
            std::vector<std::string>{"Okafor\nSmith"});
  const auto postcode =
      column(load.db, "SELECT postcode FROM source_persons WHERE original_id = 'CSC0002'");
  ASSERT_EQ(postcode.size(), 1u);
  EXPECT_NE(postcode[0].find("\"The Yard\"\nLS7 3QA"), std::string::npos) << postcode[0];
  EXPECT_TRUE(postcode[0].starts_with("Flat 2")) << postcode[0];
}

// Lines ended by CR alone (classic Mac OS exports): the whole file is one
// physical line. Either the rows load or the file is refused; reading the
// rows as extra header columns and loading nothing with exit 0 loses them.
TEST(BadFiles, CrOnlyLineEndingsDoNotLoseTheRows) {
  TempDir dir;
  const std::string file = "social_care_bad.persons.cr_only.csv";
  auto load = ingest(dir, {file});
  expect_no_crash(load);
  if (load.status == 1) {
    expect_refused(load, file, file);
    return;
  }
  EXPECT_EQ(load.status, 0) << load.err;
  ASSERT_TRUE(load.report.contains("files")) << load.out << load.err;
  const auto& f = load.report.at("files").as_array().at(0).as_object();
  EXPECT_EQ(f.at("rows_read").as_int64(), 2)
      << "2 data rows, CR-separated, silently read as 0 rows: " << load.out;
  EXPECT_EQ(count(load.db, "SELECT count(*) FROM source_persons"), 2);
}

// A NUL byte is not text: the row goes to quarantine, not to the store
// (where SQLite's text functions would cut the name at the NUL).
TEST(BadFiles, NulByteInATextRowIsQuarantined) {
  TempDir dir;
  const std::string file = "social_care_bad.persons.nul.csv";
  auto load = ingest(dir, {file});
  auto report = expect_loaded(load, file, {3, 2, 1});
  ASSERT_FALSE(report.empty());
  const auto& q = report.at("quarantined").as_array();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].at("line").as_int64(), 3);
  EXPECT_EQ(count(load.db,
                  "SELECT count(*) FROM source_persons WHERE instr(CAST(given_name AS "
                  "BLOB), X'00') > 0"),
            0);
}

TEST(BadFiles, HeaderOnlyLoadsNothing) {
  TempDir dir;
  const std::string file = "social_care_bad.persons.header_only.csv";
  auto load = ingest(dir, {file});
  expect_loaded(load, file, {0, 0, 0});
  EXPECT_EQ(count(load.db, "SELECT count(*) FROM ingest_batches WHERE status = 'complete'"), 1);
}

TEST(BadFiles, EachBadValueQuarantinesItsRowAndAWrongCheckDigitIsKept) {
  TempDir dir;
  const std::string file = "social_care_bad.persons.rows.csv";
  auto load = ingest(dir, {file});
  auto report = expect_loaded(load, file, {7, 2, 5});
  expect_quarantined(report, {{3, "date_of_birth", "impossible date"},
                              {4, "date_of_birth", "date in the future"},
                              {6, "sex", "not in the value set"},
                              {7, "local_id", "missing (required)"},
                              {8, "", "expected 9 fields, found 8"}});
  ASSERT_FALSE(report.empty());
  EXPECT_EQ(report.at("invalid_nhs_numbers").as_int64(), 1);
  // Kept as recorded, flagged, and never used as a valid number.
  EXPECT_EQ(column(load.db,
                   "SELECT coalesce(nhs_number, 'NULL') || '/' || nhs_number_recorded || "
                   "'/' || nhs_number_status FROM source_persons WHERE original_id = "
                   "'CSC0004'"),
            std::vector<std::string>{"NULL/9434765918/invalid"});
  EXPECT_EQ(count(load.db, "SELECT count(*) FROM quarantine"), 5);
}

TEST(BadFiles, EventBeforeThePersonsBirthIsQuarantined) {
  TempDir dir;
  auto load = ingest(dir, {"social_care_bad.cin.csv", "social_care_bad.persons.csv"});
  expect_loaded(load, "social_care_bad.persons.csv", {2, 2, 0});
  auto cin = expect_loaded(load, "social_care_bad.cin.csv", {3, 1, 2});
  expect_quarantined(cin, {{2, "start_date", "event is dated before the person's birth"},
                           {4, "primary_need", "not in the value set"}});
  EXPECT_EQ(count(load.db, "SELECT count(*) FROM source_events"), 1);
}

}  // namespace
}  // namespace onechild
