// The timeline under the charts: arrow keys ask for one step back or forward, with Shift one
// epoch; Home and End the first and latest steps; requests stay within the reachable steps;
// the slider maps its positions to steps; the bar says when the runs stand at an earlier step.
#include <QtTest>

#include <QSignalSpy>
#include <QSlider>

#include "ui/window/timeline_bar.h"

using namespace gradscope::ui;

class TestTimelineBar : public QObject {
  Q_OBJECT
 private slots:
  void keysStepAndJumpAnEpoch() {
    TimelineBar bar;
    bar.setSteps(0, 300, 300);
    bar.setStepsPerEpoch(13);
    QVERIFY(!bar.rewound());
    QSignalSpy requested(&bar, &TimelineBar::stepRequested);
    QTest::keyClick(&bar, Qt::Key_Left);
    QTest::keyClick(&bar, Qt::Key_Left, Qt::ShiftModifier);
    QTest::keyClick(&bar, Qt::Key_Right);
    QTest::keyClick(&bar, Qt::Key_Home);
    QTest::keyClick(&bar, Qt::Key_Left);  // nothing before the first step: no request
    QTest::keyClick(&bar, Qt::Key_End);
    QTest::keyClick(&bar, Qt::Key_Right);  // nothing after the latest
    QList<qint64> steps;
    for (const auto& args : requested) steps << args.at(0).toLongLong();
    QCOMPARE(steps, (QList<qint64>{299, 286, 287, 0, 300}));
  }

  void theSliderMapsToSteps() {
    TimelineBar bar;
    bar.setSteps(100, 600, 600);
    auto* slider = bar.findChild<QSlider*>(QStringLiteral("timelineSlider"));
    QVERIFY(slider);
    QCOMPARE(slider->value(), slider->maximum());
    QSignalSpy requested(&bar, &TimelineBar::stepRequested);
    slider->setValue(slider->minimum() + (slider->maximum() - slider->minimum()) / 5);
    QCOMPARE(requested.size(), 1);
    QCOMPARE(requested.at(0).at(0).toLongLong(), qint64(200));
    QVERIFY(bar.rewound());
    // The worker's answer moves the slider without asking again.
    bar.setSteps(100, 600, 200);
    QCOMPARE(requested.size(), 1);
    QCOMPARE(bar.current(), std::int64_t(200));
  }
};

QTEST_MAIN(TestTimelineBar)
#include "tst_timeline_bar.moc"
