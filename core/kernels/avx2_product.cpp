// The float products of matrix_product.h at the AVX2 level (x86-64-v3: AVX2 and FMA, sixteen
// 8-float vector registers), compiled with -march=x86-64-v3 only (see level_products.h).
//
// The same Goto and van de Geijn blocking as the AVX-512 product (blocked_product.cpp),
// scaled to sixteen registers, as in OpenBLAS's Haswell kernels: a 16x6 tile of C accumulates
// in 12 registers (two 8-float vectors by six columns), two hold A's values at one depth and
// one a broadcast of B. Blocks of A are packed into 16-row panels, zero-padded at the edge;
// small operands whose layout suits the kernel are read in place. A last panel of at most 8
// rows uses a one-vector tile (100-unit layers leave 4 rows after six 16-row tiles). Without
// AVX-512's mask registers, the edges are loaded and stored with AVX's masked moves.

#include <algorithm>
#include <cstdlib>
#include <type_traits>

#include <immintrin.h>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "core/kernels/level_products.h"
#include "core/kernels/threading.h"

namespace gradscope::core::kernels::avx2 {

namespace {

// Below this many multiply-adds a product skips packing and blocking (as on AVX-512).
constexpr Index kSmallProduct = 16 * 16 * 16;
// Below this many multiply-adds a product stays on one thread (as on AVX-512).
constexpr Index kParallelProduct = 1 << 22;

constexpr int kLanes = 8;   // floats per vector register
constexpr int kMr = 16;     // rows of a register tile: two vectors
constexpr int kNr = 6;      // columns of a register tile: 2 x 6 accumulators
constexpr Index kKc = 256;  // depth of a packed block: a 6-column B panel (6 KB) stays in L1
constexpr Index kMc = 128;  // rows of a packed A block: 128 KB with kKc, stays in L2

// A mask of the first `count` of 8 lanes, for _mm256_maskload_ps and _mm256_maskstore_ps
// (which never touch memory under a cleared lane).
inline __m256i firstLanes(Index count) {
  const int lanes = count >= kLanes ? kLanes : (count <= 0 ? 0 : int(count));
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

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

// Transposes the 8x8 block held in r[0..7] (r[i] = row i) in place.
inline void transpose8(__m256 r[8]) {
  __m256 t[8], s[8];
  // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves.
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    s[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    s[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    s[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    s[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  // s[q] holds column q of rows 0-3 and column q + 4 of the same rows; s[q + 4] of rows 4-7.
  for (int q = 0; q < 4; ++q) {
    r[q] = _mm256_permute2f128_ps(s[q], s[q + 4], 0x20);
    r[q + 4] = _mm256_permute2f128_ps(s[q], s[q + 4], 0x31);
  }
}

// Packs rows [i0, i0 + rows) (rows <= kMr) and depths [p0, p0 + kc) of A into one panel:
// A(i0 + r, p0 + p) at p kMr + r, zero-padded to kMr rows (to 8 when rows <= 8: the
// one-vector kernel reads only the first half).
void packPanelA(const Operand& a, Index i0, Index rows, Index p0, Index kc, float* dst) {
  if (!a.transposed) {
    // A(i, p) = data[i + p ld]: each depth is a contiguous run of rows.
    const __m256i low = firstLanes(rows), high = firstLanes(rows - kLanes);
    const float* src = a.data + i0 + p0 * a.ld;
    for (Index p = 0; p < kc; ++p, src += a.ld) {
      _mm256_store_ps(dst + p * kMr, _mm256_maskload_ps(src, low));
      _mm256_store_ps(dst + p * kMr + kLanes, _mm256_maskload_ps(src + kLanes, high));
    }
    return;
  }
  // A(i, p) = data[p + i ld]: each row is contiguous in depth, so 8x8 blocks are loaded row
  // by row and transposed in registers.
  for (int half = 0; half * kLanes < rows; ++half) {
    const Index halfRows = std::min<Index>(kLanes, rows - half * kLanes);
    const float* src = a.data + p0 + (i0 + half * kLanes) * a.ld;
    for (Index pc = 0; pc < kc; pc += kLanes) {
      const Index depth = std::min<Index>(kLanes, kc - pc);
      const __m256i mask = firstLanes(depth);
      __m256 block[8];
      for (int r = 0; r < kLanes; ++r) {
        block[r] =
            r < halfRows ? _mm256_maskload_ps(src + r * a.ld + pc, mask) : _mm256_setzero_ps();
      }
      transpose8(block);
      for (Index q = 0; q < depth; ++q) {
        _mm256_store_ps(dst + (pc + q) * kMr + half * kLanes, block[q]);
      }
    }
  }
}

// The width of the panel holding columns [jp, jp + cols): kNr, or 4 or 2 for the last panel,
// so that batches of 64, 128 and 256 and layers of 100 or 1024 units waste no column.
int panelWidth(Index cols) { return cols > 4 ? kNr : (cols > 2 ? 4 : 2); }

// Packs depths [p0, p0 + kc) and columns [j0, j0 + cols) of B into one panel of `width`
// columns, zero-padded. Untransposed B (contiguous in depth) is packed column by column,
// B(p0 + p, j0 + c) at c kc + p; transposed B (contiguous in columns) depth by depth, at
// p width + c. Either way the kernel reads B as broadcast scalars.
void packPanelB(const Operand& b, Index p0, Index kc, Index j0, Index cols, int width, float* dst) {
  if (!b.transposed) {
    for (int c = 0; c < width; ++c) {
      float* column = dst + c * kc;
      if (c >= cols) {
        for (Index p = 0; p < kc; ++p) column[p] = 0.0f;
        continue;
      }
      const float* src = b.data + p0 + (j0 + c) * b.ld;
      Index p = 0;
      for (; p + kLanes <= kc; p += kLanes) _mm256_storeu_ps(column + p, _mm256_loadu_ps(src + p));
      const __m256i rest = firstLanes(kc - p);
      _mm256_maskstore_ps(column + p, rest, _mm256_maskload_ps(src + p, rest));
    }
    return;
  }
  const __m256i load = firstLanes(cols), store = firstLanes(width);
  const float* src = b.data + j0 + p0 * b.ld;
  for (Index p = 0; p < kc; ++p, src += b.ld) {
    _mm256_maskstore_ps(dst + p * width, store, _mm256_maskload_ps(src, load));
  }
}

// An operand small enough to stay in cache is read in place, without packing, when its
// layout already suits the kernel (as on AVX-512; leading dimensions that are multiples of
// 256 floats would map a panel's rows onto the same few cache sets).
constexpr Index kInPlaceLimit = 32 * 1024;  // floats
bool readInPlace(const Operand& x, Index rows, Index cols) {
  return rows * cols <= kInPlaceLimit && x.ld % 256 != 0;
}

// One tile of C: its operand panels and where it goes (as on AVX-512): A's depth p starts
// at pa + p aStep; B's element (p, j) is pb[j bStep + p] in a column panel and
// pb[p bStep + j] in a row panel. Sums start from bias (the tile's first row's value) when
// it is given.
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

// C(rows x cols tile) (+)= A panel x B panel over kc depths: kVectors 8-float registers by
// kWidth columns accumulate; rows and cols trim the stores at the matrix edges.
template <int kVectors, int kWidth, bool kColumnPanel>
void microKernel(const Tile& t) {
  const Index kc = t.kc, aStep = t.aStep, bStep = t.bStep, ldc = t.ldc;
  const Index rows = t.rows, cols = t.cols;
  const float* pa = t.pa;
  const float* pb = t.pb;
  float* c = t.c;
  const bool accumulate = t.accumulate;
  // The pragmas keep the accumulators in registers at -O2 as well (see blocked_product.cpp).
  __m256 acc[kVectors][kWidth];
#pragma GCC unroll 2
  for (int v = 0; v < kVectors; ++v) {
    const __m256 start =
        t.bias ? _mm256_maskload_ps(t.bias + v * kLanes, firstLanes(rows - v * kLanes))
               : _mm256_setzero_ps();
#pragma GCC unroll 6
    for (int j = 0; j < kWidth; ++j) acc[v][j] = start;
  }
  for (Index p = 0; p < kc; ++p, pa += aStep) {
    __m256 av[kVectors];
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; ++v) av[v] = _mm256_loadu_ps(pa + v * kLanes);
#pragma GCC unroll 6
    for (int j = 0; j < kWidth; ++j) {
      const __m256 bj = _mm256_broadcast_ss(kColumnPanel ? pb + j * bStep + p : pb + p * bStep + j);
#pragma GCC unroll 2
      for (int v = 0; v < kVectors; ++v) acc[v][j] = _mm256_fmadd_ps(av[v], bj, acc[v][j]);
    }
  }
  if (cols == kWidth && rows == kVectors * kLanes && !accumulate) {
    // The common whole tile: plain stores straight from the registers.
#pragma GCC unroll 6
    for (int j = 0; j < kWidth; ++j) {
#pragma GCC unroll 2
      for (int v = 0; v < kVectors; ++v) _mm256_storeu_ps(c + j * ldc + v * kLanes, acc[v][j]);
    }
    return;
  }
  __m256i masks[kVectors];
#pragma GCC unroll 2
  for (int v = 0; v < kVectors; ++v) masks[v] = firstLanes(rows - v * kLanes);
#pragma GCC unroll 6
  for (int j = 0; j < kWidth; ++j) {
    if (j >= cols) break;
    float* cj = c + j * ldc;
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; ++v) {
      __m256 value = acc[v][j];
      if (accumulate) value = _mm256_add_ps(value, _mm256_maskload_ps(cj + v * kLanes, masks[v]));
      _mm256_maskstore_ps(cj + v * kLanes, masks[v], value);
    }
  }
}

// The kernel for a tile of t.rows rows: two or one 8-float registers, by the panel's width.
template <bool kColumnPanel>
void runKernel(int width, const Tile& t) {
  const auto byWidth = [&](auto vectors) {
    constexpr int kVectors = decltype(vectors)::value;
    switch (width) {
      case 2:
        microKernel<kVectors, 2, kColumnPanel>(t);
        break;
      case 4:
        microKernel<kVectors, 4, kColumnPanel>(t);
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

// Packing buffers of one thread, kept between calls so that a training step allocates
// nothing once the first step has sized them.
struct PackBuffers {
  PackBuffer a, b;
};

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
  buffers.a.reserve(mcMax * kcMax);
  buffers.b.reserve((n + kNr - 1) / kNr * kNr * kcMax);
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
      const Index mc = std::min(mcMax, m - i0);
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

// C = op(A) op(B) for tiny operands, without packing (as on AVX-512): each column of C
// accumulates 8-row pieces of A's columns; a transposed A is first copied into column order
// on the stack.
void smallProduct(const Operand& a, const Operand& b, Index m, Index n, Index k, float* c,
                  Index ldc, const float* bias) {
  alignas(32) float columns[kSmallProduct];
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
      const __m256i mask = firstLanes(m - i0);
      const float* ai = aData + i0;
      // Four accumulators over alternating depths: one would wait on each multiply-add.
      __m256 acc[4] = {bias ? _mm256_maskload_ps(bias + i0, mask) : _mm256_setzero_ps(),
                       _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
      Index p = 0;
      for (; p + 4 <= k; p += 4) {
        for (int u = 0; u < 4; ++u) {
          acc[u] = _mm256_fmadd_ps(_mm256_maskload_ps(ai + (p + u) * lda, mask),
                                   _mm256_broadcast_ss(bj + (p + u) * bRowStep), acc[u]);
        }
      }
      for (; p < k; ++p) {
        acc[0] = _mm256_fmadd_ps(_mm256_maskload_ps(ai + p * lda, mask),
                                 _mm256_broadcast_ss(bj + p * bRowStep), acc[0]);
      }
      const __m256 sum =
          _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
      _mm256_maskstore_ps(c + i0 + j * ldc, mask, sum);
    }
  }
}

}  // namespace

void floatProduct(const Operand& a, const Operand& b, Index m, Index n, Index k, float* c,
                  Index ldc, const float* bias) {
  if (m * n * k < kSmallProduct) {
    smallProduct(a, b, m, n, k, c, ldc, bias);
    return;
  }
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

}  // namespace gradscope::core::kernels::avx2
