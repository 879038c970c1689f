// The reference data the outcomes engine breaks figures down by (postcode ->
// LSOA -> IMD decile and local authority; practice -> PCN and hub start),
// and the ESP2013 standard population: a good tiny set loads into what it
// says, and each malformed file is refused naming the file and the line.
#include "analytics/area_reference.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "analytics/engine.h"
#include "support/temp_dir.h"

namespace onechild {
namespace {

using testing::TempDir;

const std::string kGeography =
    "lsoa_code,lsoa_name,imd_decile,ward_code,local_authority_code,local_authority_name\n"
    "E01000001,Northbridge 001A,1,E05000001,E06000001,Northbridge\n"
    "E01000002,Easthaven 001A,10,E05000002,E06000002,Easthaven\n";
const std::string kPostcodes =
    "postcode,lsoa_code,ward_code\n"
    "NB1 4EN,E01000001,E05000001\n"
    "eh12ab,E01000002,E05000002\n";
const std::string kOrganisations =
    "code,name,type,parent_code,local_authority_code,child_health_hub_from\n"
    "E06000001,Northbridge Council,local-authority,,E06000001,\n"
    "U90001,Northbridge PCN 1,pcn,,E06000001,\n"
    "N90001,Northbridge Medical Practice 1,gp-practice,U90001,E06000001,2024-11-24\n"
    "N90002,\"Practice 2, The Green\",gp-practice,U90001,E06000001,\n";

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

// A reference directory with the good files, one of them replaced.
class Reference {
 public:
  Reference(const std::string& geography = kGeography, const std::string& postcodes = kPostcodes,
            const std::string& organisations = kOrganisations) {
    write(dir_.path() / "geography.csv", geography);
    write(dir_.path() / "postcodes.csv", postcodes);
    write(dir_.path() / "organisations.csv", organisations);
  }
  std::string dir() const { return dir_.path().string(); }
  std::string file(const std::string& name) const { return dir_.file(name); }
  Result<AreaReference> load() const { return AreaReference::load(dir()); }

