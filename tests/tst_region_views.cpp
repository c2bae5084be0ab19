// The linear-regions views on synthetic fields and histories: the decision boundary's Regions
// mode paints each region in its own colour (the left and right halves of a two-region field
// apart, the prediction in the other mode), its toggle and its saved state agree, it says why a
// tanh network has no regions; the history keeps one count per step; the Linear regions chart
// draws every count and names the latest in its title; sessions keep the views' state (and
// refuse a state that is not an object, naming it) and the counts (refusing a bad one). With
// GRADSCOPE_VIEW_PNG_DIR set, the views are also saved as PNG for a look by eye.
#include <QtTest>

#include <QCheckBox>
#include <QLineSeries>

#include <memory>
#include <set>

#include "app/history/metric_history.h"
#include "app/history/run_history.h"
#include "app/sessions/history_json.h"
#include "app/sessions/json_fields.h"
#include "app/sessions/session_json.h"
#include "app/worker/snapshot.h"
#include "core/model/types.h"
#include "ui/charts/chart_view.h"
#include "ui/charts/decision_boundary_view.h"
#include "ui/charts/region_count_view.h"
#include "ui/window/theme.h"

using namespace gradscope;
using namespace gradscope::app;
using namespace gradscope::ui;

namespace {

// A binary field over [-1, 1]^2: p(class 1) rises with x; regions: id 3 left of x = 0, id 8
// right of it (ids need not be 0..count-1), on a finer grid than the field's.
std::shared_ptr<DecisionField> twoRegionField(int resolution = 16, int regionResolution = 32) {
  auto field = std::make_shared<DecisionField>();
  field->resolution = resolution;
  field->xMin = -1;
  field->xMax = 1;
  field->yMin = -1;
  field->yMax = 1;
  std::vector<float> p(std::size_t(resolution * resolution));
  for (int row = 0; row < resolution; ++row)
    for (int col = 0; col < resolution; ++col)
      p[std::size_t(row * resolution + col)] = float(col) / float(resolution - 1);
  field->outputs.push_back(p);
  field->regionResolution = regionResolution;
  for (int row = 0; row < regionResolution; ++row)
    for (int col = 0; col < regionResolution; ++col)
      field->regionIds.push_back(col < regionResolution / 2 ? 3 : 8);
  field->regionCount = 2;
  field->patternUnits = 1;
  return field;
}

QImage render(QWidget* widget) {
  widget->resize(640, 420);
  widget->show();
  QCoreApplication::processEvents();
  return widget->grab().toImage();
}

void savePng(QWidget* widget, const QString& name) {
  const QString dir = qEnvironmentVariable("GRADSCOPE_VIEW_PNG_DIR");
  QCoreApplication::processEvents();
  if (!dir.isEmpty()) widget->grab().save(dir + "/" + name + ".png");
}

// The colour of the canvas in the middle of the plot's left and right quarters.
std::pair<QColor, QColor> halves(DecisionBoundaryView& view) {
  const QImage image = view.canvas()->grab().toImage();
  const QRect plot = view.plotRect();
  const int y = plot.top() + plot.height() / 8;  // above the data-free centre line
  return {image.pixelColor(plot.left() + plot.width() / 4, y),
          image.pixelColor(plot.left() + plot.width() * 3 / 4, y)};
}

Snapshot snapshotAt(std::int64_t step, std::shared_ptr<const DecisionField> field) {
  Snapshot s;
  s.run = 0;
  s.firstStep = step;
  s.steps = {step};
  for (auto& values : s.stepValues) values = {0.5};
  s.currentStep = step + 1;
  s.decisionField = std::move(field);
  return s;
}

}  // namespace

class TestRegionViews : public QObject {
  Q_OBJECT
 private slots:
  void regionsModePaintsEachRegion();
  void toggleAndSavedStateAgree();
  void curvedActivationSaysWhy();
  void regionColoursDiffer();
  void historyKeepsOneCountPerStep();
  void countChartDrawsEveryCount();
  void sessionsKeepViewState();
  void sessionsKeepTheCounts();
};

