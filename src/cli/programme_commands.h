// `onechild worklist` and `onechild programmes status`: who is due or
// overdue, and one child's schedule, from the command line (the same
// functions the JSON API calls; programmes/worklist.h).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onechild {

// Adds the commands to `app`; the chosen one sets `action`.
void add_programme_commands(CLI::App& app, std::function<int()>& action);

}  // namespace onechild
