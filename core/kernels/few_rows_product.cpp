// The last few rows of a float product (see blocked_product.h).
//
// A last row panel of at most kFewRows rows (100-unit layers leave 4 after three 32-row
// tiles) gets little from the tile kernel: each broadcast of B feeds a single 8-float
// multiply-add, and the broadcasts limit it (on AMD Zen 4 these 4 rows took 1.7 us of a
// 13 us 100x64x100 product). They are computed the other way round, in groups of four:
// - B untransposed (its columns contiguous in depth): as dot products of A's rows with B's
//   columns, 16 depths per multiply-add, summed across the lanes at the end;
// - B transposed (its rows contiguous across columns): broadcasting A and running along
//   16 columns of B at a time.

#include "core/kernels/blocked_product.h"

#include <algorithm>

namespace gradscope::core::kernels::avx512 {

namespace {

constexpr Index kGroupRows = 4;  // rows computed together, one 128-bit lane of results

// The values of up to four rows starting at `bias` in every 128-bit lane (zeros without a
// bias): the start of the sums of a group of rows.
inline __m512 biasLanes(const float* bias, Index rows) {
  if (!bias) return _mm512_setzero_ps();
  return _mm512_broadcast_f32x4(_mm_maskz_loadu_ps(__mmask8((1u << rows) - 1u), bias));
}

// Writes the 128-bit lane `lane` of x (the values of rows [0, rows) of one column of C) to
// the column starting at c, adding what is there when `accumulate`. The masked 512-bit
// store at c - 4 lane touches only that lane's floats.
inline void storeLane(__m512 x, int lane, Index rows, float* c, bool accumulate) {
  const __mmask16 mask = __mmask16(((1u << rows) - 1u) << (4 * lane));
  float* base = c - 4 * lane;
  if (accumulate) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(mask, base));
  _mm512_mask_storeu_ps(base, mask, x);
}

// The totals of the accumulators s[r][j] (row r, column j, 16 partial sums each): the
// result's 128-bit lane j holds the totals of rows 0 to 3 of column j.
inline __m512 sumRowsOfColumns(const __m512 s[kGroupRows][4]) {
  __m512 u[4];
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    // Within each 128-bit lane: rows 0 and 1 (and 2 and 3) interleaved and added, then the
    // pairs added, leaving one partial sum per row in each lane.
    const __m512 t01 =
        _mm512_add_ps(_mm512_unpacklo_ps(s[0][j], s[1][j]), _mm512_unpackhi_ps(s[0][j], s[1][j]));
    const __m512 t23 =
        _mm512_add_ps(_mm512_unpacklo_ps(s[2][j], s[3][j]), _mm512_unpackhi_ps(s[2][j], s[3][j]));
    u[j] = _mm512_add_ps(_mm512_shuffle_ps(t01, t23, _MM_SHUFFLE(1, 0, 1, 0)),
                         _mm512_shuffle_ps(t01, t23, _MM_SHUFFLE(3, 2, 3, 2)));
  }
  // u[j] holds four partial sums of the four rows, one per 128-bit lane: add the lanes,
  // gathering column j's total into lane j.
  const __m512 s01 = _mm512_add_ps(_mm512_shuffle_f32x4(u[0], u[1], _MM_SHUFFLE(1, 0, 1, 0)),
                                   _mm512_shuffle_f32x4(u[0], u[1], _MM_SHUFFLE(3, 2, 3, 2)));
  const __m512 s23 = _mm512_add_ps(_mm512_shuffle_f32x4(u[2], u[3], _MM_SHUFFLE(1, 0, 1, 0)),
                                   _mm512_shuffle_f32x4(u[2], u[3], _MM_SHUFFLE(3, 2, 3, 2)));
  return _mm512_add_ps(_mm512_shuffle_f32x4(s01, s23, _MM_SHUFFLE(2, 0, 2, 0)),
                       _mm512_shuffle_f32x4(s01, s23, _MM_SHUFFLE(3, 1, 3, 1)));
}

