// Learning-rate schedules: table tests at chosen steps for every kind, every lr_schedule case
// of the Keras reference vectors, 1cycle's peak, ends and phase boundaries (both shapes and
// the momentum cycle), the piecewise boundary rule, the factory and validation.
#include <QtTest>

#include <cmath>
#include <numbers>

#include "core/model/types.h"
#include "core/schedules/constant_schedule.h"
#include "core/schedules/cosine_decay_schedule.h"
#include "core/schedules/decay_schedules.h"
#include "core/schedules/one_cycle_schedule.h"
#include "core/schedules/piecewise_constant_schedule.h"
#include "core/schedules/schedule.h"

using namespace gradscope::core;

Q_DECLARE_METATYPE(std::shared_ptr<const gradscope::core::Schedule>)

namespace {

using SchedulePtr = std::shared_ptr<const Schedule>;

bool relativelyClose(double actual, double expected, double relative) {
  return std::abs(actual - expected) <= relative * std::abs(expected) || actual == expected;
}

ScheduleSettings oneCycle(std::int64_t total, double maxRate) {
  ScheduleSettings s;
  s.kind = ScheduleKind::OneCycle;
  s.totalSteps = total;
  s.maxRate = maxRate;
  return s;
}

QJsonArray referenceCases() {
  QFile file(QStringLiteral(GRADSCOPE_TEST_DATA) + "/keras-cases.json");
  if (!file.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(file.readAll()).object().value("cases").toArray();
}

double number(const QJsonObject& o, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (o.contains(key)) return o[key].toDouble();
  }
  return std::nan("");
}

std::vector<double> numbers(const QJsonArray& a) {
  std::vector<double> out;
  for (const auto& v : a) out.push_back(v.toDouble());
  return out;
}

// The reference's schedule object as our settings; QFAIL-free so it can return a value.
std::optional<ScheduleSettings> fromReference(const QJsonObject& o) {
  ScheduleSettings s;
  const QString type = o["type"].toString();
  s.initialLearningRate = number(o, {"initial_learning_rate", "eta0", "lr0"});
  s.decaySteps = number(o, {"decay_steps", "s"});
  s.staircase = o["staircase"].toBool();
  if (type == "piecewise_constant_decay") {
    s.kind = ScheduleKind::PiecewiseConstant;
    s.boundaries = numbers(o["boundaries"].toArray());
    s.values = numbers(o["values"].toArray());
  } else if (type == "exponential_decay") {
    s.kind = ScheduleKind::ExponentialDecay;
    s.decayRate = o["decay_rate"].toDouble();
  } else if (type == "inverse_time_decay") {
    s.kind = ScheduleKind::InverseTimeDecay;
    s.decayRate = o["decay_rate"].toDouble();
  } else if (type == "power") {
    s.kind = ScheduleKind::Power;
    s.power = number(o, {"power", "c"});
  } else if (type == "exponential") {
    s.kind = ScheduleKind::Exponential;
  } else if (type == "cosine_decay") {
    s.kind = ScheduleKind::CosineDecay;
    if (o.contains("alpha")) s.alpha = o["alpha"].toDouble();
    if (o["warmup_target"].isDouble()) s.warmupTarget = o["warmup_target"].toDouble();
    if (o.contains("warmup_steps")) s.warmupSteps = o["warmup_steps"].toDouble();
  } else if (type == "one_cycle") {
    s = oneCycle(o["iterations"].toInteger(), o["max_rate"].toDouble());
    s.startDivisor = s.maxRate / o["start_rate"].toDouble();
    s.lastRate = o["last_rate"].toDouble();
  } else {
    return std::nullopt;
  }
  return s;
}

}  // namespace

