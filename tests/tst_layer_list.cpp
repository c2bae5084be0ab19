// The layer list live: the Network panel's editor adds, duplicates and removes layers and sends
// them as model.layers; a running network keeps every weight when one layer's activation
// changes, and a width change rebuilds only the tensors whose shape changed, saying so; the
// list travels through configuration files and the worker's snapshots (a model insight for
// Fashion-MNIST-like image data sets); in the dashboard at 1280x720 the list's columns fit the
// Network panel (with GRADSCOPE_SCREENSHOTS=<directory> the window is saved there).
#include <QtTest>

#include <QDockWidget>
#include <QHeaderView>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>

#include "app/sessions/config_file.h"
#include "app/worker/training_controller.h"
#include "app/worker/training_run.h"
#include "core/model/hidden_layer_list.h"
#include "core/model/settings_schema.h"
#include "temporary_settings.h"
#include "ui/panels/config_editor.h"
#include "ui/panels/layer_list_editor.h"
#include "ui/window/main_window.h"
#include "ui/window/theme.h"

using namespace gradscope;

namespace {

core::ExperimentConfig teacherConfig(const std::string& layers) {
  core::ExperimentConfig c;
  core::setSetting(c, "data.dataset", std::string("teacher"));
  core::setSetting(c, "data.samples", std::int64_t(256));
  core::setSetting(c, "data.features", std::int64_t(12));
  core::setSetting(c, "model.layers", layers);
  return c;
}

}  // namespace

class TestLayerList : public QObject {
  Q_OBJECT
 private slots:
  void activationChangeKeepsEveryWeight();
  void widthChangeRebuildsOnlyWhatMust();
  void configFileRoundTrip();
  void editorAddsDuplicatesRemoves();
  void snapshotsCarryTheInsight();
  void fitsTheNetworkPanel_data();
  void fitsTheNetworkPanel();
};

void TestLayerList::activationChangeKeepsEveryWeight() {
  auto run = app::TrainingRun::create(teacherConfig("16 relu, 8 tanh, 8 relu"));
  for (int i = 0; i < 5; ++i) run->step();
  const Eigen::VectorXd before = run->parameters();
  core::ExperimentConfig next = run->config();
  core::setSetting(next, "model.layers", std::string("16 relu, 8 elu, 8 relu"));
  const std::vector<std::string> changes = run->apply(next);
  QCOMPARE(changes.size(), std::size_t(1));
  QCOMPARE(QString::fromStdString(changes.front()),
           QStringLiteral("layer 2 activation: tanh -> elu"));
  QVERIFY(run->parameters() == before);
}

void TestLayerList::widthChangeRebuildsOnlyWhatMust() {
  auto run = app::TrainingRun::create(teacherConfig("16 relu, 8 tanh, 8 relu"));
  for (int i = 0; i < 5; ++i) run->step();
  const Eigen::MatrixXd first = run->tensor("layers[0].kernel");
  const Eigen::MatrixXd last = run->tensor("layers[3].kernel");
  core::ExperimentConfig next = run->config();
  core::setSetting(next, "model.layers", std::string("16 relu, 12 tanh, 8 relu"));
  const std::vector<std::string> changes = run->apply(next);
  QCOMPARE(changes.size(), std::size_t(1));
  // Layer 2's kernel and bias and layer 3's kernel change shape; the other five tensors stay.
  QCOMPARE(QString::fromStdString(changes.front()),
           QStringLiteral("network rebuilt: layer 2: 8 -> 12 units (5 of 8 weight tensors kept)"));
  QVERIFY(run->tensor("layers[0].kernel") == first);
  QVERIFY(run->tensor("layers[3].kernel") == last);
  QCOMPARE(run->tensor("layers[1].kernel").cols(), Eigen::Index(12));
}

void TestLayerList::configFileRoundTrip() {
  core::ExperimentConfig c = teacherConfig("bn, 300 relu bn, 100 relu bn dropout 0.2");
  const QJsonObject json = app::configToJson(c);
  const core::ExperimentConfig back = app::configFromJson(json, core::ExperimentConfig{});
  QVERIFY(back.model.layers == c.model.layers);
  QVERIFY(back.model.inputBatchNorm);
  QVERIFY(back == c);
  // A bad layer in a file names the layer and the field.
  QJsonObject bad = json;
  QJsonObject settings = bad.value("settings").toObject();
  settings.insert("model.layers", "300 relu, 100 relux");
  bad.insert("settings", settings);
  try {
    app::configFromJson(bad, core::ExperimentConfig{});
    QFAIL("no error");
  } catch (const core::Error& e) {
    QCOMPARE(QString::fromStdString(e.field()),
             QStringLiteral("settings.model.layers[2].activation"));
  }
}

