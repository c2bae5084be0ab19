// The layer interface of the sequential network.
//
// A layer maps its input X (features x batch) to its output. Trainable parameters are not
// owned by the layer: the network owns one flat parameter vector and one flat gradient
// vector and binds each layer to its segments (bind()), so optimisers, clipping and probes
// see every weight as one contiguous vector. Non-trainable state (BatchNorm's moving
// statistics) lives in the layer as named buffers.
#pragma once

#include <string>
#include <vector>

#include "core/model/network_spec.h"
#include "core/model/parameter_tensor.h"
#include "core/model/random.h"
#include "core/model/types.h"

namespace gradscope::core {

struct TensorShape {
  TensorRole role;
  Index rows;
  Index cols;
};

template <typename T>
struct NamedBuffer {
  std::string name;  // Keras weight name: moving_mean, moving_variance (or frozen gamma, beta)
  Vector<T>* values;
};

template <typename T>
class Layer {
 public:
  Layer(const LayerSpec& spec, Index inputSize) : m_spec(spec), m_inputSize(inputSize) {}
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  LayerKind kind() const { return m_spec.kind; }
  const LayerSpec& spec() const { return m_spec; }
  Index inputSize() const { return m_inputSize; }
  virtual Index outputSize() const { return m_inputSize; }

  // Trainable tensors in Keras order (kernel, bias / gamma, beta).
  virtual std::vector<TensorShape> tensorShapes() const { return {}; }
  // Points the layer at its segments of the network's flat vectors (in tensor order).
  virtual void bind(T* /*params*/, T* /*grads*/) {}
  // Draws initial parameters and resets buffers.
  virtual void initialize(Rng& /*rng*/) {}

  // `rng` drives dropout masks in training mode.
  virtual void forward(const Matrix<T>& in, Matrix<T>& out, Mode mode, Rng& rng) = 0;
  // From dL/d(out), writes the parameter gradients (overwriting) and, when gradIn is not
  // null, dL/d(in). `in` and `out` are those of the last forward().
  virtual void backward(const Matrix<T>& in, const Matrix<T>& out, const Matrix<T>& gradOut,
                        Matrix<T>* gradIn) = 0;

  virtual std::vector<NamedBuffer<T>> buffers() { return {}; }

 protected:
  LayerSpec m_spec;
  Index m_inputSize;
};

}  // namespace gradscope::core
