// The activation family. Formulas (Keras 3, keras/src/activations/activations.py):
//   linear     f(z) = z                                     f' = 1
//   sigmoid    f(z) = 1 / (1 + e^-z)                        f' = a (1 - a)
//   tanh       f(z) = tanh z                                f' = 1 - a^2
//   relu       f(z) = max(z, 0)                             f' = [z > 0]
//   leaky_relu f(z) = z if z > 0 else s z                   f' = 1 or s
//   elu        f(z) = z if z > 0 else alpha (e^z - 1)       f' = 1 or a + alpha
//   selu       f(z) = scale (z if z > 0 else alpha (e^z - 1))  f' = scale or a + scale alpha
//   softmax    a_k = e^(z_k - max z) / sum_j e^(z_j - max z)   (per column)
// At a kink (z = 0) the derivative is the left one, as TensorFlow's gradients are.
#include <cmath>
#include <type_traits>

#include "core/kernels/elementwise.h"
#include "core/layers/activation.h"

namespace gradscope::core {

namespace {

template <typename T>
class LinearActivation final : public Activation<T> {
 public:
  ActivationKind kind() const override { return ActivationKind::Linear; }
  void forward(const Matrix<T>& z, Matrix<T>& a) const override { a = z; }
  void backward(const Matrix<T>&, const Matrix<T>&, const Matrix<T>& gradA,
                Matrix<T>& gradZ) const override {
    gradZ = gradA;
  }
  void derivative(const Matrix<T>& z, const Matrix<T>&, Matrix<T>& d) const override {
    d.setOnes(z.rows(), z.cols());
  }
  double maxDerivative() const override { return 1.0; }
};

template <typename T>
class SigmoidActivation final : public Activation<T> {
 public:
  ActivationKind kind() const override { return ActivationKind::Sigmoid; }
  // Float runs at the kernel level in use (core/kernels/elementwise.h).
  void forward(const Matrix<T>& z, Matrix<T>& a) const override {
    if constexpr (std::is_same_v<T, float>) {
      a.resize(z.rows(), z.cols());
      sigmoidForward(z.data(), a.data(), z.size());
    } else {
      a = z.array().logistic();
    }
  }
  void backward(const Matrix<T>&, const Matrix<T>& a, const Matrix<T>& gradA,
                Matrix<T>& gradZ) const override {
    if constexpr (std::is_same_v<T, float>) {
      gradZ.resize(a.rows(), a.cols());
      sigmoidBackward(gradA.data(), a.data(), gradZ.data(), a.size());
    } else {
      gradZ = gradA.array() * a.array() * (T(1) - a.array());
    }
  }
  void derivative(const Matrix<T>&, const Matrix<T>& a, Matrix<T>& d) const override {
    d = a.array() * (T(1) - a.array());
  }
  double maxDerivative() const override { return 0.25; }
  ActivationSums sums(const Matrix<T>& z, const Matrix<T>& a, T threshold,
                      Matrix<T>&) const override {
    const T* y = a.data();
    return sumActivations(z, a,
                          [y, threshold](Index i) { return y[i] * (T(1) - y[i]) < threshold; });
  }
};

template <typename T>
class TanhActivation final : public Activation<T> {
 public:
  ActivationKind kind() const override { return ActivationKind::Tanh; }
  // Float runs at the kernel level in use (core/kernels/elementwise.h).
  void forward(const Matrix<T>& z, Matrix<T>& a) const override {
    if constexpr (std::is_same_v<T, float>) {
      a.resize(z.rows(), z.cols());
      tanhForward(z.data(), a.data(), z.size());
    } else {
      a = z.array().tanh();
    }
  }
  void backward(const Matrix<T>&, const Matrix<T>& a, const Matrix<T>& gradA,
                Matrix<T>& gradZ) const override {
    if constexpr (std::is_same_v<T, float>) {
      gradZ.resize(a.rows(), a.cols());
      tanhBackward(gradA.data(), a.data(), gradZ.data(), a.size());
    } else {
      gradZ = gradA.array() * (T(1) - a.array().square());
    }
  }
  void derivative(const Matrix<T>&, const Matrix<T>& a, Matrix<T>& d) const override {
    d = T(1) - a.array().square();
  }
  double maxDerivative() const override { return 1.0; }
  ActivationSums sums(const Matrix<T>& z, const Matrix<T>& a, T threshold,
                      Matrix<T>&) const override {
    const T* y = a.data();
    return sumActivations(z, a, [y, threshold](Index i) { return T(1) - y[i] * y[i] < threshold; });
  }
};

// ReLU and leaky ReLU: slope 1 above zero, `slope` (0 for ReLU) at and below.
template <typename T>
class RectifierActivation final : public Activation<T> {
 public:
  RectifierActivation(ActivationKind kind, double slope)
      : m_kind(kind), m_slope(static_cast<T>(slope)) {}
  ActivationKind kind() const override { return m_kind; }
  // Float runs at the kernel level in use (core/kernels/elementwise.h).
  void forward(const Matrix<T>& z, Matrix<T>& a) const override {
    if constexpr (std::is_same_v<T, float>) {
      a.resize(z.rows(), z.cols());
      rectifierForward(z.data(), a.data(), z.size(), m_slope);
    } else if (m_slope == T(0)) {
      a = z.array().max(T(0));
    } else {
      a = (z.array() > T(0)).select(z.array(), m_slope * z.array());
    }
  }
  void backward(const Matrix<T>& z, const Matrix<T>&, const Matrix<T>& gradA,
                Matrix<T>& gradZ) const override {
    if constexpr (std::is_same_v<T, float>) {
      gradZ.resize(z.rows(), z.cols());
      rectifierBackward(z.data(), gradA.data(), gradZ.data(), z.size(), m_slope);
    } else {
      gradZ = (z.array() > T(0)).select(gradA.array(), m_slope * gradA.array());
    }
  }
  void derivative(const Matrix<T>& z, const Matrix<T>&, Matrix<T>& d) const override {
    d = (z.array() > T(0)).select(Matrix<T>::Ones(z.rows(), z.cols()).array(), m_slope);
  }
  double maxDerivative() const override { return std::max(1.0, double(m_slope)); }
  bool hasDeadZone() const override { return m_slope == T(0); }
  ActivationSums sums(const Matrix<T>& z, const Matrix<T>& a, T threshold,
                      Matrix<T>&) const override {
    // f' is 1 above zero and the slope at or below it. One plain comparison per case, which
    // the compiler vectorises (a select between two flags it did not).
    const bool aboveIsBelow = T(1) < threshold, atOrBelowIsBelow = m_slope < threshold;
    const T* x = z.data();
    if (aboveIsBelow == atOrBelowIsBelow) {
      return sumActivations(z, a, [aboveIsBelow](Index) { return aboveIsBelow; });
    }
    if (atOrBelowIsBelow) return sumActivations(z, a, [x](Index i) { return x[i] <= T(0); });
    return sumActivations(z, a, [x](Index i) { return x[i] > T(0); });
  }