class TestSchedules : public QObject {
  Q_OBJECT
 private slots:
  void table_data() {
    QTest::addColumn<SchedulePtr>("schedule");
    QTest::addColumn<qint64>("step");
    QTest::addColumn<double>("expected");
    auto row = [](const char* name, SchedulePtr s, qint64 step, double expected) {
      QTest::newRow(name) << s << step << expected;
    };
    SchedulePtr constant = std::make_shared<ConstantSchedule>(0.05);
    row("constant 0", constant, 0, 0.05);
    row("constant 10^6", constant, 1000000, 0.05);

    // The lecture's piecewise example: 0.1 / 0.01 / 0.001 with boundaries 5 and 10.
    SchedulePtr piecewise = std::make_shared<PiecewiseConstantSchedule>(
        std::vector<double>{5, 10}, std::vector<double>{0.1, 0.01, 0.001});
    row("piecewise 0", piecewise, 0, 0.1);
    row("piecewise 4", piecewise, 4, 0.1);
    row("piecewise on boundary 5", piecewise, 5, 0.1);  // Keras: step <= boundary
    row("piecewise 6", piecewise, 6, 0.01);
    row("piecewise on boundary 10", piecewise, 10, 0.01);
    row("piecewise 11", piecewise, 11, 0.001);
    row("piecewise far", piecewise, 100000, 0.001);

    SchedulePtr power1 = std::make_shared<PowerSchedule>(0.1, 10, 1.0);
    row("power c=1 t=0", power1, 0, 0.1);
    row("power c=1 t=10", power1, 10, 0.05);
    row("power c=1 t=30", power1, 30, 0.025);
    SchedulePtr power2 = std::make_shared<PowerSchedule>(0.1, 10, 2.0);
    row("power c=2 t=10", power2, 10, 0.025);
    row("power c=2 t=5", power2, 5, 0.1 / 2.25);

    SchedulePtr exponential = std::make_shared<ExponentialSchedule>(0.1, 10);
    row("exponential t=0", exponential, 0, 0.1);
    row("exponential t=5", exponential, 5, 0.1 / std::sqrt(10.0));
    row("exponential t=10", exponential, 10, 0.01);
    row("exponential t=20", exponential, 20, 0.001);

    SchedulePtr expDecay = std::make_shared<ExponentialDecaySchedule>(0.1, 10, 0.5, false);
    row("exp decay t=10", expDecay, 10, 0.05);
    row("exp decay t=15", expDecay, 15, 0.1 * std::pow(0.5, 1.5));
    SchedulePtr expStairs = std::make_shared<ExponentialDecaySchedule>(0.1, 10, 0.5, true);
    row("exp staircase t=9", expStairs, 9, 0.1);
    row("exp staircase t=10", expStairs, 10, 0.05);
    row("exp staircase t=19", expStairs, 19, 0.05);
    row("exp staircase t=20", expStairs, 20, 0.025);

    SchedulePtr inverse = std::make_shared<InverseTimeDecaySchedule>(0.1, 10, 0.5, false);
    row("inverse t=10", inverse, 10, 0.1 / 1.5);
    row("inverse t=15", inverse, 15, 0.1 / 1.75);
    SchedulePtr inverseStairs = std::make_shared<InverseTimeDecaySchedule>(0.1, 10, 0.5, true);
    row("inverse staircase t=19", inverseStairs, 19, 0.1 / 1.5);
    row("inverse staircase t=20", inverseStairs, 20, 0.1 / 2.0);

    SchedulePtr cosine = std::make_shared<CosineDecaySchedule>(0.1, 100);
    row("cosine t=0", cosine, 0, 0.1);
    row("cosine t=25", cosine, 25, 0.05 * (1 + std::cos(std::numbers::pi / 4)));
    row("cosine t=50", cosine, 50, 0.05);
    row("cosine t=100", cosine, 100, 0.0);
    row("cosine t=1000", cosine, 1000, 0.0);
    SchedulePtr cosineAlpha = std::make_shared<CosineDecaySchedule>(0.1, 100, 0.1);
    row("cosine alpha t=50", cosineAlpha, 50, 0.1 * (0.9 * 0.5 + 0.1));
    row("cosine alpha t=100", cosineAlpha, 100, 0.01);
    row("cosine alpha t=500", cosineAlpha, 500, 0.01);
    SchedulePtr warm = std::make_shared<CosineDecaySchedule>(0.0, 100, 0.0, 0.1, 10);
    row("warm-up t=0", warm, 0, 0.0);
    row("warm-up t=5", warm, 5, 0.05);
    row("warm-up ends t=10", warm, 10, 0.1);
    row("warm-up then cosine t=60", warm, 60, 0.05);
    row("warm-up then cosine t=110", warm, 110, 0.0);
    // Without a warm-up target Keras ignores warmup_steps.
    SchedulePtr noTarget = std::make_shared<CosineDecaySchedule>(0.1, 100, 0.0, std::nullopt, 10);
    row("no target t=50", noTarget, 50, 0.05);
  }
  void table() {
    QFETCH(SchedulePtr, schedule);
    QFETCH(qint64, step);
    QFETCH(double, expected);
    const double actual = schedule->learningRate(step);
    QVERIFY2(std::abs(actual - expected) <= 1e-15 + 1e-13 * std::abs(expected),
             qPrintable(QStringLiteral("got %1, expected %2")
                            .arg(actual, 0, 'g', 17)
                            .arg(expected, 0, 'g', 17)));
  }

