#include "app/worker/thread_mailbox.h"

#include <QSocketNotifier>

#include <fcntl.h>
#include <unistd.h>

namespace gradscope::app {

namespace {

bool makeNonBlocking(int fd) {
  return ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) == 0 &&
         ::fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

}  // namespace

ThreadMailbox::ThreadMailbox(QObject* parent) : QObject(parent) {
  if (::pipe(m_pipe) != 0) {
    m_pipe[0] = m_pipe[1] = -1;
    return;
  }
  if (!makeNonBlocking(m_pipe[0]) || !makeNonBlocking(m_pipe[1])) {
    ::close(m_pipe[0]);
    ::close(m_pipe[1]);
    m_pipe[0] = m_pipe[1] = -1;
    return;
  }
  // A child: moves with this object to the receiving thread.
  m_notifier = new QSocketNotifier(m_pipe[0], QSocketNotifier::Read, this);
  connect(m_notifier, &QSocketNotifier::activated, this, &ThreadMailbox::runAll);
}

ThreadMailbox::~ThreadMailbox() {
  // Under the mutex: the last post() from another thread is ordered before the pipe closes.
  const std::lock_guard lock(m_mutex);
  if (m_pipe[0] >= 0) {
    ::close(m_pipe[0]);
    ::close(m_pipe[1]);
  }
}

void ThreadMailbox::post(std::function<void()> work) {
  const std::lock_guard lock(m_mutex);
  const bool wasEmpty = m_work.empty();
  m_work.push_back(std::move(work));
  if (!wasEmpty) return;  // a wake-up is pending already
  if (m_notifier) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(m_pipe[1], &byte, 1);
  } else {
    QMetaObject::invokeMethod(this, &ThreadMailbox::runAll, Qt::QueuedConnection);
  }
}

void ThreadMailbox::runAll() {
  std::deque<std::function<void()>> work;
  {
    const std::lock_guard lock(m_mutex);
    if (m_notifier) {
      char byte = 0;
      while (::read(m_pipe[0], &byte, 1) > 0) {
      }
    }
    work.swap(m_work);
  }
  for (std::function<void()>& item : work) item();
}

}  // namespace gradscope::app
