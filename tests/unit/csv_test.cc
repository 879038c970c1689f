#include "core/csv.h"

#include <gtest/gtest.h>

#include <sstream>

namespace onechild {
namespace {

std::vector<CsvRecord> read_all(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in);
  std::vector<CsvRecord> out;
  while (auto r = reader.next())
    out.push_back(*r);
  return out;
}

TEST(CsvReader, SplitsFieldsAndTracksLines) {
  auto rows = read_all("a,b,c\n1,2,3\r\n\n4,,6\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(rows[1].line, 2);
  EXPECT_EQ(rows[2].line, 4);  // the blank line 3 is skipped but counted
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"4", "", "6"}));
  EXPECT_FALSE(rows[2].error);
}

TEST(CsvReader, HandlesQuotesCommasAndEmbeddedLineBreaks) {
  auto rows = read_all("\"O'Brien, Jr\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext,row,here\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"O'Brien, Jr", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ(rows[0].raw, "\"O'Brien, Jr\",\"say \"\"hi\"\"\",\"two\nlines\"");
  EXPECT_EQ(rows[1].line, 3);
}

TEST(CsvReader, ReportsMalformedRecordsWithoutStopping) {
  auto rows = read_all("ok,1\nbad\"quote,2\n\"closed\"junk,3\nfine,4\n");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_FALSE(rows[0].error);
  ASSERT_TRUE(rows[1].error);
  EXPECT_EQ(*rows[1].error, "quote inside an unquoted field");
  ASSERT_TRUE(rows[2].error);
  EXPECT_EQ(*rows[2].error, "unexpected text after a closing quote");
  EXPECT_FALSE(rows[3].error);
  EXPECT_EQ(rows[3].line, 4);
}

TEST(CsvReader, UnclosedQuoteIsAnErrorNotACrash) {
  auto rows = read_all("a,\"never closed\nmore\n");
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_TRUE(rows[0].error);
  EXPECT_EQ(*rows[0].error, "quoted field is never closed");
  EXPECT_EQ(rows[0].line, 1);
}

TEST(CsvQuote, QuotesOnlyWhenNeededAndRoundTrips) {
  EXPECT_EQ(csv_quote("plain"), "plain");
  EXPECT_EQ(csv_quote("O'Brien, Jo"), "\"O'Brien, Jo\"");
  EXPECT_EQ(csv_quote("say \"hi\""), "\"say \"\"hi\"\"\"");
  auto rows =
      read_all(csv_quote("a,b") + "," + csv_quote("two\nlines") + "," + csv_quote("q\"") + "\n");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"a,b", "two\nlines", "q\""}));
}

}  // namespace
}  // namespace onechild
