// What every onechild command shares: how an error becomes one line on
// stderr and an exit status (DESIGN §5).
#pragma once

#include <cstdio>

#include "core/error.h"

namespace onechild {

// 1 for a user error (bad arguments, unreadable input), 2 for an internal one.
inline int fail(const Error& error) {
  std::fprintf(stderr, "onechild: %s\n", error.to_string().c_str());
  return error.is_user_error() ? 1 : 2;
}

}  // namespace onechild
