// The access policy (access/policy.h): the shipped config/access.toml, the
// expansion of included activities, and every way a malformed policy is
// refused, each naming the place that is wrong.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "access/policy.h"

namespace onechild {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

AccessPolicy shipped() {
  auto policy = AccessPolicy::load(AccessPolicy::default_path());
  EXPECT_TRUE(policy.ok()) << policy.error().to_string();
  return policy.ok() ? std::move(policy).value() : AccessPolicy{};
}

// A small valid policy; the refusal tests each break one thing in it.
constexpr const char* kMinimal = R"toml(
[clocks]
session_hours = 8

[activities]
view-demographics = []
view-record = ["view-demographics"]
record-contact = ["view-record"]

[roles.nurse]
name = "Nurse"
activities = ["record-contact"]
sees = ["private"]

[labels.private]
name = "Private"
kinds = ["note"]
)toml";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// The policy is refused, and the message names the file and every one of `parts`.
void expect_refused(const std::string& text, std::initializer_list<std::string> parts) {
  auto policy = AccessPolicy::parse(text, "test.toml");
  ASSERT_FALSE(policy.ok()) << "accepted:\n" << text;
  EXPECT_EQ(policy.error().code(), Error::Code::kInvalidArgument);
  const std::string message = policy.error().to_string();
  EXPECT_NE(message.find("test.toml"), std::string::npos) << message;
  for (const auto& part : parts) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
  }
}

TEST(AccessPolicy, ShippedPolicyLoadsWithItsClocks) {
  auto policy = AccessPolicy::load(AccessPolicy::default_path());
  ASSERT_TRUE(policy.ok()) << policy.error().to_string();
  EXPECT_EQ(policy->session_hours, 8);
  EXPECT_EQ(policy->lockout_failures, 5);
  EXPECT_EQ(policy->lockout_minutes, 30);
  EXPECT_EQ(policy->break_glass_hours, 4);
  EXPECT_EQ(policy->unscheduled_care_hours, 72);
  EXPECT_EQ(policy->recent_unscheduled_accesses, 25);
  EXPECT_EQ(policy->proxy_review_age, 13);
  EXPECT_EQ(policy->proxy_end_age, 16);
  EXPECT_EQ(policy->own_access_age, 16);
  EXPECT_TRUE(policy->social_care_sources.contains("social_care"));
  for (const char* kind : {"caseload", "school-caseload", "referral", "mdt",
                           "social-care-allocation", "send-case", "unscheduled-care"}) {
    EXPECT_TRUE(policy->relationship_kinds.contains(kind)) << kind;
  }
}

TEST(AccessPolicy, EveryRoleInTheIssueExists) {
  const AccessPolicy policy = shipped();
  for (const char* id : {"health-visitor", "school-nurse", "gp", "paediatrician",
                         "emergency-clinician", "camhs-clinician", "social-worker", "send-officer",
                         "analyst", "ig-officer", "administrator", "parent", "young-person"}) {
    const RolePolicy* role = policy.role(id);
    ASSERT_NE(role, nullptr) << id;
    EXPECT_EQ(role->id, id);
    EXPECT_FALSE(role->name.empty()) << id;
  }
  EXPECT_EQ(policy.role("nobody"), nullptr);
  EXPECT_TRUE(policy.role("emergency-clinician")->unscheduled_care);
  EXPECT_FALSE(policy.role("gp")->unscheduled_care);
  EXPECT_TRUE(policy.role("parent")->family);
  EXPECT_TRUE(policy.role("young-person")->family);
  EXPECT_FALSE(policy.role("social-worker")->family);
}

TEST(AccessPolicy, IncludedActivitiesAreExpanded) {
  const AccessPolicy policy = shipped();
  // record-contact => view-record => view-demographics.
  for (const char* a : {"record-contact", "view-record", "view-demographics"}) {
    EXPECT_TRUE(policy.permits("health-visitor", a)) << a;
  }
  // Granted view-record only: not record-contact.
  EXPECT_TRUE(policy.permits("send-officer", "view-record"));
  EXPECT_TRUE(policy.permits("send-officer", "view-demographics"));
  EXPECT_FALSE(policy.permits("send-officer", "record-contact"));
  EXPECT_FALSE(policy.permits("send-officer", "break-glass"));
  // review-break-glass => view-audit; view-pseudonymised => view-aggregates.
  EXPECT_TRUE(policy.permits("ig-officer", "view-audit"));
  EXPECT_TRUE(policy.permits("analyst", "view-aggregates"));
  EXPECT_FALSE(policy.permits("analyst", "view-record"));
  EXPECT_FALSE(policy.permits("analyst", "view-demographics"));
  EXPECT_FALSE(policy.permits("nobody", "view-record"));
  EXPECT_FALSE(policy.permits("health-visitor", "no-such-activity"));
}

