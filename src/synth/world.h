// The synthetic ICS's fixed surroundings: places, LSOAs and organisations,
// the dates that bound each kind of record, and the lookups every
// household and child draw from. Built once, then read by all workers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "synth/model.h"
#include "synth/reference.h"
#include "synth/synth.h"

namespace onechild::synth {

struct World {
  World(Reference reference, const SynthOptions& options);

  Reference reference;
  Date as_of;
  // Hospital, GP consultation, mental health and school census extracts
  // cover the last `history_years`; community (health visiting, school
  // nursing) records start ten years back; immunisations, diagnoses,
  // social care and EHC plans go back to birth.
  Date history_from;
  Date community_from;
  double hub_effect;  // relative change in ED attendances and outpatients after a hub starts

  std::vector<std::vector<int>> lsoas_by_place;  // indices into reference.lsoas
  std::vector<std::vector<const Organisation*>> practices_by_place, primaries_by_place,
      secondaries_by_place;

  // +1 in the most deprived decile, -1 in the least: the scale on which
  // deprivation moves every rate.
  double deprivation(int lsoa) const {
    return (5.5 - reference.lsoas[static_cast<size_t>(lsoa)].imd_decile) / 4.5;
  }
  int place_of(int lsoa) const { return reference.lsoas[static_cast<size_t>(lsoa)].place; }
  // The postcode (and street) of a home.
  const Postcode& postcode(const Address& home) const {
    return reference.lsoas[static_cast<size_t>(home.lsoa)]
        .postcodes[static_cast<size_t>(home.postcode)];
  }
  // The date a practice joined a child health hub, if it did.
  std::optional<Date> hub_from(const std::string& practice) const;
  const Organisation& acute_trust() const { return *acute_; }
  const Organisation& community_trust() const { return *community_; }

 private:
  std::map<std::string, std::optional<Date>> hub_from_;
  const Organisation* acute_ = nullptr;
  const Organisation* community_ = nullptr;
};

}  // namespace onechild::synth
