// Losses with Keras's sum_over_batch_size reduction: the mean over the batch of each
// sample's loss, where a sample's loss is
//   mse:                       mean over outputs of (y - p)^2
//   binary_crossentropy:       mean over outputs of -(y log p + (1 - y) log(1 - p))
//   categorical_crossentropy:  -sum_k y_k log p_k
// The cross-entropies are fused with their output activation (sigmoid, softmax): the value
// is computed from the logits z with log-sum-exp arithmetic and the gradient is taken with
// respect to z directly, (p - y) / (batch * outputs) and (p - y) / batch. Keras's TF
// backend does the same; its clip of p to [1e-7, 1 - 1e-7] differs only at saturation,
// where GradScope reports the true (larger) loss instead of a capped one.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "core/layers/activation.h"
#include "core/model/types.h"

namespace gradscope::core {

enum class LossKind { MeanSquaredError, BinaryCrossentropy, CategoricalCrossentropy };

std::string_view toString(LossKind kind);
std::optional<LossKind> lossKindFromString(std::string_view name);

template <typename T>
class Loss {
 public:
  virtual ~Loss() = default;
  virtual LossKind kind() const = 0;
  // The output activation this loss requires and fuses with (none for MSE).
  virtual std::optional<ActivationKind> fusedActivation() const { return std::nullopt; }
  // Mean loss over the batch. `logits` is the output layer's pre-activation (required by
  // the fused losses).
  virtual double value(const Matrix<T>& predictions, const Matrix<T>& logits,
                       const Matrix<T>& targets) const = 0;
  // dL/dz for fused losses, dL/dp otherwise (see gradientIsWrtLogits()).
  virtual void gradient(const Matrix<T>& predictions, const Matrix<T>& targets,
                        Matrix<T>& grad) const = 0;
  bool gradientIsWrtLogits() const { return fusedActivation().has_value(); }
};

template <typename T>
std::unique_ptr<Loss<T>> makeLoss(LossKind kind);

// Keras's binary_accuracy (threshold 0.5, mean over outputs) for Binary, categorical_accuracy
// (argmax) for one-hot targets. Returns the fraction correct in the batch.
template <typename T>
double accuracy(const Matrix<T>& predictions, const Matrix<T>& targets, LossKind loss);

}  // namespace gradscope::core
