// Call and recall letters for families: one printable HTML document with a
// page per child, from a worklist's rows (an invitation for what is due, a
// reminder for what is overdue). Every value is HTML-escaped.
#pragma once

#include <string>
#include <vector>

#include "programmes/worklist.h"

namespace onechild {

struct LetterOptions {
  WorklistKind kind = WorklistKind::kImms;
  Date printed{};
  std::string service = "Child Health Information Service";
};

// Rows grouped by child, in the rows' order of first appearance.
std::string letters_html(const std::vector<WorklistRow>& rows, const LetterOptions& options);

}  // namespace onechild
