// Crash test: `onechild ingest` killed with SIGKILL at random moments leaves
// a database that is intact and holds only whole batches, and running the
// same load again brings it to exactly what an uninterrupted load holds
// (ingest.h: "a crash leaves the store at a batch boundary and a re-run
// completes the load").
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/database.h"
#include "support/temp_dir.h"

extern char** environ;

namespace onechild {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using testing::TempDir;

constexpr int64_t kBatchRows = 500;
constexpr int kKills = 20;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts the binary with args, stdout and stderr to log; returns its pid.
pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> argv_text = {ONECHILD_BIN};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, ONECHILD_BIN, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "posix_spawn: " << std::strerror(rc);
  return rc == 0 ? pid : -1;
}

// The exit status of pid, -1 when a signal ended it.
int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -2;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int run(const std::vector<std::string>& args, const std::string& log) {
  const pid_t pid = spawn(args, log);
  return pid < 0 ? -2 : wait_for(pid);
}

std::vector<std::string> ingest_args(const std::string& db, const std::string& feeds,
                                     const std::string& report = {}) {
  std::vector<std::string> args = {
      "ingest", "--db", db, "--batch-rows", std::to_string(kBatchRows), "--as-of", "2026-11-01"};
  if (!report.empty()) {
    args.push_back("--report");
    args.push_back(report);
  }
  args.push_back(feeds);
  return args;
}

// Rows of a query, each row's columns joined with '|'.
std::vector<std::string> rows(Database& db, std::string_view sql, int columns) {
  std::vector<std::string> out;
  auto stmt = db.prepare(sql);
  EXPECT_TRUE(stmt.ok()) << sql;
  if (!stmt.ok()) return out;
  Status s = stmt->each_row([&](Statement& st) {
    std::string row;
    for (int c = 0; c < columns; ++c) {
      if (c > 0) row += '|';
      row += st.column_is_null(c) ? "NULL" : st.column_text(c);
    }
    out.push_back(std::move(row));
  });
  EXPECT_TRUE(s.ok()) << sql;
  return out;
}

int64_t count(Database& db, std::string_view sql) {
  auto r = rows(db, sql, 1);
  return r.size() == 1 ? std::stoll(r[0]) : -1;
}

// What a database holds, to compare a re-run with the clean load.
struct State {
  int64_t persons = 0, events = 0, quarantine = 0, current_persons = 0, current_events = 0;
  std::vector<std::string> person_keys, event_keys, quarantine_keys;
};

State state_of(Database& db) {
  State s;
  s.persons = count(db, "SELECT count(*) FROM source_persons");
  s.events = count(db, "SELECT count(*) FROM source_events");
  s.quarantine = count(db, "SELECT count(*) FROM quarantine");
  s.current_persons = count(db, "SELECT count(*) FROM source_persons WHERE superseded_by IS NULL");
  s.current_events = count(db, "SELECT count(*) FROM source_events WHERE superseded_by IS NULL");
  s.person_keys = rows(db,
                       "SELECT s.code, p.original_id, p.content_hash, p.superseded_by IS NULL "
                       "FROM source_persons p JOIN source_systems s ON s.id = p.source_system_id "
                       "ORDER BY 1, 2, 3",
                       4);
  s.event_keys = rows(db,
                      "SELECT s.code, e.original_id, e.content_hash, e.superseded_by IS NULL "
                      "FROM source_events e JOIN source_systems s ON s.id = e.source_system_id "
                      "ORDER BY 1, 2, 3",
                      4);
  s.quarantine_keys = rows(db,
                           "SELECT s.code, q.line, q.raw_hash, q.reason FROM quarantine q "
                           "JOIN source_systems s ON s.id = q.source_system_id ORDER BY 1, 2, 3",
                           4);
  return s;
}

