// Losses: values and gradients of mean squared error and the cross-entropies fused with their
// output activations, against values worked out by hand for small matrices (Keras's
// sum_over_batch_size reduction), stability at saturated logits, and accuracy.
#include <QtTest>

#include <cmath>

#include "core/model/loss.h"

using namespace gradscope::core;

namespace {

template <typename T>
Matrix<T> sigmoidOf(const Matrix<T>& z) {
  Matrix<T> p = z;
  for (Index i = 0; i < p.size(); ++i) p(i) = T(1.0 / (1.0 + std::exp(-double(z(i)))));
  return p;
}

template <typename T>
Matrix<T> softmaxOf(const Matrix<T>& z) {
  Matrix<T> p = z;
  for (Index j = 0; j < z.cols(); ++j) {
    const double m = double(z.col(j).maxCoeff());
    double sum = 0;
    for (Index k = 0; k < z.rows(); ++k) sum += std::exp(double(z(k, j)) - m);
    for (Index k = 0; k < z.rows(); ++k) p(k, j) = T(std::exp(double(z(k, j)) - m) / sum);
  }
  return p;
}

template <typename T>
void checkMeanSquaredError(double tol) {
  const auto loss = makeLoss<T>(LossKind::MeanSquaredError);
  QVERIFY(loss->kind() == LossKind::MeanSquaredError);
  QVERIFY(!loss->fusedActivation());
  QVERIFY(!loss->gradientIsWrtLogits());
  // 2 outputs x 2 samples; errors 1, 0 / 2, -1: squares 1 + 0 + 4 + 1 = 6 over 4 values.
  Matrix<T> p(2, 2), y(2, 2);
  p << 1, 2,  //
      3, 4;
  y << 0, 2,  //
      1, 5;
  QVERIFY(std::abs(loss->value(p, p, y) - 1.5) < tol);
  // d/dp = 2 (p - y) / 4.
  Matrix<T> grad;
  loss->gradient(p, y, grad);
  Matrix<T> expected(2, 2);
  expected << 0.5, 0,  //
      1, -0.5;
  QVERIFY((grad - expected).cwiseAbs().maxCoeff() < tol);
  // One sample, three outputs: mean over outputs. (0.5^2 + 1.5^2 + 0) / 3 = 2.5 / 3.
  Matrix<T> p1(3, 1), y1(3, 1);
  p1 << 0.5, -1, 2;
  y1 << 0, 0.5, 2;
  QVERIFY(std::abs(loss->value(p1, p1, y1) - 2.5 / 3) < tol);
  loss->gradient(p1, y1, grad);
  Matrix<T> expected1(3, 1);
  expected1 << 2 * 0.5 / 3, 2 * -1.5 / 3, 0;
  QVERIFY((grad - expected1).cwiseAbs().maxCoeff() < tol);
  // A perfect prediction costs nothing and has no gradient.
  QCOMPARE(loss->value(y, y, y), 0.0);
}

template <typename T>
void checkBinaryCrossentropy(double tol) {
  const auto loss = makeLoss<T>(LossKind::BinaryCrossentropy);
  QVERIFY(loss->fusedActivation() == std::optional<ActivationKind>(ActivationKind::Sigmoid));
  QVERIFY(loss->gradientIsWrtLogits());
  // 1 output x 4 samples: -log s(0) = log 2; -log(1 - s(2)) = log(1 + e^2);
  // -log s(-1) = log(1 + e); -log(1 - s(3)) = log(1 + e^3).
  Matrix<T> z(1, 4), y(1, 4);
  z << 0, 2, -1, 3;
  y << 1, 0, 1, 0;
  const Matrix<T> p = sigmoidOf(z);
  const double expected =
      (0.6931471805599453 + 2.1269280110429722 + 1.3132616875182228 + 3.048587351573742) / 4;
  QVERIFY2(std::abs(loss->value(p, z, y) - expected) < tol,
           qPrintable(QString::number(loss->value(p, z, y), 'g', 17)));
  // The value comes from the logits, not from the predictions argument.
  QVERIFY(std::abs(loss->value(Matrix<T>::Zero(1, 4), z, y) - expected) < tol);
  // dL/dz = (s(z) - y) / (batch * outputs).
  Matrix<T> grad;
  loss->gradient(p, y, grad);
  QCOMPARE(grad.rows(), 1);
  QCOMPARE(grad.cols(), 4);
  for (Index j = 0; j < 4; ++j) {
    const double s = 1.0 / (1.0 + std::exp(-double(z(0, j))));
    QVERIFY(std::abs(double(grad(0, j)) - (s - double(y(0, j))) / 4) < tol);
  }
  // 2 outputs x 1 sample with a soft target: the mean over outputs of
  // -(y log s(z) + (1 - y) log(1 - s(z))).
  Matrix<T> z2(2, 1), y2(2, 1);
  z2 << 0.5, -2;
  y2 << 0.3, 0;
  const double term1 = 0.8240769841801067;  // y = 0.3, z = 0.5
  const double term2 = std::log1p(std::exp(-2.0));
  QVERIFY(std::abs(loss->value(sigmoidOf(z2), z2, y2) - (term1 + term2) / 2) < tol);
  loss->gradient(sigmoidOf(z2), y2, grad);
  QVERIFY(std::abs(double(grad(0, 0)) - (1 / (1 + std::exp(-0.5)) - 0.3) / 2) < tol);
  QVERIFY(std::abs(double(grad(1, 0)) - (1 / (1 + std::exp(2.0))) / 2) < tol);
}

template <typename T>
void checkBinaryCrossentropyIsStable() {
  const auto loss = makeLoss<T>(LossKind::BinaryCrossentropy);
  // Right with confidence: loss e^-100 (tiny, positive). Wrong with confidence: loss ~100,
  // the asymptote |z|, where log(1 - s(z)) computed naively is log(0) = -inf.
  Matrix<T> z(1, 1), y(1, 1);
  const struct {
    double z, y, expected, tol;
  } cases[] = {
      {100, 1, 0, 1e-40}, {-100, 0, 0, 1e-40}, {100, 0, 100, 1e-12}, {-100, 1, 100, 1e-12}};
  for (const auto& c : cases) {
    z << T(c.z);
    y << T(c.y);
    const Matrix<T> p = sigmoidOf(z);
    const double value = loss->value(p, z, y);
    QVERIFY(std::isfinite(value));
    QVERIFY(value >= 0.0);
    QVERIFY2(std::abs(value - c.expected) <= c.tol, qPrintable(QString::number(value, 'g', 17)));
    Matrix<T> grad;
    loss->gradient(p, y, grad);
    QVERIFY(grad.allFinite());
    // The gradient saturates at s(z) - y: 0 when right, +-1 when wrong.
    QVERIFY(std::abs(double(grad(0, 0)) - (c.expected > 1 ? (c.y == 0 ? 1.0 : -1.0) : 0.0)) < 1e-6);
  }
  // Mixed batch: mean of 0 and 100.
  Matrix<T> z2(1, 2), y2(1, 2);
  z2 << 100, 100;
  y2 << 1, 0;
  QVERIFY(std::abs(loss->value(sigmoidOf(z2), z2, y2) - 50.0) < 1e-12);
}

template <typename T>
void checkCategoricalCrossentropy(double tol) {
  const auto loss = makeLoss<T>(LossKind::CategoricalCrossentropy);
  QVERIFY(loss->fusedActivation() == std::optional<ActivationKind>(ActivationKind::Softmax));
  QVERIFY(loss->gradientIsWrtLogits());
  // 3 classes x 2 samples. Sample 0: z = (1, 2, 3), class 2: log(e + e^2 + e^3) - 3.
  // Sample 1: z = (0, 0, 0), class 0: log 3.
  Matrix<T> z(3, 2), y(3, 2);
  z << 1, 0,  //
      2, 0,   //
      3, 0;
  y << 0, 1,  //
      0, 0,   //
      1, 0;
  const Matrix<T> p = softmaxOf(z);
  const double expected = (0.40760596444438013 + 1.0986122886681098) / 2;
  QVERIFY2(std::abs(loss->value(p, z, y) - expected) < tol,
           qPrintable(QString::number(loss->value(p, z, y), 'g', 17)));
  // dL/dz = (softmax(z) - y) / batch.
  Matrix<T> grad;
  loss->gradient(p, y, grad);
  const double s[3] = {0.09003057317038046, 0.24472847105479767, 0.6652409557748219};
  Matrix<T> expectedGrad(3, 2);
  expectedGrad << s[0] / 2, (1.0 / 3 - 1) / 2,  //
      s[1] / 2, 1.0 / 6,                        //
      (s[2] - 1) / 2, 1.0 / 6;
  QVERIFY((grad - expectedGrad).cwiseAbs().maxCoeff() < tol);
  // Each column of the gradient sums to zero for one-hot targets.
  QVERIFY(grad.colwise().sum().cwiseAbs().maxCoeff() < tol);
  // Soft (normalised) targets: -sum y_k log p_k.
  Matrix<T> ys(3, 1), zs(3, 1);
  zs << 1, 2, 3;
  ys << 0.2, 0.3, 0.5;
  const double soft = -(0.2 * std::log(s[0]) + 0.3 * std::log(s[1]) + 0.5 * std::log(s[2]));
  QVERIFY(std::abs(loss->value(softmaxOf(zs), zs, ys) - soft) < tol);
  // Huge logits: the wrong class with a margin of 2000 costs 2000, finitely.
  Matrix<T> zh(3, 1), yh(3, 1);
  zh << 1000, 0, -1000;
  yh << 0, 0, 1;
  const double huge = loss->value(softmaxOf(zh), zh, yh);
  QVERIFY(std::isfinite(huge));
  QVERIFY(std::abs(huge - 2000.0) < 1e-9);
  yh << 1, 0, 0;
  QVERIFY(std::abs(loss->value(softmaxOf(zh), zh, yh)) < 1e-12);
}

}  // namespace

