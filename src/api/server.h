// The web application server: HTML pages for people, on Boost.Beast.
//
// Every page that shows a child needs an authenticated session, and every
// view of a child's record writes an audit row.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/error.h"

namespace onechild {

struct ServerOptions {
  std::string db_path;
  std::string host = "127.0.0.1";
  uint16_t port = 8080;       // 0 picks any free port
  std::string web_dir;        // built assets (web/dist); empty = the build's default
  std::string reference_dir;  // the ICS's area reference, for case-finding deprivation
  bool warm = true;           // build the page caches in the background at start-up
  int threads = 2;
};

// Serves until SIGINT/SIGTERM. on_ready is called once the socket listens,
// with the port actually bound (useful when options.port is 0).
Status serve(const ServerOptions& options, const std::function<void(uint16_t port)>& on_ready);

}  // namespace onechild
