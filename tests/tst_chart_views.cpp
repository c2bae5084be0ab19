// The Qt Charts views on a synthetic history: series fill within the point budget, a one-step
// spike stays as a bucket maximum, no value <= 0 reaches a log axis, event marks appear, the
// learning-rate plan is drawn whole, the gradient-flow chart has a bar per layer and ghosts of
// earlier refreshes, the per-layer lines follow the layer selection, a refresh with nothing new
// replaces nothing, the theme restyles, and an exported view has the widget's size. With
// GRADSCOPE_VIEW_PNG_DIR set, every view is also saved as PNG for a look by eye.
#include <QtTest>

#include <QGraphicsSimpleTextItem>

#include <QAreaSeries>
#include <QChart>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QRegularExpression>
#include <QScatterSeries>
#include <QTemporaryDir>
#include <QTransform>
#include <QValueAxis>

#include <cmath>
#include <limits>
#include <memory>

#include "app/history/metric_history.h"
#include "app/worker/snapshot.h"
#include "core/schedules/lr_range_test.h"
#include "ui/charts/chart_view.h"
#include "ui/charts/clipping_view.h"
#include "ui/charts/gradient_flow_view.h"
#include "ui/charts/gradient_norm_view.h"
#include "ui/charts/learning_rate_view.h"
#include "ui/charts/loss_view.h"
#include "ui/charts/lr_range_test_view.h"
#include "ui/charts/update_ratio_view.h"
#include "ui/export/image_export.h"
#include "ui/panels/layer_selection.h"
#include "ui/window/theme.h"

using namespace gradscope;
using namespace gradscope::app;
using namespace gradscope::ui;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kLayers = 6;
constexpr std::int64_t kStepsPerEpoch = 100;
constexpr std::int64_t kSteps = 3000;
constexpr std::int64_t kSpikeStep = 1234;
constexpr double kSpike = 9.5;
constexpr double kLayerSpike = 50.0;        // the output layer's gradient norm at kSpikeStep
constexpr std::int64_t kZeroLossStep = 40;  // a loss of exactly 0 (log axes must clamp it)
constexpr double kClipNorm = 1.0;
constexpr int kBestEpoch = 24;  // validation improves up to this epoch (0-based)
const QSize kDock(400, 250);

// Deterministic noise in [-1, 1].
double noise(std::int64_t step, int salt = 0) {
  const double x = std::sin(double(step) * 12.9898 + salt * 78.233) * 43758.5453;
  return 2.0 * (x - std::floor(x)) - 1.0;
}

double planRate(std::int64_t step) {
  // Cosine decay over the planned 40 epochs, with the plateau cut at step 2000 halving it.
  const double t = double(step) / double(40 * kStepsPerEpoch);
  const double cosine = 0.05 + 0.45 * (1.0 + std::cos(M_PI * std::min(t, 1.0)));
  return 0.1 * cosine * (step >= 2000 ? 0.5 : 1.0);
}

double stepValue(StepMetric m, std::int64_t step) {
  const double decay = std::exp(-double(step) / 600.0);
  switch (m) {
    case StepMetric::Loss:
    case StepMetric::DataLoss:
      if (step == kSpikeStep) return kSpike;
      if (step == kZeroLossStep) return 0.0;
      return 2.2 * decay + 0.12 + 0.08 * (0.3 + decay) * noise(step);
    case StepMetric::Accuracy:
      return std::clamp(0.97 - 0.85 * decay + 0.05 * noise(step, 1), 0.0, 1.0);
    case StepMetric::LearningRate:
      return planRate(step);
    case StepMetric::Momentum:
      return kNaN;
    case StepMetric::GradientNormBefore:
      return (4.0 * decay + 0.4) * (1.0 + 0.4 * noise(step, 2));
    case StepMetric::GradientNormAfter:
      return std::min(kClipNorm, stepValue(StepMetric::GradientNormBefore, step));
    case StepMetric::Clipped:
      return stepValue(StepMetric::GradientNormBefore, step) > kClipNorm ? 1.0 : 0.0;
    case StepMetric::ClipDirectionCosine:
      return 1.0;
    case StepMetric::Count:
      break;
  }
  return kNaN;
}

// Gradients vanish towards the input (about 1e-4 at layer 0 up to 0.3 at the output); layer 0
// has steps with a gradient of exactly 0 (a dead layer for a moment).
float layerValue(LayerMetric m, std::int64_t step, int layer) {
  const double depth = double(kLayers - 1 - layer) / double(kLayers - 1);
  const double wave = 1.0 + 0.3 * noise(step, 10 + layer);
  switch (m) {
    case LayerMetric::GradientNorm:
      if (layer == 0 && step % 500 == 7) return 0.0f;
      if (layer == kLayers - 1 && step == kSpikeStep) return float(kLayerSpike);
      return float(0.3 * std::pow(10.0, -3.5 * depth) * wave *
                   (0.3 + std::exp(-double(step) / 800.0)));
    case LayerMetric::UpdateRatio:
      if (layer == 1 && step == 600) return 0.0f;
      return float(2e-3 * std::pow(10.0, -1.5 * depth) * wave);
    default:
      return 0.5f;
  }
}

