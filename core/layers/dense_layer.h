// Dense (Keras keras.layers.Dense): z = K^T x + b per sample, a = f(z), with an optional L2
// kernel regulariser whose penalty l2 * sum(K^2) the network adds to the loss.
//
// Backward, with gz = dL/dz:  dL/dK = X gz^T,  dL/db = sum over the batch of gz,
// dL/dX = K gz. The pre-activation z is kept for the activation's derivative and probes.
#pragma once

#include <memory>

#include "core/layers/activation.h"
#include "core/model/layer.h"

namespace gradscope::core {

template <typename T>
class DenseLayer final : public Layer<T> {
 public:
  DenseLayer(const LayerSpec& spec, Index inputSize);

  Index outputSize() const override { return this->m_spec.units; }
  std::vector<TensorShape> tensorShapes() const override;
  void bind(T* params, T* grads) override;
  void initialize(Rng& rng) override;
  void forward(const Matrix<T>& in, Matrix<T>& out, Mode mode, Rng& rng) override;
  void backward(const Matrix<T>& in, const Matrix<T>& out, const Matrix<T>& gradOut,
                Matrix<T>* gradIn) override;
  // The same from dL/dz directly: the loss computes it when fused with the activation.
  void backwardFromPreActivation(const Matrix<T>& in, const Matrix<T>& gradZ, Matrix<T>* gradIn);

  // Swaps the activation; weights are untouched.
  void setActivation(const ActivationSpec& spec);
  const Activation<T>& activation() const { return *m_activation; }

  // Views of the kernel (inputs x units, Keras layout) and bias.
  Eigen::Map<Matrix<T>> kernel() { return {m_kernel, this->m_inputSize, this->m_spec.units}; }
  Eigen::Map<const Matrix<T>> kernel() const {
    return {m_kernel, this->m_inputSize, this->m_spec.units};
  }
  Eigen::Map<Matrix<T>> kernelGradient() {
    return {m_kernelGrad, this->m_inputSize, this->m_spec.units};
  }
  const Matrix<T>& preActivation() const { return m_z; }
  // dL/dz of the last backward() through the activation (not set when the loss is fused with
  // this layer's activation): the backward signal the signal-propagation analysis measures.
  const Matrix<T>& preActivationGradient() const { return m_gradZ; }

  // l2 * sum(K^2), and adds its gradient 2 l2 K to the kernel gradient.
  double regularizationLoss() const;
  void addRegularizationGradient();

 private:
  std::unique_ptr<Activation<T>> m_activation;
  T* m_kernel = nullptr;
  T* m_kernelGrad = nullptr;
  T* m_bias = nullptr;
  T* m_biasGrad = nullptr;
  Matrix<T> m_z;
  Matrix<T> m_gradZ;
};

}  // namespace gradscope::core
