// Finding a child by name and date of birth, as a clinician types them:
// tolerant of typos in either name ("Jonh Smiht"), of given and family name
// swapped, of nicknames' spelling, and of the date's day and month swapped
// or a day out. Candidates come from the birth-date index, so a search reads
// a few hundred rows however large the ICS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/error.h"
#include "store/database.h"

namespace onechild {

struct ChildMatch {
  int64_t child_id = 0;
  std::string given_name, family_name, birth_date;  // as the best-matching source has them
  std::optional<std::string> nhs_number, postcode;
  double score = 0;         // 0..1: how closely the names and date match
  bool exact_date = false;  // the date matched as typed
  std::string sources;      // "gp, community"
};

struct ChildSearch {
  std::string given_name, family_name;
  Date birth_date{};
  size_t limit = 20;
  double min_score = 0.8;  // below this a candidate is not offered
};

// Best matches first. InvalidArgument when both names are blank.
Result<std::vector<ChildMatch>> find_children_by_name(Database& db, const ChildSearch& search);

// The dates a typed date of birth may have meant: itself, day and month
// swapped (when that is a date), and a day either side.
std::vector<Date> plausible_birth_dates(Date typed);

}  // namespace onechild
