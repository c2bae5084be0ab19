#include "matrix_product.h"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

// The blocked product needs AVX-512 with its 8-float forms (every AVX-512 processor but the
// first Xeon Phi has them).
#if defined(__AVX512F__) && defined(__AVX512VL__)
#define GRADSCOPE_BLOCKED_PRODUCT 1
#include <immintrin.h>
#endif
#if defined(_OPENMP)
#include <omp.h>
#endif

#include "threading.h"

namespace gradscope::core {

namespace {

// A (m x k) or B (k x n) as stored: column-major with leading dimension ld, read either as
// it is or transposed.
struct Operand {
  const float* data;
  Index ld;
  bool transposed;
};

#if defined(GRADSCOPE_BLOCKED_PRODUCT)

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

// Packing buffers of one thread, kept between calls so that a training step allocates
// nothing once the first step has sized them.
struct PackBuffers {
  std::vector<float, Eigen::aligned_allocator<float>> a, b;
  void reserve(Index aSize, Index bSize) {
    if (Index(a.size()) < aSize) a.resize(std::size_t(aSize));
    if (Index(b.size()) < bSize) b.resize(std::size_t(bSize));
  }
};

__mmask16 firstLanes(Index count) {
  if (count >= kLanes) return __mmask16(0xFFFF);
  if (count <= 0) return __mmask16(0);
  return __mmask16((1u << count) - 1u);
}

// C = op(A) op(B) for tiny operands (fewer than kSmallProduct multiply-adds), without
// packing: each column of C accumulates 16-row pieces of A's columns in one register. A
// transposed A is first copied into column order on the stack.
void smallProduct(const Operand& a, const Operand& b, Index m, Index n, Index k, float* c,
                  Index ldc) {
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
      __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                       _mm512_setzero_ps()};
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
    for (int c = 0; c < width; ++c) {
      if (c < cols) {
        std::memcpy(dst + c * kc, b.data + p0 + (j0 + c) * b.ld, sizeof(float) * kc);
      } else {
        std::memset(dst + c * kc, 0, sizeof(float) * kc);
      }
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

// The register types of the micro-kernel: 16-float vectors, and 8-float ones for panels of
// at most 8 rows (common: 100 units leave 4). Processors that split a 16-float
// multiply-add into two halves (AMD Zen 4) finish two 8-float ones in the same time, so a
// narrow tail costs half as much; elsewhere it costs the same.
struct Wide {
  using Vector = __m512;
  static constexpr int kLanes = 16;
  static Vector zero() { return _mm512_setzero_ps(); }
  static Vector load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Vector x) { _mm512_storeu_ps(p, x); }
  static Vector broadcast(float x) { return _mm512_set1_ps(x); }
  static Vector fma(Vector a, Vector b, Vector c) { return _mm512_fmadd_ps(a, b, c); }
  static Vector add(Vector a, Vector b) { return _mm512_add_ps(a, b); }
  static Vector loadFirst(Index count, const float* p) {
    return _mm512_maskz_loadu_ps(firstLanes(count), p);
  }
  static void storeFirst(Index count, float* p, Vector x) {
    _mm512_mask_storeu_ps(p, firstLanes(count), x);
  }
};

struct Narrow {
  using Vector = __m256;
  static constexpr int kLanes = 8;
  static Vector zero() { return _mm256_setzero_ps(); }
  static Vector load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, Vector x) { _mm256_storeu_ps(p, x); }
  static Vector broadcast(float x) { return _mm256_set1_ps(x); }
  static Vector fma(Vector a, Vector b, Vector c) { return _mm256_fmadd_ps(a, b, c); }
  static Vector add(Vector a, Vector b) { return _mm256_add_ps(a, b); }
  static __mmask8 mask(Index count) {
    return count >= kLanes ? __mmask8(0xFF) : __mmask8((1u << std::max<Index>(count, 0)) - 1u);
  }
  static Vector loadFirst(Index count, const float* p) {
    return _mm256_maskz_loadu_ps(mask(count), p);
  }
  static void storeFirst(Index count, float* p, Vector x) {
    _mm256_mask_storeu_ps(p, mask(count), x);
  }
};

// C(rows x cols tile) (+)= packed A panel x packed B panel over kc depths. kVectors
// registers of R::kLanes rows by kWidth columns accumulate; rows and cols trim the stores
// at the matrix edges.
//
// The panels are read with strides, so that they can be packed buffers or the operands in
// place: A's depth p starts at pa + p aStep; B's element (p, j) is pb[j bStep + p] in a
// column panel and pb[p bStep + j] in a row panel.
template <typename R, int kVectors, int kWidth, bool kColumnPanel>
void microKernel(Index kc, const float* pa, Index aStep, const float* pb, Index bStep, float* c,
                 Index ldc, Index rows, Index cols, bool accumulate) {
  // The accumulators live in registers only if these short loops are fully unrolled, which
  // GCC does by itself at -O3 but not at -O2 (RelWithDebInfo): hence the pragmas.
  using Vector = typename R::Vector;
  Vector acc[kVectors][kWidth];
#pragma GCC unroll 2
  for (int v = 0; v < kVectors; ++v) {
#pragma GCC unroll 12
    for (int j = 0; j < kWidth; ++j) acc[v][j] = R::zero();
  }
  for (Index p = 0; p < kc; ++p, pa += aStep) {
    Vector av[kVectors];
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; ++v) av[v] = R::load(pa + v * R::kLanes);
#pragma GCC unroll 12
    for (int j = 0; j < kWidth; ++j) {
      const Vector bj = R::broadcast(kColumnPanel ? pb[j * bStep + p] : pb[p * bStep + j]);
#pragma GCC unroll 2
      for (int v = 0; v < kVectors; ++v) acc[v][j] = R::fma(av[v], bj, acc[v][j]);
    }
  }
  if (cols == kWidth && rows == kVectors * R::kLanes && !accumulate) {
    // The common whole tile: plain stores straight from the registers.
#pragma GCC unroll 12
    for (int j = 0; j < kWidth; ++j) {
#pragma GCC unroll 2
      for (int v = 0; v < kVectors; ++v) R::store(c + j * ldc + v * R::kLanes, acc[v][j]);
    }
    return;
  }
#pragma GCC unroll 12
  for (int j = 0; j < kWidth; ++j) {
    if (j >= cols) break;
    float* cj = c + j * ldc;
    for (int v = 0; v < kVectors; ++v) {
      const Index count = rows - v * R::kLanes;
      Vector value = acc[v][j];
      if (accumulate) value = R::add(value, R::loadFirst(count, cj + v * R::kLanes));
      R::storeFirst(count, cj + v * R::kLanes, value);
    }
  }
}

