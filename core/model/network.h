// A sequential network: layers applied in order, with one flat parameter vector and one flat
// gradient vector that every layer views (llm.c's malloc_and_point_parameters, mlpack's
// layer weights as aliases into one matrix). Optimisers, clipping and probes therefore see
// the model as one contiguous vector, and per-tensor statistics are segments of it.
//
// Forward keeps every layer's output (one sample per column) for backward and for probes.
// Backward starts from the loss: a cross-entropy is fused with its output activation, so the
// gradient enters at the output layer's pre-activation.
#pragma once

#include <memory>
#include <vector>

#include "core/layers/dense_layer.h"
#include "core/model/layer.h"
#include "core/model/loss.h"
#include "core/model/network_spec.h"
#include "core/model/parameter_tensor.h"

namespace gradscope::core {

struct LossBreakdown {
  double data = 0.0;            // the loss function's value
  double regularization = 0.0;  // sum of l2 * sum(K^2) over regularised kernels
  double total() const { return data + regularization; }
};

template <typename T>
class Network {
 public:
  // Validates the spec (Error naming the field) and allocates zeroed parameters.
  explicit Network(const NetworkSpec& spec);
  Network(const Network& other);
  Network& operator=(const Network& other);
  Network(Network&&) noexcept = default;
  Network& operator=(Network&&) noexcept = default;
  ~Network();

  const NetworkSpec& spec() const { return m_spec; }
  Index inputSize() const { return m_spec.inputs; }
  Index outputSize() const;
  int layerCount() const { return int(m_layers.size()); }
  Layer<T>& layer(int i) { return *m_layers[std::size_t(i)]; }
  const Layer<T>& layer(int i) const { return *m_layers[std::size_t(i)]; }
  // The layer as its concrete type, or nullptr.
  template <typename L>
  L* layerAs(int i) {
    return dynamic_cast<L*>(m_layers[std::size_t(i)].get());
  }
  template <typename L>
  const L* layerAs(int i) const {
    return dynamic_cast<const L*>(m_layers[std::size_t(i)].get());
  }

  Index parameterCount() const { return m_parameters.size(); }
  Vector<T>& parameters() { return m_parameters; }
  const Vector<T>& parameters() const { return m_parameters; }
  Vector<T>& gradients() { return m_gradients; }
  const Vector<T>& gradients() const { return m_gradients; }
  const ParameterLayout& layout() const { return m_layout; }

  // Draws every layer's initial parameters from `rng` (layer order, kernel then bias).
  void initialize(Rng& rng);

  // `input` must stay alive until backward(). Returns the network's output.
  const Matrix<T>& forward(const Matrix<T>& input, Mode mode, Rng& rng);
  const Matrix<T>& output() const { return layerOutput(layerCount() - 1); }
  const Matrix<T>& layerOutput(int i) const;
  const Matrix<T>& input() const { return *m_input; }

  // The loss of the last forward(); throws Error when a cross-entropy loss does not sit on
  // its activation (see checkLossCompatible).
  LossBreakdown loss(const Loss<T>& loss, const Matrix<T>& targets) const;
  // Gradients of loss(...).total() for the last forward(), into gradients().
  void backward(const Loss<T>& loss, const Matrix<T>& targets);
  double regularizationLoss() const;
  // The loss's gradient of the last backward(): dL/d(output), or dL/d(logits) when the loss
  // is fused with the output activation (Loss::gradientIsWrtLogits).
  const Matrix<T>& lossGradient() const { return m_lossGrad; }
  // Throws Error("loss", ...) when `loss` needs an output activation the network lacks.
  void checkLossCompatible(LossKind loss) const;

  // Changes one layer's activation (Dense or Activation layer); weights are untouched.
  void setActivation(int layerIndex, const ActivationSpec& activation);
  // Dropout masks are reused while frozen (gradient checks).
  void freezeDropoutMasks(bool frozen);

  // Non-trainable buffers of every layer, for sessions (layer index, buffer).
  std::vector<std::pair<int, NamedBuffer<T>>> buffers();

  // A tensor in double precision and its Keras shape (kernel: inputs x units).
  Eigen::MatrixXd tensorValue(const ParameterTensor& tensor) const;
  void setTensorValue(const ParameterTensor& tensor, const Eigen::MatrixXd& value);
  const ParameterTensor* findTensor(const std::string& name) const;

 private:
  void build();
  // The matrix of logits feeding the output activation, and the index of the layer whose
  // output they are (-1: the network input; layerCount()-1 when the last Dense holds them).
  const Matrix<T>& outputLogits() const;

  NetworkSpec m_spec;
  std::vector<std::unique_ptr<Layer<T>>> m_layers;
  Vector<T> m_parameters;
  Vector<T> m_gradients;
  ParameterLayout m_layout;
  std::vector<Matrix<T>> m_outputs;
  const Matrix<T>* m_input = nullptr;
  Matrix<T> m_gradA;  // ping-pong buffers for dL/d(layer output) during backward
  Matrix<T> m_gradB;
  Matrix<T> m_lossGrad;
};

}  // namespace gradscope::core
