// The master child index through the store: feeds ingested for real, linked
// with a model whose weights are fixed (tests/data/linkage/fixed.toml, which
// lists every field weight), so each test knows which pairs must link.
#include "link/link.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "ingest/ingest.h"
#include "link/evaluate.h"
#include "link/review.h"
#include "record/child_record.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

using testing::TempDir;

const std::string kModel = ONECHILD_TEST_DATA "/linkage/fixed.toml";

std::string patient(const std::string& id, const std::string& nhs, const std::string& given,
                    const std::string& family, const std::string& birth, const std::string& gender,
                    const std::string& postcode) {
  std::string p = R"({"resourceType":"Patient","id":")" + id + "\"";
  if (!nhs.empty()) {
    p += R"(,"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":")" + nhs + "\"}]";
  }
  p += R"(,"name":[{"family":")" + family + R"(","given":[")" + given + "\"]}]";
  p += R"(,"gender":")" + gender + R"(","birthDate":")" + birth + "\"";
  p += R"(,"address":[{"postalCode":")" + postcode + "\"}]}";
  return p + "\n";
}

class LinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("gp.ndjson"))
        << patient("g1", "9434765919", "Sam", "Smith", "2019-01-31", "male", "LS2 7XY")
        << patient("g2", "0100000010", "Amy", "Jones", "2018-01-01", "female", "LS3 1AB")
        << patient("g4", "4010232137", "Ella", "Brown", "2020-05-05", "female", "LS1 1AA")
        << patient("g5", "5551234568", "Emma", "Brown", "2020-05-05", "female", "LS1 1AA");
    std::ofstream(dir_.file("social_care.persons.csv"))
        << "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
        << "C1,Sam,Smith,2019-01-31,M,LS2 7XY,\n"    // no NHS number: demographics alone
        << "C4,Ella,Brown,2020-05-05,F,LS1 1AA,\n";  // one of the twins, no number
    load({"gp.ndjson", "social_care.persons.csv"});
  }

  void load(const std::vector<std::string>& files) {
    if (!db_) {
      auto db = Database::open(dir_.file("x.db"));
      ASSERT_TRUE(db.ok());
      db_.emplace(std::move(db).value());
    }
    std::vector<std::string> paths;
    for (const auto& f : files)
      paths.push_back(dir_.file(f));
    auto report = ingest_paths(*db_, paths);
    ASSERT_TRUE(report.ok()) << report.error().to_string();
  }

  LinkReport link() {
    auto report = link_unlinked(*db_, {kModel, false, false});
    EXPECT_TRUE(report.ok()) << report.error().to_string();
    return report.ok() ? *report : LinkReport{};
  }

  // The child of a record, by source and original id.
  int64_t child_of(const std::string& source, const std::string& original_id) {
    auto stmt = db_->prepare(
        "SELECT l.child_id FROM links l JOIN source_persons p ON p.id = l.source_person_id "
        "JOIN source_systems s ON s.id = p.source_system_id WHERE s.code = ?1 AND "
        "p.original_id = ?2 ORDER BY p.id DESC LIMIT 1");
    stmt->bind(1, source).bind(2, original_id);
    auto row = stmt->step();
    return row.ok() && *row ? stmt->column_int64(0) : 0;
  }

  int64_t count(std::string_view sql) {
    auto stmt = db_->prepare(sql);
    auto row = stmt->step();
    return row.ok() && *row ? stmt->column_int64(0) : -1;
  }

  int64_t source_person(const std::string& original_id) {
    auto stmt = db_->prepare(
        "SELECT id FROM source_persons WHERE original_id = ?1 AND superseded_by IS NULL");
    stmt->bind(1, original_id);
    auto row = stmt->step();
    return row.ok() && *row ? stmt->column_int64(0) : 0;
  }

  Actor manager() { return {"dm.jones", std::nullopt, "checked with the school and the GP"}; }

  TempDir dir_;
  std::optional<Database> db_;
};

TEST_F(LinkTest, LinksOnNhsNumberAndOnDemographicsAlone) {
  const LinkReport report = link();
  EXPECT_EQ(report.records, 6);
  EXPECT_EQ(report.new_records, 6);
  EXPECT_EQ(report.new_children, 4);  // Sam, Amy, and each twin
  EXPECT_EQ(report.versions_linked, 6);
  EXPECT_TRUE(report.trained);
  EXPECT_EQ(child_of("gp", "g1"), child_of("social_care", "C1"));
  EXPECT_NE(child_of("gp", "g1"), child_of("gp", "g2"));
  // Every record has exactly one link; the child carries the records' number.
  EXPECT_EQ(count("SELECT count(*) FROM links"), 6);
  EXPECT_EQ(count("SELECT count(*) FROM children WHERE nhs_number = '9434765919'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM link_runs"), 1);
}

