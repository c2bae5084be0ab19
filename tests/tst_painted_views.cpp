// The custom-painted views on synthetic history and snapshots: the heatmap image is one pixel
// per (layer, column) with unmeasured cells in the background colour and distinct colours for
// distinct values, and a click on a row toggles that layer; the saturation view has a bar per
// layer; the histogram view a cell per layer and scrubbing shows histogramsAt(step); the
// decision boundary tells the two halves of a field apart; the network view draws a thumbnail
// per unit and wider lines for larger weights. With GRADSCOPE_VIEW_PNG_DIR set, every view is
// also saved as PNG (1x and 2x) and SVG for a look by eye.
#include <QtTest>

#include <QHBoxLayout>
#include <QHelpEvent>
#include <QSvgGenerator>
#include <QToolTip>

#include <cmath>
#include <limits>
#include <memory>

#include "app/history/metric_history.h"
#include "app/worker/snapshot.h"
#include "ui/charts/decision_boundary_view.h"
#include "ui/charts/heatmap_view.h"
#include "ui/charts/histogram_view.h"
#include "ui/charts/network_view.h"
#include "ui/charts/saturation_view.h"
#include "ui/export/image_export.h"
#include "ui/panels/layer_selection.h"
#include "ui/window/theme.h"

using namespace gradscope;
using namespace gradscope::app;
using namespace gradscope::ui;

namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();

// Gradients vanish towards the input (1e-6 at layer 0 up to 1 at the output), layer 0 is not
// measured before step 100, even layers are ReLU-like (inactive and dead measured).
float layerValue(LayerMetric m, std::int64_t step, int layer, int layers) {
  const double depth = double(layers - 1 - layer) / std::max(1, layers - 1);
  const double wave = 1.0 + 0.3 * std::sin(double(step) * 0.01 + layer);
  const bool relu = layer % 2 == 0;
  switch (m) {
    case LayerMetric::GradientNorm:
      if (layer == 0 && step < 100) return kNaNf;
      return float(std::pow(10.0, -6.0 * depth) * wave * (1.0 + double(step) / 4000.0));
    case LayerMetric::Saturated:
      return float(std::clamp(0.1 + 0.6 * depth * double(step) / 3000.0 * wave, 0.0, 1.0));
    case LayerMetric::Inactive:
      return relu ? float(std::clamp(0.3 + 0.4 * depth * wave, 0.0, 1.0)) : kNaNf;
    case LayerMetric::DeadUnits:
      return relu ? float(0.25 * depth * double(step) / 3000.0) : kNaNf;
    case LayerMetric::UpdateRatio:
      return step % 10 == 0 ? float(1e-3 * std::pow(10.0, -2.0 * depth) * wave) : kNaNf;
    default:
      return 0.5f;
  }
}

core::Histogram gaussianHistogram(double low, double high, int bins, double mean, double sd,
                                  double clampAt, int samples) {
  core::Histogram h;
  h.low = low;
  h.high = high;
  h.counts.assign(std::size_t(bins), 0);
  const double width = (high - low) / bins;
  for (int b = 0; b < bins; ++b) {
    const double x = low + (b + 0.5) * width;
    h.counts[std::size_t(b)] =
        std::uint32_t(samples * width * std::exp(-0.5 * std::pow((x - mean) / sd, 2)) /
                      (sd * std::sqrt(2 * M_PI)));
  }
  if (clampAt > 0) {
    // A saturating activation: the mass beyond +-clampAt piles up at the ends.
    const int lo = int((-clampAt - low) / width), hi = int((clampAt - low) / width) - 1;
    for (int b = 0; b < bins; ++b) {
      if (b < lo) h.counts[std::size_t(lo)] += std::exchange(h.counts[std::size_t(b)], 0);
      if (b > hi) h.counts[std::size_t(hi)] += std::exchange(h.counts[std::size_t(b)], 0);
    }
  }
  if (clampAt <= 0) h.below = std::uint32_t(samples / 100);
  return h;
}

