// Initialisers: the statistics of every kind over a large draw against Keras 3's definitions
// (mean, variance scale / n, uniform limit, truncation at two corrected standard deviations),
// the fans of kernels and biases, seed determinism, and validation errors that name the field.
#include <QtTest>

#include <cmath>

#include "core/layers/dense_layer.h"
#include "core/layers/initializer.h"
#include "core/model/network.h"

using namespace gradscope::core;

Q_DECLARE_METATYPE(gradscope::core::InitializerKind)
Q_DECLARE_METATYPE(gradscope::core::InitializerSpec)

namespace {

// The standard deviation of a unit normal cut to [-2, 2] (Keras's correction constant).
constexpr double kTruncatedStd = 0.87962566103423978;

struct Moments {
  double mean = 0;
  double variance = 0;  // biased (divide by n); n is large
  double maxAbs = 0;
  double min = 0;
  double max = 0;
};

Moments momentsOf(const Eigen::MatrixXd& v) {
  Moments m;
  m.mean = v.mean();
  m.variance = (v.array() - m.mean).square().mean();
  m.maxAbs = v.cwiseAbs().maxCoeff();
  m.min = v.minCoeff();
  m.max = v.maxCoeff();
  return m;
}

Eigen::MatrixXd draw(const InitializerSpec& spec, Index rows, Index cols, std::uint64_t seed) {
  Eigen::MatrixXd values(rows, cols);
  Rng rng(seed);
  makeInitializer(spec)->fill(values, kernelFans(rows, cols), rng);
  return values;
}

}  // namespace

class TestInitializers : public QObject {
  Q_OBJECT
 private slots:
  // Variance-scaling kinds: variance scale / n with n = fan_in or (fan_in + fan_out) / 2.
  // The 400 x 300 kernel and its transpose tell fan_in, fan_out and fan_avg apart.
  void varianceScaling_data() {
    QTest::addColumn<InitializerKind>("kind");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<double>("variance");
    QTest::addColumn<bool>("uniform");
    using K = InitializerKind;
    for (auto [rows, cols] : {std::pair{400, 300}, std::pair{300, 400}}) {
      const double fanIn = rows, fanAvg = (rows + cols) / 2.0;
      const QByteArray shape = "_" + QByteArray::number(rows) + "x" + QByteArray::number(cols);
      QTest::newRow("glorot_uniform" + shape)
          << K::GlorotUniform << rows << cols << 1 / fanAvg << true;
      QTest::newRow("glorot_normal" + shape)
          << K::GlorotNormal << rows << cols << 1 / fanAvg << false;
      QTest::newRow("he_uniform" + shape) << K::HeUniform << rows << cols << 2 / fanIn << true;
      QTest::newRow("he_normal" + shape) << K::HeNormal << rows << cols << 2 / fanIn << false;
      QTest::newRow("lecun_uniform" + shape)
          << K::LecunUniform << rows << cols << 1 / fanIn << true;
      QTest::newRow("lecun_normal" + shape) << K::LecunNormal << rows << cols << 1 / fanIn << false;
    }
  }
  void varianceScaling() {
    QFETCH(InitializerKind, kind);
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(double, variance);
    QFETCH(bool, uniform);
    const Eigen::MatrixXd values = draw({kind}, rows, cols, 11);
    const Moments m = momentsOf(values);
    const double stddev = std::sqrt(variance);
    // 120000 draws: the mean's standard error is stddev / 346 and the variance's relative
    // standard error below 0.4%, so these bounds are about six standard errors wide.
    QVERIFY2(std::abs(m.mean) < 0.02 * stddev, qPrintable(QString::number(m.mean)));
    QVERIFY2(std::abs(m.variance / variance - 1.0) < 0.02,
             qPrintable(QString("variance %1, expected %2").arg(m.variance).arg(variance)));
    // Uniform: limit sqrt(3 scale / n). Truncated normal: 2 stddev / .8796...
    const double bound = uniform ? std::sqrt(3 * variance) : 2 * stddev / kTruncatedStd;
    QVERIFY2(m.maxAbs <= bound, qPrintable(QString("max %1 > bound %2").arg(m.maxAbs).arg(bound)));
    // The draw reaches the bound on both sides: the limit (or cut) is not narrower.
    QVERIFY(m.max > 0.99 * bound);
    QVERIFY(m.min < -0.99 * bound);
    if (!uniform) {
      // A normal truncated at two sigma has no tail: about 4.55% of an untruncated draw would
      // lie beyond 2 stddev, none does here; and it is bell-shaped, not uniform: about
      // 68.3% / 0.9545 = 71.5% of the values lie within one (uncorrected) stddev.
      const double sigma = stddev / kTruncatedStd;
      const double inner = double((values.array().abs() < sigma).count()) / double(values.size());
      QVERIFY2(std::abs(inner - 0.6827 / 0.9545) < 0.01, qPrintable(QString::number(inner)));
    } else {
      // Uniform: half the values within half the limit.
      const double inner =
          double((values.array().abs() < bound / 2).count()) / double(values.size());
      QVERIFY2(std::abs(inner - 0.5) < 0.01, qPrintable(QString::number(inner)));
    }
  }