TEST_F(LinkTest, FindsAChildByAnyNumberItsRecordsCarry) {
  link();
  // Ella's community record carries a mistyped-then-corrected number no
  // other record has: the child is still found by it.
  std::ofstream(dir_.file("community.ndjson"))
      << patient("m4", "9034567893", "Ella", "Brown", "2020-05-05", "female", "LS1 1AA");
  load({"community.ndjson"});
  link();
  auto by_consensus = find_child_by_nhs_number(*db_, *NhsNumber::parse("4010232137"));
  auto by_one_record = find_child_by_nhs_number(*db_, *NhsNumber::parse("9034567893"));
  ASSERT_TRUE(by_consensus.ok() && by_one_record.ok());
  EXPECT_EQ(*by_consensus, child_of("gp", "g4"));
  EXPECT_EQ(*by_one_record, child_of("gp", "g4"));
  EXPECT_FALSE(find_child_by_nhs_number(*db_, *NhsNumber::parse("8023456784"))->has_value());
}

TEST_F(LinkTest, TwinsInOneFeedStayApart) {
  link();
  // C4 agrees with both twins on surname, birth date, sex and postcode; only
  // her given name tells them apart. The GP feed holds each twin once, so no
  // chain through C4 may put both GP records in one child.
  EXPECT_EQ(child_of("social_care", "C4"), child_of("gp", "g4"));
  EXPECT_NE(child_of("gp", "g4"), child_of("gp", "g5"));
}

TEST_F(LinkTest, AWrongNhsNumberDoesNotPreventALink) {
  link();
  // The community record has someone else's valid number but everything
  // else agrees with Sam: -4.6 for the number, +35.2 for the rest.
  std::ofstream(dir_.file("community.ndjson"))
      << patient("m7", "7012345675", "Sam", "Smith", "2019-01-31", "male", "LS2 7XY");
  load({"community.ndjson"});
  const LinkReport report = link();
  EXPECT_EQ(report.linked_to_existing, 1);
  EXPECT_EQ(child_of("community", "m7"), child_of("gp", "g1"));
}

TEST_F(LinkTest, ASharedNhsNumberAloneDoesNotForceALink) {
  link();
  // Ella's number on her brother's record: the number (+14.2), surname and
  // postcode agree, but given name, birth date and sex do not. 15.6 is
  // below auto-link, and the social care feed already holds Ella (C4), so
  // the pair cannot even go to review.
  std::ofstream(dir_.file("social_care.persons.csv"))
      << "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
      << "C6,Tom,Brown,2017-03-03,M,LS1 1AA,4010232137\n";
  load({"social_care.persons.csv"});
  const LinkReport report = link();
  EXPECT_EQ(report.new_children, 1);
  EXPECT_NE(child_of("social_care", "C6"), child_of("gp", "g4"));
  EXPECT_EQ(report.review_added, 0);
}

TEST_F(LinkTest, ChildIdsAreStableWhenNewRecordsArrive) {
  link();
  std::map<std::string, int64_t> before;
  for (const char* id : {"g1", "g2", "g4", "g5"})
    before[id] = child_of("gp", id);
  before["C1"] = child_of("social_care", "C1");
  const int64_t links_before = count("SELECT count(*) FROM links");

  std::ofstream(dir_.file("community.ndjson"))
      << patient("m1", "9434765919", "Samuel", "Smith", "2019-01-31", "male", "LS2 7XY")
      << patient("m2", "6001002002", "Noah", "Patel", "2016-07-07", "male", "LS6 2QQ")
      << patient("m3", "", "Ava", "Khan", "2015-02-02", "female", "LS8 3RR");
  load({"community.ndjson"});
  const LinkReport report = link();
  EXPECT_EQ(report.new_records, 3);
  EXPECT_EQ(report.linked_to_existing, 1);
  EXPECT_EQ(report.new_children, 2);
  EXPECT_FALSE(report.trained);  // the stored model is reused: weights do not drift
  for (const char* id : {"g1", "g2", "g4", "g5"})
    EXPECT_EQ(child_of("gp", id), before[id]) << id;
  EXPECT_EQ(child_of("social_care", "C1"), before["C1"]);
  EXPECT_EQ(child_of("community", "m1"), before["g1"]);
  // Old links untouched: the run only added.
  EXPECT_EQ(count("SELECT count(*) FROM links"), links_before + 3);
  EXPECT_EQ(count("SELECT count(*) FROM links WHERE run_id = 1"), links_before);

  // Nothing new: nothing happens.
  const LinkReport again = link();
  EXPECT_EQ(again.new_records, 0);
  EXPECT_EQ(again.new_children, 0);
}

