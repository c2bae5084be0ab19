// The settings schema: every setting is described completely, its default lies in its own
// range, get/set round-trips, values outside the range or unknown names are refused with
// the setting's key, text parsing works for every type, and each choice can be selected.
#include <QtTest>

#include <set>

#include "core/data/data_split.h"
#include "core/model/settings_schema.h"
#include "core/model/trainer.h"
#include "core/schedules/one_cycle_schedule.h"

using namespace gradscope::core;

class TestSettingsSchema : public QObject {
  Q_OBJECT
 private slots:
  void everySettingIsDescribed() {
    std::set<std::string> keys;
    const std::set<std::string> groups{"Data", "Network", "Optimiser", "Schedule", "Training"};
    for (const SettingMeta& m : experimentSettings()) {
      QVERIFY2(keys.insert(m.key).second, m.key.c_str());
      QVERIFY2(!m.label.empty() && !m.tooltip.empty(), m.key.c_str());
      QVERIFY2(groups.count(m.group) == 1, m.key.c_str());
      QVERIFY2(m.get && m.set && m.relevant, m.key.c_str());
      if (m.type == SettingType::Choice) QVERIFY2(!m.choices.empty(), m.key.c_str());
    }
    QVERIFY(keys.size() >= 50);
  }

  void defaultsRoundTrip() {
    const ExperimentConfig defaults;
    for (const SettingMeta& m : experimentSettings()) {
      ExperimentConfig c;
      setSetting(c, m.key, getSetting(defaults, m.key));  // must not throw: default in range
      QVERIFY2(formatSettingValue(getSetting(c, m.key)) ==
                   formatSettingValue(getSetting(defaults, m.key)),
               m.key.c_str());
    }
  }

  void everyChoiceCanBeSelected() {
    for (const SettingMeta& m : experimentSettings()) {
      if (m.type != SettingType::Choice) continue;
      for (const std::string& choice : m.choices) {
        ExperimentConfig c;
        setSetting(c, m.key, choice);
        QCOMPARE(std::get<std::string>(getSetting(c, m.key)), choice);
      }
    }
  }

