// Sharpness: the Hessian-vector product against the analytic Hessian of a linear model with
// MSE (2/n [X;1][X;1]^T) and against second differences of the loss; lambda_max by power
// iteration against a dense eigen-decomposition of the full Hessian built column by column
// from the products, raw and preconditioned (Adam); the stability thresholds.
#include <QtTest>

#include <Eigen/Eigenvalues>

#include <cmath>

#include "core/model/network.h"
#include "core/model/trainer.h"
#include "core/sharpness/hessian_vector_product.h"
#include "core/sharpness/power_iteration.h"
#include "core/sharpness/sharpness_meter.h"
#include "core/sharpness/stability_rule.h"

using namespace gradscope::core;

namespace {

Eigen::MatrixXd randomMatrix(Index rows, Index cols, Rng& rng) {
  Eigen::MatrixXd m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m(i) = rng.normal();
  return m;
}

Eigen::VectorXd randomVector(Index n, Rng& rng) { return randomMatrix(n, 1, rng); }

double relativeError(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return (a - b).norm() / std::max(1e-300, b.norm());
}

// A small tanh MLP (inputs-4-3-outputs) with its initial weights.
Network<double> smallNetwork(Index inputs, Index outputs, ActivationKind output, Rng& rng) {
  NetworkSpec spec;
  spec.inputs = inputs;
  spec.layers = {LayerSpec::dense(4, ActivationKind::Tanh),
                 LayerSpec::dense(3, ActivationKind::Tanh), LayerSpec::dense(outputs, output)};
  Network<double> net(spec);
  net.initialize(rng);
  return net;
}

// The full Hessian, one product with each unit vector per column, symmetrised.
Eigen::MatrixXd denseHessian(HessianVectorProduct& hvp) {
  const Index n = hvp.size();
  Eigen::MatrixXd h(n, n);
  for (Index j = 0; j < n; ++j) h.col(j) = hvp.apply(Eigen::VectorXd::Unit(n, j));
  return (h + h.transpose()) / 2.0;
}

Dataset binaryData(Index samples, Rng& rng) {
  Dataset d;
  d.task = TaskKind::Binary;
  d.inputs = randomMatrix(2, samples, rng);
  d.targets.resize(1, samples);
  for (Index i = 0; i < samples; ++i) {
    d.targets(0, i) = d.inputs(0, i) * d.inputs(1, i) > 0.0 ? 1.0 : 0.0;
  }
  return d;
}

}  // namespace

class TestSharpness : public QObject {
  Q_OBJECT

 private slots:
  // MSE of a linear model z = K^T x + b over n samples (one output):
  // L = 1/n sum (z - y)^2, so H = 2/n A A^T with A = [X; 1] (kernel first, then bias).
  void productMatchesLinearModelHessian() {
    Rng rng(3);
    NetworkSpec spec;
    spec.inputs = 3;
    spec.layers = {LayerSpec::dense(1, ActivationKind::Linear)};
    Network<double> net(spec);
    net.initialize(rng);
    const Index n = 20;
    const Eigen::MatrixXd x = randomMatrix(3, n, rng), y = randomMatrix(1, n, rng);
    HessianVectorProduct hvp;
    hvp.setBatch(x, y);
    hvp.setPoint(net, LossKind::MeanSquaredError);
    Eigen::MatrixXd a(4, n);
    a << x, Eigen::RowVectorXd::Ones(n);
    const Eigen::MatrixXd exact = 2.0 / double(n) * a * a.transpose();
    for (int trial = 0; trial < 5; ++trial) {
      const Eigen::VectorXd v = randomVector(4, rng);
      const double error = relativeError(hvp.apply(v), exact * v);
      QVERIFY2(error < 1e-7, qPrintable(QString("relative error %1").arg(error)));
    }
    // Its eigenvalues, by power iteration, as the dense solver gives them.
    PowerIterationSettings tight;
    tight.maxIterations = 500;
    tight.tolerance = 1e-12;
    PowerIteration power(tight);
    const EigenEstimate top =
        power.largest([&](const Eigen::VectorXd& v) { return hvp.apply(v); }, hvp.size());
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(exact);
    QVERIFY(top.converged);
    QVERIFY(std::abs(top.value - solver.eigenvalues().maxCoeff()) < 1e-6 * top.value);
  }

