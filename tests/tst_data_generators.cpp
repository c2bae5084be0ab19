// Data generators: shapes and tasks, determinism per seed, class balance, exact geometry without
// noise, noise as jitter around the clean data, and refusal of settings outside the limits.
#include <QtTest>

#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include "core/data/data_generators.h"

using gradscope::core::Dataset;
using gradscope::core::DatasetKind;
using gradscope::core::DataSpec;
using gradscope::core::Error;
using gradscope::core::generate;
using gradscope::core::Index;
using gradscope::core::TaskKind;

Q_DECLARE_METATYPE(DatasetKind)
Q_DECLARE_METATYPE(TaskKind)

namespace {

DataSpec specFor(DatasetKind kind, Index samples = 400, double noise = 0.1) {
  DataSpec spec;
  spec.kind = kind;
  spec.samples = samples;
  spec.noise = noise;
  return spec;
}

std::vector<Index> classCounts(const Dataset& data, int classes) {
  std::vector<Index> counts(static_cast<std::size_t>(classes), 0);
  for (Index i = 0; i < data.sampleCount(); ++i) ++counts[std::size_t(data.classOf(i))];
  return counts;
}

const DatasetKind kAllKinds[] = {DatasetKind::Circle,  DatasetKind::Xor,    DatasetKind::Blobs,
                                 DatasetKind::Spirals, DatasetKind::Moons,  DatasetKind::Sine,
                                 DatasetKind::Plane,   DatasetKind::Teacher};

}  // namespace

class TestDataGenerators : public QObject {
  Q_OBJECT
 private slots:
  void kindNamesRoundTrip() {
    for (DatasetKind kind : kAllKinds) {
      const auto name = gradscope::core::toString(kind);
      QVERIFY(!name.empty());
      QCOMPARE(gradscope::core::datasetKindFromString(name), std::optional<DatasetKind>(kind));
    }
    QVERIFY(!gradscope::core::datasetKindFromString("spiral-ish").has_value());
  }

  void shapes_data() {
    QTest::addColumn<DatasetKind>("kind");
    QTest::addColumn<int>("classes");
    QTest::addColumn<Index>("inputs");
    QTest::addColumn<Index>("outputs");
    QTest::addColumn<TaskKind>("task");
    QTest::newRow("circle") << DatasetKind::Circle << 2 << Index(2) << Index(1) << TaskKind::Binary;
    QTest::newRow("xor") << DatasetKind::Xor << 2 << Index(2) << Index(1) << TaskKind::Binary;
    QTest::newRow("moons") << DatasetKind::Moons << 2 << Index(2) << Index(1) << TaskKind::Binary;
    QTest::newRow("blobs 2") << DatasetKind::Blobs << 2 << Index(2) << Index(1) << TaskKind::Binary;
    QTest::newRow("blobs 5") << DatasetKind::Blobs << 5 << Index(2) << Index(5)
                             << TaskKind::MultiClass;
    QTest::newRow("spirals 3") << DatasetKind::Spirals << 3 << Index(2) << Index(3)
                               << TaskKind::MultiClass;
    QTest::newRow("sine") << DatasetKind::Sine << 2 << Index(1) << Index(1) << TaskKind::Regression;
    QTest::newRow("plane") << DatasetKind::Plane << 2 << Index(2) << Index(1)
                           << TaskKind::Regression;
    QTest::newRow("teacher 2") << DatasetKind::Teacher << 2 << Index(20) << Index(1)
                               << TaskKind::Binary;
    QTest::newRow("teacher 7") << DatasetKind::Teacher << 7 << Index(20) << Index(7)
                               << TaskKind::MultiClass;
  }
  void shapes() {
    QFETCH(DatasetKind, kind);
    QFETCH(int, classes);
    QFETCH(Index, inputs);
    QFETCH(Index, outputs);
    QFETCH(TaskKind, task);
    DataSpec spec = specFor(kind, 210);
    spec.classes = classes;
    const Dataset data = generate(spec);
    QCOMPARE(data.sampleCount(), Index(210));
    QCOMPARE(data.targets.cols(), Index(210));
    QCOMPARE(data.featureCount(), inputs);
    QCOMPARE(data.outputCount(), outputs);
    QCOMPARE(data.task, task);
    QCOMPARE(spec.task(), task);
    QCOMPARE(spec.inputCount(), inputs);
    QCOMPARE(Index(data.featureNames.size()), inputs);
    if (task != TaskKind::Regression) {
      QCOMPARE(int(data.classNames.size()), classes);
      QCOMPARE(spec.classCount(), classes);
    }
    QVERIFY(data.inputs.allFinite());
    QVERIFY(data.targets.allFinite());
    if (task == TaskKind::MultiClass) {
      // One-hot: every column sums to 1 and holds only 0 and 1.
      QVERIFY((data.targets.colwise().sum().array() == 1.0).all());
      QVERIFY((data.targets.array() == 0.0 || data.targets.array() == 1.0).all());
    }
    if (task == TaskKind::Binary)
      QVERIFY((data.targets.array() == 0.0 || data.targets.array() == 1.0).all());
  }

