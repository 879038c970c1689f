// Reference data the outcomes engine breaks figures down by: postcode ->
// LSOA -> IMD decile and local authority (geography.csv, postcodes.csv) and
// GP practice -> PCN, child health hub start (organisations.csv). The files
// are the shapes `onechild synth` writes to DIR/reference; real ONS and ODS
// extracts in the same columns replace them (docs/indicators.md §2).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/error.h"

namespace onechild {

struct Lsoa {
  int imd_decile = 0;  // 1 = most deprived 10% of England; 0 unknown
  std::string local_authority;
};

struct Organisation {
  std::string code, name, type;  // type: "gp-practice", "pcn", "local-authority", ...
  std::string parent;            // a practice's PCN
  std::string local_authority;
  std::optional<Date> hub_from;  // a practice in a child health hub from this date
};

class AreaReference {
 public:
  // dir/geography.csv, dir/postcodes.csv, dir/organisations.csv. A missing
  // or malformed file is an error naming the file and line.
  static Result<AreaReference> load(const std::string& dir);

  // The LSOA of a postcode, whatever its case and spacing.
  const Lsoa* lsoa_of_postcode(std::string_view postcode) const;
  const Organisation* organisation(std::string_view code) const;
  // Names for codes (local authorities, PCNs, practices); the code if unknown.
  std::string name_of(std::string_view code) const;
  const std::map<std::string, Organisation, std::less<>>& organisations() const { return orgs_; }

 private:
  std::map<std::string, Lsoa, std::less<>> lsoas_;
  std::map<std::string, std::string, std::less<>> postcode_lsoa_;  // normalised postcode
  std::map<std::string, std::string, std::less<>> la_names_;
  std::map<std::string, Organisation, std::less<>> orgs_;
};

// Upper case, no spaces: "nb1 4en" -> "NB14EN".
std::string normalise_postcode(std::string_view postcode);

}  // namespace onechild
