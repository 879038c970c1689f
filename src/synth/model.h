// The hidden truth of the synthetic ICS: who each child and family really
// is, where they lived and what was diagnosed. Feeds are views of this
// truth, with the errors each organisation makes; truth/ writes it out so
// linkage and figures can be measured exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"

namespace onechild::synth {

enum class Sex : uint8_t { kMale, kFemale };

// The naming tradition a family's names are drawn from, chosen from its
// ethnic category: it decides the first-name and surname tables.
enum class NameOrigin : uint8_t {
  kBritish,
  kIrish,
  kEastEuropean,
  kSouthAsianMuslim,
  kIndian,
  kBlackAfrican,
  kBlackCaribbean,
  kChinese,
};

// Where a family lived from a date: an LSOA, one of its postcodes, a house
// number, and the GP practice they were registered with while there.
struct Address {
  Date from;
  int lsoa = 0;      // index into Reference::lsoas
  int postcode = 0;  // index into that LSOA's postcodes
  int house_number = 1;
  std::string practice;  // ODS code
};

struct Adult {
  std::string person_id;  // "M0000001"
  std::string nhs_number;
  std::string given_name, family_name;
  Date birth_date;
};

struct Household {
  int64_t ordinal = 0;  // 0-based, in generation order
  std::string family_name;
  NameOrigin origin = NameOrigin::kBritish;
  char ethnic_category = 'A';
  // Family circumstances beyond area deprivation (standard normal): raises
  // social care involvement, missed appointments and unscheduled care
  // together, as they cluster in real families.
  double vulnerability = 0;
  Adult mother;
  std::vector<Address> addresses;  // oldest first; moves over time

  const Address& address_at(Date date) const;
};

enum class Condition : uint8_t { kAsthma, kType1Diabetes, kEpilepsy, kAutism, kAdhd };
inline constexpr int kConditionCount = 5;

struct Diagnosis {
  Condition condition;
  Date first_presentation;  // first contact about it (referral, first seizure)
  Date diagnosed;
};

struct Child {
  int64_t index = 0;      // 0-based, in generation order
  std::string person_id;  // "P0000001"
  std::string nhs_number;
  std::string given_name;
  std::string family_name;  // current, as the GP knows it
  // A surname the child was known by before `surname_changed` (a family
  // change or an adoption); feeds last updated before then still carry it.
  std::string earlier_family_name;
  std::optional<Date> surname_changed;
  Sex sex = Sex::kFemale;
  char ethnic_category = 'A';
  Date birth_date;
  Date arrived;  // in the ICS from this date (the birth date for most)
  std::optional<Date> died;
  bool twin = false;
  int birth_order = 1;  // 2 for the second of twins
  int gestation_days = 280;
  int birth_weight_grams = 3400;
  // How readily the family takes up what is offered (standard normal):
  // immunisations and reviews are missed together.
  double engagement = 0;
  std::vector<Diagnosis> diagnoses;

  const std::string& family_name_at(Date date) const;
  bool alive_on(Date date) const;
  bool in_ics_on(Date date) const;  // arrived and alive
  const Diagnosis* diagnosis(Condition condition) const;
};

}  // namespace onechild::synth