Snapshot makeSnapshot(std::int64_t first, std::int64_t count) {
  Snapshot s;
  s.layerCount = kLayers;
  s.firstStep = first;
  for (std::int64_t i = 0; i < count; ++i) s.steps.push_back(first + i);
  for (int m = 0; m < kStepMetricCount; ++m) {
    for (std::int64_t i = 0; i < count; ++i) {
      s.stepValues[std::size_t(m)].push_back(stepValue(StepMetric(m), first + i));
    }
  }
  for (int m = 0; m < kLayerMetricCount; ++m) {
    for (std::int64_t i = 0; i < count; ++i) {
      for (int l = 0; l < kLayers; ++l) {
        s.layerValues[std::size_t(m)].push_back(layerValue(LayerMetric(m), first + i, l));
      }
    }
  }
  const std::int64_t end = first + count;
  for (std::int64_t step = first; step < end; ++step) {
    if ((step + 1) % kStepsPerEpoch != 0) continue;
    EpochSample e;
    e.epoch = int(step / kStepsPerEpoch);
    e.lastStep = step;
    e.loss = stepValue(StepMetric::Loss, step - 50);
    e.accuracy = stepValue(StepMetric::Accuracy, step - 50);
    // Validation improves until kBestEpoch, then creeps up (overfitting).
    const double best = 2.2 * std::exp(-double(kBestEpoch * kStepsPerEpoch) / 600.0) + 0.2;
    e.valLoss = e.epoch <= kBestEpoch ? 2.2 * std::exp(-double(step) / 600.0) + 0.2
                                      : best + 0.004 * double(e.epoch - kBestEpoch);
    e.valAccuracy = std::min(0.93, e.accuracy - 0.03);
    e.learningRate = planRate(step);
    e.improved = e.epoch <= kBestEpoch;
    e.learningRateReduced = step == 1999;
    s.epochs.push_back(e);
  }
  auto event = [&](std::int64_t step, EventKind kind, const QString& text) {
    if (step >= first && step < end) s.events.push_back(Event{step, kind, text});
  };
  event(0, EventKind::Reset, QStringLiteral("reset"));
  event(120, EventKind::ClippingBurst, QStringLiteral("clipping: 16 of the last 20 steps"));
  event(800, EventKind::SettingChanged, QStringLiteral("batch size: 32 -> 64"));
  event(2000, EventKind::LearningRateReduced, QStringLiteral("plateau: learning rate -> 0.01"));
  event(2999, EventKind::EarlyStop, QStringLiteral("early stopping: no improvement"));
  s.currentStep = end;
  return s;
}

void appendSteps(MetricHistory& history, std::int64_t first, std::int64_t count,
                 std::int64_t batch = 250) {
  for (std::int64_t s = first; s < first + count; s += batch) {
    history.append(makeSnapshot(s, std::min(batch, first + count - s)));
  }
}

std::shared_ptr<LearningRatePlan> makePlan(bool momentum) {
  auto plan = std::make_shared<LearningRatePlan>();
  plan->firstStep = 0;
  plan->stride = 1;
  for (std::int64_t t = 0; t < 40 * kStepsPerEpoch; ++t) {
    plan->rates.push_back(planRate(t));
    if (momentum) plan->momenta.push_back(0.95 - 0.1 * std::sin(M_PI * double(t) / 4000.0));
  }
  return plan;
}

core::LrRangeTestResult makeRangeTest() {
  core::LrRangeTestResult r;
  double smoothed = 0.0, weight = 1.0;
  for (int i = 0; i < 300; ++i) {
    const double rate = 1e-6 * std::pow(10.0, 6.5 * i / 299.0);
    const double x = std::log10(rate);
    // Flat, falling from 1e-4, lowest near 0.3, diverging beyond 1.
    const double loss = 2.3 - 1.6 / (1.0 + std::exp(-(x + 3.0) * 2.5)) +
                        (x > -0.5 ? std::pow(10.0, 2.0 * (x + 0.5)) - 1.0 : 0.0) +
                        0.05 * noise(i, 3);
    smoothed = 0.9 * smoothed + 0.1 * loss;
    weight *= 0.9;
    r.rates.push_back(rate);
    r.losses.push_back(loss);
    r.smoothedLosses.push_back(smoothed / (1.0 - weight));
  }
  const auto min = std::min_element(r.smoothedLosses.begin(), r.smoothedLosses.end());
  r.minimumLossRate = r.rates[std::size_t(min - r.smoothedLosses.begin())];
  r.suggestedMaxRate = r.minimumLossRate / 10.0;
  r.steepestRate = 1e-3;
  r.rule = "minimum / 10";
  return r;
}

QList<QXYSeries*> xySeries(ChartView* chart) {
  QList<QXYSeries*> list;
  for (QAbstractSeries* s : chart->chart()->series()) {
    if (auto* xy = qobject_cast<QXYSeries*>(s)) list << xy;
    if (auto* area = qobject_cast<QAreaSeries*>(s))
      list << area->upperSeries() << area->lowerSeries();
  }
  return list;
}

QXYSeries* seriesNamed(ChartView* chart, const QString& name) {
  for (QXYSeries* s : xySeries(chart)) {
    if (s->name() == name) return s;
  }
  return nullptr;
}

double maxY(const QXYSeries* s) {
  double m = -std::numeric_limits<double>::infinity();
  for (const QPointF& p : s->points()) m = std::max(m, p.y());
  return m;
}

// Every point of every series drawn against a log axis is > 0 (and finite).
void checkLogAxes(ChartView* chart) {
  for (QAbstractSeries* s : chart->chart()->series()) {
    bool logY = false, logX = false;
    for (QAbstractAxis* axis : s->attachedAxes()) {
      if (qobject_cast<QLogValueAxis*>(axis)) {
        (axis->orientation() == Qt::Vertical ? logY : logX) = true;
      }
    }
    if (!logX && !logY) continue;
    QList<QXYSeries*> parts;
    if (auto* xy = qobject_cast<QXYSeries*>(s)) parts << xy;
    if (auto* area = qobject_cast<QAreaSeries*>(s))
      parts << area->upperSeries() << area->lowerSeries();
    for (QXYSeries* part : parts) {
      for (const QPointF& p : part->points()) {
        QVERIFY2(std::isfinite(p.x()) && std::isfinite(p.y()), qPrintable(s->name()));
        if (logY) QVERIFY2(p.y() > 0.0, qPrintable(s->name()));
        if (logX) QVERIFY2(p.x() > 0.0, qPrintable(s->name()));
      }
    }
  }
}

void checkBudget(ChartView* chart) {
  const int points = chart->pointCount();
  QVERIFY2(points > 0, qPrintable(chart->chart()->title()));
  QVERIFY2(points <= chart->pointBudget(), qPrintable(QStringLiteral("%1: %2 points, budget %3")
                                                          .arg(chart->chart()->title())
                                                          .arg(points)
                                                          .arg(chart->pointBudget())));
}

template <typename View>
void showAtDockSize(View& view) {
  view.resize(kDock);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
}