  void lectureFormsEqualKerasForms() {
    // Power with c = 1 is InverseTimeDecay(eta0, s, 1); the lecture's exponential is
    // ExponentialDecay(eta0, s, 0.1).
    PowerSchedule power(0.3, 7, 1.0);
    InverseTimeDecaySchedule inverse(0.3, 7, 1.0, false);
    ExponentialSchedule exponential(0.3, 7);
    ExponentialDecaySchedule decay(0.3, 7, 0.1, false);
    for (std::int64_t t : {0, 1, 6, 7, 8, 50, 1000}) {
      QVERIFY(relativelyClose(power.learningRate(t), inverse.learningRate(t), 1e-15));
      QVERIFY(relativelyClose(exponential.learningRate(t), decay.learningRate(t), 1e-15));
    }
  }

  void kerasReferenceCases() {
    const QJsonArray cases = referenceCases();
    QVERIFY(!cases.isEmpty());
    int checked = 0;
    for (const auto& item : cases) {
      const QJsonObject c = item.toObject();
      if (c["kind"].toString() != "lr_schedule") continue;
      const QString id = c["id"].toString();
      const auto settings = fromReference(c["schedule"].toObject());
      QVERIFY2(settings.has_value(), qPrintable("unknown schedule type in " + id));
      const auto schedule = makeSchedule(*settings, 0.0);
      const QJsonArray steps = c["expected"].toObject()["steps"].toArray();
      const QJsonArray rates = c["expected"].toObject()["learning_rates"].toArray();
      QCOMPARE(steps.size(), rates.size());
      QVERIFY(!steps.isEmpty());
      for (int i = 0; i < steps.size(); ++i) {
        const double expected = rates[i].toDouble();
        const double actual = schedule->learningRate(steps[i].toInteger());
        QVERIFY2(relativelyClose(actual, expected, 1e-12),
                 qPrintable(QStringLiteral("%1 step %2: got %3, expected %4")
                                .arg(id)
                                .arg(steps[i].toInteger())
                                .arg(actual, 0, 'g', 17)
                                .arg(expected, 0, 'g', 17)));
      }
      // The 1cycle case also lists its phase boundaries.
      const QJsonObject derived = c["schedule"].toObject()["derived"].toObject();
      if (derived.contains("half_iteration")) {
        const auto& one = dynamic_cast<const OneCycleSchedule&>(*schedule);
        QCOMPARE(one.halfIteration(), derived["half_iteration"].toInteger());
        const QJsonArray last = derived["phase3_steps"].toArray();
        QCOMPARE(one.lastPhaseSteps(), last[1].toInteger() - last[0].toInteger());
      }
      ++checked;
    }
    QCOMPARE(checked, 2);  // every lr_schedule case of the shared vectors
  }

