// The backprop trace (core/backprop): on a 2-2-1 network with given weights every number of
// one step (z, a, loss, δ, gradients, update) equals the value computed here by hand with the
// chain rule; on deeper networks the sum over paths of every first-layer weight equals the
// engine's gradient; the traced update is the optimiser's (SGD, momentum, Adam: the same as the
// run's real next step and as the optimiser applied to the traced gradient); tracing leaves
// the run untouched; networks too large, or with other layers, are refused with their sizes.
#include <QtTest>

#include <cmath>

#include "core/backprop/backprop_tracer.h"
#include "core/model/trainer.h"

using namespace gradscope::core;

namespace {

Dataset data(const Eigen::MatrixXd& inputs, const Eigen::MatrixXd& targets, TaskKind task) {
  Dataset d;
  d.inputs = inputs;
  d.targets = targets;
  d.task = task;
  return d;
}

template <typename T = double>
Trainer<T> makeTrainer(const NetworkSpec& spec, LossKind loss, const Dataset& train,
                       OptimizerSettings optimizer, Index batchSize) {
  TrainingSettings training;
  training.batchSize = batchSize;
  training.shuffle = false;
  training.epochs = 50;
  ScheduleSettings schedule;
  schedule.kind = ScheduleKind::Constant;
  return Trainer<T>(spec, loss, train, Dataset{}, optimizer, schedule, training);
}

NetworkSpec denseSpec(Index inputs, std::vector<std::pair<Index, ActivationKind>> layers) {
  NetworkSpec spec;
  spec.inputs = inputs;
  for (auto [units, activation] : layers)
    spec.layers.push_back(LayerSpec::dense(units, activation));
  return spec;
}

bool close(double value, double expected, double tolerance = 1e-12) {
  return std::abs(value - expected) <= tolerance * std::max(1.0, std::abs(expected));
}

// The traced applied gradient as one flat vector in the network's layout.
Eigen::VectorXd flatApplied(const BackpropTrace& trace, const ParameterLayout& layout, Index size) {
  Eigen::VectorXd flat(size);
  for (const ParameterTensor& tensor : layout) {
    for (const BackpropTraceLayer& layer : trace.layers) {
      if (layer.networkLayer != tensor.layer) continue;
      if (tensor.role == TensorRole::Kernel) {
        flat.segment(tensor.offset, tensor.size) = layer.kernelApplied.reshaped();
      } else {
        flat.segment(tensor.offset, tensor.size) = layer.biasApplied;
      }
    }
  }
  return flat;
}

Eigen::VectorXd flatAfter(const BackpropTrace& trace, const ParameterLayout& layout, Index size) {
  Eigen::VectorXd flat(size);
  for (const ParameterTensor& tensor : layout) {
    for (const BackpropTraceLayer& layer : trace.layers) {
      if (layer.networkLayer != tensor.layer) continue;
      if (tensor.role == TensorRole::Kernel) {
        flat.segment(tensor.offset, tensor.size) = layer.kernelAfter.reshaped();
      } else {
        flat.segment(tensor.offset, tensor.size) = layer.biasAfter;
      }
    }
  }
  return flat;
}

}  // namespace

