// `onechild access ...` and `onechild tokens ...`: recording what access
// control reads (relationships, caseload areas, family access, sensitivity
// labels, opt-outs, local authority contacts), checking a decision, and
// issuing API tokens. The functions are those in src/access/.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onechild {

void add_access_commands(CLI::App& app, std::function<int()>& action);

}  // namespace onechild
