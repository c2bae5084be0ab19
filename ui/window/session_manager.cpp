#include "ui/window/session_manager.h"

#include <QAction>
#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>

#include "app/history/run_history.h"
#include "app/landscapes/landscape_state_json.h"
#include "app/sessions/session_file.h"
#include "core/kernels/kernel_level.h"
#include "ui/window/main_window.h"

namespace gradscope::ui {

namespace {

const QLatin1String kRecentKey("sessions/recent");
const QLatin1String kDirectoryKey("files/directory");
constexpr int kMaxRecent = 8;
constexpr int kAutosaveMilliseconds = 60'000;

QString withSessionSuffix(QString path) {
  if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".gradscope");
  return path;
}

// The first session file among dropped URLs, if any.
QString droppedSession(const QMimeData* mime) {
  if (!mime || !mime->hasUrls()) return {};
  for (const QUrl& url : mime->urls()) {
    if (url.isLocalFile() && url.toLocalFile().endsWith(QLatin1String(".gradscope"))) {
      return url.toLocalFile();
    }
  }
  return {};
}

}  // namespace

SessionManager::SessionManager(MainWindow& window, bool persistent)
    : QObject(&window), m_window(window), m_persistent(persistent) {
  m_recoveryPath = persistent
                       ? QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                             .filePath(QStringLiteral("recovery.gradscope"))
                       : QString();
  m_saveAction = new QAction(tr("Save session"), this);
  m_saveAction->setShortcut(QKeySequence::Save);
  m_saveAction->setToolTip(
      tr("Save the whole experiment: settings, weights, optimiser state "
         "and history, to continue exactly where it is (Ctrl+S)"));
  connect(m_saveAction, &QAction::triggered, this, [this] {
    if (m_path.isEmpty()) {
      saveDialog();
    } else {
      saveTo(m_path);
    }
  });
  m_saveAsAction = new QAction(tr("Save session as…"), this);
  m_saveAsAction->setShortcut(QKeySequence::SaveAs);
  connect(m_saveAsAction, &QAction::triggered, this, &SessionManager::saveDialog);
  m_openAction = new QAction(tr("Open session…"), this);
  m_openAction->setShortcut(QKeySequence::Open);
  m_openAction->setToolTip(tr("Open a saved session and continue it (Ctrl+O)"));
  connect(m_openAction, &QAction::triggered, this, &SessionManager::openDialog);
  m_noteAction = new QAction(tr("Session note…"), this);
  m_noteAction->setToolTip(tr("A free-text note saved with the session"));
  connect(m_noteAction, &QAction::triggered, this, &SessionManager::editNote);
  m_recentMenu = new QMenu(tr("Open recent"));
  if (m_persistent) m_recent = QSettings().value(kRecentKey).toStringList();
  rebuildRecentMenu();

  m_autosaveTimer = new QTimer(this);
  m_autosaveTimer->setInterval(kAutosaveMilliseconds);
  connect(m_autosaveTimer, &QTimer::timeout, this, &SessionManager::autosave);
  m_autosaveTimer->start();

  app::TrainingController& controller = m_window.controller();
  connect(&controller, &app::TrainingController::sessionCaptured, this,
          &SessionManager::onCaptured);
  connect(&controller, &app::TrainingController::sessionRestored, this,
          &SessionManager::onRestored);
  connect(&controller, &app::TrainingController::sessionFailed, this,
          &SessionManager::onRestoreFailed);
  // Unsaved changes: trained steps, live changes, resets.
  connect(&m_window, &MainWindow::snapshotHandled, this, [this](const app::SnapshotPtr& s) {
    if (!s->steps.empty() || !s->events.empty()) setDirty(true);
  });
  connect(&controller, &app::TrainingController::configApplied, this,
          [this](const core::ExperimentConfig&, const QStringList& changes) {
            if (!changes.isEmpty()) setDirty(true);
          });
  connect(&m_window, &MainWindow::lrRangeTestResult, this,
          [this](const core::LrRangeTestResult& r) { m_lrRangeTest = r; });

  m_window.setAcceptDrops(true);
  m_window.installEventFilter(this);
  updateTitle();
}

SessionManager::~SessionManager() { delete m_recentMenu; }

