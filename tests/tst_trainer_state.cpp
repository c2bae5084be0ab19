// Exact resumption in the core: training 200 steps in one go, and training 100, capturing the
// trainer's state, building a new trainer from the same settings, restoring the state and
// training 100 more, give bit-identical losses and weights, for every optimiser and every
// schedule, in float and double, with BatchNorm, dropout, clipping, early stopping (keeping
// the best weights) and the plateau rule all active. A state that does not fit is refused
// with the field named and the trainer left unchanged.
#include <QtTest>

#include <cstring>

#include "core/data/data_generators.h"
#include "core/data/data_split.h"
#include "core/model/experiment_config.h"
#include "core/model/trainer_state.h"
#include "core/optimizers/optimizer_registry.h"

using namespace gradscope::core;

Q_DECLARE_METATYPE(OptimizerKind)
Q_DECLARE_METATYPE(ScheduleKind)

namespace {

struct Setup {
  SplitData data;
  NetworkSpec spec;
  TrainingSettings training;
};

Setup setup() {
  DataSpec d;
  d.kind = DatasetKind::Moons;
  d.samples = 90;  // 72 training samples: batches of 16 leave a short last batch
  Setup s;
  s.data = splitData(generate(d), SplitOptions{0.2, 3, true});
  ModelConfig model;
  model.hiddenLayers = 2;
  model.width = 6;
  model.batchNorm = BatchNormPlacement::BeforeActivation;
  model.dropoutRate = 0.1;
  s.spec = buildNetworkSpec(model, 2, 1, TaskKind::Binary);
  s.training.batchSize = 16;
  s.training.epochs = 30;
  s.training.seed = 7;
  s.training.clip = {ClipMode::GlobalNorm, 0.5};
  EarlyStoppingSettings early;
  early.patience = 3;
  early.restoreBestWeights = true;
  s.training.earlyStopping = early;
  PlateauSettings plateau;
  plateau.patience = 2;
  plateau.factor = 0.5;
  s.training.plateau = plateau;
  return s;
}

ScheduleSettings scheduleOf(ScheduleKind kind) {
  ScheduleSettings s;
  s.kind = kind;
  s.initialLearningRate = 0.05;
  s.decaySteps = 40;
  s.boundaries = {60, 130};
  s.values = {0.05, 0.02, 0.005};
  s.warmupSteps = 20;
  s.warmupTarget = 0.1;
  s.totalSteps = 0;  // 1cycle: spans the planned run
  s.maxRate = 0.1;
  s.cycleMomentum = true;
  return s;
}

template <typename T>
Trainer<T> make(const Setup& s, OptimizerKind optimizer, ScheduleKind schedule) {
  OptimizerSettings o = OptimizerSettings::defaultsFor(optimizer);
  o.learningRate = 0.05;
  return Trainer<T>(s.spec, LossKind::BinaryCrossentropy, s.data.train, s.data.validation, o,
                    scheduleOf(schedule), s.training);
}

template <typename T>
bool sameBits(const Vector<T>& a, const Vector<T>& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), std::size_t(a.size()) * sizeof(T)) == 0;
}

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

template <typename T>
void checkResume(OptimizerKind optimizer, ScheduleKind schedule) {
  const Setup s = setup();
  Trainer<T> straight = make<T>(s, optimizer, schedule);
  std::vector<double> straightLosses;
  for (int i = 0; i < 200; ++i) straightLosses.push_back(straight.step().loss.total());

  std::vector<double> resumedLosses;
  TrainerState saved;
  {
    Trainer<T> first = make<T>(s, optimizer, schedule);
    for (int i = 0; i < 100; ++i) resumedLosses.push_back(first.step().loss.total());
    saved = first.captureState();
  }  // "quit"
  Trainer<T> second = make<T>(s, optimizer, schedule);
  second.restoreState(saved);
  QCOMPARE(second.stepCount(), std::int64_t(100));
  for (int i = 0; i < 100; ++i) resumedLosses.push_back(second.step().loss.total());

  for (int i = 0; i < 200; ++i) {
    if (!sameBits(straightLosses[std::size_t(i)], resumedLosses[std::size_t(i)])) {
      QFAIL(qPrintable(QStringLiteral("loss of step %1 differs: %2 vs %3")
                           .arg(i)
                           .arg(straightLosses[std::size_t(i)], 0, 'g', 17)
                           .arg(resumedLosses[std::size_t(i)], 0, 'g', 17)));
    }
  }
  QVERIFY(sameBits(straight.network().parameters(), second.network().parameters()));
  QCOMPARE(second.optimizer().iterations(), straight.optimizer().iterations());
  QVERIFY(sameBits(straight.currentLearningRate(), second.currentLearningRate()));
  QCOMPARE(second.epoch(), straight.epoch());
  QVERIFY(second.stopReason() == straight.stopReason());
  QVERIFY(second.earlyStopping()->state() == straight.earlyStopping()->state());
  QVERIFY(second.plateauReducer()->state() == straight.plateauReducer()->state());
}

}  // namespace

