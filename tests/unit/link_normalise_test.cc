#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "link/nicknames.h"
#include "link/normalise.h"
#include "link/similarity.h"

namespace onechild::linkage {
namespace {

// ---- Jaro–Winkler ----

TEST(JaroWinkler, MatchesPublishedValues) {
  // Winkler (1990) and the jellyfish test data.
  EXPECT_NEAR(jaro_winkler("martha", "marhta"), 0.961, 5e-4);
  EXPECT_NEAR(jaro_winkler("dwayne", "duane"), 0.84, 5e-4);
  EXPECT_NEAR(jaro_winkler("dixon", "dicksonx"), 0.813, 5e-4);
  EXPECT_NEAR(jaro_winkler("william", "williams"), 0.975, 5e-4);
  EXPECT_NEAR(jaro_winkler("crate", "trace"), 0.733333, 1e-6);  // DuckDB's test: no prefix
  EXPECT_NEAR(jaro_winkler("a", "aa"), 0.85, 1e-9);
}

TEST(JaroWinkler, IdenticalEmptyAndDisjoint) {
  EXPECT_EQ(jaro_winkler("smith", "smith"), 1.0);
  EXPECT_EQ(jaro_winkler("a", "a"), 1.0);
  EXPECT_EQ(jaro_winkler("", ""), 1.0);
  EXPECT_EQ(jaro_winkler("", "foo"), 0.0);
  EXPECT_EQ(jaro_winkler("foo", ""), 0.0);
  EXPECT_EQ(jaro_winkler("abc", "xyz"), 0.0);
  EXPECT_EQ(jaro_winkler("a", "b"), 0.0);
}

TEST(JaroWinkler, PrefixBoostOnlyAboveJaroSevenTenths) {
  // Jaro("abcd", "abxyzw") = (2/4 + 2/6 + 1) / 3 = 0.6111: below 0.7, so the two common leading
  // letters add nothing (with the boost it would be 0.6889).
  EXPECT_NEAR(jaro_winkler("abcd", "abxyzw"), 0.611111, 1e-6);
  // Jaro("jones", "johnson") = 0.7905; prefix "jo" boosts it by 2 * 0.1 * (1 - 0.7905).
  EXPECT_NEAR(jaro_winkler("jones", "johnson"), 0.832381, 1e-6);
}

TEST(JaroWinkler, IsSymmetric) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"martha", "marhta"}, {"dwayne", "duane"}, {"dixon", "dicksonx"},   {"jones", "johnson"},
      {"abcd", "abxyzw"},   {"aab", "aba"},      {"catherine", "kathryn"}};
  for (const auto& [a, b] : pairs)
    EXPECT_EQ(jaro_winkler(a, b), jaro_winkler(b, a)) << a << b;
}

TEST(JaroWinkler, HandlesStringsLongerThanTheStackBuffer) {
  const std::string a(100, 'a');
  std::string b = a;
  b.back() = 'b';
  EXPECT_EQ(jaro_winkler(a, a), 1.0);
  // 99 matches, no transpositions: Jaro (0.99 + 0.99 + 1) / 3, then a 4-letter prefix boost.
  const double jaro = (0.99 + 0.99 + 1.0) / 3.0;
  EXPECT_NEAR(jaro_winkler(a, b), jaro + 0.4 * (1.0 - jaro), 1e-12);
  // One side short, the other long: Jaro (4/4 + 4/100 + 1) / 3 = 0.68, too low for a boost.
  EXPECT_NEAR(jaro_winkler("aaaa", a), 0.68, 1e-12);
  // Either side of the buffer's size (64 and 65 bytes): Jaro (1 + 64/65 + 1) / 3, then boosted.
  const std::string a64(64, 'x'), a65(65, 'x');
  const double jaro_64_65 = (1.0 + 64.0 / 65.0 + 1.0) / 3.0;
  EXPECT_NEAR(jaro_winkler(a64, a65), jaro_64_65 + 0.4 * (1.0 - jaro_64_65), 1e-12);
  EXPECT_EQ(jaro_winkler(a65, a64), jaro_winkler(a64, a65));
}

