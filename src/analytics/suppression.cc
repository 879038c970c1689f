#include "analytics/suppression.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <queue>
#include <span>

namespace onechild {
namespace {

constexpr size_t kNone = std::numeric_limits<size_t>::max();

bool in_range(int64_t v, int64_t lo, int64_t hi) {
  return lo <= v && v <= hi;
}

bool is_hidden(const TableCell& c) {
  return c.suppressed != Suppressed::kNo;
}

bool breaks_rule(const TableCell& c, const SuppressionRule& rule) {
  // 0, 0 is the header's "off" switch, not a range that hides denominators of 0.
  const bool check_numerator = rule.numerator_min != 0 || rule.numerator_max != 0;
  const bool check_denominator = rule.denominator_min != 0 || rule.denominator_max != 0;
  return (check_numerator && in_range(c.numerator, rule.numerator_min, rule.numerator_max)) ||
         (check_denominator && in_range(c.denominator, rule.denominator_min, rule.denominator_max));
}

// Cells the caller already hid stay hidden (and count for secondary
// suppression): a caller may withhold a cell for reasons of its own.
void mark_primary(std::vector<TableCell>& cells, const SuppressionRule& rule) {
  for (TableCell& c : cells) {
    if (breaks_rule(c, rule)) c.suppressed = Suppressed::kPrimary;
  }
}

// A relation reduced to its distinct members. A cell listed twice is still
// one unknown: counted twice, a lone hidden cell would look like two and its
// count could be derived by subtraction. Members outside the table are
// dropped rather than read; keeping the rest protects more, not less.
struct Group {
  std::vector<size_t> parts;  // sorted, distinct
  size_t total = kNone;       // kNone when outside the table or also a part
};

Group group_of(const Additive& relation, size_t cell_count) {
  Group g;
  for (size_t p : relation.parts) {
    if (p < cell_count) g.parts.push_back(p);
  }
  std::sort(g.parts.begin(), g.parts.end());
  g.parts.erase(std::unique(g.parts.begin(), g.parts.end()), g.parts.end());
  const bool also_part = std::binary_search(g.parts.begin(), g.parts.end(), relation.total);
  if (relation.total < cell_count && !also_part) g.total = relation.total;
  return g;
}

size_t hidden_members(const Group& g, const std::vector<TableCell>& cells) {
  size_t n = 0;
  for (size_t p : g.parts)
    n += is_hidden(cells[p]);
  if (g.total != kNone) n += is_hidden(cells[g.total]);
  return n;
}

// The groups each cell belongs to, as compressed rows, so that hiding a cell
// revisits only its own relations instead of rescanning every relation.
class Membership {
 public:
  Membership(const std::vector<Group>& groups, size_t cell_count) : start_(cell_count + 1, 0) {
    for_each_member(groups, [&](size_t cell, size_t) { ++start_[cell + 1]; });
    for (size_t c = 0; c < cell_count; ++c)
      start_[c + 1] += start_[c];
    group_.resize(start_.back());
    std::vector<size_t> fill(start_.begin(), start_.end() - 1);
    for_each_member(groups, [&](size_t cell, size_t g) { group_[fill[cell]++] = g; });
  }

  std::span<const size_t> of(size_t cell) const {
    return std::span(group_).subspan(start_[cell], start_[cell + 1] - start_[cell]);
  }

 private:
  template <typename F>
  static void for_each_member(const std::vector<Group>& groups, F f) {
    for (size_t g = 0; g < groups.size(); ++g) {
      for (size_t p : groups[g].parts)
        f(p, g);
      if (groups[g].total != kNone) f(groups[g].total, g);
    }
  }

  std::vector<size_t> start_;  // cell -> first entry in group_
  std::vector<size_t> group_;
};

// Hands out relations in exactly the order that sweeping all relations in
// index order, again and again until a sweep changes nothing, would act on
// them, so the outcome is the plain fixpoint's, without its rescans. A
// relation that needs a look ahead of the sweep's position is seen in this
// sweep; one behind it, in the next.
class Sweep {
 public:
  void revisit(size_t relation) {
    if (relation >= from_) {
      this_sweep_.push(relation);
    } else {
      next_sweep_.push_back(relation);
    }
  }

  std::optional<size_t> next() {
    if (this_sweep_.empty()) start_next_sweep();
    if (this_sweep_.empty()) return std::nullopt;
    const size_t relation = this_sweep_.top();
    this_sweep_.pop();
    from_ = relation + 1;
    return relation;
  }

 private:
  void start_next_sweep() {
    for (size_t r : next_sweep_)
      this_sweep_.push(r);
    next_sweep_.clear();
    from_ = 0;
  }

  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> this_sweep_;
  std::vector<size_t> next_sweep_;
  size_t from_ = 0;  // relations at or after this are still ahead in the sweep
};

// The member to hide beside a lone hidden one: the shown part with the
// smallest count (it costs the table least); parts are sorted, so a tie keeps
// the lowest index. The total only when no part is left, since hiding a total
// loses the headline figure.
size_t next_to_hide(const Group& g, const std::vector<TableCell>& cells) {
  size_t best = kNone;
  for (size_t p : g.parts) {
    if (is_hidden(cells[p])) continue;
    if (best == kNone || cells[p].numerator < cells[best].numerator) best = p;
  }
  if (best != kNone) return best;
  return g.total != kNone && !is_hidden(cells[g.total]) ? g.total : kNone;
}

}  // namespace

std::string_view suppressed_name(Suppressed s) {
  switch (s) {
    case Suppressed::kNo:
      return "";
    case Suppressed::kPrimary:
      return "primary";
    case Suppressed::kSecondary:
      return "secondary";
  }
  return "";
}

// Hidden counts per relation only grow, so a relation that reaches two hidden
// members is safe for good: each relation is acted on at most once, and the
// work is linear in the table's size (plus a log for the sweep order).
void suppress(std::vector<TableCell>& cells, const std::vector<Additive>& relations,
              const SuppressionRule& rule) {
  mark_primary(cells, rule);
  std::vector<Group> groups;
  groups.reserve(relations.size());
  for (const Additive& r : relations)
    groups.push_back(group_of(r, cells.size()));
  const Membership membership(groups, cells.size());

  std::vector<size_t> hidden(groups.size());
  Sweep sweep;
  for (size_t r = 0; r < groups.size(); ++r) {
    hidden[r] = hidden_members(groups[r], cells);
    if (hidden[r] == 1) sweep.revisit(r);
  }
  while (const std::optional<size_t> r = sweep.next()) {
    if (hidden[*r] != 1) continue;  // another relation already hid a second member
    const size_t cell = next_to_hide(groups[*r], cells);
    if (cell == kNone) continue;  // a one-member relation: nothing else to hide
    cells[cell].suppressed = Suppressed::kSecondary;
    for (size_t g : membership.of(cell)) {
      if (++hidden[g] == 1) sweep.revisit(g);
    }
  }
}

}  // namespace onechild
