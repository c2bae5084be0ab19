// Layers on their own: BatchNormalization in training mode (batch statistics, moving averages
// with momentum 0.99 and the biased variance), inference mode and trainable = false; Dropout's
// inverted scaling; AlphaDropout's preserved mean and variance; Dense against x K + b by hand.
#include <QtTest>

#include <cmath>

#include "core/layers/activation_layer.h"
#include "core/layers/batch_norm_layer.h"
#include "core/layers/dense_layer.h"
#include "core/layers/dropout_layers.h"

using namespace gradscope::core;

namespace {

// A layer bound to its own flat parameter and gradient vectors, as the network would do.
template <typename L>
struct Bound {
  L layer;
  Vector<double> params;
  Vector<double> grads;
  Bound(const LayerSpec& spec, Index inputs) : layer(spec, inputs) {
    Index size = 0;
    for (const auto& shape : layer.tensorShapes()) size += shape.rows * shape.cols;
    params.setZero(size);
    grads.setZero(size);
    layer.bind(params.data(), grads.data());
    Rng rng(0);
    layer.initialize(rng);
  }
};

// Three features with different means and spreads; feature 2's variance (about 1e-3) is of
// the order of epsilon, so that var / (var + eps) is far from 1.
Matrix<double> batchNormInput(Index batch, std::uint64_t seed) {
  Rng rng(seed);
  Matrix<double> x(3, batch);
  for (Index j = 0; j < batch; ++j) {
    x(0, j) = 5.0 + 2.0 * rng.normal();
    x(1, j) = -3.0 + 0.5 * rng.normal();
    x(2, j) = 0.25 + 0.03 * rng.normal();
  }
  return x;
}

Vector<double> rowMeans(const Matrix<double>& x) { return x.rowwise().mean(); }
Vector<double> rowBiasedVariances(const Matrix<double>& x) {
  return (x.colwise() - rowMeans(x)).array().square().rowwise().mean();
}

double fractionEqual(const Matrix<double>& x, double value) {
  return double((x.array() == value).count()) / double(x.size());
}

}  // namespace

class TestLayers : public QObject {
  Q_OBJECT
 private slots:
  void batchNormDefaults() {
    // Keras BatchNormalization: momentum 0.99, epsilon 1e-3, center, scale; gamma 1, beta 0,
    // moving mean 0, moving variance 1.
    const LayerSpec spec = LayerSpec::batchNormalization();
    QCOMPARE(spec.momentum, 0.99);
    QCOMPARE(spec.epsilon, 1e-3);
    QVERIFY(spec.center && spec.scale && spec.trainable);
    Bound<BatchNormLayer<double>> bn(spec, 3);
    QCOMPARE(bn.layer.tensorShapes().size(), std::size_t(2));
    QCOMPARE(bn.params.size(), 6);
    QVERIFY((bn.layer.gamma().array() == 1.0).all());
    QVERIFY((bn.layer.beta().array() == 0.0).all());
    QVERIFY((bn.layer.movingMean().array() == 0.0).all());
    QVERIFY((bn.layer.movingVariance().array() == 1.0).all());
  }

  void batchNormTrainingUsesBatchStatistics() {
    Bound<BatchNormLayer<double>> bn(LayerSpec::batchNormalization(), 3);
    const Matrix<double> x = batchNormInput(64, 1);
    const Vector<double> mu = rowMeans(x);
    const Vector<double> var = rowBiasedVariances(x);
    QVERIFY(var(2) > 5e-4 && var(2) < 2e-3);
    Matrix<double> y;
    Rng rng(0);
    bn.layer.forward(x, y, Mode::Training, rng);
    QCOMPARE(y.rows(), 3);
    QCOMPARE(y.cols(), 64);
    // Per feature: mean 0 and (biased) variance var / (var + eps) with gamma 1, beta 0.
    const Vector<double> outMean = rowMeans(y);
    const Vector<double> outVar = rowBiasedVariances(y);
    for (Index k = 0; k < 3; ++k) {
      QVERIFY(std::abs(outMean(k)) < 1e-12);
      QVERIFY2(std::abs(outVar(k) - var(k) / (var(k) + 1e-3)) < 1e-12,
               qPrintable(QString::number(outVar(k))));
    }
    QVERIFY(outVar(2) < 0.7);  // eps matters for the narrow feature
    // Element by element: (x - mu) / sqrt(var + eps).
    for (Index j = 0; j < 64; j += 7) {
      for (Index k = 0; k < 3; ++k) {
        QVERIFY(std::abs(y(k, j) - (x(k, j) - mu(k)) / std::sqrt(var(k) + 1e-3)) < 1e-12);
      }
    }
    QVERIFY((bn.layer.batchMean() - mu).cwiseAbs().maxCoeff() < 1e-12);
    QVERIFY((bn.layer.batchVariance() - var).cwiseAbs().maxCoeff() < 1e-12);
  }

