// The three matrix products of a dense layer, with one sample per column:
//   forward    Z  = K^T X + b  multiplyTransposedA(K, X, Z, b)
//   backward   dK = X dZ^T     multiplyTransposedB(X, dZ, dK)
//              dX = K dZ       multiply(K, dZ, dX)
// The result is overwritten and must already have the product's size.
//
// They are nearly all of a training step's time, so float products run our own blocked
// products, chosen at start-up by the processor's instruction-set level (kernel_level.h):
// on AVX-512 a 32x12 register tile (blocked_product.h), on AVX2 a 16x6 one
// (avx2_product.cpp). Eigen 3.4's kernel reaches about 75-80% of an optimised BLAS's rate on
// these shapes, and PyTorch calls such a BLAS. The blocked products follow Goto and van de
// Geijn, "Anatomy of high-performance matrix multiplication" (ACM TOMS 2008): blocks of both
// operands are packed into contiguous panels and a tile of the result accumulates in vector
// registers. On AVX-512, a last panel of at most 8 rows (100-unit layers leave 4) is computed
// apart, as dot products or along B's rows, since a tile of so few rows would waste most of
// each broadcast. Tiny float products, where packing costs more than it saves, skip it. The
// baseline level (x86-64 without AVX2, and other architectures) uses Eigen, and so does
// double precision, which the reference tests use.
//
// Float results differ between levels, and from Eigen's, in the last bits (other summation
// orders); at one level they are the same from run to run.
// With threadCount() > 1 (see threading.h), large products split their columns over the
// threads.
#pragma once

#include "core/model/types.h"

namespace gradscope::core {

// c = a^T b, plus bias (one value per row of c) added to every column when it is given:
// a Dense layer's z = K^T x + b. The sums start from the bias, which saves a pass over c.
template <typename T>
void multiplyTransposedA(const Eigen::Ref<const Matrix<T>>& a, const Eigen::Ref<const Matrix<T>>& b,
                         Eigen::Ref<Matrix<T>> c, const T* bias = nullptr);
// c = a b^T
template <typename T>
void multiplyTransposedB(const Eigen::Ref<const Matrix<T>>& a, const Eigen::Ref<const Matrix<T>>& b,
                         Eigen::Ref<Matrix<T>> c);
// c = a b
template <typename T>
void multiply(const Eigen::Ref<const Matrix<T>>& a, const Eigen::Ref<const Matrix<T>>& b,
              Eigen::Ref<Matrix<T>> c);

// True when float products use one of our blocked products (the level in use is not the
// baseline).
bool usesBlockedFloatProduct();

}  // namespace gradscope::core