// Every run saves its normalised records (link_snapshot) and the next starts
// from them; starting from the store instead must give the same links.
TEST_F(LinkTest, TheSnapshotGivesTheSameLinksAsTheStore) {
  link();
  EXPECT_GT(count("SELECT count(*) FROM link_snapshot"), 3);
  std::ofstream(dir_.file("community.ndjson"))
      << patient("m1", "9434765919", "Samuel", "Smith", "2019-01-31", "male", "LS2 7XY")
      << patient("m2", "", "Ella", "Brown", "2020-05-05", "female", "LS1 1AA")
      << patient("m3", "", "Ava", "Khan", "2015-02-02", "female", "LS8 3RR");
  std::ofstream(dir_.file("social_care.persons.csv"))
      << "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
      << "C1,Sam,Smith,2019-01-31,M,LS9 9ZZ,9434765919\n";  // a new version
  load({"community.ndjson", "social_care.persons.csv"});
  // The same database twice: one run from the snapshot, one from the store.
  ASSERT_TRUE(db_->execute("VACUUM INTO '" + dir_.file("copy.db") + "'").ok());
  const LinkReport from_snapshot = link();
  auto copy = Database::open(dir_.file("copy.db"));
  ASSERT_TRUE(copy.ok());
  ASSERT_TRUE(copy->execute("DELETE FROM link_snapshot").ok());
  auto from_store = link_unlinked(*copy, {kModel, false, false});
  ASSERT_TRUE(from_store.ok()) << from_store.error().to_string();
  EXPECT_EQ(from_snapshot.new_records, 3);
  EXPECT_EQ(from_store->new_records, 3);
  EXPECT_EQ(from_snapshot.linked_to_existing, from_store->linked_to_existing);
  EXPECT_EQ(from_snapshot.versions_linked, from_store->versions_linked);
  const std::string links =
      "SELECT group_concat(source_person_id || ':' || child_id || ':' || "
      "method, ',') FROM (SELECT * FROM links ORDER BY source_person_id)";
  auto a = db_->prepare(links);
  auto b = copy->prepare(links);
  ASSERT_TRUE(*a->step());
  ASSERT_TRUE(*b->step());
  EXPECT_EQ(a->column_text(0), b->column_text(0));
  EXPECT_EQ(child_of("community", "m2"), child_of("gp", "g4"));
}

TEST_F(LinkTest, ADamagedOrStaleSnapshotIsRebuiltFromTheStore) {
  link();
  ASSERT_TRUE(db_->execute("UPDATE link_snapshot SET data = x'0102' WHERE part = 'field:1'").ok());
  std::ofstream(dir_.file("community.ndjson"))
      << patient("m1", "9434765919", "Samuel", "Smith", "2019-01-31", "male", "LS2 7XY");
  load({"community.ndjson"});
  const LinkReport report = link();
  EXPECT_EQ(report.linked_to_existing, 1);
  EXPECT_EQ(child_of("community", "m1"), child_of("gp", "g1"));
  // Rewritten whole: the next run reads it again.
  auto part = db_->prepare("SELECT length(data) FROM link_snapshot WHERE part = 'field:1'");
  ASSERT_TRUE(*part->step());
  EXPECT_GT(part->column_int64(0), 2);
}

TEST_F(LinkTest, ANewVersionFollowsItsRecord) {
  link();
  const int64_t sam = child_of("social_care", "C1");
  std::ofstream(dir_.file("social_care.persons.csv"))
      << "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
      << "C1,Sam,Smith,2019-01-31,M,LS9 9ZZ,9434765919\n";  // moved, number now known
  load({"social_care.persons.csv"});
  const LinkReport report = link();
  EXPECT_EQ(report.new_records, 0);
  EXPECT_EQ(report.versions_linked, 1);
  EXPECT_EQ(child_of("social_care", "C1"), sam);
  EXPECT_EQ(count("SELECT count(*) FROM links WHERE method = 'version'"), 1);
}

