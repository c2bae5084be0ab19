// "Hold changes" in the Schedule panel (issue: show the whole plan before a schedule change
// applies): while held, a schedule edit reaches the panels and the plan preview, which draws the
// whole plan it would give, but not the run; Apply gives the run exactly the previewed plan;
// Discard and unticking keep the schedule in use; every other setting still applies at once.
// With GRADSCOPE_SCREENSHOTS=<directory> it saves the window with a change held there.
#include <QtTest>

#include <QCheckBox>
#include <QDockWidget>
#include <QPushButton>

#include "small_experiment.h"
#include "temporary_settings.h"
#include "ui/panels/config_editor.h"
#include "ui/panels/lr_plan_preview.h"
#include "ui/panels/schedule_hold_bar.h"
#include "ui/window/main_window.h"

using namespace gradscope;
using namespace gradscope::ui;

namespace {

// The rate `plan` gives at `step` (a step on its grid).
double rateAt(const app::LearningRatePlan& plan, std::int64_t step) {
  const std::int64_t i = (step - plan.firstStep) / plan.stride;
  if ((step - plan.firstStep) % plan.stride != 0 || i < 0 || i >= std::int64_t(plan.rates.size()))
    qFatal("step %lld is not on the plan's grid", static_cast<long long>(step));
  return plan.rates[std::size_t(i)];
}

}  // namespace

class TestScheduleHold : public QObject {
  Q_OBJECT
  QTemporaryDir m_settingsDir;

 private slots:
  void initTestCase() { QVERIFY(useTemporarySettings(m_settingsDir)); }

  void heldPlanIsThePlanThatApplies() {
    MainWindow::Options options;
    options.persistent = false;
    MainWindow window(smallExperiment(), options);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.history().hasRun(0), 10000);
    constexpr int kSteps = 50;
    window.controller().stepSteps(kSteps);
    QTRY_VERIFY_WITH_TIMEOUT(window.history().stepCount(0) == kSteps, 15000);
    ConfigEditor& editor = window.configEditor();
    app::TrainingController& worker = window.controller();
    auto* bar = window.findChild<ScheduleHoldBar*>(QStringLiteral("scheduleHold"));
    auto* preview = window.findChild<LrPlanPreview*>(QStringLiteral("lrPlanPreview"));
    QVERIFY(bar && preview);
    QTRY_VERIFY(preview->plan());
    QVERIFY(worker.config().schedule.kind == core::ScheduleKind::Constant);
    QVERIFY(!bar->applyButton()->isVisible());

    const double inUse = worker.config().optimizer.learningRate;
    bar->holdBox()->setChecked(true);
    QVERIFY(editor.holding());
    QVERIFY(bar->applyButton()->isVisible() && !bar->applyButton()->isEnabled());
    QVERIFY(editor.set("schedule.type", std::string("one_cycle")));
    // Held: the panels show it, the run does not have it.
    QVERIFY(editor.held() && editor.held()->kind == core::ScheduleKind::OneCycle);
    QVERIFY(editor.config().schedule.kind == core::ScheduleKind::OneCycle);
    QVERIFY(bar->applyButton()->isEnabled());
    // Another setting still applies at once (and, acknowledged, shows the worker has taken
    // every command sent before it: the schedule was not among them).
    QVERIFY(editor.set("optimizer.learning_rate", 0.02));
    QTRY_COMPARE(worker.config().optimizer.learningRate, 0.02);
    QVERIFY(worker.config().schedule.kind == core::ScheduleKind::Constant);
    QVERIFY(editor.config().schedule.kind == core::ScheduleKind::OneCycle);

    // The preview: the rate in use up to the current step, then the whole cycle after it,
    // peaking at the learning rate in use when it was chosen (the cycle fitted to the run).
    QTRY_VERIFY(preview->heldPlan() && preview->plan() && rateAt(*preview->plan(), 0) == 0.02);
    if (const QByteArray dir = qgetenv("GRADSCOPE_SCREENSHOTS"); !dir.isEmpty()) {
      for (QDockWidget* dock : window.findChildren<QDockWidget*>()) {
        if (dock->isAncestorOf(preview)) dock->raise();
      }
      QTest::qWait(200);
      window.grab().save(QString::fromLocal8Bit(dir) + QStringLiteral("/schedule-held.png"));
    }
    const app::LearningRatePlan held = *preview->heldPlan();
    const app::LearningRatePlan before = *preview->plan();
    QCOMPARE(held.firstStep, before.firstStep);
    QCOMPARE(held.rates.size(), before.rates.size());
    const std::int64_t planEnd = held.firstStep + held.stride * std::int64_t(held.rates.size());
    QVERIFY(planEnd >= 1000 * 7);  // the whole plan, not a window of it
    for (std::int64_t t = held.firstStep; t < kSteps; t += held.stride)
      QCOMPARE(rateAt(held, t), rateAt(before, t));
    const double peak = *std::max_element(held.rates.begin(), held.rates.end());
    QVERIFY2(peak <= inUse && peak > 0.999 * inUse, qPrintable(QString::number(peak)));  // sampled
    QVERIFY(held.rates.back() < inUse / 100);  // 1cycle ends far below its start
    QVERIFY(rateAt(held, kSteps) < peak);      // it starts low at the current step

    // Apply: the run's own plan from now on is the one previewed, value for value.
    QTest::mouseClick(bar->applyButton(), Qt::LeftButton);
    QTRY_VERIFY(worker.config().schedule.kind == core::ScheduleKind::OneCycle);
    QTRY_VERIFY(!preview->heldPlan() && preview->plan() && preview->plan()->firstStep == kSteps);
    const app::LearningRatePlan applied = *preview->plan();
    int compared = 0;
    for (std::int64_t t = kSteps; t < planEnd; t += held.stride) {
      if ((t - applied.firstStep) % applied.stride != 0) continue;
      QCOMPARE(rateAt(applied, t), rateAt(held, t));
      ++compared;
    }
    QVERIFY(compared > 1000);
    QVERIFY(!editor.held() && !bar->applyButton()->isEnabled());

    // Discard: the schedule in use stays, in the panels too.
    QVERIFY(editor.set("schedule.type", std::string("exponential_decay")));
    QTRY_VERIFY(preview->heldPlan());
    QTest::mouseClick(bar->discardButton(), Qt::LeftButton);
    QVERIFY(!editor.held());
    QVERIFY(editor.config().schedule.kind == core::ScheduleKind::OneCycle);
    QTRY_VERIFY(!preview->heldPlan());
    QVERIFY(worker.config().schedule.kind == core::ScheduleKind::OneCycle);

    // Unticked with a change held: discarded; edits apply live again.
    QVERIFY(editor.set("schedule.type", std::string("constant")));
    QVERIFY(editor.held());
    bar->holdBox()->setChecked(false);
    QVERIFY(!editor.held() && !bar->applyButton()->isVisible());
    QVERIFY(editor.config().schedule.kind == core::ScheduleKind::OneCycle);
    QVERIFY(editor.set("schedule.type", std::string("constant")));
    QTRY_VERIFY(worker.config().schedule.kind == core::ScheduleKind::Constant);
  }
};

QTEST_MAIN(TestScheduleHold)
#include "tst_schedule_hold.moc"
