#include "core/model/network.h"

#include "core/kernels/threading.h"
#include "core/layers/activation_layer.h"
#include "core/layers/batch_norm_layer.h"
#include "core/layers/dropout_layers.h"

namespace gradscope::core {

namespace {
template <typename T>
std::unique_ptr<Layer<T>> makeLayer(const LayerSpec& spec, Index inputSize) {
  switch (spec.kind) {
    case LayerKind::Dense:
      return std::make_unique<DenseLayer<T>>(spec, inputSize);
    case LayerKind::Activation:
      return std::make_unique<ActivationLayer<T>>(spec, inputSize);
    case LayerKind::BatchNormalization:
      return std::make_unique<BatchNormLayer<T>>(spec, inputSize);
    case LayerKind::Dropout:
      return std::make_unique<DropoutLayer<T>>(spec, inputSize);
    case LayerKind::AlphaDropout:
      return std::make_unique<AlphaDropoutLayer<T>>(spec, inputSize);
  }
  throw Error("layers", "unknown layer kind");
}

std::string roleName(TensorRole role) {
  switch (role) {
    case TensorRole::Kernel:
      return "kernel";
    case TensorRole::Bias:
      return "bias";
    case TensorRole::Gamma:
      return "gamma";
    case TensorRole::Beta:
      return "beta";
  }
  return "kernel";
}
}  // namespace

template <typename T>
Network<T>::Network(const NetworkSpec& spec) : m_spec(spec) {
  detail::applyDefaultThreadCount();
  validate(m_spec);
  build();
}

template <typename T>
Network<T>::~Network() = default;

template <typename T>
Network<T>::Network(const Network& other) : m_spec(other.m_spec) {
  build();
  m_parameters = other.m_parameters;
  auto mine = buffers();
  auto theirs = const_cast<Network&>(other).buffers();
  for (std::size_t i = 0; i < mine.size(); ++i) *mine[i].second.values = *theirs[i].second.values;
}

template <typename T>
Network<T>& Network<T>::operator=(const Network& other) {
  if (this != &other) {
    Network copy(other);
    *this = std::move(copy);
  }
  return *this;
}

template <typename T>
void Network<T>::build() {
  m_layers.clear();
  m_layout.clear();
  Index width = m_spec.inputs;
  Index offset = 0;
  for (std::size_t i = 0; i < m_spec.layers.size(); ++i) {
    auto layer = makeLayer<T>(m_spec.layers[i], width);
    for (const TensorShape& shape : layer->tensorShapes()) {
      ParameterTensor tensor;
      tensor.name = "layers[" + std::to_string(i) + "]." + roleName(shape.role);
      tensor.layer = int(i);
      tensor.role = shape.role;
      tensor.offset = offset;
      tensor.rows = shape.rows;
      tensor.cols = shape.cols;
      tensor.size = shape.rows * shape.cols;
      offset += tensor.size;
      m_layout.push_back(tensor);
    }
    width = layer->outputSize();
    m_layers.push_back(std::move(layer));
  }
  m_parameters.setZero(offset);
  m_gradients.setZero(offset);
  // Bind each layer to the first of its tensors (its tensors are consecutive).
  for (std::size_t i = 0; i < m_layers.size(); ++i) {
    for (const ParameterTensor& tensor : m_layout) {
      if (tensor.layer == int(i)) {
        m_layers[i]->bind(m_parameters.data() + tensor.offset, m_gradients.data() + tensor.offset);
        break;
      }
    }
  }
  m_outputs.assign(m_layers.size(), Matrix<T>());
  m_input = nullptr;
}

template <typename T>
Index Network<T>::outputSize() const {
  return m_layers.empty() ? m_spec.inputs : m_layers.back()->outputSize();
}

template <typename T>
void Network<T>::initialize(Rng& rng) {
  for (auto& layer : m_layers) layer->initialize(rng);
  m_gradients.setZero();
}

template <typename T>
const Matrix<T>& Network<T>::forward(const Matrix<T>& input, Mode mode, Rng& rng) {
  if (input.rows() != m_spec.inputs) {
    throw Error("input", "has " + std::to_string(input.rows()) + " features, the network expects " +
                             std::to_string(m_spec.inputs));
  }
  m_input = &input;
  const Matrix<T>* current = &input;
  for (std::size_t i = 0; i < m_layers.size(); ++i) {
    m_layers[i]->forward(*current, m_outputs[i], mode, rng);
    current = &m_outputs[i];
  }
  return *current;
}

template <typename T>
const Matrix<T>& Network<T>::layerOutput(int i) const {
  if (i < 0) return *m_input;
  return m_outputs[std::size_t(i)];
}

namespace {
// Throws when the loss of `kind` needs an output activation (`needed`) that the last layer
// does not have. Takes the loss's answer rather than building a loss, so that the check
// costs no allocation in every training step.
template <typename T>
void checkOutputActivation(const std::vector<std::unique_ptr<Layer<T>>>& layers, LossKind kind,
                           std::optional<ActivationKind> needed) {
  if (!needed) return;
  std::optional<ActivationKind> last;
  if (!layers.empty()) {
    const auto& spec = layers.back()->spec();
    if (spec.kind == LayerKind::Dense || spec.kind == LayerKind::Activation) {
      last = spec.activation.kind;
    }
  }
  if (last != needed) {
    throw Error("loss", std::string(toString(kind)) + " needs a " + std::string(toString(*needed)) +
                            " output layer (the loss is computed from its logits)");
  }
}
}  // namespace

template <typename T>
void Network<T>::checkLossCompatible(LossKind kind) const {
  checkOutputActivation(m_layers, kind, makeLoss<T>(kind)->fusedActivation());
}

template <typename T>
const Matrix<T>& Network<T>::outputLogits() const {
  const int last = layerCount() - 1;
  if (const auto* dense = layerAs<DenseLayer<T>>(last)) return dense->preActivation();
  return layerOutput(last - 1);  // an Activation layer: its input holds the logits
}

template <typename T>
LossBreakdown Network<T>::loss(const Loss<T>& loss, const Matrix<T>& targets) const {
  checkOutputActivation(m_layers, loss.kind(), loss.fusedActivation());
  LossBreakdown result;
  const Matrix<T>& logits = loss.fusedActivation() ? outputLogits() : output();
  result.data = loss.value(output(), logits, targets);
  result.regularization = regularizationLoss();
  return result;
}

template <typename T>
void Network<T>::backward(const Loss<T>& loss, const Matrix<T>& targets) {
  checkOutputActivation(m_layers, loss.kind(), loss.fusedActivation());
  const int last = layerCount() - 1;
  loss.gradient(output(), targets, m_lossGrad);
  const Matrix<T>* gradOut = &m_lossGrad;  // dL/d(output of the current layer)
  int first = last;
  if (loss.gradientIsWrtLogits()) {
    if (auto* dense = layerAs<DenseLayer<T>>(last)) {
      dense->backwardFromPreActivation(layerOutput(last - 1), m_lossGrad,
                                       last > 0 ? &m_gradA : nullptr);
      gradOut = &m_gradA;
    }
    // An Activation layer holding the fused activation is skipped: the loss gradient is
    // already with respect to its input.
    first = last - 1;
  }
  for (int i = first; i >= 0; --i) {
    Matrix<T>* gradIn = gradOut == &m_gradA ? &m_gradB : &m_gradA;
    m_layers[std::size_t(i)]->backward(layerOutput(i - 1), m_outputs[std::size_t(i)], *gradOut,
                                       i > 0 ? gradIn : nullptr);
    gradOut = gradIn;
  }
  for (int i = 0; i <= last; ++i) {
    if (auto* dense = layerAs<DenseLayer<T>>(i)) dense->addRegularizationGradient();
  }
}

template <typename T>
double Network<T>::regularizationLoss() const {
  double total = 0.0;
  for (int i = 0; i < layerCount(); ++i) {
    if (const auto* dense = layerAs<DenseLayer<T>>(i)) total += dense->regularizationLoss();
  }
  return total;
}

template <typename T>
void Network<T>::setActivation(int layerIndex, const ActivationSpec& activation) {
  if (layerIndex < 0 || layerIndex >= layerCount()) {
    throw Error("layer", "index " + std::to_string(layerIndex) + " is out of range");
  }
  validate(activation, "layers[" + std::to_string(layerIndex) + "].activation");
  if (activation.kind == ActivationKind::Softmax && layerIndex != layerCount() - 1) {
    throw Error("layers[" + std::to_string(layerIndex) + "].activation",
                "softmax is only allowed on the output layer");
  }
  if (auto* dense = layerAs<DenseLayer<T>>(layerIndex)) {
    dense->setActivation(activation);
  } else if (auto* act = layerAs<ActivationLayer<T>>(layerIndex)) {
    act->setActivation(activation);
  } else {
    throw Error("layers[" + std::to_string(layerIndex) + "]", "has no activation");
  }
  m_spec.layers[std::size_t(layerIndex)].activation = activation;
}

template <typename T>
void Network<T>::freezeDropoutMasks(bool frozen) {
  for (int i = 0; i < layerCount(); ++i) {
    if (auto* d = layerAs<DropoutLayer<T>>(i)) d->freezeMask(frozen);
    if (auto* a = layerAs<AlphaDropoutLayer<T>>(i)) a->freezeMask(frozen);
  }
}

template <typename T>
std::vector<std::pair<int, NamedBuffer<T>>> Network<T>::buffers() {
  std::vector<std::pair<int, NamedBuffer<T>>> result;
  for (int i = 0; i < layerCount(); ++i) {
    for (auto& buffer : m_layers[std::size_t(i)]->buffers()) result.emplace_back(i, buffer);
  }
  return result;
}

template <typename T>
Eigen::MatrixXd Network<T>::tensorValue(const ParameterTensor& tensor) const {
  return Eigen::Map<const Matrix<T>>(m_parameters.data() + tensor.offset, tensor.rows, tensor.cols)
      .template cast<double>();
}

template <typename T>
void Network<T>::setTensorValue(const ParameterTensor& tensor, const Eigen::MatrixXd& value) {
  if (value.rows() != tensor.rows || value.cols() != tensor.cols) {
    throw Error(tensor.name, "expected shape " + std::to_string(tensor.rows) + "x" +
                                 std::to_string(tensor.cols) + ", got " +
                                 std::to_string(value.rows()) + "x" + std::to_string(value.cols()));
  }
  Eigen::Map<Matrix<T>>(m_parameters.data() + tensor.offset, tensor.rows, tensor.cols) =
      value.cast<T>();
}

template <typename T>
const ParameterTensor* Network<T>::findTensor(const std::string& name) const {
  for (const auto& tensor : m_layout) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

template class Network<float>;
template class Network<double>;

}  // namespace gradscope::core