class ReviewTest : public LinkTest {
 protected:
  void SetUp() override {
    LinkTest::SetUp();
    link();
    // Sam again, but a day out and at an address in another district:
    // 6.5 + 6.5 + 4.3 + 1.0 - 4.2 = 14.0, between review and auto-link.
    std::ofstream(dir_.file("community.ndjson"))
        << patient("m9", "", "Sam", "Smith", "2019-02-01", "male", "M1 1AA");
    load({"community.ndjson"});
    const LinkReport report = link();
    ASSERT_EQ(report.review_added, 1);
    auto items = list_review(*db_);
    ASSERT_TRUE(items.ok());
    ASSERT_EQ(items->size(), 1u);
    item_ = items->front();
  }
  ReviewItem item_;
};

TEST_F(ReviewTest, UncertainPairsWaitWithTheirEvidence) {
  EXPECT_NE(child_of("community", "m9"), child_of("gp", "g1"));
  EXPECT_EQ(item_.status, "open");
  EXPECT_NEAR(item_.match_weight, 14.0 - 13.3, 0.1);
  EXPECT_GT(item_.match_probability, 0.5);
  EXPECT_LT(item_.match_probability, 0.99);
  const std::string& e = item_.evidence_json;
  EXPECT_NE(e.find(R"("field":"birth_date","level":"a day apart")"), std::string::npos) << e;
  EXPECT_NE(e.find(R"("field":"nhs_number","level":"null")"), std::string::npos) << e;
  EXPECT_NE(e.find(R"("field":"postcode","level":"else")"), std::string::npos) << e;
  // One side is m9, the other one of Sam's records, shown as the source sent it.
  const ReviewRecord& m9 = item_.left.original_id == "m9" ? item_.left : item_.right;
  EXPECT_EQ(m9.source, "community");
  EXPECT_EQ(m9.birth_date, "2019-02-01");
}

TEST_F(ReviewTest, ARecordMatchingTwoChildrenGoesToReview) {
  // X matches m9 (27.9) and Sam (21.4): it joins m9, and joining Sam too
  // would merge two children already in the index, which only a person may.
  std::ofstream(dir_.file("acute.ndjson"))
      << patient("x1", "", "Sam", "Smith", "2019-01-31", "male", "M1 1AA");
  load({"acute.ndjson"});
  const LinkReport report = link();
  EXPECT_EQ(child_of("acute", "x1"), child_of("community", "m9"));
  EXPECT_EQ(report.refused_existing, 2);  // x1 with each of Sam's two records
  auto items = list_review(*db_);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 2u);  // the first pair, and the bridge
  EXPECT_TRUE(items->front().existing_children);
}

TEST_F(ReviewTest, ADifferentDecisionIsKeptOnEveryLaterRun) {
  ASSERT_TRUE(decide_review(*db_, item_.id, LinkDecision::kDifferent, manager()).ok());
  auto again = decide_review(*db_, item_.id, LinkDecision::kSame, manager());
  EXPECT_FALSE(again.ok());  // decided once
  const int64_t m9 = child_of("community", "m9");

  // The bridge of the test above: now the decision refuses it outright.
  std::ofstream(dir_.file("acute.ndjson"))
      << patient("x1", "", "Sam", "Smith", "2019-01-31", "male", "M1 1AA");
  // And a new version of m9: linked to m9's child, the pair not queued again.
  std::ofstream(dir_.file("community.ndjson"))
      << patient("m9", "8023456784", "Sam", "Smith", "2019-02-01", "male", "M1 1AA");
  load({"acute.ndjson", "community.ndjson"});
  const LinkReport report = link();
  EXPECT_EQ(report.refused_by_decision, 2);
  EXPECT_EQ(report.review_added, 0);
  EXPECT_EQ(report.review_open, 0);
  EXPECT_EQ(child_of("community", "m9"), m9);
  EXPECT_EQ(child_of("acute", "x1"), m9);
  EXPECT_NE(m9, child_of("gp", "g1"));
  EXPECT_EQ(count("SELECT count(*) FROM link_decisions WHERE decision = 'different'"), 1);
}

