// `onechild export`: the FHIR Bulk Data export without the server
// (api/fhir/bulk_export.h): every child's record as NDJSON files, one per
// resource type, and a manifest.json, optionally pseudonymised for analysts.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onechild {

// Adds the command to `app`; choosing it sets `action`.
void add_export_command(CLI::App& app, std::function<int()>& action);

}  // namespace onechild
