// Activations: every function and its derivative at known points (constants computed by
// hand from Keras 3's formulas), backward = dL/dA * f'(z) for the element-wise functions and
// the Jacobian-vector product for softmax, maxDerivative, dead zones and validation; in float
// and double.
#include <QtTest>

#include <cmath>
#include <vector>

#include "core/layers/activation.h"

using namespace gradscope::core;

namespace {

// One known point: f(z) and f'(z).
struct Point {
  double z;
  double value;
  double derivative;
};

// e^-1, e^-1 - 1 and the SELU products, written out.
constexpr double kInvE = 0.36787944117144233;
constexpr double kInvEMinus1 = -0.6321205588285577;
constexpr double kSeluScaleAlpha = 1.7580993408473766;  // scale * alpha

std::vector<Point> knownPoints(ActivationKind kind, const ActivationSpec& spec) {
  switch (kind) {
    case ActivationKind::Linear:
      return {{-2.5, -2.5, 1}, {0, 0, 1}, {3, 3, 1}};
    case ActivationKind::Sigmoid:
      return {{0, 0.5, 0.25},
              {1, 0.7310585786300049, 0.19661193324148185},
              {-1, 0.2689414213699951, 0.19661193324148185},
              {2, 0.8807970779778823, 0.1049935854035065}};
    case ActivationKind::Tanh:
      return {{0, 0, 1},
              {1, 0.7615941559557649, 0.41997434161402614},
              {-0.5, -0.46211715726000974, 0.7864477329659274}};
    case ActivationKind::Relu:
      // The derivative at the kink is the left one: 0.
      return {{-1, 0, 0}, {0, 0, 0}, {2, 2, 1}, {1e-3, 1e-3, 1}};
    case ActivationKind::LeakyRelu: {
      const double s = spec.negativeSlope;
      return {{-1, -s, s}, {0, 0, s}, {2, 2, 1}, {-2, -2 * s, s}};
    }
    case ActivationKind::Elu: {
      const double a = spec.alpha;
      // Below zero f = alpha (e^z - 1), f' = alpha e^z; at zero the left derivative alpha.
      return {{-1, a * kInvEMinus1, a * kInvE}, {0, 0, a}, {2, 2, 1}};
    }
    case ActivationKind::Selu:
      return {{-1, kSeluScaleAlpha * kInvEMinus1, kSeluScaleAlpha * kInvE},
              {0, 0, kSeluScaleAlpha},
              {1, 1.0507009873554805, 1.0507009873554805},
              {2, 2 * 1.0507009873554805, 1.0507009873554805}};
    case ActivationKind::Softmax:
      return {};
  }
  return {};
}

template <typename T>
double tolerance() {
  return std::is_same_v<T, float> ? 2e-6 : 1e-14;
}

template <typename T>
void checkKnownPoints(const ActivationSpec& spec) {
  const auto points = knownPoints(spec.kind, spec);
  QVERIFY(!points.empty());
  const auto f = makeActivation<T>(spec);
  QVERIFY(f->kind() == spec.kind);
  // All points in one row, so the column layout is exercised as well.
  Matrix<T> z(1, Index(points.size()));
  for (std::size_t i = 0; i < points.size(); ++i) z(0, Index(i)) = T(points[i].z);
  Matrix<T> a, d;
  f->forward(z, a);
  f->derivative(z, a, d);
  QCOMPARE(a.rows(), z.rows());
  QCOMPARE(a.cols(), z.cols());
  QCOMPARE(d.cols(), z.cols());
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    const double scale = std::max(1.0, std::abs(p.value));
    QVERIFY2(
        std::abs(double(a(0, Index(i))) - p.value) <= tolerance<T>() * scale,
        qPrintable(QString("f(%1) = %2, expected %3").arg(p.z).arg(a(0, Index(i))).arg(p.value)));
    QVERIFY2(
        std::abs(double(d(0, Index(i))) - p.derivative) <= tolerance<T>() * 2,
        qPrintable(
            QString("f'(%1) = %2, expected %3").arg(p.z).arg(d(0, Index(i))).arg(p.derivative)));
  }
}

