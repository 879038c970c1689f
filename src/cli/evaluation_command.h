// `onechild evaluate`: the child health hub evaluation from the command line
// (analytics/evaluation.h): the difference-in-differences of hospital use
// before and after each hub started, printed or written to CSV or JSON.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onechild {

// Adds the command to `app`; choosing it sets `action`.
void add_evaluation_command(CLI::App& app, std::function<int()>& action);

}  // namespace onechild
