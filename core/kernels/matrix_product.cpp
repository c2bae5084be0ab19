#include "core/kernels/matrix_product.h"

#include <type_traits>

#include "core/kernels/blocked_product.h"

namespace gradscope::core {

namespace {

using blocked::Operand;

// c = op(A) op(B) (+ bias) in float: on AVX-512 the small or the blocked product, elsewhere
// Eigen.
void floatProduct(const Operand& a, const Operand& b, Index m, Index n, Index k,
                  Eigen::Ref<Matrix<float>> c, const float* bias = nullptr) {
#if defined(GRADSCOPE_BLOCKED_PRODUCT)
  if (m * n * k < blocked::kSmallProduct) {
    blocked::smallProduct(a, b, m, n, k, c.data(), c.outerStride(), bias);
  } else {
    blocked::blockedProduct(a, b, m, n, k, c.data(), c.outerStride(), bias);
  }
#else
  using Map = Eigen::Map<const Matrix<float>, 0, Eigen::OuterStride<>>;
  const Map aMap(a.data, a.transposed ? k : m, a.transposed ? m : k, Eigen::OuterStride<>(a.ld));
  const Map bMap(b.data, b.transposed ? n : k, b.transposed ? k : n, Eigen::OuterStride<>(b.ld));
  if (a.transposed) {
    c.noalias() = aMap.transpose() * bMap;
  } else if (b.transposed) {
    c.noalias() = aMap * bMap.transpose();
  } else {
    c.noalias() = aMap * bMap;
  }
  if (bias) c.colwise() += Eigen::Map<const Vector<float>>(bias, m);
#endif
}

}  // namespace

bool usesBlockedFloatProduct() {
#if defined(GRADSCOPE_BLOCKED_PRODUCT)
  return true;
#else
  return false;
#endif
}

// Double precision (the reference tests' precision) stays with Eigen.
template <typename T>
void multiplyTransposedA(const Eigen::Ref<const Matrix<T>>& a, const Eigen::Ref<const Matrix<T>>& b,
                         Eigen::Ref<Matrix<T>> c, const T* bias) {
  if constexpr (std::is_same_v<T, float>) {
    floatProduct({a.data(), a.outerStride(), true}, {b.data(), b.outerStride(), false}, a.cols(),
                 b.cols(), a.rows(), c, bias);
  } else {
    c.noalias() = a.transpose() * b;
    if (bias) c.colwise() += Eigen::Map<const Vector<T>>(bias, c.rows());
  }
}

template <typename T>
void multiplyTransposedB(const Eigen::Ref<const Matrix<T>>& a, const Eigen::Ref<const Matrix<T>>& b,
                         Eigen::Ref<Matrix<T>> c) {
  if constexpr (std::is_same_v<T, float>) {
    floatProduct({a.data(), a.outerStride(), false}, {b.data(), b.outerStride(), true}, a.rows(),
                 b.rows(), a.cols(), c);
  } else {
    c.noalias() = a * b.transpose();
  }
}

template <typename T>
void multiply(const Eigen::Ref<const Matrix<T>>& a, const Eigen::Ref<const Matrix<T>>& b,
              Eigen::Ref<Matrix<T>> c) {
  if constexpr (std::is_same_v<T, float>) {
    floatProduct({a.data(), a.outerStride(), false}, {b.data(), b.outerStride(), false}, a.rows(),
                 b.cols(), a.cols(), c);
  } else {
    c.noalias() = a * b;
  }
}

template void multiplyTransposedA<float>(const Eigen::Ref<const Matrix<float>>&,
                                         const Eigen::Ref<const Matrix<float>>&,
                                         Eigen::Ref<Matrix<float>>, const float*);
template void multiplyTransposedA<double>(const Eigen::Ref<const Matrix<double>>&,
                                          const Eigen::Ref<const Matrix<double>>&,
                                          Eigen::Ref<Matrix<double>>, const double*);
template void multiplyTransposedB<float>(const Eigen::Ref<const Matrix<float>>&,
                                         const Eigen::Ref<const Matrix<float>>&,
                                         Eigen::Ref<Matrix<float>>);
template void multiplyTransposedB<double>(const Eigen::Ref<const Matrix<double>>&,
                                          const Eigen::Ref<const Matrix<double>>&,
                                          Eigen::Ref<Matrix<double>>);
template void multiply<float>(const Eigen::Ref<const Matrix<float>>&,
                              const Eigen::Ref<const Matrix<float>>&, Eigen::Ref<Matrix<float>>);
template void multiply<double>(const Eigen::Ref<const Matrix<double>>&,
                               const Eigen::Ref<const Matrix<double>>&, Eigen::Ref<Matrix<double>>);

}  // namespace gradscope::core
