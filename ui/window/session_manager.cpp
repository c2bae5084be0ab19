#include "ui/window/session_manager.h"

#include <QAction>
#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

#include "app/history/metric_history.h"
#include "app/history/run_history.h"
#include "app/landscapes/landscape_state_json.h"
#include "app/sessions/recovery_store.h"
#include "app/sessions/session_file.h"
#include "core/kernels/kernel_level.h"
#include "ui/charts/dashboard_view.h"
#include "ui/window/main_window.h"
#include "ui/window/settings_keys.h"

namespace gradscope::ui {

namespace {

constexpr int kMaxRecent = 8;
constexpr int kAutosaveMilliseconds = 60'000;
// The first recovery copy of a training: soon enough that a short run is protected, late
// enough that a click on Play and Pause does not write one.
constexpr int kFirstAutosaveMilliseconds = 10'000;

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

// What the background read of a session hands back: the session (its runs' saved histories
// moved out into `history`, already rebuilt) or the reason it was refused.
struct SessionManager::ReadResult {
  std::shared_ptr<app::Session> session;
  std::shared_ptr<app::MetricHistory> history;
  QString error;
};

SessionManager::SessionManager(MainWindow& window, bool persistent)
    : QObject(&window), m_window(window), m_persistent(persistent) {
  if (persistent) {
    setRecoveryDirectory(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation));
  }
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
  if (m_persistent) m_recent = QSettings().value(kRecentSessionsKey).toStringList();
  rebuildRecentMenu();

  m_autosaveTimer = new QTimer(this);
  m_autosaveTimer->setInterval(kAutosaveMilliseconds);
  connect(m_autosaveTimer, &QTimer::timeout, this, &SessionManager::autosave);
  m_autosaveTimer->start();
  m_firstAutosaveTimer = new QTimer(this);
  m_firstAutosaveTimer->setSingleShot(true);
  m_firstAutosaveTimer->setInterval(kFirstAutosaveMilliseconds);
  connect(m_firstAutosaveTimer, &QTimer::timeout, this, &SessionManager::autosave);

  m_writer = new QFutureWatcher<QString>(this);
  connect(m_writer, &QFutureWatcher<QString>::finished, this, &SessionManager::onWritten);
  m_reader = new QFutureWatcher<ReadResult>(this);
  connect(m_reader, &QFutureWatcher<ReadResult>::finished, this, &SessionManager::onRead);
  m_progress = new QWidget;
  auto* progressLayout = new QHBoxLayout(m_progress);
  progressLayout->setContentsMargins(0, 0, 0, 0);
  m_progressLabel = new QLabel(m_progress);
  auto* bar = new QProgressBar(m_progress);
  bar->setRange(0, 0);  // busy: encoding and compressing report no fraction
  bar->setMaximumWidth(120);
  bar->setMaximumHeight(14);
  bar->setTextVisible(false);
  progressLayout->addWidget(m_progressLabel);
  progressLayout->addWidget(bar);
  m_window.statusBar()->addPermanentWidget(m_progress);
  m_progress->hide();

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
    trackRunState(s->state);
  });
  connect(&controller, &app::TrainingController::configApplied, this,
          [this](const core::ExperimentConfig&, const QStringList& changes) {
            if (!changes.isEmpty()) setDirty(true);
          });
  connect(&m_window, &MainWindow::lrRangeTestResult, this,
          [this](const core::LrRangeTestResult& r) {
            // An empty result clears the test (its run was reset or replaced).
            m_lrRangeTest = r.rates.empty() ? std::nullopt : std::optional(r);
          });

  m_window.setAcceptDrops(true);
  m_window.installEventFilter(this);
  updateTitle();
}

SessionManager::~SessionManager() {
  // Nothing asked for is lost: the write in flight finishes, and the user's saves still
  // waiting are written here (recovery copies are not needed once the window goes).
  m_writer->waitForFinished();
  for (WriteJob& job : m_writeQueue) {
    if (!job.recovery) app::saveSessionFile(job.path, job.session);
  }
  m_reader->waitForFinished();
  delete m_recentMenu;
}

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
  updateProgress();
}

