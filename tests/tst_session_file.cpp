// Sessions on disk: save -> open -> save is byte-identical; training 200 steps in one go and
// training 100, saving, opening in a new worker and training 100 more give bit-identical
// losses, learning rates and weights, for every optimiser and schedule; a version-1 file loads
// through the migration; the hand-written example of the README loads and its first Adam step
// is what the exercise says; a save interrupted midway keeps the previous file; and every
// validation rule refuses its corrupted file with the field named, leaving the running
// experiment as it was.
#include <QtTest>

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtEndian>

#include <cerrno>
#include <cstring>
#include <random>

#include "app/landscapes/landscape_state_json.h"
#include "app/runs/lockstep.h"
#include "app/scenarios/default_experiment.h"
#include "app/sessions/json_fields.h"
#include "app/sessions/run_state_json.h"
#include "app/sessions/session_file.h"
#include "app/sessions/session_json.h"
#include "app/sessions/session_runs.h"
#include "app/sessions/session_size.h"
#include "app/worker/session_runner.h"

using namespace gradscope;
using namespace gradscope::app;

Q_DECLARE_METATYPE(core::OptimizerKind)
Q_DECLARE_METATYPE(core::ScheduleKind)

namespace {

const QString kSourceDir = QStringLiteral(GRADSCOPE_TEST_DATA "/../..");

core::ExperimentConfig smallConfig(core::OptimizerKind optimizer = core::OptimizerKind::Adam,
                                   core::ScheduleKind schedule = core::ScheduleKind::Constant) {
  core::ExperimentConfig c = defaultExperiment();
  c.data.kind = core::DatasetKind::Moons;
  c.data.samples = 100;
  c.model.hiddenLayers = 2;
  c.model.width = 6;
  c.model.batchNorm = core::BatchNormPlacement::BeforeActivation;
  c.model.dropoutRate = 0.1;
  c.optimizer = core::OptimizerSettings::defaultsFor(optimizer);
  c.optimizer.learningRate = 0.02;
  c.schedule.kind = schedule;
  c.schedule.initialLearningRate = 0.02;
  c.schedule.decaySteps = 40;
  c.schedule.boundaries = {60, 130};
  c.schedule.values = {0.02, 0.01, 0.005};
  c.schedule.totalSteps = 0;
  c.schedule.maxRate = 0.05;
  c.schedule.warmupSteps = 10;
  c.schedule.warmupTarget = 0.05;
  c.training.batchSize = 16;  // 80 training samples: 5 steps per epoch
  c.training.epochs = 60;
  c.training.clip = {core::ClipMode::GlobalNorm, 1.0};
  core::EarlyStoppingSettings early;
  early.patience = 50;  // keeps its best weights without stopping the 200 steps
  early.restoreBestWeights = true;
  c.training.earlyStopping = early;
  core::PlateauSettings plateau;
  plateau.patience = 3;
  plateau.factor = 0.5;
  c.training.plateau = plateau;
  return c;
}

// The whole loader: the file's text, then every run built and its state restored.
void load(const QByteArray& bytes, const QString& directory = QString()) {
  const Session session = parseSession(bytes);
  buildRuns(session, directory);
}

bool sameBits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

QJsonObject objectOf(const QByteArray& bytes) { return QJsonDocument::fromJson(bytes).object(); }

QByteArray bytesOf(const QJsonObject& json) { return QJsonDocument(json).toJson(); }

// Sets json[path...] = value, creating objects on the way (array indices as numbers).
QJsonValue setPath(QJsonValue node, const QStringList& path, const QJsonValue& value) {
  if (path.isEmpty()) return value;
  bool isIndex = false;
  const int index = path.first().toInt(&isIndex);
  if (isIndex) {
    QJsonArray array = node.toArray();
    array[index] = setPath(array[index], path.mid(1), value);
    return array;
  }
  QJsonObject object = node.toObject();
  object[path.first()] = setPath(object.value(path.first()), path.mid(1), value);
  return object;
}

QJsonValue removePath(QJsonValue node, const QStringList& path) {
  bool isIndex = false;
  const int index = path.first().toInt(&isIndex);
  if (path.size() == 1) {
    QJsonObject object = node.toObject();
    object.remove(path.first());
    return object;
  }
  if (isIndex) {
    QJsonArray array = node.toArray();
    array[index] = removePath(array[index], path.mid(1));
    return array;
  }
  QJsonObject object = node.toObject();
  object[path.first()] = removePath(object.value(path.first()), path.mid(1));
  return object;
}

QString base64Floats(std::vector<float> values) {
  return QString::fromLatin1(
      QByteArray(reinterpret_cast<const char*>(values.data()), qsizetype(values.size() * 4))
          .toBase64());
}

}  // namespace

class TestSessionFile : public QObject {
  Q_OBJECT

  QByteArray m_valid;  // a trained session, as written

 private slots:
  void initTestCase() {
    SessionRunner runner(smallConfig());
    runner.train(120);
    Session session = runner.capture();
    session.name = QStringLiteral("moons");
    session.note = QStringLiteral("a note\nwith two lines");
    m_valid = sessionBytes(session);
  }