void savePng(QWidget* widget, const QString& name) {
  const QString dir = qEnvironmentVariable("GRADSCOPE_VIEW_PNG_DIR");
  if (dir.isEmpty()) return;
  QCoreApplication::processEvents();  // the charts' layouts (legend, axes) settle
  QDir().mkpath(dir);
  QVERIFY(widget->grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png")));
}

// The point lists an SVG export draws (polylines, and paths of M/L commands), in the
// exported widget's coordinates: each list's points mapped by the matrix of the group that
// holds it (QSvgGenerator writes one flat <g transform="matrix(...)"> per painter state).
std::vector<std::vector<QPointF>> svgPointLists(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return {};
  const QString svg = QString::fromUtf8(file.readAll());
  // Ordinary literals, not raw ones: moc does not read raw strings with quotes inside.
  static const QRegularExpression element(QStringLiteral(
      "(<g\\b[^>]*>)|<polyline\\b[^>]*\\bpoints=\"([^\"]*)\"|<path\\b[^>]*\\bd=\"([^\"]*)\""));
  static const QRegularExpression matrix(QStringLiteral("transform=\"matrix\\(([^)]*)\\)"));
  static const QRegularExpression number(
      QStringLiteral("[-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?"));
  QTransform transform;
  std::vector<std::vector<QPointF>> lists;
  for (auto it = element.globalMatch(svg); it.hasNext();) {
    const QRegularExpressionMatch m = it.next();
    if (!m.captured(1).isEmpty()) {
      transform = QTransform();
      const QRegularExpressionMatch t = matrix.match(m.captured(1));
      if (t.hasMatch()) {
        const QStringList v = t.captured(1).split(QLatin1Char(','));
        if (v.size() == 6) {
          transform = QTransform(v[0].toDouble(), v[1].toDouble(), v[2].toDouble(), v[3].toDouble(),
                                 v[4].toDouble(), v[5].toDouble());
        }
      }
      continue;
    }
    const QString data = m.captured(2).isEmpty() ? m.captured(3) : m.captured(2);
    // A path with curves is not a polyline: skip it.
    if (data.contains(QRegularExpression(QStringLiteral("[CcQqAaSsTtHhVvZz]")))) continue;
    std::vector<double> values;
    for (auto n = number.globalMatch(data); n.hasNext();)
      values.push_back(n.next().captured(0).toDouble());
    std::vector<QPointF> points;
    for (std::size_t i = 0; i + 1 < values.size(); i += 2) {
      points.push_back(transform.map(QPointF(values[i], values[i + 1])));
    }
    if (points.size() >= 2) lists.push_back(std::move(points));
  }
  return lists;
}

// Every visible line series of `chart` with at least `minimum` points is drawn in the SVG
// export of `root`: each consecutive pair of its points, mapped from values to the exported
// widget's pixels, is a segment of a drawn point list (to 0.02 px), and reading each drawn
// point back through the axes gives the series' value to within that fraction of a pixel.
// Returns how many series were checked.
int checkSvgAgainstSeries(QWidget* root, ChartView* chart, int minimum) {
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("chart.svg"));
  if (!exportSvg(root, path)) {
    QTest::qFail("SVG export failed", __FILE__, __LINE__);
    return 0;
  }
  const auto lists = svgPointLists(path);
  constexpr double kTolerance = 0.02;
  const auto near = [](const QPointF& a, const QPointF& b) {
    return std::abs(a.x() - b.x()) <= kTolerance && std::abs(a.y() - b.y()) <= kTolerance;
  };
  int checked = 0;
  for (QAbstractSeries* abstract : chart->chart()->series()) {
    auto* series = qobject_cast<QLineSeries*>(abstract);
    if (!series || !series->isVisible() || series->count() < minimum) continue;
    const auto toRoot = [&](const QPointF& value) {
      // mapFromScene rounds to whole pixels: the scene point's fraction is added back (the
      // view neither scales nor scrolls).
      const QPointF scene = chart->chart()->mapToPosition(value, series);
      const QPoint whole = chart->mapFromScene(scene);
      const QPointF fraction = scene - chart->mapToScene(whole);
      return QPointF(chart->viewport()->mapTo(root, whole)) + fraction;
    };
    const QList<QPointF> values = series->points();
    int compared = 0;
    for (int i = 0; i + 1 < values.size(); ++i) {
      const QPointF a = toRoot(values[i]), b = toRoot(values[i + 1]);
      if (near(a, b)) continue;  // a segment shorter than the tolerance: nothing to find
      ++compared;
      bool found = false;
      for (const auto& list : lists) {
        for (std::size_t k = 0; k + 1 < list.size() && !found; ++k) {
          found = (near(list[k], a) && near(list[k + 1], b)) ||
                  (near(list[k], b) && near(list[k + 1], a));
        }
        if (found) break;
      }
      if (!found) {
        QTest::qFail(qPrintable(QStringLiteral("%1: the segment from (%2, %3) to (%4, %5) is not "
                                               "drawn in the SVG")
                                    .arg(series->name())
                                    .arg(values[i].x())
                                    .arg(values[i].y())
                                    .arg(values[i + 1].x())
                                    .arg(values[i + 1].y())),
                     __FILE__, __LINE__);
        return checked;
      }
    }
    // Most segments are longer than the tolerance: the series was really compared.
    if (compared < values.size() / 4) {
      QTest::qFail(qPrintable(series->name() + ": too few segments to compare"), __FILE__,
                   __LINE__);
      return checked;
    }
    ++checked;
  }
  return checked;
}
}  // namespace

class TestChartViews : public QObject {
  Q_OBJECT

 private slots:
  void init();
  void cleanup();

