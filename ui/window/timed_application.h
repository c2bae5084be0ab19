// The QApplication of the dashboard, which can time the GUI thread's event handling: the time
// spent in outermost events (paints, timers, queued calls, input) is the time the thread is
// busy; the rest it waits for events. Used by --measure-ui; off otherwise.
#pragma once

#include <QApplication>

#include <cstdint>

namespace gradscope::ui {

class TimedApplication : public QApplication {
  Q_OBJECT
 public:
  TimedApplication(int& argc, char** argv);

  static void setTiming(bool on);
  // Nanoseconds spent in outermost events since timing was turned on.
  static std::int64_t busyNanoseconds();

  bool notify(QObject* receiver, QEvent* event) override;

 private:
  static inline bool s_timing = false;
  static inline int s_depth = 0;
  static inline std::int64_t s_busy = 0;
};

}  // namespace gradscope::ui