void SessionManager::onCaptured(int requestId, const app::SessionPtr& captured) {
  const auto it = m_pendingCaptures.find(requestId);
  if (it == m_pendingCaptures.end() || !captured) return;
  auto done = std::move(it->second);
  m_pendingCaptures.erase(it);
  // The snapshot of what the window owns: plain copies of values, no encoding.
  app::Session session = *captured;
  session.name = m_name;
  session.note = m_note;
  session.speed = m_window.speed();
  session.layout = m_window.dashboardLayout();
  session.landscape = app::landscapeStateToJson(m_window.landscapeModel().state());
  for (const DashboardView* view : m_window.views()) {
    const QJsonObject state = view->viewState();
    if (!state.isEmpty()) session.views.insert(view->viewTitle(), state);
  }
  // Each run's history under its live id (a comparison's ids have gaps once a run was removed).
  for (std::size_t i = 0; i < session.runs.size(); ++i) {
    app::SessionRun& run = session.runs[i];
    run.history = app::captureRunHistory(m_window.history(), run.liveId >= 0 ? run.liveId : int(i));
  }
  if (!session.runs.empty()) session.runs[0].lrRangeTest = m_lrRangeTest;
  session.eventLog = m_window.eventLog();
  done(std::move(session));
  becameIdle();
}

bool SessionManager::isBusy() const {
  return !m_pendingCaptures.empty() || m_writing.has_value() || !m_writeQueue.empty() ||
         !m_readingPath.isEmpty();
}

void SessionManager::enqueueWrite(WriteJob job) {
  m_writeQueue.push_back(std::move(job));
  if (!m_writing) startNextWrite();
  updateProgress();
}

void SessionManager::startNextWrite() {
  while (!m_writing && !m_writeQueue.empty()) {
    WriteJob job = std::move(m_writeQueue.front());
    m_writeQueue.pop_front();
    if (job.recovery) {
      // A recovery copy: not needed once everything it holds was saved.
      if (!m_dirty || !m_recovery || !m_recovery->isValid()) {
        if (job.done) job.done(false, {});
        continue;
      }
      job.path = m_recovery->path();
    }
    // The encoding, compression and writing run on a pool thread; the job keeps its own copy.
    m_writer->setFuture(QtConcurrent::run([path = job.path, session = std::move(job.session)] {
      QString error;
      if (app::saveSessionFile(path, session, &error)) return QString();
      return error.isEmpty() ? QStringLiteral("the file could not be written") : error;
    }));
    m_writing = std::move(job);
  }
  updateProgress();
}

void SessionManager::onWritten() {
  if (!m_writing) return;
  WriteJob job = std::move(*m_writing);
  m_writing.reset();
  const QString error = m_writer->result();
  if (job.done) job.done(error.isEmpty(), error);
  startNextWrite();
  becameIdle();
}

void SessionManager::becameIdle() {
  updateProgress();
  if (isBusy() || !m_closeWhenIdle) return;
  m_closeWhenIdle = false;
  QTimer::singleShot(0, &m_window, &QWidget::close);
}

void SessionManager::updateProgress() {
  QString text;
  if (!m_readingPath.isEmpty() || m_opening) {
    text = tr("Opening the session…");
  } else if (isBusy()) {
    const bool user = (m_writing && !m_writing->recovery) ||
                      std::any_of(m_writeQueue.begin(), m_writeQueue.end(),
                                  [](const WriteJob& j) { return !j.recovery; }) ||
                      std::size_t(m_autosavePending) < m_pendingCaptures.size();
    text = user ? tr("Saving the session…") : tr("Saving a recovery copy…");
  }
  m_progressLabel->setText(text);
  m_progress->setVisible(!text.isEmpty());
}

void SessionManager::saveTo(const QString& path, std::function<void(bool, const QString&)> done) {
  capture([this, path, done](app::Session session) {
    enqueueWrite(
        {path, false, std::move(session), [this, path, done](bool ok, const QString& error) {
           saved(path, ok, error);
           if (done) done(ok, error);
         }});
  });
}