  void lossViewFillsWithinBudget();
  void lossViewKeepsSpike();
  void lossViewLogAxisNeverGetsZero();
  void lossViewMarksBestEpochAndPatience();
  void lossViewWithoutSmoothing();
  void divergedLossKeepsAxesSane();
  void gradientFlowHasBarPerLayer();
  void gradientFlowKeepsGhosts();
  void nothingStaleAfterAReset();
  void gradientNormFollowsSelection();
  void updateRatioHasGuide();
  void learningRatePlanDrawnWhole();
  void learningRateMomentumAxis();
  void learningRateAxisFollowsSchedule_data();
  void learningRateAxisFollowsSchedule();
  void vanishedGradientsShowAsTheyAre();
  void lrRangeTestCurve();
  void clippingShowsFraction();
  void allViewsWithinDashboardBudget();
  void refreshWithNothingNewReplacesNothing();
  void stepAxisGrowsInSteps();
  void presentationModeRestyles();
  void placeholderStaysInThePlot();
  void exportHasWidgetSize();
  void svgExportDrawsTheSeries();
  void renderForReview_data();
  void renderForReview();

 private:
  std::unique_ptr<MetricHistory> m_history;
};

void TestChartViews::init() {
  ThemeManager::instance().setPresentation(false);
  ThemeManager::instance().setDark(false);
  m_history = std::make_unique<MetricHistory>();
  appendSteps(*m_history, 0, kSteps);
}

void TestChartViews::cleanup() { m_history.reset(); }

void TestChartViews::lossViewFillsWithinBudget() {
  LossView view;
  showAtDockSize(view);
  view.refresh(*m_history, 0);
  ChartView* chart = view.chartView();
  checkBudget(chart);
  QXYSeries* raw = seriesNamed(chart, QStringLiteral("raw"));
  QXYSeries* smoothed = seriesNamed(chart, QStringLiteral("smoothed"));
  QVERIFY(raw && smoothed);
  QVERIFY(raw->count() > 0);
  QVERIFY(smoothed->count() > 0);
  QVERIFY(raw->count() <= chart->pointBudget());
  // Validation: one dot per epoch.
  QXYSeries* validation = seriesNamed(chart, QStringLiteral("validation"));
  QVERIFY(validation);
  QCOMPARE(validation->count(), qsizetype(kSteps / kStepsPerEpoch));
  // Events (the reset is not marked).
  QCOMPARE(chart->markCount(ChartView::MarkGroup::Events), 4);
  QCOMPARE(chart->marks(ChartView::MarkGroup::Events)[2].label, QStringLiteral("LR cut"));
  // Accuracy on its own axis, in percent, when asked for.
  QXYSeries* accuracy = seriesNamed(chart, QStringLiteral("accuracy"));
  QVERIFY(accuracy && !accuracy->isVisible());
  view.setAccuracyShown(true);
  QVERIFY(accuracy->isVisible());
  checkBudget(chart);
  QVERIFY(maxY(accuracy) > 50.0 && maxY(accuracy) <= 100.0);
}

// "waiting for the first training step" in an empty Loss chart, presentation mode, a column
// of a 1280x720 window: within the plot, clear of the tick labels (it ran over "0.5").
void TestChartViews::placeholderStaysInThePlot() {
  ThemeManager::instance().setPresentation(true);
  LossView view;
  view.resize(330, 300);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  MetricHistory empty;
  view.refresh(empty, 0);
  ChartView* chart = view.chartView();
  QGraphicsSimpleTextItem* placeholder = nullptr;
  for (QGraphicsItem* item : chart->chart()->childItems()) {
    auto* text = dynamic_cast<QGraphicsSimpleTextItem*>(item);
    if (text && text->isVisible() && text->text().contains(QStringLiteral("waiting"))) {
      placeholder = text;
    }
  }
  QVERIFY(placeholder);
  const QRectF plot = chart->chart()->plotArea();
  const QRectF shown = placeholder->sceneBoundingRect();
  QVERIFY2(plot.contains(shown), qPrintable(QStringLiteral("text %1..%2, plot %3..%4")
                                                .arg(shown.left())
                                                .arg(shown.right())
                                                .arg(plot.left())
                                                .arg(plot.right())));
  QCOMPARE(placeholder->text().simplified(), QStringLiteral("waiting for the first training step"));
}

void TestChartViews::lossViewKeepsSpike() {
  LossView view;
  showAtDockSize(view);
  view.refresh(*m_history, 0);
  QXYSeries* raw = seriesNamed(view.chartView(), QStringLiteral("raw"));
  QVERIFY(raw);
  QCOMPARE(maxY(raw), kSpike);
  // The axis follows the curve, not the one wild step (as TensorBoard's outlier setting).
  auto* y = qobject_cast<QValueAxis*>(raw->attachedAxes().last());
  QVERIFY(y);
  QVERIFY(y->max() >= stepValue(StepMetric::Loss, 0));
  QVERIFY(y->max() < kSpike);
}

void TestChartViews::lossViewLogAxisNeverGetsZero() {
  LossView view;
  showAtDockSize(view);
  view.refresh(*m_history, 0);
  view.setLogScale(true);
  QVERIFY(view.logScale());
  checkLogAxes(view.chartView());
  QXYSeries* raw = seriesNamed(view.chartView(), QStringLiteral("raw"));
  QVERIFY(raw->count() > 0);
  bool hasLogAxis = false;
  for (QAbstractAxis* axis : raw->attachedAxes()) {
    hasLogAxis |= qobject_cast<QLogValueAxis*>(axis) != nullptr;
  }
  QVERIFY(hasLogAxis);
  // Back to linear: the zero is drawn as it is.
  view.setLogScale(false);
  view.setSmoothing(0.0);
  double min = 1e9;
  for (const QPointF& p : seriesNamed(view.chartView(), QStringLiteral("training"))->points()) {
    min = std::min(min, p.y());
  }
  QCOMPARE(min, 0.0);
}

void TestChartViews::lossViewMarksBestEpochAndPatience() {
  LossView view;
  showAtDockSize(view);
  view.refresh(*m_history, 0);
  ChartView* chart = view.chartView();
  QXYSeries* best = seriesNamed(chart, QStringLiteral("best epoch"));
  QVERIFY(best && best->isVisible());
  QCOMPARE(best->count(), qsizetype(1));
  QCOMPARE(best->at(0).x(), double((kBestEpoch + 1) * kStepsPerEpoch - 1));
  const int epochs = int(kSteps / kStepsPerEpoch);
  const QString title = chart->chart()->title();
  QVERIFY2(title.contains(QStringLiteral("best epoch %1").arg(kBestEpoch + 1)), qPrintable(title));
  QVERIFY2(title.contains(QStringLiteral("%1 epochs ago").arg(epochs - 1 - kBestEpoch)),
           qPrintable(title));
  QCOMPARE(chart->markCount(ChartView::MarkGroup::Highlights), 1);
}

