// Train/validation split and Standardizer: split sizes per fraction, every sample used once,
// standardisation fitted on the training split only, constant features, determinism per seed
// and refusal of bad fractions.
#include <QtTest>

#include <algorithm>
#include <limits>
#include <vector>

#include "core/data/data_split.h"

using gradscope::core::Dataset;
using gradscope::core::Error;
using gradscope::core::Index;
using gradscope::core::SplitData;
using gradscope::core::splitData;
using gradscope::core::SplitOptions;
using gradscope::core::Standardizer;
using gradscope::core::TaskKind;

namespace {

// Feature 0 is the sample's index (to trace samples through the split), feature 1 a skewed
// value, feature 2 a constant; the target is the index times 10.
Dataset indexedData(Index n) {
  Dataset data;
  data.task = TaskKind::Regression;
  data.inputs.resize(3, n);
  data.targets.resize(1, n);
  for (Index i = 0; i < n; ++i) {
    data.inputs(0, i) = double(i);
    data.inputs(1, i) = double(i * i % 17) + 100.0;
    data.inputs(2, i) = 3.5;
    data.targets(0, i) = 10.0 * i;
  }
  data.featureNames = {"index", "skewed", "constant"};
  return data;
}

SplitOptions options(double fraction, std::uint64_t seed = 1, bool standardize = true) {
  SplitOptions o;
  o.validationFraction = fraction;
  o.seed = seed;
  o.standardize = standardize;
  return o;
}

std::vector<Index> indicesOf(const Dataset& part) {
  std::vector<Index> indices;
  for (Index i = 0; i < part.sampleCount(); ++i) indices.push_back(Index(part.inputs(0, i)));
  return indices;
}

}  // namespace

class TestDataSplit : public QObject {
  Q_OBJECT
 private slots:
  void sizes_data() {
    QTest::addColumn<Index>("samples");
    QTest::addColumn<double>("fraction");
    QTest::addColumn<Index>("validation");
    QTest::newRow("20% of 100") << Index(100) << 0.2 << Index(20);
    QTest::newRow("no validation") << Index(100) << 0.0 << Index(0);
    QTest::newRow("90% of 100") << Index(100) << 0.9 << Index(90);
    QTest::newRow("rounded") << Index(7) << 0.25 << Index(2);
    QTest::newRow("at least one") << Index(10) << 0.01 << Index(1);
    QTest::newRow("at least one left to train") << Index(2) << 0.9 << Index(1);
  }
  void sizes() {
    QFETCH(Index, samples);
    QFETCH(double, fraction);
    QFETCH(Index, validation);
    const SplitData split = splitData(indexedData(samples), options(fraction, 1, false));
    QCOMPARE(split.validation.sampleCount(), validation);
    QCOMPARE(split.train.sampleCount(), samples - validation);
    QCOMPARE(split.validation.targets.cols(), validation);
    QCOMPARE(split.validation.featureCount(), Index(3));
  }

  void everySampleOnceWithItsTarget() {
    const SplitData split = splitData(indexedData(50), options(0.3, 9, false));
    std::vector<Index> all = indicesOf(split.train);
    const std::vector<Index> validation = indicesOf(split.validation);
    all.insert(all.end(), validation.begin(), validation.end());
    std::sort(all.begin(), all.end());
    for (Index i = 0; i < 50; ++i) QCOMPARE(all[std::size_t(i)], i);
    for (const Dataset* part : {&split.train, &split.validation}) {
      QCOMPARE(part->task, TaskKind::Regression);
      QCOMPARE(part->featureNames.size(), std::size_t(3));
      for (Index i = 0; i < part->sampleCount(); ++i)
        QCOMPARE(part->targets(0, i), 10.0 * part->inputs(0, i));
      // Each part keeps the original order.
      const auto indices = indicesOf(*part);
      QVERIFY(std::is_sorted(indices.begin(), indices.end()));
    }
  }