  void oneCycleLinearPhases() {
    // 100 steps, max 0.05: start 0.005, last 0.05 / 1000; last_iterations = 11, half = 44.
    const OneCycleSchedule s(oneCycle(100, 0.05));
    QCOMPARE(s.halfIteration(), std::int64_t(44));
    QCOMPARE(s.lastPhaseSteps(), std::int64_t(12));  // 100 - 88, not 11: integer division
    QCOMPARE(s.startRate(), 0.005);
    QVERIFY(relativelyClose(s.finalRate(), 0.05 / 1000, 1e-15));
    QCOMPARE(s.learningRate(0), 0.005);
    QVERIFY(relativelyClose(s.learningRate(22), 0.0275, 1e-14));  // half-way up
    QCOMPARE(s.learningRate(44), 0.05);                           // the peak
    QVERIFY(relativelyClose(s.learningRate(66), 0.0275, 1e-14));  // half-way down
    QVERIFY(relativelyClose(s.learningRate(88), 0.005, 1e-14));   // back at the start rate
    QVERIFY(relativelyClose(s.learningRate(94), (0.005 + 0.00005) / 2, 1e-14));
    QVERIFY(relativelyClose(s.learningRate(100), 0.00005, 1e-14));  // the end
    QCOMPARE(s.learningRate(101), s.finalRate());                   // and after it
    QCOMPARE(s.learningRate(100000), s.finalRate());
    // Monotone within each phase, the peak is the maximum.
    for (std::int64_t t = 1; t <= 100; ++t) {
      const double now = s.learningRate(t), before = s.learningRate(t - 1);
      if (t <= 44) QVERIFY(now > before);
      if (t > 44) QVERIFY(now < before);
      QVERIFY(now <= 0.05);
    }
    QVERIFY(!s.momentum(10).has_value());
  }

  void oneCycleLinearMomentum() {
    ScheduleSettings settings = oneCycle(100, 0.05);
    settings.cycleMomentum = true;
    const OneCycleSchedule s(settings);
    QCOMPARE(*s.momentum(0), 0.95);
    QVERIFY(relativelyClose(*s.momentum(22), 0.90, 1e-14));
    QVERIFY(relativelyClose(*s.momentum(44), 0.85, 1e-14));  // lowest at the rate's peak
    QVERIFY(relativelyClose(*s.momentum(66), 0.90, 1e-14));
    QVERIFY(relativelyClose(*s.momentum(88), 0.95, 1e-14));
    QCOMPARE(*s.momentum(95), 0.95);
    QCOMPARE(*s.momentum(1000), 0.95);
  }

  void oneCycleLinearParameters() {
    ScheduleSettings settings = oneCycle(100, 0.1);
    settings.pctStart = 0.3;  // 30 steps up, 30 down, 40 in the last phase
    settings.startDivisor = 20;
    settings.lastRate = 1e-4;
    const OneCycleSchedule s(settings);
    QCOMPARE(s.halfIteration(), std::int64_t(30));
    QCOMPARE(s.lastPhaseSteps(), std::int64_t(40));
    QCOMPARE(s.learningRate(0), 0.005);
    QCOMPARE(s.learningRate(30), 0.1);
    QVERIFY(relativelyClose(s.learningRate(60), 0.005, 1e-14));
    QVERIFY(relativelyClose(s.learningRate(100), 1e-4, 1e-13));
    // Geron's own default for the last rate is start / 1000 = max / 10000.
    ScheduleSettings geron = oneCycle(100, 0.05);
    geron.lastRate = 0.005 / 1000;
    QVERIFY(relativelyClose(OneCycleSchedule(geron).learningRate(100), 5e-6, 1e-13));
  }