void TestChartViews::lossViewWithoutSmoothing() {
  LossView view;
  showAtDockSize(view);
  view.setSmoothing(0.0);
  view.refresh(*m_history, 0);
  QXYSeries* line = seriesNamed(view.chartView(), QStringLiteral("training"));
  QVERIFY(line);
  QCOMPARE(maxY(line), kSpike);
  QVERIFY(!seriesNamed(view.chartView(), QStringLiteral("raw"))->isVisible());
  // Heavier smoothing flattens the spike in the smoothed line.
  view.setSmoothing(0.99);
  QXYSeries* smoothed = seriesNamed(view.chartView(), QStringLiteral("smoothed"));
  QVERIFY(maxY(smoothed) < kSpike / 2.0);
  QCOMPARE(view.smoothing(), 0.99);
}

void TestChartViews::divergedLossKeepsAxesSane() {
  LossView view;
  showAtDockSize(view);
  view.refresh(*m_history, 0);  // ticks every 0.5 or so
  // Divergence: the loss explodes to 1e30, then is not finite.
  Snapshot s = makeSnapshot(kSteps, 40);
  auto& loss = s.stepValues[std::size_t(StepMetric::Loss)];
  for (std::size_t i = 0; i < loss.size(); ++i) {
    loss[i] = i < 30 ? std::pow(10.0, double(i)) : std::numeric_limits<double>::infinity();
  }
  m_history->append(s);
  view.setSmoothing(0.0);
  view.refresh(*m_history, 0);
  for (QAbstractAxis* axis : view.chartView()->chart()->axes(Qt::Vertical)) {
    auto* value = qobject_cast<QValueAxis*>(axis);
    if (!value || !value->isVisible()) continue;
    QVERIFY2(value->max() >= 1e6, qPrintable(QString::number(value->max())));  // followed it
    const double ticks = (value->max() - value->min()) / value->tickInterval();
    QVERIFY2(ticks <= 10.0, qPrintable(QString::number(ticks)));
  }
  view.setLogScale(true);
  checkLogAxes(view.chartView());
}

void TestChartViews::gradientFlowHasBarPerLayer() {
  GradientFlowView view;
  showAtDockSize(view);
  view.refresh(*m_history, 0);
  QCOMPARE(view.barCount(), kLayers);
  QCOMPARE(int(view.values().size()), kLayers);
  // Input layer far below the output layer: vanishing gradients.
  QVERIFY(view.values().front() < view.values().back() / 100.0);
  int bars = 0;
  for (QAbstractSeries* s : view.chartView()->chart()->series()) {
    if (auto* area = qobject_cast<QAreaSeries*>(s)) {
      QCOMPARE(area->upperSeries()->count(), qsizetype(2));
      ++bars;
    }
  }
  QCOMPARE(bars, kLayers);
  checkLogAxes(view.chartView());
  // The bars are coloured along the layer ramp.
  const auto* first = qobject_cast<QAreaSeries*>(view.chartView()->chart()->series().first());
  QCOMPARE(first->brush().color(), theme().layerColor(0, kLayers));
}

// A reset (a new run) leaves nothing of the old one: not the step in the gradient-flow title,
// not the loss axis's range.
void TestChartViews::nothingStaleAfterAReset() {
  GradientFlowView flow;
  showAtDockSize(flow);
  flow.refresh(*m_history, 0);
  QVERIFY(flow.chartView()->title().contains(QStringLiteral("step")));
  LossView loss;
  showAtDockSize(loss);
  loss.setSmoothing(0.0);
  loss.refresh(*m_history, 0);
  // Reset: the new run has no step yet; its charts wait for it on fresh axes.
  MetricHistory fresh;
  flow.clear();
  loss.clear();
  flow.refresh(fresh, 0);
  loss.refresh(fresh, 0);
  QCOMPARE(flow.chartView()->title(), QStringLiteral("Gradient flow"));
  auto* x = qobject_cast<QValueAxis*>(loss.chartView()->chart()->axes(Qt::Horizontal).first());
  QVERIFY2(x->max() <= 10.0, qPrintable(QString::number(x->max())));
  for (QAbstractAxis* axis : loss.chartView()->chart()->axes(Qt::Vertical)) {
    auto* value = qobject_cast<QValueAxis*>(axis);
    if (!value || !value->isVisible()) continue;
    QVERIFY2(value->max() <= 1.0, qPrintable(QString::number(value->max())));
  }
}

void TestChartViews::gradientFlowKeepsGhosts() {
  MetricHistory history;
  GradientFlowView view;
  showAtDockSize(view);
  appendSteps(history, 0, 100);
  view.refresh(history, 0);
  QCOMPARE(view.ghostCount(), 0);
  for (int i = 0; i < 6; ++i) {
    appendSteps(history, 100 + i * 50, 50);
    view.refresh(history, 0);
    QCOMPARE(view.ghostCount(), std::min(i + 1, GradientFlowView::kGhosts));
  }
  // A dead layer (a gradient of exactly 0): its bar is clamped to the axis floor, not dropped.
  MetricHistory dead;
  Snapshot s = makeSnapshot(0, 1);
  s.layerValues[std::size_t(LayerMetric::GradientNorm)][0] = 0.0f;
  dead.append(s);
  GradientFlowView deadView;
  showAtDockSize(deadView);
  deadView.refresh(dead, 0);
  QCOMPARE(deadView.values().front(), 0.0);
  checkLogAxes(deadView.chartView());
  const auto* bar = qobject_cast<QAreaSeries*>(deadView.chartView()->chart()->series().first());
  QCOMPARE(bar->upperSeries()->count(), qsizetype(2));
}

