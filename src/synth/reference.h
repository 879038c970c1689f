// The synthetic ICS's places and organisations: one ICB, 2-4 local
// authorities ("places"), wards, LSOAs with IMD deciles, postcodes, GP
// practices in PCNs (some in a child health hub), trusts and schools.
// Codes follow the real formats (ONS E01/E05/E06/E54, ODS, URN) but name
// nothing real. Written to DIR/reference/ as the CSVs DESIGN §5 describes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/error.h"
#include "synth/random.h"

namespace onechild::synth {

// A postcode and the street it covers: a real postcode is a part of a street
// with about fifteen addresses.
struct Postcode {
  std::string code;  // "NB3 4QT"
  std::string street;
};

struct Lsoa {
  std::string code;  // E01xxxxxx
  std::string name;
  int imd_decile;  // 1 = most deprived 10% of England
  int place;       // index into Reference::places
  std::string ward_code, ward_name;
  std::string postcode_district;    // e.g. "NB3"
  std::vector<Postcode> postcodes;  // unique in the ICS
};

struct Place {
  std::string code;  // local authority, E06xxxxxx
  std::string name;
  int la_number;  // the DfE three-digit LA number that starts its pupils' UPNs
};

struct Organisation {
  std::string code;  // ODS code (URN for schools)
  std::string name;
  std::string type;              // "gp-practice", "pcn", "acute-trust", "community-trust",
                                 // "mental-health-trust", "local-authority",
                                 // "school-primary", "school-secondary"
  std::string parent_code;       // a practice's PCN; empty otherwise
  int place = -1;                // the place it serves, -1 for ICS-wide
  std::optional<Date> hub_from;  // practices in a child health hub, from this date
};

struct Reference {
  std::string icb_code, icb_ods, icb_name;
  std::vector<Place> places;
  std::vector<Lsoa> lsoas;
  std::vector<Organisation> organisations;

  // Organisations of one type in one place (or ICS-wide when place is -1).
  std::vector<const Organisation*> of_type(const std::string& type, int place = -1) const;
};

// Sized for a population of `children`: about one LSOA per 300 children.
Reference make_reference(Random& rng, int64_t children, Date as_of);

// Writes DIR/reference/geography.csv, DIR/reference/postcodes.csv (postcode
// to LSOA, as the ONS postcode directory) and DIR/reference/organisations.csv.
Status write_reference(const Reference& reference, const std::string& dir);

}  // namespace onechild::synth