HistogramSample histogramSample(std::int64_t step, int layer, int layers) {
  HistogramSample s;
  s.step = step;
  s.layer = layer;
  const double depth = double(layer) / std::max(1, layers - 1);
  const double sd = 0.4 + 2.5 * depth + double(step) / 2000.0;
  s.histograms.preActivation = gaussianHistogram(-6, 6, 60, 0.2 * depth, sd, 0, 10000);
  s.histograms.activation = gaussianHistogram(-6, 6, 60, 0.0, sd, 1.0, 10000);
  s.histograms.gradientLog10 =
      gaussianHistogram(-35, 0, 70, -3.0 - 6.0 * (1.0 - depth), 1.5, 0, 10000);
  return s;
}

// `steps` steps of `layers` layers, histograms every 10 steps.
void fillHistory(MetricHistory& history, int layers, std::int64_t steps) {
  for (std::int64_t first = 0; first < steps; first += 250) {
    Snapshot s;
    s.layerCount = layers;
    s.firstStep = first;
    const std::int64_t count = std::min<std::int64_t>(250, steps - first);
    for (std::int64_t i = 0; i < count; ++i) s.steps.push_back(first + i);
    for (auto& v : s.stepValues) v.assign(std::size_t(count), 0.5);
    for (int m = 0; m < kLayerMetricCount; ++m)
      for (std::int64_t i = 0; i < count; ++i)
        for (int l = 0; l < layers; ++l)
          s.layerValues[std::size_t(m)].push_back(layerValue(LayerMetric(m), first + i, l, layers));
    for (std::int64_t i = 0; i < count; ++i)
      if ((first + i) % 10 == 0)
        for (int l = 0; l < layers; ++l)
          s.histograms.push_back(histogramSample(first + i, l, layers));
    s.currentStep = first + count - 1;
    history.append(s);
  }
}

// A field of `n` x `n` over [-1, 1]^2 whose single output is value(x, y).
std::shared_ptr<DecisionField> makeField(int n, const std::function<float(double, double)>& value) {
  auto f = std::make_shared<DecisionField>();
  f->resolution = n;
  f->xMin = f->yMin = -1;
  f->xMax = f->yMax = 1;
  std::vector<float> out(std::size_t(n * n));
  for (int row = 0; row < n; ++row)
    for (int col = 0; col < n; ++col)
      out[std::size_t(row * n + col)] = value(-1 + 2.0 * col / (n - 1), -1 + 2.0 * row / (n - 1));
  f->outputs.push_back(std::move(out));
  return f;
}

// Two interleaved spirals, a tenth of them validation points.
std::shared_ptr<DataPoints> spiralPoints(int perClass, int classes) {
  auto p = std::make_shared<DataPoints>();
  p->classes = classes;
  for (int k = 0; k < classes; ++k) {
    for (int i = 0; i < perClass; ++i) {
      const double r = 0.05 + 0.9 * i / perClass;
      const double t = 1.75 * i / perClass * 2 * M_PI + 2 * M_PI * k / classes;
      p->x.push_back(float(r * std::cos(t) + 0.03 * std::sin(i * 7.0)));
      p->y.push_back(float(r * std::sin(t) + 0.03 * std::cos(i * 5.0)));
      p->value.push_back(float(k));
      p->validation.push_back(i % 10 == 3);
    }
  }
  return p;
}

// A small tanh network's field on the same plane: 2 - 4 - 3 - 1.
std::shared_ptr<DecisionField> smallNetworkField(int n) {
  auto f = makeField(n, [](double x, double y) {
    return float(1.0 / (1.0 + std::exp(-4.0 * (std::sin(3 * x) * y + 0.3 * x))));
  });
  f->layerWidths = {2, 4, 3, 1};
  f->kernels = {{1.5f, -0.3f, -1.2f, 0.8f, 0.2f, 2.0f, -0.7f, -0.1f},
                {0.9f, -1.1f, 0.05f, 0.4f, -0.6f, 1.3f, 0.2f, -0.2f, 1.0f, 0.7f, -1.4f, 0.3f},
                {1.8f, -1.5f, 0.6f}};
  f->unitOutputs.resize(3);
  auto grid = [n](const std::function<float(double, double)>& g) {
    std::vector<float> v(std::size_t(n * n));
    for (int row = 0; row < n; ++row)
      for (int col = 0; col < n; ++col)
        v[std::size_t(row * n + col)] = g(-1 + 2.0 * col / (n - 1), -1 + 2.0 * row / (n - 1));
    return v;
  };
  for (int u = 0; u < 4; ++u) {
    const float a = f->kernels[0][std::size_t(u * 2)], b = f->kernels[0][std::size_t(u * 2 + 1)];
    f->unitOutputs[0].push_back(
        grid([a, b](double x, double y) { return float(std::tanh(2 * (a * x + b * y))); }));
  }
  for (int u = 0; u < 3; ++u)
    f->unitOutputs[1].push_back(grid([u](double x, double y) {
      return float(std::tanh(2 * std::sin(2 * x + u) * std::cos(2 * y - u)));
    }));
  f->unitOutputs[2].push_back(f->outputs[0]);
  return f;
}

