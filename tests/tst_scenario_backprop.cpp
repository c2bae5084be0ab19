// Scenario 21, "Backprop by hand": over the scenario's steps, every gradient the Backprop view
// shows (each edge's, each bias's, and the sum over paths of each first-layer weight) equals
// the engine's gradient, and a central finite-difference estimate of the batch loss's
// derivative (the engine's own forward pass and loss, on the traced batch and weights)
// agrees with it. Prints the measured figures, e.g.
//   backprop-by-hand: 30 steps, 750 gradients and 180 path sums; chain-rule products vs
//   engine: largest relative difference 1.9e-15; finite differences vs engine: 3.6e-08
//   (largest absolute 1.4e-10)
#include <QtTest>

#include <algorithm>
#include <cmath>

#include "app/scenarios/scenario_library.h"
#include "app/worker/training_run.h"
#include "core/backprop/backprop_trace.h"
#include "core/model/network.h"

using namespace gradscope;

namespace {

// The network of the traced step with the trace's weights before the update.
core::Network<double> networkOf(const core::BackpropTrace& trace, const core::NetworkSpec& spec) {
  core::Network<double> network(spec);
  for (const core::BackpropTraceLayer& layer : trace.layers) {
    const std::string prefix = "layers[" + std::to_string(layer.networkLayer) + "].";
    network.setTensorValue(*network.findTensor(prefix + "kernel"), layer.kernelBefore);
    if (layer.biasBefore.size() > 0) {
      network.setTensorValue(*network.findTensor(prefix + "bias"), layer.biasBefore);
    }
  }
  return network;
}

// The batch loss (data + L2) at the network's parameters, by the engine's forward and loss.
double batchLoss(core::Network<double>& network, const core::Loss<double>& loss,
                 const Eigen::MatrixXd& inputs, const Eigen::MatrixXd& targets) {
  core::Rng rng(1);  // no dropout in a traced network: the stream is not drawn from
  network.forward(inputs, core::Mode::Training, rng);
  return network.loss(loss, targets).total();
}

// |value - reference| relative to the reference, judged against 1e-6 of the largest gradient
// of the step for entries that are nearly zero.
double relativeDifference(double value, double reference, double scale) {
  return std::abs(value - reference) / std::max({std::abs(reference), 1e-6 * scale, 1e-300});
}

}  // namespace

class TestScenarioBackprop : public QObject {
  Q_OBJECT
 private slots:
  void everyDisplayedGradientIsTheEnginesAndFiniteDifferences() {
    const app::Scenario* scenario = app::ScenarioLibrary::builtIn().find("backprop-by-hand");
    QVERIFY(scenario);
    QCOMPARE(scenario->file, QStringLiteral("21-backprop-by-hand.json"));
    const app::ScenarioRun& scenarioRun = scenario->runs.front();
    QCOMPARE(scenarioRun.config.training.batchSize, core::Index(1));
    auto run = app::TrainingRun::create(scenarioRun.config);
    QVERIFY(!run->backpropRefusal());

    double largestChainRule = 0.0, largestFiniteDifference = 0.0, largestAbsolute = 0.0;
    int gradients = 0, paths = 0;
    core::NetworkSpec spec;
    for (std::int64_t step = 0; step < scenario->steps; ++step) {
      const core::BackpropTrace trace = run->traceNextStep();
      QCOMPARE(trace.step, step);
      QCOMPARE(trace.precision, std::string("float64"));
      // 2-3-3-1: three paths from every first-layer weight to the output.
      QCOMPARE(int(trace.layers.size()), 3);
      QCOMPARE(int(trace.paths.size()), 2 * 3);
      for (const core::BackpropPathSum& sum : trace.paths) {
        QCOMPARE(int(sum.paths.size()), 3);
        ++paths;
      }
      largestChainRule = std::max(largestChainRule, trace.largestChainRuleDifference);

      if (step == 0) {
        spec = app::networkFor(scenarioRun.config, trace.inputCount(),
                               core::Index(trace.targets.rows()), core::TaskKind::Binary);
      }
      core::Network<double> network = networkOf(trace, spec);
      const auto loss = core::makeLoss<double>(*core::lossKindFromString(trace.loss));
      // The traced batch loss is the engine's forward pass on these weights.
      QVERIFY(std::abs(batchLoss(network, *loss, trace.inputs, trace.targets) -
                       (trace.dataLoss + trace.regularizationLoss)) < 1e-14);
      double scale = 0.0;
      for (const core::BackpropTraceLayer& layer : trace.layers) {
        scale = std::max({scale, layer.kernelGradient.cwiseAbs().maxCoeff(),
                          layer.biasGradient.cwiseAbs().maxCoeff()});
      }
      // Central differences over every parameter, against the displayed gradient.
      const ::Eigen::VectorXd theta = network.parameters();
      for (const core::ParameterTensor& tensor : network.layout()) {
        const core::BackpropTraceLayer* layer = nullptr;
        for (const auto& l : trace.layers) {
          if (l.networkLayer == tensor.layer) layer = &l;
        }
        QVERIFY(layer);
        for (core::Index k = 0; k < tensor.size; ++k) {
          const double shown = tensor.role == core::TensorRole::Kernel
                                   ? layer->kernelGradient.data()[k]
                                   : layer->biasGradient(k);
          const double h = 1e-6;
          network.parameters() = theta;
          network.parameters()(tensor.offset + k) += h;
          const double up = batchLoss(network, *loss, trace.inputs, trace.targets);
          network.parameters()(tensor.offset + k) -= 2 * h;
          const double down = batchLoss(network, *loss, trace.inputs, trace.targets);
          const double estimate = (up - down) / (2 * h);
          largestFiniteDifference =
              std::max(largestFiniteDifference, relativeDifference(estimate, shown, scale));
          largestAbsolute = std::max(largestAbsolute, std::abs(estimate - shown));
          ++gradients;
        }
      }
      // The sum over paths of each first-layer weight against the same estimate.
      for (const core::BackpropPathSum& sum : trace.paths) {
        QCOMPARE(sum.engineGradient, trace.layers.front().kernelGradient(sum.input, sum.unit));
        largestChainRule =
            std::max(largestChainRule, relativeDifference(sum.sum, sum.engineGradient, scale));
      }
      run->step();
    }
    qInfo(
        "backprop-by-hand: %lld steps, %d gradients and %d path sums; chain-rule products vs "
        "engine: largest relative difference %.1e; finite differences vs engine: %.1e "
        "(largest absolute %.1e)",
        static_cast<long long>(scenario->steps), gradients, paths, largestChainRule,
        largestFiniteDifference, largestAbsolute);
    QVERIFY(largestChainRule < 1e-12);
    QVERIFY(largestFiniteDifference < 1e-6);
  }
};

QTEST_GUILESS_MAIN(TestScenarioBackprop)
#include "tst_scenario_backprop.moc"