  void batchNormMovingStatisticsFollowMomentum() {
    Bound<BatchNormLayer<double>> bn(LayerSpec::batchNormalization(), 3);
    Rng rng(0);
    Matrix<double> y;
    // Keras: moving = 0.99 moving + 0.01 batch, with the biased batch variance.
    Vector<double> expectedMean = Vector<double>::Zero(3);
    Vector<double> expectedVar = Vector<double>::Ones(3);
    for (int step = 0; step < 3; ++step) {
      const Matrix<double> x = batchNormInput(8, 10 + std::uint64_t(step));
      expectedMean = 0.99 * expectedMean + 0.01 * rowMeans(x);
      expectedVar = 0.99 * expectedVar + 0.01 * rowBiasedVariances(x);
      bn.layer.forward(x, y, Mode::Training, rng);
      QVERIFY((bn.layer.movingMean() - expectedMean).cwiseAbs().maxCoeff() < 1e-14);
      QVERIFY((bn.layer.movingVariance() - expectedVar).cwiseAbs().maxCoeff() < 1e-14);
    }
    // The unbiased estimate (n / (n - 1)) would differ noticeably with a batch of 8.
    const Matrix<double> x = batchNormInput(8, 99);
    const Vector<double> before = bn.layer.movingVariance();
    bn.layer.forward(x, y, Mode::Training, rng);
    const Vector<double> unbiased = 0.99 * before + 0.01 * rowBiasedVariances(x) * 8.0 / 7.0;
    QVERIFY(std::abs(bn.layer.movingVariance()(0) - unbiased(0)) > 1e-4);
  }

  void batchNormMomentumIsASetting() {
    LayerSpec spec = LayerSpec::batchNormalization();
    spec.momentum = 0.5;
    Bound<BatchNormLayer<double>> bn(spec, 3);
    const Matrix<double> x = batchNormInput(16, 3);
    Matrix<double> y;
    Rng rng(0);
    bn.layer.forward(x, y, Mode::Training, rng);
    QVERIFY((bn.layer.movingMean() - 0.5 * rowMeans(x)).cwiseAbs().maxCoeff() < 1e-14);
    const Vector<double> expectedVar = (0.5 + 0.5 * rowBiasedVariances(x).array()).matrix();
    QVERIFY((bn.layer.movingVariance() - expectedVar).cwiseAbs().maxCoeff() < 1e-14);
  }

  void batchNormInferenceUsesMovingStatistics() {
    Bound<BatchNormLayer<double>> bn(LayerSpec::batchNormalization(), 3);
    // gamma (2, 1, 0.5), beta (0.5, -1, 0) in the flat parameter vector.
    bn.params << 2, 1, 0.5, 0.5, -1, 0;
    auto buffers = bn.layer.buffers();
    QCOMPARE(buffers.size(), std::size_t(2));
    QCOMPARE(buffers[0].name, std::string("moving_mean"));
    QCOMPARE(buffers[1].name, std::string("moving_variance"));
    *buffers[0].values << 1, 2, 3;
    *buffers[1].values << 4, 0.25, 1;
    const Vector<double> mm = bn.layer.movingMean();
    const Vector<double> mv = bn.layer.movingVariance();
    const Matrix<double> x = batchNormInput(10, 4);
    Matrix<double> y;
    Rng rng(0);
    bn.layer.forward(x, y, Mode::Inference, rng);
    for (Index j = 0; j < 10; ++j) {
      for (Index k = 0; k < 3; ++k) {
        const double expected =
            bn.params(k) * (x(k, j) - mm(k)) / std::sqrt(mv(k) + 1e-3) + bn.params(3 + k);
        QVERIFY(std::abs(y(k, j) - expected) < 1e-12);
      }
    }
    // Inference does not touch the moving statistics.
    QCOMPARE(bn.layer.movingMean(), mm);
    QCOMPARE(bn.layer.movingVariance(), mv);
    // Batch of one: each sample's output depends on that sample only.
    Matrix<double> single = x.col(3), y1;
    bn.layer.forward(single, y1, Mode::Inference, rng);
    QVERIFY((y1.col(0) - y.col(3)).cwiseAbs().maxCoeff() < 1e-15);
  }

