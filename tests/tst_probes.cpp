// Probes: per-layer gradient norms (true down to 1e-30 in float32), activation statistics,
// saturation and dead ReLU units, the update ratio, histograms on stride steps, BatchNorm
// statistics, and the location of the first non-finite value.
#include <QtTest>

#include <cmath>

#include "core/layers/dense_layer.h"
#include "core/model/experiment_config.h"
#include "core/probes/probes.h"

using namespace gradscope::core;

namespace {

Dataset regressionData(Index inputs, Index samples, std::uint64_t seed) {
  Rng rng(seed);
  Dataset d;
  d.inputs.resize(inputs, samples);
  d.targets.resize(1, samples);
  for (Index i = 0; i < d.inputs.size(); ++i) d.inputs(i) = rng.normal();
  for (Index j = 0; j < samples; ++j) d.targets(0, j) = d.inputs.col(j).sum() * 0.5;
  return d;
}

NetworkSpec stack(int hidden, Index width, ActivationKind act, InitializerSpec init) {
  ModelConfig model;
  model.hiddenLayers = hidden;
  model.width = width;
  model.hiddenActivation = {act};
  model.initializer = init;
  return buildNetworkSpec(model, 4, 1, TaskKind::Regression);
}

template <typename T>
Trainer<T> makeTrainer(const NetworkSpec& spec, const Dataset& data, double lr = 0.01,
                       Index batch = 16) {
  OptimizerSettings sgd = OptimizerSettings::defaultsFor(OptimizerKind::Sgd);
  sgd.learningRate = lr;
  TrainingSettings training;
  training.batchSize = batch;
  training.shuffle = false;
  return Trainer<T>(spec, LossKind::MeanSquaredError, data, Dataset{}, sgd, ScheduleSettings{},
                    training);
}

}  // namespace

class TestProbes : public QObject {
  Q_OBJECT
 private slots:
  void vanishingGradientsAreMeasured() {
    // 15 sigmoid layers with a naive small initialisation: the first layer's gradient is
    // orders of magnitude below the last hidden layer's, and both are reported (not zero).
    const NetworkSpec spec =
        stack(15, 16, ActivationKind::Sigmoid, {InitializerKind::RandomNormal});
    auto trainer = makeTrainer<float>(spec, regressionData(4, 64, 1));
    Prober<float> prober;
    trainer.setProber(&prober);
    trainer.step();
    const StepProbe& p = prober.last();
    QCOMPARE(int(p.layers.size()), 16);
    const double first = p.layers.front().gradientNorm;
    const double lastHidden = p.layers[14].gradientNorm;
    qInfo("first layer %.3g, last hidden layer %.3g, ratio %.3g", first, lastHidden,
          first / lastHidden);
    QVERIFY(first > 0.0);
    QVERIFY(first / lastHidden < 1e-3);
  }

  void tinyGradientNormsSurviveFloat32() {
    const NetworkSpec spec = stack(2, 8, ActivationKind::Tanh, {});
    Network<float> net(spec);
    Rng rng(1);
    net.initialize(rng);
    Matrix<float> x = Matrix<float>::Random(4, 8);
    Matrix<float> y = Matrix<float>::Random(1, 8);
    net.forward(x, Mode::Training, rng);
    net.backward(*makeLoss<float>(LossKind::MeanSquaredError), y);
    // Gradients of 1e-30 per element: their squares (1e-60) underflow float32.
    net.gradients().setConstant(1e-30f);
    Prober<float> prober;
    StepRecord record;
    prober.afterBackward(net, record);
    const auto& tensor = net.layout()[0];
    const double expected = 1e-30 * std::sqrt(double(tensor.size));
    QVERIFY(std::abs(prober.last().layers[0].kernelGradientNorm / expected - 1.0) < 1e-5);
  }

  void gradientHistogramBinsExactly() {
    // Every kernel gradient set to a chosen magnitude: each must land in the bin that
    // floor((log10|g| - low) / width) names, including values right at a bin edge.
    const NetworkSpec spec = stack(1, 8, ActivationKind::Tanh, {});
    Network<double> net(spec);
    Rng rng(3);
    net.initialize(rng);
    Matrix<double> x = Matrix<double>::Random(4, 8), y = Matrix<double>::Random(1, 8);
    net.forward(x, Mode::Training, rng);
    net.backward(*makeLoss<double>(LossKind::MeanSquaredError), y);
    const ParameterTensor& kernel = net.layout()[0];
    const double width = (kGradientHistogramHigh - kGradientHistogramLow) / kGradientHistogramBins;
    std::vector<int> expected(kGradientHistogramBins, 0);
    std::uint32_t below = 0;
    for (Index i = 0; i < kernel.size; ++i) {
      const double exponent = -34.0 + 33.5 * rng.uniform();
      double g = (i % 5 == 0) ? std::pow(10.0, std::round(exponent * 2) / 2)  // on an edge
                              : std::pow(10.0, exponent);
      if (i % 7 == 0) g = -g;
      if (i == 3) g = 0.0;
      net.gradients()(kernel.offset + i) = g;
      if (g == 0.0) {
        ++below;
        continue;
      }
      const int bin =
          int(std::floor((std::log10(std::abs(g)) - kGradientHistogramLow) / width + 1e-12));
      ++expected[std::size_t(bin)];
    }
    Prober<double> prober;
    StepRecord record;  // step 0: a stride step
    prober.afterBackward(net, record);
    const Histogram& h = prober.last().layers[0].histograms->gradientLog10;
    QCOMPARE(h.below, below);
    for (int b = 0; b < kGradientHistogramBins; ++b) {
      QCOMPARE(int(h.counts[std::size_t(b)]), expected[std::size_t(b)]);
    }
  }

