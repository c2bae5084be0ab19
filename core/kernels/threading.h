// How many threads the engine's matrix products use.
//
// Training runs on one thread by default. The dense layers' products (matrix_product.h) and
// Eigen's split their columns over threads with OpenMP. Measured on a two-core machine, two
// threads speed up the mnist and wide reference networks (784-256-256-10, 784-1024-1024-10)
// by 1.6-1.8x on an idle machine. Products below about 4 million multiply-adds (such as the
// deep network's 100-unit layers) stay on one thread: they gain least from a split and lose
// most by waiting for a busy core. When the other core is busy, as it is while the GUI draws,
// a two-thread product waits for it at every synchronisation point and can fall to a small
// fraction of the one-thread rate. OpenMP's idle threads also spin for a while after each
// product, taking CPU time from the GUI (OMP_WAIT_POLICY=passive stops that). So more
// threads are a setting, for headless runs on an idle machine.
//
// Threads exist only in a build with GRADSCOPE_OPENMP=ON; otherwise the count is always 1.
// The count is process-wide (Eigen's setting is) and takes effect at the next product, so
// it is changed between training steps. The dense layers' float products give the same
// bits on any thread count; Eigen's may differ in the last bits.
#pragma once

namespace gradscope::core {

// The largest count setThreadCount() accepts: the processor's hardware threads in an OpenMP
// build, 1 otherwise.
int maxThreadCount();

// Sets the number of threads of later matrix products, clamped to [1, maxThreadCount()],
// and returns the count in effect.
int setThreadCount(int count);

int threadCount();

namespace detail {
// Applies the one-thread default once per process unless setThreadCount() ran first
// (Eigen would otherwise take every core). Every Network constructor calls it.
void applyDefaultThreadCount();
}  // namespace detail

}  // namespace gradscope::core
