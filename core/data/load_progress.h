// How a loader reports progress and learns that the user cancelled: it calls the function
// with the fraction done (0..1) every few megabytes; a false return stops the load, which then
// throws Error(source, kLoadCancelled) and leaves nothing behind.
#pragma once

#include <cstddef>
#include <functional>

namespace gradscope::core {

using LoadProgress = std::function<bool(double fraction)>;

inline constexpr const char* kLoadCancelled = "loading cancelled";

// Loaders read (and inflate) their files this many bytes at a time, reporting once per chunk.
inline constexpr std::size_t kLoadChunkBytes = 1 << 20;

}  // namespace gradscope::core