  void zerosAndConstantAreExact() {
    const Eigen::MatrixXd zeros = draw({InitializerKind::Zeros}, 40, 30, 1);
    QVERIFY((zeros.array() == 0.0).all());
    InitializerSpec constant{InitializerKind::Constant};
    constant.value = 0.37;
    const Eigen::MatrixXd c = draw(constant, 40, 30, 1);
    QVERIFY((c.array() == 0.37).all());
    // A constant initialiser draws nothing, whatever the seed.
    QCOMPARE(draw(constant, 40, 30, 2), c);
  }

  void randomNormalDefaults() {
    // Keras RandomNormal(mean=0.0, stddev=0.05).
    const InitializerSpec spec{InitializerKind::RandomNormal};
    QCOMPARE(spec.mean, 0.0);
    QCOMPARE(spec.stddev, 0.05);
    const Moments m = momentsOf(draw(spec, 400, 300, 3));
    QVERIFY(std::abs(m.mean) < 0.02 * 0.05);
    QVERIFY(std::abs(m.variance / 0.0025 - 1.0) < 0.02);
    // Untruncated: values beyond 4 stddev occur in 120000 draws (expected about 7.6).
    QVERIFY(m.maxAbs > 4 * 0.05);
    // The shape of the kernel does not matter: no fans are used.
    const Moments other = momentsOf(draw(spec, 30, 4000, 3));
    QVERIFY(std::abs(other.variance / 0.0025 - 1.0) < 0.02);
  }

  void randomNormalCustom() {
    InitializerSpec spec{InitializerKind::RandomNormal};
    spec.mean = 1.5;
    spec.stddev = 2.0;
    const Moments m = momentsOf(draw(spec, 400, 300, 4));
    QVERIFY(std::abs(m.mean - 1.5) < 0.02 * 2.0);
    QVERIFY(std::abs(m.variance / 4.0 - 1.0) < 0.02);
  }

  void randomUniformDefaults() {
    // Keras RandomUniform(minval=-0.05, maxval=0.05): variance (0.1)^2 / 12.
    const InitializerSpec spec{InitializerKind::RandomUniform};
    QCOMPARE(spec.minval, -0.05);
    QCOMPARE(spec.maxval, 0.05);
    const Moments m = momentsOf(draw(spec, 400, 300, 5));
    QVERIFY(m.min >= -0.05 && m.max < 0.05);
    QVERIFY(m.min < -0.0499 && m.max > 0.0499);
    QVERIFY(std::abs(m.mean) < 0.001);
    QVERIFY(std::abs(m.variance / (0.01 / 12) - 1.0) < 0.02);
  }

  void randomUniformCustom() {
    InitializerSpec spec{InitializerKind::RandomUniform};
    spec.minval = 2.0;
    spec.maxval = 5.0;
    const Moments m = momentsOf(draw(spec, 400, 300, 6));
    QVERIFY(m.min >= 2.0 && m.max < 5.0);
    QVERIFY(std::abs(m.mean - 3.5) < 0.01);
    QVERIFY(std::abs(m.variance / (9.0 / 12) - 1.0) < 0.02);
  }

  void fans() {
    // Keras compute_fans: (rows, cols) -> fan_in rows, fan_out cols; a vector of n -> n, n.
    const Fans k = kernelFans(400, 300);
    QCOMPARE(k.in, 400.0);
    QCOMPARE(k.out, 300.0);
    const Fans v = vectorFans(5000);
    QCOMPARE(v.in, 5000.0);
    QCOMPARE(v.out, 5000.0);
  }

  void vectorFansScaleABias() {
    // glorot_uniform on a vector of 5000: n = 5000, limit sqrt(3 / 5000).
    Eigen::MatrixXd bias(5000, 1);
    Rng rng(7);
    makeInitializer({InitializerKind::GlorotUniform})->fill(bias, vectorFans(5000), rng);
    const Moments m = momentsOf(bias);
    const double limit = std::sqrt(3.0 / 5000);
    QVERIFY(m.maxAbs <= limit && m.maxAbs > 0.98 * limit);
    QVERIFY(std::abs(m.variance * 5000 - 1.0) < 0.1);
  }

  void denseLayerUsesVectorFansForItsBias() {
    // A Dense bias with he_uniform has limit sqrt(6 / units) whatever the input width.
    NetworkSpec spec;
    spec.inputs = 3;
    spec.layers = {LayerSpec::dense(4000, ActivationKind::Relu)};
    spec.layers[0].biasInitializer.kind = InitializerKind::HeUniform;
    Network<double> net(spec);
    Rng rng(8);
    net.initialize(rng);
    const Eigen::MatrixXd bias = net.tensorValue(*net.findTensor("layers[0].bias"));
    const Eigen::MatrixXd kernel = net.tensorValue(*net.findTensor("layers[0].kernel"));
    const double biasLimit = std::sqrt(6.0 / 4000);
    QVERIFY(bias.cwiseAbs().maxCoeff() <= biasLimit);
    QVERIFY(bias.cwiseAbs().maxCoeff() > 0.98 * biasLimit);
    // The kernel (glorot_uniform, 3 x 4000): limit sqrt(3 / 2001.5).
    const double kernelLimit = std::sqrt(3.0 / 2001.5);
    QVERIFY(kernel.cwiseAbs().maxCoeff() <= kernelLimit);
    QVERIFY(kernel.cwiseAbs().maxCoeff() > 0.98 * kernelLimit);
  }

