// The dashboard's sessions: File → Save session / Save session as / Open session / Open
// recent, drag and drop of a .gradscope file onto the window, the window title (session name
// and an unsaved-changes mark), the question before closing with unsaved changes, and crash
// recovery (app/sessions/recovery_store.h: one recovery copy per instance, locked while it
// lives, offered at the next start if its instance died, removed after a save or a clean
// close).
//
// When the recovery copy is written: the first time `firstAutosaveDelay` (10 s) after training
// starts, then every `autosaveInterval` (60 s) while anything changed, and at once when a run
// stops (paused, finished, diverged) with unsaved changes, so a run shorter than the interval
// is never lost.
//
// Saving asks the worker for its runs' exact state (asynchronously, between two steps) and adds
// what the window owns: the metric history, the layout, the LR range test, the note. This
// snapshot of values is the only part done on the GUI thread; encoding, compressing and
// writing the file run on a background thread (QtConcurrent), one write at a time in the
// order asked, with a busy indicator in the status bar. Opening reads, checks and decodes the
// file and rebuilds its metric history on a background thread; then the worker builds and
// checks the runs; only then are the running experiment, the history and the layout replaced.
// Closing the window while a save is being captured or written waits for it (the window
// closes by itself once it is written); destroying the manager waits too.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "app/sessions/session.h"

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QTimer;
class QWidget;
template <typename T>
class QFutureWatcher;

namespace gradscope::app {
class MetricHistory;
class RecoveryStore;
}  // namespace gradscope::app

namespace gradscope::ui {

class MainWindow;

class SessionManager : public QObject {
  Q_OBJECT
 public:
  enum class CloseChoice { Save, Discard, Cancel };

  SessionManager(MainWindow& window, bool persistent);
  ~SessionManager() override;

  QAction* saveAction() const { return m_saveAction; }
  QAction* saveAsAction() const { return m_saveAsAction; }
  QAction* openAction() const { return m_openAction; }
  QAction* noteAction() const { return m_noteAction; }
  QMenu* recentMenu() const { return m_recentMenu; }

  // Saves to `path` (asynchronous: sessionSaved or saveFailed follows). `done` is called with
  // the outcome.
  void saveTo(const QString& path, std::function<void(bool, const QString&)> done = {});
  // Reads and checks `path` on a background thread, then the worker builds the runs:
  // sessionOpened or openFailed follows. False (and `error`) only when another session is
  // still being opened.
  bool open(const QString& path, QString* error = nullptr);
  // A save or recovery copy is being captured or written, or a session is being read.
  bool isBusy() const;

  bool isDirty() const { return m_dirty; }
  QString currentPath() const { return m_path; }
  QString sessionName() const;
  const QString& note() const { return m_note; }
  void setNote(const QString& note);
  QStringList recentFiles() const { return m_recent; }

  // For closeEvent: true when the window may close now (nothing unsaved, or discarded); a
  // "save" choice saves and closes the window afterwards.
  bool confirmClose();
  // Replaces the question dialog (tests).
  void setClosePrompt(std::function<CloseChoice()> prompt) { m_prompt = std::move(prompt); }

  // This instance's recovery copy (empty without a recovery folder).
  QString recoveryPath() const;
  // Keeps this instance's recovery copy in `directory` (the application data folder for a
  // persistent window; tests pass their own). Each manager is one instance.
  void setRecoveryDirectory(const QString& directory);
  void setAutosaveInterval(int milliseconds);
  void setFirstAutosaveDelay(int milliseconds);
  // Writes the recovery copy now if there are unsaved changes not in it yet (the timers and
  // the end of a run call it).
  void autosave();
  // At start: if an instance that no longer runs left a recovery copy, asks (or, with `ask`
  // false, restores without asking) and opens it; the copy becomes this instance's. Copies of
  // live instances are never offered. True when a recovery was started.
  bool offerRecovery(bool ask = true);

 signals:
  void sessionOpened(const QString& path);
  void openFailed(const QString& message);
  void sessionSaved(const QString& path);
  void saveFailed(const QString& message);
  void autosaved(const QString& path);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  struct WriteJob {
    QString path;  // a recovery copy's is this instance's copy when it is written
    bool recovery = false;
    app::Session session;
    std::function<void(bool, const QString&)> done;
  };
  struct ReadResult;

  void capture(std::function<void(app::Session)> done);
  void onCaptured(int requestId, const app::SessionPtr& session);
  void enqueueWrite(WriteJob job);
  void startNextWrite();
  void onWritten();
  void onRead();
  void saved(const QString& path, bool ok, const QString& error);
  void failOpen(const QString& path, const QString& message);
  void trackRunState(app::RunState state);
  void becameIdle();
  void updateProgress();
  void onRestored(const app::SessionPtr& session);
  void onRestoreFailed(const QString& field, const QString& reason);
  void setDirty(bool dirty);
  void updateTitle();
  void addRecent(const QString& path);
  void rebuildRecentMenu();
  void saveDialog();
  void openDialog();
  void openOrWarn(const QString& path);
  void editNote();

  MainWindow& m_window;
  bool m_persistent;
  QAction* m_saveAction = nullptr;
  QAction* m_saveAsAction = nullptr;
  QAction* m_openAction = nullptr;
  QAction* m_noteAction = nullptr;
  QMenu* m_recentMenu = nullptr;
  QTimer* m_autosaveTimer = nullptr;
  QTimer* m_firstAutosaveTimer = nullptr;
  QWidget* m_progress = nullptr;  // in the status bar while busy
  QLabel* m_progressLabel = nullptr;

  QString m_path;  // empty: never saved
  QString m_name;  // the session's own name, if it has one
  QString m_note;
  std::optional<core::LrRangeTestResult> m_lrRangeTest;
  bool m_dirty = false;
  bool m_changedSinceAutosave = false;
  bool m_autosavePending = false;  // a recovery copy is being captured or written
  bool m_closeAfterSave = false;
  bool m_closeWhenIdle = false;  // a close waits for a save in flight
  QStringList m_recent;
  std::unique_ptr<app::RecoveryStore> m_recovery;
  std::function<CloseChoice()> m_prompt;
  app::RunState m_runState = app::RunState::Idle;  // as the last snapshot said

  int m_nextRequest = 1;
  std::map<int, std::function<void(app::Session)>> m_pendingCaptures;
  // Writes in order: the one in flight (m_writer running) and those waiting.
  QFutureWatcher<QString>* m_writer = nullptr;
  std::optional<WriteJob> m_writing;
  std::deque<WriteJob> m_writeQueue;
  // The file being read (between open() and its decoded session).
  QFutureWatcher<ReadResult>* m_reader = nullptr;
  QString m_readingPath;
  // The session being opened (set between the read and the worker's answer), with its metric
  // history rebuilt off the GUI thread.
  std::optional<std::pair<QString, app::SessionPtr>> m_opening;
  std::shared_ptr<app::MetricHistory> m_openingHistory;
  bool m_openingRecovery = false;
};

}  // namespace gradscope::ui