void TestLayerList::editorAddsDuplicatesRemoves() {
  app::TrainingController controller(teacherConfig("16 relu, 8 tanh"));
  ui::ConfigEditor editor(controller);
  QSignalSpy applied(&controller, &app::TrainingController::configApplied);
  QTRY_VERIFY(editor.config().model.layers.size() == 2);
  ui::LayerListEditor list(editor);
  QCOMPARE(list.table()->rowCount(), 2);
  list.table()->selectRow(0);
  list.duplicateLayer();
  QCOMPARE(editor.config().model.layers.size(), std::size_t(3));
  QCOMPARE(editor.config().model.layers[1].units, core::Index(16));
  QCOMPARE(list.table()->rowCount(), 3);
  list.table()->selectRow(2);
  list.addLayer();
  QCOMPARE(editor.config().model.layers.size(), std::size_t(4));
  list.table()->selectRow(0);
  list.removeLayer();
  QCOMPARE(core::formatHiddenLayers(editor.config().model.layers, false),
           std::string("16 relu, 2x8 tanh"));
  // A width typed into a row is sent as the list.
  auto* units = qobject_cast<QSpinBox*>(list.table()->cellWidget(1, 0));
  QVERIFY(units);
  units->setValue(5);
  QCOMPARE(editor.config().model.layers[1].units, core::Index(5));
  QTRY_VERIFY(!applied.isEmpty());
  QTRY_COMPARE(controller.config().model.layers.size(), std::size_t(3));
  // Back to equal layers: the list goes, the stack keeps its depth.
  list.useEqualLayers();
  QVERIFY(editor.config().model.layers.empty());
  QCOMPARE(editor.config().model.hiddenLayers, 3);
}

void TestLayerList::snapshotsCarryTheInsight() {
  // Data that is not 2-D: the worker's snapshots bring the model insight, never a field.
  app::TrainingController controller(teacherConfig("16 relu, 8 tanh"));
  std::shared_ptr<const app::ModelInsight> insight;
  bool field = false;
  QObject::connect(&controller, &app::TrainingController::snapshotReady, &controller,
                   [&](const app::SnapshotPtr& s) {
                     if (s->modelInsight) insight = s->modelInsight;
                     field |= s->decisionField != nullptr;
                   });
  QTRY_VERIFY(insight != nullptr);
  QVERIFY(insight->kind == app::ModelInsight::Kind::Tabular);
  QCOMPARE(insight->projectedUnits, 8);
  QVERIFY(!insight->confusion.empty());
  QVERIFY(!field);
}

void TestLayerList::fitsTheNetworkPanel_data() {
  QTest::addColumn<bool>("presentation");
  QTest::newRow("1280x720 light") << false;
  QTest::newRow("1280x720 presentation-dark") << true;
}

void TestLayerList::fitsTheNetworkPanel() {
  // Every column of the layer list in the panel's width, no horizontal scrolling: at 1280 px
  // the Dropout column was cut off at the panel's edge ("Dr…").
  QFETCH(bool, presentation);
  QTemporaryDir settings;
  QVERIFY(useTemporarySettings(settings));
  const QFont font = QApplication::font();
  {
    ui::MainWindow::Options options;
    options.persistent = false;
    ui::MainWindow window(teacherConfig("16 relu, 16 tanh, 16 relu, 16 tanh"), options);
    window.setPresentationMode(presentation);
    window.setDarkTheme(presentation);
    window.resize(1280, 720);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto* list = window.findChild<ui::LayerListEditor*>();
    QVERIFY(list);
    for (QDockWidget* dock : window.findChildren<QDockWidget*>()) {
      if (dock->isAncestorOf(list)) dock->raise();
    }
    QTRY_COMPARE(list->table()->rowCount(), 4);
    QTest::qWait(100);
    QTableWidget* table = list->table();
    // In the table's own width, and the table in the panel's visible width (a panel whose
    // content is wider than its dock is cut at the dock's edge, with no scroll bar).
    const int needed = table->horizontalHeader()->length();
    const int room = table->viewport()->width();
    QWidget* panel = table;
    while (panel->parentWidget() &&
           !qobject_cast<QScrollArea*>(panel->parentWidget()->parentWidget()))
      panel = panel->parentWidget();
    auto* area = qobject_cast<QScrollArea*>(panel->parentWidget()->parentWidget());
    QVERIFY(area);
    const int right = table->mapTo(area->viewport(), QPoint(table->width(), 0)).x();
    if (const QByteArray dir = qgetenv("GRADSCOPE_SCREENSHOTS"); !dir.isEmpty()) {
      window.grab().save(QString::fromLocal8Bit(dir) +
                         (presentation ? "/network-presentation.png" : "/network.png"));
    }
    QVERIFY2(needed <= room,
             qPrintable(QStringLiteral("columns %1 px in %2").arg(needed).arg(room)));
    QVERIFY2(right <= area->viewport()->width(),
             qPrintable(QStringLiteral("the table ends at %1 px, the panel shows %2")
                            .arg(right)
                            .arg(area->viewport()->width())));
    // The numbers stay readable in their narrow columns.
    auto* units = qobject_cast<QSpinBox*>(table->cellWidget(0, 0));
    QVERIFY(units);
    QVERIFY(units->width() >= units->fontMetrics().horizontalAdvance(QStringLiteral("4096")));
  }
  QApplication::setFont(font);  // presentation mode enlarged it
}

QTEST_MAIN(TestLayerList)
#include "tst_layer_list.moc"
