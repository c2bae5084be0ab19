// The Landscapes view's state as JSON: a full round trip of a state that differs from the
// defaults in every field, through text too; missing fields keep their defaults; every kind
// of bad input is refused with an error naming the field.
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include "app/landscapes/landscape_state_json.h"
#include "core/model/types.h"

using namespace gradscope;
using app::LandscapeState;

namespace {

LandscapeState unusualState() {
  LandscapeState s;
  core::RaceSettings& r = s.race;
  r.landscape = {core::LandscapeKind::QuadraticBowl, 37.5, -22.5};
  r.start = core::Point2(1.25, -0.75);
  r.optimizers = {core::OptimizerKind::Nadam, core::OptimizerKind::Sgd,
                  core::OptimizerKind::Adagrad};
  for (int i = 0; i < core::kOptimizerKindCount; ++i) {
    r.learningRates[std::size_t(i)] = 0.001 * (i + 1) + 1e-9;
  }
  r.momentum = 0.75;
  r.rho = 0.8;
  r.beta1 = 0.85;
  r.beta2 = 0.99;
  r.epsilon = 3e-8;
  r.clip = {core::ClipMode::GlobalNorm, 2.5};
  r.schedule.kind = core::ScheduleKind::OneCycle;
  r.schedule.totalSteps = 250;
  r.schedule.cycleMomentum = true;
  r.schedule.shape = core::OneCycleShape::Cosine;
  r.schedule.decaySteps = 123;
  r.schedule.decayRate = 0.5;
  r.schedule.boundaries = {3, 7};
  r.schedule.values = {1, 0.5, 0.25};
  r.steps = 750;
  s.cursor = 321;
  s.speed = 42.0;
  return s;
}

}  // namespace

class TestLandscapeStateJson : public QObject {
  Q_OBJECT

 private slots:
  void roundTrip();
  void roundTripThroughText();
  void missingFieldsKeepDefaults();
  void badInputNamesTheField_data();
  void badInputNamesTheField();
};

void TestLandscapeStateJson::roundTrip() {
  const LandscapeState state = unusualState();
  QVERIFY(!(state == LandscapeState()));
  const LandscapeState back = app::landscapeStateFromJson(app::landscapeStateToJson(state));
  QVERIFY(back == state);
  QVERIFY(back.race.schedule == state.race.schedule);
  QCOMPARE(back.race.learningRate(core::OptimizerKind::Nadam), 0.008 + 1e-9);
  QVERIFY(back.race.optimizers == state.race.optimizers);  // order kept
}

void TestLandscapeStateJson::roundTripThroughText() {
  const LandscapeState state = unusualState();
  const QByteArray text = QJsonDocument(app::landscapeStateToJson(state)).toJson();
  const QJsonObject parsed = QJsonDocument::fromJson(text).object();
  QVERIFY(app::landscapeStateFromJson(parsed) == state);
  QCOMPARE(parsed.value("function").toObject().value("type").toString(),
           QStringLiteral("quadratic_bowl"));
  QCOMPARE(parsed.value("optimizers").toArray().first().toString(), QStringLiteral("nadam"));
  QCOMPARE(parsed.value("schedule").toObject().value("type").toString(),
           QStringLiteral("one_cycle"));
}

void TestLandscapeStateJson::missingFieldsKeepDefaults() {
  QVERIFY(app::landscapeStateFromJson(QJsonObject()) == LandscapeState());
  const LandscapeState s = app::landscapeStateFromJson(
      QJsonObject{{"function", QJsonObject{{"type", "beale"}}}, {"steps", 40}});
  QVERIFY(s.race.landscape.kind == core::LandscapeKind::Beale);
  QCOMPARE(s.race.steps, 40);
  QCOMPARE(s.race.momentum, LandscapeState().race.momentum);
}