TEST(AccessPolicy, IncludesAreExpandedHoweverDeepAndACycleIsHarmless) {
  const std::string text = replaced(kMinimal, "record-contact = [\"view-record\"]",
                                    "record-contact = [\"view-record\"]\n"
                                    "a = [\"b\"]\nb = [\"c\"]\nc = [\"a\", \"view-record\"]");
  auto policy = AccessPolicy::parse(
      replaced(text, "activities = [\"record-contact\"]", "activities = [\"a\"]"), "test.toml");
  ASSERT_TRUE(policy.ok()) << policy.error().to_string();
  for (const char* a : {"a", "b", "c", "view-record", "view-demographics"}) {
    EXPECT_TRUE(policy->permits("nurse", a)) << a;
  }
  EXPECT_FALSE(policy->permits("nurse", "record-contact"));
}

TEST(AccessPolicy, LabelsAndWhoSeesThem) {
  const AccessPolicy policy = shipped();
  EXPECT_TRUE(policy.role_sees("school-nurse", "sexual-health"));
  EXPECT_FALSE(policy.role_sees("health-visitor", "sexual-health"));
  EXPECT_TRUE(policy.role_sees("social-worker", "adoption"));
  EXPECT_FALSE(policy.role_sees("gp", "adoption"));
  EXPECT_FALSE(policy.role_sees("nobody", "sexual-health"));
  std::map<std::string, const SensitivityLabel*> labels;
  for (const auto& l : policy.labels)
    labels[l.id] = &l;
  for (const char* id : {"sexual-health", "mental-health-notes", "safeguarding-detail", "adoption",
                         "sealed-address"}) {
    ASSERT_TRUE(labels.contains(id)) << id;
  }
  EXPECT_TRUE(labels["sexual-health"]->codes.contains("http://snomed.info/sct|394687007"));
  EXPECT_TRUE(labels["mental-health-notes"]->kinds.contains("mental-health-contact"));
  EXPECT_TRUE(labels["safeguarding-detail"]->categories.contains("Child protection plan"));
  EXPECT_FALSE(labels["adoption"]->say_withheld);
  EXPECT_TRUE(labels["sexual-health"]->say_withheld);
}

TEST(AccessPolicy, MinimalPolicyTakesTheDefaults) {
  auto policy = AccessPolicy::parse(kMinimal, "test.toml");
  ASSERT_TRUE(policy.ok()) << policy.error().to_string();
  EXPECT_EQ(policy->break_glass_hours, 4);
  EXPECT_EQ(policy->unscheduled_care_hours, 72);
  EXPECT_EQ(policy->proxy_review_age, 13);
  EXPECT_TRUE(policy->role_sees("nurse", "private"));
}

TEST(AccessPolicy, ReviewAgeIsConfigurable) {
  const std::string text = read_file(AccessPolicy::default_path());
  auto policy = AccessPolicy::parse(
      replaced(text, "proxy_review_age = 13", "proxy_review_age = 11"), "access.toml");
  ASSERT_TRUE(policy.ok()) << policy.error().to_string();
  EXPECT_EQ(policy->proxy_review_age, 11);
  EXPECT_EQ(policy->proxy_end_age, 16);
}

TEST(AccessPolicy, RefusesAnUnknownTopLevelKey) {
  expect_refused(std::string("colour = \"blue\"\n") + kMinimal,
                 {"top level", "unknown setting 'colour'"});
}

TEST(AccessPolicy, RefusesAnUnknownClockOrFamilySetting) {
  expect_refused(replaced(kMinimal, "session_hours = 8", "session_hours = 8\nnap_minutes = 5"),
                 {"clocks", "unknown setting 'nap_minutes'"});
  expect_refused(std::string(kMinimal) + "[family]\nproxy_age = 12\n",
                 {"family", "unknown setting 'proxy_age'"});
}

TEST(AccessPolicy, RefusesAnUnknownRoleKey) {
  expect_refused(replaced(kMinimal, "name = \"Nurse\"", "name = \"Nurse\"\ncolour = \"blue\""),
                 {"roles.nurse", "unknown setting 'colour'"});
}

TEST(AccessPolicy, RefusesAnUnknownActivityInARole) {
  expect_refused(replaced(kMinimal, "activities = [\"record-contact\"]",
                          "activities = [\"record-contact\", \"fly\"]"),
                 {"roles.nurse", "unknown activity 'fly'"});
}