class TestBackpropTrace : public QObject {
  Q_OBJECT
 private slots:
  // 2 inputs, 2 tanh units, 1 sigmoid output, binary cross-entropy, one sample, SGD 0.5.
  void handComputedTinyNetwork() {
    Eigen::MatrixXd x(2, 1), y(1, 1);
    x << 0.5, -1.0;
    y << 1.0;
    const NetworkSpec spec =
        denseSpec(2, {{2, ActivationKind::Tanh}, {1, ActivationKind::Sigmoid}});
    OptimizerSettings sgd = OptimizerSettings::defaultsFor(OptimizerKind::Sgd);
    sgd.learningRate = 0.5;
    auto trainer =
        makeTrainer(spec, LossKind::BinaryCrossentropy, data(x, y, TaskKind::Binary), sgd, 1);
    auto& net = trainer.network();
    Eigen::MatrixXd k1(2, 2), b1(2, 1), k2(2, 1), b2(1, 1);
    k1 << 0.1, -0.2, 0.3, 0.4;  // row i: from input i; column j: into unit j
    b1 << 0.05, -0.1;
    k2 << 0.7, -0.6;
    b2 << 0.2;
    net.setTensorValue(*net.findTensor("layers[0].kernel"), k1);
    net.setTensorValue(*net.findTensor("layers[0].bias"), b1);
    net.setTensorValue(*net.findTensor("layers[1].kernel"), k2);
    net.setTensorValue(*net.findTensor("layers[1].bias"), b2);

    // By hand, unit by unit.
    double z1[2], a1[2], d1[2], gk1[2][2], gk2[2];
    for (int j = 0; j < 2; ++j) {
      z1[j] = x(0) * k1(0, j) + x(1) * k1(1, j) + b1(j);
      a1[j] = std::tanh(z1[j]);
    }
    const double z2 = a1[0] * k2(0) + a1[1] * k2(1) + b2(0);
    const double p = 1.0 / (1.0 + std::exp(-z2));
    const double loss = -std::log(p);  // y = 1
    const double d2 = p - y(0);        // sigmoid + cross-entropy: ∂L/∂z = p - y
    for (int j = 0; j < 2; ++j) {
      d1[j] = (1.0 - a1[j] * a1[j]) * k2(j) * d2;  // f'(z) · w · δ
      gk2[j] = a1[j] * d2;
      for (int i = 0; i < 2; ++i) gk1[i][j] = x(i) * d1[j];
    }

    const BackpropTrace trace = traceNextStep(trainer);
    QCOMPARE(trace.samples, 1);
    QCOMPARE(int(trace.layers.size()), 2);
    QVERIFY(trace.fusedLoss);
    QVERIFY(close(trace.dataLoss, loss, 1e-7));  // Keras clips p to [1e-7, 1 - 1e-7]
    const BackpropTraceLayer& h = trace.layers[0];
    const BackpropTraceLayer& o = trace.layers[1];
    for (int j = 0; j < 2; ++j) {
      QVERIFY(close(h.z(j, 0), z1[j]));
      QVERIFY(close(h.a(j, 0), a1[j]));
      QVERIFY(close(h.derivative(j, 0), 1.0 - a1[j] * a1[j]));
      QVERIFY(close(h.upstream(j, 0), k2(j) * d2));
      QVERIFY(close(h.delta(j, 0), d1[j]));
      QVERIFY(close(h.biasGradient(j), d1[j]));
      QVERIFY(close(o.kernelGradient(j, 0), gk2[j]));
      QVERIFY(close(o.kernelAfter(j, 0), k2(j) - 0.5 * gk2[j]));
      for (int i = 0; i < 2; ++i) {
        QVERIFY(close(h.kernelGradient(i, j), gk1[i][j]));
        QVERIFY(close(h.kernelAfter(i, j), k1(i, j) - 0.5 * gk1[i][j]));
        QVERIFY(close(h.kernelBefore(i, j), k1(i, j)));
      }
    }
    QVERIFY(close(o.z(0, 0), z2));
    QVERIFY(close(o.a(0, 0), p));
    QVERIFY(close(o.delta(0, 0), d2));
    QVERIFY(std::isnan(o.upstream(0, 0)));  // fused: the loss gives δ directly
    QVERIFY(close(o.biasAfter(0), b2(0) - 0.5 * d2));
    QCOMPARE(trace.learningRate, 0.5);
    QCOMPARE(trace.updateRule, std::string("w ← w − η·g"));
    // One hidden layer: each first-layer weight reaches the output by exactly one path.
    QCOMPARE(int(trace.paths.size()), 4);
    for (const BackpropPathSum& sum : trace.paths) {
      QCOMPARE(int(sum.paths.size()), 1);
      QVERIFY(close(sum.sum, gk1[sum.input][sum.unit]));
    }
    QVERIFY(trace.largestChainRuleDifference < 1e-12);
  }

  // Mean squared error on a linear output is not fused: δ_out = f'(z) · ∂L/∂a with
  // ∂L/∂a = 2 (a - y) / N, and the weight gradient sums δ · input over the N samples.
  void meanSquaredErrorOverTwoSamples() {
    Eigen::MatrixXd x(1, 2), y(1, 2);
    x << 1.0, -2.0;
    y << 0.5, 1.5;
    const NetworkSpec spec =
        denseSpec(1, {{1, ActivationKind::Sigmoid}, {1, ActivationKind::Linear}});
    auto trainer = makeTrainer(spec, LossKind::MeanSquaredError, data(x, y, TaskKind::Regression),
                               OptimizerSettings::defaultsFor(OptimizerKind::Sgd), 2);
    auto& net = trainer.network();
    net.setTensorValue(*net.findTensor("layers[0].kernel"), Eigen::MatrixXd::Constant(1, 1, 0.8));
    net.setTensorValue(*net.findTensor("layers[1].kernel"), Eigen::MatrixXd::Constant(1, 1, -1.2));
    const BackpropTrace trace = traceNextStep(trainer);
    QVERIFY(!trace.fusedLoss);
    double gk1 = 0.0, gk2 = 0.0, loss = 0.0;
    for (int s = 0; s < 2; ++s) {
      const double h = 1.0 / (1.0 + std::exp(-0.8 * x(0, s)));
      const double out = -1.2 * h;
      loss += 0.5 * (out - y(0, s)) * (out - y(0, s));
      const double dOut = 2.0 * (out - y(0, s)) / 2.0;  // linear: f' = 1
      QVERIFY(close(trace.layers[1].upstream(0, s), dOut));
      QVERIFY(close(trace.layers[1].delta(0, s), dOut));
      const double dHidden = h * (1.0 - h) * -1.2 * dOut;
      QVERIFY(close(trace.layers[0].delta(0, s), dHidden));
      gk2 += h * dOut;
      gk1 += x(0, s) * dHidden;
    }
    QVERIFY(close(trace.dataLoss, loss));
    QVERIFY(close(trace.layers[1].kernelGradient(0, 0), gk2));
    QVERIFY(close(trace.layers[0].kernelGradient(0, 0), gk1));
    QVERIFY(close(trace.paths.front().sum, gk1));
  }

