// Integration tests: the real onechild binary on real files and a real
// SQLite database, checked through its exit status, output and the store.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "store/database.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

using testing::TempDir;

struct Run {
  int status = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs the CLI with arguments (already shell-quoted where needed).
Run onechild(const TempDir& dir, const std::string& args) {
  const std::string out = dir.file("stdout.txt"), err = dir.file("stderr.txt");
  const std::string cmd = std::string("CI=true '") + ONECHILD_BIN + "' " + args + " >'" + out +
                          "' 2>'" + err + "' </dev/null";
  const int raw = std::system(cmd.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
}

boost::json::object read_json(const std::string& path) {
  return boost::json::parse(slurp(path)).as_object();
}

int64_t query_int(const std::string& db_path, const char* sql) {
  auto db = Database::open(db_path);
  auto stmt = db->prepare(sql);
  EXPECT_TRUE(stmt.ok());
  EXPECT_TRUE(*stmt->step());
  return stmt->column_int64(0);
}

TEST(Cli, HelpDescribesEveryCommand) {
  TempDir dir;
  auto top = onechild(dir, "--help");
  EXPECT_EQ(top.status, 0);
  for (const char* cmd : {"synth", "ingest", "link", "users", "serve", "demo"}) {
    EXPECT_NE(top.out.find(cmd), std::string::npos) << cmd;
  }
  const std::pair<const char*, const char*> expected[] = {{"synth", "--children"},
                                                          {"ingest", "--report"},
                                                          {"link", "--db"},
                                                          {"link evaluate", "--truth"},
                                                          {"users add", "--password-stdin"},
                                                          {"serve", "--port"},
                                                          {"demo", "--children"}};
  for (const auto& [cmd, option] : expected) {
    auto help = onechild(dir, std::string(cmd) + " --help");
    EXPECT_EQ(help.status, 0) << cmd;
    EXPECT_NE(help.out.find(option), std::string::npos) << cmd << " should mention " << option;
  }
}

TEST(Cli, BadArgumentsAreUserErrors) {
  TempDir dir;
  EXPECT_EQ(onechild(dir, "").status, 1);
  EXPECT_EQ(onechild(dir, "synth").status, 1);  // --out is required
  auto bad_date = onechild(dir, "synth --out x --as-of 2026-02-30");
  EXPECT_EQ(bad_date.status, 1);
  EXPECT_NE(bad_date.err.find("--as-of"), std::string::npos);
  auto bad_history = onechild(dir, "synth --out '" + dir.file("x") + "' --history-years 0");
  EXPECT_EQ(bad_history.status, 1);
  EXPECT_NE(bad_history.err.find("--history-years"), std::string::npos);
}

// The feeds ingest can read today: FHIR (GP, community) and the LAs'
// social care extracts. The other CSV shapes need mapping files (issue 4).
std::string loadable_feeds(const TempDir& dir, const std::string& ics) {
  std::string args;
  for (const auto& e : std::filesystem::directory_iterator(dir.file(ics + "/feeds"))) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".ndjson") || name.starts_with("social_care_")) {
      args += " '" + e.path().string() + "'";
    }
  }
  return args;
}

TEST(Cli, SynthIngestLinkEvaluateChain) {
  TempDir dir;
  const std::string db = dir.file("ics.db");
  auto synth = onechild(
      dir, "synth --children 400 --seed 11 --as-of 2026-11-01 --out '" + dir.file("ics") + "'");
  ASSERT_EQ(synth.status, 0) << synth.err;
  EXPECT_NE(synth.out.find("feeds/acute.ecds.csv"), std::string::npos) << synth.out;

  const std::string feeds = loadable_feeds(dir, "ics");
  auto ingest =
      onechild(dir, "ingest --db '" + db + "' --report '" + dir.file("ingest.json") + "'" + feeds);
  ASSERT_EQ(ingest.status, 0) << ingest.err;
  auto report = read_json(dir.file("ingest.json"));
  EXPECT_TRUE(report["reconciles"].as_bool());
  // gp, community and five files from each of 2-4 local authorities.
  EXPECT_GE(report["files"].as_array().size(), 12u);
  const auto& totals = report["totals"].as_object();
  EXPECT_EQ(totals.at("rows_read").as_int64(),
            totals.at("rows_accepted").as_int64() + totals.at("rows_quarantined").as_int64());
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM source_persons") +
                query_int(db, "SELECT count(*) FROM source_events") +
                query_int(db, "SELECT count(*) FROM quarantine"),
            totals.at("rows_read").as_int64());
  // The FHIR feeds' events all load: contacts, observations, conditions...
  for (const char* kind : {"immunisation", "encounter", "observation", "condition", "care-plan",
                           "social-care-episode"}) {
    EXPECT_GT(query_int(db, (std::string("SELECT count(*) FROM source_events WHERE kind = '") +
                             kind + "'")
                                .c_str()),
              0)
        << kind;
  }
  // ...and only injected errors are quarantined (mistyped NHS numbers).
  EXPECT_LT(totals.at("rows_quarantined").as_int64(), totals.at("rows_read").as_int64() / 100);

  auto link = onechild(dir, "link --db '" + db + "' --report '" + dir.file("link.json") + "'");
  ASSERT_EQ(link.status, 0) << link.err;
  auto link_report = read_json(dir.file("link.json"));
  EXPECT_GT(link_report["linked"].as_int64(), 380);
  EXPECT_GT(link_report["unlinked_no_nhs_number"].as_int64(), 0);  // social care rows without one

  auto eval = onechild(dir, "link evaluate --db '" + db + "' --truth '" +
                                dir.file("ics/truth/persons.csv") + "' --report '" +
                                dir.file("eval.json") + "'");
  ASSERT_EQ(eval.status, 0) << eval.err;
  EXPECT_NE(eval.out.find("pairwise precision"), std::string::npos);
  auto figures = read_json(dir.file("eval.json"));
  // Exact NHS-number matching links wrongly only where a record carries a
  // sibling's or mother's valid number...
  EXPECT_GT(figures["precision"].as_double(), 0.95);
  // ...but misses the social care records that lack one.
  EXPECT_LT(figures["recall"].as_double(), 1.0);
  EXPECT_GT(figures["recall"].as_double(), 0.5);

  // Re-loading the same feeds changes nothing.
  auto again =
      onechild(dir, "ingest --db '" + db + "' --report '" + dir.file("again.json") + "'" + feeds);
  ASSERT_EQ(again.status, 0) << again.err;
  auto again_report = read_json(dir.file("again.json"));
  for (const auto& f : again_report["files"].as_array()) {
    EXPECT_EQ(f.at("rows_already_loaded"), f.at("rows_accepted")) << f;
  }
}

