#include "core/kernels/blocked_product.h"

#include <algorithm>
#include <cstdlib>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "core/kernels/threading.h"

namespace gradscope::core::kernels::avx512 {

namespace {

// A packing buffer aligned for vector stores. Its contents need not survive a resize.
// (Not std::vector: see level_products.h on library templates in level files.)
class PackBuffer {
 public:
  PackBuffer() = default;
  PackBuffer(const PackBuffer&) = delete;
  PackBuffer& operator=(const PackBuffer&) = delete;
  ~PackBuffer() { std::free(m_data); }
  float* data() { return m_data; }
  void reserve(Index size) {
    if (size <= m_size) return;
    std::free(m_data);
    const std::size_t bytes = (std::size_t(size) * sizeof(float) + 63) / 64 * 64;
    m_data = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (!m_data) std::abort();  // out of memory, as std::vector's bad_alloc would end it
    m_size = size;
  }

 private:
  float* m_data = nullptr;
  Index m_size = 0;
};

// Packing buffers of one thread, kept between calls so that a training step allocates
// nothing once the first step has sized them.
struct PackBuffers {
  PackBuffer a, b;
  void reserve(Index aSize, Index bSize) {
    a.reserve(aSize);
    b.reserve(bSize);
  }
};

// Transposes the 16x16 block held in r[0..15] (r[i] = row i) in place.
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
  // Interleave pairs of rows (32-bit elements), then pairs of pairs (64-bit), then
  // 128-bit lanes twice: four stages of 16 shuffles.
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
    t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xdd);
    t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
    t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xdd);
  }
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
  }
}

// Packs rows [i0, i0 + rows) (rows <= kMr) and depths [p0, p0 + kc) of A into one panel:
// A(i0 + r, p0 + p) at p kMr + r, zero-padded to kMr rows.
void packPanelA(const Operand& a, Index i0, Index rows, Index p0, Index kc, float* dst) {
  if (!a.transposed) {
    // A(i, p) = data[i + p ld]: each depth is a contiguous run of rows.
    const __mmask16 low = firstLanes(rows), high = firstLanes(rows - kLanes);
    const float* src = a.data + i0 + p0 * a.ld;
    for (Index p = 0; p < kc; ++p, src += a.ld) {
      _mm512_store_ps(dst + p * kMr, _mm512_maskz_loadu_ps(low, src));
      _mm512_store_ps(dst + p * kMr + kLanes, _mm512_maskz_loadu_ps(high, src + kLanes));
    }
    return;
  }
  // A(i, p) = data[p + i ld]: each row is contiguous in depth, so 16x16 blocks are loaded
  // row by row and transposed in registers. A panel of at most 16 rows fills only the
  // first half, the one the narrower kernels read.
  for (int half = 0; half * kLanes < rows; ++half) {
    const Index halfRows = std::min<Index>(kLanes, rows - half * kLanes);
    const float* src = a.data + p0 + (i0 + half * kLanes) * a.ld;
    for (Index pc = 0; pc < kc; pc += kLanes) {
      const Index depth = std::min<Index>(kLanes, kc - pc);
      const __mmask16 mask = firstLanes(depth);
      __m512 block[16];
      for (int r = 0; r < kLanes; ++r) {
        block[r] =
            r < halfRows ? _mm512_maskz_loadu_ps(mask, src + r * a.ld + pc) : _mm512_setzero_ps();
      }
      transpose16(block);
      for (Index q = 0; q < depth; ++q) {
        _mm512_store_ps(dst + (pc + q) * kMr + half * kLanes, block[q]);
      }
    }
  }
}

// The width of the panel holding columns [jp, jp + cols): kNr, or 4 or 8 for the last
// panel, so that a batch of 64 or 128 wastes no more than a few columns.
int panelWidth(Index cols) { return cols > 8 ? kNr : (cols > 4 ? 8 : 4); }