void SessionManager::saved(const QString& path, bool ok, const QString& error) {
  if (ok) {
    m_path = path;
    setDirty(false);
    addRecent(path);
    if (m_recovery) m_recovery->discard();
    m_changedSinceAutosave = false;
    m_window.statusBar()->showMessage(tr("Session saved to %1").arg(QDir::toNativeSeparators(path)),
                                      6000);
    emit sessionSaved(path);
    if (m_closeAfterSave) {
      m_closeAfterSave = false;  // once: a later save must not close the window
      QTimer::singleShot(0, &m_window, &QWidget::close);
    }
  } else {
    m_closeAfterSave = false;
    m_closeWhenIdle = false;
    if (m_persistent) {
      QMessageBox::warning(&m_window, tr("Save failed"),
                           tr("The session was not saved: %1.").arg(error));
    }
    emit saveFailed(error);
  }
}

bool SessionManager::open(const QString& path, QString* error) {
  if (!m_readingPath.isEmpty() || m_opening) {
    if (error) *error = tr("another session is still being opened");
    return false;
  }
  m_readingPath = path;
  // Reading, checking and decoding the file, and rebuilding its metric history, off the GUI
  // thread; the history is handed over whole once the worker has built the runs.
  m_reader->setFuture(QtConcurrent::run([path, limits = m_window.history().limits()] {
    ReadResult result;
    QString message;
    auto session = app::loadSessionFile(path, &message);
    if (!session) {
      result.error = message;
      return result;
    }
    result.history = std::make_shared<app::MetricHistory>(limits);
    for (std::size_t i = 0; i < session->runs.size(); ++i) {
      std::optional<app::RunHistory>& saved = session->runs[i].history;
      if (saved) app::restoreRunHistory(*result.history, int(i), *saved);
      saved.reset();  // the worker does not read it
    }
    result.session = std::make_shared<app::Session>(std::move(*session));
    return result;
  }));
  updateProgress();
  return true;
}

void SessionManager::onRead() {
  const QString path = m_readingPath;
  m_readingPath.clear();
  ReadResult result = m_reader->result();
  if (!result.session) {
    failOpen(path, result.error);
    becameIdle();
    return;
  }
  app::SessionPtr shared = std::move(result.session);
  m_opening = std::make_pair(path, shared);
  m_openingHistory = std::move(result.history);
  m_window.controller().restoreSession(shared, QFileInfo(path).absolutePath());
  updateProgress();
}

void SessionManager::onRestored(const app::SessionPtr& session) {
  if (!m_opening || m_opening->second != session) return;
  const QString path = m_opening->first;
  m_opening.reset();
  for (std::size_t i = 0; i < session->runs.size(); ++i) {
    if (m_openingHistory->hasRun(int(i))) {
      m_window.history().takeRun(int(i), *m_openingHistory, int(i));
    }
  }
  m_openingHistory.reset();
  if (!session->layout.isEmpty()) m_window.restoreDashboardLayout(session->layout);
  m_window.setSpeed(session->speed);
  m_lrRangeTest = session->runs[0].lrRangeTest;
  emit m_window.lrRangeTestResult(m_lrRangeTest.value_or(core::LrRangeTestResult{}));
  m_window.setEventLog(session->eventLog);
  // Every view takes its choices back (a view the session does not name returns to its default).
  for (DashboardView* view : m_window.views())
    view->restoreViewState(session->views.value(view->viewTitle()).toObject());
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
  becameIdle();
}

void SessionManager::onRestoreFailed(const QString& field, const QString& reason) {
  if (!m_opening) return;
  const QString path = m_opening->first;
  m_opening.reset();
  m_openingHistory.reset();
  failOpen(path, QStringLiteral("%1: %2").arg(field, reason));
  becameIdle();
}

void SessionManager::failOpen(const QString& path, const QString& message) {
  if (m_openingRecovery) {
    // A recovery copy that cannot be opened is of no use to anyone.
    m_openingRecovery = false;
    if (m_recovery) m_recovery->discard();
  }
  if (m_persistent) {
    QMessageBox::warning(&m_window, tr("Open failed"),
                         tr("%1 was not opened: %2").arg(QFileInfo(path).fileName(), message));
  }
  emit openFailed(message);
}

