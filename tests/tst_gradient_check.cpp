// Finite-difference gradient checks: for every layer type x activation x loss, the analytic
// gradient from Network::backward agrees with central differences of the loss in double
// precision to a relative error below 1e-6 (BatchNorm in training and frozen mode, L2,
// Dropout and AlphaDropout with frozen masks included).
#include <QtTest>

#include <cmath>

#include "core/model/network.h"

using namespace gradscope::core;

namespace {

struct Problem {
  Matrix<double> x;
  Matrix<double> y;
};

Problem makeProblem(Index inputs, Index outputs, LossKind loss, Index batch, Rng& rng) {
  Problem p{Matrix<double>(inputs, batch), Matrix<double>::Zero(outputs, batch)};
  for (Index i = 0; i < p.x.size(); ++i) p.x(i) = rng.normal();
  for (Index j = 0; j < batch; ++j) {
    if (loss == LossKind::CategoricalCrossentropy) {
      p.y(Index(rng.below(std::uint64_t(outputs))), j) = 1.0;
    } else {
      for (Index k = 0; k < outputs; ++k) {
        p.y(k, j) = loss == LossKind::BinaryCrossentropy ? double(rng.below(2)) : rng.normal();
      }
    }
  }
  return p;
}

// Returns the largest relative error over all parameters.
double maxRelativeError(NetworkSpec spec, LossKind lossKind, std::uint64_t seed) {
  Rng rng(seed);
  Network<double> net(spec);
  net.initialize(rng);
  // Non-trivial BatchNorm parameters and moving statistics, so every term matters.
  for (const auto& tensor : net.layout()) {
    if (tensor.role == TensorRole::Gamma || tensor.role == TensorRole::Beta) {
      for (Index i = 0; i < tensor.size; ++i) {
        net.parameters()(tensor.offset + i) =
            (tensor.role == TensorRole::Gamma ? 1.0 : 0.0) + 0.3 * rng.normal();
      }
    }
  }
  for (auto& [layer, buffer] : net.buffers()) {
    for (Index i = 0; i < buffer.values->size(); ++i) {
      (*buffer.values)(i) = buffer.name == "moving_variance" ? 0.5 + rng.uniform() : rng.normal();
    }
  }
  net.freezeDropoutMasks(true);
  const auto loss = makeLoss<double>(lossKind);
  const Problem p = makeProblem(spec.inputs, outputSize(spec), lossKind, 7, rng);
  Rng dropoutRng(seed + 1);

  net.forward(p.x, Mode::Training, dropoutRng);  // draws the (then frozen) masks
  net.backward(*loss, p.y);
  const Vector<double> analytic = net.gradients();

  auto lossAt = [&]() {
    net.forward(p.x, Mode::Training, dropoutRng);
    return net.loss(*loss, p.y).total();
  };
  double worst = 0.0;
  const double h = 1e-5;
  for (Index i = 0; i < net.parameterCount(); ++i) {
    const double saved = net.parameters()(i);
    net.parameters()(i) = saved + h;
    const double plus = lossAt();
    net.parameters()(i) = saved - h;
    const double minus = lossAt();
    net.parameters()(i) = saved;
    const double numeric = (plus - minus) / (2 * h);
    // A floor keeps gradients that are zero up to rounding from counting as large errors.
    const double scale = std::max({std::abs(analytic(i)), std::abs(numeric), 1e-4});
    worst = std::max(worst, std::abs(analytic(i) - numeric) / scale);
  }
  return worst;
}

NetworkSpec mlp(ActivationKind hidden, LossKind loss) {
  NetworkSpec spec;
  spec.inputs = 3;
  spec.layers.push_back(LayerSpec::dense(5, hidden));
  spec.layers.push_back(LayerSpec::dense(4, hidden));
  const ActivationKind out = loss == LossKind::MeanSquaredError     ? ActivationKind::Linear
                             : loss == LossKind::BinaryCrossentropy ? ActivationKind::Sigmoid
                                                                    : ActivationKind::Softmax;
  spec.layers.push_back(LayerSpec::dense(loss == LossKind::BinaryCrossentropy ? 2 : 3, out));
  return spec;
}

const ActivationKind kHidden[] = {
    ActivationKind::Linear,    ActivationKind::Sigmoid, ActivationKind::Tanh, ActivationKind::Relu,
    ActivationKind::LeakyRelu, ActivationKind::Elu,     ActivationKind::Selu};
const LossKind kLosses[] = {LossKind::MeanSquaredError, LossKind::BinaryCrossentropy,
                            LossKind::CategoricalCrossentropy};

}  // namespace

Q_DECLARE_METATYPE(NetworkSpec)
Q_DECLARE_METATYPE(LossKind)