// Packs depths [p0, p0 + kc) and columns [j0, j0 + cols) of B into one panel of `width`
// columns, zero-padded. Untransposed B (contiguous in depth) is packed column by column,
// B(p0 + p, j0 + c) at c kc + p; transposed B (contiguous in columns) depth by depth, at
// p width + c. Either way the kernel reads B as broadcast scalars.
void packPanelB(const Operand& b, Index p0, Index kc, Index j0, Index cols, int width, float* dst) {
  if (!b.transposed) {
    // Vector moves rather than memcpy: a library call costs more than these short columns.
    for (int c = 0; c < width; ++c) {
      float* column = dst + c * kc;
      if (c >= cols) {
        for (Index p = 0; p < kc; ++p) column[p] = 0.0f;
        continue;
      }
      const float* src = b.data + p0 + (j0 + c) * b.ld;
      Index p = 0;
      for (; p + kLanes <= kc; p += kLanes) _mm512_storeu_ps(column + p, _mm512_loadu_ps(src + p));
      const __mmask16 rest = firstLanes(kc - p);
      _mm512_mask_storeu_ps(column + p, rest, _mm512_maskz_loadu_ps(rest, src + p));
    }
    return;
  }
  const __mmask16 load = firstLanes(cols), store = firstLanes(width);
  const float* src = b.data + j0 + p0 * b.ld;
  for (Index p = 0; p < kc; ++p, src += b.ld) {
    _mm512_mask_storeu_ps(dst + p * width, store, _mm512_maskz_loadu_ps(load, src));
  }
}

// An operand small enough to stay in cache is read in place, without packing, when its
// layout already suits the kernel: A untransposed (rows contiguous), B either way. Leading
// dimensions that are multiples of 256 floats (1 KB) would map a panel's rows onto the
// same few cache sets, so such operands are packed anyway.
constexpr Index kInPlaceLimit = 32 * 1024;  // floats
bool readInPlace(const Operand& x, Index rows, Index cols) {
  return rows * cols <= kInPlaceLimit && x.ld % 256 != 0;
}

// One tile of C: its operand panels and where it goes. The panels are read with strides,
// so that they can be packed buffers or the operands in place: A's depth p starts at
// pa + p aStep; B's element (p, j) is pb[j bStep + p] in a column panel and pb[p bStep + j]
// in a row panel. Sums start from bias (the value of the tile's first row) when it is given.
struct Tile {
  Index kc;
  const float* pa;
  Index aStep;
  const float* pb;
  Index bStep;
  float* c;
  Index ldc;
  Index rows;
  Index cols;
  bool accumulate;
  const float* bias;
};

// C(rows x cols tile) (+)= A panel x B panel over kc depths: kVectors 16-float registers by
// kWidth columns accumulate; rows and cols trim the stores at the matrix edges.
template <int kVectors, int kWidth, bool kColumnPanel>
void microKernel(const Tile& t) {
  const Index kc = t.kc, aStep = t.aStep, bStep = t.bStep, ldc = t.ldc;
  const Index rows = t.rows, cols = t.cols;
  const float* pa = t.pa;
  const float* pb = t.pb;
  float* c = t.c;
  const bool accumulate = t.accumulate;
  // The accumulators live in registers only if these short loops are fully unrolled, which
  // GCC does by itself at -O3 but not at -O2 (RelWithDebInfo): hence the pragmas.
  __m512 acc[kVectors][kWidth];
#pragma GCC unroll 2
  for (int v = 0; v < kVectors; ++v) {
    const __m512 start =
        t.bias ? _mm512_maskz_loadu_ps(firstLanes(rows - v * kLanes), t.bias + v * kLanes)
               : _mm512_setzero_ps();
#pragma GCC unroll 12
    for (int j = 0; j < kWidth; ++j) acc[v][j] = start;
  }
  for (Index p = 0; p < kc; ++p, pa += aStep) {
    __m512 av[kVectors];
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; ++v) av[v] = _mm512_loadu_ps(pa + v * kLanes);
#pragma GCC unroll 12
    for (int j = 0; j < kWidth; ++j) {
      const __m512 bj = _mm512_set1_ps(kColumnPanel ? pb[j * bStep + p] : pb[p * bStep + j]);
#pragma GCC unroll 2
      for (int v = 0; v < kVectors; ++v) acc[v][j] = _mm512_fmadd_ps(av[v], bj, acc[v][j]);
    }
  }
  if (cols == kWidth && rows == kVectors * kLanes && !accumulate) {
    // The common whole tile: plain stores straight from the registers.
#pragma GCC unroll 12
    for (int j = 0; j < kWidth; ++j) {
#pragma GCC unroll 2
      for (int v = 0; v < kVectors; ++v) _mm512_storeu_ps(c + j * ldc + v * kLanes, acc[v][j]);
    }
    return;
  }