// C(rows x n) (+)= A B over kc depths, rows <= 4, as dot products: row r of A at
// aRows + r aStride and column j of B at bColumns + j ldb, both contiguous in depth.
// Sums start from `start` (see biasLanes).
void dotProductRows(const float* aRows, Index aStride, Index rows, const float* bColumns, Index ldb,
                    Index n, Index kc, float* c, Index ldc, bool accumulate, __m512 start) {
  const Index vectors = (kc + kLanes - 1) / kLanes;
  const __mmask16 lastMask = firstLanes(kc - (vectors - 1) * kLanes);
  // Missing rows and columns repeat the last real one: loads stay inside the operands, and
  // their sums are never stored.
  const float* a[kGroupRows];
  for (Index r = 0; r < kGroupRows; ++r) a[r] = aRows + std::min(r, rows - 1) * aStride;
  for (Index j0 = 0; j0 < n; j0 += 4) {
    const Index cols = std::min<Index>(4, n - j0);
    const float* b[4];
    for (Index j = 0; j < 4; ++j) b[j] = bColumns + (j0 + std::min(j, cols - 1)) * ldb;
    __m512 acc[kGroupRows][4];
#pragma GCC unroll 4
    for (auto& row : acc) {
#pragma GCC unroll 4
      for (auto& x : row) x = _mm512_setzero_ps();
    }
    for (Index v = 0; v < vectors; ++v) {
      const __mmask16 mask = v + 1 < vectors ? __mmask16(0xFFFF) : lastMask;
      __m512 av[kGroupRows], bv[4];
#pragma GCC unroll 4
      for (int r = 0; r < kGroupRows; ++r) av[r] = _mm512_maskz_loadu_ps(mask, a[r] + v * kLanes);
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) bv[j] = _mm512_maskz_loadu_ps(mask, b[j] + v * kLanes);
#pragma GCC unroll 4
      for (int r = 0; r < kGroupRows; ++r) {
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) acc[r][j] = _mm512_fmadd_ps(av[r], bv[j], acc[r][j]);
      }
    }
    const __m512 sums = _mm512_add_ps(start, sumRowsOfColumns(acc));
#pragma GCC unroll 4
    for (int j = 0; j < cols; ++j) storeLane(sums, j, rows, c + (j0 + j) * ldc, accumulate);
  }
}

// C(rows x n) (+)= A B over kc depths, rows <= 4, broadcasting A: A(r, p) at
// a + r aRowStep + p aDepthStep, and row p of B at bRows + p ldb, contiguous across columns.
template <int kVectors>
void broadcastRowsBlock(const float* a, Index aRowStep, Index aDepthStep, Index rows,
                        const float* bRows, Index ldb, Index cols, Index kc, float* c, Index ldc,
                        bool accumulate, __m512 start) {
  __mmask16 masks[kVectors];
#pragma GCC unroll 4
  for (int v = 0; v < kVectors; ++v) masks[v] = firstLanes(cols - v * kLanes);
  const float* ar[kGroupRows];
  for (Index r = 0; r < kGroupRows; ++r) ar[r] = a + std::min(r, rows - 1) * aRowStep;
  __m512 acc[kGroupRows][kVectors];
#pragma GCC unroll 4
  for (auto& row : acc) {
#pragma GCC unroll 4
    for (auto& x : row) x = _mm512_setzero_ps();
  }
  for (Index p = 0; p < kc; ++p) {
    __m512 bv[kVectors];
#pragma GCC unroll 4
    for (int v = 0; v < kVectors; ++v) {
      bv[v] = _mm512_maskz_loadu_ps(masks[v], bRows + p * ldb + v * kLanes);
    }
#pragma GCC unroll 4
    for (int r = 0; r < kGroupRows; ++r) {
      const __m512 ap = _mm512_set1_ps(ar[r][p * aDepthStep]);
#pragma GCC unroll 4
      for (int v = 0; v < kVectors; ++v) acc[r][v] = _mm512_fmadd_ps(ap, bv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 4
  for (int v = 0; v < kVectors; ++v) {
    // Transpose each 4 x 16 block so that every 128-bit lane holds one column's four rows:
    // column 4k + q ends up in lane k of u[q].
    const __m512 t0 = _mm512_unpacklo_ps(acc[0][v], acc[1][v]);
    const __m512 t1 = _mm512_unpackhi_ps(acc[0][v], acc[1][v]);
    const __m512 t2 = _mm512_unpacklo_ps(acc[2][v], acc[3][v]);
    const __m512 t3 = _mm512_unpackhi_ps(acc[2][v], acc[3][v]);
    const __m512 u[4] = {_mm512_add_ps(start, _mm512_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0))),
                         _mm512_add_ps(start, _mm512_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2))),
                         _mm512_add_ps(start, _mm512_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0))),
                         _mm512_add_ps(start, _mm512_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2)))};
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) {
#pragma GCC unroll 4
      for (int q = 0; q < 4; ++q) {
        const Index j = v * kLanes + 4 * k + q;
        if (j < cols) storeLane(u[q], k, rows, c + j * ldc, accumulate);
      }
    }
  }
}

