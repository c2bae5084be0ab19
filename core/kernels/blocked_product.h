// The float products of matrix_product.h at the AVX-512 level (x86-64-v4), internal to the
// engine: blocked_product.cpp (packing, the register-tile kernel and its driver, the tiny
// product) and few_rows_product.cpp (the last few rows of a product, computed apart). Both
// are compiled with -march=x86-64-v4 only (see level_products.h).
#pragma once

#include <immintrin.h>

#include "core/kernels/level_products.h"

namespace gradscope::core::kernels::avx512 {

// Below this many multiply-adds a float product skips packing and blocking, which cost more
// than they save on the 2-8-8-1 networks of the lecture demos.
constexpr Index kSmallProduct = 16 * 16 * 16;
// Below this many multiply-adds a product stays on one thread: waking the second thread
// costs more than it saves (measured: 100-unit layers at batch 64 slow down on two threads).
constexpr Index kParallelProduct = 1 << 22;

constexpr int kLanes = 16;  // floats per vector register
constexpr int kMr = 32;     // rows of a register tile: two vectors
constexpr int kNr = 12;     // columns of a register tile: 2 x 12 accumulators, 32 registers
constexpr Index kKc = 256;  // depth of a packed block: a 12-column B panel (12 KB) stays in L1
constexpr Index kMc = 256;  // rows of a packed A block: 256 KB with kKc, stays in L2
// A last panel of at most this many rows is computed apart (see few_rows_product.cpp).
constexpr Index kFewRows = 8;

// A mask of the first `count` of 16 lanes.
inline __mmask16 firstLanes(Index count) {
  if (count >= kLanes) return __mmask16(0xFFFF);
  if (count <= 0) return __mmask16(0);
  return __mmask16((1u << count) - 1u);
}

// C = op(A) op(B) for tiny operands (fewer than kSmallProduct multiply-adds), without
// packing: each column of C accumulates 16-row pieces of A's columns in one register. A
// transposed A is first copied into column order on the stack. Sums start from `bias` (one
// value per row) when it is given.
void smallProduct(const Operand& a, const Operand& b, Index m, Index n, Index k, float* c,
                  Index ldc, const float* bias);

// C (m x n, leading dimension ldc) = op(A) op(B) (+ bias, one value per row), op(A) being
// m x k, split over threadCount() threads when large enough.
void blockedProduct(const Operand& a, const Operand& b, Index m, Index n, Index k, float* c,
                    Index ldc, const float* bias);

// C(rows x n) (+)= op(A) op(B) for rows [i0, i0 + rows) of C (rows <= kFewRows), columns
// [j0, j0 + n) and depths [p0, p0 + kc), C pointing at row i0 and column 0. Sums start
// from bias (row i0's value) when it is given.
void fewRowsProduct(const Operand& a, const Operand& b, Index i0, Index rows, Index p0, Index kc,
                    Index j0, Index n, float* c, Index ldc, bool accumulate, const float* bias);

}  // namespace gradscope::core::kernels::avx512