// One tile: its operand panels (see microKernel) and where it goes in C.
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
};

template <typename R, int kVectors, int kWidth, bool kColumnPanel>
void runKernel(const Tile& t) {
  microKernel<R, kVectors, kWidth, kColumnPanel>(t.kc, t.pa, t.aStep, t.pb, t.bStep, t.c, t.ldc,
                                                 t.rows, t.cols, t.accumulate);
}

template <typename R, int kVectors, bool kColumnPanel>
void runKernel(int width, const Tile& t) {
  switch (width) {
    case 4:
      runKernel<R, kVectors, 4, kColumnPanel>(t);
      break;
    case 8:
      runKernel<R, kVectors, 8, kColumnPanel>(t);
      break;
    default:
      runKernel<R, kVectors, kNr, kColumnPanel>(t);
      break;
  }
}

// The kernel for a tile of t.rows rows: two or one 16-float registers, or one 8-float one.
template <bool kColumnPanel>
void runKernel(int width, const Tile& t) {
  if (t.rows > kLanes) {
    runKernel<Wide, 2, kColumnPanel>(width, t);
  } else if (t.rows > Narrow::kLanes) {
    runKernel<Wide, 1, kColumnPanel>(width, t);
  } else {
    runKernel<Narrow, 1, kColumnPanel>(width, t);
  }
}

