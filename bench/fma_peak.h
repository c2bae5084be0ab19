// The single-core peak of float multiply-adds at a kernel level: independent chains of vector
// multiply-adds, as many as the level's registers allow, so that neither latency nor memory
// limits them. compare_pytorch.py divides each network's achieved GFLOP/s by it.
#pragma once

#include <cstdint>

#include "core/kernels/kernel_level.h"

namespace gradscope::bench {

// Runs `iterations` rounds of multiply-adds at `level` and returns the floating-point
// operations done (a multiply-add counts two).
double fmaPeakRound(core::KernelLevel level, std::int64_t iterations);

}  // namespace gradscope::bench
