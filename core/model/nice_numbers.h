// The round numbers that axes and contour levels step by: 1, 2, 2.5 or 5 times a power of ten.
// One definition for the charts, the painted views and the landscapes' contour levels.
#pragma once

#include <cmath>

namespace gradscope::core {

// The smallest round number >= x; 1 when x is not a positive finite number.
inline double niceStepAtLeast(double x) {
  if (!(x > 0.0) || !std::isfinite(x)) return 1.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(x)));
  const double f = x / magnitude;
  const double mantissa = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 2.5 ? 2.5 : f <= 5.0 ? 5.0 : 10.0;
  return mantissa * magnitude;
}

}  // namespace gradscope::core
