// Which instruction-set level the engine's hot kernels run at.
//
// One binary serves every x86-64 processor: the float matrix products (matrix_product.h) are
// compiled for several levels and the best one the processor supports is chosen once, at the
// first product. The mechanism is PyTorch ATen's (DispatchStub with CPU_CAPABILITY): each
// level's kernels live in their own .cpp files compiled with that level's -march flag (see
// core/CMakeLists.txt), and a table of function pointers is filled from
// __builtin_cpu_supports. It was chosen over Highway (a dependency and a new way of writing
// vector code, for three kernels) and over GCC's target_clones (it clones one function, while
// a kernel is a driver, packing and a register tile that must all be compiled for the level).
//
//   baseline  x86-64 (SSE2), and every other architecture: Eigen's products
//   avx2      x86-64-v3 (AVX2 + FMA): an 16x6 register-tile product (avx2_product.cpp)
//   avx512    x86-64-v4 (AVX-512): a 32x12 register-tile product (blocked_product.cpp)
//
// GRADSCOPE_KERNELS=baseline|avx2|avx512 in the environment forces a level (for tests and
// comparisons); a level the processor lacks falls back to the best it has, with a message.
// Levels sum in different orders, so results differ between levels in the last bits; at one
// level, results are bit-identical from run to run.
#pragma once

#include <optional>
#include <string_view>

namespace gradscope::core {

enum class KernelLevel { Baseline, Avx2, Avx512 };

inline constexpr KernelLevel kKernelLevels[] = {KernelLevel::Baseline, KernelLevel::Avx2,
                                                KernelLevel::Avx512};

// "baseline", "avx2", "avx512": the names GRADSCOPE_KERNELS and sessions use.
const char* kernelLevelName(KernelLevel level);
std::optional<KernelLevel> kernelLevelFromName(std::string_view name);

// True when this build has the level's kernels and this processor can run them.
bool kernelLevelSupported(KernelLevel level);

// The best supported level.
KernelLevel bestKernelLevel();

// The level in use: chosen once per process (GRADSCOPE_KERNELS, else the best supported).
KernelLevel kernelLevel();

// Switches later products to `level` and returns true, or returns false and changes nothing
// when it is not supported. For tests and benchmarks that compare levels in one process;
// call it between training steps, never while a product runs.
bool setKernelLevel(KernelLevel level);

}  // namespace gradscope::core