  void oneCycleCosine() {
    // PyTorch OneCycleLR(max_lr=0.1, total_steps=100, pct_start=0.25, div_factor=25,
    // final_div_factor=1e4): peak at step 24, the end at step 99.
    ScheduleSettings settings = oneCycle(100, 0.1);
    settings.shape = OneCycleShape::Cosine;
    settings.startDivisor = 25;
    settings.cycleMomentum = true;
    const OneCycleSchedule s(settings);
    QCOMPARE(s.peakStep(), 24.0);
    QVERIFY(relativelyClose(s.startRate(), 0.004, 1e-15));
    QVERIFY(relativelyClose(s.finalRate(), 4e-7, 1e-14));
    QVERIFY(relativelyClose(s.learningRate(0), 0.004, 1e-15));
    QVERIFY(relativelyClose(s.learningRate(12), (0.004 + 0.1) / 2, 1e-14));
    QVERIFY(relativelyClose(s.learningRate(24), 0.1, 1e-15));
    const double p = 26.0 / 75.0;  // step 50 of the fall [24, 99]
    QVERIFY(relativelyClose(s.learningRate(50),
                            4e-7 + (0.1 - 4e-7) / 2 * (std::cos(std::numbers::pi * p) + 1), 1e-14));
    QVERIFY(relativelyClose(s.learningRate(99), 4e-7, 1e-12));
    QVERIFY(relativelyClose(s.learningRate(500), 4e-7, 1e-12));
    QVERIFY(relativelyClose(*s.momentum(0), 0.95, 1e-15));
    QVERIFY(relativelyClose(*s.momentum(12), 0.90, 1e-14));
    QVERIFY(relativelyClose(*s.momentum(24), 0.85, 1e-15));
    QVERIFY(relativelyClose(*s.momentum(99), 0.95, 1e-15));
    // Default pct_start of the variant is 0.25; a custom one moves the peak.
    settings.pctStart = 0.3;
    QCOMPARE(OneCycleSchedule(settings).peakStep(), 29.0);
  }

  void oneCycleTinyPlans() {
    for (std::int64_t total : {1, 2, 3, 5, 11}) {
      for (auto shape : {OneCycleShape::Linear, OneCycleShape::Cosine}) {
        ScheduleSettings settings = oneCycle(total, 0.1);
        settings.shape = shape;
        settings.cycleMomentum = true;
        const OneCycleSchedule s(settings);
        for (std::int64_t t = 0; t <= total + 1; ++t) {
          QVERIFY(std::isfinite(s.learningRate(t)));
          QVERIFY(s.learningRate(t) >= 0 && s.learningRate(t) <= 0.1 * (1 + 1e-15));
          QVERIFY(std::isfinite(*s.momentum(t)));
        }
      }
    }
  }

  void factoryBuildsEveryKind() {
    for (auto kind :
         {ScheduleKind::Constant, ScheduleKind::PiecewiseConstant, ScheduleKind::Power,
          ScheduleKind::Exponential, ScheduleKind::ExponentialDecay, ScheduleKind::InverseTimeDecay,
          ScheduleKind::CosineDecay, ScheduleKind::OneCycle}) {
      QVERIFY(scheduleKindFromString(toString(kind)) == std::optional<ScheduleKind>(kind));
      ScheduleSettings settings;
      settings.kind = kind;
      // 1cycle's default length (0) spans the run's planned steps, which only a trainer
      // knows: on its own a schedule needs a length.
      if (kind == ScheduleKind::OneCycle) settings.totalSteps = 1000;
      const auto schedule = makeSchedule(settings, 0.02);
      QVERIFY(schedule->kind() == kind);
      const auto copy = schedule->clone();
      QVERIFY(copy->kind() == kind);
      for (std::int64_t t : {0, 3, 17, 999, 5000}) {
        QCOMPARE(copy->learningRate(t), schedule->learningRate(t));
        QVERIFY(std::isfinite(schedule->learningRate(t)));
      }
      validate(settings);
    }
    QCOMPARE(makeSchedule(ScheduleSettings{}, 0.02)->learningRate(123), 0.02);
    QVERIFY(!scheduleKindFromString("cyclic").has_value());
    for (auto shape : {OneCycleShape::Linear, OneCycleShape::Cosine}) {
      QVERIFY(oneCycleShapeFromString(toString(shape)) == std::optional<OneCycleShape>(shape));
    }
    // The settings' warmupTarget of 0 means Keras's None: no warm-up.
    ScheduleSettings cosine;
    cosine.kind = ScheduleKind::CosineDecay;
    cosine.initialLearningRate = 0.1;
    cosine.decaySteps = 100;
    cosine.warmupSteps = 10;
    QCOMPARE(makeSchedule(cosine, 0)->learningRate(0), 0.1);
    cosine.warmupTarget = 0.2;
    QCOMPARE(makeSchedule(cosine, 0)->learningRate(0), 0.1);
    QVERIFY(relativelyClose(makeSchedule(cosine, 0)->learningRate(5), 0.15, 1e-15));
  }