template <typename T>
void checkBackwardIsGradientTimesDerivative(const ActivationSpec& spec) {
  const auto f = makeActivation<T>(spec);
  Matrix<T> z(3, 5), gradA(3, 5);
  for (Index i = 0; i < z.size(); ++i) {
    z(i) = T(-2.0 + 0.25 * double(i));  // from -2 to 1.5, through the kink at exactly 0
    gradA(i) = T(std::sin(1.0 + double(i)));
  }
  Matrix<T> a, d, gradZ;
  f->forward(z, a);
  f->derivative(z, a, d);
  f->backward(z, a, gradA, gradZ);
  QCOMPARE(gradZ.rows(), z.rows());
  QCOMPARE(gradZ.cols(), z.cols());
  const Matrix<T> expected = gradA.cwiseProduct(d);
  QVERIFY((gradZ - expected).cwiseAbs().maxCoeff() <= T(tolerance<T>()));
}

template <typename T>
void checkSoftmax() {
  const auto f = makeActivation<T>({ActivationKind::Softmax});
  Matrix<T> z(3, 4);
  // Columns: the textbook case, a shifted copy, huge logits and a tie.
  z << 1, 1001, 1000, 1000,  //
      2, 1002, 0, 1000,      //
      3, 1003, -1000, -5;
  Matrix<T> a;
  f->forward(z, a);
  QVERIFY(a.allFinite());
  // softmax([1, 2, 3]) = e^k / (e + e^2 + e^3).
  const double expected[3] = {0.09003057317038046, 0.24472847105479767, 0.6652409557748219};
  for (Index k = 0; k < 3; ++k) {
    QVERIFY(std::abs(double(a(k, 0)) - expected[k]) < tolerance<T>());
    // Shift-invariant: adding 1000 to every logit changes nothing.
    QVERIFY(std::abs(double(a(k, 1)) - expected[k]) < tolerance<T>());
  }
  // Stable for z = 1000: no overflow, the largest logit takes all the mass.
  QVERIFY(std::abs(double(a(0, 2)) - 1.0) < tolerance<T>());
  QCOMPARE(double(a(2, 2)), 0.0);
  QVERIFY(std::abs(double(a(0, 3)) - 0.5) < tolerance<T>());
  QVERIFY(std::abs(double(a(1, 3)) - 0.5) < tolerance<T>());
  for (Index j = 0; j < a.cols(); ++j) {
    QVERIFY(std::abs(double(a.col(j).sum()) - 1.0) < 2 * tolerance<T>());
  }
  // Backward is the Jacobian-vector product, J = diag(a) - a a^T per column.
  Matrix<T> gradA(3, 4);
  for (Index i = 0; i < gradA.size(); ++i) gradA(i) = T(std::cos(double(i)));
  Matrix<T> gradZ;
  f->backward(z, a, gradA, gradZ);
  for (Index j = 0; j < a.cols(); ++j) {
    const Vector<T> col = a.col(j);
    const Matrix<T> jacobian = Matrix<T>(col.asDiagonal()) - col * col.transpose();
    const Vector<T> expectedGrad = jacobian * gradA.col(j);
    QVERIFY((gradZ.col(j) - expectedGrad).cwiseAbs().maxCoeff() <= T(4 * tolerance<T>()));
  }
  // A uniform upstream gradient has no effect (the outputs always sum to 1).
  f->backward(z, a, Matrix<T>::Constant(3, 4, T(2.5)), gradZ);
  QVERIFY(gradZ.cwiseAbs().maxCoeff() <= T(8 * tolerance<T>()));
  // derivative(): the Jacobian's diagonal a (1 - a).
  Matrix<T> d;
  f->derivative(z, a, d);
  QVERIFY(std::abs(double(d(0, 0)) - expected[0] * (1 - expected[0])) < tolerance<T>());
  QVERIFY(std::abs(double(d(0, 3)) - 0.25) < tolerance<T>());
}

