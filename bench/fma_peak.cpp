#include "bench/fma_peak.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace gradscope::bench {

namespace {

#if defined(__x86_64__)
// 24 chains of 16 floats (AVX-512 has 32 registers; two multiply-add units of latency 4 need
// at least 8 chains).
__attribute__((target("avx512f"))) double avx512(std::int64_t iterations) {
  constexpr int kChains = 24;
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(float(i));
  const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-3f);
  for (std::int64_t n = 0; n < iterations; ++n) {
#pragma GCC unroll 24
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm512_add_ps(sum, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  volatile float sink = lanes[0];
  (void)sink;
  return double(iterations) * kChains * 16 * 2;
}

// 12 chains of 8 floats (AVX2 has 16 registers).
__attribute__((target("avx2,fma"))) double avx2(std::int64_t iterations) {
  constexpr int kChains = 12;
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(float(i));
  const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-3f);
  for (std::int64_t n = 0; n < iterations; ++n) {
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm256_add_ps(sum, acc[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  volatile float sink = lanes[0];
  (void)sink;
  return double(iterations) * kChains * 8 * 2;
}

// Baseline x86-64: SSE2 has no fused multiply-add; a multiply and an add count two.
double sse2(std::int64_t iterations) {
  constexpr int kChains = 12;
  __m128 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm_set1_ps(float(i));
  const __m128 a = _mm_set1_ps(0.999f), b = _mm_set1_ps(1e-3f);
  for (std::int64_t n = 0; n < iterations; ++n) {
#pragma GCC unroll 12
    for (int i = 0; i < kChains; ++i) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], a), b);
  }
  __m128 sum = acc[0];
  for (int i = 1; i < kChains; ++i) sum = _mm_add_ps(sum, acc[i]);
  volatile float sink = _mm_cvtss_f32(sum);
  (void)sink;
  return double(iterations) * kChains * 4 * 2;
}
#endif

// Other architectures: scalar chains the compiler may vectorise for the build's target.
double portable(std::int64_t iterations) {
  constexpr int kChains = 16;
  float acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = float(i);
  for (std::int64_t n = 0; n < iterations; ++n) {
    for (float& x : acc) x = x * 0.999f + 1e-3f;
  }
  volatile float sink = acc[0];
  (void)sink;
  return double(iterations) * kChains * 2;
}

}  // namespace

double fmaPeakRound(core::KernelLevel level, std::int64_t iterations) {
#if defined(__x86_64__)
  switch (level) {
    case core::KernelLevel::Avx512:
      return avx512(iterations);
    case core::KernelLevel::Avx2:
      return avx2(iterations);
    case core::KernelLevel::Baseline:
      return sse2(iterations);
  }
#endif
  (void)level;
  return portable(iterations);
}

}  // namespace gradscope::bench
