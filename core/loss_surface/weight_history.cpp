#include "core/loss_surface/weight_history.h"

#include <algorithm>

namespace gradscope::core {

WeightHistory::WeightHistory(std::size_t budgetBytes, int maxSamples)
    : m_budgetBytes(budgetBytes), m_maxSamples(std::max(3, maxSamples)) {}

void WeightHistory::clear() {
  m_steps.clear();
  m_samples.clear();
  m_stride = 1;
}

void WeightHistory::add(std::int64_t step, std::shared_ptr<const Eigen::VectorXf> weights) {
  if (!m_samples.empty() &&
      (weights->size() != m_samples.front()->size() || step <= m_steps.back()))
    clear();
  if (m_samples.empty()) {
    const std::size_t bytes =
        std::max<std::size_t>(1, std::size_t(weights->size()) * sizeof(float));
    m_capacity = int(std::clamp<std::size_t>(m_budgetBytes / bytes, 3, std::size_t(m_maxSamples)));
  }
  m_steps.push_back(step);
  m_samples.push_back(std::move(weights));
  if (int(m_samples.size()) < m_capacity) return;
  // Full: keep the samples at even positions (the first included) and sample half as often.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < m_samples.size(); i += 2, ++kept) {
    m_steps[kept] = m_steps[i];
    m_samples[kept] = std::move(m_samples[i]);
  }
  m_steps.resize(kept);
  m_samples.resize(kept);
  m_stride *= 2;
}

}  // namespace gradscope::core
