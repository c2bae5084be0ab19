// The dashboard's sessions: File → Save session / Save session as / Open session / Open
// recent, drag and drop of a .gradscope file onto the window, the window title (session name
// and an unsaved-changes mark), the question before closing with unsaved changes, and crash
// recovery (while training, a recovery copy at most `autosaveInterval` old in the application
// data folder, offered at the next start and removed after a save or a clean close).
//
// Saving asks the worker for its runs' exact state (asynchronously, between two steps) and adds
// what the window owns: the metric history, the layout, the LR range test, the note. Opening
// reads and checks the whole file first, then the worker builds and checks the runs; only then
// are the running experiment, the history and the layout replaced.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <optional>

#include "app/sessions/session.h"

class QAction;
class QMenu;
class QTimer;

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
  // Reads and checks `path`; false and `error` when it is not a valid session. When true, the
  // worker builds the runs: sessionOpened or openFailed follows.
  bool open(const QString& path, QString* error = nullptr);

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

  QString recoveryPath() const { return m_recoveryPath; }
  void setRecoveryPath(const QString& path) { m_recoveryPath = path; }
  void setAutosaveInterval(int milliseconds);
  // Writes the recovery copy now if anything changed since the last one (the timer calls it
  // while training).
  void autosave();
  // At start: if a recovery copy exists, asks (or, with `ask` false, restores without asking)
  // and opens it. True when a recovery was started.
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
  void capture(std::function<void(app::Session)> done);
  void onCaptured(int requestId, const app::SessionPtr& session);
  void onRestored(const app::SessionPtr& session);
  void onRestoreFailed(const QString& field, const QString& reason);
  void setDirty(bool dirty);
  void updateTitle();
  void addRecent(const QString& path);
  void rebuildRecentMenu();
  void saveDialog();
  void openDialog();
  void editNote();

  MainWindow& m_window;
  bool m_persistent;
  QAction* m_saveAction = nullptr;
  QAction* m_saveAsAction = nullptr;
  QAction* m_openAction = nullptr;
  QAction* m_noteAction = nullptr;
  QMenu* m_recentMenu = nullptr;
  QTimer* m_autosaveTimer = nullptr;

  QString m_path;  // empty: never saved
  QString m_name;  // the session's own name, if it has one
  QString m_note;
  std::optional<core::LrRangeTestResult> m_lrRangeTest;
  bool m_dirty = false;
  bool m_changedSinceAutosave = false;
  bool m_closeAfterSave = false;
  QStringList m_recent;
  QString m_recoveryPath;
  std::function<CloseChoice()> m_prompt;

  int m_nextRequest = 1;
  std::map<int, std::function<void(app::Session)>> m_pendingCaptures;
  // The session being opened (set between open() and the worker's answer).
  std::optional<std::pair<QString, app::SessionPtr>> m_opening;
  bool m_openingRecovery = false;
};

}  // namespace gradscope::ui
