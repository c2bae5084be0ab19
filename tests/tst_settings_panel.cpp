// The generated settings panel reads the schema's relevance: the Optimiser panel greys out a
// hyper-parameter the optimiser does not read, and the learning rate under a decaying schedule
// (kept, but not read) with the reason and the schedule's rate; every registered optimiser is
// offered.
#include <QtTest>

#include <QComboBox>
#include <QDoubleSpinBox>

#include "app/scenarios/default_experiment.h"
#include "app/worker/training_controller.h"
#include "core/optimizers/optimizer_registry.h"
#include "ui/panels/config_editor.h"
#include "ui/panels/settings_panel.h"

using namespace gradscope;

class TestSettingsPanel : public QObject {
  Q_OBJECT

 private slots:
  void optimiserPanelFollowsTheRegistryAndTheSchedule() {
    app::TrainingController controller(app::defaultExperiment());
    ui::ConfigEditor editor(controller);
    ui::SettingsPanel optimiser(QStringLiteral("Optimiser"), editor);
    ui::SettingsPanel schedule(QStringLiteral("Schedule"), editor);

    auto* type = qobject_cast<QComboBox*>(optimiser.editorFor(QStringLiteral("optimizer.type")));
    QVERIFY(type);
    QCOMPARE(type->count(), core::kOptimizerKindCount);
    QCOMPARE(type->itemText(type->count() - 1), QStringLiteral("lion"));

    auto* rate = qobject_cast<QDoubleSpinBox*>(
        optimiser.editorFor(QStringLiteral("optimizer.learning_rate")));
    QVERIFY(rate);
    QVERIFY(rate->isEnabled());  // the constant schedule reads it
    QCOMPARE(rate->value(), 0.05);

    QVERIFY(editor.set("schedule.type", std::string("exponential")));
    QVERIFY(editor.set("schedule.initial_learning_rate", 0.2));
    QTRY_VERIFY(!rate->isEnabled());
    QVERIFY2(rate->toolTip().contains(QStringLiteral("exponential schedule sets the rate")),
             qPrintable(rate->toolTip()));
    QCOMPARE(rate->value(), 0.2);                            // the schedule's rate in use
    QCOMPARE(editor.config().optimizer.learningRate, 0.05);  // the optimiser's own is kept

    QVERIFY(editor.set("schedule.type", std::string("constant")));
    QTRY_VERIFY(rate->isEnabled());
    QCOMPARE(rate->value(), 0.05);

    // Lion reads the betas but no epsilon; momentum is SGD's.
    QVERIFY(editor.set("optimizer.type", std::string("lion")));
    QTRY_VERIFY(optimiser.editorFor(QStringLiteral("optimizer.beta_2"))->isEnabled());
    QVERIFY(!optimiser.editorFor(QStringLiteral("optimizer.epsilon"))->isEnabled());
    QVERIFY(!optimiser.editorFor(QStringLiteral("optimizer.momentum"))->isEnabled());
    QVERIFY(optimiser.editorFor(QStringLiteral("optimizer.weight_decay"))->isEnabled());
  }
};

QTEST_MAIN(TestSettingsPanel)
#include "tst_settings_panel.moc"
