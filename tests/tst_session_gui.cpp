// Sessions in the dashboard (offscreen, no dialogs: SessionManager's hooks stand in for them):
// a comparison saved mid-training opens as the same runs (names, steps, weights, histories) —
// also when a removed run left a gap in the run ids — together with the Landscapes view's
// state; the saved file is listed under Open recent and opens from there; a .gradscope file
// dropped onto the window opens (other files are not taken); the title carries the session's
// name and the unsaved-changes mark, which a save clears; closing with unsaved changes asks,
// and "cancel" keeps the window open; while training the recovery file is written and, after a
// simulated crash, a new window restores it; a short run is protected when it stops; each
// instance (here: each window's manager) keeps its own locked copy, which no other live
// instance offers or removes, while a dead instance's copy is offered; closing while a save is
// in flight waits for it.
#include <QtTest>

#include <QAction>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QLockFile>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QProcess>
#include <QScreen>
#include <QTemporaryDir>
#include <QTimer>

#include <cstring>

#include "app/landscapes/landscape_state_json.h"
#include "app/scenarios/default_experiment.h"
#include "app/sessions/session_file.h"
#include "small_experiment.h"
#include "temporary_settings.h"
#include "ui/panels/config_editor.h"
#include "ui/panels/run_table_model.h"
#include "ui/panels/runs_panel.h"
#include "ui/window/main_window.h"
#include "ui/window/session_manager.h"

using namespace gradscope;
using namespace gradscope::ui;

namespace {

MainWindow::Options testOptions() {
  MainWindow::Options options;
  options.persistent = false;
  return options;
}

QStringList runNames(MainWindow& window) {
  QStringList names;
  const QAbstractItemModel* model = window.runsPanel()->model();
  for (int row = 0; row < model->rowCount(); ++row) {
    names << model->data(model->index(row, RunTableModel::Name)).toString();
  }
  return names;
}

bool saveAndWait(MainWindow& window, const QString& path) {
  QSignalSpy saved(&window.sessions(), &SessionManager::sessionSaved);
  window.sessions().saveTo(path);
  return saved.wait(10000) || saved.count() == 1;
}

app::Session readSession(const QString& path) {
  QString error;
  const auto session = app::loadSessionFile(path, &error);
  if (!session) qFatal("%s", qPrintable(error));
  return *session;
}

// Equal bit for bit (metrics not measured at a step are NaN, which == never matches).
bool sameBits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

QDropEvent* dropOf(const QUrl& url, QMimeData& mime, bool enter) {
  mime.setUrls({url});
  if (enter) {
    return new QDragEnterEvent(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton,
                               Qt::NoModifier);
  }
  return new QDropEvent(QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
}

}  // namespace

class TestSessionGui : public QObject {
  Q_OBJECT
  QTemporaryDir m_settingsDir;
  QTemporaryDir m_dir;

  QString path(const QString& name) const { return m_dir.filePath(name); }

 private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    QVERIFY(useTemporarySettings(m_settingsDir));
  }

