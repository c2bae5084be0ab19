// The model insight (what the decision-boundary panel draws for data that is not 2-D): the
// confusion matrix and the PCA projection checked against independent computations on small
// cases, and each kind (images, tabular, one-input curve) non-empty for its data.
#include <QtTest>

#include <Eigen/Eigenvalues>

#include <cmath>

#include "app/worker/model_insight_builder.h"
#include "app/worker/training_run.h"
#include "core/data/data_generators.h"
#include "core/model/random.h"
#include "core/probes/confusion_matrix.h"
#include "core/probes/principal_components.h"

using namespace gradscope;

namespace {

// A classification data set of `classes` classes whose samples are `side` x `side` images
// (pixels in [0, 1]): class k lights up the k-th band of rows, with noise.
core::Dataset bandImages(int side, int classes, int samples, std::uint64_t seed) {
  core::Dataset data;
  data.task = core::TaskKind::MultiClass;
  data.image = core::ImageShape{side, side, 1};
  data.inputs.resize(side * side, samples);
  data.targets = Eigen::MatrixXd::Zero(classes, samples);
  core::Rng rng(seed);
  for (int i = 0; i < samples; ++i) {
    const int k = i % classes;
    for (int r = 0; r < side; ++r) {
      for (int c = 0; c < side; ++c) {
        const bool lit = r * classes / side == k;
        data.inputs(r * side + c, i) = std::clamp((lit ? 0.8 : 0.1) + 0.1 * rng.normal(), 0.0, 1.0);
      }
    }
    data.targets(k, i) = 1.0;
  }
  return data;
}

core::ExperimentConfig smallNetwork(int width, core::ActivationKind activation) {
  core::ExperimentConfig config;
  config.model.hiddenLayers = 1;
  config.model.width = width;
  config.model.hiddenActivation = core::ActivationSpec{activation};
  config.split.validationFraction = 0.0;  // the insight then evaluates the training set, in order
  config.split.standardize = false;
  config.training.batchSize = 16;
  return config;
}

// The network 'inputs -> width (activation) -> outputs' evaluated from its tensors, by hand.
Eigen::MatrixXd forwardByHand(const app::TrainingRun& run, const Eigen::MatrixXd& x,
                              Eigen::MatrixXd* hidden = nullptr) {
  const Eigen::MatrixXd k1 = run.tensor("layers[0].kernel"), b1 = run.tensor("layers[0].bias");
  const Eigen::MatrixXd k2 = run.tensor("layers[1].kernel"), b2 = run.tensor("layers[1].bias");
  Eigen::MatrixXd z1 = (k1.transpose() * x).colwise() + b1.col(0);
  const Eigen::MatrixXd h = z1.array().tanh().matrix();
  if (hidden) *hidden = h;
  return (k2.transpose() * h).colwise() + b2.col(0);  // logits (softmax keeps the argmax)
}

// The largest eigenvector of a symmetric matrix by power iteration (independent of Eigen's
// eigen-solver used by principalComponents).
Eigen::VectorXd powerIteration(const Eigen::MatrixXd& a) {
  Eigen::VectorXd v = Eigen::VectorXd::Ones(a.rows()).normalized();
  for (int i = 0; i < 2000; ++i) v = (a * v).normalized();
  return v;
}

}  // namespace

class TestModelInsight : public QObject {
  Q_OBJECT
 private slots:
  void confusionMatrixCountsPairs();
  void principalComponentsOfAKnownCloud();
  void principalComponentsMatchPowerIteration();
  void imagesGivePredictionsConfusionAndWeights();
  void tabularGivesConfusionAndProjection();
  void regressionCurveFollowsTheNetwork();
  void tablesOfSquareWidthAreNotImages();
  void planarDataHasNoInsight();
};