  void batchNormInferenceBackwardIsAffine() {
    Bound<BatchNormLayer<double>> bn(LayerSpec::batchNormalization(), 3);
    bn.params << 2, 1, 0.5, 0, 0, 0;
    *bn.layer.buffers()[1].values << 4, 0.25, 1;
    const Matrix<double> x = batchNormInput(5, 5);
    Matrix<double> y, gradIn;
    Rng rng(0);
    bn.layer.forward(x, y, Mode::Inference, rng);
    const Matrix<double> gradOut = Matrix<double>::Ones(3, 5);
    bn.layer.backward(x, y, gradOut, &gradIn);
    const double expected[3] = {2 / std::sqrt(4.001), 1 / std::sqrt(0.251), 0.5 / std::sqrt(1.001)};
    for (Index k = 0; k < 3; ++k) {
      QVERIFY((gradIn.row(k).array() - expected[k]).abs().maxCoeff() < 1e-14);
    }
    // Training mode: the batch statistics absorb a uniform upstream gradient entirely.
    bn.layer.forward(x, y, Mode::Training, rng);
    bn.layer.backward(x, y, gradOut, &gradIn);
    QVERIFY(gradIn.cwiseAbs().maxCoeff() < 1e-12);
    // d/dbeta = sum over the batch; d/dgamma = sum of gradOut * xhat = 0 for uniform gradOut.
    QVERIFY((bn.grads.tail(3).array() - 5.0).abs().maxCoeff() < 1e-12);
    QVERIFY(bn.grads.head(3).cwiseAbs().maxCoeff() < 1e-12);
  }

  void batchNormFrozenRunsInferenceModeInTraining() {
    LayerSpec spec = LayerSpec::batchNormalization();
    spec.trainable = false;
    Bound<BatchNormLayer<double>> bn(spec, 3);
    // Frozen: no trainable tensors; gamma and beta become buffers.
    QVERIFY(bn.layer.tensorShapes().empty());
    QCOMPARE(bn.params.size(), 0);
    auto buffers = bn.layer.buffers();
    QCOMPARE(buffers.size(), std::size_t(4));
    QCOMPARE(buffers[0].name, std::string("gamma"));
    QCOMPARE(buffers[1].name, std::string("beta"));
    *buffers[0].values << 1.5, 1, 1;
    *buffers[2].values << 4, -3, 0.25;  // moving mean
    *buffers[3].values << 4, 0.25, 1;   // moving variance
    const Vector<double> mm = bn.layer.movingMean();
    const Vector<double> mv = bn.layer.movingVariance();
    const Matrix<double> x = batchNormInput(32, 6);
    Matrix<double> yTrain, yInfer;
    Rng rng(0);
    bn.layer.forward(x, yTrain, Mode::Training, rng);
    QCOMPARE(bn.layer.movingMean(), mm);
    QCOMPARE(bn.layer.movingVariance(), mv);
    bn.layer.forward(x, yInfer, Mode::Inference, rng);
    QCOMPARE(yTrain, yInfer);
    QVERIFY(std::abs(yTrain(0, 0) - 1.5 * (x(0, 0) - 4) / std::sqrt(4.001)) < 1e-12);
    // Not normalised by the batch: feature 0 (mean about 5) comes out with mean about
    // 1.5 (5 - 4) / 2 = 0.75.
    QVERIFY(std::abs(rowMeans(yTrain)(0) - 0.75) < 0.3);
  }

  void batchNormWithoutCenterOrScale() {
    LayerSpec spec = LayerSpec::batchNormalization();
    spec.center = false;
    Bound<BatchNormLayer<double>> bn(spec, 3);
    QCOMPARE(bn.params.size(), 3);  // gamma only
    QVERIFY(bn.layer.tensorShapes()[0].role == TensorRole::Gamma);
    spec.center = true;
    spec.scale = false;
    Bound<BatchNormLayer<double>> bn2(spec, 3);
    QCOMPARE(bn2.params.size(), 3);  // beta only
    QVERIFY(bn2.layer.tensorShapes()[0].role == TensorRole::Beta);
    bn2.params << 1, 2, 3;
    Matrix<double> y;
    Rng rng(0);
    bn2.layer.forward(batchNormInput(16, 7), y, Mode::Training, rng);
    QVERIFY((rowMeans(y) - Vector<double>::LinSpaced(3, 1, 3)).cwiseAbs().maxCoeff() < 1e-12);
  }

