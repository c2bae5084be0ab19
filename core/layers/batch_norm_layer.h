// BatchNormalization (Keras keras.layers.BatchNormalization, axis -1, Ioffe & Szegedy 2015).
//
// Training mode, per feature over the batch:
//   mu = mean(x),  var = mean((x - mu)^2)   (biased, as Keras; PyTorch's running_var uses
//   the unbiased n/(n-1) estimate)
//   xhat = (x - mu) / sqrt(var + eps),  y = gamma xhat + beta
//   moving_mean = momentum moving_mean + (1 - momentum) mu   (same for moving_variance)
// Under PyTorch's conventions (buildNetworkSpec) the spec holds torch's BatchNorm1d: momentum
// 0.9 in this form (torch's 0.1 weighs the new batch), eps 1e-5, and
// unbiasedMovingVariance, so moving_variance takes var * n / (n - 1).
// Inference mode uses moving_mean and moving_variance instead of mu and var.
// With trainable = false the layer runs in inference mode even during training (Keras >= 2.0
// inside fit()), and gamma and beta are frozen buffers rather than parameters.
#pragma once

#include "core/model/layer.h"

namespace gradscope::core {

template <typename T>
class BatchNormLayer final : public Layer<T> {
 public:
  BatchNormLayer(const LayerSpec& spec, Index inputSize);

  std::vector<TensorShape> tensorShapes() const override;
  void bind(T* params, T* grads) override;
  void initialize(Rng& rng) override;
  void forward(const Matrix<T>& in, Matrix<T>& out, Mode mode, Rng& rng) override;
  void backward(const Matrix<T>& in, const Matrix<T>& out, const Matrix<T>& gradOut,
                Matrix<T>* gradIn) override;
  std::vector<NamedBuffer<T>> buffers() override;

  const Vector<T>& movingMean() const { return m_movingMean; }
  const Vector<T>& movingVariance() const { return m_movingVariance; }
  // The statistics of the last training-mode batch (for probes).
  const Vector<T>& batchMean() const { return m_batchMean; }
  const Vector<T>& batchVariance() const { return m_batchVariance; }
  Vector<T> gamma() const;
  Vector<T> beta() const;

 private:
  bool learnsGamma() const { return this->m_spec.trainable && this->m_spec.scale; }
  bool learnsBeta() const { return this->m_spec.trainable && this->m_spec.center; }

  T* m_gamma = nullptr;
  T* m_gammaGrad = nullptr;
  T* m_beta = nullptr;
  T* m_betaGrad = nullptr;
  Vector<T> m_frozenGamma;  // used when gamma is not a trainable parameter
  Vector<T> m_frozenBeta;
  Vector<T> m_movingMean;
  Vector<T> m_movingVariance;
  Vector<T> m_batchMean;
  Vector<T> m_batchVariance;
  Vector<T> m_inverseStd;  // 1 / sqrt(var + eps) of the last forward
  Matrix<T> m_xhat;
  bool m_lastForwardUsedBatchStatistics = false;
};

}  // namespace gradscope::core