void TestModelInsight::confusionMatrixCountsPairs() {
  // Rows true, columns predicted: three classes, seven samples, counted by hand.
  const std::vector<int> truth{0, 0, 1, 2, 2, 2, 1};
  const std::vector<int> predicted{0, 1, 1, 2, 0, 2, 1};
  const core::ConfusionMatrix m = core::confusionMatrix(truth, predicted, 3);
  const std::int64_t expected[3][3] = {{1, 1, 0}, {0, 2, 0}, {1, 0, 2}};
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) QCOMPARE(m.count(r, c), expected[r][c]);
  }
  QCOMPARE(m.total(), std::int64_t(7));
  QCOMPARE(m.classAccuracy(0), 0.5);
  QCOMPARE(m.classAccuracy(1), 1.0);
  QCOMPARE(m.classAccuracy(2), 2.0 / 3.0);
  QCOMPARE(m.accuracy(), 5.0 / 7.0);
  // A class without samples has no accuracy; labels out of range are not counted.
  core::ConfusionMatrix sparse(4);
  sparse.add(0, 0);
  sparse.add(5, 1);
  QVERIFY(std::isnan(sparse.classAccuracy(3)));
  QCOMPARE(sparse.total(), std::int64_t(1));
}

void TestModelInsight::principalComponentsOfAKnownCloud() {
  // Four points on two orthogonal axes of lengths 3 and 1, rotated into 3-D: the components
  // are the rotated axes, with variances 18/3 and 2/3 (n - 1 = 3).
  const Eigen::Matrix3d rotation = (Eigen::AngleAxisd(0.4, Eigen::Vector3d::UnitZ()) *
                                    Eigen::AngleAxisd(-0.7, Eigen::Vector3d(1, 1, 0).normalized()))
                                       .toRotationMatrix();
  Eigen::MatrixXd flat(3, 4);
  flat << 3, -3, 0, 0, 0, 0, 1, -1, 0, 0, 0, 0;
  const Eigen::Vector3d offset(5, -2, 1);
  const Eigen::MatrixXd data = (rotation * flat).colwise() + offset;
  const core::PrincipalComponents pca = core::principalComponents(data, 2);
  QVERIFY(pca.mean.isApprox(offset, 1e-12));
  QCOMPARE(pca.variances.size(), Eigen::Index(2));
  QVERIFY(std::abs(pca.variances(0) - 6.0) < 1e-10);
  QVERIFY(std::abs(pca.variances(1) - 2.0 / 3.0) < 1e-10);
  QVERIFY(std::abs(pca.totalVariance - 20.0 / 3.0) < 1e-10);
  QVERIFY(std::abs(std::abs(pca.directions.col(0).dot(rotation.col(0))) - 1.0) < 1e-10);
  QVERIFY(std::abs(std::abs(pca.directions.col(1).dot(rotation.col(1))) - 1.0) < 1e-10);
  // The projection: +-3 on the first axis for the first two points, +-1 on the second.
  QVERIFY(std::abs(std::abs(pca.projection(0, 0)) - 3.0) < 1e-10);
  QVERIFY(std::abs(pca.projection(0, 0) + pca.projection(0, 1)) < 1e-10);
  QVERIFY(std::abs(std::abs(pca.projection(1, 2)) - 1.0) < 1e-10);
  QVERIFY(std::abs(pca.projection(0, 2)) < 1e-10);
  // Each direction's largest entry is positive (no mirroring between refreshes).
  for (int c = 0; c < 2; ++c) {
    Eigen::Index i = 0;
    pca.directions.col(c).cwiseAbs().maxCoeff(&i);
    QVERIFY(pca.directions(i, c) > 0);
  }
}