  void batchNormFloat() {
    BatchNormLayer<float> bn(LayerSpec::batchNormalization(), 3);
    Vector<float> params(6), grads(6);
    bn.bind(params.data(), grads.data());
    Rng rng(0);
    bn.initialize(rng);
    const Matrix<float> x = batchNormInput(64, 8).cast<float>();
    Matrix<float> y;
    bn.forward(x, y, Mode::Training, rng);
    const Matrix<double> yd = y.cast<double>();
    const Vector<double> var = rowBiasedVariances(x.cast<double>());
    for (Index k = 0; k < 3; ++k) {
      QVERIFY(std::abs(rowMeans(yd)(k)) < 1e-5);
      QVERIFY(std::abs(rowBiasedVariances(yd)(k) - var(k) / (var(k) + 1e-3)) < 1e-4);
    }
  }

  void dropoutScalesKeptUnits_data() {
    QTest::addColumn<double>("rate");
    QTest::newRow("0.5") << 0.5;
    QTest::newRow("0.2") << 0.2;
    QTest::newRow("0.9") << 0.9;
  }
  void dropoutScalesKeptUnits() {
    QFETCH(double, rate);
    DropoutLayer<double> dropout(LayerSpec::dropout(rate), 200);
    const Matrix<double> x = Matrix<double>::Ones(200, 500);  // 100000 units
    Matrix<double> y;
    Rng rng(12);
    dropout.forward(x, y, Mode::Training, rng);
    QCOMPARE(y.rows(), 200);
    QCOMPARE(y.cols(), 500);
    // Every unit is either dropped (0) or kept and scaled by 1 / (1 - rate).
    const double scale = 1.0 / (1.0 - rate);
    const double dropped = fractionEqual(y, 0.0);
    const double kept = fractionEqual(y, scale);
    QCOMPARE(dropped + kept, 1.0);
    // About `rate` dropped: the standard error is at most 0.0016 here.
    QVERIFY2(std::abs(dropped - rate) < 0.01, qPrintable(QString::number(dropped)));
    // The expected activation is preserved (inverted dropout).
    QVERIFY2(std::abs(y.mean() - 1.0) < 0.01 * scale, qPrintable(QString::number(y.mean())));
    // Backward multiplies by the same mask.
    const Matrix<double> gradOut = Matrix<double>::Constant(200, 500, 3.0);
    Matrix<double> gradIn;
    dropout.backward(x, y, gradOut, &gradIn);
    QCOMPARE(gradIn, Matrix<double>(3.0 * y));
  }

  void dropoutMaskIsPerUnitAndSeeded() {
    DropoutLayer<double> dropout(LayerSpec::dropout(0.5), 20);
    Matrix<double> x(20, 30), y1, y2, y3;
    for (Index i = 0; i < x.size(); ++i) x(i) = double(i + 1);
    Rng a(5), b(5);
    dropout.forward(x, y1, Mode::Training, a);
    dropout.forward(x, y2, Mode::Training, b);
    QCOMPARE(y1, y2);  // same seed, same mask
    dropout.forward(x, y3, Mode::Training, a);
    QVERIFY(y1 != y3);  // the stream moves on: a new mask every batch
    // Kept units carry their own input value, doubled.
    for (Index i = 0; i < x.size(); ++i) QVERIFY(y1(i) == 0.0 || y1(i) == 2.0 * x(i));
  }

  void dropoutInferenceAndRateZeroAreIdentity() {
    DropoutLayer<double> dropout(LayerSpec::dropout(0.5), 4);
    Matrix<double> x(4, 6), y, gradIn;
    for (Index i = 0; i < x.size(); ++i) x(i) = 0.5 * double(i) - 3;
    Rng rng(1);
    const Rng::State before = rng.state();
    dropout.forward(x, y, Mode::Inference, rng);
    QCOMPARE(y, x);
    QVERIFY(rng.state() == before);  // no random numbers drawn
    const Matrix<double> gradOut = Matrix<double>::Constant(4, 6, 0.7);
    dropout.backward(x, y, gradOut, &gradIn);
    QCOMPARE(gradIn, gradOut);
    DropoutLayer<double> none(LayerSpec::dropout(0.0), 4);
    none.forward(x, y, Mode::Training, rng);
    QCOMPARE(y, x);
    none.backward(x, y, gradOut, &gradIn);
    QCOMPARE(gradIn, gradOut);
  }

