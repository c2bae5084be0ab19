#include "core/signal/normal_quadrature.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/model/types.h"

namespace gradscope::core {

void gaussLegendre(int n, std::vector<double>& nodes, std::vector<double>& weights) {
  // Legendre's recurrence (k + 1) P_{k+1} = (2k + 1) x P_k - k P_{k-1}: the symmetric Jacobi
  // matrix has k / sqrt(4k^2 - 1) beside its zero diagonal; its eigenvalues are the nodes on
  // [-1, 1] and each weight is 2 v_0^2 for a unit eigenvector v.
  Eigen::MatrixXd jacobi = Eigen::MatrixXd::Zero(n, n);
  for (int k = 1; k < n; ++k) {
    jacobi(k - 1, k) = jacobi(k, k - 1) = k / std::sqrt(4.0 * k * k - 1.0);
  }
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(jacobi);
  nodes.resize(std::size_t(n));
  weights.resize(std::size_t(n));
  for (int i = 0; i < n; ++i) {
    // Mapped to [0, 1]: x -> (x + 1) / 2, weights halved (2 v^2 / 2).
    nodes[std::size_t(i)] = (solver.eigenvalues()(i) + 1.0) / 2.0;
    const double v0 = solver.eigenvectors()(0, i);
    weights[std::size_t(i)] = v0 * v0;
  }
}

NormalQuadrature::NormalQuadrature(int nodes, int angularNodes) {
  if (nodes < 2 || nodes > 400 || angularNodes < 2 || angularNodes > 400) {
    throw Error("nodes", "must be in [2, 400]");
  }
  std::vector<double> x, w;
  gaussLegendre(nodes, x, w);
  const double density = 1.0 / std::sqrt(2.0 * std::numbers::pi);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double z = kRadius * x[i];
    m_nodes.push_back(z);
    m_weights.push_back(kRadius * w[i] * density * std::exp(-z * z / 2));
    m_radii.push_back(z);
    m_radialWeights.push_back(kRadius * w[i] * z * std::exp(-z * z / 2) / (2 * std::numbers::pi));
  }
  gaussLegendre(angularNodes, m_unitNodes, m_unitWeights);
}

NormalQuadrature::Points NormalQuadrature::bivariate(double c) const {
  constexpr double kTwoPi = 2 * std::numbers::pi;
  const double theta = std::acos(std::clamp(c, -1.0, 1.0));
  // u1 = 0 at t = pi/2, 3pi/2; u2 = r cos(t - theta) = 0 at theta + pi/2, theta + 3pi/2.
  std::vector<double> cuts = {std::numbers::pi / 2, 3 * std::numbers::pi / 2,
                              std::fmod(theta + std::numbers::pi / 2, kTwoPi),
                              std::fmod(theta + 3 * std::numbers::pi / 2, kTwoPi)};
  std::sort(cuts.begin(), cuts.end());
  Points p;
  for (std::size_t a = 0; a < cuts.size(); ++a) {
    const double from = cuts[a];
    const double to = a + 1 < cuts.size() ? cuts[a + 1] : cuts[0] + kTwoPi;
    const double length = to - from;
    if (length < 1e-15) continue;  // c = +-1: the cuts coincide
    for (std::size_t j = 0; j < m_unitNodes.size(); ++j) {
      const double t = from + length * m_unitNodes[j];
      const double ct = std::cos(t), st = std::sin(t), wt = length * m_unitWeights[j];
      for (std::size_t i = 0; i < m_radii.size(); ++i) {
        p.z1.push_back(m_radii[i] * ct);
        p.z2.push_back(m_radii[i] * st);
        p.weight.push_back(wt * m_radialWeights[i]);
      }
    }
  }
  return p;
}

}  // namespace gradscope::core