  void previewIsTheScheduleItself() {
    const OneCycleSchedule s(oneCycle(100, 0.05));
    const auto all = previewLearningRates(s, 101);
    QCOMPARE(all.size(), std::size_t(101));
    for (std::int64_t t = 0; t <= 100; ++t) QCOMPARE(all[t], s.learningRate(t));
    const auto tail = previewLearningRates(s, 5, 40);
    for (std::int64_t i = 0; i < 5; ++i) QCOMPARE(tail[i], s.learningRate(40 + i));
    QVERIFY(previewLearningRates(s, 0).empty());
  }

  void validationNamesTheField_data() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("change");
    auto row = [](const char* name, ScheduleKind kind, const char* field, const char* change) {
      QTest::newRow(name) << static_cast<int>(kind) << field << change;
    };
    row("piecewise sizes", ScheduleKind::PiecewiseConstant, "schedule.values", "sizes");
    row("piecewise order", ScheduleKind::PiecewiseConstant, "schedule.boundaries", "order");
    row("piecewise fraction", ScheduleKind::PiecewiseConstant, "schedule.boundaries", "fraction");
    row("power steps", ScheduleKind::Power, "schedule.decay_steps", "steps");
    row("exponential rate", ScheduleKind::Exponential, "schedule.initial_learning_rate", "rate");
    row("decay steps", ScheduleKind::ExponentialDecay, "schedule.decay_steps", "steps");
    row("decay rate", ScheduleKind::ExponentialDecay, "schedule.decay_rate", "decay");
    row("inverse steps", ScheduleKind::InverseTimeDecay, "schedule.decay_steps", "steps");
    row("cosine alpha", ScheduleKind::CosineDecay, "schedule.alpha", "alpha");
    row("1cycle total", ScheduleKind::OneCycle, "schedule.total_steps", "total");
    row("1cycle pct", ScheduleKind::OneCycle, "schedule.pct_start", "pct");
    row("1cycle momentum", ScheduleKind::OneCycle, "schedule.min_momentum", "momentum");
    row("1cycle max", ScheduleKind::OneCycle, "schedule.max_rate", "max");
  }
  void validationNamesTheField() {
    QFETCH(int, kind);
    QFETCH(QString, field);
    QFETCH(QString, change);
    ScheduleSettings s;
    s.kind = static_cast<ScheduleKind>(kind);
    // On its own (without a trainer to span) 1cycle needs a length; the rows break one field.
    if (s.kind == ScheduleKind::OneCycle) s.totalSteps = 1000;
    if (change == "sizes") s.values = {0.1, 0.01};
    if (change == "order") s.boundaries = {10, 5};
    if (change == "fraction") s.boundaries = {2.5, 5};
    if (change == "steps") s.decaySteps = 0;
    if (change == "rate") s.initialLearningRate = -1;
    if (change == "decay") s.decayRate = -0.5;
    if (change == "alpha") s.alpha = 1.5;
    if (change == "total") s.totalSteps = 0;
    if (change == "pct") s.pctStart = 0.5;
    if (change == "momentum") s.minMomentum = 0.99;
    if (change == "max") s.maxRate = 0;
    try {
      validate(s);
      QFAIL("no exception");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), field);
    }
  }
};

QTEST_GUILESS_MAIN(TestSchedules)
#include "tst_schedules.moc"
