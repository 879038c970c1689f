// `onechild link review|merge|unmerge|history`: a data manager's decisions
// on the master child index from the command line (the same functions the
// web API calls; link/review.h).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onechild {

// Adds the subcommands to `link`; the chosen one sets `action`.
void add_review_commands(CLI::App& link, std::function<int()>& action);

}  // namespace onechild
