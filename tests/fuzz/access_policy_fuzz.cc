// AccessPolicy::parse on arbitrary text: a policy or an error naming the
// file, never a crash. A policy it accepts keeps the promises access control
// relies on: every role's activities are known activities, every label a
// role sees exists, the clocks that limit access are above zero, and the
// family ages are in order.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "access/policy.h"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onechild;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = AccessPolicy::parse(text, "fuzz.toml");
  if (!policy.ok()) {
    check(policy.error().to_string().rfind("fuzz.toml", 0) == 0);
    return 0;
  }
  check(policy->session_hours > 0 && policy->break_glass_hours > 0);
  check(policy->lockout_failures > 0);
  check(policy->proxy_review_age <= policy->proxy_end_age);
  for (const auto& [id, role] : policy->roles) {
    check(id == role.id && !role.name.empty());
    check(policy->role(id) == &role);
    for (const auto& activity : role.activities) {
      check(policy->activity_names.contains(activity));
      check(policy->permits(id, activity));
    }
    for (const auto& label : role.sees) {
      bool known = false;
      for (const auto& l : policy->labels)
        known = known || l.id == label;
      check(known);
      check(policy->role_sees(id, label));
    }
  }
  check(!policy->permits("no such role", "view-record"));
  return 0;
}