class TestTrainerState : public QObject {
  Q_OBJECT
 private slots:
  void resumesExactly_data() {
    QTest::addColumn<OptimizerKind>("optimizer");
    QTest::addColumn<ScheduleKind>("schedule");
    QTest::addColumn<bool>("float64");
    for (auto o : allOptimizerKinds()) {  // every registered optimiser
      for (auto k :
           {ScheduleKind::Constant, ScheduleKind::PiecewiseConstant, ScheduleKind::Power,
            ScheduleKind::Exponential, ScheduleKind::ExponentialDecay,
            ScheduleKind::InverseTimeDecay, ScheduleKind::CosineDecay, ScheduleKind::OneCycle}) {
        for (bool f64 : {false, true}) {
          const QByteArray name = QByteArray(toString(o).data()) + "/" + toString(k).data() +
                                  (f64 ? "/float64" : "/float32");
          QTest::newRow(name.constData()) << o << k << f64;
        }
      }
    }
  }
  void resumesExactly() {
    QFETCH(OptimizerKind, optimizer);
    QFETCH(ScheduleKind, schedule);
    QFETCH(bool, float64);
    if (float64) {
      checkResume<double>(optimizer, schedule);
    } else {
      checkResume<float>(optimizer, schedule);
    }
  }

  // The test above is only meaningful if a fresh trainer would NOT continue the same way.
  void aFreshTrainerDiffers() {
    const Setup s = setup();
    Trainer<float> a = make<float>(s, OptimizerKind::Adam, ScheduleKind::Constant);
    for (int i = 0; i < 100; ++i) a.step();
    Trainer<float> b = make<float>(s, OptimizerKind::Adam, ScheduleKind::Constant);
    QVERIFY(!sameBits(a.network().parameters(), b.network().parameters()));
    b.restoreState(a.captureState());
    QVERIFY(sameBits(a.network().parameters(), b.network().parameters()));
  }

  void refusesAStateThatDoesNotFit_data() {
    QTest::addColumn<QString>("field");
    QTest::newRow("parameters") << "parameters";
    QTest::newRow("non-finite weight") << "parameters";
    QTest::newRow("buffers") << "buffers[0].values";
    QTest::newRow("optimizer slot") << "optimizer.state.momentum";
    QTest::newRow("order") << "order";
    QTest::newRow("position") << "position_in_epoch";
    QTest::newRow("schedule origin") << "schedule_origin";
    QTest::newRow("best parameters") << "best_parameters";
  }
  void refusesAStateThatDoesNotFit() {
    QFETCH(QString, field);
    const Setup s = setup();
    Trainer<double> trained = make<double>(s, OptimizerKind::Momentum, ScheduleKind::Constant);
    for (int i = 0; i < 10; ++i) trained.step();
    TrainerState bad = trained.captureState();
    const QByteArray row = QTest::currentDataTag();
    if (row == "parameters") bad.parameters.conservativeResize(bad.parameters.size() - 1);
    if (row == "non-finite weight") bad.parameters[3] = std::numeric_limits<double>::infinity();
    if (row == "buffers") bad.buffers[0].values.resize(2);
    if (row == "optimizer slot") bad.optimizer.vectors[0].values.resize(5);
    if (row == "order") bad.order[1] = bad.order[0];
    if (row == "position") bad.positionInEpoch = trained.trainSize();
    if (row == "schedule origin") bad.scheduleOrigin = bad.step + 1;
    if (row == "best parameters") bad.bestParameters = Eigen::VectorXd::Zero(3);

    Trainer<double> target = make<double>(s, OptimizerKind::Momentum, ScheduleKind::Constant);
    const Vector<double> before = target.network().parameters();
    try {
      target.restoreState(bad);
      QFAIL("accepted a state that does not fit");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), field);
    }
    QVERIFY(sameBits(target.network().parameters(), before));
    QCOMPARE(target.stepCount(), std::int64_t(0));
  }
};

QTEST_GUILESS_MAIN(TestTrainerState)
#include "tst_trainer_state.moc"
