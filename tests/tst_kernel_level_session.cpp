// A session records the kernel level that trained it (core/kernels/kernel_level.h); opening
// one saved on another level says in the status bar that continuing may differ in the last
// bits, and opening one saved on this level says nothing of it.
#include <QtTest>

#include <QFile>
#include <QStatusBar>
#include <QTemporaryDir>

#include "core/kernels/kernel_level.h"
#include "small_experiment.h"
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

bool openAndWait(MainWindow& window, const QString& path) {
  QSignalSpy opened(&window.sessions(), &SessionManager::sessionOpened);
  if (!window.sessions().open(path)) return false;
  return opened.wait(10000) || opened.count() == 1;
}

}  // namespace

class TestKernelLevelSession : public QObject {
  Q_OBJECT

 private slots:
  void anotherLevelIsSaidOnOpening() {
    QTemporaryDir dir;
    MainWindow window(smallExperiment(), testOptions());
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
    const QString here = dir.filePath(QStringLiteral("here.gradscope"));
    QSignalSpy saved(&window.sessions(), &SessionManager::sessionSaved);
    window.sessions().saveTo(here);
    QVERIFY(saved.wait(10000) || saved.count() == 1);

    const QByteArray level = core::kernelLevelName(core::kernelLevel());
    const QByteArray other = level == "avx2" ? "avx512" : "avx2";
    QFile file(here);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray text = file.readAll();
    const QByteArray field = "\"kernels\": \"" + level + "\"";
    QVERIFY2(text.contains(field), "the session records the level in use");
    text.replace(field, "\"kernels\": \"" + other + "\"");
    const QString there = dir.filePath(QStringLiteral("there.gradscope"));
    QFile otherFile(there);
    QVERIFY(otherFile.open(QIODevice::WriteOnly));
    otherFile.write(text);
    otherFile.close();

    QVERIFY(openAndWait(window, there));
    const QString message = window.statusBar()->currentMessage();
    QVERIFY2(message.contains(QString::fromLatin1(other)) && message.contains("last bits"),
             qPrintable(message));

    QVERIFY(openAndWait(window, here));
    QVERIFY2(!window.statusBar()->currentMessage().contains("last bits"),
             qPrintable(window.statusBar()->currentMessage()));
  }
};

QTEST_MAIN(TestKernelLevelSession)
#include "tst_kernel_level_session.moc"