void TestChartViews::gradientNormFollowsSelection() {
  LayerSelection selection;
  GradientNormView view(&selection);
  showAtDockSize(view);
  view.refresh(*m_history, 0);
  // Default: first, middle, last.
  QCOMPARE(selection.layerCount(), kLayers);
  QCOMPARE(view.drawnLayers(), (std::vector<int>{0, kLayers / 2, kLayers - 1}));
  for (int i = 0; i < 3; ++i) {
    QVERIFY(view.line(i)->isVisible());
    QVERIFY(view.line(i)->count() > 0);
    QCOMPARE(view.line(i)->pen().color(),
             theme().layerColor(view.drawnLayers()[std::size_t(i)], kLayers));
  }
  QCOMPARE(view.line(0)->name(), QStringLiteral("layer 1"));
  QVERIFY(!view.line(3)->isVisible());
  // Mean lines over min/max bands: the output layer's one-step spike is the band's edge.
  QCOMPARE(maxY(view.band(2)->upperSeries()), kLayerSpike);
  QVERIFY(maxY(view.line(2)) < kLayerSpike);
  QCOMPARE(view.band(0)->upperSeries()->count(), view.line(0)->count());
  checkBudget(view.chartView());
  checkLogAxes(view.chartView());

  // The heatmap toggles a layer: the chart follows at once, without a new snapshot.
  selection.toggle(1);
  QCOMPARE(view.drawnLayers(), (std::vector<int>{0, 1, kLayers / 2, kLayers - 1}));
  QVERIFY(view.line(3)->isVisible());
  QCOMPARE(view.line(1)->name(), QStringLiteral("layer 2"));
  selection.toggle(0);
  QCOMPARE(view.drawnLayers(), (std::vector<int>{1, kLayers / 2, kLayers - 1}));
  QVERIFY(!view.line(3)->isVisible());
  checkBudget(view.chartView());
  QCOMPARE(view.chartView()->markCount(ChartView::MarkGroup::Events), 4);
}

void TestChartViews::updateRatioHasGuide() {
  LayerSelection selection;
  UpdateRatioView view(&selection);
  showAtDockSize(view);
  view.refresh(*m_history, 0);
  ChartView* chart = view.chartView();
  QCOMPARE(chart->markCount(ChartView::MarkGroup::Guides), 1);
  const ChartMark& guide = chart->marks(ChartView::MarkGroup::Guides).front();
  QCOMPARE(guide.value, 1e-3);
  QCOMPARE(guide.style, Qt::DashLine);
  QVERIFY(guide.label.contains(QStringLiteral("1e-3")));
  auto* y = qobject_cast<QLogValueAxis*>(guide.axis);
  QVERIFY(y && y->min() <= 1e-3 && y->max() >= 1e-3);
  checkBudget(chart);
  checkLogAxes(chart);  // layer 1 has an update ratio of exactly 0 at step 600
}

void TestChartViews::learningRatePlanDrawnWhole() {
  LearningRateView view;
  showAtDockSize(view);
  Snapshot s;
  s.learningRatePlan = makePlan(false);
  view.onSnapshot(s);
  QCOMPARE(view.plan()->rates.size(), std::size_t(40 * kStepsPerEpoch));
  view.refresh(*m_history, 0);
  ChartView* chart = view.chartView();
  QLineSeries* planned = view.plannedSeries();
  QVERIFY(planned->count() > 0);
  QVERIFY(planned->count() < qsizetype(view.plan()->rates.size()));  // decimated
  QVERIFY(planned->count() <= chart->pointBudget());
  // From the first planned step to the last.
  QCOMPARE(planned->at(0).x(), 0.0);
  QCOMPARE(planned->at(planned->count() - 1).x(), double(40 * kStepsPerEpoch - 1));
  auto* x = qobject_cast<QValueAxis*>(planned->attachedAxes().first());
  QVERIFY(x->max() >= double(40 * kStepsPerEpoch - 1));
  QVERIFY(view.usedSeries()->count() > 0);
  // The cursor at the current step, the plateau cut and early stop marked.
  QCOMPARE(chart->markCount(ChartView::MarkGroup::Cursor), 1);
  QCOMPARE(chart->marks(ChartView::MarkGroup::Cursor).front().value, double(kSteps - 1));
  int cuts = 0;
  for (const ChartMark& m : chart->marks(ChartView::MarkGroup::Events)) {
    cuts += m.label == QStringLiteral("LR cut");
  }
  QCOMPARE(cuts, 1);
  QVERIFY(!view.momentumSeries()->isVisible());
  checkBudget(chart);
  checkLogAxes(chart);
  QVERIFY(chart->chart()->title().contains(QStringLiteral("now")));
}

void TestChartViews::learningRateMomentumAxis() {
  LearningRateView view;
  showAtDockSize(view);
  Snapshot s;
  s.learningRatePlan = makePlan(true);
  view.onSnapshot(s);
  MetricHistory empty;
  view.refresh(empty, 0);  // before training: the plan alone
  QVERIFY(view.plannedSeries()->count() > 0);
  QCOMPARE(view.usedSeries()->count(), qsizetype(0));
  QVERIFY(view.momentumSeries()->isVisible());
  QVERIFY(view.momentumSeries()->count() > 0);
  // A log axis on request; nothing <= 0 reaches it.
  view.setScale(LearningRateView::Scale::Log);
  QVERIFY(view.logScale());
  checkLogAxes(view.chartView());
}

void TestChartViews::learningRateAxisFollowsSchedule_data() {
  QTest::addColumn<QString>("schedule");
  QTest::addColumn<bool>("log");
  QTest::newRow("cosine to zero") << QStringLiteral("cosine") << false;
  QTest::newRow("exponential decay") << QStringLiteral("exponential") << true;
  QTest::newRow("constant") << QStringLiteral("constant") << false;
}

void TestChartViews::learningRateAxisFollowsSchedule() {
  QFETCH(QString, schedule);
  QFETCH(bool, log);
  auto plan = std::make_shared<LearningRatePlan>();
  for (int t = 0; t < 1000; ++t) {
    const double f = double(t) / 999.0;
    plan->rates.push_back(schedule == QLatin1String("cosine") ? 0.05 * (1 + std::cos(M_PI * f))
                          : schedule == QLatin1String("exponential") ? 0.1 * std::pow(1e-4, f)
                                                                     : 0.01);
  }
  LearningRateView view;
  showAtDockSize(view);
  Snapshot s;
  s.learningRatePlan = plan;
  view.onSnapshot(s);
  MetricHistory empty;
  view.refresh(empty, 0);
  QCOMPARE(view.logScale(), log);
  checkLogAxes(view.chartView());
}

