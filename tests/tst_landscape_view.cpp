// The Landscapes window and its model: a click on the map sets the start and replays the race,
// playback advances the step and stops at the end, stepping and scrubbing move it, the
// controls drive the model (learning rate, racers, surface, clipping, schedule) and follow
// it back, bad values are refused with the field named, the drawing shows every racer in its
// own colour, the loss chart follows the step, exports write PNG and SVG files, and the
// dashboard's View menu opens the window on its own model.
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLineSeries>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <cmath>

#include "app/landscapes/landscape_model.h"
#include "app/landscapes/landscape_state_json.h"
#include "core/model/experiment_config.h"
#include "ui/charts/chart_view.h"
#include "ui/export/image_export.h"
#include "ui/landscapes/landscape_controls.h"
#include "ui/landscapes/landscape_loss_chart.h"
#include "ui/landscapes/landscape_map_view.h"
#include "ui/landscapes/landscape_style.h"
#include "ui/landscapes/landscape_window.h"
#include "ui/panels/number_spin_box.h"
#include "ui/window/main_window.h"

using namespace gradscope;
using ui::LandscapeWindow;

namespace {

// Pixels of `image` within a small distance of `color`.
int pixelsNear(const QImage& image, const QColor& color, int tolerance = 12) {
  int count = 0;
  for (int y = 0; y < image.height(); ++y) {
    const auto* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
    for (int x = 0; x < image.width(); ++x) {
      if (std::abs(qRed(line[x]) - color.red()) <= tolerance &&
          std::abs(qGreen(line[x]) - color.green()) <= tolerance &&
          std::abs(qBlue(line[x]) - color.blue()) <= tolerance) {
        ++count;
      }
    }
  }
  return count;
}

QImage grabPlot(ui::LandscapeMapView* map) {
  return map->grab(map->plotRect()).toImage().convertToFormat(QImage::Format_RGB32);
}

}  // namespace

class TestLandscapeView : public QObject {
  Q_OBJECT

 private:
  std::unique_ptr<app::LandscapeModel> m_model;
  std::unique_ptr<LandscapeWindow> m_window;
  QTemporaryDir m_dir;

  app::LandscapeModel& model() { return *m_model; }
  LandscapeWindow& window() { return *m_window; }

 private slots:
  void init() {
    m_model = std::make_unique<app::LandscapeModel>();
    m_window = std::make_unique<LandscapeWindow>(m_model.get());
    m_window->resize(1280, 720);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
  }
  void cleanup() {
    m_window.reset();
    m_model.reset();
  }

  void opensOnTheWholeRace() {
    QCOMPARE(model().trajectories().size(), std::size_t(8));
    QCOMPARE(model().cursor(), model().lastStep());
    QCOMPARE(window().scrubber()->maximum(), model().lastStep());
    QCOMPARE(window().scrubber()->value(), model().lastStep());
    QVERIFY(!model().playing());
  }

  void clickSetsTheStartAndReplays() {
    ui::LandscapeMapView* map = window().map();
    const QRect plot = map->plotRect();
    const QPoint pixel(plot.left() + plot.width() / 4, plot.top() + plot.height() / 5);
    const core::Point2 expected = map->toParameters(QPointF(pixel));
    QTest::mouseClick(map, Qt::LeftButton, Qt::NoModifier, pixel);
    QVERIFY((model().race().start - expected).norm() < 1e-12);
    // The bowl's view is [-3, 3]^2: a quarter across, a fifth down.
    QVERIFY(std::abs(model().race().start.x() - (-1.5)) < 0.02);
    QVERIFY(std::abs(model().race().start.y() - 1.8) < 0.02);
    for (const core::Trajectory& t : model().trajectories()) {
      QVERIFY((t.points.front() - expected).norm() == 0.0);
    }
    QVERIFY(model().playing());
    QVERIFY(model().cursor() < 10);  // rewound
    QCOMPARE(window().playButton()->text(), QStringLiteral("Pause"));
    // A click outside the plot changes nothing.
    const core::Point2 before = model().race().start;
    QTest::mouseClick(map, Qt::LeftButton, Qt::NoModifier, QPoint(2, 2));
    QVERIFY(model().race().start == before);
  }

