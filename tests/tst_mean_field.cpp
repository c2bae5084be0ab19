// The mean-field recursions of signal propagation (core/signal/): the quadrature (split at the
// kinks) against the normal distribution's moments; the length, correlation and chi_1 maps against
// their closed forms for linear and ReLU units (ReLU's correlation map is the arc-cosine
// kernel of Cho & Saul 2009); the tanh edge of chaos at (sigma_w^2, sigma_b^2) = (1, 0); the
// phase classification and diagram; initialisers' variances; the verdict; and the
// measurement on a wide network against the prediction.
#include <QtTest>

#include <cmath>
#include <functional>
#include <numbers>

#include "core/model/experiment_config.h"
#include "core/model/network.h"
#include "core/signal/mean_field.h"
#include "core/signal/normal_quadrature.h"
#include "core/signal/phase_diagram.h"
#include "core/signal/signal_propagation.h"

using namespace gradscope::core;

namespace {

constexpr double kPi = std::numbers::pi;

// The arc-cosine kernel of degree 1: E[relu(u1) relu(u2)] for unit-length inputs at correlation c.
double arcCosine1(double c) {
  const double theta = std::acos(c);
  return (std::sin(theta) + (kPi - theta) * std::cos(theta)) / (2 * kPi);
}

bool near(double a, double b, double relative) {
  return std::abs(a - b) <= relative * std::max(1.0, std::abs(b));
}

}  // namespace

class TestMeanField : public QObject {
  Q_OBJECT

 private slots:
  void quadratureMoments() {
    const NormalQuadrature rule;
    auto expect = [&](const std::function<double(double)>& f) {
      double sum = 0;
      for (std::size_t i = 0; i < rule.halfLineNodes().size(); ++i) {
        const double z = rule.halfLineNodes()[i];
        sum += rule.halfLineWeights()[i] * (f(z) + f(-z));
      }
      return sum;
    };
    // E[z^(2k)] = (2k - 1)!!.
    double expected = 1.0;
    QVERIFY(std::abs(expect([](double) { return 1.0; }) - 1.0) < 1e-14);
    for (int k = 1; k <= 8; ++k) {
      expected *= 2 * k - 1;
      const double sum = expect([k](double z) { return std::pow(z, 2 * k); });
      QVERIFY2(std::abs(sum - expected) <= 1e-12 * expected, qPrintable(QString::number(k)));
    }
    // Across a kink: E[relu(z)] = 1 / sqrt(2 pi), E[cos(a z)] = exp(-a^2 / 2).
    const double relu = expect([](double z) { return std::max(z, 0.0); });
    QVERIFY(std::abs(relu - 1 / std::sqrt(2 * kPi)) < 1e-14);
    for (double a : {0.5, 1.0, 3.0}) {
      QVERIFY(std::abs(expect([a](double z) { return std::cos(a * z); }) - std::exp(-a * a / 2)) <
              1e-13);
    }
    // 2-D: E[z1^2 z2^2] = 1, E[relu(z1) relu(u2)] against the arc-cosine kernel at c = 0.3.
    for (double c : {-0.7, 0.0, 0.3, 1.0}) {
      const NormalQuadrature::Points p = rule.bivariate(c);
      double mass = 0, fourth = 0, kernel = 0;
      for (std::size_t i = 0; i < p.weight.size(); ++i) {
        mass += p.weight[i];
        fourth += p.weight[i] * p.z1[i] * p.z1[i] * p.z2[i] * p.z2[i];
        const double u2 = c * p.z1[i] + std::sqrt(1 - c * c) * p.z2[i];
        kernel += p.weight[i] * std::max(p.z1[i], 0.0) * std::max(u2, 0.0);
      }
      QVERIFY(std::abs(mass - 1) < 1e-13);
      QVERIFY(std::abs(fourth - 1) < 1e-12);
      QVERIFY2(std::abs(kernel - arcCosine1(c)) < 1e-13, qPrintable(QString::number(c)));
    }
    QVERIFY_THROWS_EXCEPTION(Error, NormalQuadrature(1));
  }