void TestModelInsight::principalComponentsMatchPowerIteration() {
  core::Rng rng(7);
  Eigen::MatrixXd data(6, 300);
  for (Eigen::Index j = 0; j < data.cols(); ++j) {
    for (Eigen::Index i = 0; i < data.rows(); ++i) data(i, j) = rng.normal() * double(i + 1);
  }
  data.row(2) += 0.8 * data.row(5);
  const core::PrincipalComponents pca = core::principalComponents(data, 2);
  const Eigen::MatrixXd centred = data.colwise() - data.rowwise().mean();
  const Eigen::MatrixXd cov = centred * centred.transpose() / double(data.cols() - 1);
  const Eigen::VectorXd v1 = powerIteration(cov);
  QVERIFY(std::abs(std::abs(v1.dot(pca.directions.col(0))) - 1.0) < 1e-8);
  QVERIFY(std::abs(v1.dot(cov * v1) - pca.variances(0)) < 1e-8 * pca.variances(0));
  // The second component: power iteration with the first one removed.
  const Eigen::MatrixXd deflated = cov - pca.variances(0) * v1 * v1.transpose();
  const Eigen::VectorXd v2 = powerIteration(deflated);
  QVERIFY(std::abs(std::abs(v2.dot(pca.directions.col(1))) - 1.0) < 1e-6);
  const Eigen::RowVectorXd projected = v1.transpose() * centred;
  QVERIFY(projected.cwiseAbs().isApprox(pca.projection.row(0).cwiseAbs(), 1e-8));
}

void TestModelInsight::imagesGivePredictionsConfusionAndWeights() {
  const core::Dataset data = bandImages(8, 4, 200, 3);
  auto run = app::TrainingRun::create(smallNetwork(12, core::ActivationKind::Tanh), data);
  for (int i = 0; i < 30; ++i) run->step();
  const auto insight = run->modelInsight();
  QVERIFY(insight);
  QVERIFY(insight->kind == app::ModelInsight::Kind::Images);
  QCOMPARE(insight->imageRows, 8);
  QCOMPARE(insight->imageColumns, 8);
  QCOMPARE(insight->classes, 4);
  QCOMPARE(int(insight->images.size()), app::ModelInsight::kMaxImages);
  QCOMPARE(insight->images.front().pixels.size(), std::size_t(64));
  // The images are the data's own pixels (not standardised).
  for (int p = 0; p < 64; ++p)
    QCOMPARE(insight->images[5].pixels[std::size_t(p)], float(data.inputs(p, 5)));
  // First layer: one 8x8 weight image per unit, the kernel's columns.
  QCOMPARE(insight->firstLayerUnits, 12);
  QCOMPARE(insight->unitWeights.size(), std::size_t(12));
  const Eigen::MatrixXd kernel = run->tensor("layers[0].kernel");
  QCOMPARE(insight->unitWeights[3][10], float(kernel(10, 3)));
  // The confusion matrix, counted again from predictions computed by hand.
  const Eigen::MatrixXd logits = forwardByHand(*run, data.inputs);
  std::vector<std::int64_t> counts(16, 0);
  for (Eigen::Index i = 0; i < data.inputs.cols(); ++i) {
    Eigen::Index predicted = 0;
    logits.col(i).maxCoeff(&predicted);
    ++counts[std::size_t(data.classOf(i) * 4 + int(predicted))];
  }
  QCOMPARE(insight->evaluated, 200);
  QVERIFY(insight->confusion == counts);
  std::int64_t correct = 0;
  for (int k = 0; k < 4; ++k) correct += counts[std::size_t(k * 5)];
  QCOMPARE(insight->accuracy, double(correct) / 200.0);
  for (int i = 0; i < 24; ++i) {
    Eigen::Index predicted = 0;
    logits.col(i).maxCoeff(&predicted);
    QCOMPARE(insight->images[std::size_t(i)].predictedClass, int(predicted));
    QCOMPARE(insight->images[std::size_t(i)].trueClass, data.classOf(i));
  }
}

