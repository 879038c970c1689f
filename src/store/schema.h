// The numbered schema migrations. Migration i (1-based) brings a database
// from user_version i-1 to i. Append only: a released migration never changes.
#pragma once

#include <span>
#include <string_view>

namespace onechild {

std::span<const std::string_view> schema_migrations();

}  // namespace onechild