TEST(JaroWinkler, StaysWithinZeroAndOne) {
  std::mt19937 random(7);
  std::uniform_int_distribution<int> length(0, 90), letter('a', 'd');
  for (int n = 0; n < 2000; ++n) {
    std::string a(length(random), ' '), b(length(random), ' ');
    for (char& c : a)
      c = static_cast<char>(letter(random));
    for (char& c : b)
      c = static_cast<char>(letter(random));
    const double score = jaro_winkler(a, b);
    ASSERT_GE(score, 0.0) << a << " " << b;
    ASSERT_LE(score, 1.0) << a << " " << b;
    ASSERT_EQ(score, jaro_winkler(b, a)) << a << " " << b;
  }
}

// ---- Damerau–Levenshtein (optimal string alignment) ----

// The textbook full-matrix OSA distance, to check the banded, early-exit one against.
int reference_osa(const std::string& a, const std::string& b) {
  std::vector<std::vector<int>> d(a.size() + 1, std::vector<int>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

TEST(DamerauLevenshtein, KnownDistances) {
  EXPECT_EQ(damerau_levenshtein("", "", 10), 0);
  EXPECT_EQ(damerau_levenshtein("abc", "", 10), 3);
  EXPECT_EQ(damerau_levenshtein("", "abc", 10), 3);
  EXPECT_EQ(damerau_levenshtein("bc", "abc", 10), 1);
  EXPECT_EQ(damerau_levenshtein("kitten", "sitting", 10), 3);
  EXPECT_EQ(damerau_levenshtein("abcd", "acb", 10), 2);
  EXPECT_EQ(damerau_levenshtein("smith", "smith", 10), 0);
}

TEST(DamerauLevenshtein, AdjacentTranspositionCostsOne) {
  EXPECT_EQ(damerau_levenshtein("fuor", "four", 10), 1);
  EXPECT_EQ(damerau_levenshtein("smtih", "smith", 10), 1);
  EXPECT_EQ(damerau_levenshtein("ab", "ba", 10), 1);
  EXPECT_EQ(damerau_levenshtein("ifhs", "fish", 10), 2);
  EXPECT_EQ(damerau_levenshtein("jellyifhs", "jellyfish", 10), 2);
}

TEST(DamerauLevenshtein, IsTheOptimalStringAlignmentVariant) {
  // Unrestricted Damerau–Levenshtein gives 2 (ca -> ac -> abc); OSA may not edit a
  // transposed pair again, so it is 3.
  EXPECT_EQ(damerau_levenshtein("ca", "abc", 10), 3);
}

TEST(DamerauLevenshtein, StopsOnceTheDistanceMustExceedMax) {
  EXPECT_EQ(damerau_levenshtein("kitten", "sitting", 2), 3);
  EXPECT_EQ(damerau_levenshtein("kitten", "sitting", 3), 3);
  EXPECT_EQ(damerau_levenshtein("abcdef", "ghijkl", 1), 2);
  EXPECT_EQ(damerau_levenshtein("a", "abcdefgh", 3), 4);  // length difference alone
  EXPECT_EQ(damerau_levenshtein("abc", "abc", 0), 0);
  EXPECT_EQ(damerau_levenshtein("abc", "abd", 0), 1);
  EXPECT_EQ(damerau_levenshtein("abc", "abc", -1), 0);  // any distance exceeds -1
  EXPECT_EQ(damerau_levenshtein("abc", "xyz", INT_MAX), 3);
}

TEST(DamerauLevenshtein, HandlesStringsLongerThanTheStackBuffer) {
  const std::string a(100, 'a');
  std::string b = a;
  b[10] = 'b';
  b[50] = 'c';
  b[51] = 'd';
  EXPECT_EQ(damerau_levenshtein(a, b, 10), 3);
  EXPECT_EQ(damerau_levenshtein(a, b, 2), 3);
  const std::string long_a = std::string(70, 'x') + "ab";
  const std::string long_b = std::string(70, 'x') + "ba";
  EXPECT_EQ(damerau_levenshtein(long_a, long_b, 5), 1);
  EXPECT_EQ(damerau_levenshtein(std::string(200, 'z'), "zz", 500), 198);
  EXPECT_EQ(damerau_levenshtein("zz", std::string(200, 'z'), 5), 6);
}

TEST(DamerauLevenshtein, AgreesWithTheFullMatrixOnRandomStrings) {
  std::mt19937 random(11);
  std::uniform_int_distribution<int> length(0, 80), letter('a', 'c'), max(-1, 12);
  for (int n = 0; n < 3000; ++n) {
    std::string a(length(random) % (n % 4 == 0 ? 81 : 12), ' ');
    std::string b(length(random) % (n % 4 == 0 ? 81 : 12), ' ');
    for (char& c : a)
      c = static_cast<char>(letter(random));
    for (char& c : b)
      c = static_cast<char>(letter(random));
    const int limit = max(random);
    const int full = reference_osa(a, b);
    const int expected = full > limit ? limit + 1 : full;
    ASSERT_EQ(damerau_levenshtein(a, b, limit), expected) << a << " " << b << " max " << limit;
    ASSERT_EQ(damerau_levenshtein(b, a, limit), expected) << b << " " << a << " max " << limit;
  }
}

// ---- NYSIIS ----

TEST(Nysiis, MatchesJellyfishTestData) {
  const std::vector<std::pair<std::string, std::string>> cases = {{"worthy", "WARTY"},
                                                                  {"ogata", "OGAT"},
                                                                  {"montgomery", "MANTGANARY"},
                                                                  {"costales", "CASTAL"},
                                                                  {"tu", "T"},
                                                                  {"martincevic", "MARTANCAFAC"},
                                                                  {"catherine", "CATARAN"},
                                                                  {"katherine", "CATARAN"},
                                                                  {"katerina", "CATARAN"},
                                                                  {"johnathan", "JANATAN"},
                                                                  {"jonathan", "JANATAN"},
                                                                  {"john", "JAN"},
                                                                  {"teresa", "TARAS"},
                                                                  {"theresa", "TARAS"},
                                                                  {"jessica", "JASAC"},
                                                                  {"joshua", "JAS"},
                                                                  {"bosch", "BAS"},
                                                                  {"lapher", "LAFAR"},
                                                                  {"wiyh", "WY"},
                                                                  {"macarthur", "MCARTAR"},
                                                                  {"pheenard", "FANAD"},
                                                                  {"schmittie", "SNATY"},
                                                                  {"knaqze", "NAGS"},
                                                                  {"knokno", "NAN"},
                                                                  {"knoko", "NAC"},
                                                                  {"macaw", "MC"},
                                                                  {"t", "T"},
                                                                  {"s", "S"},
                                                                  {"p", "P"},
                                                                  {"k", "C"},
                                                                  {"m", "M"},
                                                                  {"e", "E"},
                                                                  {"pfeister", "FASTAR"},
                                                                  {"sarah", "SAR"}};
  for (const auto& [name, code] : cases)
    EXPECT_EQ(nysiis(name), code) << name;
}

TEST(Nysiis, IsNotTruncatedToSixCharacters) {
  EXPECT_EQ(nysiis("montgomery").size(), 10u);
  EXPECT_EQ(nysiis("martincevic"), "MARTANCAFAC");
}

TEST(Nysiis, IgnoresNonLettersAndCase) {
  EXPECT_EQ(nysiis(""), "");
  EXPECT_EQ(nysiis(" - 1"), "");
  EXPECT_EQ(nysiis("mac arthur"), "MCARTAR");
  EXPECT_EQ(nysiis("o brien"), nysiis("obrien"));
  EXPECT_EQ(nysiis("MacArthur"), "MCARTAR");
}

// ---- fold_name ----

TEST(FoldName, FoldsAccentedLatinLetters) {
  EXPECT_EQ(fold_name("Zoë"), "zoe");
  EXPECT_EQ(fold_name("José Núñez"), "jose nunez");
  EXPECT_EQ(fold_name("Łukasz Wałęsa"), "lukasz walesa");
  EXPECT_EQ(fold_name("Straße"), "strasse");
  EXPECT_EQ(fold_name("Æthelflæd"), "aethelflaed");
  EXPECT_EQ(fold_name("Søren Ørsted"), "soren orsted");
  EXPECT_EQ(fold_name("Œdipe"), "oedipe");
  EXPECT_EQ(fold_name("Þórr"), "thorr");
  EXPECT_EQ(fold_name("Đorđe"), "dorde");
  EXPECT_EQ(fold_name("Ştefan Ţurcanu"), "stefan turcanu");
  EXPECT_EQ(fold_name("Ștefan Țurcanu"), "stefan turcanu");        // comma below (U+0218..U+021B)
  EXPECT_EQ(fold_name("Oluwaṣeun Ọlọ́pàdé"), "oluwaseun olopade");  // Yoruba, combining marks
  EXPECT_EQ(fold_name("Nguyễn"), "nguyen");
  EXPECT_EQ(fold_name("Zoe\xCC\x88"), "zoe");  // decomposed: e + combining diaeresis
  EXPECT_EQ(fold_name("Ĳsbrand"), "ijsbrand");
  EXPECT_EQ(fold_name("İlkay Işık"), "ilkay isik");
}

TEST(FoldName, RemovesApostrophes) {
  EXPECT_EQ(fold_name("O'Brien"), "obrien");
  EXPECT_EQ(fold_name("O’Neill"), "oneill");
  EXPECT_EQ(fold_name("D`Arcy"), "darcy");
  EXPECT_EQ(fold_name("N´Diaye"), "ndiaye");
  EXPECT_EQ(fold_name("O ' Brien"), "o brien");
}

TEST(FoldName, HyphensDotsAndCommasSeparateParts) {
  EXPECT_EQ(fold_name("Mary-Jane"), "mary jane");
  EXPECT_EQ(fold_name("Smith-Jones"), "smith jones");
  EXPECT_EQ(fold_name("Lloyd--Webber"), "lloyd webber");
  EXPECT_EQ(fold_name("St. John"), "st john");
  EXPECT_EQ(fold_name("SMITH, John"), "smith john");
  EXPECT_EQ(fold_name("Anne\xC2\xA0Marie"), "anne marie");      // no-break space
  EXPECT_EQ(fold_name("Anne\xE2\x80\x94Marie"), "anne marie");  // em dash
  EXPECT_EQ(fold_name("Anne\xE2\x80\x90Marie"), "anne marie");  // Unicode hyphen
  EXPECT_EQ(fold_name("John2"), "john");
}

TEST(FoldName, LowercasesCollapsesAndTrims) {
  EXPECT_EQ(fold_name("JOHN SMITH"), "john smith");
  EXPECT_EQ(fold_name("  Anne   Marie  "), "anne marie");
  EXPECT_EQ(fold_name("Dr John Smith"), "dr john smith");  // titles stay
  EXPECT_EQ(fold_name(""), "");
  EXPECT_EQ(fold_name(" -.,' "), "");
}

TEST(FoldName, ControlCharactersSeparateParts) {
  EXPECT_EQ(fold_name("John\tSmith\r\n"), "john smith");
  EXPECT_EQ(fold_name(std::string_view("a\0b", 3)), "a b");
  EXPECT_EQ(fold_name("a\x7Fz"), "a z");
  EXPECT_EQ(fold_name("a\xC2\x85z"), "a z");  // C1 control (NEL)
}

TEST(FoldName, DropsInvalidUtf8AndUnknownCharacters) {
  EXPECT_EQ(fold_name("Ren\xE9 Jones"), "ren jones");  // Windows-1252 é: dropped, not guessed
  EXPECT_EQ(fold_name("\xC3"), "");                    // truncated sequence
  EXPECT_EQ(fold_name("Zo\xC3"), "zo");
  EXPECT_EQ(fold_name("\xFF\xFEJo"), "jo");
  EXPECT_EQ(fold_name("a\xC0\xAFz"), "az");          // overlong '/'
  EXPECT_EQ(fold_name("a\xED\xA0\x80z"), "az");      // surrogate
  EXPECT_EQ(fold_name("a\xF4\x90\x80\x80z"), "az");  // above U+10FFFF
  EXPECT_EQ(fold_name("\xC3Zo"), "zo");              // the byte after a bad lead is kept
  EXPECT_EQ(fold_name("Ivan Иван"), "ivan");         // other scripts dropped
  EXPECT_EQ(fold_name("Jo\xE2\x80\x8Bhn"), "john");  // zero-width space
  EXPECT_EQ(fold_name("\xEF\xBB\xBFJohn"), "john");  // byte order mark
  EXPECT_EQ(fold_name("Amy \xF0\x9F\x98\x80"), "amy");
}

TEST(FoldName, IsIdempotent) {
  for (const char* name : {"O'Brien", "Mary-Jane  Smith", "Zoë Łoś", "a\xFFz", "  x  "}) {
    const std::string once = fold_name(name);
    EXPECT_EQ(fold_name(once), once) << name;
  }
}

TEST(NameParts, SplitsOnSpaces) {
  EXPECT_EQ(name_parts("smith jones"), (std::vector<std::string_view>{"smith", "jones"}));
  EXPECT_EQ(name_parts("smith"), (std::vector<std::string_view>{"smith"}));
  EXPECT_TRUE(name_parts("").empty());
  EXPECT_EQ(name_parts(" a  b "), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_EQ(name_parts(fold_name("Mary-Jane O'Brien")),
            (std::vector<std::string_view>{"mary", "jane", "obrien"}));
}

// ---- postcodes ----

TEST(Postcode, SplitsIntoSectorDistrictAndArea) {
  const auto postcode = parse_postcode("LS1 4AP");
  ASSERT_TRUE(postcode);
  EXPECT_EQ(postcode->full, "LS1 4AP");
  EXPECT_EQ(postcode->sector, "LS1 4");
  EXPECT_EQ(postcode->district, "LS1");
  EXPECT_EQ(postcode->area, "LS");
}

TEST(Postcode, AcceptsEveryStandardFormat) {
  struct Case {
    const char *text, *full, *sector, *district, *area;
  };
  for (const Case& c : {Case{"M1 1AE", "M1 1AE", "M1 1", "M1", "M"},           // A9 9AA
                        Case{"M60 1NW", "M60 1NW", "M60 1", "M60", "M"},       // A99 9AA
                        Case{"CR2 6XH", "CR2 6XH", "CR2 6", "CR2", "CR"},      // AA9 9AA
                        Case{"DN55 1PT", "DN55 1PT", "DN55 1", "DN55", "DN"},  // AA99 9AA
                        Case{"W1A 1HQ", "W1A 1HQ", "W1A 1", "W1A", "W"},       // A9A 9AA
                        Case{"EC1A 1BB", "EC1A 1BB", "EC1A 1", "EC1A", "EC"},  // AA9A 9AA
                        Case{"GIR 0AA", "GIR 0AA", "GIR 0", "GIR", "GIR"}}) {
    const auto postcode = parse_postcode(c.text);
    ASSERT_TRUE(postcode) << c.text;
    EXPECT_EQ(postcode->full, c.full);
    EXPECT_EQ(postcode->sector, c.sector);
    EXPECT_EQ(postcode->district, c.district);
    EXPECT_EQ(postcode->area, c.area);
  }
}

TEST(Postcode, AcceptsAnyCaseAndSpacing) {
  for (const char* text : {"ls14ap", " LS1  4AP ", "l s 1 4 a p", "\tLs1 4aP", "LS14AP"}) {
    const auto postcode = parse_postcode(text);
    ASSERT_TRUE(postcode) << text;
    EXPECT_EQ(postcode->full, "LS1 4AP") << text;
  }
  EXPECT_EQ(parse_postcode("ec1a1bb")->full, "EC1A 1BB");
}

TEST(Postcode, RejectsEverythingElse) {
  for (const char* text : {"", "   ", "LS1", "LS1 4A", "LS14", "LS1 AAP", "LS1 44P", "LS1 4A1",
                           "1S1 4AP", "LSS 4AP", "L1SA 4AP", "LS123 4AP", "ABC1D 4AP", "LS1-4AP",
                           "LS1 4AP X", "GIR 0AB", "L\u00C61 4AP", "LS1\n4AP"}) {
    EXPECT_FALSE(parse_postcode(text)) << text;
  }
}

TEST(Postcode, ParsedPostcodeReparsesToItself) {
  for (const char* text : {"ls14ap", "ec1a1bb", "gir0aa", "m11ae"}) {
    const auto postcode = parse_postcode(text);
    ASSERT_TRUE(postcode) << text;
    EXPECT_EQ(parse_postcode(postcode->full), postcode) << text;
  }
}

// ---- sex ----

TEST(Sex, ReadsMaleAndFemaleCodes) {
  for (const char* text : {"male", "Male", "MALE", "m", "M", "1", " M ", "\tmale\r\n"}) {
    EXPECT_EQ(normalise_sex(text), 'M') << text;
  }
  for (const char* text : {"female", "Female", "FEMALE", "f", "F", "2", "  2  "}) {
    EXPECT_EQ(normalise_sex(text), 'F') << text;
  }
}

TEST(Sex, EverythingElseIsUnknown) {
  for (const char* text : {"", "   ", "unknown", "U", "0", "9", "other", "indeterminate", "x",
                           "mal", "males", "11", "fem", "m f"}) {
    EXPECT_EQ(normalise_sex(text), std::nullopt) << text;
  }
}

// ---- NHS numbers ----

TEST(NhsNumberUse, ClassifiesValidTestRangeInvalidAndMissing) {
  EXPECT_EQ(classify_nhs_number("9434765919"), NhsNumberUse::kValid);
  EXPECT_EQ(classify_nhs_number("943 476 5919"), NhsNumberUse::kValid);
  // 999000001: weighted sum 10*9 + 9*9 + 8*9 + 2*1 = 245; 245 mod 11 = 3; check digit 8.
  EXPECT_EQ(classify_nhs_number("9990000018"), NhsNumberUse::kTestRange);
  EXPECT_EQ(classify_nhs_number(" 999 000 0018 "), NhsNumberUse::kTestRange);
  EXPECT_EQ(classify_nhs_number("9999999980"), NhsNumberUse::kTestRange);  // top of the range
  EXPECT_EQ(classify_nhs_number("9989999996"), NhsNumberUse::kValid);      // just below it
  EXPECT_EQ(classify_nhs_number("9990000019"), NhsNumberUse::kInvalid);    // wrong check digit
  EXPECT_EQ(classify_nhs_number("9434765918"), NhsNumberUse::kInvalid);
  EXPECT_EQ(classify_nhs_number("9999999999"), NhsNumberUse::kInvalid);  // never issued
  EXPECT_EQ(classify_nhs_number("94347659"), NhsNumberUse::kInvalid);
  EXPECT_EQ(classify_nhs_number("unknown"), NhsNumberUse::kInvalid);
  EXPECT_EQ(classify_nhs_number(""), NhsNumberUse::kMissing);
  EXPECT_EQ(classify_nhs_number(" \t "), NhsNumberUse::kMissing);
}

TEST(NhsNumberUse, NamesEachClass) {
  EXPECT_STREQ(to_string(NhsNumberUse::kValid), "valid");
  EXPECT_STREQ(to_string(NhsNumberUse::kTestRange), "test-range");
  EXPECT_STREQ(to_string(NhsNumberUse::kInvalid), "invalid");
  EXPECT_STREQ(to_string(NhsNumberUse::kMissing), "missing");
}

// ---- nicknames ----

Nicknames parse_ok(std::string_view text) {
  auto nicknames = Nicknames::parse(text, "test.csv");
  EXPECT_TRUE(nicknames.ok()) << nicknames.error().to_string();
  return nicknames.ok() ? std::move(nicknames).value() : Nicknames();
}

TEST(Nicknames, ParsesGroupsSkippingCommentsAndBlankLines) {
  const Nicknames nicknames = parse_ok(
      "# a comment, with commas\r\n"
      "\r\n"
      "William, Will ,Billy\r\n"
      "  # indented comment\n"
      "Małgorzata,Gosia,MAŁGOSIA\n"
      "muhammad,mohammed");  // no final newline
  EXPECT_EQ(nicknames.group_count(), 3u);
  EXPECT_TRUE(nicknames.are_variants("william", "billy"));
  EXPECT_TRUE(nicknames.are_variants("will", "billy"));
  EXPECT_TRUE(nicknames.are_variants("malgorzata", "malgosia"));
  EXPECT_TRUE(nicknames.are_variants("gosia", "malgorzata"));
  EXPECT_TRUE(nicknames.are_variants("mohammed", "muhammad"));
  EXPECT_FALSE(nicknames.are_variants("william", "gosia"));
}

TEST(Nicknames, VariantsHoldBothWaysButNotForTheSameOrUnknownNames) {
  const Nicknames nicknames = parse_ok("margaret,maggie,peggy\n");
  EXPECT_TRUE(nicknames.are_variants("margaret", "peggy"));
  EXPECT_TRUE(nicknames.are_variants("peggy", "margaret"));
  EXPECT_FALSE(nicknames.are_variants("peggy", "peggy"));
  EXPECT_FALSE(nicknames.are_variants("peggy", "polly"));
  EXPECT_FALSE(nicknames.are_variants("polly", "peggy"));
  EXPECT_FALSE(nicknames.are_variants("", "peggy"));
  EXPECT_FALSE(Nicknames().are_variants("a", "b"));
  EXPECT_EQ(Nicknames().group_count(), 0u);
}

TEST(Nicknames, SharedNicknameDoesNotJoinGroups) {
  const Nicknames nicknames = parse_ok("alexander,alex,xander\nalexandra,alex,lexi\n");
  EXPECT_TRUE(nicknames.are_variants("alex", "alexander"));
  EXPECT_TRUE(nicknames.are_variants("alex", "alexandra"));
  EXPECT_FALSE(nicknames.are_variants("alexander", "alexandra"));
  EXPECT_FALSE(nicknames.are_variants("xander", "lexi"));
}

TEST(Nicknames, MalformedGroupNamesFileAndLine) {
  const auto one_name = Nicknames::parse("# groups\nwilliam,will\n\nbob\n", "nicks.csv");
  ASSERT_FALSE(one_name.ok());
  EXPECT_EQ(one_name.error().code(), Error::Code::kInvalidArgument);
  EXPECT_EQ(one_name.error().file(), "nicks.csv");
  EXPECT_EQ(one_name.error().line(), 4);
  EXPECT_NE(one_name.error().to_string().find("nicks.csv:4: "), std::string::npos);

  const auto duplicate = Nicknames::parse("Mary,MARY\n", "nicks.csv");  // one name after folding
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().line(), 1);

  const auto empty_name = Nicknames::parse("a,b\nann,,annie\n", "nicks.csv");
  ASSERT_FALSE(empty_name.ok());
  EXPECT_EQ(empty_name.error().line(), 2);
  EXPECT_NE(empty_name.error().message().find("empty"), std::string::npos);

  const auto no_letters = Nicknames::parse("ann,123\n", "nicks.csv");
  ASSERT_FALSE(no_letters.ok());
  EXPECT_EQ(no_letters.error().line(), 1);
}

TEST(Nicknames, LoadsAFileAndReportsAnUnreadableOne) {
  const std::filesystem::path dir = testing::TempDir();
  const std::filesystem::path path = dir / "link_normalise_nicknames.csv";
  std::ofstream(path) << "# test\nfrederick,fred,freddie\n";
  const auto loaded = Nicknames::load(path.string());
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  EXPECT_TRUE(loaded->are_variants("fred", "frederick"));
  std::filesystem::remove(path);

  const auto missing = Nicknames::load((dir / "no-such-nicknames.csv").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Error::Code::kIoError);
  EXPECT_NE(missing.error().message().find("no-such-nicknames.csv"), std::string::npos);

  const auto directory = Nicknames::load(dir.string());
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error().code(), Error::Code::kIoError);
}

class ShippedNicknames : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = Nicknames::load(std::string(ONECHILD_CONFIG_DIR) + "/reference/nicknames.csv");
    ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
    nicknames_ = std::move(loaded).value();
  }
  static inline Nicknames nicknames_;
};

