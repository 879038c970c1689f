#include "core/text.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/csv.h"
#include "core/line_reader.h"

namespace onechild {
namespace {

TEST(Text, FindsInvalidUtf8) {
  EXPECT_EQ(invalid_utf8_at("plain"), std::string_view::npos);
  EXPECT_EQ(invalid_utf8_at("Ren\xC3\xA9"
                            "e \xE2\x82\xAC \xF0\x9F\x98\x80"),
            std::string_view::npos);
  EXPECT_EQ(invalid_utf8_at("Ren\xE9"
                            "e"),
            3u);                                       // Windows-1252 é
  EXPECT_EQ(invalid_utf8_at("\xC0\xAF"), 0u);          // overlong
  EXPECT_EQ(invalid_utf8_at("x\xED\xA0\x80"), 1u);     // surrogate
  EXPECT_EQ(invalid_utf8_at("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(invalid_utf8_at("ab\xE2\x82"), 2u);        // truncated
}

TEST(Text, ConvertsWindows1252) {
  EXPECT_EQ(windows1252_to_utf8("Ren\xE9"
                                "e \x80 \x93x\x94"),
            "Ren\xC3\xA9"
            "e \xE2\x82\xAC \xE2\x80\x9Cx\xE2\x80\x9D");
  EXPECT_FALSE(
      windows1252_to_utf8("a\x81"
                          "b"));  // undefined in Windows-1252
  EXPECT_EQ(parse_encoding("cp1252"), Encoding::kWindows1252);
  EXPECT_FALSE(parse_encoding("latin-9"));
  EXPECT_EQ(printable("a\tb\xFF", 10), "a b\xEF\xBF\xBD");
}

TEST(LineReader, BoundsLongLinesAndKeepsNulBytes) {
  std::istringstream in(std::string("short\r\n") + std::string(100, 'x') + "\n" +
                        std::string("nul\0byte\nlast", 13));
  LineReader lines(in, 10);
  std::string line;
  ASSERT_TRUE(lines.next(line));
  EXPECT_EQ(line, "short");
  EXPECT_FALSE(lines.truncated());
  ASSERT_TRUE(lines.next(line));
  EXPECT_EQ(line, std::string(10, 'x'));
  EXPECT_TRUE(lines.truncated());
  EXPECT_EQ(lines.line_number(), 2);
  ASSERT_TRUE(lines.next(line));
  EXPECT_EQ(line, std::string("nul\0byte", 8));
}

std::vector<CsvRecord> read_all(const std::string& text, CsvOptions options) {
  std::istringstream in(text);
  CsvReader reader(in, options);
  std::vector<CsvRecord> out;
  while (auto r = reader.next())
    out.push_back(*r);
  return out;
}

TEST(CsvReader, SkipsBomAndConvertsWindows1252InAutoMode) {
  auto rows = read_all(
      "\xEF\xBB\xBFname\r\nRen\xE9"
      "e\r\n\x81\r\n",
      {});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields[0], "name");
  EXPECT_EQ(rows[1].fields[0],
            "Ren\xC3\xA9"
            "e");
  EXPECT_TRUE(rows[1].converted);
  EXPECT_EQ(rows[1].raw,
            "Ren\xE9"
            "e");  // the bytes as received, for quarantine
  ASSERT_TRUE(rows[2].error);
  EXPECT_NE(rows[2].error->find("neither UTF-8 nor Windows-1252"), std::string::npos);
}

TEST(CsvReader, Utf8ModeRejectsWithAHint) {
  CsvOptions options;
  options.encoding = Encoding::kUtf8;
  auto rows = read_all(
      "Ren\xE9"
      "e\n",
      options);
  ASSERT_TRUE(rows[0].error);
  EXPECT_NE(rows[0].error->find("windows-1252"), std::string::npos);
}

TEST(CsvReader, OtherDelimiterAndRecordSizeLimit) {
  CsvOptions options;
  options.delimiter = ';';
  options.max_record_bytes = 16;
  auto rows = read_all("a;\"b;c\"\n\"never closed\nmore text here\nx;y\n", options);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"a", "b;c"}));
  ASSERT_TRUE(rows[1].error);
  EXPECT_NE(rows[1].error->find("longer than 16 bytes"), std::string::npos);
  EXPECT_LE(rows[1].raw.size(), 16u);
  // The reader resumes on the next line: one bad record does not swallow the rest.
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(rows[2].line, 4);
}

}  // namespace
}  // namespace onechild