void broadcastRows(const float* a, Index aRowStep, Index aDepthStep, Index rows, const float* bRows,
                   Index ldb, Index n, Index kc, float* c, Index ldc, bool accumulate,
                   __m512 start) {
  // Up to four vectors of columns at a time: 16 accumulators.
  constexpr Index kBlock = 4 * kLanes;
  for (Index j0 = 0; j0 < n; j0 += kBlock) {
    const Index cols = std::min(kBlock, n - j0);
    const auto run = [&](auto block) {
      block(a, aRowStep, aDepthStep, rows, bRows + j0, ldb, cols, kc, c + j0 * ldc, ldc, accumulate,
            start);
    };
    switch ((cols + kLanes - 1) / kLanes) {
      case 1:
        run(broadcastRowsBlock<1>);
        break;
      case 2:
        run(broadcastRowsBlock<2>);
        break;
      case 3:
        run(broadcastRowsBlock<3>);
        break;
      default:
        run(broadcastRowsBlock<4>);
        break;
    }
  }
}

}  // namespace

// C(rows x n) (+)= op(A) op(B) for rows [i0, i0 + rows) of C (rows <= kFewRows), columns
// [j0, j0 + n) and depths [p0, p0 + kc), C pointing at row i0 and column 0. Sums start
// from bias (row i0's value) when it is given.
void fewRowsProduct(const Operand& a, const Operand& b, Index i0, Index rows, Index p0, Index kc,
                    Index j0, Index n, float* c, Index ldc, bool accumulate, const float* bias) {
  for (Index g = 0; g < rows; g += kGroupRows) {
    const Index groupRows = std::min(kGroupRows, rows - g);
    const Index i = i0 + g;
    float* cg = c + g + j0 * ldc;
    const __m512 start = biasLanes(bias ? bias + g : nullptr, groupRows);
    if (b.transposed) {
      // B(p, j) = b[j + p ld].
      const float* aFirst = a.transposed ? a.data + p0 + i * a.ld : a.data + i + p0 * a.ld;
      broadcastRows(aFirst, a.transposed ? a.ld : 1, a.transposed ? 1 : a.ld, groupRows,
                    b.data + j0 + p0 * b.ld, b.ld, n, kc, cg, ldc, accumulate, start);
      continue;
    }
    // B(p, j) = b[p + j ld]: dot products need A's rows contiguous in depth, which a
    // transposed A has; otherwise they are copied.
    const float* bColumns = b.data + p0 + j0 * b.ld;
    if (a.transposed) {
      dotProductRows(a.data + p0 + i * a.ld, a.ld, groupRows, bColumns, b.ld, n, kc, cg, ldc,
                     accumulate, start);
    } else {
      // Four depths at a time: four columns of up to 4 rows, transposed in registers.
      alignas(64) float aRows[kGroupRows * kKc];
      const __mmask8 rowMask = __mmask8((1u << groupRows) - 1u);
      const float* first = a.data + i + p0 * a.ld;
      Index p = 0;
      for (; p + 4 <= kc; p += 4) {
        __m128 r0 = _mm_maskz_loadu_ps(rowMask, first + p * a.ld);
        __m128 r1 = _mm_maskz_loadu_ps(rowMask, first + (p + 1) * a.ld);
        __m128 r2 = _mm_maskz_loadu_ps(rowMask, first + (p + 2) * a.ld);
        __m128 r3 = _mm_maskz_loadu_ps(rowMask, first + (p + 3) * a.ld);
        _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
        _mm_storeu_ps(aRows + p, r0);
        _mm_storeu_ps(aRows + kc + p, r1);
        _mm_storeu_ps(aRows + 2 * kc + p, r2);
        _mm_storeu_ps(aRows + 3 * kc + p, r3);
      }
      for (; p < kc; ++p) {
        for (Index r = 0; r < groupRows; ++r) aRows[r * kc + p] = first[r + p * a.ld];
      }
      dotProductRows(aRows, kc, groupRows, bColumns, b.ld, n, kc, cg, ldc, accumulate, start);
    }
  }
}

}  // namespace gradscope::core::kernels::avx512
