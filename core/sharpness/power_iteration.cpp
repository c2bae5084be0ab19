#include "core/sharpness/power_iteration.h"

#include <cmath>

#include "core/model/random.h"

namespace gradscope::core {

PowerIteration::PowerIteration(const PowerIterationSettings& settings) : m_settings(settings) {}

Eigen::VectorXd PowerIteration::randomUnit(Index n) {
  // A fixed seed: the same network gives the same estimate.
  Rng rng(0x51a4);
  Eigen::VectorXd v(n);
  for (Index i = 0; i < n; ++i) v(i) = rng.normal();
  return v.normalized();
}

EigenEstimate PowerIteration::iterate(const Operator& apply, Eigen::VectorXd& v,
                                      double shift) const {
  EigenEstimate estimate;
  double previous = std::numeric_limits<double>::quiet_NaN();
  for (int k = 0; k < m_settings.maxIterations; ++k) {
    Eigen::VectorXd w = apply(v) - shift * v;
    ++estimate.products;
    const double lambda = v.dot(w);  // Rayleigh quotient of the unit vector v
    estimate.value = lambda;
    const double norm = w.norm();
    if (!std::isfinite(norm)) {
      estimate.value = std::numeric_limits<double>::quiet_NaN();
      return estimate;
    }
    if (norm == 0.0) {  // v is in the null space: 0 is an eigenvalue and nothing is larger
      estimate.converged = true;
      return estimate;
    }
    v = w / norm;
    if (k > 0 && std::abs(lambda - previous) <= m_settings.tolerance * std::abs(lambda)) {
      estimate.converged = true;
      return estimate;
    }
    previous = lambda;
  }
  return estimate;
}

EigenEstimate PowerIteration::largest(const Operator& apply, Index n) {
  if (n == 0) return {};
  const bool warm = m_vector.size() == n && m_vector.allFinite() && m_vector.norm() > 0.0;
  if (!warm) {
    m_vector = randomUnit(n);
    m_shift = 0.0;
  }
  Eigen::VectorXd v = m_vector.normalized();
  // The previous shift still applies: the spectrum moves slowly between two estimates.
  EigenEstimate estimate = iterate(apply, v, m_shift);
  if (std::isfinite(estimate.value)) estimate.value += m_shift;
  if (std::isfinite(estimate.value) && estimate.value < 0.0 && estimate.value < m_shift) {
    // The dominant eigenvalue is negative; shift the spectrum to make the top one dominant.
    const double shift = estimate.value;
    Eigen::VectorXd u = randomUnit(n);
    EigenEstimate shifted = iterate(apply, u, shift);
    shifted.value += shift;
    shifted.products += estimate.products;
    estimate = shifted;
    v = u;
    m_shift = shift;
  }
  if (std::isfinite(estimate.value)) {
    m_vector = v;
  } else {
    m_shift = 0.0;
  }
  return estimate;
}

}  // namespace gradscope::core
