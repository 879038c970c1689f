// The population: households of one to four children with a mother, their
// homes and moves, and each child's identity, birth and (rarely) death.
//
// Work is planned up front (how many children each household has) so that
// households can then be generated independently, in any order, on any
// thread, and still give the same ICS.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "synth/model.h"
#include "synth/world.h"

namespace onechild::synth {

struct HouseholdPlan {
  int64_t ordinal = 0;
  int64_t first_child = 0;  // index of its first child
  int children = 1;
};

// Household sizes for `children` children in total: 1-4 children each
// (45%, 35%, 15%, 5%), the last household cut to fit.
std::vector<HouseholdPlan> plan_households(uint64_t seed, int64_t children);

// NHS numbers from the 999 test range, unique across children and mothers:
// a seeded permutation of every valid number in the range, children first.
class NhsNumbers {
 public:
  explicit NhsNumbers(uint64_t seed);
  static constexpr int64_t kCapacity = 909'091;  // valid numbers 999 000 000x-999 999 999x

  std::string child(int64_t index) const { return at(index); }
  std::string mother(int64_t children, int64_t household) const { return at(children + household); }

 private:
  std::string at(int64_t slot) const;
  std::vector<uint32_t> middles_;  // digits 4-9 of each number, permuted
};

struct Family {
  Household home;
  std::vector<Child> children;  // oldest first
};

// A household and its children: names, births (twins among them), homes and
// moves, arrival in the ICS, surname changes and deaths. Diagnoses and
// events come later (life.h).
Family make_family(const World& world, const HouseholdPlan& plan, const NhsNumbers& numbers,
                   int64_t total_children, uint64_t seed);

}  // namespace onechild::synth