  void comparisonAndLandscapeRoundTrip() {
    const QString file = path(QStringLiteral("comparison.gradscope"));
    constexpr int kSteps = 37;
    app::LandscapeState landscape;
    landscape.race.landscape.conditionNumber = 25.0;
    landscape.race.start = {1.5, -0.75};
    landscape.race.optimizers = {core::OptimizerKind::Adam, core::OptimizerKind::Sgd};
    landscape.race.setLearningRate(core::OptimizerKind::Adam, 0.2);
    landscape.race.steps = 300;
    landscape.cursor = 120;
    landscape.speed = 40.0;
    QStringList names;
    {
      MainWindow window(smallExperiment(), testOptions());
      window.show();
      QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
      // Three runs, the middle one removed: the two left have ids 0 and 2.
      core::ExperimentConfig relu = window.configEditor().config();
      relu.model.hiddenActivation = {core::ActivationKind::Relu};
      core::ExperimentConfig sigmoid = relu;
      sigmoid.model.hiddenActivation = {core::ActivationKind::Sigmoid};
      window.runsPanel()->compareWith({relu, sigmoid});
      QTRY_COMPARE(window.runsPanel()->model()->rowCount(), 3);
      window.selectRun(1);
      window.runsPanel()->removeSelectedRun();
      QTRY_COMPARE(window.runsPanel()->model()->rowCount(), 2);
      QVERIFY(window.history().hasRun(2) && !window.history().hasRun(1));
      for (int i = 0; i < kSteps; ++i) window.stepBatch();
      QTRY_VERIFY_WITH_TIMEOUT(window.history().stepCount(2) == kSteps, 15000);
      QCOMPARE(window.history().stepCount(0), kSteps);
      names = runNames(window);
      QCOMPARE(names, QStringList({"tanh", "sigmoid"}));
      window.landscapeModel().setState(landscape);
      QVERIFY(saveAndWait(window, file));
    }
    const app::Session saved = readSession(file);
    QCOMPARE(int(saved.runs.size()), 2);
    for (const app::SessionRun& run : saved.runs) {
      QVERIFY(run.history);
      QCOMPARE(run.history->steps, kSteps);  // the run with id 2 kept its own history
      QCOMPARE(run.state.value("step").toInteger(), kSteps);
    }
    QVERIFY(app::landscapeStateFromJson(saved.landscape) == landscape);

    MainWindow opened(smallExperiment(), testOptions());
    opened.show();
    QTRY_VERIFY_WITH_TIMEOUT(opened.history().hasRun(0), 10000);
    QVERIFY(!(opened.landscapeModel().state() == landscape));
    QSignalSpy openedSpy(&opened.sessions(), &SessionManager::sessionOpened);
    QVERIFY(opened.sessions().open(file));
    QVERIFY(openedSpy.wait(10000) || openedSpy.count() == 1);
    QCOMPARE(runNames(opened), names);
    for (int id = 0; id < 2; ++id) {
      QCOMPARE(opened.history().stepCount(id), kSteps);
      QCOMPARE(opened.history().layerCount(id), saved.runs[std::size_t(id)].history->layers);
    }
    QVERIFY(opened.landscapeModel().state() == landscape);

    // Saved again: the same weights, optimiser state and histories, run by run.
    const QString again = path(QStringLiteral("again.gradscope"));
    QVERIFY(saveAndWait(opened, again));
    const app::Session resaved = readSession(again);
    QCOMPARE(int(resaved.runs.size()), 2);
    for (std::size_t i = 0; i < 2; ++i) {
      QCOMPARE(resaved.runs[i].state, saved.runs[i].state);
      QVERIFY(resaved.runs[i].config == saved.runs[i].config);
      const app::RunHistory& a = *saved.runs[i].history;
      const app::RunHistory& b = *resaved.runs[i].history;
      QCOMPARE(b.steps, a.steps);
      for (std::size_t m = 0; m < a.stepValues.size(); ++m) {
        QVERIFY2(sameBits(b.stepValues[m], a.stepValues[m]), qPrintable(QString::number(m)));
      }
      QCOMPARE(b.epochs.size(), a.epochs.size());
    }
    // The two runs differ (each its own weights and losses, not one copied twice).
    QVERIFY(saved.runs[0].state.value("parameters") != saved.runs[1].state.value("parameters"));

    // Both runs train on from where they were.
    opened.stepBatch();
    QTRY_VERIFY(opened.history().stepCount(1) == kSteps + 1);
    QCOMPARE(opened.history().stepCount(0), kSteps + 1);

    // Saved while training: each run's history ends at the step its state was captured at.
    opened.controller().setSpeed(300.0);
    opened.controller().start();
    QTRY_VERIFY_WITH_TIMEOUT(opened.history().stepCount(1) > kSteps + 20, 10000);
    const QString running = path(QStringLiteral("running.gradscope"));
    QVERIFY(saveAndWait(opened, running));
    opened.controller().pause();
    const app::Session midway = readSession(running);
    for (const app::SessionRun& run : midway.runs) {
      QVERIFY(run.history->steps > kSteps + 20);
      QCOMPARE(run.history->steps, run.state.value("step").toInteger());
    }
  }

