// A stand-alone activation (Keras keras.layers.Activation): used when BatchNormalization
// sits between a Dense layer's product and its non-linearity.
#pragma once

#include <memory>

#include "core/layers/activation.h"
#include "core/model/layer.h"

namespace gradscope::core {

template <typename T>
class ActivationLayer final : public Layer<T> {
 public:
  ActivationLayer(const LayerSpec& spec, Index inputSize)
      : Layer<T>(spec, inputSize), m_activation(makeActivation<T>(spec.activation)) {}

  void forward(const Matrix<T>& in, Matrix<T>& out, Mode, Rng&) override {
    m_activation->forward(in, out);
  }
  void backward(const Matrix<T>& in, const Matrix<T>& out, const Matrix<T>& gradOut,
                Matrix<T>* gradIn) override {
    if (gradIn) m_activation->backward(in, out, gradOut, *gradIn);
  }

  void setActivation(const ActivationSpec& spec) {
    m_activation = makeActivation<T>(spec);
    this->m_spec.activation = spec;
  }
  const Activation<T>& activation() const { return *m_activation; }

 private:
  std::unique_ptr<Activation<T>> m_activation;
};

}  // namespace gradscope::core
