// The mean-field theory of signal propagation in a wide, randomly initialised, fully
// connected network (Poole et al. 2016, "Exponential expressivity in deep neural networks
// through transient chaos"; Schoenholz et al. 2017, "Deep information propagation").
//
// Layer l+1 computes z^{l+1} = W^{l+1} phi(z^l) + b^{l+1} with weights of variance
// sigma_w^2 / N_l (N_l = fan-in) and biases of variance sigma_b^2. For a wide layer each
// pre-activation is Gaussian, and its length q = (1/N) sum_i z_i^2 and the correlation c of
// two inputs' pre-activations follow deterministic maps (z, z1, z2 independent N(0, 1)):
//   length map       q^{l+1} = sigma_w^2 E[phi(sqrt(q^l) z)^2] + sigma_b^2
//   covariance map   q12^{l+1} = sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2,
//                    u1 = sqrt(q1) z1, u2 = sqrt(q2) (c z1 + sqrt(1 - c^2) z2)
//   correlation map  c^{l+1} = q12^{l+1} / sqrt(q1^{l+1} q2^{l+1})
//   chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2]: the slope of the correlation map at c = 1, and the
//           factor by which the squared gradient norm changes per layer backwards
//           (||dL/dz^l||^2 = chi_1 ||dL/dz^{l+1}||^2).
// chi_1 < 1: ordered phase, nearby inputs converge (c* = 1) and gradients vanish;
// chi_1 > 1: chaotic phase, nearby inputs decorrelate (c* < 1) and gradients explode;
// chi_1 = 1: the edge of chaos, where signals and gradients travel farthest.
// Depth scales (layers over which a deviation shrinks by e):
//   xi_q = -1 / ln V'(q*)      (V the length map)
//   xi_c = -1 / ln chi_c,      chi_c = sigma_w^2 E[phi'(u1) phi'(u2)] at (q*, c*) (= chi_1 at c* =
//   1) xi_grad = 1 / |ln chi_1|   (the gradient's decay or growth length).
// The expectations are computed by Gaussian quadrature split at the activations' kinks (1-D
// for the length map and chi_1, 2-D for the correlation map; see normal_quadrature.h) on the
// engine's own activation functions, so each activation is described once.
#pragma once

#include <limits>
#include <memory>

#include "core/layers/activation.h"
#include "core/signal/normal_quadrature.h"

namespace gradscope::core {

// sigma_w^2 (the weights' variance times the fan-in) and sigma_b^2.
struct SignalVariances {
  double weight = 1.0;
  double bias = 0.0;
  bool operator==(const SignalVariances&) const = default;
};

enum class SignalPhase { Ordered, Edge, Chaotic };
std::string_view toString(SignalPhase phase);

// |ln chi_1| below this is the edge of chaos: the gradient changes by less than a factor e over
// 1 / 0.05 = 20 layers.
inline constexpr double kEdgeOfChaosBand = 0.05;
SignalPhase classifyPhase(double chi1);

struct MeanFieldFixedPoint {
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  double q = 0.0;            // q*; +inf when the length map diverges (e.g. ReLU, sigma_w^2 > 2)
  double c = 1.0;            // c*
  double chi1 = 1.0;         // at q* (the limit q -> q* from above when q* = 0)
  double chiC = 1.0;         // at (q*, c*)
  double lengthSlope = 0;    // V'(q*)
  double xiQ = kInf;         // -1 / ln V'(q*)
  double xiC = kInf;         // -1 / ln chi_c
  double xiGradient = kInf;  // 1 / |ln chi_1|
  SignalPhase phase = SignalPhase::Edge;
};

class MeanField {
 public:
  static constexpr int kNodes = 64;         // on the half line, and along the radius in 2-D
  static constexpr int kAngularNodes = 16;  // on each of the 2-D rule's four arcs
  // Throws Error("activation", ...) for softmax (not an element-wise function).
  explicit MeanField(const ActivationSpec& activation, int nodes = kNodes,
                     int angularNodes = kAngularNodes);
  ~MeanField();
  MeanField(MeanField&&) noexcept;
  MeanField& operator=(MeanField&&) noexcept;

  const ActivationSpec& activation() const { return m_spec; }

  // E[phi(sqrt(q) z)^2] and E[phi'(sqrt(q) z)^2].
  double secondMoment(double q) const;
  double derivativeSecondMoment(double q) const;
  // E[phi(u1) phi(u2)] and E[phi'(u1) phi'(u2)] (see above).
  double crossMoment(double q1, double q2, double c) const;
  double derivativeCrossMoment(double q1, double q2, double c) const;

  double lengthMap(double q, SignalVariances v) const;
  double covarianceMap(double q1, double q2, double c, SignalVariances v) const;
  double correlationMap(double q1, double q2, double c, SignalVariances v) const;
  double chi1(double q, SignalVariances v) const;

  // q*: the length map iterated from q = 1, then polished by Newton's method.
  double fixedLength(SignalVariances v) const;
  // chi_1 at q* alone (what the phase diagram needs).
  double chi1AtFixedPoint(SignalVariances v) const;
  MeanFieldFixedPoint fixedPoint(SignalVariances v) const;

 private:
  // phi or phi' of every element of `u` (the engine's activation on a column).
  void evaluate(const Eigen::VectorXd& u, Eigen::VectorXd& phi, Eigen::VectorXd* dphi) const;
  double expectation1D(double q, bool derivative) const;
  double expectation2D(double q1, double q2, double c, bool derivative) const;
  // q where q* = 0 is evaluated: the limit from above, which keeps kinked functions' slopes.
  static double positive(double q);

  ActivationSpec m_spec;
  std::unique_ptr<Activation<double>> m_activation;
  NormalQuadrature m_quadrature;
};

}  // namespace gradscope::core
