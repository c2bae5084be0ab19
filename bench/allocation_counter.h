// Counts heap allocations (malloc, calloc, realloc) made by the whole process, so that a
// benchmark can report allocations per training step: a step should need none once its
// buffers are sized. The counter replaces the C library's allocation entry points in this
// executable and forwards to glibc's own; elsewhere it counts nothing and returns 0.
#pragma once

#include <cstdint>

std::int64_t allocationCount();