QString SessionManager::sessionName() const {
  if (!m_name.isEmpty()) return m_name;
  if (!m_path.isEmpty()) return QFileInfo(m_path).completeBaseName();
  return tr("Untitled");
}

void SessionManager::setNote(const QString& note) {
  if (note == m_note) return;
  m_note = note;
  setDirty(true);
}

void SessionManager::setDirty(bool dirty) {
  if (dirty) m_changedSinceAutosave = true;
  if (m_dirty == dirty) return;
  m_dirty = dirty;
  updateTitle();
}

void SessionManager::updateTitle() {
  m_window.setWindowTitle(tr("%1[*] — GradScope").arg(sessionName()));
  m_window.setWindowModified(m_dirty);
}

void SessionManager::capture(std::function<void(app::Session)> done) {
  const int id = m_nextRequest++;
  m_pendingCaptures[id] = std::move(done);
  m_window.controller().captureSession(id);
}

void SessionManager::onCaptured(int requestId, const app::SessionPtr& captured) {
  const auto it = m_pendingCaptures.find(requestId);
  if (it == m_pendingCaptures.end() || !captured) return;
  auto done = std::move(it->second);
  m_pendingCaptures.erase(it);
  app::Session session = *captured;
  session.name = m_name;
  session.note = m_note;
  session.speed = m_window.speed();
  session.layout = m_window.dashboardLayout();
  session.landscape = app::landscapeStateToJson(m_window.landscapeModel().state());
  // Each run's history under its live id (a comparison's ids have gaps once a run was removed).
  for (std::size_t i = 0; i < session.runs.size(); ++i) {
    app::SessionRun& run = session.runs[i];
    run.history = app::captureRunHistory(m_window.history(), run.liveId >= 0 ? run.liveId : int(i));
  }
  if (!session.runs.empty()) session.runs[0].lrRangeTest = m_lrRangeTest;
  done(std::move(session));
}

void SessionManager::saveTo(const QString& path, std::function<void(bool, const QString&)> done) {
  capture([this, path, done](app::Session session) {
    QString error;
    const bool ok = app::saveSessionFile(path, session, &error);
    if (ok) {
      m_path = path;
      setDirty(false);
      addRecent(path);
      if (!m_recoveryPath.isEmpty()) QFile::remove(m_recoveryPath);
      m_changedSinceAutosave = false;
      m_window.statusBar()->showMessage(
          tr("Session saved to %1").arg(QDir::toNativeSeparators(path)), 6000);
      emit sessionSaved(path);
      if (m_closeAfterSave) {
        m_closeAfterSave = false;  // once: a later save must not close the window
        QTimer::singleShot(0, &m_window, &QWidget::close);
      }
    } else {
      m_closeAfterSave = false;
      if (m_persistent) {
        QMessageBox::warning(&m_window, tr("Save failed"),
                             tr("The session was not saved: %1.").arg(error));
      }
      emit saveFailed(error);
    }
    if (done) done(ok, error);
  });
}

bool SessionManager::open(const QString& path, QString* error) {
  QString message;
  const auto session = app::loadSessionFile(path, &message);
  if (!session) {
    if (error) *error = message;
    emit openFailed(message);
    return false;
  }
  auto shared = std::make_shared<const app::Session>(*session);
  m_opening = std::make_pair(path, shared);
  m_window.controller().restoreSession(shared, QFileInfo(path).absolutePath());
  return true;
}