  void saturationCountMatchesTheDerivative() {
    // The fused counts equal counting the materialised derivative, and the fused sums give
    // the mean and standard deviation, for every activation.
    Rng rng(9);
    Matrix<float> z(16, 40);
    for (Index i = 0; i < z.size(); ++i) z(i) = float(rng.normal(0.0, 4.0));
    for (auto kind : {ActivationKind::Linear, ActivationKind::Sigmoid, ActivationKind::Tanh,
                      ActivationKind::Relu, ActivationKind::LeakyRelu, ActivationKind::Elu,
                      ActivationKind::Selu, ActivationKind::Softmax}) {
      const auto act = makeActivation<float>(ActivationSpec{kind});
      Matrix<float> a, d, scratch;
      act->forward(z, a);
      act->derivative(z, a, d);
      for (double fraction : {0.1, 0.5, 0.99}) {
        const float threshold = float(fraction * act->maxDerivative());
        const ActivationSums sums = act->sums(z, a, threshold, scratch);
        QCOMPARE(sums.derivativeBelow, Index((d.array() < threshold).count()));
        QCOMPARE(sums.count, z.size());
        const Eigen::ArrayXXd zd = z.cast<double>().array(), ad = a.cast<double>().array();
        QVERIFY(std::abs(sums.zMean() - zd.mean()) < 1e-5);
        QVERIFY(std::abs(sums.aMean() - ad.mean()) < 1e-5);
        QVERIFY(std::abs(sums.zStd() - std::sqrt((zd - zd.mean()).square().mean())) < 1e-4);
        QVERIFY(std::abs(sums.aStd() - std::sqrt((ad - ad.mean()).square().mean())) < 1e-4);
      }
    }
  }

  void saturationOfSigmoidWithLargeWeights() {
    InitializerSpec large{InitializerKind::RandomNormal};
    large.stddev = 20.0;
    auto trainer =
        makeTrainer<float>(stack(3, 32, ActivationKind::Sigmoid, large), regressionData(4, 64, 2));
    Prober<float> prober;
    trainer.setProber(&prober);
    trainer.step();
    // Large weights push |z| far beyond 4, where sigmoid' < 10% of its maximum.
    QVERIFY2(prober.last().layers[0].saturated > 0.8,
             qPrintable(QString::number(prober.last().layers[0].saturated)));
    QVERIFY(std::isnan(prober.last().layers[0].inactive));  // not ReLU-like

    InitializerSpec he{InitializerKind::HeNormal};
    auto calm = makeTrainer<float>(stack(3, 32, ActivationKind::Elu, he), regressionData(4, 64, 2));
    Prober<float> calmProber;
    calm.setProber(&calmProber);
    calm.step();
    QVERIFY(calmProber.last().layers[0].saturated < 0.5);
  }

  void deadReluUnits() {
    const NetworkSpec spec = stack(2, 8, ActivationKind::Relu, {InitializerKind::HeNormal});
    auto trainer = makeTrainer<float>(spec, regressionData(4, 32, 3), 0.01, 16);
    // A bias of -100 on the first layer switches every unit off for every sample.
    const ParameterTensor* bias = trainer.network().findTensor("layers[0].bias");
    QVERIFY(bias);
    trainer.network().parameters().segment(bias->offset, bias->size).setConstant(-100.0f);
    Prober<float> prober;
    trainer.setProber(&prober);
    trainer.step();
    const LayerProbe& first = prober.last().layers[0];
    QCOMPARE(first.inactive, 1.0);
    QCOMPARE(first.deadUnits, 1.0);
    QVERIFY(std::isnan(first.deadUnitsEpoch));  // no epoch completed yet
    trainer.step();                             // completes epoch 0 (32 samples / 16)
    trainer.step();
    QCOMPARE(prober.last().layers[0].deadUnitsEpoch, 1.0);
  }

