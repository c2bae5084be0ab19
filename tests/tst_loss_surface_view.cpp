// The Loss surface view on the dashboard: it is registered, Compute takes the selected run's
// copy and fills the view while the run trains on, the button cancels a computation under way,
// every mode exports its data as CSV and the canvas exports as PNG and SVG, at both dashboard
// sizes.
#include <QtTest>

#include <QPushButton>
#include <QTemporaryDir>

#include "small_experiment.h"
#include "ui/charts/loss_surface_view.h"
#include "ui/export/image_export.h"
#include "ui/window/main_window.h"

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

 private slots:
  void initTestCase() {
    QVERIFY(m_settingsDir.isValid() && m_out.isValid());
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_settingsDir.path()));
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("GradScopeTest"));
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