  void roundTripIsByteIdentical() {
    SessionRunner runner;
    QString error;
    QVERIFY2(runner.open(std::make_shared<Session>(parseSession(m_valid)), {}, &error),
             qPrintable(error));
    QCOMPARE(runner.currentStep(), std::int64_t(120));
    QCOMPARE(runner.history().stepCount(0), std::int64_t(120));
    const QByteArray again = sessionBytes(runner.capture());
    QCOMPARE(again.size(), m_valid.size());
    QVERIFY(again == m_valid);
    qInfo("session of 120 steps: %lld bytes, identical after save -> open -> save",
          qint64(again.size()));
  }

  void resumesExactly_data() {
    QTest::addColumn<core::OptimizerKind>("optimizer");
    QTest::addColumn<core::ScheduleKind>("schedule");
    QTest::addColumn<bool>("float64");
    for (auto o : core::allOptimizerKinds()) {  // every registered optimiser
      for (auto k : {core::ScheduleKind::Constant, core::ScheduleKind::PiecewiseConstant,
                     core::ScheduleKind::Power, core::ScheduleKind::Exponential,
                     core::ScheduleKind::ExponentialDecay, core::ScheduleKind::InverseTimeDecay,
                     core::ScheduleKind::CosineDecay, core::ScheduleKind::OneCycle}) {
        // Every pair in float32; float64 with each optimiser once and each schedule once.
        const QByteArray name =
            QByteArray(core::toString(o).data()) + "/" + core::toString(k).data();
        QTest::newRow(name + "/float32") << o << k << false;
        if (int(o) == int(k)) QTest::newRow(name + "/float64") << o << k << true;
      }
    }
  }
  void resumesExactly() {
    QFETCH(core::OptimizerKind, optimizer);
    QFETCH(core::ScheduleKind, schedule);
    QFETCH(bool, float64);
    core::ExperimentConfig config = smallConfig(optimizer, schedule);
    if (float64) config.precision = core::Precision::Float64;

    SessionRunner straight(config);
    QVERIFY(straight.train(200) == RunState::Paused);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("half.gradscope"));
    {
      SessionRunner first(config);
      first.train(100);
      QString error;
      QVERIFY2(saveSessionFile(path, first.capture(), &error), qPrintable(error));
    }  // quit
    QString error;
    const auto opened = loadSessionFile(path, &error);
    QVERIFY2(opened, qPrintable(error));
    SessionRunner second;
    QVERIFY2(second.open(std::make_shared<Session>(*opened), dir.path(), &error),
             qPrintable(error));
    QVERIFY(second.train(100) == RunState::Paused);
    QCOMPARE(second.currentStep(), std::int64_t(200));

