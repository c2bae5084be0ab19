#include "allocation_counter.h"

#include <atomic>
#include <cstddef>

namespace {
std::atomic<std::int64_t> g_allocations{0};
}

std::int64_t allocationCount() { return g_allocations.load(std::memory_order_relaxed); }

#if defined(__GLIBC__)
// glibc's implementations under their internal names; defining malloc here interposes it
// for every library of the process (operator new and Eigen's aligned allocator included).
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);

void* malloc(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(count, size);
}
void* realloc(void* pointer, std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(pointer, size);
}
}
#endif