void TestChartViews::vanishedGradientsShowAsTheyAre() {
  // 1e-35: far below 1e-30, still a normal float; drawn at its value, not at a floor.
  MetricHistory history;
  Snapshot s = makeSnapshot(0, 20);
  auto& norms = s.layerValues[std::size_t(LayerMetric::GradientNorm)];
  for (std::size_t i = 0; i < 20; ++i) norms[i * kLayers] = 1e-35f;
  history.append(s);
  GradientFlowView view;
  showAtDockSize(view);
  view.refresh(history, 0);
  QCOMPARE(float(view.values().front()), 1e-35f);
  auto* bar = qobject_cast<QAreaSeries*>(view.chartView()->chart()->series().first());
  QCOMPARE(float(bar->upperSeries()->at(0).y()), 1e-35f);
  auto* y = qobject_cast<QLogValueAxis*>(bar->attachedAxes().last());
  QVERIFY(y && y->min() <= 1e-35);
  checkLogAxes(view.chartView());
}

void TestChartViews::lrRangeTestCurve() {
  LrRangeTestView view;
  showAtDockSize(view);
  QVERIFY(!view.hasResult());
  const core::LrRangeTestResult result = makeRangeTest();
  view.setResult(result);
  ChartView* chart = view.chartView();
  QXYSeries* smoothed = seriesNamed(chart, QStringLiteral("smoothed"));
  QVERIFY(smoothed && smoothed->count() > 0);
  checkBudget(chart);
  checkLogAxes(chart);
  QCOMPARE(chart->markCount(ChartView::MarkGroup::Highlights), 2);
  QCOMPARE(chart->marks(ChartView::MarkGroup::Highlights).front().value, result.suggestedMaxRate);
  QVERIFY(chart->chart()->title().contains(QStringLiteral("suggested")));
}

void TestChartViews::clippingShowsFraction() {
  ClippingView view;
  showAtDockSize(view);
  view.refresh(*m_history, 0);
  double clipped = 0.0;
  for (std::int64_t s = 0; s < kSteps; ++s) clipped += stepValue(StepMetric::Clipped, s);
  QVERIFY(std::abs(view.clippedFraction() - clipped / double(kSteps)) < 1e-6);
  ChartView* chart = view.chartView();
  QVERIFY(chart->chart()->title().contains(QStringLiteral("%")));
  QXYSeries* after = seriesNamed(chart, QStringLiteral("after clipping"));
  QVERIFY(after && after->isVisible());
  QVERIFY(maxY(after) <= kClipNorm + 1e-6);
  QVERIFY(maxY(seriesNamed(chart, QStringLiteral("before clipping"))) > kClipNorm);
  checkBudget(chart);
  checkLogAxes(chart);
  QCOMPARE(chart->markCount(ChartView::MarkGroup::Events), 2);  // clipping burst + setting
}

void TestChartViews::allViewsWithinDashboardBudget() {
  LayerSelection selection;
  selection.setLayerCount(kLayers);
  LossView loss;
  GradientFlowView flow;
  GradientNormView norms(&selection);
  UpdateRatioView ratios(&selection);
  LearningRateView rate;
  ClippingView clipping;
  LrRangeTestView range;
  Snapshot s;
  s.learningRatePlan = makePlan(true);
  rate.onSnapshot(s);
  range.setResult(makeRangeTest());
  const std::vector<std::pair<QWidget*, ChartView*>> views = {
      {&loss, loss.chartView()},     {&flow, flow.chartView()}, {&norms, norms.chartView()},
      {&ratios, ratios.chartView()}, {&rate, rate.chartView()}, {&clipping, clipping.chartView()},
      {&range, range.chartView()}};
  for (auto [widget, chart] : views) {
    widget->resize(kDock);
    widget->show();
  }
  // The most lines the per-layer charts can draw.
  for (int l = 0; l < kLayers; ++l) {
    if (!selection.layers().contains(l)) selection.toggle(l);
  }
  for (DashboardView* v : std::initializer_list<DashboardView*>{&loss, &flow, &norms, &ratios,
                                                                &rate, &clipping, &range}) {
    v->refresh(*m_history, 0);
  }
  int total = 0;
  for (auto [widget, chart] : views) {
    QVERIFY(QTest::qWaitForWindowExposed(widget));
    total += chart->pointCount();
  }
  QVERIFY2(total <= 5000, qPrintable(QString::number(total)));
}

void TestChartViews::refreshWithNothingNewReplacesNothing() {
  LossView view;
  showAtDockSize(view);
  view.refresh(*m_history, 0);
  QXYSeries* raw = seriesNamed(view.chartView(), QStringLiteral("raw"));
  QSignalSpy replaced(raw, &QXYSeries::pointsReplaced);
  view.refresh(*m_history, 0);
  view.refresh(*m_history, 0);
  QCOMPARE(replaced.count(), 0);
  appendSteps(*m_history, kSteps, 10);
  view.refresh(*m_history, 0);
  QCOMPARE(replaced.count(), 1);
  // A hidden view (a dock tab behind another) draws when it is shown, not before.
  view.hide();
  appendSteps(*m_history, kSteps + 10, 10);
  view.refresh(*m_history, 0);
  QCOMPARE(replaced.count(), 1);
  view.show();
  QCOMPARE(replaced.count(), 2);
  QCOMPARE(raw->points().last().x(), double(kSteps + 19));
}

void TestChartViews::stepAxisGrowsInSteps() {
  ChartView chart(QStringLiteral("steps"));
  chart.resize(kDock);
  QValueAxis* axis = chart.addValueAxis(Qt::AlignBottom, QStringLiteral("training step"));
  int changes = 0;
  QObject::connect(axis, &QValueAxis::rangeChanged, [&] { ++changes; });
  double lastMax = 0.0;
  for (std::int64_t last = 0; last < 100'000; last += 37) {
    chart.fitSteps(axis, 0, last);
    QVERIFY(axis->max() >= double(last));
    QVERIFY(axis->max() >= lastMax);
    lastMax = axis->max();
  }
  // About ten nice values per decade, not one per frame.
  QVERIFY2(changes < 50, qPrintable(QString::number(changes)));
}

