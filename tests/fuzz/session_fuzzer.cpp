// libFuzzer entry point for the session loader (configure with -DGRADSCOPE_BUILD_FUZZ=ON and
// clang; see scripts/fuzz).
#include "session_fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzzSessionLoader(data, size);
}