void TestLandscapeStateJson::badInputNamesTheField_data() {
  QTest::addColumn<QJsonObject>("json");
  QTest::addColumn<QString>("field");
  QTest::newRow("version") << QJsonObject{{"version", 2}} << "landscape.version";
  QTest::newRow("function type") << QJsonObject{{"function", QJsonObject{{"type", "himmelblau"}}}}
                                 << "landscape.function.type";
  QTest::newRow("condition") << QJsonObject{{"function", QJsonObject{{"condition_number", 0.5}}}}
                             << "landscape.function.condition_number";
  QTest::newRow("function not object")
      << QJsonObject{{"function", "rosenbrock"}} << "landscape.function";
  QTest::newRow("start length") << QJsonObject{{"start", QJsonArray{1.0}}} << "landscape.start";
  QTest::newRow("start text") << QJsonObject{{"start", QJsonArray{"1", 2}}} << "landscape.start";
  QTest::newRow("optimizer name") << QJsonObject{{"optimizers", QJsonArray{"sgd", "adamweight"}}}
                                  << "landscape.optimizers[1]";
  QTest::newRow("optimizer twice")
      << QJsonObject{{"optimizers", QJsonArray{"adam", "adam"}}} << "landscape.optimizers[1]";
  QTest::newRow("rate zero") << QJsonObject{{"learning_rates", QJsonObject{{"adam", 0.0}}}}
                             << "landscape.learning_rates.adam";
  QTest::newRow("rate text") << QJsonObject{{"learning_rates", QJsonObject{{"sgd", "fast"}}}}
                             << "landscape.learning_rates.sgd";
  QTest::newRow("rate unknown") << QJsonObject{{"learning_rates", QJsonObject{{"adamweight", 0.1}}}}
                                << "landscape.learning_rates.adamweight";
  QTest::newRow("beta_2") << QJsonObject{{"beta_2", 1.0}} << "landscape.beta_2";
  QTest::newRow("epsilon") << QJsonObject{{"epsilon", 0.0}} << "landscape.epsilon";
  QTest::newRow("momentum") << QJsonObject{{"momentum", -0.1}} << "landscape.momentum";
  QTest::newRow("clip mode") << QJsonObject{{"clip", QJsonObject{{"mode", "clamp"}}}}
                             << "landscape.clip.mode";
  QTest::newRow("clip threshold") << QJsonObject{{"clip", QJsonObject{{"mode", "clipnorm"},
                                                                      {"threshold", -1}}}}
                                  << "landscape.clip.threshold";
  QTest::newRow("schedule type") << QJsonObject{{"schedule", QJsonObject{{"type", "warp"}}}}
                                 << "landscape.schedule.type";
  QTest::newRow("schedule range")
      << QJsonObject{{"schedule", QJsonObject{{"type", "exponential_decay"}, {"decay_steps", 0}}}}
      << "landscape.schedule.decay_steps";
  QTest::newRow("schedule values")
      << QJsonObject{{"schedule", QJsonObject{{"values", QJsonArray{1, "x"}}}}}
      << "landscape.schedule.values[1]";
  QTest::newRow("steps") << QJsonObject{{"steps", 2.5}} << "landscape.steps";
  QTest::newRow("cursor past steps")
      << QJsonObject{{"steps", 10}, {"cursor", 11}} << "landscape.cursor";
  QTest::newRow("speed") << QJsonObject{{"speed", 0}} << "landscape.speed";
  QTest::newRow("unknown field") << QJsonObject{{"colour", "red"}} << "landscape.colour";
}

void TestLandscapeStateJson::badInputNamesTheField() {
  QFETCH(QJsonObject, json);
  QFETCH(QString, field);
  try {
    app::landscapeStateFromJson(json);
    QFAIL("accepted");
  } catch (const core::Error& e) {
    QCOMPARE(QString::fromStdString(e.field()), field);
    QVERIFY(!e.reason().empty());
  }
}

QTEST_GUILESS_MAIN(TestLandscapeStateJson)
#include "tst_landscape_state_json.moc"