void SessionManager::onRestored(const app::SessionPtr& session) {
  if (!m_opening || m_opening->second != session) return;
  const QString path = m_opening->first;
  m_opening.reset();
  for (std::size_t i = 0; i < session->runs.size(); ++i) {
    if (session->runs[i].history) {
      app::restoreRunHistory(m_window.history(), int(i), *session->runs[i].history);
    }
  }
  if (!session->layout.isEmpty()) m_window.restoreDashboardLayout(session->layout);
  m_window.setSpeed(session->speed);
  m_lrRangeTest = session->runs[0].lrRangeTest;
  if (m_lrRangeTest) emit m_window.lrRangeTestResult(*m_lrRangeTest);
  m_name = session->name;
  m_note = session->note;
  if (!session->landscape.isEmpty()) {
    // Checked when the file was read (session_json.cpp): setting it cannot fail here.
    try {
      m_window.landscapeModel().setState(app::landscapeStateFromJson(session->landscape));
    } catch (const core::Error& e) {
      m_window.statusBar()->showMessage(
          tr("Landscape not restored: %1: %2")
              .arg(QString::fromStdString(e.field()), QString::fromStdString(e.reason())),
          8000);
    }
  }
  if (m_openingRecovery) {
    // A recovered session belongs to no file: it stays unsaved until the user saves it.
    m_openingRecovery = false;
    m_path.clear();
    setDirty(true);
  } else {
    m_path = path;
    addRecent(path);
    setDirty(false);
  }
  m_changedSinceAutosave = false;
  updateTitle();
  const QString level = QString::fromLatin1(core::kernelLevelName(core::kernelLevel()));
  if (!session->kernels.isEmpty() && session->kernels != level) {
    // Another instruction-set level sums in another order (core/kernels/kernel_level.h).
    m_window.statusBar()->showMessage(
        tr("Opened %1, trained with %2 kernels; this computer uses %3: continuing may differ "
           "from the original in the last bits. Press Play")
            .arg(sessionName(), session->kernels, level),
        12000);
  } else {
    m_window.statusBar()->showMessage(tr("Opened %1: press Play").arg(sessionName()), 8000);
  }
  emit sessionOpened(path);
}

void SessionManager::onRestoreFailed(const QString& field, const QString& reason) {
  if (!m_opening) return;
  const QString path = m_opening->first;
  m_opening.reset();
  m_openingRecovery = false;
  const QString message = QStringLiteral("%1: %2").arg(field, reason);
  if (m_persistent) {
    QMessageBox::warning(&m_window, tr("Open failed"),
                         tr("%1 was not opened: %2").arg(QFileInfo(path).fileName(), message));
  }
  emit openFailed(message);
}