  void recentFilesAndDrop() {
    const QString file = path(QStringLiteral("recent.gradscope"));
    MainWindow window(smallExperiment(), testOptions());
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
    SessionManager& sessions = window.sessions();
    QVERIFY(!sessions.recentMenu()->isEnabled());
    for (int i = 0; i < 5; ++i) window.stepBatch();
    QTRY_COMPARE(window.history().stepCount(0), 5);
    QVERIFY(saveAndWait(window, file));
    QCOMPARE(sessions.recentFiles(), QStringList({QFileInfo(file).absoluteFilePath()}));
    QVERIFY(sessions.recentMenu()->isEnabled());
    const QList<QAction*> actions = sessions.recentMenu()->actions();
    QCOMPARE(actions.size(), 1);
    QCOMPARE(actions[0]->text(), QStringLiteral("recent.gradscope"));

    // Trained on, then opened from the recent list: back at step 5.
    for (int i = 0; i < 4; ++i) window.stepBatch();
    QTRY_COMPARE(window.history().stepCount(0), 9);
    QSignalSpy opened(&sessions, &SessionManager::sessionOpened);
    actions[0]->trigger();
    QVERIFY(opened.wait(10000) || opened.count() == 1);
    QCOMPARE(window.history().stepCount(0), 5);

    // Dropped onto the window: a session is taken and opened, another file is not taken.
    for (int i = 0; i < 3; ++i) window.stepBatch();
    QTRY_COMPARE(window.history().stepCount(0), 8);
    QMimeData other;
    std::unique_ptr<QDropEvent> enterOther(
        dropOf(QUrl::fromLocalFile(path(QStringLiteral("notes.txt"))), other, true));
    enterOther->setAccepted(false);
    QCoreApplication::sendEvent(&window, enterOther.get());
    QVERIFY(!enterOther->isAccepted());
    QMimeData mime;
    std::unique_ptr<QDropEvent> enter(dropOf(QUrl::fromLocalFile(file), mime, true));
    enter->setAccepted(false);
    QCoreApplication::sendEvent(&window, enter.get());
    QVERIFY(enter->isAccepted());
    std::unique_ptr<QDropEvent> drop(dropOf(QUrl::fromLocalFile(file), mime, false));
    QCoreApplication::sendEvent(&window, drop.get());
    QVERIFY(opened.wait(10000) || opened.count() == 2);
    QCOMPARE(opened.count(), 2);
    QCOMPARE(opened.last().at(0).toString(), file);
    QCOMPARE(window.history().stepCount(0), 5);
  }

  void titleMarksUnsavedChanges() {
    const QString file = path(QStringLiteral("lecture demo.gradscope"));
    MainWindow window(smallExperiment(), testOptions());
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
    QVERIFY(window.windowTitle().startsWith(QStringLiteral("Untitled[*]")));
    QVERIFY(!window.isWindowModified());
    window.stepBatch();
    QTRY_VERIFY(window.isWindowModified());  // shown as "Untitled* — GradScope"
    QVERIFY(window.sessions().isDirty());
    QVERIFY(saveAndWait(window, file));
    QVERIFY(window.windowTitle().startsWith(QStringLiteral("lecture demo[*]")));
    QVERIFY(!window.isWindowModified());
    window.sessions().setNote(QStringLiteral("for Tuesday"));
    QVERIFY(window.isWindowModified());
    if (const QByteArray dir = qgetenv("GRADSCOPE_SCREENSHOTS"); !dir.isEmpty()) {
      // The File menu open over the window (run on a real display, e.g. under xvfb-run).
      QMenu* file = nullptr;
      for (QAction* action : window.menuBar()->actions()) {
        if (action->menu() && action->menu()->actions().contains(window.sessions().saveAction())) {
          file = action->menu();
        }
      }
      QVERIFY(file);
      window.resize(1200, 680);
      window.move(0, 0);
      QTest::qWait(300);
      file->popup(window.mapToGlobal(window.menuBar()->geometry().bottomLeft()));
      QTest::qWait(500);
      window.screen()->grabWindow(0).save(QString::fromLocal8Bit(dir) + "/file_menu.png");
      qInfo("title: %s (modified: %d)", qPrintable(window.windowTitle()),
            int(window.isWindowModified()));
      file->hide();
    }
    QVERIFY(saveAndWait(window, file));
    QVERIFY(!window.isWindowModified());
    QCOMPARE(readSession(file).note, QStringLiteral("for Tuesday"));
  }

