#include "core/kernels/elementwise.h"

#include "core/kernels/kernel_level.h"
#include "core/kernels/level_products.h"

namespace gradscope::core {

namespace {

using ConstMap = Eigen::Map<const Eigen::ArrayXf>;
using Map = Eigen::Map<Eigen::ArrayXf>;

}  // namespace

void sigmoidForward(const float* z, float* a, Index n) {
#if defined(GRADSCOPE_LEVEL_KERNELS)
  switch (kernelLevel()) {
    case KernelLevel::Avx512:
      return kernels::avx512::sigmoidForward(z, a, n);
    case KernelLevel::Avx2:
      return kernels::avx2::sigmoidForward(z, a, n);
    case KernelLevel::Baseline:
      break;
  }
#endif
  Map(a, n) = ConstMap(z, n).logistic();
}

void sigmoidBackward(const float* gradA, const float* a, float* gradZ, Index n) {
#if defined(GRADSCOPE_LEVEL_KERNELS)
  switch (kernelLevel()) {
    case KernelLevel::Avx512:
      return kernels::avx512::sigmoidBackward(gradA, a, gradZ, n);
    case KernelLevel::Avx2:
      return kernels::avx2::sigmoidBackward(gradA, a, gradZ, n);
    case KernelLevel::Baseline:
      break;
  }
#endif
  Map(gradZ, n) = ConstMap(gradA, n) * ConstMap(a, n) * (1.0f - ConstMap(a, n));
}

void tanhForward(const float* z, float* a, Index n) {
#if defined(GRADSCOPE_LEVEL_KERNELS)
  switch (kernelLevel()) {
    case KernelLevel::Avx512:
      return kernels::avx512::tanhForward(z, a, n);
    case KernelLevel::Avx2:
      return kernels::avx2::tanhForward(z, a, n);
    case KernelLevel::Baseline:
      break;
  }
#endif
  Map(a, n) = ConstMap(z, n).tanh();
}

void tanhBackward(const float* gradA, const float* a, float* gradZ, Index n) {
#if defined(GRADSCOPE_LEVEL_KERNELS)
  switch (kernelLevel()) {
    case KernelLevel::Avx512:
      return kernels::avx512::tanhBackward(gradA, a, gradZ, n);
    case KernelLevel::Avx2:
      return kernels::avx2::tanhBackward(gradA, a, gradZ, n);
    case KernelLevel::Baseline:
      break;
  }
#endif
  Map(gradZ, n) = ConstMap(gradA, n) * (1.0f - ConstMap(a, n).square());
}

void rectifierForward(const float* z, float* a, Index n, float slope) {
#if defined(GRADSCOPE_LEVEL_KERNELS)
  switch (kernelLevel()) {
    case KernelLevel::Avx512:
      return kernels::avx512::rectifierForward(z, a, n, slope);
    case KernelLevel::Avx2:
      return kernels::avx2::rectifierForward(z, a, n, slope);
    case KernelLevel::Baseline:
      break;
  }
#endif
  if (slope == 0.0f) {
    Map(a, n) = ConstMap(z, n).max(0.0f);
  } else {
    Map(a, n) = (ConstMap(z, n) > 0.0f).select(ConstMap(z, n), slope * ConstMap(z, n));
  }
}

void rectifierBackward(const float* z, const float* gradA, float* gradZ, Index n, float slope) {
#if defined(GRADSCOPE_LEVEL_KERNELS)
  switch (kernelLevel()) {
    case KernelLevel::Avx512:
      return kernels::avx512::rectifierBackward(z, gradA, gradZ, n, slope);
    case KernelLevel::Avx2:
      return kernels::avx2::rectifierBackward(z, gradA, gradZ, n, slope);
    case KernelLevel::Baseline:
      break;
  }
#endif
  Map(gradZ, n) = (ConstMap(z, n) > 0.0f).select(ConstMap(gradA, n), slope * ConstMap(gradA, n));
}

}  // namespace gradscope::core
