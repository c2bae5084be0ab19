// The largest eigenvalue of a symmetric operator given only as products A v, by power
// iteration with the Rayleigh quotient (Golub & Van Loan, Matrix Computations, 7.3.1):
//   v <- A v / |A v|,   lambda = v . A v,
// stopped when lambda changes by at most `tolerance` (relative) between two iterations or
// after `maxIterations` products. It starts from the previous call's eigenvector when the
// size still fits (warm start: during training the top eigenvector moves slowly, so a few
// products suffice), otherwise from a seeded random vector.
//
// Power iteration finds the eigenvalue of largest magnitude. When that is negative (a saddle
// direction dominates), a second pass on A - lambda_neg I, whose spectrum is shifted to be
// non-negative, finds the largest algebraic eigenvalue (the sharpness) as its top eigenvalue
// plus the shift; later estimates keep that shift (warm-started like the vector).
#pragma once

#include <functional>
#include <limits>

#include "core/model/types.h"

namespace gradscope::core {

struct PowerIterationSettings {
  int maxIterations = 20;   // products of the operator per pass (the budget)
  double tolerance = 1e-3;  // relative change of the eigenvalue between two iterations
};

struct EigenEstimate {
  double value = std::numeric_limits<double>::quiet_NaN();
  int products = 0;  // operator products spent
  bool converged = false;
};

class PowerIteration {
 public:
  using Operator = std::function<Eigen::VectorXd(const Eigen::VectorXd&)>;

  explicit PowerIteration(const PowerIterationSettings& settings = {});

  // The largest algebraic eigenvalue of the symmetric n x n operator `apply`.
  EigenEstimate largest(const Operator& apply, Index n);
  // The unit eigenvector of the last estimate (the next call's start).
  const Eigen::VectorXd& vector() const { return m_vector; }
  void forget() {
    m_vector.resize(0);
    m_shift = 0.0;
  }
  const PowerIterationSettings& settings() const { return m_settings; }

 private:
  // Power iteration on apply - shift * I from `v` (unit), which it leaves at the eigenvector.
  EigenEstimate iterate(const Operator& apply, Eigen::VectorXd& v, double shift) const;
  static Eigen::VectorXd randomUnit(Index n);

  PowerIterationSettings m_settings;
  Eigen::VectorXd m_vector;
  double m_shift = 0.0;  // the shift of the last estimate (0 unless a negative one dominated)
};

}  // namespace gradscope::core