 private:
  ActivationKind m_kind;
  T m_slope;
};

// ELU and SELU share the exponential negative branch: f(z) = scale * (alpha (e^z - 1)).
template <typename T>
class ExponentialLinearActivation final : public Activation<T> {
 public:
  ExponentialLinearActivation(ActivationKind kind, double alpha, double scale)
      : m_kind(kind), m_alpha(static_cast<T>(alpha)), m_scale(static_cast<T>(scale)) {}
  ActivationKind kind() const override { return m_kind; }
  void forward(const Matrix<T>& z, Matrix<T>& a) const override {
    // expm1 keeps precision for small negative z, where e^z - 1 cancels.
    a = m_scale * (z.array() > T(0)).select(z.array(), m_alpha * z.array().min(T(0)).expm1());
  }
  void backward(const Matrix<T>& z, const Matrix<T>& a, const Matrix<T>& gradA,
                Matrix<T>& gradZ) const override {
    // Below zero f' = scale alpha e^z = a + scale alpha, which reuses the forward output.
    gradZ = (z.array() > T(0))
                .select(m_scale * gradA.array(), gradA.array() * (a.array() + m_scale * m_alpha));
  }
  void derivative(const Matrix<T>& z, const Matrix<T>& a, Matrix<T>& d) const override {
    d = (z.array() > T(0))
            .select(Matrix<T>::Constant(z.rows(), z.cols(), m_scale).array(),
                    a.array() + m_scale * m_alpha);
  }
  double maxDerivative() const override { return double(m_scale) * std::max(1.0, double(m_alpha)); }

