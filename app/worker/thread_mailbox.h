// The hand-over of values between the GUI thread and the training thread: closures queued
// under a std::mutex and run, in the order posted, on the mailbox's own thread, which a byte
// in a pipe wakes (a QSocketNotifier in its event loop).
//
// Nothing crosses Qt's event queue: every value (its copy, its use and its destruction) and
// the wake-up itself are ordered by the mutex and the pipe, which ThreadSanitizer sees. Values
// carried by queued signals are copied and freed inside the Qt libraries, and Qt's post-event
// queue is guarded by Qt's own mutex, whose synchronisation ThreadSanitizer cannot see unless
// Qt itself is built with it, so those hand-overs were reported as races, or had to be hidden
// along with real ones.
#pragma once

#include <QObject>

#include <deque>
#include <functional>
#include <mutex>

class QSocketNotifier;

namespace gradscope::app {

class ThreadMailbox : public QObject {
  Q_OBJECT
 public:
  // Create it on (or move it with its parent to) the thread that runs the work.
  explicit ThreadMailbox(QObject* parent = nullptr);
  ~ThreadMailbox() override;

  // From any thread: runs `work` later on this object's thread, never inside this call.
  // Everything `work` captured is copied before the hand-over and destroyed on the receiving
  // thread.
  void post(std::function<void()> work);

 private:
  void runAll();

  std::mutex m_mutex;
  std::deque<std::function<void()>> m_work;  // guarded by m_mutex
  // The wake-up: one byte in the pipe while m_work is not empty (written and read under
  // m_mutex). If no pipe can be had, a queued call wakes the thread instead.
  int m_pipe[2] = {-1, -1};
  QSocketNotifier* m_notifier = nullptr;
};

}  // namespace gradscope::app