  void closingWithUnsavedChangesAsks() {
    const QString file = path(QStringLiteral("close.gradscope"));
    MainWindow window(smallExperiment(), testOptions());
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
    int asked = 0;
    SessionManager::CloseChoice answer = SessionManager::CloseChoice::Cancel;
    window.sessions().setClosePrompt([&] {
      ++asked;
      return answer;
    });
    // Nothing changed: closes without asking.
    QVERIFY(window.close());
    QCOMPARE(asked, 0);
    window.show();
    window.stepBatch();
    QTRY_VERIFY(window.sessions().isDirty());
    QVERIFY(!window.close());  // cancelled
    QCOMPARE(asked, 1);
    QVERIFY(window.isVisible());
    // "Save" to the session's file, then the window closes by itself.
    QVERIFY(saveAndWait(window, file));
    window.stepBatch();
    QTRY_VERIFY(window.sessions().isDirty());
    answer = SessionManager::CloseChoice::Save;
    QSignalSpy saved(&window.sessions(), &SessionManager::sessionSaved);
    QVERIFY(!window.close());  // closes once saved
    QCOMPARE(asked, 2);
    QTRY_VERIFY(!window.isVisible());
    QCOMPARE(saved.count(), 1);
    QCOMPARE(readSession(file).runs[0].history->steps, 2);
    // "Discard" closes at once.
    window.show();
    window.stepBatch();
    QTRY_VERIFY(window.sessions().isDirty());
    answer = SessionManager::CloseChoice::Discard;
    QVERIFY(window.close());
    QCOMPARE(asked, 3);
  }

  void autosaveAndRecovery() {
    const QString recoveryDir = path(QStringLiteral("recovery"));
    std::int64_t recoveredSteps = 0;
    QString recovery;
    {
      MainWindow crashed(smallExperiment(), testOptions());
      crashed.show();
      QTRY_VERIFY_WITH_TIMEOUT(crashed.history().hasRun(0), 10000);
      crashed.sessions().setRecoveryDirectory(recoveryDir);
      recovery = crashed.sessions().recoveryPath();
      QVERIFY(!recovery.isEmpty());
      QSignalSpy autosaved(&crashed.sessions(), &SessionManager::autosaved);
      crashed.sessions().setAutosaveInterval(50);
      // Paused, nothing new to protect: the autosave timer fires and writes nothing. Wait for
      // its ticks (the spy runs after the session manager's own slot) rather than for a time.
      QTimer* autosaveTimer = nullptr;
      for (QTimer* timer : crashed.sessions().findChildren<QTimer*>()) {
        if (timer->interval() == 50) autosaveTimer = timer;
      }
      QVERIFY(autosaveTimer && autosaveTimer->isActive());
      QSignalSpy ticks(autosaveTimer, &QTimer::timeout);
      QTRY_VERIFY(ticks.count() >= 3);
      QCOMPARE(autosaved.count(), 0);
      crashed.controller().setSpeed(200.0);
      crashed.controller().start();
      QVERIFY(autosaved.wait(10000) || autosaved.count() > 0);
      QCOMPARE(autosaved.first().at(0).toString(), recovery);
      crashed.controller().pause();
      QTRY_VERIFY(crashed.runState() != app::RunState::Running);
      // Stopping with unsaved steps writes a last copy; once written nothing is pending.
      QTRY_VERIFY_WITH_TIMEOUT(!crashed.sessions().isBusy(), 10000);
      QTest::qWait(200);
      QTRY_VERIFY_WITH_TIMEOUT(!crashed.sessions().isBusy(), 10000);
      QVERIFY(QFileInfo::exists(recovery));
      recoveredSteps = readSession(recovery).runs[0].history->steps;
      QCOMPARE(recoveredSteps, crashed.history().stepCount(0));
      // The crash: the window is never closed. Its lock goes with its process (here: with
      // its manager), its copy stays.
    }
    QVERIFY(QFileInfo::exists(recovery));
    MainWindow next(smallExperiment(), testOptions());
    next.show();
    QTRY_VERIFY_WITH_TIMEOUT(next.history().hasRun(0), 10000);
    next.sessions().setRecoveryDirectory(recoveryDir);
    QSignalSpy opened(&next.sessions(), &SessionManager::sessionOpened);
    QVERIFY(next.sessions().offerRecovery(false));
    QVERIFY(opened.wait(10000) || opened.count() == 1);
    QCOMPARE(next.history().stepCount(0), recoveredSteps);
    QVERIFY(next.sessions().isDirty());  // belongs to no file until saved
    QVERIFY(next.sessions().currentPath().isEmpty());
    QVERIFY(next.isWindowModified());
    // The copy is now the new instance's own (it keeps writing there).
    QCOMPARE(next.sessions().recoveryPath(), QFileInfo(recovery).absoluteFilePath());
    // A save removes the recovery file.
    QVERIFY(saveAndWait(next, path(QStringLiteral("recovered.gradscope"))));
    QVERIFY(!QFileInfo::exists(recovery));
    QVERIFY(!next.sessions().offerRecovery(false));
  }