  void deterministicPerSeed() {
    const Dataset data = indexedData(200);
    const SplitData a = splitData(data, options(0.25, 5));
    const SplitData b = splitData(data, options(0.25, 5));
    const SplitData c = splitData(data, options(0.25, 6));
    QVERIFY(a.train.inputs == b.train.inputs);
    QVERIFY(a.validation.inputs == b.validation.inputs);
    QVERIFY(a.standardizer.mean() == b.standardizer.mean());
    QVERIFY(indicesOf(splitData(data, options(0.25, 5, false)).validation) !=
            indicesOf(splitData(data, options(0.25, 6, false)).validation));
    QVERIFY(a.validation.inputs != c.validation.inputs);
  }

  void standardisationFittedOnTrainOnly() {
    const Dataset data = indexedData(300);
    const SplitData raw = splitData(data, options(0.3, 3, false));
    const SplitData split = splitData(data, options(0.3, 3));
    // Training split: mean 0 and std 1 for every varying feature.
    for (Index f = 0; f < 2; ++f) {
      const auto row = split.train.inputs.row(f).array();
      QVERIFY(std::abs(row.mean()) < 1e-12);
      QVERIFY(std::abs(std::sqrt(row.square().mean()) - 1.0) < 1e-12);
    }
    // The statistics are those of the raw training inputs ...
    const Eigen::VectorXd trainMean = raw.train.inputs.rowwise().mean();
    QVERIFY(split.standardizer.mean().isApprox(trainMean, 1e-14));
    // ... and the validation split is mapped with them, so its mean is not forced to 0.
    for (Index f = 0; f < 2; ++f) {
      const double validationMean = split.validation.inputs.row(f).mean();
      const double expected =
          (raw.validation.inputs.row(f).mean() - trainMean(f)) / split.standardizer.stddev()(f);
      QVERIFY(std::abs(validationMean - expected) < 1e-12);
      QVERIFY(std::abs(validationMean) > 1e-6);
    }
    // Targets are left alone.
    QVERIFY(split.validation.targets == raw.validation.targets);
  }

  void constantFeatureKeepsStdOne() {
    const SplitData split = splitData(indexedData(40), options(0.25));
    QCOMPARE(split.standardizer.stddev()(2), 1.0);
    QVERIFY((split.train.inputs.row(2).array().abs() < 1e-12).all());
    QVERIFY(split.train.inputs.allFinite());
    QVERIFY(split.validation.inputs.allFinite());
  }

  void noStandardisationIsIdentity() {
    const Dataset data = indexedData(20);
    const SplitData split = splitData(data, options(0.0, 1, false));
    QVERIFY(split.train.inputs == data.inputs);
    QCOMPARE(split.standardizer.featureCount(), Index(3));
    QVERIFY(split.standardizer.transform(data.inputs) == data.inputs);
  }

  void inverseTransformRoundTrip() {
    const Dataset data = indexedData(30);
    Standardizer s;
    s.fit(data.inputs);
    const Eigen::MatrixXd back = s.inverseTransform(s.transform(data.inputs));
    QVERIFY((back - data.inputs).cwiseAbs().maxCoeff() < 1e-12);
  }

  void standardizerMisuseIsAnError() {
    Standardizer s;
    Eigen::MatrixXd inputs = Eigen::MatrixXd::Ones(2, 3);
    QVERIFY_THROWS_EXCEPTION(Error, s.apply(inputs));  // not fitted
    s.fit(inputs);
    Eigen::MatrixXd wrong = Eigen::MatrixXd::Ones(3, 3);
    QVERIFY_THROWS_EXCEPTION(Error, s.apply(wrong));
    QVERIFY_THROWS_EXCEPTION(Error, s.restore(Eigen::VectorXd::Zero(2), Eigen::VectorXd::Zero(2)));
    QVERIFY_THROWS_EXCEPTION(Error, s.fit(Eigen::MatrixXd(2, 0)));
    s.restore(Eigen::VectorXd::Ones(2), Eigen::VectorXd::Constant(2, 2.0));
    QVERIFY(
        s.transform(Eigen::MatrixXd::Constant(2, 1, 3.0)).isApprox(Eigen::MatrixXd::Ones(2, 1)));
  }