class TestLosses : public QObject {
  Q_OBJECT
 private slots:
  void meanSquaredErrorDouble() { checkMeanSquaredError<double>(1e-14); }
  void meanSquaredErrorFloat() { checkMeanSquaredError<float>(1e-6); }
  void binaryCrossentropyDouble() { checkBinaryCrossentropy<double>(1e-14); }
  void binaryCrossentropyFloat() { checkBinaryCrossentropy<float>(1e-6); }
  void binaryCrossentropyStableDouble() { checkBinaryCrossentropyIsStable<double>(); }
  void binaryCrossentropyStableFloat() { checkBinaryCrossentropyIsStable<float>(); }
  void categoricalCrossentropyDouble() { checkCategoricalCrossentropy<double>(1e-14); }
  void categoricalCrossentropyFloat() { checkCategoricalCrossentropy<float>(1e-6); }

  void binaryAccuracy() {
    // Keras binary_accuracy: class 1 when p > 0.5 (0.5 itself is class 0).
    Matrix<double> p(1, 4), y(1, 4);
    p << 0.9, 0.4, 0.5, 0.6;
    y << 1, 0, 1, 0;
    QCOMPARE(accuracy<double>(p, y, LossKind::BinaryCrossentropy), 0.5);
    y << 1, 0, 0, 1;
    QCOMPARE(accuracy<double>(p, y, LossKind::BinaryCrossentropy), 1.0);
    // Several outputs: the mean over every output of every sample (5 of 6 right).
    Matrix<float> p2(2, 3), y2(2, 3);
    p2 << 0.7f, 0.2f, 0.51f,  //
        0.1f, 0.8f, 0.49f;
    y2 << 1, 0, 1,  //
        0, 1, 1;
    QVERIFY(std::abs(accuracy<float>(p2, y2, LossKind::BinaryCrossentropy) - 5.0 / 6) < 1e-12);
  }

