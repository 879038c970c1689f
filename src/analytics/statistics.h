// The statistics Fingertips publishes with every indicator value, computed
// as the PHEindicatormethods R package (UKHSA) and the Fingertips technical
// guidance do (../shared/REFERENCE.md "Statistics"; docs/indicators.md §3).
// Every function is pure: numbers in, numbers out; NaN where a statistic
// cannot be calculated (no denominator, too few events).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace onechild::stats {

inline constexpr double kZ95 = 1.959964;   // two-sided 95%
inline constexpr double kZ998 = 3.090232;  // two-sided 99.8%

struct Interval {
  double lower;
  double upper;
};

// Wilson score interval for x successes of n, as a proportion (0..1).
Interval wilson(double x, double n, double z);

// Exact Poisson limits for a count x at the two-sided level of z
// (lower = chi2(a/2, 2x)/2, upper = chi2(1 - a/2, 2x + 2)/2).
Interval exact_poisson(double x, double z);

// Limits for a count: Byar's approximation from 10 events, exact Poisson
// below. Divide by the population for a crude rate.
Interval byar(double x, double z);

// A directly standardised rate's stratum: events and population in one age
// band, and the standard population's weight for that band (ESP2013).
struct DsrStratum {
  double events;
  double population;
  double weight;
};
struct Dsr {
  double value;  // per 1 person (multiply by the unit's multiplier)
  Interval ci95, ci998;
};
// Dobson's method. NaN value and limits when the total count is below 10
// or any stratum has no population.
Dsr dobson_dsr(std::span<const DsrStratum> strata);

enum class Polarity : uint8_t { kHigherIsBetter, kLowerIsBetter, kNoJudgement };
enum class Comparison : uint8_t {
  kNotCompared,  // no interval, no benchmark
  kBetter,       // the benchmark lies outside the 95% interval, on the good side
  kSimilar,      // the benchmark lies inside the 95% interval
  kWorse,
  kHigher,  // as better/worse when the polarity makes no judgement
  kLower,
};
std::string_view comparison_name(Comparison c);  // "better", "similar", ...
// Compares an area's interval with a benchmark value. With kZ998 limits
// this is the second level of Fingertips' two-level comparison.
Comparison compare(Interval area, double benchmark, Polarity polarity);

// Funnel-plot control limits around an average for an area of size n:
// proportions (the average as 0..1, n the denominator) by inverting Wilson;
// rates (the average per person, n the population) by exact Poisson.
Interval funnel_proportion(double average, double n, double z);
Interval funnel_rate(double average, double n, double z);

// Fingertips' recent trend over the most recent 5 points (oldest first):
// a chi-squared test for trend (weighted regression of the values on time)
// is significant when the statistic exceeds 9.5495 (99.8%) and each
// leave-one-out slope has the same sign.
enum class Trend : uint8_t {
  kCannotCalculate,  // fewer than 5 points, or a point without a value
  kNoSignificantChange,
  kIncreasing,
  kDecreasing,
};
std::string_view trend_name(Trend t);  // "cannot-calculate", "increasing", ...
struct TrendPoint {
  double numerator;
  double denominator;
};
Trend proportion_trend(std::span<const TrendPoint> points);
Trend rate_trend(std::span<const TrendPoint> points);

// Slope index of inequality: the weighted least-squares slope of the value
// across deprivation groups, each placed at its cumulative population
// midpoint (0..1, most deprived first), weighted by population. A positive
// SII with higher-is-better values means worse outcomes in deprived areas.
struct SiiGroup {
  double value;       // the group's indicator value
  double population;  // its denominator
  double standard_error;
};
struct Sii {
  double slope;  // value difference from the most to the least deprived end
  Interval ci95;
};
std::optional<Sii> slope_index(std::span<const SiiGroup> groups_most_deprived_first);

// The median of values (the mean of the middle two for an even count);
// NaN when empty. Reorders values.
double median(std::vector<double>& values);

}  // namespace onechild::stats
