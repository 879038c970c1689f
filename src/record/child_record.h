// The integrated child record: one child's identity and events gathered from
// every source that has been linked to them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/nhs_number.h"
#include "store/database.h"

namespace onechild {

// One source's view of who the child is, as that source sent it.
struct SourceIdentity {
  std::string source;  // source system code, e.g. "gp"
  std::string original_id;
  std::optional<std::string> given_name, family_name, birth_date, sex, postcode;
  std::optional<std::string> ethnic_category;  // Data Dictionary code
};

struct RecordEvent {
  std::string source;
  std::string kind;  // "immunisation", "social-care-episode", "encounter", "condition",
                     // "observation", "care-plan", "service-request"
  std::string start_date;
  std::optional<std::string> end_date;
  std::optional<std::string> code_system, code, display, status;
  std::optional<std::string> value;  // e.g. "112.4 cm"; a referral's reason
  int64_t id = 0;                    // source_events.id: stable, for FHIR ids and labels
};

struct ChildRecord {
  int64_t child_id = 0;
  std::optional<std::string> nhs_number;
  std::vector<SourceIdentity> identities;  // ordered by source code
  std::vector<RecordEvent> events;         // newest first

  // The name and birth date to show: the first source that has them.
  std::string display_name() const;
  std::optional<std::string> birth_date() const;
};

// The child whose records carry this NHS number (mostly, else at all), if any.
Result<std::optional<int64_t>> find_child_by_nhs_number(Database& db, const NhsNumber& nhs);

// A merged child's id loads the child it was merged into (child_id says which).
Result<ChildRecord> load_child_record(Database& db, int64_t child_id);

}  // namespace onechild
