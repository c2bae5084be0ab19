// The optimiser interface: PyTorch's shape (step, reset, name) with Keras 3's update rules.
//
// An optimiser updates the network's flat parameter vector in place from the flat gradient
// vector. Its state (velocities, accumulators, moments) is a set of named flat vectors of
// the same size, allocated lazily on the first step so that a fresh optimiser can be swapped
// in on a running network. `iterations` counts applied updates (Keras's
// optimizer.iterations), which drives bias correction.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/model/parameter_tensor.h"
#include "core/model/types.h"
#include "core/optimizers/optimizer_settings.h"

namespace gradscope::core {

// One named piece of optimiser state, for inspection, probes and sessions.
template <typename T>
struct OptimizerSlot {
  std::string name;  // e.g. "momentum", "velocity", "accumulator"
  Vector<T> values;
};

template <typename T>
struct OptimizerState {
  std::int64_t iterations = 0;
  // Not named "slots": that word is a Qt macro in every file that includes Qt.
  std::vector<OptimizerSlot<T>> vectors;  // empty before the first step
  std::vector<double> scalars;            // e.g. Nadam's u_product
};

template <typename T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;

  virtual OptimizerKind kind() const = 0;
  virtual std::string name() const = 0;

  // One update with `learningRate` (the schedule's value at iterations()). The settings are
  // read afresh on every step.
  virtual void step(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
                    double learningRate) = 0;

  // Keras's Optimizer.apply after clipping: the decoupled weight decay, then step(). With a
  // layout and excludeFromWeightDecay only the kernels decay; without a layout (a landscape's
  // two coordinates) every parameter does.
  // Under PyTorch's conventions weight_decay means what torch.optim makes of it: AdamW and
  // Lion decay the weights apart from the gradient, w <- w (1 - lr weight_decay); every other
  // optimiser adds weight_decay * w to the gradient (an L2 penalty that passes through the
  // optimiser's scaling).
  void update(Eigen::Ref<Vector<T>> params, const Eigen::Ref<const Vector<T>>& grads,
              double learningRate, const ParameterLayout* layout = nullptr) {
    if (m_settings.conventions == Conventions::PyTorch && m_settings.weightDecay != 0.0 &&
        !decouplesWeightDecayInPytorch(kind())) {
      m_coupledGradient = grads;
      const T wd = static_cast<T>(m_settings.weightDecay);
      if (!layout || !m_settings.excludeFromWeightDecay) {
        m_coupledGradient += wd * params;
      } else {
        for (const ParameterTensor& tensor : *layout) {
          if (tensor.role != TensorRole::Kernel) continue;
          m_coupledGradient.segment(tensor.offset, tensor.size) +=
              wd * params.segment(tensor.offset, tensor.size);
        }
      }
      step(params, m_coupledGradient, learningRate);
      return;
    }
    applyWeightDecay(params, learningRate, layout);
    step(params, grads, learningRate);
  }

  // torch.optim.AdamW decays apart from the gradient (as does the Lion authors' code); the
  // other torch optimisers couple the decay to the gradient.
  static bool decouplesWeightDecayInPytorch(OptimizerKind kind) {
    return kind == OptimizerKind::AdamW || kind == OptimizerKind::Lion;
  }

  // w <- w - w * weight_decay * lr on every decayed parameter (Keras's _apply_weight_decay,
  // with the schedule's current rate), or w <- w * (1 - lr * weight_decay) under PyTorch's
  // conventions (torch.optim.AdamW); nothing when weight_decay is 0.
  void applyWeightDecay(Eigen::Ref<Vector<T>> params, double learningRate,
                        const ParameterLayout* layout) const {
    if (m_settings.weightDecay == 0.0) return;
    if (m_settings.conventions == Conventions::PyTorch) {
      const T factor = static_cast<T>(1.0 - learningRate * m_settings.weightDecay);
      if (!layout || !m_settings.excludeFromWeightDecay) {
        params *= factor;
        return;
      }
      for (const ParameterTensor& tensor : *layout) {
        if (tensor.role == TensorRole::Kernel) params.segment(tensor.offset, tensor.size) *= factor;
      }
      return;
    }
    // Keras multiplies in the variable's dtype: variable * wd * lr, left to right.
    const T wd = static_cast<T>(m_settings.weightDecay);
    const T lr = static_cast<T>(learningRate);
    if (!layout || !m_settings.excludeFromWeightDecay) {
      params.array() -= params.array() * wd * lr;
      return;
    }
    for (const ParameterTensor& tensor : *layout) {
      if (tensor.role != TensorRole::Kernel) continue;
      auto w = params.segment(tensor.offset, tensor.size).array();
      w -= w * wd * lr;
    }
  }

  // Forget all state; the next step is a first step again.
  virtual void reset() = 0;

  virtual OptimizerState<T> state() const = 0;
  // Throws Error when the slots do not match this optimiser or the parameter count.
  virtual void setState(const OptimizerState<T>& state, Index parameterCount) = 0;

  const OptimizerSettings& settings() const { return m_settings; }
  void setSettings(const OptimizerSettings& settings) { m_settings = settings; }
  std::int64_t iterations() const { return m_iterations; }

 protected:
  OptimizerSettings m_settings;
  std::int64_t m_iterations = 0;

 private:
  Vector<T> m_coupledGradient;  // grads + weight_decay * w (PyTorch's coupled decay)
};

// Builds the optimiser of settings.kind with those settings. Throws Error on invalid values
// (negative learning rate, beta outside [0, 1), ...), naming the field.
template <typename T>
std::unique_ptr<Optimizer<T>> makeOptimizer(const OptimizerSettings& settings);

// Throws Error naming the first invalid hyper-parameter.
void validate(const OptimizerSettings& settings);

}  // namespace gradscope::core