  void alphaDropoutPreservesMeanAndVariance_data() {
    QTest::addColumn<double>("rate");
    QTest::newRow("0.05") << 0.05;
    QTest::newRow("0.1") << 0.1;
    QTest::newRow("0.3") << 0.3;
  }
  void alphaDropoutPreservesMeanAndVariance() {
    QFETCH(double, rate);
    AlphaDropoutLayer<double> dropout(LayerSpec::alphaDropout(rate), 200);
    Rng data(31);
    Matrix<double> x(200, 1000);  // 200000 standard normal units
    for (Index i = 0; i < x.size(); ++i) x(i) = data.normal();
    Matrix<double> y;
    Rng rng(32);
    dropout.forward(x, y, Mode::Training, rng);
    const double mean = y.mean();
    const double variance = (y.array() - mean).square().mean();
    QVERIFY2(std::abs(mean) < 0.01, qPrintable(QString::number(mean)));
    QVERIFY2(std::abs(variance - 1.0) < 0.015, qPrintable(QString::number(variance)));
    // Dropped units all take the value a alpha' + b (Keras's formula, alpha' = -scale alpha);
    // kept ones are a x + b.
    const double alphaP = -kSeluAlpha * kSeluScale;
    const double a = 1.0 / std::sqrt((1 - rate) * (1 + rate * alphaP * alphaP));
    const double b = -a * alphaP * rate;
    Index dropped = 0;
    for (Index i = 0; i < x.size(); ++i) {
      if (std::abs(y(i) - (a * alphaP + b)) < 1e-12) {
        ++dropped;
      } else {
        QVERIFY(std::abs(y(i) - (a * x(i) + b)) < 1e-12);
      }
    }
    QVERIFY(std::abs(double(dropped) / double(x.size()) - rate) < 0.01);
    // Backward: a on kept units, 0 on dropped ones.
    Matrix<double> gradIn;
    dropout.backward(x, y, Matrix<double>::Ones(200, 1000), &gradIn);
    QVERIFY(std::abs(gradIn.sum() - a * double(x.size() - dropped)) < 1e-6 * double(x.size()));
  }

  void alphaDropoutInferenceIsIdentity() {
    AlphaDropoutLayer<double> dropout(LayerSpec::alphaDropout(0.1), 3);
    Matrix<double> x(3, 4), y, gradIn;
    for (Index i = 0; i < x.size(); ++i) x(i) = double(i) - 5;
    Rng rng(2);
    dropout.forward(x, y, Mode::Inference, rng);
    QCOMPARE(y, x);
    dropout.backward(x, y, x, &gradIn);
    QCOMPARE(gradIn, x);
    AlphaDropoutLayer<double> none(LayerSpec::alphaDropout(0.0), 3);
    none.forward(x, y, Mode::Training, rng);
    QCOMPARE(y, x);
  }

