// libFuzzer entry point for the CSV loader (see scripts/fuzz).
#include "data_fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzzCsvLoader(data, size);
}
