#include "analytics/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace onechild::stats {
namespace {

// Agreement to 4 significant figures: within half a unit of the 4th figure of the
// published value.
testing::AssertionResult Sig4(const char* actual_expr, const char* expected_expr, double actual,
                              double expected) {
  const double unit = std::pow(10.0, std::floor(std::log10(std::fabs(expected))) - 3);
  if (std::fabs(actual - expected) <= unit / 2) return testing::AssertionSuccess();
  return testing::AssertionFailure() << actual_expr << " = " << actual << " does not agree with "
                                     << expected_expr << " = " << expected << " to 4 s.f.";
}

// --- Wilson ---------------------------------------------------------------------------------

// Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of seven
// methods. Stat Med 1998;17:857-872, Table II, method 3 (score interval without continuity
// correction), published to 4 decimal places.
TEST(Wilson, NewcombeExamples) {
  struct Case {
    double x, n, lower, upper;
  };
  for (const Case& c : {Case{81, 263, 0.2553, 0.3662}, Case{15, 148, 0.0624, 0.1605},
                        Case{0, 20, 0.0000, 0.1611}, Case{1, 29, 0.0061, 0.1718}}) {
    const Interval ci = wilson(c.x, c.n, kZ95);
    EXPECT_NEAR(ci.lower, c.lower, 0.00005) << c.x << "/" << c.n;
    EXPECT_NEAR(ci.upper, c.upper, 0.00005) << c.x << "/" << c.n;
  }
}

TEST(Wilson, InvalidInputIsNaN) {
  EXPECT_TRUE(std::isnan(wilson(1, 0, kZ95).lower));
  EXPECT_TRUE(std::isnan(wilson(6, 5, kZ95).upper));
  EXPECT_TRUE(std::isnan(wilson(-1, 5, kZ95).lower));
  EXPECT_TRUE(std::isnan(wilson(NAN, 5, kZ95).lower));
}

TEST(Wilson, WiderAt998) {
  const Interval ci95 = wilson(30, 120, kZ95), ci998 = wilson(30, 120, kZ998);
  EXPECT_LT(ci998.lower, ci95.lower);
  EXPECT_GT(ci998.upper, ci95.upper);
}

// --- Counts: exact Poisson and Byar ----------------------------------------------------------

// R survival package, cipoisson() documentation example: cipoisson(4) gives
// lower 1.089865, upper 10.24153 (95%).
TEST(ExactPoisson, SurvivalCipoissonExample) {
  const Interval ci = exact_poisson(4, kZ95);
  EXPECT_PRED_FORMAT2(Sig4, ci.lower, 1.089865);
  EXPECT_PRED_FORMAT2(Sig4, ci.upper, 10.24153);
}

// Hand-derived: with no events the lower limit is 0 and the upper solves e^-u = 0.025,
// u = ln 40 = 3.688879.
TEST(ExactPoisson, ZeroEvents) {
  const Interval ci = exact_poisson(0, kZ95);
  EXPECT_EQ(ci.lower, 0);
  EXPECT_PRED_FORMAT2(Sig4, ci.upper, std::log(40.0));
}

TEST(ExactPoisson, InvalidInputIsNaN) {
  EXPECT_TRUE(std::isnan(exact_poisson(-1, kZ95).lower));
  EXPECT_TRUE(std::isnan(exact_poisson(NAN, kZ95).upper));
}

TEST(Byar, ExactBelowTenEvents) {
  for (double x : {0.0, 1.0, 5.0, 9.0}) {
    EXPECT_EQ(byar(x, kZ95).lower, exact_poisson(x, kZ95).lower) << x;
    EXPECT_EQ(byar(x, kZ95).upper, exact_poisson(x, kZ95).upper) << x;
  }
}

// Hand-derived from the formula in REFERENCE.md: x = 100, z = 1.959964:
// lower = 100(1 − 1/900 − 1.959964/30)³ = 81.36211,
// upper = 101(1 − 1/909 + 1.959964/(3√101))³ = 121.6279.
TEST(Byar, FormulaFromTenEvents) {
  const Interval ci = byar(100, kZ95);
  EXPECT_PRED_FORMAT2(Sig4, ci.lower, 81.36211);
  EXPECT_PRED_FORMAT2(Sig4, ci.upper, 121.6279);
}

// PHE "Technical Guide: Confidence Intervals" (2018), Appendix 1: for 95% intervals Byar's
// method is within 0.2% of the exact value for numerators of 10 or more.
TEST(Byar, WithinPointTwoPercentOfExactFromTen) {
  for (double x = 10; x <= 2000; x += x < 100 ? 1 : 37) {
    const Interval approx = byar(x, kZ95), exact = exact_poisson(x, kZ95);
    EXPECT_NEAR(approx.lower / exact.lower, 1, 0.002) << x;
    EXPECT_NEAR(approx.upper / exact.upper, 1, 0.002) << x;
  }
}

// --- Directly standardised rates (Dobson) ----------------------------------------------------

constexpr double kEsp2013[19] = {5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
                                 7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000};

std::vector<DsrStratum> strata(const double (&events)[19], const double (&population)[19]) {
  std::vector<DsrStratum> out;
  for (int i = 0; i < 19; ++i)
    out.push_back({events[i], population[i], kEsp2013[i]});
  return out;
}

// PHEindicatormethods DSR vignette (inst/doc/DSR-vignette, "Zero deaths for a specific age
// band within a small geography"): phe_dsr(df3, dths, pop) with ESP2013 gives, per 100,000,
// value 8283.016, lowercl 6570.819, uppercl 10289.65 (95%). 88 deaths in all.
TEST(DobsonDsr, PheIndicatorMethodsVignette) {
  const double pop[19] = {30, 35, 35, 35, 40, 40, 45, 50, 50, 50,
                          60, 60, 70, 75, 70, 60, 20, 20, 15};
  const double deaths[19] = {1, 1, 0, 0, 0, 1, 1, 3, 3, 3, 3, 10, 10, 10, 10, 8, 8, 8, 8};
  const auto s = strata(deaths, pop);
  const Dsr dsr = dobson_dsr(s);
  EXPECT_PRED_FORMAT2(Sig4, dsr.value * 1e5, 8283.016);
  EXPECT_PRED_FORMAT2(Sig4, dsr.ci95.lower * 1e5, 6570.819);
  EXPECT_PRED_FORMAT2(Sig4, dsr.ci95.upper * 1e5, 10289.65);
  EXPECT_LT(dsr.ci998.lower, dsr.ci95.lower);
  EXPECT_GT(dsr.ci998.upper, dsr.ci95.upper);
}

TEST(DobsonDsr, NotCalculatedBelowTenEvents) {
  double pop[19], deaths[19] = {};
  for (double& p : pop)
    p = 1000;
  deaths[18] = 9;
  const auto nine = strata(deaths, pop);
  EXPECT_TRUE(std::isnan(dobson_dsr(nine).value));
  EXPECT_TRUE(std::isnan(dobson_dsr(nine).ci95.lower));
  deaths[18] = 10;
  const auto ten = strata(deaths, pop);
  EXPECT_FALSE(std::isnan(dobson_dsr(ten).ci95.lower));
}

TEST(DobsonDsr, StratumWithoutPopulationIsNaN) {
  double pop[19], deaths[19];
  for (int i = 0; i < 19; ++i)
    pop[i] = 1000, deaths[i] = 5;
  pop[3] = 0;
  const auto s = strata(deaths, pop);
  EXPECT_TRUE(std::isnan(dobson_dsr(s).value));
}

// --- Comparison with a benchmark -------------------------------------------------------------

TEST(Compare, ByPolarity) {
  const Interval area{10, 12};
  EXPECT_EQ(compare(area, 11, Polarity::kHigherIsBetter), Comparison::kSimilar);
  EXPECT_EQ(compare(area, 10, Polarity::kHigherIsBetter), Comparison::kSimilar);
  EXPECT_EQ(compare(area, 9, Polarity::kHigherIsBetter), Comparison::kBetter);
  EXPECT_EQ(compare(area, 13, Polarity::kHigherIsBetter), Comparison::kWorse);
  EXPECT_EQ(compare(area, 9, Polarity::kLowerIsBetter), Comparison::kWorse);
  EXPECT_EQ(compare(area, 13, Polarity::kLowerIsBetter), Comparison::kBetter);
  EXPECT_EQ(compare(area, 9, Polarity::kNoJudgement), Comparison::kHigher);
  EXPECT_EQ(compare(area, 13, Polarity::kNoJudgement), Comparison::kLower);
}

TEST(Compare, NaNIsNotCompared) {
  EXPECT_EQ(compare({NAN, 12}, 11, Polarity::kHigherIsBetter), Comparison::kNotCompared);
  EXPECT_EQ(compare({10, NAN}, 11, Polarity::kHigherIsBetter), Comparison::kNotCompared);
  EXPECT_EQ(compare({10, 12}, NAN, Polarity::kNoJudgement), Comparison::kNotCompared);
}

TEST(Compare, SecondLevelWith998Limits) {
  // 60/100 against 0.5: outside the 95% interval, inside the 99.8% one.
  EXPECT_EQ(compare(wilson(60, 100, kZ95), 0.5, Polarity::kHigherIsBetter), Comparison::kBetter);
  EXPECT_EQ(compare(wilson(60, 100, kZ998), 0.5, Polarity::kHigherIsBetter), Comparison::kSimilar);
}

TEST(Compare, Names) {
  EXPECT_EQ(comparison_name(Comparison::kBetter), "better");
  EXPECT_EQ(comparison_name(Comparison::kSimilar), "similar");
  EXPECT_EQ(comparison_name(Comparison::kWorse), "worse");
  EXPECT_EQ(comparison_name(Comparison::kHigher), "higher");
  EXPECT_EQ(comparison_name(Comparison::kLower), "lower");
  EXPECT_EQ(comparison_name(Comparison::kNotCompared), "not-compared");
}

// --- Funnel plots ----------------------------------------------------------------------------

// PHEindicatormethods tests/testthat/testdata_funnel_prop_outputs.csv (phe_funnels on
// testdata_funnel_prop_inputs.csv): baseline 80.642448%; per denominator the 95% (0.025) and
// 99.8% (0.001) limits in %, clamped to 0..100.
TEST(FunnelProportion, PheIndicatorMethodsOutputs) {
  struct Row {
    double n, lower95, upper95, lower998, upper998;
  };
  const double average = 0.80642448;
  for (const Row& r :
       {Row{10, 56.154344, 100, 42.03259, 100}, Row{20, 63.326743, 97.958152, 53.341156, 100},
        Row{1008, 78.203374, 83.081521, 76.796814, 84.488082},
        Row{110000, 80.408963, 80.875933, 80.274317, 81.010578}}) {
    const Interval ci95 = funnel_proportion(average, r.n, kZ95);
    const Interval ci998 = funnel_proportion(average, r.n, kZ998);
    EXPECT_PRED_FORMAT2(Sig4, ci95.lower * 100, r.lower95) << r.n;
    EXPECT_PRED_FORMAT2(Sig4, ci95.upper * 100, r.upper95) << r.n;
    EXPECT_PRED_FORMAT2(Sig4, ci998.lower * 100, r.lower998) << r.n;
    EXPECT_PRED_FORMAT2(Sig4, ci998.upper * 100, r.upper998) << r.n;
  }
}

// PHEindicatormethods tests/testthat/testdata_funnel_rate_outputs.csv (calculate_funnel_limits
// for DSRs per 100,000, 3 years of data, baseline 116.1720835): for each event count, the
// one-year population at which that count sits on each limit and the limit's rate. The
// person-years are 3 × that population.
TEST(FunnelRate, PheIndicatorMethodsOutputs) {
  const double average = 116.1720835e-5;
  struct Row {
    double population_1_year, z, limit_per_100000;
    bool upper;
  };
  for (const Row& r :
       {Row{1598.675694, kZ95, 20.85059119, false},  // 1 event
        Row{7.264481402, kZ95, 4588.535848, true},
        Row{5276.757672, kZ95, 63.17010446, false},  // 10 events
        Row{1375.943768, kZ95, 242.2579623, true}, Row{6924.776769, kZ998, 48.13632908, false},
        Row{849.4639547, kZ998, 392.4043292, true},
        Row{411529.9259, kZ95, 110.158048, false},  // 1360 events
        Row{369759.5622, kZ95, 122.6021934, true}}) {
    const Interval ci = funnel_rate(average, 3 * r.population_1_year, r.z);
    EXPECT_PRED_FORMAT2(Sig4, (r.upper ? ci.upper : ci.lower) * 1e5, r.limit_per_100000)
        << r.population_1_year;
  }
}

TEST(Funnel, ContainsAverageAndNarrowsWithSize) {
  Interval previous_p{0, 1}, previous_r{0, 1};
  for (double n : {5e3, 5e4, 5e5, 5e6}) {  // 10 to 10,000 expected events
    const Interval p = funnel_proportion(0.3, n, kZ95), r = funnel_rate(0.002, n, kZ95);
    EXPECT_LT(p.lower, 0.3);
    EXPECT_GT(p.upper, 0.3);
    EXPECT_LT(r.lower, 0.002);
    EXPECT_GT(r.upper, 0.002);
    EXPECT_GT(p.lower, previous_p.lower) << n;
    EXPECT_LT(p.upper, previous_p.upper) << n;
    EXPECT_GT(r.lower, previous_r.lower) << n;
    EXPECT_LT(r.upper, previous_r.upper) << n;
    EXPECT_LT(funnel_proportion(0.3, n, kZ998).lower, p.lower);
    EXPECT_GT(funnel_rate(0.002, n, kZ998).upper, r.upper);
    previous_p = p;
    previous_r = r;
  }
}

TEST(Funnel, InvalidInputIsNaN) {
  EXPECT_TRUE(std::isnan(funnel_proportion(1.5, 100, kZ95).lower));
  EXPECT_TRUE(std::isnan(funnel_proportion(0.5, 0, kZ95).lower));
  EXPECT_TRUE(std::isnan(funnel_rate(-1, 100, kZ95).upper));
  EXPECT_TRUE(std::isnan(funnel_rate(0.01, NAN, kZ95).upper));
}

// --- Recent trends ---------------------------------------------------------------------------

std::vector<TrendPoint> series(std::vector<double> numerators, double denominator) {
  std::vector<TrendPoint> out;
  for (double o : numerators)
    out.push_back({o, denominator});
  return out;
}

TEST(ProportionTrend, CannotCalculate) {
  EXPECT_EQ(proportion_trend(series({100, 150, 200, 250}, 1000)), Trend::kCannotCalculate);
  EXPECT_EQ(proportion_trend(series({100, 150, NAN, 250, 300}, 1000)), Trend::kCannotCalculate);
  EXPECT_EQ(proportion_trend(series({100, 150, 200, 250, 1001}, 1000)), Trend::kCannotCalculate);
}

TEST(ProportionTrend, StrongSeriesAndFlatSeries) {
  EXPECT_EQ(proportion_trend(series({100, 150, 200, 250, 300}, 1000)), Trend::kIncreasing);
  EXPECT_EQ(proportion_trend(series({300, 250, 200, 150, 100}, 1000)), Trend::kDecreasing);
  EXPECT_EQ(proportion_trend(series({200, 200, 200, 200, 200}, 1000)), Trend::kNoSignificantChange);
  EXPECT_EQ(proportion_trend(series({0, 0, 0, 0, 0}, 1000)), Trend::kNoSignificantChange);
}

TEST(ProportionTrend, UsesTheFiveMostRecentPoints) {
  // An old fall followed by a steady rise: only the rise counts.
  EXPECT_EQ(proportion_trend(series({900, 800, 100, 150, 200, 250, 300}, 1000)),
            Trend::kIncreasing);
}

// Hand-derived Cochran–Armitage statistics (n = 1000 each, t = 1..5):
// 100,110,120,130,140 → χ² = 9.4697 (below 9.5495); 100,110,120,131,140 → 9.6462 (above).
// The same formula gives 8.2249 for R's prop.trend.test() documentation example.
TEST(ProportionTrend, ThresholdIs9Point5495) {
  EXPECT_EQ(proportion_trend(series({100, 110, 120, 130, 140}, 1000)), Trend::kNoSignificantChange);
  EXPECT_EQ(proportion_trend(series({100, 110, 120, 131, 140}, 1000)), Trend::kIncreasing);
}

TEST(ProportionTrend, OnePointCannotMakeATrend) {
  // χ² = 189.9, but without the last point the slope is negative.
  EXPECT_EQ(proportion_trend(series({130, 120, 110, 100, 400}, 1000)), Trend::kNoSignificantChange);
}

// The series in PHEindicatormethods' assign_trend_markers() documentation example
// (Count / Denominator): 30.6, 30.2, 28.0, 24.6, 24.7 per 1,000; χ² = 47.9 (hand-derived).
TEST(ProportionTrend, PheIndicatorMethodsExampleSeriesDecreases) {
  const std::vector<TrendPoint> points = {
      {1367, 44701}, {1332, 44064}, {1199, 42811}, {1023, 41527}, {994, 40299}};
  EXPECT_EQ(proportion_trend(points), Trend::kDecreasing);
  EXPECT_EQ(rate_trend(points), Trend::kDecreasing);  // χ² = 46.6 with Byar SEs
}

TEST(RateTrend, CannotCalculate) {
  EXPECT_EQ(rate_trend(series({100, 150, 200, 250}, 100000)), Trend::kCannotCalculate);
  EXPECT_EQ(rate_trend(series({100, 150, 200, 250, 300}, 0)), Trend::kCannotCalculate);
}

TEST(RateTrend, StrongSeriesAndFlatSeries) {
  EXPECT_EQ(rate_trend(series({100, 150, 200, 250, 300}, 100000)), Trend::kIncreasing);
  EXPECT_EQ(rate_trend(series({300, 250, 200, 150, 100}, 100000)), Trend::kDecreasing);
  EXPECT_EQ(rate_trend(series({200, 200, 200, 200, 200}, 100000)), Trend::kNoSignificantChange);
  EXPECT_EQ(rate_trend(series({0, 0, 0, 0, 0}, 100000)), Trend::kNoSignificantChange);
}

// Hand-derived: weights 1/SE² with SE = Byar 95% width / n / (2·1.959964), population 100,000:
// 100,111,122,133,144 → χ² = 9.5552 (just above); 100,111,122,133,143 → 9.2638 (below).
TEST(RateTrend, ThresholdIs9Point5495) {
  EXPECT_EQ(rate_trend(series({100, 111, 122, 133, 144}, 100000)), Trend::kIncreasing);
  EXPECT_EQ(rate_trend(series({100, 111, 122, 133, 143}, 100000)), Trend::kNoSignificantChange);
}

TEST(RateTrend, OnePointCannotMakeATrend) {
  EXPECT_EQ(rate_trend(series({130, 120, 110, 100, 400}, 100000)), Trend::kNoSignificantChange);
}

TEST(Trend, Names) {
  EXPECT_EQ(trend_name(Trend::kCannotCalculate), "cannot-calculate");
  EXPECT_EQ(trend_name(Trend::kNoSignificantChange), "no-significant-change");
  EXPECT_EQ(trend_name(Trend::kIncreasing), "increasing");
  EXPECT_EQ(trend_name(Trend::kDecreasing), "decreasing");
}

// --- Slope index of inequality ---------------------------------------------------------------

// Populations 100, 300, 200, 400 put the groups at midpoints 0.05, 0.25, 0.5, 0.8; values
// 10 + 20x lie exactly on a line, so the SII is the difference between the ends, 20, with a
// zero-width interval.
TEST(SlopeIndex, ExactLineGivesDifferenceBetweenEnds) {
  const std::vector<SiiGroup> groups = {{11, 100, 1}, {15, 300, 1}, {20, 200, 1}, {26, 400, 1}};
  const auto sii = slope_index(groups);
  ASSERT_TRUE(sii.has_value());
  EXPECT_NEAR(sii->slope, 20, 1e-9);
  EXPECT_NEAR(sii->ci95.lower, 20, 1e-6);
  EXPECT_NEAR(sii->ci95.upper, 20, 1e-6);
}

TEST(SlopeIndex, PositiveWhenLeastDeprivedIsHigher) {
  const std::vector<SiiGroup> rising = {{60, 100, 1}, {70, 100, 1}, {80, 100, 1}};
  const std::vector<SiiGroup> falling = {{80, 100, 1}, {70, 100, 1}, {60, 100, 1}};
  EXPECT_GT(slope_index(rising)->slope, 0);
  EXPECT_LT(slope_index(falling)->slope, 0);
}

// Hand-derived: equal populations at x = 1/6, 1/2, 5/6 with values 1, 3, 2: slope 1.5,
// residuals −0.5, 1, −0.5, s² = 1.5 per unit weight, SE² = 1.5 / (2/9) = 6.75 (as R's
// lm(y ~ x)), CI = 1.5 ± 1.959964 × 2.598076 = −3.592137 to 6.592137.
TEST(SlopeIndex, IntervalFromWeightedResiduals) {
  const std::vector<SiiGroup> groups = {{1, 500, 1}, {3, 500, 1}, {2, 500, 1}};
  const auto sii = slope_index(groups);
  ASSERT_TRUE(sii.has_value());
  EXPECT_PRED_FORMAT2(Sig4, sii->slope, 1.5);
  EXPECT_PRED_FORMAT2(Sig4, sii->ci95.lower, -3.592137);
  EXPECT_PRED_FORMAT2(Sig4, sii->ci95.upper, 6.592137);
}

// Values 0, 10, 0 in equal groups are symmetric about x = 0.5: slope 0. Make the most
// deprived group ten times larger and it anchors the low end with weight 1000 at x = 0.417
// (the others move to 0.875 and 0.958): hand-derived x̄ = 0.5, Σw(x − x̄)(y − ȳ) = 375 > 0.
TEST(SlopeIndex, PopulationWeightsTheFit) {
  const std::vector<SiiGroup> even = {{0, 100, 1}, {10, 100, 1}, {0, 100, 1}};
  const std::vector<SiiGroup> heavy_first = {{0, 1000, 1}, {10, 100, 1}, {0, 100, 1}};
  EXPECT_NEAR(slope_index(even)->slope, 0, 1e-9);
  EXPECT_GT(slope_index(heavy_first)->slope, 0);
}

TEST(SlopeIndex, TwoGroupsHaveNoInterval) {
  const std::vector<SiiGroup> groups = {{10, 100, 1}, {20, 100, 1}};
  const auto sii = slope_index(groups);
  ASSERT_TRUE(sii.has_value());
  EXPECT_NEAR(sii->slope, 20, 1e-9);  // midpoints 0.25 and 0.75
  EXPECT_TRUE(std::isnan(sii->ci95.lower));
}

TEST(SlopeIndex, InvalidGroupsGiveNothing) {
  EXPECT_FALSE(slope_index(std::vector<SiiGroup>{{10, 100, 1}}).has_value());
  EXPECT_FALSE(slope_index(std::vector<SiiGroup>{{10, 100, 1}, {20, 0, 1}, {30, 100, 1}}));
  EXPECT_FALSE(slope_index(std::vector<SiiGroup>{{10, 100, 1}, {NAN, 50, 1}, {30, 100, 1}}));
}

// --- Median ----------------------------------------------------------------------------------

TEST(Median, OddEvenEmptyAndMissing) {
  std::vector<double> odd = {5, 1, 3}, even = {4, 1, 3, 2}, empty, missing = {NAN, 9, 1};
  EXPECT_EQ(median(odd), 3);
  EXPECT_EQ(median(even), 2.5);
  EXPECT_TRUE(std::isnan(median(empty)));
  EXPECT_EQ(median(missing), 5);
}

}  // namespace
}  // namespace onechild::stats
