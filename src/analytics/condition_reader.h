// Internal to src/analytics: reads one condition table ({ when = ..., any =
// [...] }) as indicator definitions, vulnerable groups and case-finding lists
// write it, so the three files share one syntax and one set of messages.
#pragma once

#include <toml++/toml.h>

#include <string>

#include "analytics/indicator_definition.h"

namespace onechild {

// Unknown keys are refused; errors read "origin: where: what".
Result<Condition> read_condition(const toml::table& t, const std::string& origin,
                                 const std::string& where);

}  // namespace onechild