void TestRegionViews::regionsModePaintsEachRegion() {
  for (const bool dark : {false, true}) {
    ThemeManager::instance().setDark(dark);
    DecisionBoundaryView view;
    view.setField(twoRegionField(), 120);
    render(&view);
    const auto [predictionLeft, predictionRight] = halves(view);
    view.setMode(DecisionBoundaryView::Mode::Regions);
    QCoreApplication::processEvents();
    const auto [left, right] = halves(view);
    QCOMPARE(left.rgb(), DecisionBoundaryView::regionColor(3).rgb());
    QCOMPARE(right.rgb(), DecisionBoundaryView::regionColor(8).rgb());
    QVERIFY(left != predictionLeft);
    QVERIFY(right != predictionRight);
    savePng(&view, dark ? "regions_dark" : "regions_light");
  }
  ThemeManager::instance().setDark(false);
}

void TestRegionViews::toggleAndSavedStateAgree() {
  DecisionBoundaryView view;
  auto* box = view.findChild<QCheckBox*>(QStringLiteral("regionsToggle"));
  QVERIFY(box);
  QVERIFY(!box->isVisibleTo(&view));  // nothing to colour yet
  view.setField(twoRegionField(), 0);
  QVERIFY(box->isVisibleTo(&view));
  QCOMPARE(view.mode(), DecisionBoundaryView::Mode::Prediction);
  QVERIFY(view.viewState().isEmpty());  // the default is not saved
  box->click();
  QCOMPARE(view.mode(), DecisionBoundaryView::Mode::Regions);
  const QJsonObject state = view.viewState();
  QCOMPARE(state.value("mode").toString(), QStringLiteral("regions"));

  DecisionBoundaryView restored;
  restored.restoreViewState(state);
  QCOMPARE(restored.mode(), DecisionBoundaryView::Mode::Regions);
  QVERIFY(restored.findChild<QCheckBox*>(QStringLiteral("regionsToggle"))->isChecked());
  restored.restoreViewState(QJsonObject{{"mode", "something else"}});
  QCOMPARE(restored.mode(), DecisionBoundaryView::Mode::Prediction);
  restored.setMode(DecisionBoundaryView::Mode::Regions);
  restored.restoreViewState({});
  QCOMPARE(restored.mode(), DecisionBoundaryView::Mode::Prediction);
}

void TestRegionViews::curvedActivationSaysWhy() {
  auto field = twoRegionField();
  field->regionResolution = 0;
  field->regionIds.clear();
  field->regionCount = 0;
  field->regionsUnavailable =
      QStringLiteral("layers[0] (dense) uses tanh, which is not piecewise linear");
  DecisionBoundaryView view;
  view.setField(field, 5);
  view.setMode(DecisionBoundaryView::Mode::Regions);
  render(&view);
  QVERIFY(view.regionsUnavailable().contains(QStringLiteral("tanh")));
  QVERIFY(view.regionsUnavailable().contains(QStringLiteral("relu")));
  // The prediction stays under the message.
  const auto [left, right] = halves(view);
  QVERIFY(left != right);
  savePng(&view, "regions_unavailable");

  RegionCountView chart;
  chart.onSnapshot(snapshotAt(0, field));
  QVERIFY(chart.unavailable().contains(QStringLiteral("tanh")));
}

void TestRegionViews::regionColoursDiffer() {
  for (const bool dark : {false, true}) {
    ThemeManager::instance().setDark(dark);
    std::set<QRgb> colours;
    for (int id = 0; id < 40; ++id) {
      colours.insert(DecisionBoundaryView::regionColor(id).rgb());
      // Neighbouring ids (neighbouring regions, as the grid numbers them) far apart.
      const QColor a = DecisionBoundaryView::regionColor(id),
                   b = DecisionBoundaryView::regionColor(id + 1);
      const int distance = std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) +
                           std::abs(a.blue() - b.blue());
      QVERIFY2(distance > 40, qPrintable(QStringLiteral("ids %1, %2").arg(id).arg(id + 1)));
    }
    QCOMPARE(colours.size(), std::size_t(40));
  }
  ThemeManager::instance().setDark(false);
}

