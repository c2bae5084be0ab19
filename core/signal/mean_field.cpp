#include "core/signal/mean_field.h"

#include <algorithm>
#include <cmath>

namespace gradscope::core {

namespace {
// Beyond this the length map is taken to diverge, and where q* = inf is evaluated.
constexpr double kUnbounded = 1e12;
// Where q* = 0 is evaluated (see positive()).
constexpr double kTinyLength = 1e-24;
constexpr int kIterations = 500;
constexpr int kNewtonIterations = 200;
}  // namespace

std::string_view toString(SignalPhase phase) {
  switch (phase) {
    case SignalPhase::Ordered:
      return "ordered";
    case SignalPhase::Edge:
      return "edge of chaos";
    case SignalPhase::Chaotic:
      return "chaotic";
  }
  return "edge of chaos";
}

SignalPhase classifyPhase(double chi1) {
  const double rate = std::log(chi1);
  if (std::abs(rate) < kEdgeOfChaosBand) return SignalPhase::Edge;
  return rate < 0 ? SignalPhase::Ordered : SignalPhase::Chaotic;
}

MeanField::MeanField(const ActivationSpec& activation, int nodes, int angularNodes)
    : m_spec(activation), m_quadrature(nodes, angularNodes) {
  if (activation.kind == ActivationKind::Softmax) {
    throw Error("activation", "softmax is not an element-wise function");
  }
  m_activation = makeActivation<double>(activation);
}

MeanField::~MeanField() = default;
MeanField::MeanField(MeanField&&) noexcept = default;
MeanField& MeanField::operator=(MeanField&&) noexcept = default;

double MeanField::positive(double q) { return std::max(q, kTinyLength); }

void MeanField::evaluate(const Eigen::VectorXd& u, Eigen::VectorXd& phi,
                         Eigen::VectorXd* dphi) const {
  const Matrix<double> z = u;
  Matrix<double> a;
  m_activation->forward(z, a);
  phi = a.col(0);
  if (dphi) {
    Matrix<double> d;
    m_activation->derivative(z, a, d);
    *dphi = d.col(0);
  }
}

double MeanField::expectation1D(double q, bool derivative) const {
  const std::vector<double>& nodes = m_quadrature.halfLineNodes();
  const Index n = Index(nodes.size());
  const Eigen::Map<const Eigen::VectorXd> x(nodes.data(), n);
  const Eigen::Map<const Eigen::VectorXd> w(m_quadrature.halfLineWeights().data(), n);
  // Both half lines in one column: +x, then -x.
  Eigen::VectorXd u(2 * n);
  u << std::sqrt(q) * x, -std::sqrt(q) * x;
  Eigen::VectorXd phi, dphi;
  evaluate(u, phi, derivative ? &dphi : nullptr);
  const Eigen::VectorXd f2 = (derivative ? dphi : phi).array().square();
  return w.dot(f2.head(n) + f2.tail(n));
}

double MeanField::expectation2D(double q1, double q2, double c, bool derivative) const {
  c = std::clamp(c, -1.0, 1.0);
  const double s = std::sqrt(std::max(0.0, 1.0 - c * c));
  const NormalQuadrature::Points p = m_quadrature.bivariate(c);
  const Index n = Index(p.weight.size());
  const Eigen::Map<const Eigen::VectorXd> z1(p.z1.data(), n), z2(p.z2.data(), n);
  const Eigen::Map<const Eigen::VectorXd> w(p.weight.data(), n);
  Eigen::VectorXd u(2 * n);
  u << std::sqrt(q1) * z1, std::sqrt(q2) * (c * z1 + s * z2);
  Eigen::VectorXd phi, dphi;
  evaluate(u, phi, derivative ? &dphi : nullptr);
  const Eigen::VectorXd& f = derivative ? dphi : phi;
  return w.dot(f.head(n).cwiseProduct(f.tail(n)));
}

double MeanField::secondMoment(double q) const { return expectation1D(q, false); }
double MeanField::derivativeSecondMoment(double q) const { return expectation1D(q, true); }
double MeanField::crossMoment(double q1, double q2, double c) const {
  return expectation2D(q1, q2, c, false);
}
double MeanField::derivativeCrossMoment(double q1, double q2, double c) const {
  return expectation2D(q1, q2, c, true);
}

double MeanField::lengthMap(double q, SignalVariances v) const {
  return v.weight * secondMoment(q) + v.bias;
}

double MeanField::covarianceMap(double q1, double q2, double c, SignalVariances v) const {
  return v.weight * crossMoment(q1, q2, c) + v.bias;
}

double MeanField::correlationMap(double q1, double q2, double c, SignalVariances v) const {
  const double norm = std::sqrt(lengthMap(q1, v) * lengthMap(q2, v));
  // Both lengths 0 (no weights, no bias): nothing is left to correlate.
  if (!(norm > 0)) return 1.0;
  return std::clamp(covarianceMap(q1, q2, c, v) / norm, -1.0, 1.0);
}

double MeanField::chi1(double q, SignalVariances v) const {
  return v.weight * derivativeSecondMoment(q);
}

double MeanField::fixedLength(SignalVariances v) const {
  // With no bias and phi(0) = 0, q = 0 is a fixed point; the iterate that heads for it is
  // taken to reach it.
  Eigen::VectorXd zero;
  evaluate(Eigen::VectorXd::Zero(1), zero, nullptr);
  const bool zeroIsFixed = v.bias == 0.0 && zero(0) == 0.0;
  double q = 1.0;
  bool converged = false;
  for (int i = 0; i < kIterations && !converged; ++i) {
    const double next = lengthMap(q, v);
    if (!std::isfinite(next) || next > kUnbounded) return MeanFieldFixedPoint::kInf;
    converged = std::abs(next - q) <= 1e-13 * std::max(q, 1e-300);
    q = next;
    if (zeroIsFixed && q < 1e-30) return 0.0;
  }
  // Newton's method on g(q) = V(q) - q finishes what a slow approach (near the edge of chaos
  // the iterate creeps towards q* like 1/l) leaves.
  for (int i = 0; i < kNewtonIterations && !converged; ++i) {
    const double g = lengthMap(q, v) - q;
    if (std::abs(g) <= 1e-14 * q) break;  // relative: q* may be tiny
    const double h = 1e-5 * q;
    const double slope = (lengthMap(q + h, v) - lengthMap(q - h, v)) / (2 * h) - 1.0;
    if (std::abs(slope) < 1e-12) break;
    double next = q - g / slope;
    if (next <= 0) next = q / 2;  // stay positive: halve towards 0 instead
    if (next > kUnbounded) return MeanFieldFixedPoint::kInf;
    q = next;
    if (zeroIsFixed && q < 1e-30) return 0.0;
  }
  // Still growing (e.g. ReLU with sigma_w^2 = 2 and a bias): the map has no fixed point.
  if (lengthMap(q, v) - q > 1e-8 * std::max(1.0, q)) return MeanFieldFixedPoint::kInf;
  return q;
}

double MeanField::chi1AtFixedPoint(SignalVariances v) const {
  const double q = fixedLength(v);
  return chi1(std::isinf(q) ? kUnbounded : positive(q), v);
}

MeanFieldFixedPoint MeanField::fixedPoint(SignalVariances v) const {
  MeanFieldFixedPoint p;
  p.q = fixedLength(v);
  const double q = std::isinf(p.q) ? kUnbounded : positive(p.q);
  p.chi1 = chi1(q, v);
  p.phase = classifyPhase(p.chi1);
  const double h = 1e-4 * q;
  p.lengthSlope = (lengthMap(q + h, v) - lengthMap(q - h, v)) / (2 * h);
  if (p.lengthSlope > 0 && p.lengthSlope < 1) p.xiQ = -1.0 / std::log(p.lengthSlope);
  // In the ordered phase c = 1 is the stable fixed point; beyond it, the correlation map is
  // iterated from 0.5 to its stable fixed point.
  p.c = 1.0;
  if (p.chi1 > 1.0) {
    double c = 0.5;
    for (int i = 0; i < kIterations; ++i) {
      const double next = correlationMap(q, q, c, v);
      const bool done = std::abs(next - c) < 1e-10;
      c = next;
      if (done) break;
    }
    p.c = c;
  }
  p.chiC = p.c >= 1.0 ? p.chi1 : v.weight * derivativeCrossMoment(q, q, p.c);
  if (p.chiC < 1.0) p.xiC = -1.0 / std::log(p.chiC);
  if (p.chi1 != 1.0) p.xiGradient = 1.0 / std::abs(std::log(p.chi1));
  return p;
}

}  // namespace gradscope::core
