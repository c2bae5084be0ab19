// The element-wise loops (elementwise.h) at the AVX-512 level: compiled with -march=x86-64-v4.
#include <cstdint>

#include "core/kernels/level_products.h"

namespace gradscope::core::kernels::avx512 {

constexpr int kWidth = 16;
#include "core/kernels/elementwise_loops.inc"

}  // namespace gradscope::core::kernels::avx512
