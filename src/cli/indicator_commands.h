// `onechild indicators`: the outcomes engine from the command line
// (analytics/engine.h): the indicator set with every breakdown, written to
// CSV or JSON and stored for the web app.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onechild {

// Adds the commands to `app`; the chosen one sets `action`.
void add_indicator_commands(CLI::App& app, std::function<int()>& action);

}  // namespace onechild