  // Issue: a run shorter than the autosave interval was never saved. The first copy comes a
  // few seconds into training, and another whenever a run stops with unsaved steps.
  void shortRunsAreProtected() {
    MainWindow window(smallExperiment(), testOptions());
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
    SessionManager& sessions = window.sessions();
    sessions.setRecoveryDirectory(path(QStringLiteral("short")));
    sessions.setFirstAutosaveDelay(300);  // the periodic interval stays a minute
    QSignalSpy autosaved(&sessions, &SessionManager::autosaved);
    window.controller().setSpeed(100.0);
    window.controller().start();
    // The first copy while it still trains.
    QVERIFY(autosaved.wait(10000) || autosaved.count() > 0);
    QCOMPARE(window.runState(), app::RunState::Running);
    // A pause well before the minute: the steps since the first copy are written at once.
    QTest::qWait(300);
    window.controller().pause();
    QTRY_VERIFY_WITH_TIMEOUT(autosaved.count() == 2, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!sessions.isBusy(), 10000);
    QCOMPARE(readSession(sessions.recoveryPath()).runs[0].history->steps,
             window.history().stepCount(0));
    // Steps taken one at a time while paused are protected by the periodic copy.
    window.stepBatch();
    QTRY_VERIFY(window.history().stepCount(0) > 0);
    sessions.setAutosaveInterval(50);
    QTRY_VERIFY_WITH_TIMEOUT(autosaved.count() == 3, 10000);
    QTest::qWait(200);
    QCOMPARE(autosaved.count(), 3);  // nothing new since: nothing written
    // A run that reaches its planned end is written when it finishes.
    core::ExperimentConfig shortPlan = smallExperiment();
    shortPlan.training.epochs = 2;
    MainWindow finishing(shortPlan, testOptions());
    finishing.show();
    QTRY_VERIFY_WITH_TIMEOUT(finishing.history().hasRun(0), 10000);
    finishing.sessions().setRecoveryDirectory(path(QStringLiteral("finishing")));
    QSignalSpy finishedCopy(&finishing.sessions(), &SessionManager::autosaved);
    finishing.controller().start();
    QTRY_VERIFY_WITH_TIMEOUT(finishing.runState() == app::RunState::Finished, 20000);
    QVERIFY(finishedCopy.count() > 0 || finishedCopy.wait(10000));
    QTRY_VERIFY_WITH_TIMEOUT(!finishing.sessions().isBusy(), 10000);
    QCOMPARE(readSession(finishing.sessions().recoveryPath()).runs[0].history->steps,
             finishing.history().stepCount(0));
    finishing.sessions().setClosePrompt([] { return SessionManager::CloseChoice::Discard; });
    window.sessions().setClosePrompt([] { return SessionManager::CloseChoice::Discard; });
  }