  void kindNamesRoundTrip() {
    using K = InitializerKind;
    for (auto kind :
         {K::Zeros, K::Constant, K::RandomNormal, K::RandomUniform, K::GlorotUniform,
          K::GlorotNormal, K::HeUniform, K::HeNormal, K::LecunUniform, K::LecunNormal}) {
      QVERIFY(initializerKindFromString(toString(kind)) == std::optional<K>(kind));
      QVERIFY(makeInitializer({kind})->kind() == kind);
    }
    QCOMPARE(toString(K::HeNormal), std::string_view("he_normal"));
    QVERIFY(!initializerKindFromString("xavier"));
  }

  void sameSeedSameDraw() {
    for (auto kind : {InitializerKind::RandomNormal, InitializerKind::RandomUniform,
                      InitializerKind::GlorotNormal, InitializerKind::HeUniform}) {
      const Eigen::MatrixXd a = draw({kind}, 50, 40, 21);
      const Eigen::MatrixXd b = draw({kind}, 50, 40, 21);
      const Eigen::MatrixXd c = draw({kind}, 50, 40, 22);
      QCOMPARE(a, b);  // bit-identical
      QVERIFY((a.array() != c.array()).count() > a.size() * 9 / 10);
    }
  }

  void consecutiveDrawsDiffer() {
    // One generator filling two tensors gives two different tensors.
    Rng rng(23);
    const auto init = makeInitializer({InitializerKind::GlorotUniform});
    Eigen::MatrixXd a(20, 20), b(20, 20);
    init->fill(a, kernelFans(20, 20), rng);
    init->fill(b, kernelFans(20, 20), rng);
    QVERIFY(a != b);
  }

  void validationNamesTheField_data() {
    QTest::addColumn<InitializerSpec>("spec");
    QTest::addColumn<QString>("field");
    InitializerSpec s;
    s = {InitializerKind::RandomNormal};
    s.stddev = -0.1;
    QTest::newRow("negative stddev") << s << "w.stddev";
    s.stddev = 1e4;
    QTest::newRow("huge stddev") << s << "w.stddev";
    s.stddev = std::nan("");
    QTest::newRow("nan stddev") << s << "w.stddev";
    s = {InitializerKind::RandomNormal};
    s.mean = std::numeric_limits<double>::infinity();
    QTest::newRow("infinite mean") << s << "w.mean";
    s = {InitializerKind::RandomUniform};
    s.minval = 1.0;
    s.maxval = 0.5;
    QTest::newRow("min above max") << s << "w.minval";
    s.maxval = std::nan("");
    QTest::newRow("nan max") << s << "w.minval";
    s = {InitializerKind::Constant};
    s.value = std::nan("");
    QTest::newRow("nan constant") << s << "w.value";
  }
  void validationNamesTheField() {
    QFETCH(InitializerSpec, spec);
    QFETCH(QString, field);
    try {
      validate(spec, "w");
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.field()), field);
      QVERIFY(!e.reason().empty());
    }
    QVERIFY_THROWS_EXCEPTION(Error, makeInitializer(spec));
  }

  void validSettingsPass() {
    // Parameters of kinds that do not use them are not checked; the edges are allowed.
    InitializerSpec s{InitializerKind::GlorotUniform};
    s.stddev = -1;
    validate(s, "w");
    s = {InitializerKind::RandomNormal};
    s.stddev = 0.0;
    validate(s, "w");
    const Eigen::MatrixXd values = draw(s, 10, 10, 1);
    QVERIFY((values.array() == 0.0).all());
    s = {InitializerKind::RandomUniform};
    s.minval = s.maxval = 0.25;
    validate(s, "w");
  }

  void networkValidationNamesTheLayer() {
    NetworkSpec spec;
    spec.inputs = 2;
    spec.layers = {LayerSpec::dense(4, ActivationKind::Relu),
                   LayerSpec::dense(1, ActivationKind::Linear)};
    spec.layers[1].kernelInitializer = {InitializerKind::RandomNormal};
    spec.layers[1].kernelInitializer.stddev = -1;
    try {
      validate(spec);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.field(), std::string("layers[1].kernel_initializer.stddev"));
    }
    spec.layers[1].kernelInitializer = {};
    spec.layers[0].biasInitializer = {InitializerKind::Constant};
    spec.layers[0].biasInitializer.value = std::numeric_limits<double>::infinity();
    try {
      validate(spec);
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(e.field(), std::string("layers[0].bias_initializer.value"));
    }
  }
};

QTEST_GUILESS_MAIN(TestInitializers)
#include "tst_initializers.moc"
