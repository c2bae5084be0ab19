// Element-wise loops of the activations in float, at the kernel level in use
// (kernel_level.h). After the matrix products they are the largest part of a step: the
// sigmoid about a tenth of a deep sigmoid network's, ReLU's backward pass a sixth of the mnist
// network's in a portable build, where Eigen computes them four floats at a time (and ReLU's
// select one at a time). The baseline level keeps Eigen's expressions; the AVX2 and AVX-512
// levels compute e^x by Cephes's expf and tanh by Eigen's own rational approximation
// (elementwise_loops.inc), within a few ulp of Eigen's, and the rectifiers exactly as Eigen
// does.
#pragma once

#include "core/model/types.h"

namespace gradscope::core {

// a = 1 / (1 + e^-z) over n values.
void sigmoidForward(const float* z, float* a, Index n);

// gradZ = gradA a (1 - a) over n values: the sigmoid's backward pass.
void sigmoidBackward(const float* gradA, const float* a, float* gradZ, Index n);

// a = tanh z over n values.
void tanhForward(const float* z, float* a, Index n);

// gradZ = gradA (1 - a^2): tanh's backward pass.
void tanhBackward(const float* gradA, const float* a, float* gradZ, Index n);

// ReLU and leaky ReLU (slope 0 for ReLU): a = z if z > 0 else slope z.
void rectifierForward(const float* z, float* a, Index n, float slope);

// gradZ = gradA if z > 0 else slope gradA.
void rectifierBackward(const float* z, const float* gradA, float* gradZ, Index n, float slope);

}  // namespace gradscope::core
