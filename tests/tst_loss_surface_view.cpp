// The Loss surface view on the dashboard: it is registered, Compute takes the selected run's
// copy and fills the view while the run trains on, the button cancels a computation under way,
// every mode exports its data as CSV and the canvas exports as PNG and SVG, at both dashboard
// sizes; each mode's surface is saved with the session and reopens as computed, and a damaged
// one is refused with its field named.
#include <QtTest>

#include <QPushButton>
#include <QTemporaryDir>

#include "app/sessions/session_file.h"
#include "small_experiment.h"
#include "temporary_settings.h"
#include "ui/charts/loss_surface_view.h"
#include "ui/export/image_export.h"
#include "ui/window/main_window.h"
#include "ui/window/session_manager.h"

using namespace gradscope;
using namespace gradscope::ui;

class TestLossSurfaceView : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<MainWindow> m_window;
  QTemporaryDir m_settingsDir;
  QTemporaryDir m_out;
  LossSurfaceView* m_view = nullptr;

  QPushButton* button() const {
    return m_view->findChild<QPushButton*>(QStringLiteral("lossSurfaceCompute"));
  }
  void computeAndWait(core::LossSurfaceMode mode) {
    m_view->setMode(mode);
    const core::LossSurface* before = m_view->surface();
    QTest::mouseClick(button(), Qt::LeftButton);
    QVERIFY(m_view->isComputing());
    QCOMPARE(button()->text(), QStringLiteral("Cancel"));
    QTRY_VERIFY_WITH_TIMEOUT(!m_view->isComputing(), 30000);
    QVERIFY(m_view->surface() && m_view->surface() != before);
    QVERIFY(m_view->surface()->mode == mode);
    QCOMPARE(button()->text(), QStringLiteral("Compute"));
  }
  // A fresh window (its Loss surface view empty) that opened the session `file`; null when
  // it did not open.
  static std::unique_ptr<MainWindow> openInNewWindow(const QString& file) {
    MainWindow::Options options;
    options.persistent = false;
    auto window = std::make_unique<MainWindow>(smallExperiment(), options);
    window->show();
    auto* view = window->findChild<LossSurfaceView*>();
    if (!QTest::qWaitFor([&] { return window->history().hasRun(0); }, 10000) || !view ||
        view->surface()) {
      return nullptr;
    }
    QSignalSpy opened(&window->sessions(), &SessionManager::sessionOpened);
    if (!window->sessions().open(file) || !(opened.wait(10000) || opened.count() == 1))
      return nullptr;
    return window;
  }

 private slots:
  void initTestCase() {
    QVERIFY(m_settingsDir.isValid() && m_out.isValid());
    QVERIFY(useTemporarySettings(m_settingsDir));
    MainWindow::Options options;
    options.persistent = false;
    m_window = std::make_unique<MainWindow>(smallExperiment(), options);
    m_window->resize(1280, 720);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_view = m_window->findChild<LossSurfaceView*>();
    QVERIFY(m_view);
    QCOMPARE(m_view->viewTitle(), QStringLiteral("Loss surface"));
    QVERIFY(!m_view->surface());
  }

  void cleanupTestCase() { m_window.reset(); }

  void computesEveryModeWhileTraining() {
    m_window->controller().start();
    QTest::qWait(500);
    computeAndWait(core::LossSurfaceMode::RandomSlice);
    const core::LossSurface& slice = *m_view->surface();
    QCOMPARE(slice.map.grid.columns, 31);
    QVERIFY(slice.step > 0);
    QCOMPARE(m_view->csv().count(QLatin1Char('\n')), 1 + 31 * 31);
    QVERIFY(m_view->csv().startsWith(QStringLiteral("kind,alpha,beta,loss,step\n")));

    computeAndWait(core::LossSurfaceMode::PcaTrajectory);
    const core::LossSurface& path = *m_view->surface();
    QVERIFY(path.path.size() >= 3);
    QCOMPARE(m_view->csv().count(QStringLiteral("\npath,")), qsizetype(path.path.size()));

    computeAndWait(core::LossSurfaceMode::Interpolation);
    QVERIFY(m_view->csv().startsWith(QStringLiteral("alpha,loss\n")));
    QCOMPARE(m_view->csv().count(QLatin1Char('\n')),
             qsizetype(1 + m_view->surface()->lineAlpha.size()));
  }

  void cancelStopsTheComputation() {
    const core::LossSurface* before = m_view->surface();
    m_view->setMode(core::LossSurfaceMode::RandomSlice);
    QTest::mouseClick(button(), Qt::LeftButton);
    QVERIFY(m_view->isComputing());
    QTest::mouseClick(button(), Qt::LeftButton);  // "Cancel"
    QTRY_VERIFY_WITH_TIMEOUT(!m_view->isComputing(), 10000);
    QCOMPARE(m_view->surface(), before);  // the last surface stays
    QCOMPARE(button()->text(), QStringLiteral("Compute"));
  }

  void savedWithTheSession() {
    m_window->controller().pause();
    for (core::LossSurfaceMode mode :
         {core::LossSurfaceMode::RandomSlice, core::LossSurfaceMode::PcaTrajectory,
          core::LossSurfaceMode::Interpolation}) {
      computeAndWait(mode);
      const core::LossSurface computed = *m_view->surface();
      const QString csv = m_view->csv();
      const QString file = m_out.filePath(QStringLiteral("surface-%1.gradscope").arg(int(mode)));
      QSignalSpy saved(&m_window->sessions(), &SessionManager::sessionSaved);
      m_window->sessions().saveTo(file);
      QVERIFY(saved.wait(10000) || saved.count() == 1);

      const std::unique_ptr<MainWindow> opened = openInNewWindow(file);
      QVERIFY(opened);
      auto* view = opened->findChild<LossSurfaceView*>();
      QTRY_VERIFY(view->surface());
      const core::LossSurface& back = *view->surface();
      QVERIFY(back.mode == mode && view->mode() == mode);
      QCOMPARE(back.step, computed.step);
      QCOMPARE(back.samples, computed.samples);
      QCOMPARE(back.currentLoss, computed.currentLoss);
      QCOMPARE(back.map.grid.values.size(), computed.map.grid.values.size());
      for (std::size_t i = 0; i < computed.map.grid.values.size(); ++i) {
        const double a = back.map.grid.values[i], b = computed.map.grid.values[i];
        QVERIFY(a == b || (std::isnan(a) && std::isnan(b)));
      }
      QVERIFY(back.map.grid.rect == computed.map.grid.rect);
      QCOMPARE(back.map.levels, computed.map.levels);  // the contours drawn again alike
      QCOMPARE(back.map.contours.size(), computed.map.contours.size());
      QCOMPARE(back.curvature.mean(), computed.curvature.mean());
      QCOMPARE(back.pathSteps, computed.pathSteps);
      QCOMPARE(back.lineLoss, computed.lineLoss);
      QCOMPARE(view->csv(), csv);  // what the view exports: the same numbers
    }

    // A damaged surface: the session opens, the view names the field and shows none.
    const QString file = m_out.filePath(QStringLiteral("surface-0.gradscope"));
    QString error;
    std::optional<app::Session> session = app::loadSessionFile(file, &error);
    QVERIFY2(session, qPrintable(error));
    QJsonObject state = session->views.value(QStringLiteral("Loss surface")).toObject();
    QJsonObject surface = state.value(QStringLiteral("surface")).toObject();
    surface.insert(QStringLiteral("columns"), 30);  // 30 x 31 values claimed, 961 given
    state.insert(QStringLiteral("surface"), surface);
    session->views.insert(QStringLiteral("Loss surface"), state);
    const QString damaged = m_out.filePath(QStringLiteral("damaged.gradscope"));
    QVERIFY2(app::saveSessionFile(damaged, *session, &error), qPrintable(error));
    const std::unique_ptr<MainWindow> opened = openInNewWindow(damaged);
    QVERIFY(opened);
    auto* view = opened->findChild<LossSurfaceView*>();
    QTRY_VERIFY(!view->message().isEmpty());
    QVERIFY(!view->surface());
    QVERIFY2(view->message().contains(QStringLiteral("surface.values")),
             qPrintable(view->message()));
  }

  void exportsAtBothSizes() {
    m_window->controller().pause();
    for (const QSize size : {QSize(1280, 720), QSize(1920, 1080)}) {
      m_window->resize(size);
      for (core::LossSurfaceMode mode :
           {core::LossSurfaceMode::RandomSlice, core::LossSurfaceMode::Interpolation}) {
        computeAndWait(mode);
        QCoreApplication::processEvents();
        const QString base =
            m_out.filePath(QStringLiteral("surface-%1-%2").arg(size.width()).arg(int(mode)));
        QString error;
        QVERIFY2(exportPng(m_view->canvas(), base + QStringLiteral(".png"), 1.0, &error),
                 qPrintable(error));
        QVERIFY2(exportSvg(m_view->canvas(), base + QStringLiteral(".svg"), &error),
                 qPrintable(error));
        const QImage image(base + QStringLiteral(".png"));
        QVERIFY(!image.isNull());
        // Something is drawn: more than the background colour.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 3)
          for (int x = 0; x < image.width(); x += 3) colours.insert(image.pixel(x, y));
        QVERIFY(colours.size() > 10);
      }
    }
  }
};

QTEST_MAIN(TestLossSurfaceView)
#include "tst_loss_surface_view.moc"
