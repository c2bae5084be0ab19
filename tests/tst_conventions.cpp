// The training.conventions setting: what switching it changes in a configuration (the
// defaults that follow it, the values that stay), that configuration files keep it, and the
// PyTorch side of the parts the reference runs do not isolate: nn.Linear's initialiser,
// BatchNorm1d's settings and clip_grad_norm_'s global form.
#include <QtTest>

#include "app/sessions/config_file.h"
#include "core/model/experiment_config.h"
#include "core/model/network.h"
#include "core/model/settings_schema.h"
#include "core/optimizers/gradient_clipper.h"

using namespace gradscope::core;

namespace {

void set(ExperimentConfig& c, const char* key, const char* text) {
  setSetting(c, key, parseSettingValue(*findSetting(key), text));
}

}  // namespace

class TestConventions : public QObject {
  Q_OBJECT
 private slots:
  void kerasIsTheDefault() {
    const ExperimentConfig c;
    QCOMPARE(std::get<std::string>(getSetting(c, "training.conventions")), std::string("keras"));
    QVERIFY(c.model.initializer.kind == InitializerKind::GlorotUniform);
  }

  void switchingMovesTheDefaultsOnly() {
    ExperimentConfig c;
    set(c, "optimizer.type", "rmsprop");
    set(c, "optimizer.learning_rate", "0.02");
    set(c, "optimizer.momentum", "0.3");
    set(c, "training.conventions", "pytorch");
    QVERIFY(c.optimizer.conventions == Conventions::PyTorch);
    QCOMPARE(c.optimizer.rho, 0.99);           // torch's alpha
    QCOMPARE(c.optimizer.epsilon, 1e-8);       // torch's eps
    QCOMPARE(c.optimizer.learningRate, 0.02);  // the experiment's choice stays
    QCOMPARE(c.optimizer.momentum, 0.3);
    QVERIFY(c.model.initializer.kind == InitializerKind::PytorchDefault);

    // A value chosen by hand is not a default: it stays when switching back.
    set(c, "optimizer.epsilon", "1e-6");
    set(c, "training.conventions", "keras");
    QCOMPARE(c.optimizer.epsilon, 1e-6);
    QCOMPARE(c.optimizer.rho, 0.9);
    QVERIFY(c.model.initializer.kind == InitializerKind::GlorotUniform);

    // Another initialiser is the user's choice too.
    set(c, "model.initializer", "he_normal");
    set(c, "training.conventions", "pytorch");
    QVERIFY(c.model.initializer.kind == InitializerKind::HeNormal);
  }

  void anOptimiserChosenUnderPytorchTakesTorchDefaults() {
    ExperimentConfig c;
    set(c, "training.conventions", "pytorch");
    set(c, "optimizer.type", "adagrad");
    QVERIFY(c.optimizer.conventions == Conventions::PyTorch);
    QCOMPARE(c.optimizer.initialAccumulatorValue, 0.0);
    QCOMPARE(c.optimizer.epsilon, 1e-10);
    set(c, "optimizer.type", "adamw");
    QCOMPARE(c.optimizer.weightDecay, 0.01);
    QCOMPARE(c.optimizer.epsilon, 1e-8);
  }

  void aBadValueIsRefusedByName() {
    ExperimentConfig c;
    try {
      set(c, "training.conventions", "jax");
      QFAIL("accepted jax");
    } catch (const Error& e) {
      QCOMPARE(e.field(), std::string("training.conventions"));
    }
    QVERIFY(c.optimizer.conventions == Conventions::Keras);
  }

  void configurationFilesKeepIt() {
    ExperimentConfig c;
    set(c, "training.conventions", "pytorch");
    set(c, "optimizer.type", "adam");
    set(c, "optimizer.epsilon", "1e-7");  // Keras's number, chosen by hand under PyTorch
    const ExperimentConfig back =
        gradscope::app::configFromJson(gradscope::app::configToJson(c), ExperimentConfig{});
    QVERIFY(back.optimizer.conventions == Conventions::PyTorch);
    QCOMPARE(back.optimizer.epsilon, 1e-7);
    QVERIFY(back.model.initializer.kind == InitializerKind::PytorchDefault);
    QVERIFY(back == c);
  }