void TestModelInsight::tabularGivesConfusionAndProjection() {
  core::DataSpec spec;
  spec.kind = core::DatasetKind::Teacher;
  spec.features = 10;
  spec.classes = 3;
  spec.samples = 300;
  const core::Dataset data = core::generate(spec);
  auto run = app::TrainingRun::create(smallNetwork(6, core::ActivationKind::Tanh), data);
  for (int i = 0; i < 20; ++i) run->step();
  const auto insight = run->modelInsight();
  QVERIFY(insight);
  QVERIFY(insight->kind == app::ModelInsight::Kind::Tabular);
  QCOMPARE(insight->confusion.size(), std::size_t(9));
  std::int64_t total = 0;
  for (const std::int64_t n : insight->confusion) total += n;
  QCOMPARE(total, std::int64_t(300));
  QCOMPARE(insight->projectedLayer, 0);
  QCOMPARE(insight->projectedUnits, 6);
  QCOMPARE(insight->projectionX.size(), std::size_t(300));
  // The projection, computed again from the hidden activations by hand and power iteration.
  Eigen::MatrixXd hidden;
  forwardByHand(*run, data.inputs, &hidden);
  const Eigen::MatrixXd centred = hidden.colwise() - hidden.rowwise().mean();
  const Eigen::MatrixXd cov = centred * centred.transpose() / double(hidden.cols() - 1);
  const Eigen::VectorXd v1 = powerIteration(cov);
  for (Eigen::Index i = 0; i < 300; i += 37) {
    const double expected = std::abs(v1.dot(centred.col(i)));
    QVERIFY2(std::abs(std::abs(double(insight->projectionX[std::size_t(i)])) - expected) < 1e-4,
             qPrintable(QString::number(expected)));
  }
  QVERIFY(insight->explainedX >= insight->explainedY && insight->explainedY > 0.0);
  QVERIFY(insight->explainedX + insight->explainedY <= 1.0 + 1e-9);
  QCOMPARE(insight->projectionValue[4], float(data.classOf(4)));
}

void TestModelInsight::regressionCurveFollowsTheNetwork() {
  core::ExperimentConfig config = smallNetwork(8, core::ActivationKind::Tanh);
  config.data.kind = core::DatasetKind::Sine;
  config.data.samples = 100;
  config.split.validationFraction = 0.2;
  auto run = app::TrainingRun::create(config);
  for (int i = 0; i < 10; ++i) run->step();
  const auto insight = run->modelInsight();
  QVERIFY(insight);
  QVERIFY(insight->kind == app::ModelInsight::Kind::Curve);
  QVERIFY(!insight->classification);
  QCOMPARE(insight->curveX.size(), std::size_t(app::kCurvePoints));
  QCOMPARE(insight->pointX.size(), std::size_t(100));
  QCOMPARE(std::count(insight->pointValidation.begin(), insight->pointValidation.end(), true), 20);
  // The curve is the network's output at its x (inputs not standardised here).
  Eigen::MatrixXd x(1, 3);
  x << insight->curveX[0], insight->curveX[77], insight->curveX[199];
  const Eigen::MatrixXd y = forwardByHand(*run, x);
  QVERIFY(std::abs(y(0, 0) - insight->curveY[0]) < 1e-4);
  QVERIFY(std::abs(y(0, 1) - insight->curveY[77]) < 1e-4);
  QVERIFY(std::abs(y(0, 2) - insight->curveY[199]) < 1e-4);
  // The curve spans the data.
  const auto [lo, hi] = std::minmax_element(insight->pointX.begin(), insight->pointX.end());
  QVERIFY(insight->curveX.front() < *lo && insight->curveX.back() > *hi);
}

void TestModelInsight::tablesOfSquareWidthAreNotImages() {
  core::Dataset data = bandImages(8, 4, 100, 5);
  data.image = core::ImageShape{};  // 64 columns of a table
  auto run = app::TrainingRun::create(smallNetwork(4, core::ActivationKind::Tanh), data);
  const auto insight = run->modelInsight();
  QVERIFY(insight);
  QVERIFY(insight->kind == app::ModelInsight::Kind::Tabular);
  QVERIFY(insight->images.empty());
}

void TestModelInsight::planarDataHasNoInsight() {
  auto run = app::TrainingRun::create(core::ExperimentConfig{});
  QVERIFY(!run->modelInsight());
  QVERIFY(run->decisionField(8));
}

QTEST_GUILESS_MAIN(TestModelInsight)
#include "tst_model_insight.moc"
