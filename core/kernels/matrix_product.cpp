#include "core/kernels/matrix_product.h"

#include <type_traits>

#include "core/kernels/kernel_level.h"
#include "core/kernels/level_products.h"

namespace gradscope::core {

namespace {

using kernels::Operand;

// The baseline level: Eigen's product, compiled for the build's target (x86-64 with SSE2 in a
// portable build, or any other architecture).
void eigenProduct(const Operand& a, const Operand& b, Index m, Index n, Index k, float* c,
                  Index ldc, const float* bias) {
  using Map = Eigen::Map<const Matrix<float>, 0, Eigen::OuterStride<>>;
  const Map aMap(a.data, a.transposed ? k : m, a.transposed ? m : k, Eigen::OuterStride<>(a.ld));
  const Map bMap(b.data, b.transposed ? n : k, b.transposed ? k : n, Eigen::OuterStride<>(b.ld));
  Eigen::Map<Matrix<float>, 0, Eigen::OuterStride<>> cMap(c, m, n, Eigen::OuterStride<>(ldc));
  if (a.transposed) {
    cMap.noalias() = aMap.transpose() * bMap;
  } else if (b.transposed) {
    cMap.noalias() = aMap * bMap.transpose();
  } else {
    cMap.noalias() = aMap * bMap;
  }
  if (bias) cMap.colwise() += Eigen::Map<const Vector<float>>(bias, m);
}

// The dispatch table: each level's float product.
kernels::FloatProduct productOf(KernelLevel level) {
#if defined(GRADSCOPE_LEVEL_KERNELS)
  switch (level) {
    case KernelLevel::Avx512:
      return &kernels::avx512::floatProduct;
    case KernelLevel::Avx2:
      return &kernels::avx2::floatProduct;
    case KernelLevel::Baseline:
      break;
  }
#else
  (void)level;
#endif
  return &eigenProduct;
}

// c = op(A) op(B) (+ bias) in float, by the level in use (kernel_level.h).
void floatProduct(const Operand& a, const Operand& b, Index m, Index n, Index k,
                  Eigen::Ref<Matrix<float>> c, const float* bias = nullptr) {
  productOf(kernelLevel())(a, b, m, n, k, c.data(), c.outerStride(), bias);
}

}  // namespace

bool usesBlockedFloatProduct() { return kernelLevel() != KernelLevel::Baseline; }

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
