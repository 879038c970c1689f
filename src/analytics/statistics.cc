#include "analytics/statistics.h"

#include <algorithm>
#include <array>
#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <cstddef>
#include <limits>

namespace onechild::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr Interval kNoInterval{kNaN, kNaN};

// Boost.Math throws on domain and evaluation errors by default; the API promises no
// exceptions, so every call goes through a policy that returns NaN (and sets errno) instead.
namespace bmp = boost::math::policies;
using NoThrow =
    bmp::policy<bmp::domain_error<bmp::errno_on_error>, bmp::pole_error<bmp::errno_on_error>,
                bmp::overflow_error<bmp::errno_on_error>,
                bmp::evaluation_error<bmp::errno_on_error>>;

// The one-sided tail α/2 = 1 − Φ(z) of a two-sided interval at z.
double tail(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

bool is_count(double x) {
  return std::isfinite(x) && x >= 0;
}
bool is_level(double z) {
  return std::isfinite(z) && z > 0;
}

// χ²(p, 2a)/2 is the p-quantile of a gamma(a) variable, so no chi-squared object is needed.
double half_chi_squared_quantile(double a, double p) {
  return boost::math::gamma_p_inv(a, p, NoThrow());
}

double byar_lower(double x, double z) {
  return x * std::pow(1 - 1 / (9 * x) - z / (3 * std::sqrt(x)), 3);
}

double byar_upper(double x, double z) {
  const double y = x + 1;
  return y * std::pow(1 - 1 / (9 * y) + z / (3 * std::sqrt(y)), 3);
}

}  // namespace

Interval wilson(double x, double n, double z) {
  if (!is_count(x) || !std::isfinite(n) || n <= 0 || x > n || !is_level(z)) return kNoInterval;
  const double z2 = z * z;
  const double spread = z * std::sqrt(z2 + 4 * x * (1 - x / n));
  const double denominator = 2 * (n + z2);
  return {(2 * x + z2 - spread) / denominator, (2 * x + z2 + spread) / denominator};
}

Interval exact_poisson(double x, double z) {
  if (!is_count(x) || !is_level(z)) return kNoInterval;
  const double a = tail(z);
  // No events: the lower limit is 0 by definition (χ² with 0 degrees of freedom).
  const double lower = x == 0 ? 0 : half_chi_squared_quantile(x, a);
  return {lower, half_chi_squared_quantile(x + 1, 1 - a)};
}

Interval byar(double x, double z) {
  if (!is_count(x) || !is_level(z)) return kNoInterval;
  // Byar's approximation is poor for small counts (Fingertips switches at 10).
  if (x < 10) return exact_poisson(x, z);
  return {byar_lower(x, z), byar_upper(x, z)};
}

namespace {

struct DsrSums {
  double events = 0;
  double weighted_rate = 0;  // Σ xᵢwᵢ/nᵢ
  double variance = 0;       // Σ xᵢ(wᵢ/nᵢ)²
  double weight = 0;         // Σ wᵢ
  bool valid = true;
};

DsrSums sum_strata(std::span<const DsrStratum> strata) {
  DsrSums s;
  for (const DsrStratum& stratum : strata) {
    if (!is_count(stratum.events) || !std::isfinite(stratum.population) ||
        stratum.population <= 0 || !is_count(stratum.weight)) {
      s.valid = false;
      return s;
    }
    const double w_over_n = stratum.weight / stratum.population;
    s.events += stratum.events;
    s.weighted_rate += stratum.events * w_over_n;
    s.variance += stratum.events * w_over_n * w_over_n;
    s.weight += stratum.weight;
  }
  return s;
}

// Dobson: scale the Byar interval of the total count O onto the DSR.
Interval dobson_limits(const DsrSums& s, double dsr, double z) {
  const double scale = std::sqrt(s.variance / (s.weight * s.weight) / s.events);
  const Interval count = byar(s.events, z);
  return {dsr + scale * (count.lower - s.events), dsr + scale * (count.upper - s.events)};
}

}  // namespace

Dsr dobson_dsr(std::span<const DsrStratum> strata) {
  const DsrSums s = sum_strata(strata);
  // Fingertips does not publish a DSR from fewer than 10 events: too unstable.
  if (!s.valid || s.weight <= 0 || s.events < 10) return {kNaN, kNoInterval, kNoInterval};
  const double dsr = s.weighted_rate / s.weight;
  return {dsr, dobson_limits(s, dsr, kZ95), dobson_limits(s, dsr, kZ998)};
}

