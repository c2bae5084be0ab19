// libFuzzer entry point for the session loader (configure with -DGRADSCOPE_BUILD_FUZZ=ON and
// clang; see scripts/fuzz).
#include <QtGlobal>

#include "session_fuzz_target.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Qt's warnings about refused input (qUncompress on a corrupted stream) would be printed for
  // most mutated inputs and slow the fuzzer down; the loader reports by exceptions anyway.
  qInstallMessageHandler([](QtMsgType, const QMessageLogContext&, const QString&) {});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzzSessionLoader(data, size);
}
