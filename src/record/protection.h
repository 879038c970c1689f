// Child protection information where it is needed (CP-IS): a child on a
// child protection plan, looked after, or an unborn child on a pre-birth
// plan (shown on the mother's record) carries a flag with the plan, its
// dates and the responsible local authority's contacts. Flags come from the
// social care feeds' episodes; the authority from which feed sent them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/error.h"
#include "record/child_record.h"
#include "store/database.h"

namespace onechild {

struct LocalAuthorityContact {
  std::string code, name, office_hours_phone, out_of_hours_phone, email;
};

struct ProtectionFlag {
  std::string kind;   // "child-protection-plan" | "looked-after" | "unborn-child-protection-plan"
  std::string title;  // "Child protection plan"
  std::string category;  // e.g. the category of abuse, the legal status
  std::string start;
  std::optional<std::string> end;  // planned or actual end, when known
  std::string source;              // the feed that sent it
  int64_t event_id = 0;
  std::optional<LocalAuthorityContact> local_authority;  // unknown feed: none
};

// The flags in force on `today`, most serious first (protection plans, then
// looked after).
Result<std::vector<ProtectionFlag>> protection_flags(Database& db, const ChildRecord& record,
                                                     Date today);

// Loads local_authorities.csv (code,name,social_care_source,office_hours_phone,
// out_of_hours_phone,email) into the store, replacing what was there.
Status load_local_authorities(Database& db, const std::string& csv_path);

}  // namespace onechild