  void teacherRegression() {
    DataSpec spec = specFor(DatasetKind::Teacher, 2000, 0.0);
    spec.teacherRegression = true;
    const Dataset data = generate(spec);
    QCOMPARE(data.task, TaskKind::Regression);
    QCOMPARE(data.outputCount(), Index(1));
    // Standardised over the data set when there is no noise.
    const double mean = data.targets.mean();
    const double var = (data.targets.array() - mean).square().mean();
    QVERIFY(std::abs(mean) < 1e-9);
    QVERIFY(std::abs(var - 1.0) < 1e-9);
  }

  void sameSeedIsBitIdentical() {
    for (DatasetKind kind : kAllKinds) {
      DataSpec spec = specFor(kind, 300, 0.2);
      spec.classes = 3;
      spec.seed = 77;
      const Dataset a = generate(spec);
      const Dataset b = generate(spec);
      QVERIFY(a.inputs == b.inputs);
      QVERIFY(a.targets == b.targets);
    }
  }

  void differentSeedsDiffer() {
    for (DatasetKind kind : kAllKinds) {
      DataSpec spec = specFor(kind);
      const Dataset a = generate(spec);
      spec.seed = 2;
      const Dataset b = generate(spec);
      QVERIFY(a.inputs != b.inputs);
    }
  }

  void classBalance_data() {
    QTest::addColumn<DatasetKind>("kind");
    QTest::addColumn<int>("classes");
    QTest::newRow("circle") << DatasetKind::Circle << 2;
    QTest::newRow("xor") << DatasetKind::Xor << 2;
    QTest::newRow("moons") << DatasetKind::Moons << 2;
    QTest::newRow("blobs") << DatasetKind::Blobs << 4;
    QTest::newRow("spirals") << DatasetKind::Spirals << 5;
    QTest::newRow("teacher binary") << DatasetKind::Teacher << 2;
  }
  void classBalance() {
    QFETCH(DatasetKind, kind);
    QFETCH(int, classes);
    DataSpec spec = specFor(kind, 1000, 0.3);
    spec.classes = classes;
    const auto counts = classCounts(generate(spec), classes);
    for (Index count : counts) QCOMPARE(count, Index(1000 / classes));
  }