// The first difference between two sorted key lists, for a readable failure.
std::string first_difference(const std::vector<std::string>& want,
                             const std::vector<std::string>& got) {
  for (size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    const std::string w = i < want.size() ? want[i] : "(none)";
    const std::string g = i < got.size() ? got[i] : "(none)";
    if (w != g) return "at " + std::to_string(i) + ": clean " + w + ", re-run " + g;
  }
  return "";
}

void expect_same_state(const State& clean, const State& got, int kill) {
  EXPECT_EQ(got.persons, clean.persons) << "kill " << kill;
  EXPECT_EQ(got.events, clean.events) << "kill " << kill;
  EXPECT_EQ(got.quarantine, clean.quarantine) << "kill " << kill;
  EXPECT_EQ(got.current_persons, clean.current_persons) << "kill " << kill;
  EXPECT_EQ(got.current_events, clean.current_events) << "kill " << kill;
  EXPECT_TRUE(got.person_keys == clean.person_keys)
      << "kill " << kill << ": persons differ "
      << first_difference(clean.person_keys, got.person_keys);
  EXPECT_TRUE(got.event_keys == clean.event_keys)
      << "kill " << kill << ": events differ "
      << first_difference(clean.event_keys, got.event_keys);
  EXPECT_TRUE(got.quarantine_keys == clean.quarantine_keys)
      << "kill " << kill << ": quarantine differs "
      << first_difference(clean.quarantine_keys, got.quarantine_keys);
}

// Only whole batches: every batch's counts agree with the rows it wrote, and
// a batch that did not finish stopped at a commit boundary.
void expect_whole_batches(Database& db, int kill) {
  auto batches = rows(db,
                      "SELECT b.id, b.status, b.rows_read, b.rows_new, b.rows_updated, "
                      "b.rows_unchanged, b.rows_quarantined, b.records_written, "
                      "b.quarantine_written, "
                      "(SELECT count(*) FROM source_persons p WHERE p.batch_id = b.id) + "
                      "(SELECT count(*) FROM source_events e WHERE e.batch_id = b.id), "
                      "(SELECT count(*) FROM quarantine q WHERE q.batch_id = b.id), b.file_path "
                      "FROM ingest_batches b ORDER BY b.id",
                      12);
  for (const std::string& text : batches) {
    std::vector<std::string> c;
    std::stringstream ss(text);
    for (std::string part; std::getline(ss, part, '|');)
      c.push_back(part);
    ASSERT_GE(c.size(), 12u) << text;
    const auto n = [&](size_t i) { return std::stoll(c[i]); };
    const std::string where = "kill " + std::to_string(kill) + ", batch " + text;
    EXPECT_EQ(n(9), n(7)) << where << ": records in the store != records_written";
    EXPECT_EQ(n(10), n(8)) << where << ": quarantine rows != quarantine_written";
    EXPECT_EQ(n(2), n(3) + n(4) + n(5) + n(6)) << where << ": rows_read does not reconcile";
    if (c[1] != "complete") {
      EXPECT_EQ(n(2) % kBatchRows, 0) << where << ": an unfinished batch ends mid-chunk";
    }
  }
}