void TestRegionViews::historyKeepsOneCountPerStep() {
  MetricHistory history;
  auto field = twoRegionField();
  history.append(snapshotAt(0, field));
  auto more = twoRegionField();
  more->regionCount = 5;
  history.append(snapshotAt(1, more));
  // A refresh without a new step (paused) replaces the step's count.
  Snapshot paused;
  paused.run = 0;
  paused.currentStep = 2;
  auto changed = twoRegionField();
  changed->regionCount = 6;
  paused.decisionField = changed;
  history.append(paused);
  // A field without regions adds nothing.
  auto none = twoRegionField();
  none->regionResolution = 0;
  history.append(snapshotAt(2, none));
  const std::vector<RegionCountSample>& counts = history.regionCounts(0);
  QCOMPARE(counts.size(), std::size_t(2));
  QCOMPARE(counts[0].step, std::int64_t(1));
  QCOMPARE(counts[0].regions, 2);
  QCOMPARE(counts[1].step, std::int64_t(2));
  QCOMPARE(counts[1].regions, 6);
  QCOMPARE(counts[1].resolution, 32);
  Snapshot reset = snapshotAt(0, nullptr);
  reset.reset = true;
  history.append(reset);
  QVERIFY(history.regionCounts(0).empty());
}

void TestRegionViews::countChartDrawsEveryCount() {
  MetricHistory history;
  RegionCountView chart;
  render(&chart);
  for (int step = 0; step < 50; ++step) {
    auto field = twoRegionField();
    field->regionCount = 10 + step;
    const Snapshot s = snapshotAt(step, field);
    history.append(s);
    chart.onSnapshot(s);
  }
  chart.refresh(history, 0);
  const QList<QPointF> points = chart.countSeries()->points();
  QCOMPARE(points.size(), 50);
  QCOMPARE(points.front(), QPointF(1, 10));
  QCOMPARE(points.back(), QPointF(50, 59));
  QVERIFY2(chart.chartView()->title().contains(QStringLiteral("59")),
           qPrintable(chart.chartView()->title()));
  QVERIFY(chart.chartView()->title().contains(QStringLiteral("32×32")));
  savePng(&chart, "region_count");
}

void TestRegionViews::sessionsKeepViewState() {
  Session session;
  session.runs.emplace_back();
  session.views.insert(QStringLiteral("Decision boundary"), QJsonObject{{"mode", "regions"}});
  const Session back = sessionFromJson(sessionToJson(session));
  QCOMPARE(back.views, session.views);

  QJsonObject json = sessionToJson(session);
  json.insert(QStringLiteral("views"), QJsonObject{{"Decision boundary", 3}});
  try {
    sessionFromJson(json);
    QFAIL("a view state that is not an object was accepted");
  } catch (const core::Error& e) {
    QCOMPARE(QString::fromStdString(e.field()), QStringLiteral("views.Decision boundary"));
  }
}

void TestRegionViews::sessionsKeepTheCounts() {
  MetricHistory history;
  for (int step = 0; step < 30; ++step) {
    auto field = twoRegionField();
    field->regionCount = 100 + 7 * step;
    history.append(snapshotAt(step, field));
  }
  const RunHistory saved = captureRunHistory(history, 0);
  QCOMPARE(saved.regionCounts.size(), std::size_t(30));
  const QJsonObject json = runHistoryToJson(saved);
  const RunHistory read = runHistoryFromJson(JsonFields(json, "history"));
  MetricHistory reopened;
  restoreRunHistory(reopened, 0, read);
  const std::vector<RegionCountSample>& counts = reopened.regionCounts(0);
  QCOMPARE(counts.size(), std::size_t(30));
  for (std::size_t i = 0; i < counts.size(); ++i) {
    QCOMPARE(counts[i].step, history.regionCounts(0)[i].step);
    QCOMPARE(counts[i].regions, 100 + 7 * int(i));
    QCOMPARE(counts[i].resolution, 32);
  }
  // Saved again, the same JSON.
  QCOMPARE(runHistoryToJson(captureRunHistory(reopened, 0)), json);

  QJsonObject bad = json;
  QJsonObject columns = bad.value("region_counts").toObject();
  QJsonArray grids = columns.value("grid").toArray();
  grids[3] = 2.5;
  columns.insert("grid", grids);
  bad.insert("region_counts", columns);
  try {
    runHistoryFromJson(JsonFields(bad, "history"));
    QFAIL("a fractional grid was accepted");
  } catch (const core::Error& e) {
    QCOMPARE(QString::fromStdString(e.field()), QStringLiteral("history.region_counts.grid[3]"));
  }
}

QTEST_MAIN(TestRegionViews)
#include "tst_region_views.moc"