TEST_F(ReviewTest, ASameDecisionMergesAndKeepsHistory) {
  const int64_t sam = child_of("gp", "g1"), m9 = child_of("community", "m9");
  ASSERT_LT(sam, m9);
  ASSERT_TRUE(decide_review(*db_, item_.id, LinkDecision::kSame, manager()).ok());
  EXPECT_EQ(child_of("community", "m9"), sam);  // the older id survives
  auto current = current_child(*db_, m9);
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(*current, sam);
  auto history = child_history(*db_, sam);
  ASSERT_TRUE(history.ok());
  bool merged = false;
  for (const auto& h : *history)
    merged = merged || (h.action == "merged" && h.other_child_id == m9 && h.actor == "dm.jones");
  EXPECT_TRUE(merged);
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'merge-children'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'link-decision'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM link_review WHERE status = 'open'"), 0);
  // The merged-away id still opens the record, as the child it joined.
  auto record = load_child_record(*db_, m9);
  ASSERT_TRUE(record.ok()) << record.error().to_string();
  EXPECT_EQ(record->child_id, sam);
  EXPECT_EQ(record->identities.size(), 3u);
}

TEST_F(ReviewTest, UnmergeRestoresTheChildAndKeepsThemApart) {
  const int64_t sam = child_of("gp", "g1"), m9 = child_of("community", "m9");
  ASSERT_TRUE(decide_review(*db_, item_.id, LinkDecision::kSame, manager()).ok());
  auto moved = unmerge_records(*db_, sam, {source_person("m9")}, manager());
  ASSERT_TRUE(moved.ok()) << moved.error().to_string();
  EXPECT_EQ(*moved, m9);  // back under the id it had
  EXPECT_EQ(child_of("community", "m9"), m9);
  EXPECT_EQ(child_of("gp", "g1"), sam);
  EXPECT_EQ(count("SELECT count(*) FROM children WHERE merged_into IS NOT NULL"), 0);
  auto history = child_history(*db_, sam);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->back().action, "unmerged");
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE action = 'unmerge-child'"), 1);

  // A later run with a new version of m9 still keeps them apart.
  std::ofstream(dir_.file("community.ndjson"))
      << patient("m9", "", "Sam", "Smith", "2019-01-31", "male", "LS2 7XY");
  load({"community.ndjson"});
  const LinkReport report = link();
  EXPECT_EQ(child_of("community", "m9"), m9);
  EXPECT_EQ(report.review_added, 0);
}

// A merge and an unmerge between runs reach the next run through the
// child history, whichever way the run loads its records.
TEST_F(ReviewTest, RunsFollowMergesAndUnmergesMadeBetweenThem) {
  const int64_t sam = child_of("gp", "g1"), m9 = child_of("community", "m9");
  ASSERT_TRUE(decide_review(*db_, item_.id, LinkDecision::kSame, manager()).ok());
  // m9's twin record: joins m9, which is Sam now.
  std::ofstream(dir_.file("acute.ndjson"))
      << patient("x1", "", "Sam", "Smith", "2019-02-01", "male", "M1 1AA");
  load({"acute.ndjson"});
  LinkReport report = link();
  EXPECT_EQ(report.linked_to_existing, 1);
  EXPECT_EQ(report.refused_existing, 0);
  EXPECT_EQ(child_of("acute", "x1"), sam);

  ASSERT_TRUE(
      unmerge_records(*db_, sam, {source_person("m9"), source_person("x1")}, manager()).ok());
  std::ofstream(dir_.file("acute.ndjson"))
      << patient("x2", "", "Sam", "Smith", "2019-02-01", "male", "M1 1AA");
  load({"acute.ndjson"});
  report = link();
  EXPECT_EQ(child_of("acute", "x2"), child_of("community", "m9"));
  EXPECT_EQ(child_of("acute", "x1"), child_of("community", "m9"));
  EXPECT_NE(child_of("community", "m9"), sam);
  // x1 never had a child of its own, so the two moved to a new one, not m9's old id.
  EXPECT_NE(child_of("community", "m9"), m9);
}

TEST_F(ReviewTest, MergeAndUnmergeRefuseWhatMakesNoSense) {
  const int64_t sam = child_of("gp", "g1"), m9 = child_of("community", "m9");
  EXPECT_FALSE(merge_children(*db_, sam, sam, manager()).ok());
  EXPECT_FALSE(merge_children(*db_, m9, 999999, manager()).ok());
  EXPECT_FALSE(merge_children(*db_, m9, sam, {"dm.jones", std::nullopt, ""}).ok());  // no reason
  ASSERT_TRUE(merge_children(*db_, m9, sam, manager()).ok());
  EXPECT_FALSE(merge_children(*db_, m9, sam, manager()).ok());  // m9 is merged already
  // Moving out every record would leave an empty child.
  std::vector<int64_t> all;
  auto stmt = db_->prepare("SELECT source_person_id FROM links WHERE child_id = ?1");
  stmt->bind(1, sam);
  ASSERT_TRUE(stmt->each_row([&](Statement& r) { all.push_back(r.column_int64(0)); }).ok());
  EXPECT_FALSE(unmerge_records(*db_, sam, all, manager()).ok());
  EXPECT_FALSE(unmerge_records(*db_, sam, {source_person("g2")}, manager()).ok());  // not Sam's
}

