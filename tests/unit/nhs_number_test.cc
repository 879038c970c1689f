#include "core/nhs_number.h"

#include <gtest/gtest.h>

namespace onechild {
namespace {

TEST(NhsNumber, AcceptsValidNumber) {
  auto nhs = NhsNumber::parse("9434765919");
  ASSERT_TRUE(nhs.ok()) << nhs.error().to_string();
  EXPECT_EQ(nhs->digits(), "9434765919");
  EXPECT_EQ(nhs->formatted(), "943 476 5919");
}

TEST(NhsNumber, AcceptsSpacesAndDashesInStandardGrouping) {
  EXPECT_TRUE(NhsNumber::parse("943 476 5919").ok());
  EXPECT_TRUE(NhsNumber::parse("943-476-5919").ok());
  EXPECT_TRUE(NhsNumber::parse("  943 476 5919 ").ok());
  EXPECT_EQ(NhsNumber::parse("943-476-5919")->digits(), "9434765919");
}

TEST(NhsNumber, RejectsSeparatorsOutsideGrouping) {
  EXPECT_FALSE(NhsNumber::parse("94 34765919").ok());
  EXPECT_FALSE(NhsNumber::parse("943 476-5919").ok());  // mixed separators
  EXPECT_FALSE(NhsNumber::parse("943  476 5919").ok());
  EXPECT_FALSE(NhsNumber::parse("943.476.5919").ok());
}

TEST(NhsNumber, RejectsWrongCheckDigit) {
  auto nhs = NhsNumber::parse("9434765918");
  ASSERT_FALSE(nhs.ok());
  EXPECT_NE(nhs.error().message().find("check digit"), std::string::npos);
}

TEST(NhsNumber, RejectsAdjacentTransposition) {
  EXPECT_FALSE(NhsNumber::parse("9434765991").ok());  // 19 -> 91
  EXPECT_FALSE(NhsNumber::parse("4934765919").ok());  // 94 -> 49
}

TEST(NhsNumber, CheckDigitTenMeansNoValidNumber) {
  // 1000000010: weighted sum of the first nine digits is 10*1 + 2*1 = 12;
  // 12 mod 11 = 1; 11 - 1 = 10: no check digit can make it valid.
  EXPECT_EQ(NhsNumber::check_digit("100000001"), -1);
  for (char last = '0'; last <= '9'; ++last) {
    auto nhs = NhsNumber::parse(std::string("100000001") + last);
    ASSERT_FALSE(nhs.ok());
  }
  EXPECT_NE(NhsNumber::parse("1000000010").error().message().find("10"), std::string::npos);
}

TEST(NhsNumber, CheckDigitElevenMeansZero) {
  // 0,1,0,0,0,0,0,0,1: 9*1 + 2*1 = 11; 11 mod 11 = 0; 11 - 0 = 11, which means 0.
  EXPECT_EQ(NhsNumber::check_digit("010000001"), 0);
  EXPECT_TRUE(NhsNumber::parse("0100000010").ok());
  EXPECT_FALSE(NhsNumber::parse("0100000011").ok());
}

TEST(NhsNumber, RejectsWrongLength) {
  EXPECT_FALSE(NhsNumber::parse("943476591").ok());
  EXPECT_FALSE(NhsNumber::parse("94347659190").ok());
  EXPECT_FALSE(NhsNumber::parse("").ok());
  EXPECT_FALSE(NhsNumber::parse("   ").ok());
  EXPECT_NE(NhsNumber::parse("943476591").error().message().find("10 digits"), std::string::npos);
}

TEST(NhsNumber, RejectsLettersAndSymbols) {
  EXPECT_FALSE(NhsNumber::parse("943476591X").ok());
  EXPECT_FALSE(NhsNumber::parse("+9434765919").ok());
}

TEST(NhsNumber, RejectsOneRepeatedDigit) {
  // 0000000000 passes the arithmetic but is never issued.
  EXPECT_EQ(NhsNumber::check_digit("000000000"), 0);
  for (char d = '0'; d <= '9'; ++d) {
    EXPECT_FALSE(NhsNumber::parse(std::string(10, d)).ok()) << d;
  }
}

}  // namespace
}  // namespace onechild
