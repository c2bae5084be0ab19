#include "core/sharpness/sharpness_meter.h"

#include <cmath>

#include "core/sharpness/stability_rule.h"

namespace gradscope::core {

SharpnessMeter::SharpnessMeter(const SharpnessSettings& settings)
    : m_settings(settings), m_iteration(settings.iteration) {}

std::vector<Index> SharpnessMeter::batchIndices(Index samples, Index parameters) const {
  std::vector<Index> indices;
  Index count = samples <= m_settings.fullBatchLimit
                    ? samples
                    : std::min(samples, std::max<Index>(1, m_settings.fixedBatch));
  if (parameters > 0) {
    constexpr Index kFewestSamples = 8;
    const Index affordable = std::max(kFewestSamples, m_settings.workBudget / parameters);
    count = std::min(count, affordable);
  }
  indices.reserve(std::size_t(count));
  // Evenly through the set: i * samples / count, exact in integers.
  for (Index i = 0; i < count; ++i) indices.push_back(i * samples / count);
  return indices;
}

template <typename T>
std::optional<SharpnessMeasurement> SharpnessMeter::measure(Trainer<T>& trainer,
                                                            const Dataset& train) {
  const double rate = trainer.currentLearningRate();
  const StabilityRule rule = stabilityRule(trainer.optimizer(), rate);
  if (rule.preconditioned && rule.preconditioner.size() == 0) return std::nullopt;
  // The eigenvector of H and that of P^-1/2 H P^-1/2 differ: a switch starts afresh.
  if (rule.preconditioned != m_lastPreconditioned) m_iteration.forget();
  m_lastPreconditioned = rule.preconditioned;

  const std::vector<Index> indices =
      batchIndices(train.sampleCount(), trainer.network().parameterCount());
  if (indices.empty()) return std::nullopt;
  const Index n = Index(indices.size());
  if (n == train.sampleCount()) {
    m_hessian.setBatch(train.inputs, train.targets);
  } else {
    Eigen::MatrixXd x(train.featureCount(), n), y(train.outputCount(), n);
    for (Index i = 0; i < n; ++i) {
      x.col(i) = train.inputs.col(indices[std::size_t(i)]);
      y.col(i) = train.targets.col(indices[std::size_t(i)]);
    }
    m_hessian.setBatch(x, y);
  }
  m_hessian.setPoint(trainer.network(), trainer.lossKind());
  if (!std::isfinite(m_hessian.lossAt(m_hessian.point()))) return std::nullopt;

  EigenEstimate estimate;
  if (rule.preconditioned) {
    const Eigen::ArrayXd scale = rule.preconditioner.array().rsqrt();  // P^-1/2
    estimate = m_iteration.largest(
        [&](const Eigen::VectorXd& v) -> Eigen::VectorXd {
          const Eigen::VectorXd u = (scale * v.array()).matrix();
          return (scale * m_hessian.apply(u).array()).matrix();
        },
        m_hessian.size());
  } else {
    estimate = m_iteration.largest([&](const Eigen::VectorXd& v) { return m_hessian.apply(v); },
                                   m_hessian.size());
  }
  if (!std::isfinite(estimate.value)) return std::nullopt;

  SharpnessMeasurement m;
  m.lambdaMax = estimate.value;
  m.threshold = rule.threshold;
  m.learningRate = rate;
  m.preconditioned = rule.preconditioned;
  m.converged = estimate.converged;
  m.products = estimate.products;
  m.samples = n;
  m.formula = rule.formula;
  return m;
}

template std::optional<SharpnessMeasurement> SharpnessMeter::measure(Trainer<float>&,
                                                                     const Dataset&);
template std::optional<SharpnessMeasurement> SharpnessMeter::measure(Trainer<double>&,
                                                                     const Dataset&);

}  // namespace gradscope::core