  // Issue: all instances shared one recovery file, so a second instance offered and deleted
  // the first one's live copy. Each manager here is one instance of the application.
  void instancesKeepTheirOwnCopies() {
    const QString dir = path(QStringLiteral("instances"));
    auto a = std::make_unique<MainWindow>(smallExperiment(), testOptions());
    a->show();
    QTRY_VERIFY_WITH_TIMEOUT(a->history().hasRun(0), 10000);
    a->sessions().setRecoveryDirectory(dir);
    QSignalSpy aSaved(&a->sessions(), &SessionManager::autosaved);
    for (int i = 0; i < 7; ++i) a->stepBatch();
    QTRY_COMPARE(a->history().stepCount(0), 7);
    a->sessions().autosave();
    QVERIFY(aSaved.wait(10000) || aSaved.count() == 1);
    const QString aCopy = a->sessions().recoveryPath();
    QVERIFY(QFileInfo::exists(aCopy));

    {
      // B starts while A lives: A's copy is neither offered nor removed, not even when an
      // idle B quits.
      MainWindow b(smallExperiment(), testOptions());
      b.show();
      QTRY_VERIFY_WITH_TIMEOUT(b.history().hasRun(0), 10000);
      b.sessions().setRecoveryDirectory(dir);
      QVERIFY(b.sessions().recoveryPath() != aCopy);
      QVERIFY(!b.sessions().offerRecovery(false));
      QVERIFY(QFileInfo::exists(aCopy));
      // B's own copy is its own file; A's is untouched.
      const QByteArray aBytes = [&] {
        QFile f(aCopy);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
      }();
      QSignalSpy bSaved(&b.sessions(), &SessionManager::autosaved);
      for (int i = 0; i < 3; ++i) b.stepBatch();
      QTRY_COMPARE(b.history().stepCount(0), 3);
      b.sessions().autosave();
      QVERIFY(bSaved.wait(10000) || bSaved.count() == 1);
      QTRY_VERIFY_WITH_TIMEOUT(!b.sessions().isBusy(), 10000);
      QCOMPARE(readSession(b.sessions().recoveryPath()).runs[0].history->steps, 3);
      QFile f(aCopy);
      QVERIFY(f.open(QIODevice::ReadOnly));
      QCOMPARE(f.readAll(), aBytes);
      // B discards its changes and quits: only B's copy goes.
      b.sessions().setClosePrompt([] { return SessionManager::CloseChoice::Discard; });
      const QString bCopy = b.sessions().recoveryPath();
      QVERIFY(b.close());
      QVERIFY(!QFileInfo::exists(bCopy));
      QVERIFY(QFileInfo::exists(aCopy));
    }
    {
      // An idle instance that quits at once removes nothing of A's either.
      MainWindow idle(smallExperiment(), testOptions());
      idle.show();
      QTRY_VERIFY_WITH_TIMEOUT(idle.history().hasRun(0), 10000);
      idle.sessions().setRecoveryDirectory(dir);
      QVERIFY(idle.close());
      QVERIFY(QFileInfo::exists(aCopy));
    }

    // A dies (its lock goes, its copy stays): the next instance offers A's copy and adopts it.
    a.reset();
    QVERIFY(QFileInfo::exists(aCopy));
    MainWindow c(smallExperiment(), testOptions());
    c.show();
    QTRY_VERIFY_WITH_TIMEOUT(c.history().hasRun(0), 10000);
    c.sessions().setRecoveryDirectory(dir);
    QSignalSpy opened(&c.sessions(), &SessionManager::sessionOpened);
    QVERIFY(c.sessions().offerRecovery(false));
    QVERIFY(opened.wait(10000) || opened.count() == 1);
    QCOMPARE(c.history().stepCount(0), 7);
    QCOMPARE(c.sessions().recoveryPath(), aCopy);
    // Adopted: a fourth instance does not see it while C lives.
    MainWindow d(smallExperiment(), testOptions());
    d.show();
    QTRY_VERIFY_WITH_TIMEOUT(d.history().hasRun(0), 10000);
    d.sessions().setRecoveryDirectory(dir);
    QVERIFY(!d.sessions().offerRecovery(false));
    c.sessions().setClosePrompt([] { return SessionManager::CloseChoice::Discard; });
  }

