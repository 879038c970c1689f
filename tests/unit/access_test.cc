#include <gtest/gtest.h>

#include "access/users.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

using testing::TempDir;

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::open(dir_.file("x.db"));
    ASSERT_TRUE(db.ok());
    db_.emplace(std::move(db).value());
  }
  TempDir dir_;
  std::optional<Database> db_;
};

TEST_F(AccessTest, AuthenticatesWithArgon2idHash) {
  auto user = add_user(*db_, "hv1", "Hana Visitor", "health-visitor", "correct horse battery");
  ASSERT_TRUE(user.ok()) << user.error().to_string();
  auto stored = db_->prepare("SELECT password_hash FROM users WHERE username = 'hv1'");
  ASSERT_TRUE(*stored->step());
  EXPECT_EQ(stored->column_text(0).rfind("$argon2id$", 0), 0u);

  auto ok = authenticate(*db_, "hv1", "correct horse battery");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->display_name, "Hana Visitor");
  auto wrong = authenticate(*db_, "hv1", "wrong horse battery");
  auto unknown = authenticate(*db_, "nobody", "correct horse battery");
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.error().message(), unknown.error().message());  // reveals neither
}

TEST_F(AccessTest, RejectsShortPasswordAndDuplicateUser) {
  EXPECT_FALSE(add_user(*db_, "a", "A", "gp", "short").ok());
  ASSERT_TRUE(add_user(*db_, "a", "A", "gp", "long enough password").ok());
  auto dup = add_user(*db_, "a", "A", "gp", "long enough password");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message().find("already exists"), std::string::npos);
}

TEST_F(AccessTest, SessionsResolveUntilEndedOrExpired) {
  auto user = add_user(*db_, "a", "A", "gp", "long enough password");
  auto session = create_session(*db_, *user);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->token.size(), 64u);
  auto found = find_session(*db_, session->token);
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->username, "a");

  // The token itself is not stored.
  auto stored = db_->prepare("SELECT count(*) FROM sessions WHERE token_hash = ?1");
  stored->bind(1, session->token);
  ASSERT_TRUE(*stored->step());
  EXPECT_EQ(stored->column_int64(0), 0);

  EXPECT_FALSE(find_session(*db_, "not-a-token")->has_value());
  ASSERT_TRUE(end_session(*db_, session->token).ok());
  EXPECT_FALSE(find_session(*db_, session->token)->has_value());

  auto expired = create_session(*db_, *user, -1);
  EXPECT_FALSE(find_session(*db_, expired->token)->has_value());
}

TEST_F(AccessTest, AuditRowsRecordWhoWhatAndWhichChild) {
  auto user = add_user(*db_, "a", "A", "gp", "long enough password");
  ASSERT_TRUE(
      db_->execute(
             "INSERT INTO children (id, nhs_number, created_at) VALUES (5, '9434765919', 'x')")
          .ok());
  ASSERT_TRUE(record_audit(*db_, {user->id, "view-record", 5, ""}).ok());
  auto row = db_->prepare("SELECT user_id, action, children, at, username, role FROM audit_events");
  ASSERT_TRUE(*row->step());
  EXPECT_EQ(row->column_int64(0), user->id);
  EXPECT_EQ(row->column_text(1), "view-record");
  EXPECT_EQ(row->column_text(2), "5");
  EXPECT_EQ(row->column_text(3).size(), 24u);  // 2026-11-22T12:06:19.123Z
  EXPECT_EQ(row->column_text(4), "a");         // who and in what role, read from users
  EXPECT_EQ(row->column_text(5), "gp");
}

TEST(GeneratePassword, IsLongAndDiffersEachTime) {
  const auto a = generate_password(), b = generate_password();
  EXPECT_GE(a.size(), 20u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace onechild