QString pngDirectory() { return qEnvironmentVariable("GRADSCOPE_VIEW_PNG_DIR"); }

// Saves the view (controls included) at 1x and 2x and its canvas as SVG when asked to.
void saveForLooking(QWidget* widget, QWidget* canvas, const QString& name) {
  const QString dir = pngDirectory();
  if (dir.isEmpty()) return;
  QDir().mkpath(dir);
  for (const int scale : {1, 2}) {
    QImage image(widget->size() * scale, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale);
    image.fill(theme().background);
    widget->render(&image);
    QVERIFY(image.save(QStringLiteral("%1/%2_%3x.png").arg(dir, name).arg(scale)));
  }
  QString error;
  QVERIFY2(exportSvg(canvas, QStringLiteral("%1/%2.svg").arg(dir, name), &error),
           qPrintable(error));
}

bool similar(QRgb a, QRgb b) {
  return std::abs(qRed(a) - qRed(b)) + std::abs(qGreen(a) - qGreen(b)) +
             std::abs(qBlue(a) - qBlue(b)) <
         12;
}

}  // namespace

class TestPaintedViews : public QObject {
  Q_OBJECT

  MetricHistory m_history;
  static constexpr int kLayers = 12;
  static constexpr std::int64_t kSteps = 3000;

 private slots:
  void initTestCase() { fillHistory(m_history, kLayers, kSteps); }

  void heatmapImage() {
    LayerSelection selection;
    HeatmapView view(&selection);
    view.resize(600, 360);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.refresh(m_history, 0);
    const QImage& image = view.image();
    const LayerHeatmap& map = view.heatmap();
    QCOMPARE(map.layers, kLayers);
    QCOMPARE(image.height(), kLayers);
    QCOMPARE(image.width(), map.columns);
    QVERIFY(map.columns > 100);
    QVERIFY(map.columns <= view.plotRect().width());
    QCOMPARE(selection.layerCount(), kLayers);
    // Layer 0 is not measured before step 100: its first column is background.
    QVERIFY(std::isnan(map.at(0, 0)));
    QCOMPARE(image.pixel(0, 0), theme().background.rgb());
    QVERIFY(!std::isnan(map.at(0, map.columns - 1)));
    QVERIFY(image.pixel(map.columns - 1, 0) != theme().background.rgb());
    // Large (output) against small (input side) gradients.
    const int c = map.columns / 2;
    QVERIFY(map.at(kLayers - 1, c) > 1e3f * map.at(1, c));
    QVERIFY(image.pixel(c, kLayers - 1) != image.pixel(c, 1));
    // Viridis: the larger value is the lighter colour.
    QVERIFY(QColor(image.pixel(c, kLayers - 1)).lightness() >
            QColor(image.pixel(c, 1)).lightness());
    // The colour range spans whole decades around the data.
    QVERIFY(view.rangeLow() <= std::log10(map.at(1, c)));
    QVERIFY(view.rangeHigh() >= std::log10(map.at(kLayers - 1, c)));
    QCOMPARE(view.rangeLow(), std::floor(view.rangeLow()));
    // The range only grows: a refresh with the same data keeps it.
    const double low = view.rangeLow(), high = view.rangeHigh();
    view.setMetric(HeatmapView::Metric::Saturated);
    QCOMPARE(view.rangeLow(), 0.0);
    QCOMPARE(view.rangeHigh(), 1.0);
    view.setMetric(HeatmapView::Metric::GradientNorm);
    QCOMPARE(view.rangeLow(), low);
    QCOMPARE(view.rangeHigh(), high);
    saveForLooking(&view, view.canvas(), QStringLiteral("heatmap"));
    // Dead units: measured for the ReLU-like (even) layers only, the others are background.
    view.setMetric(HeatmapView::Metric::DeadUnits);
    QCOMPARE(view.image().pixel(view.image().width() - 1, 1), theme().background.rgb());
    QVERIFY(view.image().pixel(view.image().width() - 1, 0) != theme().background.rgb());
    saveForLooking(&view, view.canvas(), QStringLiteral("heatmap_dead"));
    view.setMetric(HeatmapView::Metric::UpdateRatio);
    saveForLooking(&view, view.canvas(), QStringLiteral("heatmap_update_ratio"));
  }