  // Two hidden layers and a softmax output over a mini-batch of 5: every first-layer weight
  // reaches the 2 outputs through 3 × 2 paths, and their contributions add up to the
  // engine's gradient (with the L2 term added).
  void sumOverPathsEqualsGradient() {
    Eigen::MatrixXd x = Eigen::MatrixXd::Random(3, 5);
    Eigen::MatrixXd y = Eigen::MatrixXd::Zero(2, 5);
    for (int s = 0; s < 5; ++s) y(s % 2, s) = 1.0;
    NetworkSpec spec = denseSpec(
        3, {{4, ActivationKind::Tanh}, {3, ActivationKind::Elu}, {2, ActivationKind::Softmax}});
    spec.layers[0].l2 = 0.01;
    auto trainer =
        makeTrainer(spec, LossKind::CategoricalCrossentropy, data(x, y, TaskKind::MultiClass),
                    OptimizerSettings::defaultsFor(OptimizerKind::Sgd), 5);
    const BackpropTrace trace = traceNextStep(trainer);
    QCOMPARE(int(trace.paths.size()), 3 * 4);
    for (const BackpropPathSum& sum : trace.paths) {
      QCOMPARE(int(sum.paths.size()), 3 * 2);
      QVERIFY(sum.engineGradient != 0.0);
      QVERIFY2(close(sum.sum, sum.engineGradient, 1e-10),
               qPrintable(QString("%1 vs %2").arg(sum.sum).arg(sum.engineGradient)));
      QCOMPARE(sum.engineGradient, trace.layers[0].kernelGradient(sum.input, sum.unit));
    }
    QVERIFY(trace.largestChainRuleDifference < 1e-10);
  }

  // The traced update is the optimiser's: the run's own next step gives the same weights to
  // the bit, and the optimiser (with the run's state) applied to the traced gradient too.
  void updatesEqualOptimiser_data() {
    QTest::addColumn<int>("kind");
    QTest::newRow("sgd") << int(OptimizerKind::Sgd);
    QTest::newRow("momentum") << int(OptimizerKind::Momentum);
    QTest::newRow("adam") << int(OptimizerKind::Adam);
  }
  void updatesEqualOptimiser() {
    QFETCH(int, kind);
    Eigen::MatrixXd x = Eigen::MatrixXd::Random(2, 8);
    Eigen::MatrixXd y = (x.row(0).array() * x.row(1).array() > 0).cast<double>().matrix();
    const NetworkSpec spec =
        denseSpec(2, {{3, ActivationKind::Relu}, {1, ActivationKind::Sigmoid}});
    OptimizerSettings settings = OptimizerSettings::defaultsFor(OptimizerKind(kind));
    settings.learningRate = 0.05;
    auto trainer =
        makeTrainer(spec, LossKind::BinaryCrossentropy, data(x, y, TaskKind::Binary), settings, 4);
    Rng rng(7);
    trainer.network().initialize(rng);
    for (int i = 0; i < 3; ++i) trainer.step();  // the optimiser has state now
    const Eigen::VectorXd before = trainer.network().parameters();
    const std::int64_t step = trainer.stepCount();
    const BackpropTrace trace = traceNextStep(trainer);
    // The run itself is untouched.
    QCOMPARE(trainer.stepCount(), step);
    QVERIFY(trainer.network().parameters() == before);
    QCOMPARE(trace.step, step);

    const auto& layout = trainer.network().layout();
    const Index n = trainer.network().parameterCount();
    auto optimizer = makeOptimizer<double>(trainer.optimizer().settings());
    optimizer->setState(trainer.optimizer().state(), n);
    Eigen::VectorXd expected = before;
    optimizer->update(expected, flatApplied(trace, layout, n), trace.learningRate, &layout);
    QVERIFY(flatAfter(trace, layout, n) == expected);

    trainer.step();
    QVERIFY(flatAfter(trace, layout, n) == trainer.network().parameters());
    QVERIFY(trace.largestChainRuleDifference < 1e-10);
  }