  void linearMaps() {
    const MeanField field({ActivationKind::Linear});
    for (SignalVariances v :
         {SignalVariances{0.5, 0.1}, SignalVariances{1.0, 0.0}, SignalVariances{2.5, 0.3}}) {
      for (double q : {0.01, 1.0, 4.0}) {
        QVERIFY(near(field.lengthMap(q, v), v.weight * q + v.bias, 1e-12));
        QVERIFY(near(field.chi1(q, v), v.weight, 1e-12));
        for (double c : {-0.5, 0.2, 0.9}) {
          const double q2 = 2 * q;
          const double expected = (v.weight * c * std::sqrt(q * q2) + v.bias) /
                                  std::sqrt((v.weight * q + v.bias) * (v.weight * q2 + v.bias));
          QVERIFY(near(field.correlationMap(q, q2, c, v), expected, 1e-10));
        }
      }
    }
    // q* = sigma_b^2 / (1 - sigma_w^2) below 1; no fixed point above.
    QVERIFY(near(field.fixedLength({0.5, 0.2}), 0.4, 1e-10));
    QVERIFY(std::isinf(field.fixedLength({1.5, 0.2})));
  }

  void reluLengthMap() {
    const MeanField field({ActivationKind::Relu});
    for (SignalVariances v : {SignalVariances{2.0, 0.0}, SignalVariances{1.0, 0.5}}) {
      for (double q : {0.1, 1.0, 7.3}) {
        QVERIFY(near(field.lengthMap(q, v), v.weight * q / 2 + v.bias, 1e-12));
        QVERIFY(near(field.chi1(q, v), v.weight / 2, 1e-12));
      }
    }
    // q* = sigma_b^2 / (1 - sigma_w^2 / 2).
    QVERIFY(near(field.fixedLength({1.0, 0.5}), 1.0, 1e-9));
    QVERIFY(std::isinf(field.fixedLength({3.0, 0.0})));
  }

  void reluCorrelationMapIsTheArcCosineKernel() {
    const MeanField field({ActivationKind::Relu});
    double worst = 0, worstDerivative = 0;
    for (double c : {-0.9, -0.3, 0.0, 0.5, 0.9, 0.99}) {
      for (double q : {0.5, 2.0}) {
        const double cross = field.crossMoment(q, 2 * q, c);
        const double expected = std::sqrt(q * 2 * q) * arcCosine1(c);
        worst = std::max(worst, std::abs(cross - expected) / expected);
        // E[relu'(u1) relu'(u2)] = (pi - theta) / (2 pi).
        const double d = field.derivativeCrossMoment(q, 2 * q, c);
        worstDerivative = std::max(worstDerivative, std::abs(d - (kPi - std::acos(c)) / (2 * kPi)));
      }
      // The correlation map with sigma_b^2 = 0 is the normalised kernel, 2 arcCosine1(c).
      const double mapped = field.correlationMap(1.0, 1.0, c, {2.0, 0.0});
      QVERIFY2(std::abs(mapped - 2 * arcCosine1(c)) < 1e-12,
               qPrintable(QString("c = %1: %2 vs %3").arg(c).arg(mapped).arg(2 * arcCosine1(c))));
    }
    qInfo("ReLU cross moment vs arc-cosine kernel: worst relative error %.2e; derivative %.2e",
          worst, worstDerivative);
    QVERIFY(worst < 1e-12);
    QVERIFY(worstDerivative < 1e-12);
  }

  void tanhEdgeOfChaos() {
    const MeanField field({ActivationKind::Tanh});
    const MeanFieldFixedPoint edge = field.fixedPoint({1.0, 0.0});
    QCOMPARE(edge.q, 0.0);
    QVERIFY(std::abs(edge.chi1 - 1.0) < 1e-12);
    QVERIFY(edge.phase == SignalPhase::Edge);
    QVERIFY(edge.xiGradient > 1e6);
    // A bias moves the edge to a larger sigma_w^2, where chi_1 = 1 again at a positive q*.
    const PhaseDiagram diagram = computePhaseDiagram(field, 4.0, 0.5, 40, 11);
    QVERIFY(std::abs(diagram.criticalWeight.front() - 1.0) < 0.02);
    double previous = 0;
    for (double w : diagram.criticalWeight) {
      QVERIFY(std::isfinite(w) && w > previous);
      previous = w;
    }
    const double w = diagram.criticalWeight.back();
    QVERIFY(std::abs(std::log(field.chi1AtFixedPoint({w, 0.5}))) < 0.02);
    qInfo(
        "tanh critical line: sigma_w^2 = %.3f at sigma_b^2 = 0, %.3f at sigma_b^2 = 0.05, %.3f "
        "at 0.5",
        diagram.criticalWeight.front(), diagram.criticalWeight[1], w);
  }