  void inactiveIsTheShareOfNonPositivePreActivations() {
    // A live ReLU layer, some units on and some off: the probe's inactive fraction is the
    // share of z <= 0 in the step's pre-activations.
    const NetworkSpec spec = stack(2, 16, ActivationKind::Relu, {InitializerKind::HeNormal});
    auto trainer = makeTrainer<float>(spec, regressionData(4, 32, 5), 0.01, 32);
    Prober<float> prober;
    trainer.setProber(&prober);
    trainer.step();
    const auto* dense = trainer.network().layerAs<DenseLayer<float>>(0);
    QVERIFY(dense);
    const Matrix<float>& z = dense->preActivation();
    const double share = double((z.array() <= 0.0f).count()) / double(z.size());
    QVERIFY2(share > 0.1 && share < 0.9, qPrintable(QString::number(share)));
    QCOMPARE(prober.last().layers[0].inactive, share);
  }

  void updateRatioOfSgd() {
    const NetworkSpec spec = stack(2, 8, ActivationKind::Tanh, {});
    const double lr = 0.05;
    auto trainer = makeTrainer<double>(spec, regressionData(4, 32, 4), lr);
    Prober<double> prober;
    trainer.setProber(&prober);
    const Vector<double> before = trainer.network().parameters();
    trainer.step();  // step 0 is a stride step
    const StepProbe& p = prober.last();
    QVERIFY(p.strideStep);
    const ParameterTensor* kernel = trainer.network().findTensor("layers[0].kernel");
    const double weightNorm = before.segment(kernel->offset, kernel->size).norm();
    // Plain SGD: dW = -lr g, so ||dW|| / ||W|| = lr ||g|| / ||W||.
    const double expected = lr * p.layers[0].kernelGradientNorm / weightNorm;
    QVERIFY(std::abs(p.layers[0].updateRatio / expected - 1.0) < 1e-9);
    trainer.step();  // step 1 is not a stride step (stride 10)
    QVERIFY(!prober.last().strideStep);
    QVERIFY(std::isnan(prober.last().layers[0].updateRatio));
    QVERIFY(!prober.last().layers[0].histograms);
  }

  void histogramsCountEveryValue() {
    const NetworkSpec spec = stack(2, 8, ActivationKind::Tanh, {});
    auto trainer = makeTrainer<float>(spec, regressionData(4, 32, 5));
    Prober<float> prober;
    trainer.setProber(&prober);
    trainer.step();
    const auto& h = prober.last().layers[0].histograms;
    QVERIFY(h.has_value());
    QCOMPARE(h->activation.total(), std::uint32_t(8 * 16));
    QCOMPARE(h->preActivation.total(), std::uint32_t(8 * 16));
    QCOMPARE(h->gradientLog10.total(), std::uint32_t(4 * 8));
    QCOMPARE(int(h->activation.counts.size()), kValueHistogramBins);
    QCOMPARE(h->activation.above + h->activation.below, std::uint32_t(0));  // tanh in (-1, 1)
  }

  void batchNormStatistics() {
    ModelConfig model;
    model.hiddenLayers = 2;
    model.width = 8;
    model.batchNorm = BatchNormPlacement::AfterActivation;
    const NetworkSpec spec = buildNetworkSpec(model, 4, 1, TaskKind::Regression);
    auto trainer = makeTrainer<float>(spec, regressionData(4, 32, 6));
    Prober<float> prober;
    trainer.setProber(&prober);
    trainer.step();
    QCOMPARE(int(prober.last().batchNorms.size()), 2);
    // After one step the moving variance moved 1% of the way from 1 to the batch variance.
    const auto& bn = prober.last().batchNorms[0];
    QVERIFY(std::abs(bn.movingVariance - (0.99 + 0.01 * bn.batchVariance)) < 1e-5);
  }

  void nonFiniteIsLocated() {
    const NetworkSpec spec = stack(4, 8, ActivationKind::Relu, {InitializerKind::HeNormal});
    auto trainer = makeTrainer<float>(spec, regressionData(4, 32, 7));
    const ParameterTensor* kernel = trainer.network().findTensor("layers[2].kernel");
    trainer.network().parameters().segment(kernel->offset, kernel->size).setConstant(1e30f);
    const ParameterTensor* kernel3 = trainer.network().findTensor("layers[3].kernel");
    trainer.network().parameters().segment(kernel3->offset, kernel3->size).setConstant(1e30f);
    Prober<float> prober;
    trainer.setProber(&prober);
    const Vector<float> before = trainer.network().parameters();
    const StepRecord record = trainer.step();
    QVERIFY(!record.finite);
    QVERIFY(prober.last().nonFinite.has_value());
    QCOMPARE(prober.last().nonFinite->pass, std::string("forward"));
    QCOMPARE(prober.last().nonFinite->layer, 3);  // 1e30 * 1e30 overflows at layer 3
    QVERIFY(prober.last().layers.empty());
    // The non-finite step was not applied.
    QCOMPARE(trainer.network().parameters(), before);
  }
};

QTEST_GUILESS_MAIN(TestProbes)
#include "tst_probes.moc"