ActivationSpec specOf(ActivationKind kind) {
  ActivationSpec spec;
  spec.kind = kind;
  return spec;
}

}  // namespace

Q_DECLARE_METATYPE(gradscope::core::ActivationSpec)

class TestActivations : public QObject {
  Q_OBJECT
 private slots:
  void knownPoints_data() {
    QTest::addColumn<ActivationSpec>("spec");
    using K = ActivationKind;
    QTest::newRow("linear") << specOf(K::Linear);
    QTest::newRow("sigmoid") << specOf(K::Sigmoid);
    QTest::newRow("tanh") << specOf(K::Tanh);
    QTest::newRow("relu") << specOf(K::Relu);
    QTest::newRow("leaky_relu default") << specOf(K::LeakyRelu);
    ActivationSpec leaky = specOf(K::LeakyRelu);
    leaky.negativeSlope = 0.3;
    QTest::newRow("leaky_relu 0.3") << leaky;
    QTest::newRow("elu") << specOf(K::Elu);
    ActivationSpec elu = specOf(K::Elu);
    elu.alpha = 0.5;
    QTest::newRow("elu alpha 0.5") << elu;
    QTest::newRow("selu") << specOf(K::Selu);
  }
  void knownPoints() {
    QFETCH(ActivationSpec, spec);
    checkKnownPoints<double>(spec);
    if (QTest::currentTestFailed()) return;
    checkKnownPoints<float>(spec);
  }

  void backwardIsGradientTimesDerivative_data() { knownPoints_data(); }
  void backwardIsGradientTimesDerivative() {
    QFETCH(ActivationSpec, spec);
    checkBackwardIsGradientTimesDerivative<double>(spec);
    if (QTest::currentTestFailed()) return;
    checkBackwardIsGradientTimesDerivative<float>(spec);
  }

  void defaults() {
    // Keras's leaky_relu activation function: negative_slope 0.2; elu: alpha 1.
    const ActivationSpec spec;
    QVERIFY(spec.kind == ActivationKind::Linear);
    QCOMPARE(spec.negativeSlope, 0.2);
    QCOMPARE(spec.alpha, 1.0);
    // SELU's published constants.
    QCOMPARE(kSeluAlpha, 1.6732632423543772);
    QCOMPARE(kSeluScale, 1.0507009873554805);
    QVERIFY(std::abs(kSeluAlpha * kSeluScale - kSeluScaleAlpha) < 1e-15);
  }

  void eluIsAccurateForSmallNegativeInputs() {
    // e^z - 1 for z = -1e-10 is -1e-10 + 5e-21: naive exp(z) - 1 would lose most digits.
    const auto f = makeActivation<double>(specOf(ActivationKind::Elu));
    Matrix<double> z(1, 1), a;
    z << -1e-10;
    f->forward(z, a);
    QVERIFY(std::abs(a(0, 0) / -1e-10 - 1.0) < 1e-9);
    QVERIFY(std::abs((a(0, 0) - -1e-10) - 5e-21) < 1e-26);
  }

  void saturatedInputsStayFinite() {
    for (auto kind : {ActivationKind::Sigmoid, ActivationKind::Tanh, ActivationKind::Elu,
                      ActivationKind::Selu}) {
      const auto f = makeActivation<float>(specOf(kind));
      Matrix<float> z(1, 2), a, d;
      z << -200.0f, 200.0f;
      f->forward(z, a);
      f->derivative(z, a, d);
      QVERIFY(a.allFinite());
      QVERIFY(d.allFinite());
      QVERIFY(d(0, 1) >= 0.0f);
    }
  }

  void softmaxDouble() { checkSoftmax<double>(); }
  void softmaxFloat() { checkSoftmax<float>(); }