std::string_view comparison_name(Comparison c) {
  switch (c) {
    case Comparison::kNotCompared:
      return "not-compared";
    case Comparison::kBetter:
      return "better";
    case Comparison::kSimilar:
      return "similar";
    case Comparison::kWorse:
      return "worse";
    case Comparison::kHigher:
      return "higher";
    case Comparison::kLower:
      return "lower";
  }
  return "not-compared";
}

Comparison compare(Interval area, double benchmark, Polarity polarity) {
  if (std::isnan(area.lower) || std::isnan(area.upper) || std::isnan(benchmark)) {
    return Comparison::kNotCompared;
  }
  if (area.lower <= benchmark && benchmark <= area.upper) return Comparison::kSimilar;
  const bool higher = area.lower > benchmark;
  switch (polarity) {
    case Polarity::kHigherIsBetter:
      return higher ? Comparison::kBetter : Comparison::kWorse;
    case Polarity::kLowerIsBetter:
      return higher ? Comparison::kWorse : Comparison::kBetter;
    case Polarity::kNoJudgement:
      break;
  }
  return higher ? Comparison::kHigher : Comparison::kLower;
}

// An area with p̂ = x/n lies on the funnel when its Wilson interval just touches the average:
// solving Wilson's (p̂ − p)² = z²p(1 − p)/n for p̂ with p the average gives
// p̂ = p ± z√(p(1 − p)/n). This is the closed form of PHEindicatormethods' sigma_adjustment()
// (and the Fingertips funnel for proportions), clamped to 0..1 as they are.
Interval funnel_proportion(double average, double n, double z) {
  if (!std::isfinite(average) || average < 0 || average > 1 || !std::isfinite(n) || n <= 0 ||
      !is_level(z)) {
    return kNoInterval;
  }
  const double half_width = z * std::sqrt(average * (1 - average) / n);
  return {std::max(0.0, average - half_width), std::min(1.0, average + half_width)};
}

// The rate analogue, as PHEindicatormethods' calculate_funnel_limits() (poisson_funnel) does:
// a count O at population n is on the funnel when O's exact Poisson interval just touches the
// expected count E = average·n. The lower funnel is the O whose upper limit is E,
// χ²(1 − α/2, 2O + 2)/2 = E, i.e. P(O + 1, E) = 1 − α/2; the upper funnel the O whose lower
// limit is E, P(O, E) = α/2 (P the regularised lower incomplete gamma). Solving for a
// continuous O gives smooth limits; at whole counts they equal the published ones.
Interval funnel_rate(double average, double n, double z) {
  if (!is_count(average) || !std::isfinite(n) || n <= 0 || !is_level(z)) return kNoInterval;
  const double expected = average * n;
  if (!std::isfinite(expected)) return kNoInterval;
  if (expected == 0) return {0, 0};
  const double a = tail(z);
  const double lower = boost::math::gamma_p_inva(expected, 1 - a, NoThrow()) - 1;
  const double upper = boost::math::gamma_p_inva(expected, a, NoThrow());
  return {std::max(0.0, lower) / n, upper / n};
}

std::string_view trend_name(Trend t) {
  switch (t) {
    case Trend::kCannotCalculate:
      return "cannot-calculate";
    case Trend::kNoSignificantChange:
      return "no-significant-change";
    case Trend::kIncreasing:
      return "increasing";
    case Trend::kDecreasing:
      return "decreasing";
  }
  return "cannot-calculate";
}