  // v^T H v against the second difference of the loss, and the symmetry u^T H v = v^T H u,
  // on a tanh network with a fused sigmoid cross-entropy, with L2 and dropout.
  void productMatchesSecondDifferences() {
    Rng rng(5);
    NetworkSpec spec;
    spec.inputs = 2;
    LayerSpec hidden = LayerSpec::dense(5, ActivationKind::Tanh);
    hidden.l2 = 0.01;
    LayerSpec dropout;
    dropout.kind = LayerKind::Dropout;
    dropout.rate = 0.2;
    spec.layers = {hidden, dropout, LayerSpec::dense(1, ActivationKind::Sigmoid)};
    Network<double> net(spec);
    net.initialize(rng);
    Dataset data = binaryData(30, rng);
    HessianVectorProduct hvp;
    hvp.setBatch(data.inputs, data.targets);
    hvp.setPoint(net, LossKind::BinaryCrossentropy);
    const Eigen::VectorXd w = hvp.point();
    for (int trial = 0; trial < 4; ++trial) {
      const Eigen::VectorXd v = randomVector(hvp.size(), rng).normalized();
      const Eigen::VectorXd u = randomVector(hvp.size(), rng).normalized();
      const double h = 1e-4;
      const double second =
          (hvp.lossAt(w + h * v) - 2.0 * hvp.lossAt(w) + hvp.lossAt(w - h * v)) / (h * h);
      const Eigen::VectorXd hv = hvp.apply(v);
      const double quadratic = v.dot(hv);
      QVERIFY2(std::abs(quadratic - second) < 1e-5 * std::max(1.0, std::abs(second)),
               qPrintable(QString("v'Hv %1, second difference %2").arg(quadratic).arg(second)));
      const double uHv = u.dot(hv), vHu = v.dot(hvp.apply(u));
      QVERIFY2(std::abs(uHv - vHu) < 1e-7 * std::max(1.0, std::abs(uHv)),
               qPrintable(QString("u'Hv %1, v'Hu %2").arg(uHv).arg(vHu)));
    }
  }

  // Float32 networks are measured in float64: the same curvature as the float64 copy.
  void floatNetworkMeasuredInDouble() {
    Rng rng(7);
    Network<double> net = smallNetwork(2, 1, ActivationKind::Sigmoid, rng);
    Network<float> single(net.spec());
    single.parameters() = net.parameters().cast<float>();
    Dataset data = binaryData(25, rng);
    HessianVectorProduct a, b;
    a.setBatch(data.inputs, data.targets);
    b.setBatch(data.inputs, data.targets);
    net.parameters() = single.parameters().cast<double>();
    a.setPoint(net, LossKind::BinaryCrossentropy);
    b.setPoint(single, LossKind::BinaryCrossentropy);
    const Eigen::VectorXd v = randomVector(a.size(), rng);
    QCOMPARE(relativeError(b.apply(v), a.apply(v)), 0.0);
  }