#pragma GCC unroll 12
  for (int j = 0; j < kWidth; ++j) {
    if (j >= cols) break;
    float* cj = c + j * ldc;
    for (int v = 0; v < kVectors; ++v) {
      const __mmask16 mask = firstLanes(rows - v * kLanes);
      __m512 value = acc[v][j];
      if (accumulate) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(mask, cj + v * kLanes));
      _mm512_mask_storeu_ps(cj + v * kLanes, mask, value);
    }
  }
}

// The kernel for a tile of t.rows rows (more than kFewRows, see fewRowsProduct): two or one
// 16-float registers, by the panel's width in columns.
template <bool kColumnPanel>
void runKernel(int width, const Tile& t) {
  const auto byWidth = [&](auto vectors) {
    constexpr int kVectors = decltype(vectors)::value;
    switch (width) {
      case 4:
        microKernel<kVectors, 4, kColumnPanel>(t);
        break;
      case 8:
        microKernel<kVectors, 8, kColumnPanel>(t);
        break;
      default:
        microKernel<kVectors, kNr, kColumnPanel>(t);
        break;
    }
  };
  if (t.rows > kLanes) {
    byWidth(std::integral_constant<int, 2>{});
  } else {
    byWidth(std::integral_constant<int, 1>{});
  }
}

// C[:, j0 : j0 + n] = op(A) op(B)[:, j0 : j0 + n] (+ bias), with C pointing at column 0.
void blockedProduct(const Operand& a, const Operand& b, Index m, Index j0, Index n, Index k,
                    float* c, Index ldc, const float* bias) {
  if (n <= 0) return;
  if (k == 0) {
    for (Index j = j0; j < j0 + n; ++j) {
      for (Index i = 0; i < m; ++i) c[i + j * ldc] = bias ? bias[i] : 0.0f;
    }
    return;
  }
  thread_local PackBuffers buffers;
  // Equal depth blocks (784 = 4 x 196, not 3 x 256 + 16) keep every block efficient.
  const Index depthBlocks = (k + kKc - 1) / kKc;
  const Index kcMax = (k + depthBlocks - 1) / depthBlocks;
  const Index mcMax = std::min<Index>(kMc, (m + kMr - 1) / kMr * kMr);
  buffers.reserve(mcMax * kcMax, (n + kNr - 1) / kNr * kNr * kcMax);
  float* packedA = buffers.a.data();
  float* packedB = buffers.b.data();
  // Full panels of small operands are read in place; edge panels are always packed, so
  // that the kernel never reads past an operand's last row or column.
  const bool inPlaceA = !a.transposed && readInPlace(a, m, k);
  const bool inPlaceB = b.transposed ? readInPlace(b, n, k) : readInPlace(b, k, n);

  for (Index p0 = 0; p0 < k; p0 += kcMax) {
    const Index kc = std::min(kcMax, k - p0);
    const bool accumulate = p0 > 0;
    const float* blockBias = accumulate ? nullptr : bias;  // the first depth block starts from it
    for (Index jp = 0; jp < n; jp += kNr) {
      const Index cols = std::min<Index>(kNr, n - jp);
      if (!inPlaceB || cols < kNr) {
        packPanelB(b, p0, kc, j0 + jp, cols, panelWidth(cols), packedB + jp * kc);
      }
    }
    for (Index i0 = 0; i0 < m; i0 += mcMax) {
      // A last panel of at most kFewRows rows is computed apart (see fewRowsProduct).
      const Index blockRows = std::min(mcMax, m - i0);
      const Index fewRows = blockRows % kMr <= kFewRows ? blockRows % kMr : 0;
      const Index mc = blockRows - fewRows;
      if (fewRows > 0) {
        fewRowsProduct(a, b, i0 + mc, fewRows, p0, kc, j0, n, c + i0 + mc, ldc, accumulate,
                       blockBias ? blockBias + i0 + mc : nullptr);
      }
      for (Index ip = 0; ip < mc; ip += kMr) {
        const Index rows = std::min<Index>(kMr, mc - ip);
        if (!inPlaceA || rows < kMr) packPanelA(a, i0 + ip, rows, p0, kc, packedA + ip * kc);
      }
      for (Index jp = 0; jp < n; jp += kNr) {
        const Index cols = std::min<Index>(kNr, n - jp);
        const int width = panelWidth(cols);
        Tile t{};
        t.kc = kc;
        t.ldc = ldc;
        t.cols = cols;
        t.accumulate = accumulate;
        if (inPlaceB && cols == kNr) {
          t.pb = b.transposed ? b.data + (j0 + jp) + p0 * b.ld : b.data + p0 + (j0 + jp) * b.ld;
          t.bStep = b.ld;
        } else {
          t.pb = packedB + jp * kc;
          t.bStep = b.transposed ? width : kc;
        }
        for (Index ip = 0; ip < mc; ip += kMr) {
          t.rows = std::min<Index>(kMr, mc - ip);
          if (inPlaceA && t.rows == kMr) {
            t.pa = a.data + (i0 + ip) + p0 * a.ld;
            t.aStep = a.ld;
          } else {
            t.pa = packedA + ip * kc;
            t.aStep = kMr;
          }
          t.c = c + (i0 + ip) + (j0 + jp) * ldc;
          t.bias = blockBias ? blockBias + i0 + ip : nullptr;
          if (b.transposed) {
            runKernel<false>(width, t);
          } else {
            runKernel<true>(width, t);
          }
        }
      }
    }
  }
}

}  // namespace

