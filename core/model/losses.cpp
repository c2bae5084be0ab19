// The loss family (see loss.h for the formulas).
#include <cmath>

#include "core/model/loss.h"

namespace gradscope::core {

namespace {

template <typename T>
class MeanSquaredErrorLoss final : public Loss<T> {
 public:
  LossKind kind() const override { return LossKind::MeanSquaredError; }
  double value(const Matrix<T>& p, const Matrix<T>&, const Matrix<T>& y) const override {
    return (p - y).template cast<double>().squaredNorm() / double(p.size());
  }
  void gradient(const Matrix<T>& p, const Matrix<T>& y, Matrix<T>& grad) const override {
    // d/dp of mean over samples and outputs of (p - y)^2.
    grad = (p - y) * static_cast<T>(2.0 / double(p.size()));
  }
};

template <typename T>
class BinaryCrossentropyLoss final : public Loss<T> {
 public:
  LossKind kind() const override { return LossKind::BinaryCrossentropy; }
  std::optional<ActivationKind> fusedActivation() const override { return ActivationKind::Sigmoid; }
  double value(const Matrix<T>&, const Matrix<T>& z, const Matrix<T>& y) const override {
    // -(y log s(z) + (1-y) log(1-s(z))) = max(z,0) - z y + log(1 + e^-|z|), stable for all z.
    const auto zd = z.template cast<double>().array();
    const auto yd = y.template cast<double>().array();
    const double total = (zd.max(0.0) - zd * yd + (-zd.abs()).exp().log1p()).sum();
    return total / double(z.size());
  }
  void gradient(const Matrix<T>& p, const Matrix<T>& y, Matrix<T>& grad) const override {
    grad = (p - y) * static_cast<T>(1.0 / double(p.size()));
  }
};

template <typename T>
class CategoricalCrossentropyLoss final : public Loss<T> {
 public:
  LossKind kind() const override { return LossKind::CategoricalCrossentropy; }
  std::optional<ActivationKind> fusedActivation() const override { return ActivationKind::Softmax; }
  double value(const Matrix<T>&, const Matrix<T>& z, const Matrix<T>& y) const override {
    // -sum_k y_k log softmax(z)_k = sum_k y_k (logsumexp(z) - z_k), per column, in double
    // (column expressions, so that a training step allocates nothing).
    double total = 0.0;
    for (Index j = 0; j < z.cols(); ++j) {
      const auto zj = z.col(j).template cast<double>().array();
      const double m = zj.maxCoeff();
      const double logSumExp = m + std::log((zj - m).exp().sum());
      total += (y.col(j).template cast<double>().array() * (logSumExp - zj)).sum();
    }
    return total / double(z.cols());
  }
  void gradient(const Matrix<T>& p, const Matrix<T>& y, Matrix<T>& grad) const override {
    // p * sum(y) - y, which is p - y for one-hot (or any normalised) targets.
    const T scale = static_cast<T>(1.0 / double(p.cols()));
    grad.resize(p.rows(), p.cols());
    for (Index j = 0; j < p.cols(); ++j)
      grad.col(j) = (p.col(j) * y.col(j).sum() - y.col(j)) * scale;
  }
};

}  // namespace

std::string_view toString(LossKind kind) {
  switch (kind) {
    case LossKind::MeanSquaredError:
      return "mse";
    case LossKind::BinaryCrossentropy:
      return "binary_crossentropy";
    case LossKind::CategoricalCrossentropy:
      return "categorical_crossentropy";
  }
  return "mse";
}

std::optional<LossKind> lossKindFromString(std::string_view name) {
  for (auto kind : {LossKind::MeanSquaredError, LossKind::BinaryCrossentropy,
                    LossKind::CategoricalCrossentropy}) {
    if (toString(kind) == name) return kind;
  }
  return std::nullopt;
}

template <typename T>
std::unique_ptr<Loss<T>> makeLoss(LossKind kind) {
  switch (kind) {
    case LossKind::MeanSquaredError:
      return std::make_unique<MeanSquaredErrorLoss<T>>();
    case LossKind::BinaryCrossentropy:
      return std::make_unique<BinaryCrossentropyLoss<T>>();
    case LossKind::CategoricalCrossentropy:
      return std::make_unique<CategoricalCrossentropyLoss<T>>();
  }
  throw Error("loss", "unknown kind");
}

template <typename T>
double accuracy(const Matrix<T>& p, const Matrix<T>& y, LossKind loss) {
  if (p.size() == 0) return 0.0;
  if (loss == LossKind::CategoricalCrossentropy) {
    Index correct = 0;
    for (Index j = 0; j < p.cols(); ++j) {
      Index predicted = 0, actual = 0;
      p.col(j).maxCoeff(&predicted);
      y.col(j).maxCoeff(&actual);
      correct += predicted == actual;
    }
    return double(correct) / double(p.cols());
  }
  // Keras binary_accuracy: predictions above 0.5 are class 1.
  const auto predicted = (p.array() > T(0.5)).template cast<T>();
  return double(((predicted - y.array()).abs() < T(0.5)).count()) / double(p.size());
}

template std::unique_ptr<Loss<float>> makeLoss<float>(LossKind);
template std::unique_ptr<Loss<double>> makeLoss<double>(LossKind);
template double accuracy<float>(const Matrix<float>&, const Matrix<float>&, LossKind);
template double accuracy<double>(const Matrix<double>&, const Matrix<double>&, LossKind);

}  // namespace gradscope::core
