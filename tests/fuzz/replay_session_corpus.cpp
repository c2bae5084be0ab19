// Replays the session fuzzer's seed corpus (and anything it found) through the loader: every
// file must be read or refused with a core::Error, never crash. Run by ctest in every build;
// scripts/test also runs it under AddressSanitizer and UndefinedBehaviorSanitizer.
#include <QCoreApplication>
#include <QDir>
#include <QFile>

#if defined(__unix__)
#include <sys/resource.h>
#endif

#include <cstdio>

#include "session_fuzz_target.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GRADSCOPE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define GRADSCOPE_ASAN 1
#endif

int main(int argc, char* argv[]) {
#if defined(__unix__) && !defined(GRADSCOPE_ASAN)
  // The corpus holds small files that declare huge networks (shape-*.gradscope): refused from
  // their lengths, they need next to no memory. 3 GB of address space turns a regression that
  // builds one (4 GB and more) into a failure instead of a slow pass. AddressSanitizer reserves
  // its shadow memory up front, so it runs without the limit.
  const rlimit limit{rlim_t(3) << 30, rlim_t(3) << 30};
  setrlimit(RLIMIT_AS, &limit);
#endif
  QCoreApplication app(argc, argv);
  const QString directory =
      argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral(GRADSCOPE_SESSION_CORPUS);
  const QFileInfoList files = QDir(directory).entryInfoList(QDir::Files, QDir::Name);
  if (files.isEmpty()) {
    std::fprintf(stderr, "no corpus files in %s\n", qPrintable(directory));
    return 1;
  }
  for (const QFileInfo& info : files) {
    QFile file(info.filePath());
    if (!file.open(QIODevice::ReadOnly)) return 1;
    const QByteArray bytes = file.readAll();
    fuzzSessionLoader(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                      std::size_t(bytes.size()));
  }
  std::printf("%lld passed, 0 failed\n", static_cast<long long>(files.size()));
  return 0;
}