 private:
  TempDir dir_;
};

Date ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

TEST(AreaReference, LoadsATinyReference) {
  const Reference r;
  auto ref = r.load();
  ASSERT_TRUE(ref.ok()) << ref.error().to_string();

  // Postcodes whatever their case and spacing, as written in either form.
  for (const char* postcode : {"NB1 4EN", "nb1 4en", "NB14EN", " nb1  4En ", "EH1 2AB", "eh12ab"}) {
    const Lsoa* l = ref->lsoa_of_postcode(postcode);
    ASSERT_NE(l, nullptr) << postcode;
  }
  EXPECT_EQ(ref->lsoa_of_postcode("nb1 4en")->imd_decile, 1);
  EXPECT_EQ(ref->lsoa_of_postcode("nb1 4en")->local_authority, "E06000001");
  EXPECT_EQ(ref->lsoa_of_postcode("EH1 2AB")->imd_decile, 10);
  EXPECT_EQ(ref->lsoa_of_postcode("EH1 2AB")->local_authority, "E06000002");
  EXPECT_EQ(ref->lsoa_of_postcode("NB1 4EX"), nullptr);
  EXPECT_EQ(ref->lsoa_of_postcode(""), nullptr);
  EXPECT_EQ(normalise_postcode(" nb1  4en "), "NB14EN");

  // Organisations: the hub start parsed, the parent kept.
  ASSERT_EQ(ref->organisations().size(), 4u);
  const Organisation* p1 = ref->organisation("N90001");
  ASSERT_NE(p1, nullptr);
  EXPECT_EQ(p1->type, "gp-practice");
  EXPECT_EQ(p1->parent, "U90001");
  EXPECT_EQ(p1->local_authority, "E06000001");
  ASSERT_TRUE(p1->hub_from.has_value());
  EXPECT_EQ(*p1->hub_from, ymd(2024, 11, 24));
  const Organisation* p2 = ref->organisation("N90002");
  ASSERT_NE(p2, nullptr);
  EXPECT_FALSE(p2->hub_from.has_value());
  EXPECT_EQ(p2->name, "Practice 2, The Green");
  EXPECT_EQ(ref->organisation("N99999"), nullptr);

  // Names: organisations first, then local authorities from geography.csv,
  // else the code itself.
  EXPECT_EQ(ref->name_of("U90001"), "Northbridge PCN 1");
  EXPECT_EQ(ref->name_of("E06000001"), "Northbridge Council");
  EXPECT_EQ(ref->name_of("E06000002"), "Easthaven");
  EXPECT_EQ(ref->name_of("Z99"), "Z99");
}

TEST(AreaReference, ColumnsInAnyOrderAndWindowsLineEndings) {
  const Reference r(
      "local_authority_name,local_authority_code,imd_decile,lsoa_code\r\n"
      "Northbridge,E06000001,4,E01000001\r\n",
      "lsoa_code,postcode\r\nE01000001,NB1 4EN\r\n",
      "child_health_hub_from,local_authority_code,parent_code,type,name,code\r\n"
      "2025-01-31,E06000001,U1,gp-practice,P,N1\r\n");
  auto ref = r.load();
  ASSERT_TRUE(ref.ok()) << ref.error().to_string();
  ASSERT_NE(ref->lsoa_of_postcode("NB14EN"), nullptr);
  EXPECT_EQ(ref->lsoa_of_postcode("NB14EN")->imd_decile, 4);
  ASSERT_NE(ref->organisation("N1"), nullptr);
  EXPECT_EQ(ref->organisation("N1")->hub_from, ymd(2025, 1, 31));
}

// The load fails and the message is exactly this.
void expect_refused(const Reference& r, const std::string& expect) {
  auto ref = r.load();
  ASSERT_FALSE(ref.ok()) << "accepted; expected " << expect;
  EXPECT_EQ(ref.error().message(), expect);
}

TEST(AreaReference, MissingFileNamesTheFile) {
  for (const char* name : {"geography.csv", "postcodes.csv", "organisations.csv"}) {
    const Reference r;
    std::filesystem::remove(r.file(name));
    auto ref = r.load();
    ASSERT_FALSE(ref.ok()) << name;
    EXPECT_EQ(ref.error().code(), Error::Code::kIoError);
    EXPECT_EQ(ref.error().message(), "cannot read reference file " + r.file(name));
  }
}

TEST(AreaReference, EmptyFileOrMissingColumnNamesTheFile) {
  {
    const Reference r("");
    expect_refused(r, r.file("geography.csv") + ": no header row");
  }
  {
    const Reference r(
        "lsoa_code,lsoa_name,local_authority_code,local_authority_name\n"
        "E01000001,Northbridge 001A,E06000001,Northbridge\n");
    expect_refused(r, r.file("geography.csv") + ": no column 'imd_decile'");
  }
  {
    const Reference r(kGeography, "postcode,lsoa\nNB1 4EN,E01000001\n");
    expect_refused(r, r.file("postcodes.csv") + ": no column 'lsoa_code'");
  }
  {
    const Reference r(kGeography, kPostcodes,
                      "code,name,type,parent_code,local_authority_code\n"
                      "U90001,Northbridge PCN 1,pcn,,E06000001\n");
    expect_refused(r, r.file("organisations.csv") + ": no column 'child_health_hub_from'");
  }
}

TEST(AreaReference, WrongFieldCountNamesFileAndLine) {
  {
    const Reference r(kGeography + "E01000003,Westmoor 001A,3,E05000003,E06000003\n");
    expect_refused(r, r.file("geography.csv") + " line 4: 5 fields, the header has 6");
  }
  {
    const Reference r(kGeography, "postcode,lsoa_code,ward_code\nNB1 4EN,E01000001,E05000001,X\n");
    expect_refused(r, r.file("postcodes.csv") + " line 2: 4 fields, the header has 3");
  }
  {
    const Reference r(kGeography, kPostcodes, kOrganisations + "N90003,Practice 3\n");
    expect_refused(r, r.file("organisations.csv") + " line 6: 2 fields, the header has 6");
  }
  {
    // A quoted field left open is a malformed record, on the line it starts.
    const Reference r(kGeography, kPostcodes, kOrganisations + "N90003,\"Practice 3,gp\n");
    auto ref = r.load();
    ASSERT_FALSE(ref.ok());
    EXPECT_TRUE(ref.error().message().starts_with(r.file("organisations.csv") + " line 6: "))
        << ref.error().message();
  }
}

TEST(AreaReference, ImdDecileMustBeOneToTen) {
  for (const char* decile : {"0", "11", "x", "", "-1", "1.5", " 3", "100", "010"}) {
    const Reference r(kGeography + "E01000003,Westmoor 001A," + decile +
                      ",E05000003,E06000003,Westmoor\n");
    expect_refused(r, r.file("geography.csv") + " line 4: imd_decile '" + decile +
                          "' is not a decile from 1 to 10");
  }
  const Reference r(kGeography + "E01000003,Westmoor 001A,05,E05000003,E06000003,Westmoor\n");
  auto ref = r.load();
  ASSERT_TRUE(ref.ok()) << ref.error().to_string();
}

TEST(AreaReference, PostcodeOfAnUnknownLsoaIsRefused) {
  const Reference r(kGeography, kPostcodes + "WM1 1AA,E01999999,E05000003\n");
  expect_refused(r, r.file("postcodes.csv") + " line 4: LSOA 'E01999999' is not in geography.csv");
}

TEST(AreaReference, HubDateMustBeADate) {
  for (const char* date : {"24/11/2024", "2024-13-01", "2023-02-29", "2024-1-5", "soon"}) {
    const Reference r(
        kGeography, kPostcodes,
        kOrganisations + "N90003,Practice 3,gp-practice,U90001,E06000001," + date + "\n");
    expect_refused(r, r.file("organisations.csv") + " line 6: child_health_hub_from '" + date +
                          "' is not a date (YYYY-MM-DD)");
  }
}

// --- The standard population (config/reference/esp2013.csv) --------------------

class StandardPopulation : public ::testing::Test {
 protected:
  Result<std::vector<double>> load(const std::string& text) {
    write(path_, text);
    return load_standard_population(path_);
  }
  void expect_refused(const std::string& text, const std::string& expect) {
    auto w = load(text);
    ASSERT_FALSE(w.ok()) << "accepted:\n" << text;
    EXPECT_EQ(w.error().message(), expect) << text;
  }
  TempDir dir_;
  const std::string path_ = dir_.file("esp.csv");
};

TEST_F(StandardPopulation, ShippedFileGivesTheFiveYoungestBands) {
  auto w = load_standard_population(ONECHILD_CONFIG_DIR "/reference/esp2013.csv");
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  EXPECT_EQ(*w, (std::vector<double>{5000, 5500, 5500, 5500, 6000}));
}

const std::string kFive =
    "age_band,weight\n0-4,5000\n5-9,5500\n10-14,5500\n15-19,5500\n20-24,6000\n";

TEST_F(StandardPopulation, FiveBandsAreEnough) {
  auto w = load(kFive);
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  EXPECT_EQ(*w, (std::vector<double>{5000, 5500, 5500, 5500, 6000}));
  w = load("age_band,weight\r\n0-4,1.5\r\n5-9,2\r\n10-14,3\r\n15-19,4\r\n20-24,5e3\r\n");
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  EXPECT_EQ(*w, (std::vector<double>{1.5, 2, 3, 4, 5000}));
}

TEST_F(StandardPopulation, MalformedFilesNameTheLine) {
  expect_refused("", path_ + ": the header must be age_band,weight");
  expect_refused("band,weight\n0-4,5000\n", path_ + ": the header must be age_band,weight");
  expect_refused("age_band,weight,notes\n0-4,5000,x\n",
                 path_ + ": the header must be age_band,weight");
  expect_refused("age_band,weight\n0-4,5000\n5-10,5500\n",
                 path_ + " line 3: expected the band 5-9");
  expect_refused("age_band,weight\n5-9,5500\n", path_ + " line 2: expected the band 0-4");
  expect_refused("age_band,weight\n0-4,5000,1\n", path_ + " line 2: expected age_band,weight");
  expect_refused("age_band,weight\n0-4\n", path_ + " line 2: expected age_band,weight");
  // Infinity was once taken for a weight: the rates standardised with it are NaN.
  for (const std::string weight :
       {"0", "-5000", "x", "", "5000x", "nan", "0x", "inf", "-inf", "infinity", "1e999"}) {
    expect_refused(std::string("age_band,weight\n0-4,5000\n5-9,") + weight + "\n",
                   path_ + " line 3: weight '" + weight + "' is not a positive number");
  }
  expect_refused("age_band,weight\n0-4,5000\n5-9,5500\n10-14,5500\n15-19,5500\n",
                 path_ + ": fewer than the five bands 0-4 .. 20-24");
  expect_refused("age_band,weight\n", path_ + ": fewer than the five bands 0-4 .. 20-24");
}

TEST_F(StandardPopulation, MissingFileIsAnIoError) {
  auto w = load_standard_population(dir_.file("none.csv"));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code(), Error::Code::kIoError);
  EXPECT_EQ(w.error().message(), "cannot read the standard population " + dir_.file("none.csv"));
}

}  // namespace
}  // namespace onechild
