// The three matrix products of a dense layer, with one sample per column:
//   forward    Z  = K^T X + b  multiplyTransposedA(K, X, Z, b)
//   backward   dK = X dZ^T     multiplyTransposedB(X, dZ, dK)
//              dX = K dZ       multiply(K, dZ, dX)
// The result is overwritten and must already have the product's size.
//
// They are nearly all of a training step's time, so float products on AVX-512 processors
// use our own blocked product (blocked_product.h) instead of Eigen's: Eigen 3.4's kernel (48x4
// register tiles) reaches about 75-80% of an optimised BLAS's rate on these shapes, and PyTorch
// calls such a BLAS. The blocked product follows Goto and van de Geijn, "Anatomy of
// high-performance matrix multiplication" (ACM TOMS 2008): blocks of both operands are packed into
// contiguous panels and a 32x12 tile of the result accumulates in 24 vector registers. A
// last panel of at most 8 rows (100-unit layers leave 4) is computed apart, as dot products
// or along B's rows, since a tile of so few rows would waste most of each broadcast.
// Tiny float products, where packing costs more than it saves, skip it. Float products on
// other processors use Eigen, and so does double precision, which the reference tests use.
//
// Float results may differ from Eigen's in the last bits (another summation order).
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

// True when float products use the blocked AVX-512 product (the build targets AVX-512).
bool usesBlockedFloatProduct();

}  // namespace gradscope::core