  void phases() {
    QVERIFY(classifyPhase(0.5) == SignalPhase::Ordered);
    QVERIFY(classifyPhase(1.02) == SignalPhase::Edge);
    QVERIFY(classifyPhase(0.97) == SignalPhase::Edge);
    QVERIFY(classifyPhase(1.5) == SignalPhase::Chaotic);
    const MeanField tanh({ActivationKind::Tanh});
    const MeanFieldFixedPoint ordered = tanh.fixedPoint({0.5, 0.0});
    QVERIFY(ordered.phase == SignalPhase::Ordered);
    QCOMPARE(ordered.c, 1.0);
    QVERIFY(near(ordered.chi1, 0.5, 1e-12));  // q* = 0: tanh'(0)^2 sigma_w^2
    QVERIFY(near(ordered.xiC, -1 / std::log(0.5), 1e-9));
    const MeanFieldFixedPoint chaotic = tanh.fixedPoint({4.0, 0.0});
    QVERIFY(chaotic.phase == SignalPhase::Chaotic);
    QVERIFY(chaotic.q > 1.0 && chaotic.q < 4.0);
    QVERIFY(std::abs(chaotic.c) < 1e-6);  // an odd function without bias decorrelates fully
    QVERIFY(chaotic.chiC < 1.0 && std::isfinite(chaotic.xiC));
    QVERIFY(chaotic.lengthSlope > 0 && chaotic.lengthSlope < 1 && std::isfinite(chaotic.xiQ));
    const MeanField relu({ActivationKind::Relu});
    QVERIFY(relu.fixedPoint({1.0, 0.0}).phase == SignalPhase::Ordered);
    QVERIFY(relu.fixedPoint({2.0, 0.0}).phase == SignalPhase::Edge);
    QVERIFY(relu.fixedPoint({3.0, 0.0}).phase == SignalPhase::Chaotic);
    // Every activation of the engine but softmax has a mean field.
    for (ActivationKind kind : {ActivationKind::Sigmoid, ActivationKind::LeakyRelu,
                                ActivationKind::Elu, ActivationKind::Selu}) {
      const MeanFieldFixedPoint p = MeanField({kind}).fixedPoint({1.0, 0.1});
      QVERIFY(std::isfinite(p.chi1) && p.chi1 > 0);
    }
    QVERIFY_THROWS_EXCEPTION(Error, MeanField({ActivationKind::Softmax}));
    // SELU with LeCun's initialisation: the fixed point q* = 1 (Klambauer et al. 2017), where
    // chi_1 = scale^2 (1/2 + alpha^2 e^2 Phi(-2)) = 1.07: just on the chaotic side of the edge.
    const MeanFieldFixedPoint selu = MeanField({ActivationKind::Selu}).fixedPoint({1.0, 0.0});
    QVERIFY(std::abs(selu.q - 1.0) < 1e-3);
    const double seluChi =
        kSeluScale * kSeluScale *
        (0.5 + kSeluAlpha * kSeluAlpha * std::exp(2.0) * 0.5 * std::erfc(std::sqrt(2.0)));
    qInfo("SELU chi_1 at q* = 1: %.12f by quadrature, %.12f in closed form", selu.chi1, seluChi);
    QVERIFY(std::abs(selu.chi1 - seluChi) < 1e-6);
  }

  void diagramClassifiesCells() {
    const PhaseDiagram d = computePhaseDiagram(MeanField({ActivationKind::Tanh}), 4.0, 0.5, 40, 6);
    QCOMPARE(int(d.chi1.size()), 240);
    QVERIFY(d.phaseAt(0, 0) == SignalPhase::Ordered);   // sigma_w^2 = 0.1
    QVERIFY(d.phaseAt(9, 0) == SignalPhase::Edge);      // sigma_w^2 = 1.0
    QVERIFY(d.phaseAt(39, 0) == SignalPhase::Chaotic);  // sigma_w^2 = 4.0
    QVERIFY_THROWS_EXCEPTION(Error,
                             computePhaseDiagram(MeanField({ActivationKind::Tanh}), 4, 0.5, 1, 6));
  }

