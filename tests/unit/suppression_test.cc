// Disclosure control: primary suppression by the rule, secondary suppression
// to a fixpoint across overlapping additive relations.
#include "analytics/suppression.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "core/random.h"

namespace onechild {
namespace {

std::vector<TableCell> table(std::initializer_list<int64_t> numerators) {
  std::vector<TableCell> cells;
  for (int64_t n : numerators)
    cells.push_back({.numerator = n, .denominator = n * 10});
  return cells;
}

// One character a cell: '.' shown, 'P' primary, 'S' secondary, so a whole
// table's outcome reads (and fails) as one string.
std::string marks(const std::vector<TableCell>& cells) {
  std::string out;
  for (const TableCell& c : cells) {
    out += c.suppressed == Suppressed::kNo ? '.' : c.suppressed == Suppressed::kPrimary ? 'P' : 'S';
  }
  return out;
}

std::string suppressed(std::vector<TableCell> cells, const std::vector<Additive>& relations,
                       const SuppressionRule& rule = {}) {
  suppress(cells, relations, rule);
  return marks(cells);
}

// A relation's distinct members; a cell listed twice is one unknown.
std::set<size_t> members(const Additive& r) {
  std::set<size_t> m(r.parts.begin(), r.parts.end());
  m.insert(r.total);
  return m;
}

size_t hidden_members(const std::vector<TableCell>& cells, const Additive& r) {
  size_t n = 0;
  for (size_t c : members(r))
    n += cells[c].suppressed != Suppressed::kNo;
  return n;
}

// The property secondary suppression exists for: no relation leaves a lone
// hidden cell to be derived by subtraction.
void expect_no_lone_hidden_cell(const std::vector<TableCell>& cells,
                                const std::vector<Additive>& relations) {
  for (size_t r = 0; r < relations.size(); ++r) {
    if (members(relations[r]).size() < 2) continue;
    EXPECT_NE(hidden_members(cells, relations[r]), 1u) << "relation " << r;
  }
}

TEST(Suppression, NamesTheMarks) {
  EXPECT_EQ(suppressed_name(Suppressed::kNo), "");
  EXPECT_EQ(suppressed_name(Suppressed::kPrimary), "primary");
  EXPECT_EQ(suppressed_name(Suppressed::kSecondary), "secondary");
}

TEST(Suppression, DefaultRuleHidesOneToSeven) {
  EXPECT_EQ(suppressed(table({0, 1, 7, 8, 100, 2}), {}), ".PP..P");
}

TEST(Suppression, CustomNumeratorRange) {
  const SuppressionRule rule{.numerator_min = 3, .numerator_max = 10};
  EXPECT_EQ(suppressed(table({0, 2, 3, 10, 11}), {}, rule), "..PP.");
  const SuppressionRule with_zero{.numerator_min = 0, .numerator_max = 4};
  EXPECT_EQ(suppressed(table({0, 4, 5}), {}, with_zero), "PP.");
}

TEST(Suppression, DenominatorRule) {
  std::vector<TableCell> cells;
  for (int64_t d : {0, 1, 2, 3, 50})
    cells.push_back({.numerator = 40, .denominator = d});
  const SuppressionRule coverage{.denominator_min = 1, .denominator_max = 2};
  EXPECT_EQ(suppressed(cells, {}, coverage), ".PP..");
  // Off by default: a denominator of 1 is shown unless the rule asks.
  EXPECT_EQ(suppressed(cells, {}), ".....");
}

TEST(Suppression, LoneHiddenPartHidesTheSmallestShownPart) {
  // 100 = 5 + 40 + 20 + 35: 5 alone would be 100 - 95.
  const auto cells = table({100, 5, 40, 20, 35});
  const std::string m = suppressed(cells, {{0, {1, 2, 3, 4}}});
  EXPECT_EQ(m, ".P.S.");
}

TEST(Suppression, TiesGoToTheLowestCellIndex) {
  // Cells 2 and 3 tie at 20; the parts are listed out of index order.
  EXPECT_EQ(suppressed(table({100, 3, 20, 20, 57}), {{0, {4, 3, 2, 1}}}), ".PS..");
}

TEST(Suppression, TwoHiddenPartsNeedNothingMore) {
  EXPECT_EQ(suppressed(table({100, 3, 5, 40, 52}), {{0, {1, 2, 3, 4}}}), ".PP..");
}

TEST(Suppression, HiddenTotalHidesAPartNotNothing) {
  // With the total hidden the parts could still be summed back to it.
  const SuppressionRule rule{.numerator_min = 50, .numerator_max = 60};
  EXPECT_EQ(suppressed(table({55, 20, 10, 25}), {{0, {1, 2, 3}}}, rule), "P.S.");
}

TEST(Suppression, TotalIsHiddenOnlyWhenNoPartIsLeft) {
  // 40 = 40, the one part withheld by the caller: only the total can cover
  // it. (A rule-hidden part would hide its equal total by the rule too.)
  auto cells = table({40, 40});
  cells[1].suppressed = Suppressed::kSecondary;
  EXPECT_EQ(suppressed(cells, {{0, {1}}}), "SS");
}

TEST(Suppression, AShownZeroIsTheSmallestPart) {
  // 0 is not hidden by the rule, but it is the cheapest cover for the 5.
  EXPECT_EQ(suppressed(table({20, 0, 5, 15}), {{0, {1, 2, 3}}}), ".SP.");
}

TEST(Suppression, APartListedTwiceIsOneHiddenCell) {
  // 30 = 5 + 5 + 20 as listed: still one unknown, derivable as (30 - 20) / 2.
  EXPECT_EQ(suppressed(table({30, 5, 20}), {{0, {1, 1, 2}}}), ".PS");
}

TEST(Suppression, CellsHiddenByTheCallerStayHiddenAndCount) {
  auto cells = table({100, 40, 30, 30});
  cells[1].suppressed = Suppressed::kSecondary;
  EXPECT_EQ(suppressed(cells, {{0, {1, 2, 3}}}), ".SS.");
}

TEST(Suppression, MembersOutsideTheTableAreIgnored) {
  EXPECT_EQ(suppressed(table({100, 3, 97}), {{0, {1, 2, 99}}, {42, {1}}}), ".PS");
}

// An IMD table: cell 0 the whole, 1-5 quintiles, 6-15 deciles (quintile q is
// deciles 2q-1 and 2q). The deciles sit in two relations: their quintile and
// the whole.
std::vector<Additive> imd_relations(bool deciles_to_whole_first) {
  std::vector<Additive> r;
  const Additive deciles{0, {6, 7, 8, 9, 10, 11, 12, 13, 14, 15}};
  if (deciles_to_whole_first) r.push_back(deciles);
  r.push_back({0, {1, 2, 3, 4, 5}});
  for (size_t q = 1; q <= 5; ++q)
    r.push_back({q, {4 + 2 * q, 5 + 2 * q}});
  if (!deciles_to_whole_first) r.push_back(deciles);
  return r;
}

TEST(Suppression, HiddenDecileHidesItsSiblingAndTheWholeStaysSafe) {
  // Decile 3 (cell 8) is 5. Its quintile (35 = 5 + 30) hides decile 4; the
  // deciles against the whole then have two hidden, the quintiles none.
  auto cells = table({253, 45, 35, 22, 61, 90, 20, 25, 5, 30, 12, 10, 30, 31, 40, 50});
  const auto relations = imd_relations(false);
  suppress(cells, relations, {});
  EXPECT_EQ(marks(cells), "........PS......");
  expect_no_lone_hidden_cell(cells, relations);
}

TEST(Suppression, RelationsAreActedOnInTheOrderGiven) {
  // The same table with deciles-to-whole listed first: it hides the smallest
  // decile anywhere (decile 6, cell 11), which then needs its own sibling
  // (cell 10) as well as decile 3's (cell 9). Finer relations first hide less.
  auto cells = table({253, 45, 35, 22, 61, 90, 20, 25, 5, 30, 12, 10, 30, 31, 40, 50});
  const auto relations = imd_relations(true);
  suppress(cells, relations, {});
  EXPECT_EQ(marks(cells), "........PSSS....");
  expect_no_lone_hidden_cell(cells, relations);
}

TEST(Suppression, HiddenQuintileCascadesUpToTheWholeAndDownToDeciles) {
  // Quintile 1 is 7 = 3 + 4, all hidden. Against the whole it is alone, so
  // the smallest other quintile (3, 22) is hidden; quintile 3 is then a lone
  // hidden total over deciles 12 and 10, so decile 6 (cell 11) goes too.
  auto cells = table({225, 7, 45, 22, 61, 90, 3, 4, 20, 25, 12, 10, 30, 31, 40, 50});
  const auto relations = imd_relations(false);
  suppress(cells, relations, {});
  EXPECT_EQ(marks(cells), ".P.S..PP...S....");
  EXPECT_EQ(suppressed_name(cells[3].suppressed), "secondary");
  expect_no_lone_hidden_cell(cells, relations);
}

TEST(Suppression, CascadeRunsAlongAChainInEitherOrder) {
  // 100 = 3 + 97; 97 = 60 + 37; 37 = 20 + 17. Listed backwards, each step
  // needs a relation the sweep has already passed.
  const auto cells = table({100, 3, 97, 60, 37, 20, 17});
  std::vector<Additive> chain = {{0, {1, 2}}, {2, {3, 4}}, {4, {5, 6}}};
  EXPECT_EQ(suppressed(cells, chain), ".PS.S.S");
  std::reverse(chain.begin(), chain.end());
  EXPECT_EQ(suppressed(cells, chain), ".PS.S.S");
}

// The fixpoint as the header states it, without the worklist: sweep every
// relation in order until a sweep changes nothing.
void reference_suppress(std::vector<TableCell>& cells, const std::vector<Additive>& relations,
                        const SuppressionRule& rule) {
  const bool denominators = rule.denominator_min != 0 || rule.denominator_max != 0;
  for (TableCell& c : cells) {
    const bool n = rule.numerator_min <= c.numerator && c.numerator <= rule.numerator_max;
    const bool d = denominators && rule.denominator_min <= c.denominator &&
                   c.denominator <= rule.denominator_max;
    if (n || d) c.suppressed = Suppressed::kPrimary;
  }
  auto shown = [&](size_t c) { return cells[c].suppressed == Suppressed::kNo; };
  for (bool changed = true; changed;) {
    changed = false;
    for (const Additive& r : relations) {
      if (hidden_members(cells, r) != 1) continue;
      std::set<std::pair<int64_t, size_t>> parts;
      for (size_t p : r.parts) {
        if (shown(p)) parts.insert({cells[p].numerator, p});
      }
      const size_t cell = !parts.empty() ? parts.begin()->second : r.total;
      if (!shown(cell)) continue;
      cells[cell].suppressed = Suppressed::kSecondary;
      changed = true;
    }
  }
}

// Overlapping relations over a shared pool of cells, so hiding a cell for one
// relation disturbs others; parts may repeat or include the total.
std::vector<Additive> random_relations(SplitMix64& rng, size_t cell_count) {
  std::vector<Additive> relations(static_cast<size_t>(rng.between(1, 15)));
  for (Additive& r : relations) {
    r.total = static_cast<size_t>(rng.below(static_cast<int64_t>(cell_count)));
    for (int64_t k = rng.between(1, 6); k > 0; --k) {
      r.parts.push_back(static_cast<size_t>(rng.below(static_cast<int64_t>(cell_count))));
    }
  }
  return relations;
}

std::vector<TableCell> random_cells(SplitMix64& rng) {
  std::vector<TableCell> cells(static_cast<size_t>(rng.between(3, 40)));
  for (TableCell& c : cells) {
    c.numerator = rng.chance(0.25) ? rng.between(0, 9) : rng.between(8, 200);
    c.denominator = c.numerator + rng.between(0, 4);
  }
  return cells;
}

TEST(Suppression, RandomTablesLeaveNoLoneHiddenCell) {
  SplitMix64 rng(20240611);
  size_t secondary = 0;
  for (int t = 0; t < 200; ++t) {
    SCOPED_TRACE("table " + std::to_string(t));
    auto cells = random_cells(rng);
    const auto relations = random_relations(rng, cells.size());
    SuppressionRule rule;
    if (rng.chance(0.3)) rule = {.denominator_min = 1, .denominator_max = 2};
    auto expected = cells;
    reference_suppress(expected, relations, rule);
    suppress(cells, relations, rule);
    expect_no_lone_hidden_cell(cells, relations);
    EXPECT_EQ(marks(cells), marks(expected));
    secondary += static_cast<size_t>(std::count_if(cells.begin(), cells.end(), [](auto& c) {
      return c.suppressed == Suppressed::kSecondary;
    }));
  }
  EXPECT_GT(secondary, 200u);  // the tables do exercise secondary suppression
}

TEST(Suppression, LargeTableWithALongBackwardCascade) {
  // 5,000 relations of 18 practices against their PCN (95,000 cells), then a
  // chain of 5,000 relations listed backwards whose cascade crosses one
  // relation a sweep: a rescanning fixpoint would take 5,000 full sweeps.
  SplitMix64 rng(7);
  std::vector<TableCell> cells;
  std::vector<Additive> relations;
  for (size_t g = 0; g < 5000; ++g) {
    Additive r{cells.size(), {}};
    cells.push_back({.numerator = 2000});
    for (int p = 0; p < 18; ++p) {
      r.parts.push_back(cells.size());
      cells.push_back({.numerator = rng.chance(0.05) ? rng.between(1, 7) : rng.between(8, 300)});
    }
    relations.push_back(std::move(r));
  }
  // Link k: t[k] = t[k + 1] + x[k]; t[k + 1] is always the smaller part.
  constexpr size_t kLinks = 5000;
  const size_t t0 = cells.size(), x0 = t0 + kLinks + 1;
  cells.resize(x0 + kLinks, {.numerator = 1000});
  for (size_t k = 0; k <= kLinks; ++k)
    cells[t0 + k].numerator = 100;
  cells[x0].numerator = 5;
  for (size_t k = kLinks; k-- > 0;)
    relations.push_back({t0 + k, {t0 + k + 1, x0 + k}});

  suppress(cells, relations, {});
  expect_no_lone_hidden_cell(cells, relations);
  EXPECT_EQ(cells[x0].suppressed, Suppressed::kPrimary);
  EXPECT_EQ(cells[t0].suppressed, Suppressed::kNo);
  for (size_t k = 1; k <= kLinks; ++k) {
    ASSERT_EQ(cells[t0 + k].suppressed, Suppressed::kSecondary) << "link " << k;
  }
}

}  // namespace
}  // namespace onechild