  void badFractionIsRefused_data() {
    QTest::addColumn<double>("fraction");
    QTest::newRow("negative") << -0.1;
    QTest::newRow("above 0.9") << 0.95;
    QTest::newRow("one") << 1.0;
    QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN();
  }
  void badFractionIsRefused() {
    QFETCH(double, fraction);
    try {
      splitData(indexedData(10), options(fraction));
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), QString("validationFraction"));
    }
  }

  void tooSmallDataIsRefused() {
    QVERIFY_THROWS_EXCEPTION(Error, splitData(indexedData(0), options(0.0)));
    QVERIFY_THROWS_EXCEPTION(Error, splitData(indexedData(1), options(0.5)));
    QCOMPARE(splitData(indexedData(1), options(0.0)).train.sampleCount(), Index(1));
  }

  void subsetKeepsThatManySamplesChosenBySeed() {
    const Dataset data = indexedData(1000);
    SplitOptions o = options(0.2, 7, false);
    o.subset = 100;
    const SplitData split = splitData(data, o);
    QCOMPARE(split.train.sampleCount() + split.validation.sampleCount(), Index(100));
    QCOMPARE(split.validation.sampleCount(), Index(20));
    std::vector<Index> kept = indicesOf(split.train);
    for (Index i : indicesOf(split.validation)) kept.push_back(i);
    std::sort(kept.begin(), kept.end());
    QVERIFY(std::adjacent_find(kept.begin(), kept.end()) == kept.end());
    // Drawn over the whole range, not the first 100.
    QVERIFY(kept.back() >= 500);
    // The same seed keeps the same samples; another seed others.
    QCOMPARE(indicesOf(splitData(data, o).train), indicesOf(split.train));
    o.seed = 8;
    QVERIFY(indicesOf(splitData(data, o).train) != indicesOf(split.train));
    // A subset as large as the data set is the data set.
    o.subset = 1000;
    o.seed = 7;
    QCOMPARE(indicesOf(splitData(data, o).train),
             indicesOf(splitData(data, options(0.2, 7, false)).train));
    o.subset = -1;
    QVERIFY_THROWS_EXCEPTION(Error, splitData(data, o));
  }

  void testSplitValidates() {
    Dataset data = indexedData(50);
    auto test = std::make_shared<Dataset>(indexedData(20));
    test->inputs.row(0).array() += 1000.0;  // tell test samples apart
    data.testSplit = test;
    SplitOptions o = options(0.2, 3, true);
    o.validateOnTestSplit = true;
    const SplitData split = splitData(data, o);
    QCOMPARE(split.train.sampleCount(), Index(50));
    QCOMPARE(split.validation.sampleCount(), Index(20));
    // Standardised with the training statistics: the test samples lie far above.
    QVERIFY(split.validation.inputs.row(0).minCoeff() > split.train.inputs.row(0).maxCoeff());
    QVERIFY(!split.train.testSplit);
    // With a subset, the same share of the test split.
    o.subset = 25;
    const SplitData half = splitData(data, o);
    QCOMPARE(half.train.sampleCount(), Index(25));
    QCOMPARE(half.validation.sampleCount(), Index(10));
    // Without a test split the fraction applies.
    data.testSplit.reset();
    o.subset = 0;
    QCOMPARE(splitData(data, o).validation.sampleCount(), Index(10));
    // A test split of another shape is refused.
    data.testSplit = std::make_shared<Dataset>(indexedData(5));
    auto wrong = std::make_shared<Dataset>(indexedData(5));
    wrong->inputs.conservativeResize(2, Eigen::NoChange);
    data.testSplit = wrong;
    QVERIFY_THROWS_EXCEPTION(Error, splitData(data, o));
  }

  void classificationKeepsClasses() {
    Dataset data = indexedData(10);
    data.task = TaskKind::Binary;
    data.targets = Eigen::MatrixXd::Zero(1, 10);
    data.targets.rightCols(5).setOnes();
    data.classNames = {"no", "yes"};
    const SplitData split = splitData(data, options(0.3));
    QCOMPARE(split.validation.task, TaskKind::Binary);
    QCOMPARE(split.validation.classNames, data.classNames);
    for (Index i = 0; i < split.train.sampleCount(); ++i)
      QCOMPARE(split.train.classOf(i), split.train.targets(0, i) > 0.5 ? 1 : 0);
  }
};

QTEST_GUILESS_MAIN(TestDataSplit)
#include "tst_data_split.moc"