  void heatmapRowClickTogglesLayer() {
    LayerSelection selection;
    HeatmapView view(&selection);
    view.resize(500, 320);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.refresh(m_history, 0);
    QCOMPARE(selection.layerCount(), kLayers);
    QVERIFY(!selection.layers().contains(4));
    const QRect plot = view.plotRect();
    const QPoint row4(plot.center().x(), plot.top() + int((4 + 0.5) * plot.height() / kLayers));
    QCOMPARE(view.layerAt(row4), 4);
    QSignalSpy changed(&selection, &LayerSelection::changed);
    QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, row4);
    QCOMPARE(changed.count(), 1);
    QVERIFY(selection.layers().contains(4));
    QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, row4);
    QVERIFY(!selection.layers().contains(4));
    // The axis labels beside the rows toggle too; outside the rows nothing happens.
    QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, QPoint(plot.left() - 20, row4.y()));
    QVERIFY(selection.layers().contains(4));
    QTest::mouseClick(view.canvas(), Qt::LeftButton, {},
                      QPoint(plot.center().x(), plot.bottom() + 20));
    QCOMPARE(changed.count(), 3);
  }

  void heatmapFiftyLayers() {
    MetricHistory history;
    fillHistory(history, 50, 2000);
    LayerSelection selection;
    HeatmapView view(&selection);
    view.resize(1200, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.refresh(history, 0);
    QCOMPARE(view.image().height(), 50);
    saveForLooking(&view, view.canvas(), QStringLiteral("heatmap_50_layers"));
    view.resize(400, 300);
    QTRY_VERIFY(view.image().width() <= view.plotRect().width());
    saveForLooking(&view, view.canvas(), QStringLiteral("heatmap_50_layers_small"));
  }

  // The heatmap of a long, deep run: every layer a row, the steps decimated to at most
  // kMaxColumns columns, and recolouring (a new colour range) redraws the same image size.
  // Its cost is a benchmark (bench/heatmap_paint.cpp), not a test.
  void heatmapOfALongDeepRun() {
    MetricHistory history;
    fillHistory(history, 50, 4000);
    HeatmapView view(nullptr);
    view.resize(2200, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.refresh(history, 0);
    QCOMPARE(view.image().height(), 50);
    QCOMPARE(view.image().width(), HeatmapView::kMaxColumns);
    const QImage before = view.image();
    view.resetRange();
    QCOMPARE(view.image().size(), before.size());
    QCOMPARE(view.image(), before);  // the same data and range: the same colours
  }

  void toolTips() {
    LayerSelection selection;
    HeatmapView view(&selection);
    view.resize(500, 320);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.refresh(m_history, 0);
    const QRect plot = view.plotRect();
    const QPoint cell(plot.right(), plot.top() + int(4.5 * plot.height() / kLayers));
    QHelpEvent help(QEvent::ToolTip, cell, view.canvas()->mapToGlobal(cell));
    QApplication::sendEvent(view.canvas(), &help);
    QVERIFY2(QToolTip::text().contains(QStringLiteral("layer 5 of 12")),
             qPrintable(QToolTip::text()));
    QVERIFY(QToolTip::text().contains(QStringLiteral("gradient norm")));
    QVERIFY2(QToolTip::text().contains(QStringLiteral("2,999")), qPrintable(QToolTip::text()));
    QToolTip::hideText();
  }

  void saturationBars() {
    LayerSelection selection;
    SaturationView view(&selection);
    view.resize(400, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.refresh(m_history, 0);
    QCOMPARE(int(view.bars().size()), kLayers);
    for (int l = 0; l < kLayers; ++l) {
      const SaturationView::LayerBar& b = view.bars()[std::size_t(l)];
      QCOMPARE(b.reluLike(), l % 2 == 0);
      QVERIFY(b.saturated >= 0.0f && b.saturated <= 1.0f);
    }
    // The bars are the mean of the latest steps.
    const LayerHeatmap latest =
        m_history.layerHeatmap(0, LayerMetric::Saturated, kSteps - SaturationView::kRecentSteps,
                               kSteps - 1, 1, HeatmapReduction::Mean);
    QCOMPARE(view.bars()[3].saturated, latest.at(3, 0));
    // A click on a bar toggles its layer.
    const QRect bars = view.barsRect();
    const QPoint bar5(bars.left() + int((5 + 0.5) * bars.width() / kLayers), bars.center().y());
    QCOMPARE(view.layerAt(bar5), 5);
    QTest::mouseClick(view.canvas(), Qt::LeftButton, {}, bar5);
    QVERIFY(selection.layers().contains(5));
    saveForLooking(&view, view.canvas(), QStringLiteral("saturation"));
  }

  void histogramCellsAndScrubbing() {
    HistogramView view;
    view.resize(420, 320);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.refresh(m_history, 0);
    QCOMPARE(view.cellCount(), kLayers);
    QVERIFY(view.followsLatest());
    QCOMPARE(view.shownStep(), m_history.latestHistograms(0)->step);
    // Cells do not overlap and every one is as wide as the narrowest readable cell.
    for (int l = 1; l < kLayers; ++l) QVERIFY(!view.cellRect(l).intersects(view.cellRect(l - 1)));
    QVERIFY(view.cellRect(0).width() >= 120);
    // tanh-like activations all lie in [-1, 1]: shown over that range; pre-activations not.
    QVERIFY(view.showsUnitRange());
    view.setQuantity(HistogramView::Quantity::PreActivation);
    QVERIFY(!view.showsUnitRange());
    saveForLooking(&view, view.canvas(), QStringLiteral("histograms_pre"));
    view.setQuantity(HistogramView::Quantity::Activation);
    saveForLooking(&view, view.canvas(), QStringLiteral("histograms"));

    const std::vector<std::int64_t> steps = m_history.histogramSteps(0);
    QVERIFY(steps.size() > 10);
    const std::int64_t wanted = steps[5] + 3;  // between two frames: the one before
    view.showStep(wanted);
    QVERIFY(!view.followsLatest());
    const HistogramFrame* expected = m_history.histogramsAt(0, wanted);
    QVERIFY(expected);
    QCOMPARE(view.shownStep(), expected->step);
    QCOMPARE(view.shownStep(), steps[5]);
    QVERIFY(view.frame().layers == expected->layers);
    // New steps arrive: a scrubbed view stays where it is, a following one moves on.
    MetricHistory history;
    fillHistory(history, kLayers, 500);
    view.refresh(history, 0);
    QCOMPARE(view.shownStep(), history.histogramsAt(0, wanted)->step);
    view.showLatest();
    QCOMPARE(view.shownStep(), history.latestHistograms(0)->step);
    view.setQuantity(HistogramView::Quantity::GradientLog10);
    view.refresh(m_history, 0);
    saveForLooking(&view, view.canvas(), QStringLiteral("histograms_gradients"));
  }

  void histogramFiftyLayersScroll() {
    MetricHistory history;
    fillHistory(history, 50, 200);
    HistogramView view;
    view.resize(400, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.refresh(history, 0);
    QCOMPARE(view.cellCount(), 50);
    // Fifty readable cells do not fit in 300 pixels: the canvas grows and scrolls.
    QVERIFY(view.canvas()->minimumHeight() >= view.cellRect(49).bottom());
    QVERIFY(view.canvas()->height() > view.height());
    saveForLooking(&view, view.canvas(), QStringLiteral("histograms_50_layers"));
  }

  void decisionBoundaryHalves() {
    DecisionBoundaryView view;
    view.resize(400, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setField(makeField(32, [](double x, double) { return x > 0 ? 1.0f : 0.0f; }), 120);
    QVERIFY(view.hasField());
    QCOMPARE(view.task(), DecisionBoundaryView::Task::Binary);
    const QImage image = view.canvas()->grab().toImage();
    const QRect plot = view.plotRect();
    const QRgb left = image.pixel(plot.left() + plot.width() / 4, plot.center().y());
    const QRgb right = image.pixel(plot.left() + 3 * plot.width() / 4, plot.center().y());
    QVERIFY(!similar(left, right));
    QVERIFY(qBlue(left) > qRed(left));    // class 0: blue
    QVERIFY(qRed(right) > qBlue(right));  // class 1: orange
    // The boundary p = 0.5 halfway between columns 15 (p = 0) and 16 (p = 1), one segment per
    // row of cells, from the first row to the last.
    QCOMPARE(int(view.boundaryLines().size()), 31);
    double length = 0.0;
    for (const QLineF& line : view.boundaryLines()) {
      QCOMPARE(line.x1(), 15.5);
      QCOMPARE(line.x2(), 15.5);
      length += line.length();
    }
    QCOMPARE(length, 31.0);
    saveForLooking(&view, view.canvas(), QStringLiteral("decision_halves"));
  }

  void decisionBoundaryWithPoints_data() {
    QTest::addColumn<int>("classes");
    QTest::newRow("binary") << 2;
    QTest::newRow("three classes") << 3;
    QTest::newRow("regression") << 0;
  }

  void decisionBoundaryWithPoints() {
    QFETCH(int, classes);
    DecisionBoundaryView view;
    view.resize(400, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    Snapshot s;
    s.currentStep = 4200;
    s.learningRatePlan = std::make_shared<LearningRatePlan>();
    if (classes == 0) {
      auto points = std::make_shared<DataPoints>();
      points->classification = false;
      for (int i = 0; i < 300; ++i) {
        const double x = -1 + 2.0 * (i % 20) / 19, y = -1 + 2.0 * (i / 20) / 14.0;
        points->x.push_back(float(x));
        points->y.push_back(float(y));
        points->value.push_back(float(std::sin(3 * x) * y * 2));
        points->validation.push_back(i % 7 == 0);
      }
      s.dataPoints = points;
      s.decisionField =
          makeField(64, [](double x, double y) { return float(std::sin(3 * x) * y * 1.8); });
    } else if (classes == 2) {
      s.dataPoints = spiralPoints(150, 2);
      s.decisionField = smallNetworkField(64);
    } else {
      s.dataPoints = spiralPoints(100, 3);
      auto f = std::make_shared<DecisionField>();
      f->resolution = 64;
      f->xMin = f->yMin = -1;
      f->xMax = f->yMax = 1;
      f->outputs.assign(3, std::vector<float>(64 * 64));
      for (int i = 0; i < 64 * 64; ++i) {
        const double x = -1 + 2.0 * (i % 64) / 63, y = -1 + 2.0 * (i / 64) / 63;
        const double angle = std::atan2(y, x) - 3.0 * std::hypot(x, y);
        double e[3], sum = 0;
        for (int k = 0; k < 3; ++k) sum += e[k] = std::exp(3 * std::cos(angle - 2 * M_PI * k / 3));
        for (int k = 0; k < 3; ++k) f->outputs[std::size_t(k)][std::size_t(i)] = float(e[k] / sum);
      }
      s.decisionField = f;
    }
    view.onSnapshot(s);
    QVERIFY(view.hasField());
    QCOMPARE(view.task(), classes == 0   ? DecisionBoundaryView::Task::Regression
                          : classes == 2 ? DecisionBoundaryView::Task::Binary
                                         : DecisionBoundaryView::Task::MultiClass);
    // A training point is drawn in its class colour at its place.
    const QPointF c = view.toCanvas(s.dataPoints->x[0], s.dataPoints->y[0]);
    QVERIFY(view.plotRect().adjusted(-4, -4, 4, 4).contains(c.toPoint()));
    saveForLooking(
        &view, view.canvas(),
        QStringLiteral("decision_%1")
            .arg(classes == 0 ? QStringLiteral("regression") : QString::number(classes)));
    // A later static refresh without points: the data set is no longer 2-D.
    Snapshot other;
    other.learningRatePlan = std::make_shared<LearningRatePlan>();
    view.onSnapshot(other);
    QVERIFY(!view.hasField());
    if (classes == 2) saveForLooking(&view, view.canvas(), QStringLiteral("decision_not_2d"));
  }

  void networkGeometry() {
    NetworkView view;
    view.resize(400, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto field = smallNetworkField(48);
    view.setField(field, 1500);
    QVERIFY(view.showsNetwork());
    QCOMPARE(view.thumbnailCount(), 2 + 4 + 3 + 1);
    QCOMPARE(int(view.connections().size()), 2 * 4 + 4 * 3 + 3 * 1);
    // kernels[0] is inputs x units, column-major: unit 2 reads x2 with weight 2.0 (the
    // largest) and unit 3 reads x2 with -0.1.
    const NetworkView::Connection* strong = nullptr;
    const NetworkView::Connection* weak = nullptr;
    for (const NetworkView::Connection& c : view.connections()) {
      if (c.layer == 0 && c.from == 1 && c.to == 2) strong = &c;
      if (c.layer == 0 && c.from == 1 && c.to == 3) weak = &c;
    }
    QVERIFY(strong && weak);
    QCOMPARE(strong->weight, 2.0f);
    QCOMPARE(weak->weight, -0.1f);
    QVERIFY(strong->width > 3 * weak->width);
    QVERIFY(NetworkView::connectionWidth(0.1, 2.0, 5.0) <
            NetworkView::connectionWidth(1.0, 2.0, 5.0));
    QCOMPARE(NetworkView::connectionWidth(-2.0, 2.0, 5.0), 5.0);
    // Thumbnails are squares inside the canvas that do not overlap.
    for (const NetworkView::Unit& u : view.units()) {
      QCOMPARE(u.rect.width(), u.rect.height());
      QVERIFY(view.canvas()->rect().contains(u.rect));
    }
    // Lines run from a unit's right edge to the next unit's left edge.
    QVERIFY(strong->line.x1() < strong->line.x2());
    saveForLooking(&view, view.canvas(), QStringLiteral("network"));

    // A wide network: no units, a message.
    auto wide = std::make_shared<DecisionField>(*field);
    wide->unitOutputs.clear();
    wide->kernels.clear();
    wide->layerWidths.clear();
    view.setField(wide);
    QVERIFY(!view.showsNetwork());
    QCOMPARE(view.thumbnailCount(), 0);
    saveForLooking(&view, view.canvas(), QStringLiteral("network_too_wide"));
  }

  void presentationMode() {
    if (pngDirectory().isEmpty()) QSKIP("only renders for a look by eye");
    ThemeManager::instance().setPresentation(true);
    ThemeManager::instance().setDark(true);
    LayerSelection selection;
    auto* heatmap = new HeatmapView(&selection);
    auto* saturation = new SaturationView(&selection);
    auto* histograms = new HistogramView;
    auto* decision = new DecisionBoundaryView;
    auto* network = new NetworkView;
    const std::vector<std::pair<PaintedView*, QString>> views = {{heatmap, "heatmap"},
                                                                 {saturation, "saturation"},
                                                                 {histograms, "histograms"},
                                                                 {decision, "decision"},
                                                                 {network, "network"}};
    for (const auto& [view, name] : views) {
      view->resize(640, 420);
      view->show();
      QVERIFY(QTest::qWaitForWindowExposed(view));
      view->refresh(m_history, 0);
    }
    Snapshot s;
    s.currentStep = 2999;
    s.dataPoints = spiralPoints(150, 2);
    s.decisionField = smallNetworkField(64);
    decision->onSnapshot(s);
    network->onSnapshot(s);
    for (const auto& [view, name] : views)
      saveForLooking(view, view->canvas(), QStringLiteral("presentation_") + name);
    for (const auto& [view, name] : views) delete view;
    ThemeManager::instance().setPresentation(false);
    ThemeManager::instance().setDark(false);
  }
};

QTEST_MAIN(TestPaintedViews)
#include "tst_painted_views.moc"
