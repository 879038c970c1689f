// `onechild audit verify|search|export`: the IG officer's view of the
// tamper-evident audit log (access/audit.h, docs/audit.md).
//
// Exit status: 0 success (verify: the chain is intact), 1 a user error or,
// for verify, a broken chain (each problem on its own line on stdout, a
// summary on stderr), 2 an internal error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onechild {

// Adds `audit` and its subcommands to `app`; the chosen one sets `action`.
void add_audit_commands(CLI::App& app, std::function<int()>& action);

}  // namespace onechild
