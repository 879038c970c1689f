// `onechild indicators`: the outcomes engine from the command line
// (analytics/engine.h): the indicator set with every breakdown, written to
// CSV or JSON and stored for the web app.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onechild {

// Adds the commands to `app`; the chosen one sets `action`.
void add_indicator_commands(CLI::App& app, std::function<int()>& action);

// `onechild indicators --db DB --reference DIR` for today, stored for the web
// app (the demo computes them so the outcomes pages have figures).
int store_indicators_for(const std::string& db, const std::string& reference);

}  // namespace onechild
