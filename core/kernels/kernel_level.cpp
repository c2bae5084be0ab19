#include "core/kernels/kernel_level.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace gradscope::core {

namespace {

bool processorHas(KernelLevel level) {
#if defined(GRADSCOPE_LEVEL_KERNELS) && (defined(__x86_64__) || defined(__i386__))
  // __builtin_cpu_supports reports AVX features only when the operating system also saves
  // their registers (libgcc's and compiler-rt's cpu models check XGETBV).
  __builtin_cpu_init();
  switch (level) {
    case KernelLevel::Baseline:
      return true;
    case KernelLevel::Avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case KernelLevel::Avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
  }
  return false;
#else
  // Other architectures, or a build without the x86-64 levels: Eigen's products only.
  return level == KernelLevel::Baseline;
#endif
}

// GRADSCOPE_KERNELS when set, else the best level; an unknown or unsupported name is said
// once on standard error and falls back to the best level.
KernelLevel initialLevel() {
  const KernelLevel best = bestKernelLevel();
  const char* forced = std::getenv("GRADSCOPE_KERNELS");
  if (!forced || !*forced) return best;
  const std::optional<KernelLevel> level = kernelLevelFromName(forced);
  if (!level) {
    std::fprintf(stderr,
                 "gradscope: GRADSCOPE_KERNELS=%s: expected baseline, avx2 or avx512; using %s\n",
                 forced, kernelLevelName(best));
    return best;
  }
  if (!kernelLevelSupported(*level)) {
    std::fprintf(stderr,
                 "gradscope: GRADSCOPE_KERNELS=%s: this processor or build lacks it; using %s\n",
                 forced, kernelLevelName(best));
    return best;
  }
  return *level;
}

std::atomic<KernelLevel>& current() {
  static std::atomic<KernelLevel> level{initialLevel()};
  return level;
}

}  // namespace

const char* kernelLevelName(KernelLevel level) {
  switch (level) {
    case KernelLevel::Baseline:
      return "baseline";
    case KernelLevel::Avx2:
      return "avx2";
    case KernelLevel::Avx512:
      return "avx512";
  }
  return "baseline";
}

std::optional<KernelLevel> kernelLevelFromName(std::string_view name) {
  for (KernelLevel level : kKernelLevels) {
    if (name == kernelLevelName(level)) return level;
  }
  return std::nullopt;
}

bool kernelLevelSupported(KernelLevel level) {
  static const bool supported[] = {processorHas(KernelLevel::Baseline),
                                   processorHas(KernelLevel::Avx2),
                                   processorHas(KernelLevel::Avx512)};
  return supported[int(level)];
}

KernelLevel bestKernelLevel() {
  KernelLevel best = KernelLevel::Baseline;
  for (KernelLevel level : kKernelLevels) {
    if (kernelLevelSupported(level)) best = level;
  }
  return best;
}

KernelLevel kernelLevel() { return current().load(std::memory_order_relaxed); }

bool setKernelLevel(KernelLevel level) {
  if (!kernelLevelSupported(level)) return false;
  current().store(level, std::memory_order_relaxed);
  return true;
}

}  // namespace gradscope::core
