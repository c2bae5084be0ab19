// A real data race that ThreadSanitizer must report through our suppression file: a counter
// written without synchronisation from a queued slot on a worker thread and from main at the
// same time. The slot runs under Qt's event dispatch, so its stack holds Qt frames; a blanket
// suppression such as `race:libQt6Core.so.6` hides it (it did, and with it every race in a
// slot). Registered with ctest in ThreadSanitizer builds only, where it passes when the report
// appears (tests/CMakeLists.txt): a suppression file that masks it fails the suite.
#include <QCoreApplication>
#include <QObject>
#include <QThread>

#include <cstdio>

namespace {

int g_counter = 0;  // deliberately unsynchronised

[[gnu::noinline]] void bump(int times) {
  for (int i = 0; i < times; ++i) g_counter = g_counter + 1;
}

}  // namespace

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  QThread thread;
  QObject worker;
  worker.moveToThread(&thread);
  thread.start();
  // A queued call into a slot on the worker thread, then main writes at the same time.
  QMetaObject::invokeMethod(
      &worker, [] { bump(200'000); }, Qt::QueuedConnection);
  bump(200'000);
  QMetaObject::invokeMethod(
      &worker, [] { bump(1); }, Qt::BlockingQueuedConnection);
  thread.quit();
  thread.wait();
  std::printf("counter: %d (400001 without the race)\n", g_counter);
  return 0;
}
