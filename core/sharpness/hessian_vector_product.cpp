#include "core/sharpness/hessian_vector_product.h"

#include <algorithm>

namespace gradscope::core {

HessianVectorProduct::HessianVectorProduct() = default;
HessianVectorProduct::~HessianVectorProduct() = default;

template <typename T>
void HessianVectorProduct::setPoint(Network<T>& network, LossKind loss) {
  if (!m_network || !(m_network->spec() == network.spec())) {
    m_network = std::make_unique<Network<double>>(network.spec());
  }
  if (!m_loss || m_lossKind != loss) {
    m_loss = makeLoss<double>(loss);
    m_lossKind = loss;
  }
  m_point = network.parameters().template cast<double>();
  // Frozen BatchNorm layers use their moving statistics even in training mode.
  auto source = network.buffers();
  auto target = m_network->buffers();
  for (std::size_t i = 0; i < source.size() && i < target.size(); ++i) {
    *target[i].second.values = source[i].second.values->template cast<double>();
  }
}

template void HessianVectorProduct::setPoint(Network<float>&, LossKind);
template void HessianVectorProduct::setPoint(Network<double>&, LossKind);

void HessianVectorProduct::setBatch(const Eigen::MatrixXd& inputs, const Eigen::MatrixXd& targets) {
  m_inputs = inputs;
  m_targets = targets;
}

double HessianVectorProduct::lossAt(const Eigen::VectorXd& weights) {
  m_network->parameters() = weights;
  // Dropout masks come from a fixed seed: every evaluation sees the same mask.
  Rng rng(0x5eed);
  m_network->forward(m_inputs, Mode::Training, rng);
  return m_network->loss(*m_loss, m_targets).total();
}

Eigen::VectorXd HessianVectorProduct::gradientAt(const Eigen::VectorXd& weights) {
  lossAt(weights);
  m_network->backward(*m_loss, m_targets);
  ++m_evaluations;
  return m_network->gradients();
}

Eigen::VectorXd HessianVectorProduct::apply(const Eigen::VectorXd& v) {
  const double norm = v.norm();
  if (norm == 0.0) return Eigen::VectorXd::Zero(v.size());
  // Relative to the weights, so the step stays well above rounding and well inside the
  // region where the loss is smooth whatever the scale of the initialiser.
  const double h = kRelativeStep * std::max(1.0, m_point.norm()) / norm;
  const Eigen::VectorXd plus = gradientAt(m_point + h * v);
  const Eigen::VectorXd minus = gradientAt(m_point - h * v);
  return (plus - minus) / (2.0 * h);
}

}  // namespace gradscope::core
