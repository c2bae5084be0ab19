// The decision-boundary panel on data that is not 2-D: for image, tabular and one-input data
// it draws the model insight (never the "2-D only" message), every page of it non-empty, and
// it returns to the decision boundary when 2-D data comes back. With GRADSCOPE_VIEW_PNG_DIR
// set, each page is saved as PNG for a look by eye.
#include <QtTest>

#include <QComboBox>

#include <memory>

#include "app/worker/snapshot.h"
#include "ui/charts/decision_boundary_view.h"
#include "ui/window/theme.h"

using namespace gradscope;
using namespace gradscope::app;
using namespace gradscope::ui;

namespace {

std::shared_ptr<ModelInsight> imageInsight() {
  auto insight = std::make_shared<ModelInsight>();
  insight->kind = ModelInsight::Kind::Images;
  insight->classes = 10;
  insight->classNames = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  insight->evaluated = 1000;
  insight->imageRows = insight->imageColumns = 28;
  for (int r = 0; r < 10; ++r) {
    for (int c = 0; c < 10; ++c) insight->confusion.push_back(r == c ? 80 : (r + c) % 7);
    insight->classAccuracy.push_back(0.8 - 0.03 * r);
  }
  insight->accuracy = 0.74;
  for (int i = 0; i < ModelInsight::kMaxImages; ++i) {
    ModelInsight::ImageSample s;
    for (int p = 0; p < 784; ++p) s.pixels.push_back(float((p / 28 + i) % 9) / 8.0f);
    s.trueClass = i % 10;
    s.predictedClass = i % 4 == 0 ? (i + 1) % 10 : i % 10;
    s.confidence = 0.7f;
    insight->images.push_back(std::move(s));
  }
  insight->firstLayerUnits = 300;
  for (int u = 0; u < ModelInsight::kMaxWeightImages; ++u) {
    std::vector<float> w;
    for (int p = 0; p < 784; ++p) w.push_back(float(std::sin(0.05 * p * (u + 1))));
    insight->unitWeights.push_back(std::move(w));
  }
  return insight;
}

std::shared_ptr<ModelInsight> tabularInsight() {
  auto insight = std::make_shared<ModelInsight>();
  insight->kind = ModelInsight::Kind::Tabular;
  insight->classes = 3;
  insight->classNames = {"0", "1", "2"};
  insight->evaluated = 150;
  insight->confusion = {40, 5, 5, 3, 45, 2, 1, 4, 45};
  insight->classAccuracy = {0.8, 0.9, 0.9};
  insight->accuracy = 130.0 / 150.0;
  insight->projectedLayer = 1;
  insight->projectedUnits = 16;
  insight->explainedX = 0.6;
  insight->explainedY = 0.2;
  for (int i = 0; i < 150; ++i) {
    insight->projectionX.push_back(float(i % 3) + 0.01f * float(i));
    insight->projectionY.push_back(float(std::cos(i)));
    insight->projectionValue.push_back(float(i % 3));
  }
  return insight;
}

std::shared_ptr<ModelInsight> curveInsight() {
  auto insight = std::make_shared<ModelInsight>();
  insight->kind = ModelInsight::Kind::Curve;
  insight->classification = false;
  insight->classes = 0;
  for (int i = 0; i < 200; ++i) {
    insight->curveX.push_back(-1.0f + 2.0f * float(i) / 199.0f);
    insight->curveY.push_back(0.9f * float(std::sin(3.1 * insight->curveX.back())));
  }
  for (int i = 0; i < 80; ++i) {
    insight->pointX.push_back(-1.0f + 2.0f * float(i) / 79.0f);
    insight->pointY.push_back(float(std::sin(3.14 * insight->pointX.back())));
    insight->pointValidation.push_back(i % 5 == 0);
  }
  return insight;
}

// Pixels of the canvas that differ from the background colour.
int inkPixels(QWidget* canvas) {
  const QImage image = canvas->grab().toImage();
  const QRgb background = theme().background.rgb();
  int ink = 0;
  for (int y = 0; y < image.height(); ++y) {
    for (int x = 0; x < image.width(); ++x) ink += image.pixel(x, y) != background;
  }
  return ink;
}

// Ink inside a part of the canvas (fractions of its width and height).
int inkIn(QWidget* canvas, double x0, double y0, double x1, double y1) {
  const QImage image = canvas->grab().toImage();
  const QRgb background = theme().background.rgb();
  int ink = 0;
  for (int y = int(y0 * image.height()); y < int(y1 * image.height()); ++y) {
    for (int x = int(x0 * image.width()); x < int(x1 * image.width()); ++x)
      ink += image.pixel(x, y) != background;
  }
  return ink;
}

}  // namespace