  void teacherMultiClassIsRoughlyBalanced() {
    DataSpec spec = specFor(DatasetKind::Teacher, 5000, 0.0);
    spec.classes = 5;
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      spec.seed = seed;
      const auto counts = classCounts(generate(spec), 5);
      // Every class present in a useful amount (a fair share is 1000).
      for (Index count : counts) QVERIFY2(count > 250, qPrintable(QString::number(count)));
    }
  }

  void teacherDependsOnDepth() {
    DataSpec spec = specFor(DatasetKind::Teacher, 500, 0.0);
    const Dataset shallow = generate(spec);
    spec.teacherDepth = 6;
    const Dataset deep = generate(spec);
    QVERIFY(shallow.targets != deep.targets);
  }

  void circleGeometryWithoutNoise() {
    const Dataset data = generate(specFor(DatasetKind::Circle, 1000, 0.0));
    for (Index i = 0; i < data.sampleCount(); ++i) {
      const double r = data.inputs.col(i).norm();
      if (data.classOf(i) == 0)
        QVERIFY(r <= 0.5 + 1e-12);
      else
        QVERIFY(r >= 0.7 - 1e-12 && r <= 1.0 + 1e-12);
    }
  }

  void xorGeometryWithoutNoise() {
    const Dataset data = generate(specFor(DatasetKind::Xor, 1000, 0.0));
    for (Index i = 0; i < data.sampleCount(); ++i) {
      const double x = data.inputs(0, i), y = data.inputs(1, i);
      QVERIFY(std::abs(x) >= 0.05 && std::abs(x) <= 1.0);
      QVERIFY(std::abs(y) >= 0.05 && std::abs(y) <= 1.0);
      QCOMPARE(data.classOf(i), x * y > 0 ? 1 : 0);
    }
  }

  void moonsGeometryWithoutNoise() {
    const Dataset data = generate(specFor(DatasetKind::Moons, 500, 0.0));
    for (Index i = 0; i < data.sampleCount(); ++i) {
      // Undo the scaling to scikit-learn's coordinates: each moon is half a unit circle.
      const double x = 1.5 * data.inputs(0, i) + 0.5, y = 1.5 * data.inputs(1, i) + 0.25;
      const bool upper = data.classOf(i) == 0;
      const double cx = upper ? 0.0 : 1.0, cy = upper ? 0.0 : 0.5;
      QVERIFY(std::abs(std::hypot(x - cx, y - cy) - 1.0) < 1e-12);
      QVERIFY(upper ? y >= -1e-12 : y <= 0.5 + 1e-12);
    }
  }

  void spiralsGeometryWithoutNoise() {
    DataSpec spec = specFor(DatasetKind::Spirals, 600, 0.0);
    spec.classes = 3;
    const Dataset data = generate(spec);
    for (Index i = 0; i < data.sampleCount(); ++i) {
      // Radius t and angle 1.75 * 2 pi * t + 2 pi c / k, modulo whole turns.
      const double t = data.inputs.col(i).norm();
      const double expected =
          1.75 * 2 * std::numbers::pi * t + 2 * std::numbers::pi * data.classOf(i) / 3.0;
      const double angle = std::atan2(data.inputs(1, i), data.inputs(0, i));
      const double turns = (expected - angle) / (2 * std::numbers::pi);
      QVERIFY(t <= 1.0);
      QVERIFY(std::abs(turns - std::round(turns)) < 1e-9);
    }
  }

  void regressionTargetsWithoutNoise() {
    const Dataset sine = generate(specFor(DatasetKind::Sine, 200, 0.0));
    for (Index i = 0; i < sine.sampleCount(); ++i) {
      QVERIFY(std::abs(sine.inputs(0, i)) <= 1.0);
      QCOMPARE(sine.targets(0, i), std::sin(std::numbers::pi * sine.inputs(0, i)));
    }
    const Dataset plane = generate(specFor(DatasetKind::Plane, 200, 0.0));
    for (Index i = 0; i < plane.sampleCount(); ++i)
      QCOMPARE(plane.targets(0, i), 0.5 * (plane.inputs(0, i) + plane.inputs(1, i)));
  }

  void noiseJittersTheSameCleanPoints() {
    const Dataset clean = generate(specFor(DatasetKind::Circle, 4000, 0.0));
    const Dataset noisy = generate(specFor(DatasetKind::Circle, 4000, 0.2));
    QVERIFY(clean.targets == noisy.targets);
    const Eigen::ArrayXXd jitter = (noisy.inputs - clean.inputs).array();
    const double stddev = std::sqrt(jitter.square().mean());
    QVERIFY2(std::abs(stddev - 0.2) < 0.01, qPrintable(QString::number(stddev)));

    const Dataset sine = generate(specFor(DatasetKind::Sine, 4000, 0.0));
    const Dataset noisySine = generate(specFor(DatasetKind::Sine, 4000, 0.5));
    QVERIFY(sine.inputs == noisySine.inputs);
    const double targetNoise =
        std::sqrt((noisySine.targets - sine.targets).array().square().mean());
    QVERIFY(std::abs(targetNoise - 0.5) < 0.03);
  }

  void limitsAreAccepted() {
    DataSpec spec = specFor(DatasetKind::Circle, DataSpec::kMinSamples, DataSpec::kMaxNoise);
    QCOMPARE(generate(spec).sampleCount(), DataSpec::kMinSamples);
    spec = specFor(DatasetKind::Spirals, 100, 0.0);
    spec.classes = DataSpec::kMaxPlaneClasses;
    QCOMPARE(generate(spec).outputCount(), Index(DataSpec::kMaxPlaneClasses));
    // Settings the kind ignores are not checked.
    spec = specFor(DatasetKind::Circle);
    spec.features = 0;
    spec.classes = 1000;
    QCOMPARE(generate(spec).sampleCount(), Index(400));
  }

  void invalidSpecNamesTheField_data() {
    QTest::addColumn<DatasetKind>("kind");
    QTest::addColumn<QString>("field");
    QTest::addColumn<double>("value");
    QTest::newRow("too few samples") << DatasetKind::Circle << "samples" << 3.0;
    QTest::newRow("too many samples") << DatasetKind::Circle << "samples" << 1'000'001.0;
    QTest::newRow("negative noise") << DatasetKind::Xor << "noise" << -0.1;
    QTest::newRow("huge noise") << DatasetKind::Xor << "noise" << 10.5;
    QTest::newRow("nan noise") << DatasetKind::Xor << "noise"
                               << std::numeric_limits<double>::quiet_NaN();
    QTest::newRow("one blob") << DatasetKind::Blobs << "classes" << 1.0;
    QTest::newRow("eleven spirals") << DatasetKind::Spirals << "classes" << 11.0;
    QTest::newRow("teacher classes") << DatasetKind::Teacher << "classes" << 101.0;
    QTest::newRow("no features") << DatasetKind::Teacher << "features" << 0.0;
    QTest::newRow("too many features") << DatasetKind::Teacher << "features" << 1001.0;
    QTest::newRow("depth 0") << DatasetKind::Teacher << "teacherDepth" << 0.0;
    QTest::newRow("depth 9") << DatasetKind::Teacher << "teacherDepth" << 9.0;
    QTest::newRow("width 129") << DatasetKind::Teacher << "teacherWidth" << 129.0;
    QTest::newRow("samples x features") << DatasetKind::Teacher << "features x 1e6" << 1000.0;
    QTest::newRow("zero scale") << DatasetKind::Circle << "secondFeatureScale" << 0.0;
    QTest::newRow("huge scale") << DatasetKind::Plane << "secondFeatureScale" << 1001.0;
    QTest::newRow("nan scale") << DatasetKind::Moons << "secondFeatureScale"
                               << std::numeric_limits<double>::quiet_NaN();
  }
  void invalidSpecNamesTheField() {
    QFETCH(DatasetKind, kind);
    QFETCH(QString, field);
    QFETCH(double, value);
    DataSpec spec = specFor(kind);
    if (field == "samples") spec.samples = Index(value);
    if (field == "noise") spec.noise = value;
    if (field == "classes") spec.classes = int(value);
    if (field == "features") spec.features = int(value);
    if (field == "teacherDepth") spec.teacherDepth = int(value);
    if (field == "teacherWidth") spec.teacherWidth = int(value);
    if (field == "secondFeatureScale") spec.secondFeatureScale = value;
    if (field == "features x 1e6") {
      spec.samples = 1'000'000;
      spec.features = int(value);
      field = "features";
    }
    try {
      generate(spec);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), field);
      QVERIFY2(QString::fromStdString(e.reason()).contains("must"), e.what());
    }
  }

  // The stretched data set is the same problem seen through a scaled second feature: x1 and the
  // targets are unchanged, x2 is multiplied exactly (an elongated valley for the optimisers).
  void secondFeatureScaleStretchesOnlyX2_data() {
    QTest::addColumn<DatasetKind>("kind");
    QTest::newRow("circle") << DatasetKind::Circle;
    QTest::newRow("plane") << DatasetKind::Plane;
    QTest::newRow("teacher") << DatasetKind::Teacher;
  }
  void secondFeatureScaleStretchesOnlyX2() {
    QFETCH(DatasetKind, kind);
    DataSpec spec = specFor(kind, 300, 0.1);
    const Dataset plain = generate(spec);
    spec.secondFeatureScale = 30.0;
    const Dataset stretched = generate(spec);
    QVERIFY(stretched.inputs.row(0) == plain.inputs.row(0));
    QVERIFY(stretched.inputs.row(1) == (30.0 * plain.inputs.row(1)).eval());
    if (plain.inputs.rows() > 2) {
      QVERIFY(stretched.inputs.bottomRows(plain.inputs.rows() - 2) ==
              plain.inputs.bottomRows(plain.inputs.rows() - 2));
    }
    QVERIFY(stretched.targets == plain.targets);
  }

  void secondFeatureScaleIgnoredWithOneInput() {
    DataSpec spec = specFor(DatasetKind::Sine, 100, 0.0);
    const Dataset plain = generate(spec);
    spec.secondFeatureScale = 30.0;
    QVERIFY(generate(spec).inputs == plain.inputs);
  }

  void specIsAComparableValue() {
    DataSpec a, b;
    QVERIFY(a == b);
    b.noise = 0.2;
    QVERIFY(!(a == b));
  }
};

QTEST_GUILESS_MAIN(TestDataGenerators)
#include "tst_data_generators.moc"