 private:
  ActivationKind m_kind;
  T m_alpha;
  T m_scale;
};

template <typename T>
class SoftmaxActivation final : public Activation<T> {
 public:
  ActivationKind kind() const override { return ActivationKind::Softmax; }
  // Column by column, so that no temporary row of maxima or sums is allocated.
  void forward(const Matrix<T>& z, Matrix<T>& a) const override {
    a.resize(z.rows(), z.cols());
    for (Index j = 0; j < z.cols(); ++j) {
      // Subtracting the column's maximum keeps e^z finite without changing the result.
      a.col(j) = (z.col(j).array() - z.col(j).maxCoeff()).exp();
      a.col(j) /= a.col(j).sum();
    }
  }
  void backward(const Matrix<T>&, const Matrix<T>& a, const Matrix<T>& gradA,
                Matrix<T>& gradZ) const override {
    // dL/dz = a * (g - <g, a>) per column: the softmax Jacobian-vector product.
    gradZ.resize(a.rows(), a.cols());
    for (Index j = 0; j < a.cols(); ++j) {
      const T dot = (gradA.col(j).array() * a.col(j).array()).sum();
      gradZ.col(j) = a.col(j).array() * (gradA.col(j).array() - dot);
    }
  }
  void derivative(const Matrix<T>&, const Matrix<T>& a, Matrix<T>& d) const override {
    d = a.array() * (T(1) - a.array());
  }
  double maxDerivative() const override { return 0.25; }
};

}  // namespace

std::string_view toString(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::Linear:
      return "linear";
    case ActivationKind::Sigmoid:
      return "sigmoid";
    case ActivationKind::Tanh:
      return "tanh";
    case ActivationKind::Relu:
      return "relu";
    case ActivationKind::LeakyRelu:
      return "leaky_relu";
    case ActivationKind::Elu:
      return "elu";
    case ActivationKind::Selu:
      return "selu";
    case ActivationKind::Softmax:
      return "softmax";
  }
  return "linear";
}

std::optional<ActivationKind> activationKindFromString(std::string_view name) {
  for (auto kind : {ActivationKind::Linear, ActivationKind::Sigmoid, ActivationKind::Tanh,
                    ActivationKind::Relu, ActivationKind::LeakyRelu, ActivationKind::Elu,
                    ActivationKind::Selu, ActivationKind::Softmax}) {
    if (toString(kind) == name) return kind;
  }
  return std::nullopt;
}

void validate(const ActivationSpec& spec, const std::string& field) {
  if (spec.kind == ActivationKind::LeakyRelu &&
      !(spec.negativeSlope >= 0.0 && spec.negativeSlope < 1.0)) {
    throw Error(field + ".negative_slope", "must be in [0, 1)");
  }
  if (spec.kind == ActivationKind::Elu && !(spec.alpha >= 0.0 && spec.alpha <= 10.0)) {
    throw Error(field + ".alpha", "must be in [0, 10]");
  }
}

template <typename T>
std::unique_ptr<Activation<T>> makeActivation(const ActivationSpec& spec) {
  validate(spec, "activation");
  switch (spec.kind) {
    case ActivationKind::Linear:
      return std::make_unique<LinearActivation<T>>();
    case ActivationKind::Sigmoid:
      return std::make_unique<SigmoidActivation<T>>();
    case ActivationKind::Tanh:
      return std::make_unique<TanhActivation<T>>();
    case ActivationKind::Relu:
      return std::make_unique<RectifierActivation<T>>(ActivationKind::Relu, 0.0);
    case ActivationKind::LeakyRelu:
      return std::make_unique<RectifierActivation<T>>(ActivationKind::LeakyRelu,
                                                      spec.negativeSlope);
    case ActivationKind::Elu:
      return std::make_unique<ExponentialLinearActivation<T>>(ActivationKind::Elu, spec.alpha, 1.0);
    case ActivationKind::Selu:
      return std::make_unique<ExponentialLinearActivation<T>>(ActivationKind::Selu, kSeluAlpha,
                                                              kSeluScale);
    case ActivationKind::Softmax:
      return std::make_unique<SoftmaxActivation<T>>();
  }
  throw Error("activation", "unknown kind");
}

template std::unique_ptr<Activation<float>> makeActivation<float>(const ActivationSpec&);
template std::unique_ptr<Activation<double>> makeActivation<double>(const ActivationSpec&);

}  // namespace gradscope::core
