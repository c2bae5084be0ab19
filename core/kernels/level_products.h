// The float products of each instruction-set level, internal to the engine: matrix_product.cpp
// chooses among them by kernelLevel() (kernel_level.h).
//
// Each level's kernels are .cpp files compiled with that level's -march flag alone
// (core/CMakeLists.txt). They include no Eigen and instantiate no library template that other
// files instantiate too (beyond std::min on integers, which has no vector code): such a
// template's code would be compiled once per level, and the linker would keep one of the
// copies for the whole program, possibly one with instructions the processor lacks. Their own
// helpers have internal linkage or live in the level's namespace.
#pragma once

#include <cstddef>

namespace gradscope::core::kernels {

using Index = std::ptrdiff_t;  // Eigen::Index

// A (m x k) or B (k x n) as stored: column-major with leading dimension ld, read either as
// it is or transposed.
struct Operand {
  const float* data;
  Index ld;
  bool transposed;
};

// C (m x n, leading dimension ldc) = op(A) op(B), op(A) being m x k; the sums start from
// bias (one value per row of C) when it is given. Large products split their columns over
// threadCount() threads (threading.h) and give the same bits on any thread count.
using FloatProduct = void (*)(const Operand& a, const Operand& b, Index m, Index n, Index k,
                              float* c, Index ldc, const float* bias);

}  // namespace gradscope::core::kernels

// Present when the build compiled the x86-64 levels (GRADSCOPE_LEVEL_KERNELS, x86-64 only).
// Each level has the float product and the element-wise loops of elementwise.h.
namespace gradscope::core::kernels::avx2 {
void floatProduct(const Operand& a, const Operand& b, Index m, Index n, Index k, float* c,
                  Index ldc, const float* bias);
void sigmoidForward(const float* z, float* a, Index n);
void sigmoidBackward(const float* gradA, const float* a, float* gradZ, Index n);
void rectifierForward(const float* z, float* a, Index n, float slope);
void rectifierBackward(const float* z, const float* gradA, float* gradZ, Index n, float slope);
void tanhForward(const float* z, float* a, Index n);
void tanhBackward(const float* gradA, const float* a, float* gradZ, Index n);
}  // namespace gradscope::core::kernels::avx2

namespace gradscope::core::kernels::avx512 {
void floatProduct(const Operand& a, const Operand& b, Index m, Index n, Index k, float* c,
                  Index ldc, const float* bias);
void sigmoidForward(const float* z, float* a, Index n);
void sigmoidBackward(const float* gradA, const float* a, float* gradZ, Index n);
void rectifierForward(const float* z, float* a, Index n, float slope);
void rectifierBackward(const float* z, const float* gradA, float* gradZ, Index n, float slope);
void tanhForward(const float* z, float* a, Index n);
void tanhBackward(const float* gradA, const float* a, float* gradZ, Index n);
}  // namespace gradscope::core::kernels::avx512
