#include "ui/window/timed_application.h"

#include <QElapsedTimer>
#include <QThread>

namespace gradscope::ui {

TimedApplication::TimedApplication(int& argc, char** argv) : QApplication(argc, argv) {}

void TimedApplication::setTiming(bool on) {
  s_timing = on;
  s_busy = 0;
}

std::int64_t TimedApplication::busyNanoseconds() { return s_busy; }

bool TimedApplication::notify(QObject* receiver, QEvent* event) {
  // Only the GUI thread counts (the training worker's events pass through here too).
  if (!s_timing || QThread::currentThread() != thread())
    return QApplication::notify(receiver, event);
  if (s_depth > 0) {
    ++s_depth;
    const bool result = QApplication::notify(receiver, event);
    --s_depth;
    return result;
  }
  QElapsedTimer timer;
  timer.start();
  ++s_depth;
  const bool result = QApplication::notify(receiver, event);
  --s_depth;
  s_busy += timer.nsecsElapsed();
  return result;
}

}  // namespace gradscope::ui
