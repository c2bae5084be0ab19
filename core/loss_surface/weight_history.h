// The weights of a run sampled along its training, for the trajectory the loss-surface view
// projects on its two principal directions (Li et al. 2018, section 7). Sampling every step
// would take a weight vector per step; instead the history keeps at most `capacity` samples
// (set by a memory budget) and, when it is full, drops every other sample and doubles the
// stride, so that it always spans the whole run evenly at bounded memory:
//   capacity = clamp(budget / (4 bytes x weights), 3, maxSamples)
// The first sample (the initial weights) is always kept: the 1-D interpolation starts there.
// Samples are immutable and shared, so copying the history for a background job is cheap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <Eigen/Core>

namespace gradscope::core {

class WeightHistory {
 public:
  static constexpr std::size_t kDefaultBudgetBytes = 32u << 20;
  static constexpr int kDefaultMaxSamples = 200;

  explicit WeightHistory(std::size_t budgetBytes = kDefaultBudgetBytes,
                         int maxSamples = kDefaultMaxSamples);

  // True when the weights after update `step` (0: the initial weights) are to be recorded.
  bool due(std::int64_t step) const { return m_samples.empty() || step % m_stride == 0; }
  // Records the weights at `step` (steps must increase). Weights of another size than the
  // samples so far (the network was rebuilt) start the history afresh.
  template <typename Derived>
  void record(std::int64_t step, const Eigen::MatrixBase<Derived>& weights) {
    add(step, std::make_shared<const Eigen::VectorXf>(weights.template cast<float>()));
  }
  void clear();

  std::size_t size() const { return m_samples.size(); }
  bool empty() const { return m_samples.empty(); }
  int capacity() const { return m_capacity; }
  std::int64_t stride() const { return m_stride; }
  const std::vector<std::int64_t>& steps() const { return m_steps; }
  const Eigen::VectorXf& sample(std::size_t i) const { return *m_samples[i]; }

 private:
  void add(std::int64_t step, std::shared_ptr<const Eigen::VectorXf> weights);

  std::size_t m_budgetBytes;
  int m_maxSamples;
  int m_capacity = 3;
  std::int64_t m_stride = 1;
  std::vector<std::int64_t> m_steps;
  std::vector<std::shared_ptr<const Eigen::VectorXf>> m_samples;
};

}  // namespace gradscope::core
