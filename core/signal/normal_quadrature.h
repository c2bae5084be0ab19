// Gaussian quadrature for expectations over one or two independent standard normal variables,
// split where the engine's activation functions have their kinks.
//
// Every activation of the engine is smooth except at z = 0 (ReLU, leaky ReLU, ELU, SELU: a kink
// or a jump of f'). A Gauss-Hermite rule over the whole line converges slowly across such a
// point (about 2% error on E[relu(z)]^2 with 40 nodes); a rule on each side of it converges as
// fast as for a smooth function. So:
//   1-D:  E[f(z)] = int_0^R (f(z) + f(-z)) phi(z) dz, a Gauss-Legendre rule on [0, R],
//   2-D:  E[f(z1, z2)] in polar coordinates z1 = r cos t, z2 = r sin t:
//           (1 / 2 pi) int_0^2pi int_0^R f r e^(-r^2/2) dr dt,
//         Gauss-Legendre along r on [0, R], and along t on each arc between the angles where
//         the two pre-activations u1 ~ z1 and u2 ~ c z1 + sqrt(1 - c^2) z2 change sign (straight
//         lines through the origin, so each is one angle).
// R = 12 leaves out a normal mass below 1e-32. (Golub & Welsch 1969 for the Gauss-Legendre rule.)
#pragma once

#include <vector>

namespace gradscope::core {

class NormalQuadrature {
 public:
  static constexpr double kRadius = 12.0;
  // Throws Error("nodes", ...) outside [2, 400].
  explicit NormalQuadrature(int nodes = 64, int angularNodes = 16);

  // E[f(z)] = sum_i weight[i] (f(node[i]) + f(-node[i])).
  const std::vector<double>& halfLineNodes() const { return m_nodes; }
  const std::vector<double>& halfLineWeights() const { return m_weights; }

  struct Points {
    std::vector<double> z1, z2, weight;  // E[f(z1, z2)] = sum_i weight[i] f(z1[i], z2[i])
  };
  // The 2-D rule for pre-activations along (1, 0) and (c, sqrt(1 - c^2)).
  Points bivariate(double c) const;

 private:
  std::vector<double> m_nodes, m_weights;          // half line, weights include phi(z)
  std::vector<double> m_radii, m_radialWeights;    // r e^(-r^2/2) dr / (2 pi) included
  std::vector<double> m_unitNodes, m_unitWeights;  // Gauss-Legendre on [0, 1] for arcs
};

// Gauss-Legendre nodes and weights on [0, 1] (weights summing to 1).
void gaussLegendre(int n, std::vector<double>& nodes, std::vector<double>& weights);

}  // namespace gradscope::core