  void initializerVariances() {
    LayerSpec dense = LayerSpec::dense(256, ActivationKind::Tanh, InitializerKind::GlorotNormal);
    QVERIFY(near(denseVariances(dense, 256).weight, 1.0, 1e-12));
    QCOMPARE(denseVariances(dense, 256).bias, 0.0);
    dense.kernelInitializer.kind = InitializerKind::HeUniform;
    QVERIFY(near(denseVariances(dense, 100).weight, 2.0, 1e-12));
    dense.kernelInitializer.kind = InitializerKind::LecunNormal;
    QVERIFY(near(denseVariances(dense, 100).weight, 1.0, 1e-12));
    dense.kernelInitializer = {InitializerKind::RandomNormal};
    dense.kernelInitializer.stddev = 0.0625;
    QVERIFY(near(denseVariances(dense, 256).weight, 1.0, 1e-12));
    dense.biasInitializer = {InitializerKind::RandomUniform};  // U(-0.05, 0.05)
    QVERIFY(near(denseVariances(dense, 256).bias, 0.01 / 12, 1e-12));
    dense.useBias = false;
    QCOMPARE(denseVariances(dense, 256).bias, 0.0);
  }

  void verdicts() {
    const MeanField tanh({ActivationKind::Tanh});
    const std::string vanish = signalVerdict(tanh.fixedPoint({0.5, 0.0}), 50);
    QVERIFY2(vanish.rfind("Gradients will vanish", 0) == 0, vanish.c_str());
    const std::string explode = signalVerdict(tanh.fixedPoint({4.0, 0.0}), 200);
    QVERIFY2(explode.rfind("Gradients will explode", 0) == 0, explode.c_str());
    const std::string edge = signalVerdict(tanh.fixedPoint({1.0, 0.0}), 200);
    QVERIFY2(edge.rfind("Gradients will propagate through any depth", 0) == 0, edge.c_str());
    // A short network in the ordered phase still trains: about 6 xi = 6 / ln 2 = 9 layers.
    const std::string shallow = signalVerdict(tanh.fixedPoint({0.5, 0.0}), 4);
    QVERIFY2(shallow == "Gradients will propagate through about 9 layers (6\u03be), enough for 4.",
             shallow.c_str());
  }

  // A wide tanh network at three initialisations: the engine's measurement follows the
  // prediction, and the analysis leaves the network untouched.
  void measurementFollowsPrediction_data() {
    QTest::addColumn<double>("weightVariance");
    QTest::newRow("ordered") << 0.6;
    QTest::newRow("edge") << 1.0;
    QTest::newRow("chaotic") << 3.0;
  }
  void measurementFollowsPrediction() {
    QFETCH(double, weightVariance);
    ModelConfig model;
    model.hiddenLayers = 8;
    model.width = 512;
    model.hiddenActivation = {ActivationKind::Tanh};
    model.initializer = {InitializerKind::RandomNormal};
    model.initializer.stddev = std::sqrt(weightVariance / 512);
    NetworkSpec spec = buildNetworkSpec(model, 16, 1, TaskKind::Regression);
    // The first layer sees 16 inputs: the same sigma_w^2 there too.
    spec.layers[0].kernelInitializer.stddev = std::sqrt(weightVariance / 16);
    Network<double> net(spec);
    Rng rng(7);
    net.initialize(rng);
    Eigen::MatrixXd x(16, 128);
    for (Index i = 0; i < x.size(); ++i) x(i) = rng.normal(0.0, 1.0);
    // Correlated pairs: each odd sample is its even neighbour plus a little noise.
    for (Index j = 1; j < x.cols(); j += 2) x.col(j) = x.col(j - 1) + 0.3 * x.col(j);
    const Eigen::MatrixXd y = Eigen::MatrixXd::Random(1, 128);
    const Eigen::VectorXd before = net.parameters();
    const SignalPropagation s = analyseSignalPropagation(net, x, y, LossKind::MeanSquaredError);
    QCOMPARE(net.parameters(), before);
    QVERIFY(s.meanFieldApplies);
    QCOMPARE(s.depth(), 8);
    QCOMPARE(s.pairs, 64);
    double worstQ = 0, worstC = 0, worstG = 0;
    for (const SignalLayer& l : s.layers) {
      worstQ = std::max(worstQ, std::abs(l.measuredLength / l.predictedLength - 1));
      worstC = std::max(worstC, std::abs(l.measuredCorrelation - l.predictedCorrelation));
      worstG = std::max(worstG, std::abs(std::log(l.measuredGradient / l.predictedGradient)));
    }
    qInfo("sigma_w^2 = %.1f: q within %.1f%%, c within %.3f, gradient within a factor %.2f",
          weightVariance, 100 * worstQ, worstC, std::exp(worstG));
    QVERIFY(worstQ < 0.1);
    QVERIFY(worstC < 0.05);
    QVERIFY(worstG < std::log(1.5));
  }
};

QTEST_GUILESS_MAIN(TestMeanField)
#include "tst_mean_field.moc"