  void denseForwardIsXKPlusB() {
    LayerSpec spec = LayerSpec::dense(2, ActivationKind::Linear);
    Bound<DenseLayer<double>> dense(spec, 3);
    QCOMPARE(dense.params.size(), 3 * 2 + 2);
    // Kernel (Keras layout, inputs x units) stored column-major, then the bias.
    //   K = [1 -1; 2 0.5; 0 3],  b = [0.25, -2]
    dense.params << 1, 2, 0, -1, 0.5, 3, 0.25, -2;
    QCOMPARE(dense.layer.kernel()(1, 0), 2.0);
    QCOMPARE(dense.layer.kernel()(2, 1), 3.0);
    Matrix<double> x(3, 2);  // two samples: (1, 1, 1) and (2, -1, 0.5)
    x << 1, 2,               //
        1, -1,               //
        1, 0.5;
    Matrix<double> y;
    Rng rng(0);
    dense.layer.forward(x, y, Mode::Training, rng);
    // Sample 0: (1 + 2 + 0 + 0.25, -1 + 0.5 + 3 - 2) = (3.25, 0.5).
    // Sample 1: (2 - 2 + 0 + 0.25, -2 - 0.5 + 1.5 - 2) = (0.25, -3).
    Matrix<double> expected(2, 2);
    expected << 3.25, 0.25,  //
        0.5, -3;
    QCOMPARE(y, expected);
    QCOMPARE(dense.layer.preActivation(), expected);
    // Backward by hand with gz = 1: dK = X gz^T (row sums of X), db = batch size, dX = K 1.
    Matrix<double> gradIn;
    dense.layer.backward(x, y, Matrix<double>::Ones(2, 2), &gradIn);
    Vector<double> expectedGrads(8);
    expectedGrads << 3, 0, 1.5, 3, 0, 1.5, 2, 2;
    QCOMPARE(dense.grads, expectedGrads);
    Matrix<double> expectedGradIn(3, 2);
    expectedGradIn << 0, 0,  //
        2.5, 2.5,            //
        3, 3;
    QCOMPARE(gradIn, expectedGradIn);
  }

  void denseAppliesItsActivation() {
    LayerSpec spec = LayerSpec::dense(2, ActivationKind::Relu);
    Bound<DenseLayer<double>> dense(spec, 3);
    dense.params << 1, 2, 0, -1, 0.5, 3, 0.25, -2;
    Matrix<double> x(3, 2);
    x << 1, 2, 1, -1, 1, 0.5;
    Matrix<double> y;
    Rng rng(0);
    dense.layer.forward(x, y, Mode::Training, rng);
    Matrix<double> expected(2, 2);
    expected << 3.25, 0.25,  //
        0.5, 0;
    QCOMPARE(y, expected);
    QCOMPARE(dense.layer.preActivation()(1, 1), -3.0);
    // Swapping the activation keeps the weights.
    const Vector<double> before = dense.params;
    dense.layer.setActivation({ActivationKind::Tanh});
    QCOMPARE(dense.params, before);
    QVERIFY(dense.layer.spec().activation.kind == ActivationKind::Tanh);
    dense.layer.forward(x, y, Mode::Training, rng);
    QVERIFY(std::abs(y(1, 1) - std::tanh(-3.0)) < 1e-15);
  }

  void denseWithoutBiasAndWithL2() {
    LayerSpec spec = LayerSpec::dense(2, ActivationKind::Linear);
    spec.useBias = false;
    spec.l2 = 0.01;
    Bound<DenseLayer<double>> dense(spec, 2);
    QCOMPARE(dense.params.size(), 4);
    QCOMPARE(dense.layer.tensorShapes().size(), std::size_t(1));
    dense.params << 1, -2, 3, 0.5;
    // l2 * sum(K^2) = 0.01 * (1 + 4 + 9 + 0.25).
    QVERIFY(std::abs(dense.layer.regularizationLoss() - 0.1425) < 1e-15);
    dense.grads.setZero();
    dense.layer.addRegularizationGradient();
    QVERIFY((dense.grads - 0.02 * dense.params).cwiseAbs().maxCoeff() < 1e-15);
    Matrix<double> x(2, 1), y;
    x << 1, 1;
    Rng rng(0);
    dense.layer.forward(x, y, Mode::Inference, rng);
    QCOMPARE(y(0, 0), -1.0);
    QCOMPARE(y(1, 0), 3.5);
  }

  void activationLayerAppliesItsFunction() {
    ActivationLayer<double> layer(LayerSpec::activationLayer(ActivationKind::Sigmoid), 2);
    QVERIFY(layer.tensorShapes().empty());
    Matrix<double> z(2, 1), a, gradIn;
    z << 0, 1;
    Rng rng(0);
    layer.forward(z, a, Mode::Training, rng);
    QCOMPARE(a(0, 0), 0.5);
    QVERIFY(std::abs(a(1, 0) - 0.7310585786300049) < 1e-15);
    layer.backward(z, a, Matrix<double>::Ones(2, 1), &gradIn);
    QCOMPARE(gradIn(0, 0), 0.25);
    layer.setActivation({ActivationKind::Relu});
    layer.forward(z, a, Mode::Training, rng);
    QCOMPARE(a(1, 0), 1.0);
  }
};

QTEST_GUILESS_MAIN(TestLayers)
#include "tst_layers.moc"