void TestChartViews::presentationModeRestyles() {
  LayerSelection selection;
  GradientNormView view(&selection);
  showAtDockSize(view);
  view.refresh(*m_history, 0);
  const qreal normalWidth = view.line(0)->pen().widthF();
  const int normalFont = view.chartView()->chart()->legend()->font().pointSize();
  ThemeManager::instance().setPresentation(true);
  QVERIFY(view.line(0)->pen().widthF() > normalWidth);
  QVERIFY(view.chartView()->chart()->legend()->font().pointSize() > normalFont);
  QCOMPARE(view.line(0)->pen().color(), theme().layerColor(0, kLayers));
  ThemeManager::instance().setDark(true);
  QCOMPARE(view.chartView()->chart()->backgroundBrush().color(), theme().background);
  QCOMPARE(view.line(0)->pen().color(), theme().layerColor(0, kLayers));
}

void TestChartViews::exportHasWidgetSize() {
  LossView view;
  showAtDockSize(view);
  view.refresh(*m_history, 0);
  const QPixmap pixmap = view.chartView()->grab();
  QCOMPARE(pixmap.size() / pixmap.devicePixelRatio(), view.chartView()->size());
  QTemporaryDir dir;
  const QString path = dir.filePath(QStringLiteral("loss.png"));
  QVERIFY(pixmap.save(path));
  QImage image(path);
  QCOMPARE(image.size(), pixmap.size());
  const QString scaled = dir.filePath(QStringLiteral("loss2x.png"));
  QVERIFY(exportPng(view.chartView(), scaled, 2.0));
  QCOMPARE(QImage(scaled).size(), view.chartView()->size() * 2);
}

// The values drawn in an exported SVG are the series' values: the loss, learning-rate,
// gradient-norm and clipping charts exported as SVG, every drawn line read back.
void TestChartViews::svgExportDrawsTheSeries() {
  LayerSelection selection;
  LossView loss;
  LearningRateView rate;
  GradientNormView norms(&selection);
  ClippingView clipping;
  const QList<QPair<ChartDashboardView*, ChartView*>> views{{&loss, loss.chartView()},
                                                            {&rate, rate.chartView()},
                                                            {&norms, norms.chartView()},
                                                            {&clipping, clipping.chartView()}};
  for (const auto& [view, chart] : views) {
    showAtDockSize(*view);
    view->refresh(*m_history, 0);
    QCoreApplication::processEvents();
    const int checked = checkSvgAgainstSeries(view, chart, 10);
    if (QTest::currentTestFailed()) return;
    QVERIFY2(checked > 0, qPrintable(view->viewTitle()));
  }
}

void TestChartViews::renderForReview_data() {
  QTest::addColumn<bool>("presentation");
  QTest::addColumn<bool>("dark");
  QTest::addColumn<QSize>("size");
  QTest::newRow("dock") << false << false << kDock;
  QTest::newRow("dock-dark") << false << true << kDock;
  QTest::newRow("presentation") << true << false << QSize(640, 400);
  QTest::newRow("presentation-dock") << true << true << kDock;
}

void TestChartViews::renderForReview() {
  QFETCH(bool, presentation);
  QFETCH(bool, dark);
  QFETCH(QSize, size);
  if (qEnvironmentVariableIsEmpty("GRADSCOPE_VIEW_PNG_DIR")) {
    QSKIP("set GRADSCOPE_VIEW_PNG_DIR to save the views as PNG");
  }
  ThemeManager::instance().setPresentation(presentation);
  ThemeManager::instance().setDark(dark);
  LayerSelection selection;
  LossView loss;
  LossView accuracy;
  accuracy.setAccuracyShown(true);
  accuracy.setLogScale(true);
  GradientFlowView flow;
  GradientNormView norms(&selection);
  UpdateRatioView ratios(&selection);
  LearningRateView rate;
  LearningRateView cycle;
  ClippingView clipping;
  LrRangeTestView range;
  Snapshot s;
  s.learningRatePlan = makePlan(false);
  rate.onSnapshot(s);
  s.learningRatePlan = makePlan(true);
  cycle.onSnapshot(s);
  range.setResult(makeRangeTest());
  // The flow chart gets a few refreshes, so it has ghosts.
  MetricHistory growing;
  appendSteps(growing, 0, 2000);
  for (int i = 0; i < 5; ++i) {
    flow.resize(size);
    flow.show();
    appendSteps(growing, 2000 + i * 200, 200);
    flow.refresh(growing, 0);
  }
  MetricHistory empty;
  cycle.refresh(empty, 0);
  const QString tag = QString::fromLatin1(QTest::currentDataTag());
  const std::vector<std::pair<QWidget*, QString>> views = {
      {&loss, QStringLiteral("loss")},
      {&accuracy, QStringLiteral("loss_log_accuracy")},
      {&flow, QStringLiteral("gradient_flow")},
      {&norms, QStringLiteral("gradient_norm")},
      {&ratios, QStringLiteral("update_ratio")},
      {&rate, QStringLiteral("learning_rate")},
      {&cycle, QStringLiteral("learning_rate_plan")},
      {&clipping, QStringLiteral("clipping")},
      {&range, QStringLiteral("lr_range_test")}};
  for (auto& [widget, name] : views) {
    widget->resize(size);
    widget->show();
    QVERIFY(QTest::qWaitForWindowExposed(widget));
    if (auto* v = dynamic_cast<DashboardView*>(widget); v && widget != &flow && widget != &cycle) {
      v->refresh(*m_history, 0);
    }
    savePng(widget, name + QLatin1Char('-') + tag);
  }
  ThemeManager::instance().setPresentation(false);
  ThemeManager::instance().setDark(false);
}

QTEST_MAIN(TestChartViews)
#include "tst_chart_views.moc"