  void lambdaMaxMatchesDenseEigenDecomposition_data() {
    QTest::addColumn<int>("loss");
    QTest::newRow("mse") << int(LossKind::MeanSquaredError);
    QTest::newRow("binary crossentropy") << int(LossKind::BinaryCrossentropy);
    QTest::newRow("categorical crossentropy") << int(LossKind::CategoricalCrossentropy);
  }
  // Power iteration, with the budget and tolerance the chart uses after enough iterations,
  // agrees with the largest eigenvalue of the dense Hessian.
  void lambdaMaxMatchesDenseEigenDecomposition() {
    QFETCH(int, loss);
    const auto kind = LossKind(loss);
    Rng rng(11 + std::uint64_t(loss));
    const Index outputs = kind == LossKind::CategoricalCrossentropy ? 3 : 1;
    const ActivationKind out = kind == LossKind::MeanSquaredError     ? ActivationKind::Linear
                               : kind == LossKind::BinaryCrossentropy ? ActivationKind::Sigmoid
                                                                      : ActivationKind::Softmax;
    Network<double> net = smallNetwork(2, outputs, out, rng);
    const Index n = 40;
    const Eigen::MatrixXd x = randomMatrix(2, n, rng);
    Eigen::MatrixXd y = Eigen::MatrixXd::Zero(outputs, n);
    for (Index i = 0; i < n; ++i) {
      if (kind == LossKind::MeanSquaredError) y(0, i) = std::sin(2.0 * x(0, i)) + x(1, i);
      if (kind == LossKind::BinaryCrossentropy) y(0, i) = x(0, i) * x(1, i) > 0 ? 1.0 : 0.0;
      if (kind == LossKind::CategoricalCrossentropy) y(Index(rng.below(3)), i) = 1.0;
    }
    HessianVectorProduct hvp;
    hvp.setBatch(x, y);
    hvp.setPoint(net, kind);
    const Eigen::MatrixXd dense = denseHessian(hvp);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(dense);
    const double expected = solver.eigenvalues().maxCoeff();

    PowerIterationSettings settings;
    settings.maxIterations = 2000;
    settings.tolerance = 1e-10;
    PowerIteration power(settings);
    const EigenEstimate top =
        power.largest([&](const Eigen::VectorXd& v) { return hvp.apply(v); }, hvp.size());
    qInfo("%s: lambda_max %.6f (dense %.6f, smallest %.6f) after %d products",
          QTest::currentDataTag(), top.value, expected, solver.eigenvalues().minCoeff(),
          top.products);
    QVERIFY(top.converged);
    QVERIFY(std::abs(top.value - expected) < 1e-4 * std::abs(expected));
    // The eigenvector too (up to sign).
    Eigen::Index best = 0;
    solver.eigenvalues().maxCoeff(&best);
    QVERIFY(std::abs(power.vector().dot(solver.eigenvectors().col(best))) > 0.99);

    // Warm start: at the same point the next estimate needs only the products that confirm
    // convergence (two, or three when the vector still moves at the tolerance).
    const EigenEstimate again =
        power.largest([&](const Eigen::VectorXd& v) { return hvp.apply(v); }, hvp.size());
    QVERIFY2(again.products <= 3, qPrintable(QString::number(again.products)));
    QVERIFY(std::abs(again.value - expected) < 1e-4 * std::abs(expected));
  }

  // A dominant negative eigenvalue does not hide the largest one.
  void negativeDominantEigenvalue() {
    Eigen::MatrixXd a = Eigen::Vector3d(-5.0, 2.0, 1.0).asDiagonal();
    Rng rng(1);
    // Rotate so that no axis is special.
    const Eigen::MatrixXd q =
        Eigen::HouseholderQR<Eigen::MatrixXd>(randomMatrix(3, 3, rng)).householderQ() *
        Eigen::MatrixXd::Identity(3, 3);
    a = q * a * q.transpose();
    PowerIterationSettings settings;
    settings.maxIterations = 500;
    settings.tolerance = 1e-12;
    PowerIteration power(settings);
    const EigenEstimate top = power.largest([&](const Eigen::VectorXd& v) { return a * v; }, 3);
    QVERIFY(std::abs(top.value - 2.0) < 1e-8);
  }