// Recent trends, as the Fingertips trend markers (Fingertips technical guidance "Trend
// markers"; its C# TrendMarkerCalculator; PHEindicatormethods::assign_trend_markers):
// the 5 most recent points at times t = 1..5. A trend is significant when its χ² exceeds
// 9.5495 (= 3.0902², 99.8%) and the slope keeps its sign whichever single point is left out
// (an "outlier" check); its sign gives increasing or decreasing.
// - Proportions: χ² is the Cochran–Armitage test for trend,
//   N(NΣOᵢtᵢ − ΣOᵢΣnᵢtᵢ)² / (ΣOᵢ(N − ΣOᵢ)(NΣnᵢtᵢ² − (Σnᵢtᵢ)²)), N = Σnᵢ; the direction and the
//   leave-one-out slopes are the unweighted least-squares slopes of logit(Oᵢ/nᵢ) on t. When
//   a point is 0% or 100% its logit is infinite, so every point then uses the empirical
//   logit log((O + ½)/(n − O + ½)) — our addition; Fingertips has no rule for it.
// - Rates: weighted least squares of Oᵢ/nᵢ on t with weights 1/SEᵢ², SEᵢ the width of the
//   rate's 95% Byar (exact below 10) interval / (2·1.96), as Fingertips derives SEs from
//   published intervals; χ² = (slope / SE(slope))², SE(slope)² = Σw / (ΣwΣwt² − (Σwt)²).
namespace {

constexpr std::size_t kTrendPoints = 5;
constexpr double kTrendChiSquared = 9.5495;

struct Series {
  std::array<double, kTrendPoints> y{};
  std::array<double, kTrendPoints> w{};
};

struct Fit {
  double slope;
  double chi_squared;  // (slope / SE(slope))² when w are inverse variances
};

// Weighted least squares of y on t = 1..5, leaving out point `skip` (none when out of range).
Fit weighted_fit(const Series& s, std::size_t skip = kTrendPoints) {
  double sw = 0, swt = 0, swy = 0, swtt = 0, swty = 0;
  for (std::size_t i = 0; i < kTrendPoints; ++i) {
    if (i == skip) continue;
    const double t = static_cast<double>(i + 1);
    sw += s.w[i];
    swt += s.w[i] * t;
    swy += s.w[i] * s.y[i];
    swtt += s.w[i] * t * t;
    swty += s.w[i] * t * s.y[i];
  }
  const double spread = sw * swtt - swt * swt;
  const double slope = (sw * swty - swt * swy) / spread;
  return {slope, slope * slope * spread / sw};
}

int sign(double v) {
  return (v > 0) - (v < 0);
}

// The direction counts only if no single point decides it.
Trend direction(const Series& s, double chi_squared) {
  const int overall = sign(weighted_fit(s).slope);
  if (!(chi_squared > kTrendChiSquared) || overall == 0) return Trend::kNoSignificantChange;
  for (std::size_t skip = 0; skip < kTrendPoints; ++skip) {
    if (sign(weighted_fit(s, skip).slope) != overall) return Trend::kNoSignificantChange;
  }
  return overall > 0 ? Trend::kIncreasing : Trend::kDecreasing;
}

// The 5 most recent points, or none when there are fewer or one has no usable value.
std::span<const TrendPoint> recent(std::span<const TrendPoint> points, bool proportion) {
  if (points.size() < kTrendPoints) return {};
  const auto last = points.last(kTrendPoints);
  for (const TrendPoint& p : last) {
    if (!is_count(p.numerator) || !std::isfinite(p.denominator) || p.denominator <= 0) return {};
    if (proportion && p.numerator > p.denominator) return {};
  }
  return last;
}

double cochran_armitage(std::span<const TrendPoint> points) {
  double n = 0, o = 0, ot = 0, nt = 0, ntt = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double t = static_cast<double>(i + 1);
    n += points[i].denominator;
    o += points[i].numerator;
    ot += points[i].numerator * t;
    nt += points[i].denominator * t;
    ntt += points[i].denominator * t * t;
  }
  const double denominator = o * (n - o) * (n * ntt - nt * nt);
  // All 0% or all 100%: nothing can trend.
  if (denominator <= 0) return 0;
  const double d = n * ot - o * nt;
  return n * d * d / denominator;
}

Series logits(std::span<const TrendPoint> points) {
  const bool boundary = std::any_of(points.begin(), points.end(), [](const TrendPoint& p) {
    return p.numerator == 0 || p.numerator == p.denominator;
  });
  const double half = boundary ? 0.5 : 0;
  Series s;
  for (std::size_t i = 0; i < kTrendPoints; ++i) {
    const double o = points[i].numerator, n = points[i].denominator;
    s.y[i] = std::log((o + half) / (n - o + half));
    s.w[i] = 1;
  }
  return s;
}

}  // namespace