// C[:, j0 : j0 + n] = op(A) op(B)[:, j0 : j0 + n], with C pointing at column 0.
void blockedProduct(const Operand& a, const Operand& b, Index m, Index j0, Index n, Index k,
                    float* c, Index ldc) {
  if (n <= 0) return;
  if (k == 0) {
    for (Index j = j0; j < j0 + n; ++j) std::fill_n(c + j * ldc, m, 0.0f);
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

// C (m x n, leading dimension ldc) = op(A) op(B), op(A) being m x k.
void blockedProduct(const Operand& a, const Operand& b, Index m, Index n, Index k, float* c,
                    Index ldc) {
  const int threads = threadCount();
  if (threads <= 1 || m * n * k < kParallelProduct || n < 2 * kNr) {
    blockedProduct(a, b, m, 0, n, k, c, ldc);
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
    blockedProduct(a, b, m, first, last - first, k, c, ldc);
  }
#else
  blockedProduct(a, b, m, 0, n, k, c, ldc);
#endif
}

#endif  // GRADSCOPE_BLOCKED_PRODUCT

// c = op(A) op(B) in float: on AVX-512 the small or the blocked product, elsewhere Eigen.
void floatProduct(const Operand& a, const Operand& b, Index m, Index n, Index k,
                  Eigen::Ref<Matrix<float>> c) {
#if defined(GRADSCOPE_BLOCKED_PRODUCT)
  if (m * n * k < kSmallProduct) {
    smallProduct(a, b, m, n, k, c.data(), c.outerStride());
  } else {
    blockedProduct(a, b, m, n, k, c.data(), c.outerStride());
  }
#else
  using Map = Eigen::Map<const Matrix<float>, 0, Eigen::OuterStride<>>;
  const Map aMap(a.data, a.transposed ? k : m, a.transposed ? m : k, Eigen::OuterStride<>(a.ld));
  const Map bMap(b.data, b.transposed ? n : k, b.transposed ? k : n, Eigen::OuterStride<>(b.ld));
  if (a.transposed) {
    c.noalias() = aMap.transpose() * bMap;
  } else if (b.transposed) {
    c.noalias() = aMap * bMap.transpose();
  } else {
    c.noalias() = aMap * bMap;
  }
#endif
}

}  // namespace

bool usesBlockedFloatProduct() {
#if defined(GRADSCOPE_BLOCKED_PRODUCT)
  return true;
#else
  return false;
#endif
}

// Double precision (the reference tests' precision) stays with Eigen.
template <typename T>
void multiplyTransposedA(const Eigen::Ref<const Matrix<T>>& a, const Eigen::Ref<const Matrix<T>>& b,
                         Eigen::Ref<Matrix<T>> c) {
  if constexpr (std::is_same_v<T, float>) {
    floatProduct({a.data(), a.outerStride(), true}, {b.data(), b.outerStride(), false}, a.cols(),
                 b.cols(), a.rows(), c);
  } else {
    c.noalias() = a.transpose() * b;
  }
}

template <typename T>
void multiplyTransposedB(const Eigen::Ref<const Matrix<T>>& a, const Eigen::Ref<const Matrix<T>>& b,
                         Eigen::Ref<Matrix<T>> c) {
  if constexpr (std::is_same_v<T, float>) {
    floatProduct({a.data(), a.outerStride(), false}, {b.data(), b.outerStride(), true}, a.rows(),
                 b.rows(), a.cols(), c);
  } else {
    c.noalias() = a * b.transpose();
  }
}

template <typename T>
void multiply(const Eigen::Ref<const Matrix<T>>& a, const Eigen::Ref<const Matrix<T>>& b,
              Eigen::Ref<Matrix<T>> c) {
  if constexpr (std::is_same_v<T, float>) {
    floatProduct({a.data(), a.outerStride(), false}, {b.data(), b.outerStride(), false}, a.rows(),
                 b.cols(), a.cols(), c);
  } else {
    c.noalias() = a * b;
  }
}

template void multiplyTransposedA<float>(const Eigen::Ref<const Matrix<float>>&,
                                         const Eigen::Ref<const Matrix<float>>&,
                                         Eigen::Ref<Matrix<float>>);
template void multiplyTransposedA<double>(const Eigen::Ref<const Matrix<double>>&,
                                          const Eigen::Ref<const Matrix<double>>&,
                                          Eigen::Ref<Matrix<double>>);
template void multiplyTransposedB<float>(const Eigen::Ref<const Matrix<float>>&,
                                         const Eigen::Ref<const Matrix<float>>&,
                                         Eigen::Ref<Matrix<float>>);
template void multiplyTransposedB<double>(const Eigen::Ref<const Matrix<double>>&,
                                          const Eigen::Ref<const Matrix<double>>&,
                                          Eigen::Ref<Matrix<double>>);
template void multiply<float>(const Eigen::Ref<const Matrix<float>>&,
                              const Eigen::Ref<const Matrix<float>>&, Eigen::Ref<Matrix<float>>);
template void multiply<double>(const Eigen::Ref<const Matrix<double>>&,
                               const Eigen::Ref<const Matrix<double>>&, Eigen::Ref<Matrix<double>>);

}  // namespace gradscope::core