TEST(AccessPolicy, RefusesAnIncludeOfAnUnknownActivity) {
  expect_refused(replaced(kMinimal, "view-record = [\"view-demographics\"]",
                          "view-record = [\"view-demographics\", \"view-everything\"]"),
                 {"activities.view-record", "includes an unknown activity 'view-everything'"});
}

TEST(AccessPolicy, RefusesARoleThatSeesAnUnknownLabel) {
  expect_refused(replaced(kMinimal, "sees = [\"private\"]", "sees = [\"private\", \"secret\"]"),
                 {"roles.nurse", "sees an unknown label 'secret'"});
}

TEST(AccessPolicy, RefusesABadNumber) {
  for (const char* bad : {"session_hours = \"eight\"", "session_hours = -1", "session_hours = 2.5",
                          "session_hours = 8.0", "session_hours = true"}) {
    SCOPED_TRACE(bad);
    expect_refused(replaced(kMinimal, "session_hours = 8", bad),
                   {"clocks", "'session_hours' must be a whole number"});
  }
  expect_refused(std::string(kMinimal) + "[family]\nproxy_end_age = \"sixteen\"\n",
                 {"family", "'proxy_end_age' must be a whole number"});
  expect_refused(replaced(kMinimal, "session_hours = 8", "break_glass_hours = 0"),
                 {"clocks", "above 0"});
}

TEST(AccessPolicy, RefusesARoleFlagThatIsNotTrueOrFalse) {
  expect_refused(
      replaced(kMinimal, "name = \"Nurse\"", "name = \"Nurse\"\nunscheduled_care = \"yes\""),
      {"roles.nurse", "'unscheduled_care' must be true or false"});
  expect_refused(replaced(kMinimal, "name = \"Nurse\"", "name = \"Nurse\"\nfamily = 1"),
                 {"roles.nurse", "'family' must be true or false"});
  auto ok = AccessPolicy::parse(
      replaced(kMinimal, "name = \"Nurse\"", "name = \"Nurse\"\nunscheduled_care = true"),
      "test.toml");
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_TRUE(ok->role("nurse")->unscheduled_care);
  EXPECT_FALSE(ok->role("nurse")->family);
}

TEST(AccessPolicy, RefusesATomlSyntaxErrorWithItsLine) {
  // Line 1 is empty (the literal starts with a newline); line 3 is broken.
  expect_refused(replaced(kMinimal, "session_hours = 8", "session_hours = = 8"), {"test.toml:3"});
  expect_refused("\n\n\n\n[roles\n", {"test.toml:5"});
}

TEST(AccessPolicy, RefusesAReviewAgeAfterTheEndAge) {
  expect_refused(std::string(kMinimal) + "[family]\nproxy_review_age = 17\nproxy_end_age = 16\n",
                 {"family", "proxy_review_age"});
  // Equal is allowed: access simply ends at that age.
  EXPECT_TRUE(AccessPolicy::parse(
                  std::string(kMinimal) + "[family]\nproxy_review_age = 16\nproxy_end_age = 16\n",
                  "test.toml")
                  .ok());
}

TEST(AccessPolicy, RefusesMissingOrMisshapenTables) {
  expect_refused(replaced(kMinimal, "[activities]", "[unused]"), {"unknown setting 'unused'"});
  expect_refused("[activities]\nview-record = []\n", {"roles", "required"});
  expect_refused("[roles.nurse]\nname = \"Nurse\"\n", {"activities", "required"});
  expect_refused(
      std::string("clocks = 3\n") + replaced(kMinimal, "[clocks]\nsession_hours = 8", ""),
      {"clocks", "must be a table"});
  expect_refused(replaced(kMinimal, "name = \"Nurse\"\n", ""), {"roles.nurse", "name"});
  expect_refused(replaced(kMinimal, "activities = [\"record-contact\"]", "activities = \"x\""),
                 {"roles.nurse", "'activities' must be a list"});
  expect_refused(replaced(kMinimal, "kinds = [\"note\"]", "kinds = [\"note\"]\ncolour = 1"),
                 {"labels.private", "unknown setting 'colour'"});
  expect_refused(replaced(kMinimal, "kinds = [\"note\"]", "say_withheld = \"no\""),
                 {"labels.private", "'say_withheld' must be true or false"});
}

TEST(AccessPolicy, LoadReportsAMissingFile) {
  auto policy = AccessPolicy::load("/nonexistent/access.toml");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().code(), Error::Code::kIoError);
  EXPECT_NE(policy.error().message().find("/nonexistent/access.toml"), std::string::npos);
}

}  // namespace
}  // namespace onechild