Trend proportion_trend(std::span<const TrendPoint> points) {
  const auto used = recent(points, true);
  if (used.empty()) return Trend::kCannotCalculate;
  return direction(logits(used), cochran_armitage(used));
}

Trend rate_trend(std::span<const TrendPoint> points) {
  const auto used = recent(points, false);
  if (used.empty()) return Trend::kCannotCalculate;
  Series s;
  for (std::size_t i = 0; i < kTrendPoints; ++i) {
    const Interval ci = byar(used[i].numerator, kZ95);
    const double se = (ci.upper - ci.lower) / used[i].denominator / (2 * kZ95);
    s.y[i] = used[i].numerator / used[i].denominator;
    s.w[i] = 1 / (se * se);
  }
  return direction(s, weighted_fit(s).chi_squared);
}

// Slope index of inequality. Convention: groups are ordered most deprived first; each sits at
// its cumulative population midpoint x (0 = the most deprived end, 1 = the least deprived), and
// the SII is the fitted value at x = 1 minus the fitted value at x = 0, i.e. the slope. It is
// positive when the least deprived have the higher value.
// Method: weighted least squares of value on x with weights = population (the same fit as
// PHEindicatormethods' phe_sii, which regresses √(share)·value on √(share) and x·√(share)).
// CI95 = slope ± 1.96·SE(slope), SE² = s²/Σw(x − x̄)² with s² = Σw·residual²/(k − 2), from the
// weighted residuals (lm(value ~ x, weights = population) in R). The groups' own standard
// errors are not used (PHEindicatormethods simulates from them instead). With exactly two
// groups there is no residual, so the interval is NaN; fewer groups, a non-positive
// population or a missing value give no SII.
namespace {

struct SiiSums {
  double w = 0, x = 0, y = 0;  // Σw, weighted means of x and y
  double sxx = 0, sxy = 0;
};

std::vector<double> midpoints(std::span<const SiiGroup> groups, double total) {
  std::vector<double> x;
  double before = 0;
  for (const SiiGroup& g : groups) {
    x.push_back((before + g.population / 2) / total);
    before += g.population;
  }
  return x;
}

SiiSums sii_sums(std::span<const SiiGroup> groups, const std::vector<double>& x) {
  SiiSums s;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    s.w += groups[i].population;
    s.x += groups[i].population * x[i];
    s.y += groups[i].population * groups[i].value;
  }
  s.x /= s.w;
  s.y /= s.w;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    s.sxx += groups[i].population * (x[i] - s.x) * (x[i] - s.x);
    s.sxy += groups[i].population * (x[i] - s.x) * (groups[i].value - s.y);
  }
  return s;
}

double slope_standard_error(std::span<const SiiGroup> groups, const std::vector<double>& x,
                            const SiiSums& s, double slope) {
  if (groups.size() < 3) return kNaN;
  double residuals = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const double r = groups[i].value - (s.y + slope * (x[i] - s.x));
    residuals += groups[i].population * r * r;
  }
  const double s2 = residuals / static_cast<double>(groups.size() - 2);
  return std::sqrt(s2 / s.sxx);
}

}  // namespace

std::optional<Sii> slope_index(std::span<const SiiGroup> groups_most_deprived_first) {
  const auto groups = groups_most_deprived_first;
  if (groups.size() < 2) return std::nullopt;
  double total = 0;
  for (const SiiGroup& g : groups) {
    if (!std::isfinite(g.value) || !std::isfinite(g.population) || g.population <= 0) {
      return std::nullopt;
    }
    total += g.population;
  }
  const std::vector<double> x = midpoints(groups, total);
  const SiiSums s = sii_sums(groups, x);
  const double slope = s.sxy / s.sxx;
  const double se = slope_standard_error(groups, x, s, slope);
  return Sii{slope, {slope - kZ95 * se, slope + kZ95 * se}};
}

double median(std::vector<double>& values) {
  // NaN has no place in an ordering; leave the missing values out.
  const auto end =
      std::partition(values.begin(), values.end(), [](double v) { return !std::isnan(v); });
  const auto n = static_cast<std::size_t>(end - values.begin());
  if (n == 0) return kNaN;
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(values.begin(), middle, end);
  if (n % 2 == 1) return *middle;
  // The lower middle value is the largest of the half before the middle.
  return (*std::max_element(values.begin(), middle) + *middle) / 2;
}

}  // namespace onechild::stats