  void maxDerivative_data() {
    QTest::addColumn<ActivationSpec>("spec");
    QTest::addColumn<double>("expected");
    QTest::addColumn<bool>("deadZone");
    using K = ActivationKind;
    QTest::newRow("linear") << specOf(K::Linear) << 1.0 << false;
    QTest::newRow("sigmoid") << specOf(K::Sigmoid) << 0.25 << false;
    QTest::newRow("tanh") << specOf(K::Tanh) << 1.0 << false;
    QTest::newRow("relu") << specOf(K::Relu) << 1.0 << true;
    QTest::newRow("leaky_relu") << specOf(K::LeakyRelu) << 1.0 << false;
    ActivationSpec leakyZero = specOf(K::LeakyRelu);
    leakyZero.negativeSlope = 0.0;
    QTest::newRow("leaky_relu slope 0") << leakyZero << 1.0 << true;
    QTest::newRow("elu") << specOf(K::Elu) << 1.0 << false;
    ActivationSpec elu2 = specOf(K::Elu);
    elu2.alpha = 2.0;  // f' = 2 e^z tends to 2 just below zero
    QTest::newRow("elu alpha 2") << elu2 << 2.0 << false;
    QTest::newRow("selu") << specOf(K::Selu) << kSeluScaleAlpha << false;
    QTest::newRow("softmax") << specOf(K::Softmax) << 0.25 << false;
  }
  void maxDerivative() {
    QFETCH(ActivationSpec, spec);
    QFETCH(double, expected);
    QFETCH(bool, deadZone);
    const auto f = makeActivation<double>(spec);
    QVERIFY(std::abs(f->maxDerivative() - expected) < 1e-12);
    QCOMPARE(f->hasDeadZone(), deadZone);
    QVERIFY(std::abs(makeActivation<float>(spec)->maxDerivative() - expected) < 1e-6);
    // No derivative over a sweep of inputs exceeds the stated maximum.
    if (spec.kind != ActivationKind::Softmax) {
      Matrix<double> z(1, 2001), a, d;
      for (Index i = 0; i < z.cols(); ++i) z(0, i) = -10.0 + 0.01 * double(i) + 1e-7;
      f->forward(z, a);
      f->derivative(z, a, d);
      QVERIFY(d.maxCoeff() <= expected + 1e-12);
      QVERIFY(d.maxCoeff() > 0.99 * expected);
    }
  }

  void kindNamesRoundTrip() {
    using K = ActivationKind;
    for (auto kind :
         {K::Linear, K::Sigmoid, K::Tanh, K::Relu, K::LeakyRelu, K::Elu, K::Selu, K::Softmax}) {
      QVERIFY(activationKindFromString(toString(kind)) == std::optional<K>(kind));
    }
    QCOMPARE(toString(K::LeakyRelu), std::string_view("leaky_relu"));
    QVERIFY(!activationKindFromString("gelu"));
  }

  void validationNamesTheField() {
    ActivationSpec leaky = specOf(ActivationKind::LeakyRelu);
    leaky.negativeSlope = 1.0;
    try {
      validate(leaky, "layers[2].activation");
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.field(), std::string("layers[2].activation.negative_slope"));
    }
    leaky.negativeSlope = -0.1;
    QVERIFY_THROWS_EXCEPTION(Error, makeActivation<float>(leaky));
    ActivationSpec elu = specOf(ActivationKind::Elu);
    elu.alpha = -1.0;
    try {
      validate(elu, "a");
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.field(), std::string("a.alpha"));
    }
    elu.alpha = std::nan("");
    QVERIFY_THROWS_EXCEPTION(Error, makeActivation<double>(elu));
    // Parameters of other kinds are not checked.
    ActivationSpec relu = specOf(ActivationKind::Relu);
    relu.alpha = -1.0;
    relu.negativeSlope = 5.0;
    validate(relu, "a");
  }
};

QTEST_GUILESS_MAIN(TestActivations)
#include "tst_activations.moc"