  void playbackAdvancesAndStopsAtTheEnd() {
    model().setSteps(60);
    model().setCursor(0);
    model().setSpeed(300.0);
    QSignalSpy cursor(&model(), &app::LandscapeModel::cursorChanged);
    QTest::mouseClick(window().playButton(), Qt::LeftButton);
    QVERIFY(model().playing());
    QTRY_VERIFY(model().cursor() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(!model().playing(), 5000);
    QCOMPARE(model().cursor(), 60);
    QVERIFY(cursor.count() >= 3);  // several frames, not one jump
    QCOMPARE(window().scrubber()->value(), 60);
    QCOMPARE(window().playButton()->text(), QStringLiteral("Play"));
    // Playing at the end starts over.
    model().play();
    QVERIFY(model().cursor() < 60);
    model().pause();
    // Paused means the playback timer is stopped: nothing is left to move the cursor.
    QVERIFY(!model().playing());
    const QTimer* timer = model().findChild<QTimer*>();
    QVERIFY(timer);
    QVERIFY(!timer->isActive());
  }

  void stepAndScrub() {
    model().setCursor(10);
    model().stepForward();
    QCOMPARE(model().cursor(), 11);
    model().stepBack();
    model().stepBack();
    QCOMPARE(model().cursor(), 9);
    model().play();
    window().scrubber()->setValue(123);
    QCOMPARE(model().cursor(), 123);
    QVERIFY(!model().playing());  // scrubbing pauses
    window().scrubber()->setValue(7);
    QCOMPARE(model().cursor(), 7);
    // The loss chart draws each racer up to the step shown.
    QLineSeries* sgd = window().lossChart()->series(core::OptimizerKind::Sgd);
    QVERIFY(sgd->isVisible());
    QCOMPARE(sgd->count(), 8);
    QCOMPARE(sgd->at(sgd->count() - 1).x(), 7.0);
    const double gap = model().trajectory(core::OptimizerKind::Sgd)->losses[7];
    QVERIFY(std::abs(sgd->at(7).y() - gap) <= 1e-12 * gap);
    window().scrubber()->setValue(400);
    QCOMPARE(sgd->at(sgd->count() - 1).x(), 400.0);
    QCOMPARE(window().lossChart()->chart()->marks(ui::ChartView::MarkGroup::Cursor).front().value,
             400.0);
  }

  void controlsDriveTheModel() {
    ui::LandscapeControls* controls = window().controls();
    const core::Point2 before = model().trajectory(core::OptimizerKind::Adam)->points.back();
    controls->rateBox(core::OptimizerKind::Adam)->setValue(0.01);
    QCOMPARE(model().race().learningRate(core::OptimizerKind::Adam), 0.01);
    QVERIFY((model().trajectory(core::OptimizerKind::Adam)->points.back() - before).norm() > 1e-6);

    controls->racerBox(core::OptimizerKind::Adagrad)->setChecked(false);
    QCOMPARE(model().trajectories().size(), std::size_t(7));
    QVERIFY(!model().trajectory(core::OptimizerKind::Adagrad));
    QVERIFY(!window().lossChart()->series(core::OptimizerKind::Adagrad)->isVisible());
    controls->racerBox(core::OptimizerKind::Adagrad)->setChecked(true);
    QVERIFY(model().race().optimizers == core::defaultRacers());  // lecture order kept

    controls->momentumBox()->setValue(0.5);
    QCOMPARE(model().race().momentum, 0.5);
    controls->clipModeBox()->setCurrentIndex(
        controls->clipModeBox()->findData(int(core::ClipMode::Value)));
    controls->clipThresholdBox()->setValue(0.1);
    QVERIFY(model().race().clip.mode == core::ClipMode::Value);
    QCOMPARE(model().race().clip.threshold, 0.1);
    QVERIFY(model().trajectory(core::OptimizerKind::Sgd)->clippedSteps > 0);
    controls->scheduleBox()->setCurrentIndex(
        controls->scheduleBox()->findData(int(core::ScheduleKind::CosineDecay)));
    QVERIFY(model().race().schedule.kind == core::ScheduleKind::CosineDecay);
    const auto& rates = model().trajectory(core::OptimizerKind::Sgd)->learningRates;
    QVERIFY(rates.back() < rates.front());
    controls->stepsBox()->setValue(200);
    QCOMPARE(model().lastStep(), 200);
    QCOMPARE(window().scrubber()->maximum(), 200);

    // A new surface: its default start and suggested rates, the bowl's controls hidden.
    window().functionBox()->setCurrentIndex(
        window().functionBox()->findData(int(core::LandscapeKind::Rosenbrock)));
    QVERIFY(model().race().landscape.kind == core::LandscapeKind::Rosenbrock);
    QVERIFY(model().race().start == core::Point2(-1.2, 1.0));
    QCOMPARE(model().race().learningRates,
             core::suggestedLearningRates(core::LandscapeKind::Rosenbrock));
    QCOMPARE(controls->rateBox(core::OptimizerKind::Sgd)->value(), 0.002);  // followed back
    QVERIFY(window().conditionBox()->isHidden());
    window().functionBox()->setCurrentIndex(
        window().functionBox()->findData(int(core::LandscapeKind::QuadraticBowl)));
    QVERIFY(!window().conditionBox()->isHidden());
    window().conditionBox()->setValue(50.0);
    window().rotationBox()->setValue(45.0);
    QCOMPARE(model().race().landscape.conditionNumber, 50.0);
    QCOMPARE(model().race().landscape.rotationDegrees, 45.0);
  }

  void badValuesAreRefusedWithTheField() {
    const core::RaceSettings before = model().race();
    QSignalSpy invalid(&model(), &app::LandscapeModel::invalidSetting);
    QVERIFY(!model().setBeta2(1.0));
    QCOMPARE(invalid.count(), 1);
    QCOMPARE(invalid.first().at(0).toString(), QStringLiteral("optimizer.beta_2"));
    QVERIFY(model().race() == before);
    QVERIFY(window().messageText().startsWith(QStringLiteral("optimizer.beta_2")));
    QVERIFY(!model().setLearningRate(core::OptimizerKind::Nadam, -1.0));
    QCOMPARE(invalid.last().at(0).toString(), QStringLiteral("race.learning_rate.nadam"));
    // A whole state: refused before anything changes.
    app::LandscapeState state = model().state();
    state.cursor = state.race.steps + 1;
    bool threw = false;
    try {
      model().setState(state);
    } catch (const core::Error& e) {
      threw = e.field() == "landscape.cursor";
    }
    QVERIFY(threw);
    QVERIFY(model().race() == before);
  }

  void stateRoundTripsThroughTheModel() {
    model().setLandscapeKind(core::LandscapeKind::GaussianWells);
    model().setCursor(77);
    model().setSpeed(30.0);
    const QJsonObject json = app::landscapeStateToJson(model().state());
    app::LandscapeModel other;
    other.setState(app::landscapeStateFromJson(json));
    QVERIFY(other.state() == model().state());
    QCOMPARE(other.cursor(), 77);
    QCOMPARE(other.trajectories().size(), model().trajectories().size());
    QVERIFY(other.trajectories().back().points.back() ==
            model().trajectories().back().points.back());
  }

  void mapDrawsEveryRacerInItsColour() {
    QImage plot = grabPlot(window().map());
    for (core::OptimizerKind kind : core::defaultRacers()) {
      QVERIFY2(pixelsNear(plot, ui::racerColor(kind)) > 20,
               qPrintable(ui::racerName(kind) + QStringLiteral(" is not drawn")));
    }
    // Without a racer its colour is gone from the map.
    model().setOptimizerEnabled(core::OptimizerKind::Momentum, false);
    plot = grabPlot(window().map());
    QVERIFY(pixelsNear(plot, ui::racerColor(core::OptimizerKind::Momentum), 6) < 5);
    // At step 0 the paths have not begun: only the markers (a few dozen pixels each) remain.
    model().setCursor(0);
    const int atStart =
        pixelsNear(grabPlot(window().map()), ui::racerColor(core::OptimizerKind::Sgd));
    model().setCursor(model().lastStep());
    const int atEnd =
        pixelsNear(grabPlot(window().map()), ui::racerColor(core::OptimizerKind::Sgd));
    QVERIFY2(atEnd > atStart + 50, qPrintable(QStringLiteral("%1 vs %2").arg(atEnd).arg(atStart)));
  }

  void exportWritesFiles() {
    QVERIFY(m_dir.isValid());
    const QString png = m_dir.filePath(QStringLiteral("map.png"));
    const QString svg = m_dir.filePath(QStringLiteral("map.svg"));
    QString error;
    QVERIFY2(ui::exportPng(window().map(), png, 2.0, &error), qPrintable(error));
    QVERIFY2(ui::exportSvg(window().map(), svg, &error), qPrintable(error));
    const QImage image(png);
    QCOMPARE(image.size(), window().map()->size() * 2);
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(text.contains("<svg"));
    QVERIFY(text.contains("Adam"));  // the legend is text in the SVG
    const QString chart = m_dir.filePath(QStringLiteral("loss.png"));
    QVERIFY(ui::exportPng(window().lossChart()->chart(), chart, 1.0, &error));
    QVERIFY(QImage(chart).width() > 100);
  }

  void everySurfaceDraws_data() {
    QTest::addColumn<int>("kind");
    for (core::LandscapeKind kind : core::allLandscapeKinds()) {
      QTest::newRow(core::toString(kind).data()) << int(kind);
    }
  }
  void everySurfaceDraws() {
    QFETCH(int, kind);
    model().setLandscapeKind(core::LandscapeKind(kind));
    model().setCursor(model().lastStep());
    const QImage plot = grabPlot(window().map());
    // The colour map spans the plot: its darkest and lightest corners differ.
    QVERIFY(plot.pixelColor(3, 3) != plot.pixelColor(plot.width() / 2, plot.height() / 2) ||
            plot.pixelColor(3, 3) != plot.pixelColor(plot.width() - 4, plot.height() - 4));
    QVERIFY(pixelsNear(plot, ui::racerColor(core::OptimizerKind::Adam)) > 10);
  }

  void viewMenuOpensTheWindowOnTheDashboardsModel() {
    QTemporaryDir settings;
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(settings.path()));
    QStandardPaths::setTestModeEnabled(true);
    ui::MainWindow::Options options;
    options.persistent = false;
    ui::MainWindow dashboard(core::ExperimentConfig{}, options);
    QAction* open = nullptr;
    for (QAction* action : dashboard.findChildren<QAction*>()) {
      if (action->text().startsWith(QStringLiteral("Landscapes"))) open = action;
    }
    QVERIFY(open);
    open->trigger();
    auto* landscapes = dashboard.findChild<LandscapeWindow*>();
    QVERIFY(landscapes);
    QVERIFY(landscapes->isVisible());
    QVERIFY(landscapes->isWindow());
    dashboard.landscapeModel().setSteps(123);
    QCOMPARE(landscapes->scrubber()->maximum(), 123);
    QCOMPARE(dashboard.showLandscapes(), landscapes);  // one window, raised again
  }
};

QTEST_MAIN(TestLandscapeView)
#include "tst_landscape_view.moc"
