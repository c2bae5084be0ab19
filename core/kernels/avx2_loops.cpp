// The element-wise loops (elementwise.h) at the AVX2 level: compiled with -march=x86-64-v3.
#include <cstdint>

#include "core/kernels/level_products.h"

namespace gradscope::core::kernels::avx2 {

constexpr int kWidth = 8;
#include "core/kernels/elementwise_loops.inc"

}  // namespace gradscope::core::kernels::avx2