  void batchNormTakesTorchsSettings() {
    ModelConfig model;
    model.hiddenLayers = 1;
    model.batchNorm = BatchNormPlacement::BeforeActivation;
    const NetworkSpec keras = buildNetworkSpec(model, 2, 1, TaskKind::Regression);
    const NetworkSpec torch =
        buildNetworkSpec(model, 2, 1, TaskKind::Regression, Conventions::PyTorch);
    QVERIFY(keras.layers[1].kind == LayerKind::BatchNormalization);
    QCOMPARE(keras.layers[1].momentum, 0.99);
    QCOMPARE(keras.layers[1].epsilon, 1e-3);
    QVERIFY(!keras.layers[1].unbiasedMovingVariance);
    QCOMPARE(torch.layers[1].momentum, 0.9);  // torch's momentum 0.1 weighs the new batch
    QCOMPARE(torch.layers[1].epsilon, 1e-5);
    QVERIFY(torch.layers[1].unbiasedMovingVariance);
  }

  void linearInitialiserDrawsKernelAndBiasWithinOneOverRootFanIn() {
    ModelConfig model;
    model.layers = {HiddenLayer{400, ActivationSpec{ActivationKind::Relu}}};
    model.initializer.kind = InitializerKind::PytorchDefault;
    const Index fanIn = 100;
    const NetworkSpec spec = buildNetworkSpec(model, fanIn, 1, TaskKind::Regression);
    Network<double> net(spec);
    Rng rng(7);
    net.initialize(rng);
    const double bound = 1.0 / std::sqrt(double(fanIn));
    const Eigen::MatrixXd kernel = net.tensorValue(*net.findTensor("layers[0].kernel"));
    const Eigen::MatrixXd bias = net.tensorValue(*net.findTensor("layers[0].bias"));
    QVERIFY(kernel.cwiseAbs().maxCoeff() <= bound);
    QVERIFY(bias.cwiseAbs().maxCoeff() <= bound);
    // U(-b, b) has variance b^2 / 3; 40,000 draws put the sample within 3%.
    const double variance = kernel.array().square().mean();
    QVERIFY2(std::abs(variance / (bound * bound / 3.0) - 1.0) < 0.03,
             qPrintable(QString::number(variance)));
    // The bias is drawn too (Keras's is zero), from the kernel's fan_in, not its own length.
    QVERIFY(bias.cwiseAbs().maxCoeff() > 0.5 * bound);
    const double output = 1.0 / std::sqrt(400.0);
    QVERIFY(net.tensorValue(*net.findTensor("layers[1].bias")).cwiseAbs().maxCoeff() <= output);
  }

  void clipNormIsGlobalWithTorchsEpsilon() {
    // Two tensors of norms 3 and 4 (global 5), threshold 2.5: Keras scales only the one above
    // 2.5 (each to 2.5), torch scales both by 2.5 / (5 + 1e-6).
    ParameterLayout layout;
    layout.push_back(ParameterTensor{"a", 0, TensorRole::Kernel, 0, 1, 1, 1});
    layout.push_back(ParameterTensor{"b", 0, TensorRole::Kernel, 1, 1, 1, 1});
    GradientClipper<double> clipper({ClipMode::Norm, 2.5});
    Vector<double> g(2);
    g << 3.0, 4.0;
    Vector<double> keras = g;
    clipper.apply(keras, layout);
    QCOMPARE(keras(0), 2.5);
    QCOMPARE(keras(1), 2.5);
    clipper.setConventions(Conventions::PyTorch);
    Vector<double> torch = g;
    const ClipResult r = clipper.apply(torch, layout);
    QVERIFY(r.clipped);
    const double scale = 2.5 / (5.0 + 1e-6);
    QCOMPARE(torch(0), 3.0 * scale);
    QCOMPARE(torch(1), 4.0 * scale);
    // Below the threshold nothing moves, as clip_grad_norm_'s clamp to 1.
    Vector<double> small = g * 0.1;
    QVERIFY(!clipper.apply(small, layout).clipped);
    QCOMPARE(small(1), 0.4);
  }
};

QTEST_GUILESS_MAIN(TestConventions)
#include "tst_conventions.moc"