void smallProduct(const Operand& a, const Operand& b, Index m, Index n, Index k, float* c,
                  Index ldc, const float* bias) {
  alignas(64) float columns[kSmallProduct];
  const float* aData = a.data;
  Index lda = a.ld;
  if (a.transposed) {
    for (Index p = 0; p < k; ++p) {
      for (Index i = 0; i < m; ++i) columns[i + p * m] = a.data[p + i * a.ld];
    }
    aData = columns;
    lda = m;
  }
  const Index bRowStep = b.transposed ? b.ld : 1;  // from one depth to the next
  const Index bColStep = b.transposed ? 1 : b.ld;  // from one column to the next
  for (Index j = 0; j < n; ++j) {
    const float* bj = b.data + j * bColStep;
    for (Index i0 = 0; i0 < m; i0 += kLanes) {
      const __mmask16 mask = firstLanes(m - i0);
      const float* ai = aData + i0;
      // Four accumulators over alternating depths: one would wait on each multiply-add.
      __m512 acc[4] = {bias ? _mm512_maskz_loadu_ps(mask, bias + i0) : _mm512_setzero_ps(),
                       _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
      Index p = 0;
      for (; p + 4 <= k; p += 4) {
        for (int u = 0; u < 4; ++u) {
          acc[u] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, ai + (p + u) * lda),
                                   _mm512_set1_ps(bj[(p + u) * bRowStep]), acc[u]);
        }
      }
      for (; p < k; ++p) {
        acc[0] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, ai + p * lda),
                                 _mm512_set1_ps(bj[p * bRowStep]), acc[0]);
      }
      const __m512 sum =
          _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]));
      _mm512_mask_storeu_ps(c + i0 + j * ldc, mask, sum);
    }
  }
}

void blockedProduct(const Operand& a, const Operand& b, Index m, Index n, Index k, float* c,
                    Index ldc, const float* bias) {
  const int threads = threadCount();
  if (threads <= 1 || m * n * k < kParallelProduct || n < 2 * kNr) {
    blockedProduct(a, b, m, 0, n, k, c, ldc, bias);
    return;
  }
#if defined(_OPENMP)
  // Each thread takes a run of whole column panels and packs its own operands.
  const Index panels = (n + kNr - 1) / kNr;
#pragma omp parallel num_threads(threads)
  {
    const Index parts = omp_get_num_threads();
    const Index part = omp_get_thread_num();
    const Index first = panels * part / parts * kNr;
    const Index last = std::min(n, panels * (part + 1) / parts * kNr);
    blockedProduct(a, b, m, first, last - first, k, c, ldc, bias);
  }
#else
  blockedProduct(a, b, m, 0, n, k, c, ldc, bias);
#endif
}

void floatProduct(const Operand& a, const Operand& b, Index m, Index n, Index k, float* c,
                  Index ldc, const float* bias) {
  if (m * n * k < kSmallProduct) {
    smallProduct(a, b, m, n, k, c, ldc, bias);
  } else {
    blockedProduct(a, b, m, n, k, c, ldc, bias);
  }
}

}  // namespace gradscope::core::kernels::avx512