TEST_F(LinkTest, TheModelIsTrainedOnceAndAgainWhenAsked) {
  EXPECT_TRUE(link().trained);
  std::ofstream(dir_.file("community.ndjson"))
      << patient("m2", "6001002002", "Noah", "Patel", "2016-07-07", "male", "LS6 2QQ");
  load({"community.ndjson"});
  EXPECT_FALSE(link().trained);
  auto retrained = link_unlinked(*db_, {kModel, true, false});
  ASSERT_TRUE(retrained.ok());
  EXPECT_TRUE(retrained->trained);
  EXPECT_EQ(count("SELECT count(*) FROM link_models"), 2);
}

TEST_F(LinkTest, AModelThatCannotBeReadIsAClearError) {
  auto missing = link_unlinked(*db_, {dir_.file("nope.toml"), false, false});
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.error().is_user_error());
  EXPECT_NE(missing.error().message().find("nope.toml"), std::string::npos);
  std::ofstream(dir_.file("bad.toml")) << "[[field]]\nname = \"x\"\nkind = \"name\"\ncolumn = "
                                          "\"shoe_size\"\nlevels = [{compare=\"exact\"}]\n"
                                          "[[blocking]]\nkeys = [\"x\"]\n";
  auto bad = link_unlinked(*db_, {dir_.file("bad.toml"), false, false});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("shoe_size"), std::string::npos);
  EXPECT_EQ(count("SELECT count(*) FROM links"), 0);  // nothing written
}

TEST_F(LinkTest, EvaluatesAgainstTruth) {
  std::ofstream(dir_.file("truth.csv"))
      << "source,original_id,person_id\n"
      << "gp,g1,P1\nsocial_care,C1,P1\ngp,g2,P2\ngp,g4,P4\nsocial_care,C4,P4\ngp,g5,P5\n"
      << "social_care,C9,P9\n";
  link();
  auto eval = evaluate_links(*db_, dir_.file("truth.csv"));
  ASSERT_TRUE(eval.ok()) << eval.error().to_string();
  EXPECT_EQ(eval->records, 6);
  EXPECT_EQ(eval->records_not_loaded, 1);
  EXPECT_EQ(eval->true_pairs, 2);
  EXPECT_EQ(eval->predicted_pairs, 2);
  EXPECT_DOUBLE_EQ(eval->precision(), 1.0);
  EXPECT_DOUBLE_EQ(eval->recall(), 1.0);
  EXPECT_EQ(eval->persons, 4);
  EXPECT_EQ(eval->persons_exactly_clustered, 4);
  EXPECT_EQ(eval->false_merge_clusters, 0);
  EXPECT_EQ(eval->false_split_persons, 0);
  EXPECT_DOUBLE_EQ(eval->purity(), 1.0);
}

TEST_F(LinkTest, EvaluateRejectsBadTruthFile) {
  std::ofstream(dir_.file("bad.csv")) << "a,b\n";
  auto eval = evaluate_links(*db_, dir_.file("bad.csv"));
  ASSERT_FALSE(eval.ok());
  EXPECT_EQ(eval.error().line(), 1);
  EXPECT_FALSE(evaluate_links(*db_, dir_.file("missing.csv")).ok());
}

// A source that re-sends a child with a new address, and an episode with a
// new end date: the record shows each once (the old versions stay in the
// store as history).
TEST_F(LinkTest, RecordShowsOnlyTheCurrentVersionOfEachSourceRecord) {
  std::ofstream(dir_.file("social_care.cin.csv"))
      << "episode_id,local_id,category,start_date,end_date\nE1,C1,Child in need,2020-01-01,\n";
  std::ofstream(dir_.file("social_care.persons.v2.csv"))
      << "local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
      << "C1,Sam,Smith,2019-01-31,M,LS9 9ZZ,943 476 5919\n";
  load({"social_care.cin.csv"});
  link();
  std::ofstream(dir_.file("social_care.cin.csv"))
      << "episode_id,local_id,category,start_date,end_date\nE1,C1,Child in need,2020-01-01,"
         "2020-06-30\n";
  load({"social_care.persons.v2.csv", "social_care.cin.csv"});
  link();
  auto record = load_child_record(*db_, child_of("gp", "g1"));
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