bool SessionManager::confirmClose() {
  if (isBusy()) {
    // A save in flight (or a recovery copy) finishes first; the window closes by itself then.
    m_closeWhenIdle = true;
    m_window.statusBar()->showMessage(tr("Closing once the session is written…"));
    return false;
  }
  if (!m_dirty) {
    if (m_recovery) m_recovery->discard();
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
      if (m_recovery) m_recovery->discard();
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

QString SessionManager::recoveryPath() const {
  return m_recovery && m_recovery->isValid() ? m_recovery->path() : QString();
}

void SessionManager::setRecoveryDirectory(const QString& directory) {
  m_recovery.reset();  // releases the previous lock first (its copy, if any, stays)
  m_recovery = std::make_unique<app::RecoveryStore>(directory);
}

void SessionManager::setAutosaveInterval(int milliseconds) {
  m_autosaveTimer->setInterval(milliseconds);
  m_autosaveTimer->start();
}

void SessionManager::setFirstAutosaveDelay(int milliseconds) {
  m_firstAutosaveTimer->setInterval(milliseconds);
}

void SessionManager::trackRunState(app::RunState state) {
  if (state == m_runState) return;
  m_runState = state;
  if (state == app::RunState::Running) {
    m_firstAutosaveTimer->start();
  } else {
    // Paused, finished or diverged (a short run may finish before any snapshot said it was
    // running) with unsaved steps: protect them now, not in a minute.
    m_firstAutosaveTimer->stop();
    QTimer::singleShot(0, this, &SessionManager::autosave);
  }
}

void SessionManager::autosave() {
  // Only unsaved changes not yet in the copy; one copy at a time.
  if (!m_recovery || !m_recovery->isValid() || !m_dirty || !m_changedSinceAutosave ||
      m_autosavePending) {
    return;
  }
  m_changedSinceAutosave = false;
  m_autosavePending = true;
  capture([this](app::Session session) {
    if (session.name.isEmpty()) session.name = sessionName();
    // An empty path: this instance's copy, decided when it is written.
    enqueueWrite({QString(), true, std::move(session), [this](bool ok, const QString&) {
                    m_autosavePending = false;
                    if (ok) {
                      emit autosaved(recoveryPath());
                    } else {
                      m_changedSinceAutosave = true;  // try again at the next occasion
                    }
                  }});
  });
}

bool SessionManager::offerRecovery(bool ask) {
  if (!m_recovery || !m_recovery->isValid()) return false;
  const QStringList orphans = m_recovery->orphans();
  if (orphans.isEmpty()) return false;
  const QString orphan = orphans.first();  // the newest; older ones are offered next time
  if (ask) {
    const QString when = QFileInfo(orphan).lastModified().toString(Qt::TextDate);
    const auto answer = QMessageBox::question(
        &m_window, tr("Restore the last session?"),
        tr("GradScope did not close properly last time. Restore the experiment as it was at "
           "%1?")
            .arg(when),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer != QMessageBox::Yes) {
      m_recovery->removeOrphan(orphan);
      return false;
    }
  }
  // The copy becomes this instance's: locked, and overwritten by the next autosave.
  if (!m_recovery->adopt(orphan)) return false;
  m_openingRecovery = true;
  if (!open(m_recovery->path())) {
    m_openingRecovery = false;
    return false;
  }
  return true;
}

void SessionManager::addRecent(const QString& path) {
  const QString absolute = QFileInfo(path).absoluteFilePath();
  if (m_recovery && absolute == QFileInfo(m_recovery->path()).absoluteFilePath()) return;
  m_recent.removeAll(absolute);
  m_recent.prepend(absolute);
  while (m_recent.size() > kMaxRecent) m_recent.removeLast();
  if (m_persistent) {
    QSettings().setValue(kRecentSessionsKey, m_recent);
    QSettings().setValue(kDirectoryKey, QFileInfo(absolute).absolutePath());
  }
  rebuildRecentMenu();
}

void SessionManager::rebuildRecentMenu() {
  m_recentMenu->clear();
  for (const QString& path : m_recent) {
    QAction* action = m_recentMenu->addAction(QFileInfo(path).fileName());
    action->setToolTip(QDir::toNativeSeparators(path));
    connect(action, &QAction::triggered, this, [this, path] { openOrWarn(path); });
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
  if (!path.isEmpty()) openOrWarn(path);
}

void SessionManager::openOrWarn(const QString& path) {
  // A file that cannot be read or decoded is reported by failOpen once the read finishes.
  QString error;
  if (!open(path, &error) && m_persistent) {
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
        openOrWarn(path);
        return true;
      }
    }
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace gradscope::ui