    for (StepMetric m : {StepMetric::Loss, StepMetric::LearningRate}) {
      const auto a = straight.history().rawStepSeries(0, m, 0, 199);
      const auto b = second.history().rawStepSeries(0, m, 0, 199);
      QCOMPARE(b.size(), std::size_t(200));
      QVERIFY2(sameBits(a, b), metricName(m));
    }
    const Session x = straight.capture(), y = second.capture();
    QVERIFY(x.runs[0].state == y.runs[0].state);  // weights, optimiser, RNG, counters
    QVERIFY(x.runs[0].state.value(QStringLiteral("parameters")) ==
            y.runs[0].state.value(QStringLiteral("parameters")));
  }

  void versionOneMigrates() {
    QJsonObject v2 = objectOf(m_valid);
    const QJsonObject run = v2.value(QStringLiteral("runs")).toArray().first().toObject();
    QJsonObject v1;
    v1.insert(QStringLiteral("format"), QStringLiteral("gradscope-session"));
    v1.insert(QStringLiteral("version"), 1);
    for (const QString& key : run.keys()) v1.insert(key, run.value(key));
    const Session migrated = parseSession(bytesOf(v1));
    QCOMPARE(migrated.runs.size(), std::size_t(1));
    QVERIFY(migrated.runs[0].state == parseSession(m_valid).runs[0].state);
    QVERIFY(migrated.runs[0].config == parseSession(m_valid).runs[0].config);
  }

  // The README's hand-written session is this file, verbatim; it loads, and the first Adam
  // step moves every weight with a non-zero gradient by almost exactly the learning rate
  // (m_hat / (sqrt(v_hat) + epsilon) = g / (|g| + epsilon) on the first step).
  void handWrittenExampleLoads() {
    QFile example(kSourceDir + QStringLiteral("/docs/examples/first-adam-step.gradscope"));
    QVERIFY(example.open(QIODevice::ReadOnly));
    const QByteArray text = example.readAll();
    QFile readme(kSourceDir + QStringLiteral("/README.md"));
    QVERIFY(readme.open(QIODevice::ReadOnly));
    QVERIFY2(readme.readAll().contains(text.trimmed()), "README.md shows the example verbatim");

    SessionRunner runner;
    QString error;
    QVERIFY2(runner.open(std::make_shared<Session>(parseSession(text)), {}, &error),
             qPrintable(error));
    const auto before =
        readNumbers(runner.capture().runs[0].state.value(QStringLiteral("parameters")), "p");
    QCOMPARE(before.size(), std::size_t(26));
    QCOMPARE(before[1], double(-0.3f));  // as written (float32 run)
    runner.train(1);
    const auto after =
        readNumbers(runner.capture().runs[0].state.value(QStringLiteral("parameters")), "p");
    int moved = 0;
    for (std::size_t i = 0; i < after.size(); ++i) {
      const double step = std::abs(after[i] - before[i]);
      if (step == 0.0) continue;  // a dead ReLU unit's weights have no gradient
      ++moved;
      // lr * |g| / (|g| + epsilon): at most the rate, and close to it unless |g| ~ epsilon.
      QVERIFY2(step > 0.009 && step <= 0.01 * (1 + 1e-6), qPrintable(QString::number(step)));
    }
    QVERIFY(moved >= 20);
    QVERIFY(std::isfinite(runner.history().rawStepSeries(0, StepMetric::Loss, 0, 0)[0]));
  }

  // Arrays are written compressed when that is smaller; the plain forms of version 2 files
  // still read, to the same values, and a compressed array decodes bit for bit.
  void compressedArraysAndVersionTwoFiles() {
    QFile old(kSourceDir + QStringLiteral("/tests/fuzz/session_corpus/trained-sgd.gradscope"));
    QVERIFY(old.open(QIODevice::ReadOnly));
    const QByteArray oldBytes = old.readAll();
    QVERIFY(oldBytes.contains("\"f32\"") && !oldBytes.contains("\"f32z\""));
    const Session read = parseSession(oldBytes);
    buildRuns(read, kSourceDir + QStringLiteral("/tests/fuzz/session_corpus"));
    const QByteArray written = sessionBytes(read);
    QVERIFY(written.contains("\"f32z\""));
    QVERIFY(written.contains("\"version\": 3"));
    QVERIFY2(written.size() < oldBytes.size(),
             qPrintable(QStringLiteral("%1 -> %2 bytes").arg(oldBytes.size()).arg(written.size())));
    qInfo("version 2 file of %lld bytes written as version 3: %lld bytes",
          static_cast<long long>(oldBytes.size()), static_cast<long long>(written.size()));
    const Session again = parseSession(written);
    for (const char* key : {"parameters", "order"}) {
      const auto a = readNumbers(read.runs[0].state.value(QLatin1String(key)), key);
      const auto b = readNumbers(again.runs[0].state.value(QLatin1String(key)), key);
      QVERIFY(!a.empty());
      QVERIFY2(sameBits(a, b), key);
    }
    QCOMPARE(sessionBytes(again), written);
    // Doubles with NaN, float64 form: bit for bit through the compressed form.
    std::vector<double> values(1000);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = std::sin(double(i)) * 1e-3;
    values[10] = std::numeric_limits<double>::quiet_NaN();
    const QJsonObject packed = encodeArray(values, ArrayPrecision::Float64);
    QVERIFY(packed.contains(QStringLiteral("f64z")));
    QVERIFY(sameBits(readNumbers(packed, "v", 1000, true), values));
  }

  void landscapeStateRoundTrips() {
    LandscapeState state;
    state.race.landscape.kind = core::LandscapeKind::QuadraticBowl;
    state.race.landscape.conditionNumber = 40.0;
    state.race.landscape.rotationDegrees = 30.0;
    state.race.start = {0.25, -1.75};
    state.race.optimizers = {core::OptimizerKind::Nadam, core::OptimizerKind::Momentum};
    state.race.setLearningRate(core::OptimizerKind::Nadam, 0.125);
    state.race.momentum = 0.8;
    state.race.clip = {core::ClipMode::Norm, 0.5};
    state.race.steps = 250;
    state.cursor = 99;
    state.speed = 12.5;
    QVERIFY(!(state == LandscapeState()));
    Session session = parseSession(m_valid);
    session.landscape = landscapeStateToJson(state);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("landscape.gradscope"));
    QString error;
    QVERIFY2(saveSessionFile(path, session, &error), qPrintable(error));
    const auto loaded = loadSessionFile(path, &error);
    QVERIFY2(loaded, qPrintable(error));
    QVERIFY(landscapeStateFromJson(loaded->landscape) == state);
    QCOMPARE(sessionBytes(*loaded), sessionBytes(session));
  }

  void interruptedSaveKeepsTheOldFile() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("s.gradscope"));
    const Session old = parseSession(m_valid);
    QVERIFY(saveSessionFile(path, old));
    SessionRunner runner(smallConfig(core::OptimizerKind::Sgd));
    runner.train(30);
    QString error;
    QVERIFY(!saveSessionFile(path, runner.capture(), &error, 4096));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll() == sessionBytes(old));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("s.gradscope")});
    QVERIFY(loadSessionFile(path, &error));
  }

  void fileDataIsCheckedByItsHash() {
    QTemporaryDir dir;
    QFile csv(dir.filePath(QStringLiteral("points.csv")));
    QVERIFY(csv.open(QIODevice::WriteOnly));
    QByteArray text = "x,y,label\n";
    for (int i = 0; i < 20; ++i) {
      text += QByteArray::number(i * 0.1) + "," + QByteArray::number(1.0 - i * 0.05) + "," +
              (i % 2 ? "a" : "b") + "\n";
    }
    csv.write(text);
    csv.close();
    const QString sha =
        QString::fromLatin1(QCryptographicHash::hash(text, QCryptographicHash::Sha256).toHex());
    QJsonObject json = objectOf(
        R"({"format": "gradscope-session", "version": 2, "runs": [{"data": {"source": "file",
            "path": "points.csv", "sha256": ""}}]})");
    json = setPath(json, {"runs", "0", "data", "sha256"}, sha).toObject();
    SessionRunner runner;
    QString error;
    QVERIFY2(
        runner.open(std::make_shared<Session>(parseSession(bytesOf(json))), dir.path(), &error),
        qPrintable(error));
    // Saved again with the path, the hash and (small data) an embedded copy.
    const Session saved = runner.capture();
    QVERIFY(saved.runs[0].data.source == SessionData::Source::File);
    QVERIFY(saved.runs[0].data.data.has_value());
    QCOMPARE(saved.runs[0].data.data->sampleCount(), core::Index(20));

    json = setPath(json, {"runs", "0", "data", "sha256"}, QString(64, QLatin1Char('0'))).toObject();
    try {
      load(bytesOf(json), dir.path());
      QFAIL("a changed file was accepted");
    } catch (const core::Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QStringLiteral("runs[0].data.sha256"));
    }
  }

  // The bound a network is refused by (session_size.h) holds for what the writer really
  // writes: at least the bytes of the saved state, and not far above them (random weights do
  // not compress), for each precision, optimisers with 0 to 3 vectors, BatchNorm buffers and
  // the best weights early stopping keeps.
  void stateBoundCoversWhatIsWritten_data() {
    QTest::addColumn<core::OptimizerKind>("optimizer");
    QTest::addColumn<bool>("float64");
    QTest::addColumn<bool>("amsgrad");
    QTest::addColumn<bool>("bestWeights");
    QTest::newRow("sgd/float32") << core::OptimizerKind::Sgd << false << false << false;
    QTest::newRow("momentum/float64/best")
        << core::OptimizerKind::Momentum << true << false << true;
    QTest::newRow("adam/float32/best") << core::OptimizerKind::Adam << false << false << true;
    QTest::newRow("adam amsgrad/float64") << core::OptimizerKind::Adam << true << true << false;
    QTest::newRow("nadam/float64/best") << core::OptimizerKind::Nadam << true << false << true;
  }
  void stateBoundCoversWhatIsWritten() {
    QFETCH(core::OptimizerKind, optimizer);
    QFETCH(bool, float64);
    QFETCH(bool, amsgrad);
    QFETCH(bool, bestWeights);
    core::ExperimentConfig config = smallConfig(optimizer);
    config.model.width = 160;  // 2 x 160 units: 27k parameters, so the weights dominate
    config.optimizer.amsgrad = amsgrad;
    config.precision = float64 ? core::Precision::Float64 : core::Precision::Float32;
    config.training.earlyStopping->restoreBestWeights = bestWeights;
    SessionRunner runner(config);
    runner.train(12);  // past the first epochs: the best weights exist
    Session session = runner.capture();
    const qint64 withState = sessionBytes(session).size();
    session.runs[0].state = QJsonObject();
    const qint64 written = withState - sessionBytes(session).size();

    const std::unique_ptr<TrainingRun> run = TrainingRun::create(config);
    const core::TrainerState state = run->captureState();
    const core::NetworkSpec spec = networkFor(config, 2, 1, core::TaskKind::Binary);
    QCOMPARE(countNetwork(spec).parameters, std::int64_t(state.parameters.size()));
    const std::int64_t bound = stateBytesBound(config, spec, std::int64_t(state.order.size()));
    qInfo("state written: %lld bytes, bound %lld", static_cast<long long>(written),
          static_cast<long long>(bound));
    QVERIFY(bound >= written);
    QVERIFY(bound <= written * 14 / 10 + 20'000);
  }

  // A network whose state could not be saved in a session is refused when it is built or
  // changed, naming the setting, before anything is allocated; the largest accepted one is
  // within the budget and one unit more is not.
  void networksThatCannotBeSavedAreRefusedWhenBuilt() {
    core::ExperimentConfig config = defaultExperiment();
    config.precision = core::Precision::Float64;
    config.model.hiddenLayers = 3;
    config.model.width = 4096;
    config.optimizer = core::OptimizerSettings::defaultsFor(core::OptimizerKind::Adam);
    config.optimizer.amsgrad = true;
    try {
      TrainingRun::create(config);
      QFAIL("a network of a 1.4 GB state was built");
    } catch (const core::Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QStringLiteral("model.width"));
      QVERIFY2(QString::fromStdString(e.reason()).contains("768 MiB"), e.reason().c_str());
    }
    // The rule at the limit, computed as TrainingRun applies it (no network is built).
    const core::Index samples = config.data.samples;
    auto fits = [&](core::Index width) {
      core::ExperimentConfig c = config;
      c.model.width = width;
      try {
        checkStateFitsSession(c, networkFor(c, 2, 1, core::TaskKind::Binary), samples);
        return true;
      } catch (const core::Error&) {
        return false;
      }
    };
    core::Index low = 1, high = 4096;  // fits(low), !fits(high)
    while (high - low > 1) (fits((low + high) / 2) ? low : high) = (low + high) / 2;
    core::ExperimentConfig largest = config;
    largest.model.width = low;
    const std::int64_t bound =
        stateBytesBound(largest, networkFor(largest, 2, 1, core::TaskKind::Binary), samples);
    qInfo("largest float64 AMSGrad network of 3 hidden layers: width %lld, state bound %lld",
          static_cast<long long>(low), static_cast<long long>(bound));
    QVERIFY(bound <= kMaxSessionStateBytes);
    QVERIFY(low > 2000 && low < 4096);
    // A change that makes the state too large is refused the same way, and changes nothing.
    config.model.width = 64;
    config.optimizer.amsgrad = false;
    const std::unique_ptr<TrainingRun> run = TrainingRun::create(config);
    core::ExperimentConfig wider = config;
    wider.model.width = low + 1;
    wider.optimizer.amsgrad = true;
    QVERIFY_THROWS_EXCEPTION(core::Error, run->apply(wider));
    QCOMPARE(run->config().model.width, core::Index(64));
  }

  // Opening a session: the states of all its runs share the budget, so a comparison of
  // networks each of which would fit alone is refused as a whole, naming the run.
  void runsOfASessionShareTheBudget() {
    Session session;
    SessionRun run;
    run.config = defaultExperiment();
    run.config.model.hiddenLayers = 6;
    run.config.model.width = 4096;  // 84 million float32 parameters: 448 MB of state with SGD
    run.config.optimizer = core::OptimizerSettings::defaultsFor(core::OptimizerKind::Sgd);
    session.runs = {run};
    checkSession(session, {});  // alone it fits
    session.runs = {run, run};
    try {
      checkSession(session, {});
      QFAIL("two runs of 448 MB states were accepted");
    } catch (const core::Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QStringLiteral("runs[1].config.model.width"));
      QVERIFY2(QString::fromStdString(e.reason()).contains("with the other runs"),
               e.reason().c_str());
    }
    // A comparison in the dashboard is held to the same budget before any run is built.
    try {
      createLockstepRuns({run.config, run.config});
      QFAIL("a comparison of two 448 MB states was built");
    } catch (const core::Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QStringLiteral("runs[1].model.width"));
    }
  }

  // What a file claims is compared with its network before anything is built: the 153-byte
  // file of 12 layers x 4096 units with 3 weights is refused at once, whatever form the
  // array takes (a list, raw base64, or a compressed array that only claims its length).
  void lengthsAreCheckedBeforeBuilding_data() {
    QTest::addColumn<QJsonValue>("parameters");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("reason");
    QTest::newRow("list") << QJsonValue(QJsonArray{1, 2, 3}) << "runs[0].state.parameters"
                          << "has 3 values, expected 184610817";
    QTest::newRow("f32") << QJsonValue(QJsonObject{{"f32", base64Floats({1, 2, 3})}})
                         << "runs[0].state.parameters.f32"
                         << "has 3 values, expected 184610817";
    QByteArray packed(4, 0);
    qToBigEndian(quint32(4 * 5), packed.data());
    packed += "zzzz";
    QTest::newRow("f32z") << QJsonValue(
                                 QJsonObject{{"f32z", QString::fromLatin1(packed.toBase64())}})
                          << "runs[0].state.parameters.f32z"
                          << "has 5 values, expected 184610817";
    QTest::newRow("optimiser slot") << QJsonValue() << "runs[0].state.optimizer.slots.m"
                                    << "has 2 values, expected 184610817";
  }
  void lengthsAreCheckedBeforeBuilding() {
    QFETCH(QJsonValue, parameters);
    QFETCH(QString, field);
    QFETCH(QString, reason);
    QJsonObject state;
    if (parameters.isNull()) {
      state.insert("optimizer", QJsonObject{{"slots", QJsonObject{{"m", QJsonArray{1, 2}}}}});
    } else {
      state.insert("parameters", parameters);
    }
    QJsonObject run{{"config", QJsonObject{{"model.hidden_layers", 12}, {"model.width", 4096}}},
                    {"state", state}};
    QJsonArray runs;
    for (int i = 0; i < 8; ++i) runs.append(run);
    const QByteArray bytes =
        bytesOf(QJsonObject{{"format", "gradscope-session"}, {"version", 3}, {"runs", runs}});
    const Session session = parseSession(bytes);
    for (auto check : {+[](const Session& s) { checkSession(s, {}); },
                       +[](const Session& s) { buildRuns(s, {}); }}) {
      try {
        check(session);
        QFAIL("accepted");
      } catch (const core::Error& e) {
        QCOMPARE(QString::fromStdString(e.field()), field);
        QVERIFY2(QString::fromStdString(e.reason()).contains(reason), e.reason().c_str());
      }
    }
  }

  // Saved into another folder, a session on a data file points to it from there (relative
  // when the file is in or beside the session's folder, absolute otherwise), and opens.
  void savedIntoAnotherFolderFindsItsDataFile() {
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath("course/data"));
    QFile csv(dir.filePath("course/data/points.csv"));
    QVERIFY(csv.open(QIODevice::WriteOnly));
    QByteArray text = "x,y,label\n";
    for (int i = 0; i < 40; ++i) {
      text += QByteArray::number(i * 0.1) + "," + QByteArray::number(1.0 - i * 0.05) + "," +
              (i % 2 ? "a" : "b") + "\n";
    }
    csv.write(text);
    csv.close();
    QJsonObject json = objectOf(
        R"({"format": "gradscope-session", "version": 3, "runs": [{"data": {"source": "file",
            "path": "data/points.csv", "sha256": ""}}]})");
    json =
        setPath(
            json, {"runs", "0", "data", "sha256"},
            QString::fromLatin1(QCryptographicHash::hash(text, QCryptographicHash::Sha256).toHex()))
            .toObject();
    SessionRunner runner;
    QString error;
    QVERIFY2(runner.open(std::make_shared<Session>(parseSession(bytesOf(json))),
                         dir.filePath("course"), &error),
             qPrintable(error));
    Session captured = runner.capture();
    captured.runs[0].data.data.reset();  // as for a file too large to embed: the path must do
    const QString absolute = QDir::cleanPath(dir.filePath("course/data/points.csv"));
    QCOMPARE(captured.runs[0].data.path, absolute);
    const struct {
      const char* folder;
      QString path;
    } places[] = {{"course", QStringLiteral("data/points.csv")},
                  {"course/data/copies", QStringLiteral("../points.csv")},
                  {"out", QStringLiteral("../course/data/points.csv")},
                  {"far/away/out", absolute}};
    for (const auto& place : places) {
      QVERIFY(QDir(dir.path()).mkpath(place.folder));
      const QString path = QDir(dir.filePath(place.folder)).filePath("copy.gradscope");
      QVERIFY2(saveSessionFile(path, captured, &error), qPrintable(error));
      const auto copy = loadSessionFile(path, &error);
      QVERIFY2(copy, qPrintable(error));
      QCOMPARE(copy->runs[0].data.path, place.path);
      QVERIFY(!copy->runs[0].data.data);
      buildRuns(*copy, QFileInfo(path).absolutePath());  // finds and checks the file
    }
  }

  // A failed write names the file and the operating system's reason; a full disk says so.
  void writeErrorsSayWhy() {
    QFile file;
    errno = ENOSPC;
    const QString full = fileWriteError(QStringLiteral("/media/stick/s.gradscope"), file);
    QVERIFY2(full.startsWith("cannot write /media/stick/s.gradscope: disk full"), qPrintable(full));
    QVERIFY2(full.contains(QString::fromLocal8Bit(std::strerror(ENOSPC))), qPrintable(full));
    QVERIFY(!full.contains("Unknown error"));
    QTemporaryDir dir;
    QString error;
    QVERIFY(!saveSessionFile(dir.filePath("no/such/folder/s.gradscope"), parseSession(m_valid),
                             &error));
    QVERIFY2(error.startsWith("cannot write " + dir.filePath("no/such/folder/s.gradscope") + ": "),
             qPrintable(error));
  }

  // A history too long for a session beside its state is saved thinned, not refused: the
  // step metrics as means of blocks of a power-of-two stride, just enough to fit the size and
  // the number of saved values; it opens, each block's mean at its first step, and saved
  // again it still fits.
  void longHistoriesAreThinnedToFit() {
    Session session = parseSession(m_valid);
    session.runs[0].state = QJsonObject();
    RunHistory& h = *session.runs[0].history;
    const std::int64_t steps = 200'000;
    h = RunHistory{};
    h.steps = steps;
    std::mt19937_64 random(7);
    std::uniform_real_distribution<double> noise(0.0, 1.0);
    for (int m = 0; m < kStepMetricCount; ++m) {
      std::vector<double>& values = h.stepValues[std::size_t(m)];
      for (std::int64_t i = 0; i < steps; ++i) values.push_back(1.0 / (1.0 + i) + noise(random));
    }
    const qint64 full = sessionBytes(session).size();
    const Session fitted = fitSessionToSize(session, 2'000'000);
    const RunHistory& t = *fitted.runs[0].history;
    const QByteArray bytes = sessionBytes(fitted);
    qInfo("200,000 steps: %lld bytes in full, %lld with a stride of %lld",
          static_cast<long long>(full), static_cast<long long>(bytes.size()),
          static_cast<long long>(t.stepStride));
    QVERIFY(full > 2'000'000);
    QVERIFY(bytes.size() <= 2'000'000);
    QVERIFY(t.stepStride > 1 && (t.stepStride & (t.stepStride - 1)) == 0);
    QVERIFY2(sessionBytes(fitSessionToSize(session, 2'000'000 * 3)).size() > 2'000'000,
             "thinned no more than needed");
    QCOMPARE(t.steps, steps);
    QCOMPARE(std::int64_t(t.stepValues[0].size()), t.stepBlocks());
    const auto& loss = h.stepValues[int(StepMetric::Loss)];
    double first = 0.0;
    for (std::int64_t i = 0; i < t.stepStride; ++i) first += loss[std::size_t(i)];
    QCOMPARE(t.stepValues[int(StepMetric::Loss)][0], first / double(t.stepStride));

    SessionRunner runner;
    QString error;
    QVERIFY2(runner.open(std::make_shared<Session>(parseSession(bytes)), {}, &error),
             qPrintable(error));
    const auto restored = runner.history().rawStepSeries(0, StepMetric::Loss, 0, 2 * t.stepStride);
    QCOMPARE(restored.size(), std::size_t(2 * t.stepStride + 1));
    QCOMPARE(restored[0], t.stepValues[int(StepMetric::Loss)][0]);
    QVERIFY(std::isnan(restored[1]));
    QCOMPARE(restored[std::size_t(t.stepStride)], t.stepValues[int(StepMetric::Loss)][1]);
    // Saved again it fits too (the steps between the block means, unmeasured now, compress
    // to almost nothing, so a finer stride may do).
    const Session again = fitSessionToSize(runner.capture(), 2'000'000);
    QVERIFY(sessionBytes(again).size() <= 2'000'000);
    QVERIFY(again.runs[0].history->stepStride <= t.stepStride);
    QCOMPARE(again.runs[0].history->stepValues[int(StepMetric::Loss)][0],
             t.stepValues[int(StepMetric::Loss)][0]);

    // The number of saved values is bounded too, over all runs.
    session.runs.push_back(session.runs[0]);
    const Session bounded = fitSessionToSize(session, kMaxSessionBytes, 120'000);
    QCOMPARE(bounded.runs[0].history->stepBlocks() + bounded.runs[1].history->stepBlocks(),
             std::int64_t(100'000));
  }

  // One row per validation rule: the mutation, and the field the message must name.
  void corruptedFilesAreRefused_data() {
    QTest::addColumn<QString>("mutation");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("reason");
    auto row = [](const char* name, const char* mutation, const char* field, const char* reason) {
      QTest::newRow(name) << mutation << field << reason;
    };
    row("not JSON", "truncate", "file", "not valid JSON");
    row("not an object", "array", "file", "expected a JSON object");
    row("not a session", "set format=gradscope-config", "format", "not a GradScope session");
    row("newer version", "set version=99", "version", "newer GradScope");
    row("unknown version", "set version=0", "version", "unknown version");
    row("version mistyped", "set version=\"2\"", "version", "whole number");
    row("missing format", "remove format", "format", "not a GradScope session");
    row("unknown field", "set colour=1", "colour", "unknown field");
    row("runs mistyped", "set runs={}", "runs", "expected a list");
    row("no runs", "set runs=[]", "runs", "at least one run");
    row("too many runs", "runs 17", "runs", qPrintable(QStringLiteral("at most %1").arg(kMaxRuns)));
    row("setting mistyped", "set runs.0.config.optimizer.learning_rate=\"fast\"",
        "runs[0].config.optimizer.learning_rate", "expected a number");
    row("unknown setting", "set runs.0.config.optimizer.lerning_rate=1",
        "runs[0].config.optimizer.lerning_rate", "unknown setting");
    row("a billion layers", "set runs.0.config.model.hidden_layers=1000000000",
        "runs[0].config.model.hidden_layers", "");
    row("weights of the wrong length", "set runs.0.state.parameters=[1,2,3]",
        "runs[0].state.parameters", "has 3 values, expected");
    row("non-finite weight", "nan weight", "runs[0].state.parameters", "not a finite number");
    row("invalid base64", "set runs.0.state.parameters={\"f32\":\"@@@@\"}",
        "runs[0].state.parameters.f32", "not valid base64");
    row("array form mistyped", "set runs.0.state.parameters=\"abc\"", "runs[0].state.parameters",
        "expected a list of numbers");
    row("10 GB array claim",
        "set runs.0.data={\"source\":\"embedded\",\"task\":\"binary\","
        "\"samples\":1000000000,\"features\":10,\"outputs\":1,\"inputs\":[],\"targets\":[]}",
        "runs[0].data.samples", "must be in");
    row("huge history claim", "set runs.0.history.steps=1000000000000", "runs[0].history.steps",
        "must be in [0, 100000000]");
    row("history of too many saved values", "set runs.0.history.steps=10000001",
        "runs[0].history.step_stride", "more than 10000000 values");
    row("history of a wrong stride", "set runs.0.history.step_stride=2",
        "runs[0].history.step_metrics.loss.f64z", "expected 60");
    row("negative step", "set runs.0.state.step=-5", "runs[0].state.step", "must be in");
    row("order not a permutation", "set runs.0.state.order=[0,0,0]", "runs[0].state.order",
        "expected 80");
    row("order entry beyond int64", "huge order entry", "runs[0].state.order",
        "entry 5 is not a sample index in [0, 80)");
    row("rng all zero",
        "set runs.0.state.rng.init.words=[\"0000000000000000\","
        "\"0000000000000000\",\"0000000000000000\",\"0000000000000000\"]",
        "runs[0].state.rng.init.words", "must not all be zero");
    row("rng word not hex", "set runs.0.state.rng.shuffle.words=[\"xyz\",\"0\",\"0\",\"0\"]",
        "runs[0].state.rng.shuffle.words[0]", "hexadecimal");
    row("optimiser slot unknown", "set runs.0.state.optimizer.slots.velocity=[1]",
        "runs[0].state.optimizer.slots.velocity", "expected");
    row("state of an absent callback", "config early stopping off", "runs[0].state.early_stopping",
        "early stopping is off");
    row("stop reason unknown", "set runs.0.state.stop_reason=\"tired\"",
        "runs[0].state.stop_reason", "expected none");
    row("binary targets not 0/1",
        "set runs.0.data={\"source\":\"embedded\",\"task\":\"binary\","
        "\"inputs\":[[0,1],[1,0],[1,1],[0,0]],\"targets\":[[0],[1],[2],[0]]}",
        "runs[0].data.targets", "row 2 is not 0 or 1");
    row("rows of the wrong width",
        "set runs.0.data={\"source\":\"embedded\",\"task\":\"binary\","
        "\"inputs\":[[0,1],[1,0,3]],\"targets\":[[0],[1]]}",
        "runs[0].data.inputs[1]", "has 3 values, expected 2");
    row("data source unknown", "set runs.0.data.source=\"web\"", "runs[0].data.source",
        "expected generator, embedded or file");
    row("histogram frames out of order",
        "set runs.0.history.histograms=[{\"step\":5},{\"step\":3}]",
        "runs[0].history.histograms[1].step", "increasing");
    row("event kind unknown", "set runs.0.history.events=[{\"step\":1,\"kind\":\"party\"}]",
        "runs[0].history.events[0].kind", "unknown event kind");
    row("layout not base64", "set layout=\"%%%\"", "layout", "not valid base64");
    row("speed out of range", "set speed=-1", "speed", "must be in");
    row("unknown array form", "set runs.0.state.parameters={\"f16\":\"AAAA\"}",
        "runs[0].state.parameters", "expected a list of numbers or");
    row("compressed array claims too much", "compressed claim", "runs[0].state.parameters.f32z",
        "has 536870911 values, expected");
    row("compressed array not zlib", "compressed garbage", "runs[0].state.parameters.f32z",
        "not valid compressed data");
    row("landscape mistyped", "set landscape=[1]", "landscape", "expected an object");
    row("landscape cursor beyond its steps", "set landscape={\"steps\":10,\"cursor\":50}",
        "landscape.cursor", "beyond");
    row("landscape rate mistyped", "set landscape={\"learning_rates\":{\"adam\":\"x\"}}",
        "landscape.learning_rates.adam", "expected");
    row("landscape field unknown", "set landscape={\"colour\":1}", "landscape.colour", "unknown");
  }
  void corruptedFilesAreRefused() {
    QFETCH(QString, mutation);
    QFETCH(QString, field);
    QFETCH(QString, reason);
    QJsonObject json = objectOf(m_valid);
    QByteArray bytes;
    if (mutation == QLatin1String("truncate")) {
      bytes = m_valid.left(m_valid.size() / 2);
    } else if (mutation == QLatin1String("array")) {
      bytes = "[1, 2, 3]";
    } else {
      if (mutation.startsWith(QLatin1String("set "))) {
        const QString assignment = mutation.mid(4);
        const qsizetype equals = assignment.indexOf(QLatin1Char('='));
        const QStringList path = assignment.left(equals).split(QLatin1Char('.'));
        // Keys with dots (settings) are joined back after the run's "config".
        QStringList keys;
        for (int i = 0; i < path.size(); ++i) {
          if (i > 0 && path[i - 1] == QLatin1String("config")) {
            keys << path.mid(i).join(QLatin1Char('.'));
            break;
          }
          keys << path[i];
        }
        const QByteArray valueText = assignment.mid(equals + 1).toUtf8();
        const QJsonValue value = QJsonDocument::fromJson("[" + valueText + "]").array().first();
        json = setPath(json, keys, value).toObject();
      } else if (mutation.startsWith(QLatin1String("remove "))) {
        json = removePath(json, mutation.mid(7).split(QLatin1Char('.'))).toObject();
      } else if (mutation == QLatin1String("runs 17")) {
        QJsonArray runs;
        for (int i = 0; i < 17; ++i) runs.append(QJsonObject());
        json[QStringLiteral("runs")] = runs;
      } else if (mutation == QLatin1String("nan weight")) {
        std::vector<float> values(readNumbers(json["runs"][0]["state"]["parameters"], "p").size(),
                                  0.1f);
        values[7] = std::numeric_limits<float>::quiet_NaN();
        json = setPath(json, {"runs", "0", "state", "parameters"},
                       QJsonObject{{QStringLiteral("f32"), base64Floats(values)}})
                   .toObject();
      } else if (mutation == QLatin1String("huge order entry")) {
        // Found by the fuzzer: a whole number too large for int64 was converted unchecked.
        std::vector<double> order = readNumbers(json["runs"][0]["state"]["order"], "o");
        order[5] = 2.95e20;
        json = setPath(json, {"runs", "0", "state", "order"},
                       encodeArray(order, ArrayPrecision::Float32))
                   .toObject();
      } else if (mutation.startsWith(QLatin1String("compressed "))) {
        // qCompress's form: a 4-byte big-endian length, then the zlib stream.
        const qint64 count =
            qint64(readNumbers(json["runs"][0]["state"]["parameters"], "p").size());
        const quint32 length =
            mutation.endsWith(QLatin1String("claim")) ? 0x7FFFFFFCu : quint32(count * 4);
        QByteArray packed(4, 0);
        qToBigEndian(length, packed.data());
        packed += "not a zlib stream";
        json =
            setPath(json, {"runs", "0", "state", "parameters"},
                    QJsonObject{{QStringLiteral("f32z"), QString::fromLatin1(packed.toBase64())}})
                .toObject();
      } else if (mutation == QLatin1String("config early stopping off")) {
        json = setPath(json, {"runs", "0", "config", "early_stopping.enabled"}, false).toObject();
      } else {
        QFAIL("unknown mutation");
      }
      bytes = bytesOf(json);
    }

    // Opening it in a running experiment changes nothing.
    SessionRunner runner(smallConfig(core::OptimizerKind::Momentum));
    runner.train(10);
    const QByteArray before = sessionBytes(runner.capture());
    try {
      const Session session = parseSession(bytes);
      QString error;
      QVERIFY(!runner.open(std::make_shared<Session>(session), {}, &error));
      const qsizetype colon = error.indexOf(QStringLiteral(": "));
      throw core::Error(error.left(colon).toStdString(), error.mid(colon + 2).toStdString());
    } catch (const core::Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), field);
      QVERIFY2(QString::fromStdString(e.reason()).contains(reason), e.reason().c_str());
    }
    QCOMPARE(runner.currentStep(), std::int64_t(10));
    QVERIFY(sessionBytes(runner.capture()) == before);
  }
};

QTEST_GUILESS_MAIN(TestSessionFile)
#include "tst_session_file.moc"