class TestGradientCheck : public QObject {
  Q_OBJECT
 private slots:
  void denseActivationLoss_data() {
    QTest::addColumn<NetworkSpec>("spec");
    QTest::addColumn<LossKind>("loss");
    for (auto act : kHidden) {
      for (auto loss : kLosses) {
        const QByteArray name =
            QByteArray(toString(act).data()) + "/" + QByteArray(toString(loss).data());
        QTest::newRow(name.constData()) << mlp(act, loss) << loss;
      }
    }
  }
  void denseActivationLoss() {
    QFETCH(NetworkSpec, spec);
    QFETCH(LossKind, loss);
    const double error = maxRelativeError(spec, loss, 11);
    QVERIFY2(error < 1e-6, qPrintable(QString("max relative error %1").arg(error)));
  }

  void layerVariants_data() {
    QTest::addColumn<NetworkSpec>("spec");
    QTest::addColumn<LossKind>("loss");
    auto base = [] { return mlp(ActivationKind::Tanh, LossKind::MeanSquaredError); };
    {
      auto spec = base();  // BN after the activation
      spec.layers.insert(spec.layers.begin() + 1, LayerSpec::batchNormalization());
      QTest::newRow("batchnorm after activation") << spec << LossKind::MeanSquaredError;
    }
    {
      // BN before the activation: Dense(linear) -> BN -> Activation.
      NetworkSpec spec;
      spec.inputs = 3;
      spec.layers = {LayerSpec::dense(5, ActivationKind::Linear), LayerSpec::batchNormalization(),
                     LayerSpec::activationLayer(ActivationKind::Elu),
                     LayerSpec::dense(3, ActivationKind::Softmax)};
      QTest::newRow("batchnorm before activation") << spec << LossKind::CategoricalCrossentropy;
    }
    {
      auto spec = base();
      auto bn = LayerSpec::batchNormalization();
      bn.trainable = false;  // inference mode inside training, frozen gamma/beta
      spec.layers.insert(spec.layers.begin() + 1, bn);
      QTest::newRow("batchnorm frozen") << spec << LossKind::MeanSquaredError;
    }
    {
      auto spec = base();
      auto bn = LayerSpec::batchNormalization();
      bn.center = false;
      spec.layers.insert(spec.layers.begin() + 1, bn);
      QTest::newRow("batchnorm without beta") << spec << LossKind::MeanSquaredError;
    }
    {
      auto spec = base();
      spec.layers[0].l2 = 0.01;
      spec.layers[2].l2 = 0.1;
      QTest::newRow("l2") << spec << LossKind::MeanSquaredError;
    }
    {
      auto spec = base();
      spec.layers.insert(spec.layers.begin() + 1, LayerSpec::dropout(0.3));
      QTest::newRow("dropout") << spec << LossKind::MeanSquaredError;
    }
    {
      auto spec = mlp(ActivationKind::Selu, LossKind::BinaryCrossentropy);
      spec.layers.insert(spec.layers.begin() + 1, LayerSpec::alphaDropout(0.2));
      QTest::newRow("alpha dropout") << spec << LossKind::BinaryCrossentropy;
    }
    {
      auto spec = base();
      spec.layers[2].useBias = false;
      QTest::newRow("no bias") << spec << LossKind::MeanSquaredError;
    }
    {
      // Softmax and sigmoid outputs under MSE exercise the unfused Jacobians.
      auto spec = mlp(ActivationKind::Tanh, LossKind::CategoricalCrossentropy);
      QTest::newRow("softmax + mse") << spec << LossKind::MeanSquaredError;
      auto sig = mlp(ActivationKind::Tanh, LossKind::BinaryCrossentropy);
      QTest::newRow("sigmoid + mse") << sig << LossKind::MeanSquaredError;
    }
    {
      // A separate softmax Activation layer after a linear Dense, fused with the loss.
      NetworkSpec spec;
      spec.inputs = 3;
      spec.layers = {LayerSpec::dense(4, ActivationKind::Relu),
                     LayerSpec::dense(3, ActivationKind::Linear),
                     LayerSpec::activationLayer(ActivationKind::Softmax)};
      QTest::newRow("softmax activation layer") << spec << LossKind::CategoricalCrossentropy;
    }
    {
      NetworkSpec spec;
      spec.inputs = 3;
      auto leaky = LayerSpec::dense(4, ActivationKind::LeakyRelu);
      leaky.activation.negativeSlope = 0.3;
      auto elu = LayerSpec::dense(4, ActivationKind::Elu);
      elu.activation.alpha = 0.5;
      spec.layers = {leaky, elu, LayerSpec::dense(2, ActivationKind::Linear)};
      QTest::newRow("activation parameters") << spec << LossKind::MeanSquaredError;
    }
  }
  void layerVariants() {
    QFETCH(NetworkSpec, spec);
    QFETCH(LossKind, loss);
    const double error = maxRelativeError(spec, loss, 23);
    QVERIFY2(error < 1e-6, qPrintable(QString("max relative error %1").arg(error)));
  }

  void crossEntropyNeedsItsActivation() {
    auto spec = mlp(ActivationKind::Tanh, LossKind::MeanSquaredError);  // linear output
    Network<double> net(spec);
    QVERIFY_THROWS_EXCEPTION(Error, net.checkLossCompatible(LossKind::BinaryCrossentropy));
  }
};

QTEST_GUILESS_MAIN(TestGradientCheck)
#include "tst_gradient_check.moc"