// Issue 3: `onechild synth --children 20000 --seed 1` twice gives identical
// files, here once on one thread and once on all of them.
TEST(Cli, SynthTwiceWithTheSameSeedGivesIdenticalFiles) {
  TempDir dir;
  const std::string common = "synth --children 20000 --seed 1 --as-of 2026-11-24 --out ";
  ASSERT_EQ(onechild(dir, common + "'" + dir.file("a") + "' --threads 1").status, 0);
  ASSERT_EQ(onechild(dir, common + "'" + dir.file("b") + "'").status, 0);
  namespace fs = std::filesystem;
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir.file("a"))) {
    if (!e.is_regular_file()) continue;
    const fs::path other = dir.path() / "b" / fs::relative(e.path(), dir.file("a"));
    ASSERT_TRUE(fs::exists(other)) << other;
    EXPECT_TRUE(slurp(e.path().string()) == slurp(other.string())) << other;
    ++files;
  }
  EXPECT_GT(files, 25u);
}

TEST(Cli, DemoLoadsEveryFeedItCanAndNamesTheRest) {
  TempDir dir;
  const std::string out = dir.file("demo.out");
  const std::string start = "CI=true timeout 300 '" + std::string(ONECHILD_BIN) +
                            "' demo --children 150 --port 0 --dir '" + dir.file("d") + "' >'" +
                            out + "' 2>&1 & echo $! >'" + dir.file("pid") + "'";
  ASSERT_EQ(std::system(start.c_str()), 0);
  std::string text;
  for (int i = 0; i < 600 && text.find("serving on") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    text = slurp(out);
  }
  std::system(("kill $(cat '" + dir.file("pid") + "') 2>/dev/null").c_str());
  ASSERT_NE(text.find("serving on"), std::string::npos) << text;
  EXPECT_NE(text.find("ingest: " + dir.file("d/demo-ics/feeds/gp.ndjson")), std::string::npos);
  EXPECT_NE(text.find("community.ndjson"), std::string::npos);
  EXPECT_NE(text.find("not loaded, no adapter for its shape yet: acute.ecds.csv\n"),
            std::string::npos)
      << text;
  EXPECT_GT(query_int(dir.file("d/demo.db"), "SELECT count(*) FROM children"), 100);
}

TEST(Cli, IngestQuarantinesExactlyTheMalformedRows) {
  TempDir dir;
  const std::string db = dir.file("q.db");
  auto run = onechild(dir, "ingest --db '" + db + "' --report '" + dir.file("r.json") + "' '" +
                               ONECHILD_TEST_DATA + "/malformed/social_care.persons.csv'");
  ASSERT_EQ(run.status, 0) << run.err;
  auto report = read_json(dir.file("r.json"));
  const auto& file = report["files"].as_array()[0].as_object();
  EXPECT_EQ(file.at("rows_read").as_int64(), 5);
  EXPECT_EQ(file.at("rows_accepted").as_int64(), 2);
  EXPECT_EQ(file.at("rows_quarantined").as_int64(), 3);
  EXPECT_TRUE(report["reconciles"].as_bool());
  const auto& q = file.at("quarantined").as_array();
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].at("line").as_int64(), 3);
  EXPECT_EQ(q[0].at("reason").as_string(), "expected 7 fields, found 6");
  EXPECT_EQ(q[1].at("line").as_int64(), 4);
  EXPECT_EQ(q[1].at("field").as_string(), "date_of_birth");
  EXPECT_EQ(q[2].at("line").as_int64(), 5);
  EXPECT_EQ(q[2].at("field").as_string(), "nhs_number");
  EXPECT_EQ(query_int(db.c_str(), "SELECT count(*) FROM quarantine"), 3);
  EXPECT_EQ(query_int(db.c_str(), "SELECT count(*) FROM source_persons"), 2);
  EXPECT_NE(run.out.find("quarantined 3"), std::string::npos);
}

TEST(Cli, UnreadableInputIsOneClearLine) {
  TempDir dir;
  auto run =
      onechild(dir, "ingest --db '" + dir.file("x.db") + "' '" + dir.file("missing.csv") + "'");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("missing.csv"), std::string::npos);
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1);
}

TEST(Cli, UsersAddReadsPasswordFromStdin) {
  TempDir dir;
  const std::string db = dir.file("u.db");
  const std::string cmd = "echo 'a long enough password' | CI=true '" + std::string(ONECHILD_BIN) +
                          "' users add --db '" + db +
                          "' --username hv --role health-visitor --password-stdin";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM users WHERE username = 'hv'"), 1);
  auto generated = onechild(dir, "users add --db '" + db + "' --username gp1 --role gp");
  ASSERT_EQ(generated.status, 0) << generated.err;
  EXPECT_NE(generated.out.find("password: "), std::string::npos);
}

}  // namespace
}  // namespace onechild