TEST_F(ShippedNicknames, IsBroad) {
  EXPECT_GE(nicknames_.group_count(), 300u);
}

TEST_F(ShippedNicknames, HoldsEveryPairTheSyntheticDataUses) {
  // Formal name -> the informal names synth writes for it.
  const std::vector<std::pair<std::string, std::vector<std::string>>> pairs = {
      {"Alexander", {"Alex", "Xander"}},
      {"Alexandra", {"Alex", "Lexi"}},
      {"Benjamin", {"Ben", "Benji"}},
      {"Christopher", {"Chris", "Kit"}},
      {"Daniel", {"Danny", "Dan"}},
      {"Edward", {"Eddie", "Ted"}},
      {"Elizabeth", {"Beth", "Lizzie"}},
      {"Frederick", {"Freddie", "Fred"}},
      {"Jacob", {"Jake"}},
      {"James", {"Jamie", "Jim"}},
      {"Jessica", {"Jess", "Jessie"}},
      {"Joseph", {"Joe", "Joey"}},
      {"Joshua", {"Josh"}},
      {"Katherine", {"Kate", "Katie"}},
      {"Matthew", {"Matt", "Matty"}},
      {"Michael", {"Mike", "Mikey"}},
      {"Nathaniel", {"Nate", "Nathan"}},
      {"Oliver", {"Ollie", "Olly"}},
      {"Rebecca", {"Becky", "Becca"}},
      {"Robert", {"Rob", "Bobby"}},
      {"Samuel", {"Sam", "Sammy"}},
      {"Samantha", {"Sam", "Sammie"}},
      {"Sophia", {"Sophie"}},
      {"Theodore", {"Theo", "Teddy"}},
      {"Thomas", {"Tom", "Tommy"}},
      {"William", {"Will", "Billy"}},
      {"Isabella", {"Bella", "Izzy"}},
      {"Isabelle", {"Izzy", "Belle"}},
      {"Charlotte", {"Lottie", "Charlie"}},
      {"Eleanor", {"Ellie", "Nell"}},
      {"Florence", {"Flo", "Florrie"}},
      {"Abigail", {"Abbie", "Abby"}},
      {"Harriet", {"Hattie", "Harry"}},
      {"Matilda", {"Tilly", "Tilda"}},
      {"Victoria", {"Vicky", "Tori"}},
      {"Gabriel", {"Gabe"}},
      {"Zachary", {"Zac", "Zach"}},
      {"Harrison", {"Harry", "Harri"}},
      {"Henry", {"Harry", "Hal"}},
      {"Evelyn", {"Evie", "Eve"}},
      {"Amelia", {"Millie", "Mia"}},
      {"Muhammad", {"Mohammed", "Mohammad"}},
      {"Mohammed", {"Muhammad", "Mohd"}},
      {"Oluwaseun", {"Seun"}},
      {"Aleksander", {"Olek", "Alek"}},
      {"Małgorzata", {"Gosia", "Małgosia"}}};
  for (const auto& [formal, informals] : pairs) {
    for (const std::string& informal : informals) {
      const std::string a = fold_name(formal), b = fold_name(informal);
      EXPECT_TRUE(nicknames_.are_variants(a, b)) << formal << " ~ " << informal;
      EXPECT_TRUE(nicknames_.are_variants(b, a)) << informal << " ~ " << formal;
    }
  }
}

TEST_F(ShippedNicknames, KeepsDistinctFormalNamesApart) {
  // Twins and siblings are given these pairs; linkage must not treat them as one name.
  const std::vector<std::pair<std::string, std::string>> apart = {
      {"alexander", "alexandra"},   {"samuel", "samantha"},   {"oliver", "olivia"},
      {"daniel", "danielle"},       {"george", "georgia"},    {"louis", "louisa"},
      {"christopher", "christine"}, {"nicholas", "nicola"},   {"julian", "julia"},
      {"francis", "frances"},       {"gabriel", "gabriella"}, {"henry", "harriet"},
      {"harrison", "harriet"},      {"edward", "theodore"},   {"charles", "charlotte"},
      {"isabella", "isabelle"},     {"jack", "jacob"},        {"alexis", "alexandra"}};
  for (const auto& [a, b] : apart)
    EXPECT_FALSE(nicknames_.are_variants(a, b)) << a << " ~ " << b;
}

}  // namespace
}  // namespace onechild::linkage