  // Adam's first step by hand: m = (1 - β₁) g, v = (1 - β₂) g², the rate corrected by
  // √(1 - β₂) / (1 - β₁), w ← w − η_t m / (√v + ε).
  void adamFirstStepByHand() {
    Eigen::MatrixXd x(2, 1), y(1, 1);
    x << 0.3, -0.7;
    y << 0.0;
    const NetworkSpec spec =
        denseSpec(2, {{2, ActivationKind::Tanh}, {1, ActivationKind::Sigmoid}});
    OptimizerSettings adam = OptimizerSettings::defaultsFor(OptimizerKind::Adam);
    adam.learningRate = 0.01;
    auto trainer =
        makeTrainer(spec, LossKind::BinaryCrossentropy, data(x, y, TaskKind::Binary), adam, 1);
    Rng rng(3);
    trainer.network().initialize(rng);
    const BackpropTrace trace = traceNextStep(trainer);
    const double rate = 0.01 * std::sqrt(1.0 - adam.beta2) / (1.0 - adam.beta1);
    for (const BackpropTraceLayer& layer : trace.layers) {
      for (Eigen::Index k = 0; k < layer.kernelGradient.size(); ++k) {
        const double g = layer.kernelGradient.data()[k];
        const double m = (1.0 - adam.beta1) * g;
        const double v = (1.0 - adam.beta2) * g * g;
        const double w = layer.kernelBefore.data()[k] - rate * m / (std::sqrt(v) + adam.epsilon);
        QVERIFY(close(layer.kernelAfter.data()[k], w, 1e-12));
      }
    }
  }

  // float32 runs trace in their own arithmetic; the displayed products still match it.
  void floatTraceMatchesItsEngine() {
    Eigen::MatrixXd x = Eigen::MatrixXd::Random(3, 4);
    Eigen::MatrixXd y = Eigen::MatrixXd::Random(2, 4);
    const NetworkSpec spec = denseSpec(
        3, {{4, ActivationKind::Sigmoid}, {4, ActivationKind::Tanh}, {2, ActivationKind::Linear}});
    auto trainer =
        makeTrainer<float>(spec, LossKind::MeanSquaredError, data(x, y, TaskKind::Regression),
                           OptimizerSettings::defaultsFor(OptimizerKind::Sgd), 4);
    const BackpropTrace trace = traceNextStep(trainer);
    QCOMPARE(trace.precision, std::string("float32"));
    QVERIFY2(trace.largestChainRuleDifference < 1e-4,
             qPrintable(QString::number(trace.largestChainRuleDifference)));
  }

  void refusesLargeOrOtherNetworks() {
    NetworkSpec wide = denseSpec(2, {{8, ActivationKind::Tanh}, {1, ActivationKind::Sigmoid}});
    const auto refusal = backpropRefusal(wide);
    QVERIFY(refusal);
    QVERIFY(refusal->find("2-8-1") != std::string::npos);
    QVERIFY(refusal->find("at most 4") != std::string::npos);
    NetworkSpec deep = denseSpec(2, {{2, ActivationKind::Tanh},
                                     {2, ActivationKind::Tanh},
                                     {2, ActivationKind::Tanh},
                                     {2, ActivationKind::Tanh},
                                     {1, ActivationKind::Sigmoid}});
    QVERIFY(backpropRefusal(deep));
    NetworkSpec batchNorm = denseSpec(2, {{2, ActivationKind::Tanh}, {1, ActivationKind::Sigmoid}});
    batchNorm.layers.insert(batchNorm.layers.begin() + 1, LayerSpec::batchNormalization());
    QVERIFY(backpropRefusal(batchNorm));
    QVERIFY(!backpropRefusal(denseSpec(4, {{4, ActivationKind::Tanh},
                                           {4, ActivationKind::Tanh},
                                           {4, ActivationKind::Tanh},
                                           {4, ActivationKind::Softmax}})));

    Eigen::MatrixXd x = Eigen::MatrixXd::Random(2, 4), y = Eigen::MatrixXd::Zero(1, 4);
    auto trainer = makeTrainer(wide, LossKind::BinaryCrossentropy, data(x, y, TaskKind::Binary),
                               OptimizerSettings::defaultsFor(OptimizerKind::Sgd), 4);
    QVERIFY_THROWS_EXCEPTION(Error, traceNextStep(trainer));
  }
};

QTEST_GUILESS_MAIN(TestBackpropTrace)
#include "tst_backprop_trace.moc"
