// Activation functions, each with its derivative, as Keras 3 defines them.
//
// An activation maps a layer's pre-activation Z to its output A = f(Z), column by column
// (one sample per column). backward() turns dL/dA into dL/dZ; for the element-wise
// functions that is dL/dA * f'(Z), for softmax the Jacobian-vector product of each column.
// derivative() and maxDerivative() feed the saturation probe: a unit is saturated when
// f'(z) < 10% of max f', which means the same for sigmoid (max 1/4), tanh and ELU.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "core/layers/activation_sums.h"
#include "core/model/types.h"

namespace gradscope::core {

enum class ActivationKind { Linear, Sigmoid, Tanh, Relu, LeakyRelu, Elu, Selu, Softmax };

std::string_view toString(ActivationKind kind);
std::optional<ActivationKind> activationKindFromString(std::string_view name);

// SELU's constants (Klambauer et al. 2017), as Keras.
inline constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
inline constexpr double kSeluScale = 1.0507009873554804934193349852946;

struct ActivationSpec {
  ActivationKind kind = ActivationKind::Linear;
  double negativeSlope = 0.2;  // leaky_relu: Keras's activation function default
  double alpha = 1.0;          // elu
  bool operator==(const ActivationSpec&) const = default;
};

template <typename T>
class Activation {
 public:
  virtual ~Activation() = default;
  virtual ActivationKind kind() const = 0;
  virtual void forward(const Matrix<T>& z, Matrix<T>& a) const = 0;
  // gradZ = dL/dZ from gradA = dL/dA (gradZ may not alias gradA).
  virtual void backward(const Matrix<T>& z, const Matrix<T>& a, const Matrix<T>& gradA,
                        Matrix<T>& gradZ) const = 0;
  // Element-wise f'(z); for softmax the diagonal of its Jacobian, a(1 - a).
  virtual void derivative(const Matrix<T>& z, const Matrix<T>& a, Matrix<T>& d) const = 0;
  virtual double maxDerivative() const = 0;
  // The activation probes' sums over z and a, counting the elements with f'(z) < threshold
  // (the saturation probe). The default evaluates derivative() into `scratch`; the
  // element-wise functions test f' on the fly.
  virtual ActivationSums sums(const Matrix<T>& z, const Matrix<T>& a, T threshold,
                              Matrix<T>& scratch) const {
    derivative(z, a, scratch);
    const T* d = scratch.data();
    return sumActivations(z, a, [d, threshold](Index i) { return d[i] < threshold; });
  }
  // ReLU-like units can be inactive (zero derivative) and so can die.
  virtual bool hasDeadZone() const { return false; }
};

// Throws Error when a parameter is out of range (e.g. a negative ELU alpha).
template <typename T>
std::unique_ptr<Activation<T>> makeActivation(const ActivationSpec& spec);
void validate(const ActivationSpec& spec, const std::string& field);

}  // namespace gradscope::core
