// Event marks on the charts: a label says what changed from what to what ("tanh → relu"),
// the tooltip has the whole change, and labels crowded at nearby steps stack in rows without
// overlapping, shortened or left out only when no row has room.
#include <QtTest>

#include <QGraphicsSimpleTextItem>
#include <QValueAxis>

#include "app/worker/snapshot.h"
#include "ui/charts/chart_view.h"
#include "ui/charts/mark_label_layout.h"
#include "ui/window/theme.h"

using namespace gradscope;
using namespace gradscope::ui;

class TestChartMarks : public QObject {
  Q_OBJECT
 private slots:
  void labelsSayFromWhatToWhat_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("label");
    QTest::newRow("activation") << "activation: tanh -> relu"
                                << "tanh → relu";
    QTest::newRow("layer") << "layer 1 activation: tanh -> relu"
                           << "L1 tanh → relu";
    QTest::newRow("rate") << "learning rate: 0.01 -> 0.1 (state kept)"
                          << "LR 0.01 → 0.1";
    QTest::newRow("batch") << "batch size: 32 -> 64"
                           << "batch 32 → 64";
    QTest::newRow("rebuild") << "network rebuilt: width 32 -> 64, hidden_layers 4 -> 5 (3 of 12 "
                                "weight tensors kept)"
                             << "width 32 → 64";
    QTest::newRow("no arrow") << "shuffling off"
                              << "shuffling off";
  }
  void labelsSayFromWhatToWhat() {
    QFETCH(QString, text);
    QFETCH(QString, label);
    QCOMPARE(ChartView::eventLabel(app::Event{10, app::EventKind::SettingChanged, text}), label);
  }

  // Ten labels at nearly the same step: placed ones never overlap; with rows enough all fit.
  void crowdedLabelsNeverOverlap() {
    MarkLabelLayout layout(0.0, 400.0, 5);
    std::vector<MarkLabelLayout::Place> placed;
    for (int i = 0; i < 10; ++i) {
      const MarkLabelLayout::Place p = layout.place(100.0 + 2.0 * i, 80.0, 30.0);
      if (p.row >= 0) placed.push_back(p);
    }
    QVERIFY(placed.size() >= 5);
    for (std::size_t a = 0; a < placed.size(); ++a) {
      for (std::size_t b = a + 1; b < placed.size(); ++b) {
        if (placed[a].row != placed[b].row) continue;
        const bool apart = placed[a].x + placed[a].width <= placed[b].x ||
                           placed[b].x + placed[b].width <= placed[a].x;
        QVERIFY2(apart, qPrintable(QStringLiteral("labels %1 and %2 overlap").arg(a).arg(b)));
      }
    }
    QVERIFY(layout.rowsUsed() <= 5);
  }

  // On a chart: three changes a few steps apart all get a visible label, none overlapping,
  // each with its whole change in the tooltip.
  void chartStacksItsEventLabels() {
    ChartView chart(QStringLiteral("Loss"));
    QValueAxis* x = chart.addValueAxis(Qt::AlignBottom, QStringLiteral("step"));
    chart.addValueAxis(Qt::AlignLeft, QStringLiteral("loss"));
    x->setRange(0, 1000);
    chart.resize(500, 300);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.setEvents({{200, app::EventKind::SettingChanged, "activation: tanh -> relu"},
                     {205, app::EventKind::SettingChanged, "learning rate: 0.01 -> 0.1"},
                     {210, app::EventKind::SettingChanged, "batch size: 32 -> 64"}});
    QCoreApplication::processEvents();
    QList<QGraphicsSimpleTextItem*> texts;
    for (QGraphicsItem* item : chart.scene()->items()) {
      auto* text = dynamic_cast<QGraphicsSimpleTextItem*>(item);
      if (text && text->isVisible() && text->text().contains(QChar(0x2192))) texts << text;
    }
    QCOMPARE(texts.size(), 3);
    for (int a = 0; a < texts.size(); ++a) {
      QVERIFY(texts[a]->toolTip().contains(QStringLiteral("step 2")));
      for (int b = a + 1; b < texts.size(); ++b) {
        QVERIFY2(!texts[a]->sceneBoundingRect().intersects(texts[b]->sceneBoundingRect()),
                 qPrintable(texts[a]->text() + " / " + texts[b]->text()));
      }
    }
  }
};

QTEST_MAIN(TestChartMarks)
#include "tst_chart_marks.moc"