TEST(Crash, KilledLoadsLeaveWholeBatchesAndARerunCompletesThem) {
  const auto test_start = Clock::now();
  TempDir dir;
  const std::string ics = dir.file("ics"), feeds = ics + "/feeds";
  ASSERT_EQ(
      run({"synth", "--children", "300", "--seed", "7", "--as-of", "2026-11-01", "--out", ics},
          dir.file("synth.log")),
      0)
      << slurp(dir.file("synth.log"));

  // The clean load: what every crashed-and-resumed load must end with.
  const std::string clean_db = dir.file("clean.db");
  const auto clean_start = Clock::now();
  ASSERT_EQ(run(ingest_args(clean_db, feeds, dir.file("clean.json")), dir.file("clean.log")), 0)
      << slurp(dir.file("clean.log"));
  const auto clean_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - clean_start).count();
  const auto clean_report = boost::json::parse(slurp(dir.file("clean.json"))).as_object();
  const int64_t clean_rows_read = clean_report.at("totals").at("rows_read").as_int64();
  ASSERT_TRUE(clean_report.at("reconciles").as_bool());
  State clean;
  {
    auto db = Database::open(clean_db);
    ASSERT_TRUE(db.ok());
    clean = state_of(*db);
    expect_whole_batches(*db, -1);
  }
  ASSERT_GT(clean.persons, 0);
  ASSERT_GT(clean.events, 0);
  // Enough rows for many commits, so kills land between them.
  ASSERT_GT(clean_rows_read, 20 * kBatchRows);
  std::printf("clean load: %lld rows in %lld ms\n", static_cast<long long>(clean_rows_read),
              static_cast<long long>(clean_ms));

  std::mt19937 rng(20261101);
  std::uniform_int_distribution<int64_t> delay_ms(50, std::max<int64_t>(51, clean_ms));
  int interrupted = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    SCOPED_TRACE("kill " + std::to_string(kill));
    const std::string db_path = dir.file("crash" + std::to_string(kill) + ".db");
    const int64_t delay = delay_ms(rng);
    const pid_t pid = spawn(ingest_args(db_path, feeds), dir.file("crash.log"));
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    ::kill(pid, SIGKILL);
    const int status = wait_for(pid);
    // Finished before the kill: it must have finished well.
    if (status >= 0) {
      EXPECT_EQ(status, 0) << slurp(dir.file("crash.log"));
    }

    {
      auto db = Database::open(db_path);
      ASSERT_TRUE(db.ok()) << db.error().to_string();
      EXPECT_EQ(rows(*db, "PRAGMA integrity_check", 1), std::vector<std::string>{"ok"});
      expect_whole_batches(*db, kill);
      const State after_kill = state_of(*db);
      const bool loading = count(*db,
                                 "SELECT count(*) FROM ingest_batches WHERE status = "
                                 "'loading'") > 0;
      const bool fewer = after_kill.persons + after_kill.events + after_kill.quarantine <
                         clean.persons + clean.events + clean.quarantine;
      if (loading || fewer) ++interrupted;
      std::printf("kill %2d after %5lld ms: %s, %lld of %lld records\n", kill,
                  static_cast<long long>(delay),
                  status >= 0 ? "had finished"
                  : loading   ? "mid-batch"
                  : fewer     ? "between files"
                              : "after its last commit",
                  static_cast<long long>(after_kill.persons + after_kill.events),
                  static_cast<long long>(clean.persons + clean.events));
    }

    // The same load again completes it.
    const std::string report = dir.file("rerun.json");
    fs::remove(report);
    ASSERT_EQ(run(ingest_args(db_path, feeds, report), dir.file("rerun.log")), 0)
        << slurp(dir.file("rerun.log"));
    const auto rerun = boost::json::parse(slurp(report)).as_object();
    EXPECT_EQ(rerun.at("totals").at("rows_read").as_int64(), clean_rows_read);
    EXPECT_TRUE(rerun.at("reconciles").as_bool());
    {
      auto db = Database::open(db_path);
      ASSERT_TRUE(db.ok());
      EXPECT_EQ(rows(*db, "PRAGMA integrity_check", 1), std::vector<std::string>{"ok"});
      expect_whole_batches(*db, kill);
      EXPECT_EQ(count(*db, "SELECT count(*) FROM ingest_batches WHERE status = 'loading'"), 0);
      expect_same_state(clean, state_of(*db), kill);
    }
    for (const char* suffix : {"", "-wal", "-shm"})
      fs::remove(db_path + suffix);
  }
  EXPECT_GE(interrupted, 10) << "too few kills landed during a load";
  std::printf(
      "%d of %d kills interrupted a load; %lld s in all\n", interrupted, kKills,
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - test_start).count()));
}

}  // namespace
}  // namespace onechild