bool SessionManager::confirmClose() {
  if (!m_dirty) {
    if (!m_recoveryPath.isEmpty()) QFile::remove(m_recoveryPath);
    return true;
  }
  CloseChoice choice = CloseChoice::Cancel;
  if (m_prompt) {
    choice = m_prompt();
  } else {
    const auto button = QMessageBox::question(
        &m_window, tr("Unsaved changes"),
        tr("Save the changes to %1 before closing?").arg(sessionName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    choice = button == QMessageBox::Save      ? CloseChoice::Save
             : button == QMessageBox::Discard ? CloseChoice::Discard
                                              : CloseChoice::Cancel;
  }
  switch (choice) {
    case CloseChoice::Discard:
      if (!m_recoveryPath.isEmpty()) QFile::remove(m_recoveryPath);
      return true;
    case CloseChoice::Cancel:
      return false;
    case CloseChoice::Save:
      break;
  }
  QString path = m_path;
  if (path.isEmpty()) {
    path = QFileDialog::getSaveFileName(&m_window, tr("Save session"),
                                        QDir(QSettings().value(kDirectoryKey).toString())
                                            .filePath(sessionName() + QStringLiteral(".gradscope")),
                                        tr("GradScope session (*.gradscope)"));
    if (path.isEmpty()) return false;
    path = withSessionSuffix(path);
  }
  m_closeAfterSave = true;
  saveTo(path);
  return false;  // closes once saved
}

void SessionManager::setAutosaveInterval(int milliseconds) {
  m_autosaveTimer->setInterval(milliseconds);
  m_autosaveTimer->start();
}

void SessionManager::autosave() {
  // Only while training: a paused experiment is not at risk of losing anything new.
  if (m_recoveryPath.isEmpty() || !m_changedSinceAutosave ||
      m_window.runState() != app::RunState::Running) {
    return;
  }
  m_changedSinceAutosave = false;
  capture([this](app::Session session) {
    QDir().mkpath(QFileInfo(m_recoveryPath).absolutePath());
    if (session.name.isEmpty()) session.name = sessionName();
    if (app::saveSessionFile(m_recoveryPath, session)) emit autosaved(m_recoveryPath);
  });
}

bool SessionManager::offerRecovery(bool ask) {
  if (m_recoveryPath.isEmpty() || !QFileInfo::exists(m_recoveryPath)) return false;
  if (ask) {
    const QString when = QFileInfo(m_recoveryPath).lastModified().toString(Qt::TextDate);
    const auto answer = QMessageBox::question(
        &m_window, tr("Restore the last session?"),
        tr("GradScope did not close properly last time. Restore the experiment as it was at "
           "%1?")
            .arg(when),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer != QMessageBox::Yes) {
      QFile::remove(m_recoveryPath);
      return false;
    }
  }
  m_openingRecovery = true;
  QString error;
  if (!open(m_recoveryPath, &error)) {
    m_openingRecovery = false;
    QFile::remove(m_recoveryPath);
    return false;
  }
  return true;
}

void SessionManager::addRecent(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  if (absolute == QFileInfo(m_recoveryPath).absoluteFilePath()) return;
  m_recent.removeAll(absolute);
  m_recent.prepend(absolute);
  while (m_recent.size() > kMaxRecent) m_recent.removeLast();
  if (m_persistent) {
    QSettings().setValue(kRecentKey, m_recent);
    QSettings().setValue(kDirectoryKey, QFileInfo(absolute).absolutePath());
  }
  rebuildRecentMenu();
}

void SessionManager::rebuildRecentMenu() {
  m_recentMenu->clear();
  for (const QString& path : m_recent) {
    QAction* action = m_recentMenu->addAction(QFileInfo(path).fileName());
    action->setToolTip(QDir::toNativeSeparators(path));
    connect(action, &QAction::triggered, this, [this, path] {
      QString error;
      if (!open(path, &error) && m_persistent) {
        QMessageBox::warning(&m_window, tr("Open failed"),
                             tr("%1 was not opened: %2").arg(QFileInfo(path).fileName(), error));
      }
    });
  }
  m_recentMenu->setEnabled(!m_recent.isEmpty());
}

void SessionManager::saveDialog() {
  const QString start = m_path.isEmpty()
                            ? QDir(QSettings().value(kDirectoryKey).toString())
                                  .filePath(sessionName() + QStringLiteral(".gradscope"))
                            : m_path;
  const QString path = QFileDialog::getSaveFileName(&m_window, tr("Save session"), start,
                                                    tr("GradScope session (*.gradscope)"));
  if (!path.isEmpty()) saveTo(withSessionSuffix(path));
}

void SessionManager::openDialog() {
  if (m_dirty) {
    const auto answer = QMessageBox::question(
        &m_window, tr("Unsaved changes"),
        tr("Opening a session replaces the current experiment, which has unsaved changes. "
           "Continue?"));
    if (answer != QMessageBox::Yes) return;
  }
  const QString path = QFileDialog::getOpenFileName(
      &m_window, tr("Open session"), QSettings().value(kDirectoryKey).toString(),
      tr("GradScope session (*.gradscope);;All files (*)"));
  if (path.isEmpty()) return;
  QString error;
  if (!open(path, &error)) {
    QMessageBox::warning(&m_window, tr("Open failed"),
                         tr("%1 was not opened: %2").arg(QFileInfo(path).fileName(), error));
  }
}

void SessionManager::editNote() {
  bool ok = false;
  const QString note = QInputDialog::getMultiLineText(
      &m_window, tr("Session note"), tr("A note saved with the session:"), m_note, &ok);
  if (ok) setNote(note);
}

bool SessionManager::eventFilter(QObject* watched, QEvent* event) {
  if (watched == &m_window) {
    if (event->type() == QEvent::DragEnter) {
      auto* drag = static_cast<QDragEnterEvent*>(event);
      if (!droppedSession(drag->mimeData()).isEmpty()) {
        drag->acceptProposedAction();
        return true;
      }
    } else if (event->type() == QEvent::Drop) {
      auto* drop = static_cast<QDropEvent*>(event);
      const QString path = droppedSession(drop->mimeData());
      if (!path.isEmpty()) {
        drop->acceptProposedAction();
        QString error;
        if (!open(path, &error) && m_persistent) {
          QMessageBox::warning(&m_window, tr("Open failed"),
                               tr("%1 was not opened: %2").arg(QFileInfo(path).fileName(), error));
        }
        return true;
      }
    }
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace gradscope::ui
