// The session loader as the fuzz target and the corpus replay test call it.
#pragma once

#include <cstddef>
#include <cstdint>

// Reads `data` as a session file, makes every check that comes before building its runs
// (whatever their size) and, when it is valid and small enough to build quickly, builds them
// (restoring their state). Every refusal must be a core::Error.
int fuzzSessionLoader(const std::uint8_t* data, std::size_t size);
