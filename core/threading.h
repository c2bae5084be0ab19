// How many threads the engine's matrix products use.
//
// Training runs on one thread by default. Eigen splits a large matrix product over threads
// with OpenMP; measured on a two-core machine, two threads speed up the wide reference
// networks (784-1024-1024-10) by about 1.5x but slow narrow deep ones (100-unit layers)
// down, and when the other core is busy, as it is while the GUI draws, a two-thread product
// waits for it and runs at a fraction of the one-thread rate. So more threads are a
// setting, for headless runs on an idle machine.
//
// Threads exist only in a build with GRADSCOPE_OPENMP=ON; otherwise the count is always 1.
// The count is process-wide (Eigen's setting is) and takes effect at the next product, so
// it is changed between training steps. Results with more threads may differ from
// one-thread results in the last bits: a product's blocks are summed in another order.
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
