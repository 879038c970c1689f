// Worklist output and letters: escaping, grouping, ordering.
#include "programmes/worklist.h"

#include <gtest/gtest.h>

#include "programmes/letters.h"

namespace onechild {
namespace {

Date ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

WorklistRow row(int64_t child, std::string name, std::string item, std::string status) {
  WorklistRow r;
  r.child_id = child;
  r.name = std::move(name);
  r.nhs_number = "9434765919";
  r.birth = to_day(ymd(2025, 3, 1));
  r.item = item;
  r.item_name = item + " name";
  r.status = std::move(status);
  r.due = to_day(ymd(2026, 3, 1));
  return r;
}

TEST(Worklist, KindsParseAndUnknownOnesAreNamed) {
  for (const char* k : {"hcp", "imms", "lac", "ehcp", "transition", "rtt", "signals"}) {
    auto kind = parse_worklist_kind(k);
    ASSERT_TRUE(kind.ok()) << k;
    EXPECT_EQ(worklist_kind_name(*kind), k);
  }
  auto bad = parse_worklist_kind("flu");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("'flu'"), std::string::npos);
}

TEST(Worklist, CsvQuotesWhatNeedsIt) {
  const std::string csv = worklist_csv({row(7, "O'Brien, \"Sam\"", "6in1-2", "overdue")});
  EXPECT_NE(csv.find("\"O'Brien, \"\"Sam\"\"\""), std::string::npos) << csv;
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "child_id,nhs_number,name,birth_date,practice,item,item_name,status,started,due,by,"
            "days_overdue,detail");
}

TEST(Letters, OnePagePerChildEverythingEscaped) {
  const std::vector<WorklistRow> rows = {row(1, "<b>Sam</b>", "6in1-2", "overdue"),
                                         row(2, "Ann", "mmr-1", "due"),
                                         row(1, "<b>Sam</b>", "6in1-3", "due")};
  const std::string html = letters_html(rows, {WorklistKind::kImms, ymd(2026, 6, 1)});
  EXPECT_EQ(html.find("<b>Sam</b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;Sam&lt;/b&gt;"), std::string::npos);
  size_t pages = 0;
  for (size_t at = html.find("class=\"letter\""); at != std::string::npos;
       at = html.find("class=\"letter\"", at + 1))
    ++pages;
  EXPECT_EQ(pages, 2u);
  EXPECT_NE(html.find("A reminder: &lt;b&gt;Sam"), std::string::npos);  // something overdue
  EXPECT_NE(html.find("Ann is due a vaccination"), std::string::npos);
  EXPECT_NE(html.find("943 476 5919"), std::string::npos);
  EXPECT_NE(html.find("1 March 2026"), std::string::npos);
}

TEST(Letters, AYoungPersonOfSixteenGetsTheirOwnLetter) {
  WorklistRow r = row(3, "Jo", "menacwy", "overdue");
  r.birth = to_day(ymd(2010, 6, 1));
  const std::string at_16 = letters_html({r}, {WorklistKind::kImms, ymd(2026, 6, 1)});
  EXPECT_NE(at_16.find("Dear Jo"), std::string::npos);
  const std::string at_15 = letters_html({r}, {WorklistKind::kImms, ymd(2026, 5, 31)});
  EXPECT_NE(at_15.find("To the parent or carer of Jo"), std::string::npos);
}

}  // namespace
}  // namespace onechild
