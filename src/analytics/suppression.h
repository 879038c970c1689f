// Disclosure control for published tables (docs/indicators.md §4). A cell
// whose count falls in the rule's range is hidden (primary suppression);
// then, wherever cells add up to a shown total, enough further cells are
// hidden that no hidden count can be derived by subtraction (secondary
// suppression). Hidden cells are marked, never shown as zero.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace onechild {

struct SuppressionRule {
  // Hide numerators in [min, max]; 0, 0 turns it off (a zero is never hidden
  // by the default: it says nothing about anyone).
  int64_t numerator_min = 1, numerator_max = 7;
  // Hide cells whose denominator is in [min, max] (immunisation coverage: 1-2);
  // 0, 0 turns it off.
  int64_t denominator_min = 0, denominator_max = 0;
};

enum class Suppressed : uint8_t { kNo, kPrimary, kSecondary };
std::string_view suppressed_name(Suppressed s);  // "", "primary", "secondary"

struct TableCell {
  int64_t numerator = 0;
  int64_t denominator = 0;
  Suppressed suppressed = Suppressed::kNo;
};

// An additive relation: cells[total] == sum of cells[parts] (counts of the
// same indicator and period). A breakdown's cells against the whole
// population, or practices against their PCN.
struct Additive {
  size_t total;
  std::vector<size_t> parts;
};

// Marks cells. Primary by the rule; then, until nothing changes, any
// relation with exactly one hidden member (total or part) hides the
// remaining member with the smallest numerator (ties: the lowest index),
// preferring a part to the total.
void suppress(std::vector<TableCell>& cells, const std::vector<Additive>& relations,
              const SuppressionRule& rule);

}  // namespace onechild