  void refusalsNameTheKey() {
    ExperimentConfig c;
    const ExperimentConfig before = c;
    auto refused = [&](const char* key, const SettingValue& v) {
      try {
        setSetting(c, key, v);
      } catch (const Error& e) {
        return e.field() == key;
      }
      return false;
    };
    QVERIFY(refused("optimizer.learning_rate", -1.0));
    QVERIFY(refused("optimizer.learning_rate", std::string("fast")));
    QVERIFY(refused("model.hidden_layers", std::int64_t(1000000000)));
    QVERIFY(refused("model.width", std::int64_t(0)));
    QVERIFY(refused("model.activation", std::string("softmax")));
    QVERIFY(refused("training.batch_size", 2.5));
    QVERIFY(refused("data.dataset", std::string("imagenet")));
    QVERIFY(refused("schedule.boundaries", std::vector<double>{1, NAN}));
    QVERIFY(c == before);  // nothing changed by a refused value
    try {
      setSetting(c, "no.such.key", 1.0);
      QFAIL("accepted an unknown key");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.reason()), QString("unknown setting"));
    }
  }

  void parsing() {
    const SettingMeta* lr = findSetting("optimizer.learning_rate");
    QCOMPARE(std::get<double>(parseSettingValue(*lr, "0.05")), 0.05);
    QVERIFY_THROWS_EXCEPTION(Error, parseSettingValue(*lr, "0.05x"));
    const SettingMeta* layers = findSetting("model.hidden_layers");
    QCOMPARE(std::get<std::int64_t>(parseSettingValue(*layers, "20")), std::int64_t(20));
    QVERIFY_THROWS_EXCEPTION(Error, parseSettingValue(*layers, "2.5"));
    const SettingMeta* shuffle = findSetting("training.shuffle");
    QCOMPARE(std::get<bool>(parseSettingValue(*shuffle, "off")), false);
    const SettingMeta* bounds = findSetting("schedule.boundaries");
    const auto list = std::get<std::vector<double>>(parseSettingValue(*bounds, "5,10,20"));
    QVERIFY((list == std::vector<double>{5, 10, 20}));
    QCOMPARE(formatSettingValue(list), std::string("5,10,20"));
  }

  void optimiserSwitchTakesItsDefaults() {
    ExperimentConfig c;
    setSetting(c, "optimizer.learning_rate", 0.02);
    setSetting(c, "optimizer.type", std::string("adam"));
    QVERIFY(c.optimizer.kind == OptimizerKind::Adam);
    QCOMPARE(c.optimizer.beta1, 0.9);
    QCOMPARE(c.optimizer.learningRate, 0.02);  // the rate the user chose is kept
    QVERIFY(!findSetting("optimizer.momentum")->relevant(c));
    QVERIFY(findSetting("optimizer.beta_2")->relevant(c));
  }

  void oneCycleOfLengthZeroSpansTheRun() {
    ExperimentConfig c;
    setSetting(c, "schedule.type", std::string("one_cycle"));
    setSetting(c, "schedule.total_steps", std::int64_t(0));
    c.data.samples = 100;
    c.split.validationFraction = 0.2;
    c.training.batchSize = 16;
    c.training.epochs = 7;
    for (std::int64_t total : {std::int64_t(0), std::int64_t(-5)}) {
      c.schedule.totalSteps = total;
      validate(c);  // accepted: the trainer spans the planned epochs
      const SplitData data = splitData(generate(c.data), c.split);
      const NetworkSpec spec = buildNetworkSpec(c.model, data.train.featureCount(),
                                                data.train.outputCount(), data.train.task);
      Trainer<double> trainer(spec, lossFor(data.train.task), data.train, data.validation,
                              c.optimizer, c.schedule, c.training);
      const auto* cycle = dynamic_cast<const OneCycleSchedule*>(&trainer.schedule());
      QVERIFY(cycle);
      // The span: every planned step, 7 epochs of ceil(80 / 16) batches.
      const Index batches = (data.train.sampleCount() + 15) / 16;
      QCOMPARE(trainer.plannedSteps(), std::int64_t(7 * batches));
      QCOMPARE(cycle->totalSteps(), trainer.plannedSteps());
      // Its peak lies inside the run, at the end of the rise.
      QVERIFY(cycle->halfIteration() > 0 && cycle->halfIteration() < trainer.plannedSteps());
      QCOMPARE(cycle->learningRate(cycle->halfIteration()), cycle->maxRate());
    }
  }

  void oneSetOfLimits() {
    // validate() reads the schema's ranges: what a panel or a file may set, the engine takes.
    ExperimentConfig c;
    const SettingMeta* width = findSetting("model.width");
    c.model.width = Index(width->maximum);
    validate(c);
    setSetting(c, "model.width", std::int64_t(width->maximum));
    c.model.width = Index(width->maximum) + 1;
    QVERIFY_THROWS_EXCEPTION(Error, validate(c));
    QVERIFY_THROWS_EXCEPTION(Error, setSetting(c, "model.width", std::int64_t(width->maximum) + 1));
    c = ExperimentConfig();
    c.model.dropoutRate = 0.99;  // Keras: any rate below 1
    validate(c);
    setSetting(c, "model.dropout", 0.99);
    c.model.dropoutRate = 1.0;
    try {
      validate(c);
      QFAIL("no exception");
    } catch (const Error& e) {
      QCOMPARE(e.field(), std::string("model.dropout"));
    }
    QVERIFY_THROWS_EXCEPTION(Error, setSetting(c, "model.dropout", 1.0));
  }

  void learningRateUnderAScheduleIsNotRead() {
    ExperimentConfig c;
    const SettingMeta* lr = findSetting("optimizer.learning_rate");
    QVERIFY(lr->inactiveReason && lr->shownValue);
    QVERIFY(lr->inactiveReason(c).empty());  // the constant schedule reads it
    QVERIFY(!lr->shownValue(c));
    setSetting(c, "schedule.type", std::string("exponential"));
    setSetting(c, "schedule.initial_learning_rate", 0.25);
    const std::string reason = lr->inactiveReason(c);
    QVERIFY2(reason.find("exponential") != std::string::npos, reason.c_str());
    QCOMPARE(std::get<double>(*lr->shownValue(c)), 0.25);  // the schedule's rate at step 0
    QVERIFY(lr->relevant(c));  // still kept in files: the constant schedule uses it again
  }

  void changedSettingsCarryTheirEffect() {
    const ExperimentConfig before;
    ExperimentConfig after = before;
    QVERIFY(changedSettings(before, after).empty());
    after.training.seed += 1;
    after.optimizer.learningRate *= 2;
    const auto changed = changedSettings(before, after);
    QCOMPARE(int(changed.size()), 2);
    QCOMPARE(changed[0]->key, std::string("optimizer.learning_rate"));
    QVERIFY(changed[0]->effect == SettingEffect::Live);
    QCOMPARE(changed[1]->key, std::string("training.seed"));
    QVERIFY(changed[1]->effect == SettingEffect::AtReset);
  }

  void optionalCallbacks() {
    ExperimentConfig c;
    QVERIFY(!c.training.earlyStopping);
    setSetting(c, "early_stopping.enabled", true);
    setSetting(c, "early_stopping.patience", std::int64_t(3));
    QVERIFY(c.training.earlyStopping);
    QCOMPARE(c.training.earlyStopping->patience, 3);
    setSetting(c, "plateau.enabled", true);
    setSetting(c, "plateau.factor", 0.5);
    QCOMPARE(c.training.plateau->factor, 0.5);
    setSetting(c, "plateau.enabled", false);
    QVERIFY(!c.training.plateau);
  }
};

QTEST_GUILESS_MAIN(TestSettingsSchema)
#include "tst_settings_schema.moc"
