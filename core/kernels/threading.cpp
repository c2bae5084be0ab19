#include "core/kernels/threading.h"

#include <algorithm>
#include <mutex>

#include <Eigen/Core>

#if defined(GRADSCOPE_HAVE_OPENMP)
#include <omp.h>
#endif

namespace gradscope::core {

namespace {
std::once_flag g_defaultApplied;
}

int maxThreadCount() {
#if defined(GRADSCOPE_HAVE_OPENMP)
  return std::max(1, omp_get_num_procs());
#else
  return 1;
#endif
}

int setThreadCount(int count) {
  // Marks the default as applied, so that a later Network does not undo this choice.
  std::call_once(g_defaultApplied, [] {});
  count = std::clamp(count, 1, maxThreadCount());
  Eigen::setNbThreads(count);
  return threadCount();
}

int threadCount() {
#if defined(GRADSCOPE_HAVE_OPENMP)
  return Eigen::nbThreads();
#else
  return 1;
#endif
}

namespace detail {
void applyDefaultThreadCount() {
  std::call_once(g_defaultApplied, [] { Eigen::setNbThreads(1); });
}
}  // namespace detail

}  // namespace gradscope::core