  void categoricalAccuracy() {
    // Argmax of the prediction against argmax of the one-hot target: 2 of 3 right.
    Matrix<double> p(3, 3), y(3, 3);
    p << 0.1, 0.5, 0.2,  //
        0.7, 0.3, 0.2,   //
        0.2, 0.2, 0.6;
    y << 0, 0, 0,  //
        1, 0, 0,   //
        0, 1, 1;
    QVERIFY(std::abs(accuracy<double>(p, y, LossKind::CategoricalCrossentropy) - 2.0 / 3) < 1e-15);
    // Scores need not be probabilities, and the maximum, not 0.5, decides.
    Matrix<float> pf(3, 1), yf(3, 1);
    pf << 0.3f, 0.35f, 0.35f - 1e-3f;
    yf << 0, 1, 0;
    QCOMPARE(accuracy<float>(pf, yf, LossKind::CategoricalCrossentropy), 1.0);
  }

  void emptyBatchAccuracyIsZero() {
    const Matrix<double> empty(1, 0);
    QCOMPARE(accuracy<double>(empty, empty, LossKind::BinaryCrossentropy), 0.0);
  }

  void kindNamesRoundTrip() {
    using K = LossKind;
    for (auto kind : {K::MeanSquaredError, K::BinaryCrossentropy, K::CategoricalCrossentropy}) {
      QVERIFY(lossKindFromString(toString(kind)) == std::optional<K>(kind));
      QVERIFY(makeLoss<float>(kind)->kind() == kind);
    }
    QCOMPARE(toString(K::MeanSquaredError), std::string_view("mse"));
    QVERIFY(!lossKindFromString("hinge"));
  }
};

QTEST_GUILESS_MAIN(TestLosses)
#include "tst_losses.moc"