  void thresholds_data() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<double>("momentum");
    QTest::addColumn<bool>("nesterov");
    QTest::addColumn<double>("expected");  // at lr 0.1
    QTest::newRow("gradient descent") << int(OptimizerKind::Sgd) << 0.0 << false << 20.0;
    QTest::newRow("heavy ball 0.9") << int(OptimizerKind::Momentum) << 0.9 << false << 38.0;
    QTest::newRow("nesterov 0.9") << int(OptimizerKind::Nesterov) << 0.9 << true << 38.0 / 2.8;
    QTest::newRow("adam") << int(OptimizerKind::Adam) << 0.0 << false << 380.0;
  }
  void thresholds() {
    QFETCH(int, kind);
    QFETCH(double, momentum);
    QFETCH(bool, nesterov);
    QFETCH(double, expected);
    OptimizerSettings s = OptimizerSettings::defaultsFor(OptimizerKind(kind));
    s.momentum = momentum;
    s.nesterov = nesterov;
    const auto optimizer = makeOptimizer<double>(s);
    const StabilityRule rule = stabilityRule(*optimizer, 0.1);
    QVERIFY(std::abs(rule.threshold - expected) < 1e-12 * expected);
  }

  // The meter on a trainer with Adam: the preconditioned sharpness is the top eigenvalue of
  // P^-1 H (a generalised eigenproblem H x = lambda P x, solved densely), with Adam's P.
  void preconditionedSharpnessWithAdam() {
    Rng rng(13);
    Dataset data = binaryData(64, rng);
    NetworkSpec spec;
    spec.inputs = 2;
    spec.layers = {LayerSpec::dense(4, ActivationKind::Tanh),
                   LayerSpec::dense(1, ActivationKind::Sigmoid)};
    OptimizerSettings adam = OptimizerSettings::defaultsFor(OptimizerKind::Adam);
    adam.learningRate = 0.01;
    TrainingSettings training;
    training.batchSize = 64;
    Trainer<double> trainer(spec, LossKind::BinaryCrossentropy, data, Dataset{}, adam,
                            ScheduleSettings{}, training);
    SharpnessSettings settings;
    settings.iteration.maxIterations = 2000;
    settings.iteration.tolerance = 1e-11;
    SharpnessMeter meter(settings);
    QVERIFY(!meter.measure(trainer, data));  // no preconditioner before the first step
    for (int i = 0; i < 20; ++i) trainer.step();
    const auto measured = meter.measure(trainer, data);
    QVERIFY(measured && measured->preconditioned);
    QCOMPARE(measured->samples, Index(64));
    const StabilityRule rule = stabilityRule(trainer.optimizer(), trainer.currentLearningRate());
    QCOMPARE(measured->threshold, rule.threshold);
    const Eigen::MatrixXd h = denseHessian(meter.hessian());
    Eigen::GeneralizedSelfAdjointEigenSolver<Eigen::MatrixXd> solver(
        h, Eigen::MatrixXd(rule.preconditioner.asDiagonal()));
    const double expected = solver.eigenvalues().maxCoeff();
    qInfo("Adam: preconditioned sharpness %.4f (dense %.4f), threshold %.1f", measured->lambdaMax,
          expected, measured->threshold);
    QVERIFY(std::abs(measured->lambdaMax - expected) < 1e-4 * std::abs(expected));
  }

  // More samples than the full-batch limit: a fixed batch spread evenly over the set.
  void fixedBatchForLargeData() {
    SharpnessSettings settings;
    settings.fullBatchLimit = 100;
    settings.fixedBatch = 10;
    SharpnessMeter meter(settings);
    QCOMPARE(meter.batchIndices(50).size(), std::size_t(50));
    const std::vector<Index> indices = meter.batchIndices(1000);
    QCOMPARE(indices.size(), std::size_t(10));
    QCOMPARE(indices.front(), Index(0));
    QCOMPARE(indices.back(), Index(900));
    // A large network takes fewer: the work budget over its parameters, never below 8.
    settings.workBudget = 1000;
    SharpnessMeter budgeted(settings);
    QCOMPARE(budgeted.batchIndices(1000, 10).size(), std::size_t(10));  // 100 affordable
    QCOMPARE(budgeted.batchIndices(1000, 250).size(), std::size_t(8));  // 4: raised to 8
    QCOMPARE(budgeted.batchIndices(50, 100).size(), std::size_t(10));   // full batch capped
    QCOMPARE(budgeted.batchIndices(1000, 100).back(), Index(900));
  }
};

QTEST_GUILESS_MAIN(TestSharpness)
#include "tst_sharpness.moc"