  // A crashed process leaves its lock file behind naming a process that no longer runs: that
  // lock is stale and the copy is offered.
  void staleLockIsOffered() {
    const QString dir = path(QStringLiteral("stale"));
    QVERIFY(QDir().mkpath(dir));
    const QString copy = QDir(dir).filePath(QStringLiteral("recovery-999-1.gradscope"));
    QVERIFY(QFile::copy(path(QStringLiteral("recent.gradscope")), copy));
    // The lock a dead process left: a real lock's contents with a finished process's id.
    QByteArray contents;
    {
      QLockFile probe(QDir(dir).filePath(QStringLiteral("probe.lock")));
      QVERIFY(probe.tryLock(0));
      QFile f(QDir(dir).filePath(QStringLiteral("probe.lock")));
      QVERIFY(f.open(QIODevice::ReadOnly));
      contents = f.readAll();
    }
    QProcess gone;
    gone.start(QStringLiteral("true"), {});
    QVERIFY(gone.waitForStarted());
    const qint64 deadPid = gone.processId();
    QVERIFY(gone.waitForFinished());
    contents = QByteArray::number(deadPid) + contents.mid(contents.indexOf('\n'));
    {
      QFile lock(copy + QStringLiteral(".lock"));
      QVERIFY(lock.open(QIODevice::WriteOnly));
      lock.write(contents);
    }
    // A live lock (this process) on another copy: not offered.
    const QString live = QDir(dir).filePath(QStringLiteral("recovery-live.gradscope"));
    QVERIFY(QFile::copy(path(QStringLiteral("recent.gradscope")), live));
    QLockFile liveLock(live + QStringLiteral(".lock"));
    QVERIFY(liveLock.tryLock(0));
    {
      QFile newer(live);  // the newer of the two
      QVERIFY(newer.open(QIODevice::ReadWrite));
      QVERIFY(newer.setFileTime(QDateTime::currentDateTime().addSecs(60),
                                QFileDevice::FileModificationTime));
    }

    MainWindow window(smallExperiment(), testOptions());
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
    window.sessions().setRecoveryDirectory(dir);
    QSignalSpy opened(&window.sessions(), &SessionManager::sessionOpened);
    QVERIFY(window.sessions().offerRecovery(false));
    QVERIFY(opened.wait(10000) || opened.count() == 1);
    QCOMPARE(window.sessions().recoveryPath(), QFileInfo(copy).absoluteFilePath());
    QCOMPARE(window.history().stepCount(0), 5);  // recent.gradscope holds 5 steps
    QVERIFY(QFileInfo::exists(live));
    QVERIFY(!window.sessions().offerRecovery(false));  // the live one stays its owner's
    window.sessions().setClosePrompt([] { return SessionManager::CloseChoice::Discard; });
  }

  // Saving runs off the GUI thread; closing while a save is in flight waits for it and then
  // closes by itself, and the file is complete.
  void closingWaitsForTheSave() {
    const QString file = path(QStringLiteral("in flight.gradscope"));
    MainWindow window(smallExperiment(), testOptions());
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
    for (int i = 0; i < 11; ++i) window.stepBatch();
    QTRY_COMPARE(window.history().stepCount(0), 11);
    int asked = 0;
    window.sessions().setClosePrompt([&] {
      ++asked;
      return SessionManager::CloseChoice::Cancel;
    });
    QSignalSpy saved(&window.sessions(), &SessionManager::sessionSaved);
    window.sessions().saveTo(file);
    QVERIFY(window.sessions().isBusy());
    QVERIFY(!window.close());  // not yet: the save is in flight
    QVERIFY(window.isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), 10000);
    QCOMPARE(saved.count(), 1);
    QCOMPARE(asked, 0);  // saved, so nothing to ask about
    QCOMPARE(readSession(file).runs[0].history->steps, 11);
  }
};

QTEST_MAIN(TestSessionGui)
#include "tst_session_gui.moc"