class TestModelInsightView : public QObject {
  Q_OBJECT
 private slots:
  void everyPageDraws_data();
  void everyPageDraws();
  void imageOverviewFillsEachPart();
  void planarDataReturns();
};

void TestModelInsightView::everyPageDraws_data() {
  QTest::addColumn<int>("kind");
  QTest::newRow("images") << int(ModelInsight::Kind::Images);
  QTest::newRow("tabular") << int(ModelInsight::Kind::Tabular);
  QTest::newRow("curve") << int(ModelInsight::Kind::Curve);
}

void TestModelInsightView::everyPageDraws() {
  QFETCH(int, kind);
  const auto insight = kind == int(ModelInsight::Kind::Images)    ? imageInsight()
                       : kind == int(ModelInsight::Kind::Tabular) ? tabularInsight()
                                                                  : curveInsight();
  DecisionBoundaryView view;
  view.resize(900, 560);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  view.setNotPlanar();
  const int empty = inkPixels(view.canvas());
  Snapshot snapshot;
  snapshot.currentStep = 1234;
  snapshot.modelInsight = insight;
  view.onSnapshot(snapshot);
  QVERIFY(view.insight() == insight.get());
  QVERIFY(!view.insightPages().empty());
  const auto* box = view.findChild<QComboBox*>();
  if (view.insightPages().size() > 1) {
    QVERIFY(box && box->isVisible());
    QCOMPARE(box->count(), int(view.insightPages().size()));
  }
  const QString dir = qEnvironmentVariable("GRADSCOPE_VIEW_PNG_DIR");
  for (const ModelInsightPainter::Page page : view.insightPages()) {
    view.setInsightPage(page);
    const int ink = inkPixels(view.canvas());
    // Far more than the title and the empty panel's message.
    QVERIFY2(ink > empty + 8000, qPrintable(QStringLiteral("%1: %2 pixels of ink (empty: %3)")
                                                .arg(ModelInsightPainter::pageName(page))
                                                .arg(ink)
                                                .arg(empty)));
    if (!dir.isEmpty()) {
      view.canvas()->grab().save(
          QStringLiteral("%1/insight-%2-%3.png").arg(dir, QTest::currentDataTag()).arg(int(page)));
    }
  }
}

void TestModelInsightView::imageOverviewFillsEachPart() {
  DecisionBoundaryView view;
  view.resize(900, 560);
  view.show();
  QVERIFY(QTest::qWaitForWindowExposed(&view));
  view.setNotPlanar();
  view.setInsight(imageInsight());
  view.setInsightPage(ModelInsightPainter::Page::Overview);
  // Samples top left, the matrix top right, the weight images along the bottom.
  QVERIFY(inkIn(view.canvas(), 0.02, 0.15, 0.48, 0.55) > 5000);
  QVERIFY(inkIn(view.canvas(), 0.52, 0.15, 0.98, 0.55) > 5000);
  QVERIFY(inkIn(view.canvas(), 0.02, 0.70, 0.98, 0.98) > 5000);
}

void TestModelInsightView::planarDataReturns() {
  DecisionBoundaryView view;
  view.resize(600, 400);
  view.setNotPlanar();
  view.setInsight(tabularInsight());
  QVERIFY(view.insight());
  auto points = std::make_shared<DataPoints>();
  points->x = {0.0f, 1.0f};
  points->y = {0.0f, 1.0f};
  points->value = {0.0f, 1.0f};
  points->validation = {false, false};
  view.setDataPoints(points);
  QVERIFY(!view.insight());
  const auto* box = view.findChild<QComboBox*>();
  QVERIFY(!box || box->isHidden());
}

QTEST_MAIN(TestModelInsightView)
#include "tst_model_insight_view.moc"
