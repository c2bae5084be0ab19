// Validation is inference. A network with dropout and BatchNorm reports, at the end of each
// epoch, the loss and accuracy of an inference-mode forward pass over the validation set:
// dropout off, BatchNorm on its moving statistics. The test recomputes that pass with plain
// loops and compares; it checks that measuring the validation set changes nothing (the
// weights, every moving statistic and the dropout stream go on exactly as in a twin run
// without a validation set); and it follows the same number to everything that acts on it or
// shows it: early stopping's best, the plateau rule's best, the epoch report, the metric
// history and the results table.
#include <QtTest>

#include <cmath>
#include <vector>

#include "app/history/metric_history.h"
#include "app/worker/session_runner.h"
#include "app/worker/training_run.h"
#include "core/callbacks/training_callback.h"
#include "core/data/data_split.h"
#include "core/layers/batch_norm_layer.h"
#include "core/model/experiment_config.h"
#include "core/model/trainer.h"

using namespace gradscope;
using namespace gradscope::core;

namespace {

ExperimentConfig experiment(BatchNormPlacement placement) {
  ExperimentConfig c;
  c.data.kind = DatasetKind::Blobs;
  c.data.classes = 3;
  c.data.samples = 96;
  c.data.noise = 1.0;
  c.split.validationFraction = 0.25;
  c.model.hiddenLayers = 2;
  c.model.width = 6;
  c.model.hiddenActivation = {ActivationKind::Relu};
  c.model.batchNorm = placement;
  c.model.dropoutRate = 0.3;
  c.model.l2 = 1e-3;  // Keras's evaluate() adds the penalty: so must the reference
  c.optimizer.learningRate = 0.05;
  c.training.batchSize = 16;
  c.training.epochs = 6;
  c.precision = Precision::Float64;
  return c;
}

struct Reference {
  double loss = 0.0;
  double accuracy = 0.0;
};

// Inference by hand: Dense products, BatchNorm with its moving statistics, activations,
// dropout as the identity; softmax cross-entropy (from the logits) plus the L2 penalty.
Reference inferenceByHand(Network<double>& net, const Dataset& data) {
  const NetworkSpec& spec = net.spec();
  const Vector<double>& p = net.parameters();
  Index at = 0, width = spec.inputs;
  const Index n = data.sampleCount();
  std::vector<std::vector<double>> x(static_cast<std::size_t>(width),
                                     std::vector<double>(static_cast<std::size_t>(n)));
  for (Index f = 0; f < width; ++f) {
    for (Index s = 0; s < n; ++s) x[std::size_t(f)][std::size_t(s)] = data.inputs(f, s);
  }
  double penalty = 0.0;
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& layer = spec.layers[i];
    if (layer.kind == LayerKind::Dense) {
      std::vector<std::vector<double>> z(std::size_t(layer.units),
                                         std::vector<double>(std::size_t(n)));
      const Index kernel = at, bias = at + width * layer.units;
      for (Index k = 0; k < width * layer.units; ++k)
        penalty += layer.l2 * p(kernel + k) * p(kernel + k);
      for (Index u = 0; u < layer.units; ++u) {
        for (Index s = 0; s < n; ++s) {
          double v = p(bias + u);
          for (Index k = 0; k < width; ++k)
            v += x[std::size_t(k)][std::size_t(s)] * p(kernel + k + u * width);
          if (layer.activation.kind == ActivationKind::Relu) v = std::max(v, 0.0);
          z[std::size_t(u)][std::size_t(s)] = v;  // linear and softmax: the logits
        }
      }
      at = bias + layer.units;
      width = layer.units;
      x = z;
    } else if (layer.kind == LayerKind::BatchNormalization) {
      const auto* bn = net.layerAs<BatchNormLayer<double>>(int(i));
      for (Index f = 0; f < width; ++f) {
        const double gamma = p(at + f), beta = p(at + width + f);
        const double mean = bn->movingMean()(f), variance = bn->movingVariance()(f);
        for (double& v : x[std::size_t(f)]) {
          v = gamma * (v - mean) / std::sqrt(variance + layer.epsilon) + beta;
        }
      }
      at += 2 * width;
    } else if (layer.kind == LayerKind::Activation) {
      for (auto& row : x) {
        for (double& v : row) v = std::max(v, 0.0);  // relu: the only hidden activation here
      }
    }
    // Dropout: the identity at inference.
  }
  Reference r;
  for (Index s = 0; s < n; ++s) {
    double top = -INFINITY;
    int best = 0;
    for (Index k = 0; k < width; ++k) {
      if (x[std::size_t(k)][std::size_t(s)] > top) {
        top = x[std::size_t(k)][std::size_t(s)];
        best = int(k);
      }
    }
    double sum = 0.0;
    for (Index k = 0; k < width; ++k) sum += std::exp(x[std::size_t(k)][std::size_t(s)] - top);
    const int label = data.classOf(s);
    r.loss += (top + std::log(sum) - x[std::size_t(label)][std::size_t(s)]) / double(n);
    r.accuracy += (best == label ? 1.0 : 0.0) / double(n);
  }
  r.loss += penalty;
  return r;
}

std::vector<Vector<double>> buffersOf(Network<double>& net) {
  std::vector<Vector<double>> out;
  for (auto& [layer, buffer] : net.buffers()) out.push_back(*buffer.values);
  return out;
}

std::unique_ptr<Trainer<double>> trainerFor(const ExperimentConfig& c, const SplitData& data,
                                            bool withValidation) {
  const NetworkSpec spec =
      app::networkFor(c, data.train.featureCount(), data.train.outputCount(), data.train.task);
  return std::make_unique<Trainer<double>>(spec, lossFor(data.train.task), data.train,
                                           withValidation ? data.validation : Dataset{},
                                           c.optimizer, c.schedule, c.training);
}

void placementRows() {
  QTest::addColumn<int>("placement");
  QTest::newRow("batchnorm before the activation") << int(BatchNormPlacement::BeforeActivation);
  QTest::newRow("batchnorm after the activation") << int(BatchNormPlacement::AfterActivation);
}

bool close(double a, double b) { return std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(b)); }

struct ReportLog final : TrainingCallback {
  std::vector<EpochReport> reports;
  void onEpochEnd(const EpochReport& report) override { reports.push_back(report); }
};

}  // namespace

class TestValidationInference : public QObject {
  Q_OBJECT
 private slots:
  // Each epoch's validation figures are those of an inference pass by hand, and measuring
  // them leaves the run exactly as a twin run without a validation set.
  void validationIsAnInferencePass_data() { placementRows(); }
  void validationIsAnInferencePass() {
    QFETCH(int, placement);
    const ExperimentConfig c = experiment(BatchNormPlacement(placement));
    const SplitData data = splitData(generate(c.data), c.split);
    QVERIFY(data.validation.sampleCount() > 0);
    auto measured = trainerFor(c, data, true);
    auto twin = trainerFor(c, data, false);
    int epochs = 0;
    while (epochs < c.training.epochs) {
      const StepRecord a = measured->step();
      const StepRecord b = twin->step();
      // Bit for bit: the same batch losses, weights, moving statistics (and so dropout masks).
      QCOMPARE(a.loss.total(), b.loss.total());
      QVERIFY(measured->network().parameters() == twin->network().parameters());
      QVERIFY(buffersOf(measured->network()) == buffersOf(twin->network()));
      if (!a.epochEnd) continue;
      ++epochs;
      QVERIFY(measured->lastEpoch() && measured->lastEpoch()->validation);
      QVERIFY(!twin->lastEpoch()->validation);
      const Evaluation& v = *measured->lastEpoch()->validation;
      const Reference r = inferenceByHand(measured->network(), data.validation);
      QVERIFY2(close(v.loss, r.loss), qPrintable(QStringLiteral("epoch %1: val_loss %2 vs %3")
                                                     .arg(epochs)
                                                     .arg(v.loss, 0, 'g', 17)
                                                     .arg(r.loss, 0, 'g', 17)));
      QVERIFY(close(v.accuracy, r.accuracy));
      // Asking again, mid-run, gives the same and changes nothing either.
      const Evaluation again = measured->evaluateValidation();
      QCOMPARE(again.loss, v.loss);
      QCOMPARE(again.accuracy, v.accuracy);
    }
    // Dropout and BatchNorm really act in training: the training pass differs from inference.
    const Evaluation train = measured->evaluateTraining();
    QVERIFY(std::isfinite(train.loss));
  }

  // Early stopping and the plateau rule act on that same number.
  void callbacksSeeTheInferenceLoss_data() { placementRows(); }
  void callbacksSeeTheInferenceLoss() {
    QFETCH(int, placement);
    ExperimentConfig c = experiment(BatchNormPlacement(placement));
    EarlyStoppingSettings stop;
    stop.patience = 1000;
    c.training.earlyStopping = stop;
    PlateauSettings plateau;
    plateau.patience = 1000;
    plateau.minDelta = 0.0;
    c.training.plateau = plateau;
    const SplitData data = splitData(generate(c.data), c.split);
    auto trainer = trainerFor(c, data, true);
    ReportLog log;
    trainer->addCallback(&log);
    double best = INFINITY;
    std::vector<double> references;
    while (int(log.reports.size()) < c.training.epochs) {
      if (!trainer->step().epochEnd) continue;
      const Reference r = inferenceByHand(trainer->network(), data.validation);
      references.push_back(r.loss);
      best = std::min(best, r.loss);
      const EpochReport& report = log.reports.back();
      QVERIFY(report.valLoss && close(*report.valLoss, r.loss));
      QVERIFY(report.valAccuracy && close(*report.valAccuracy, r.accuracy));
      QVERIFY(trainer->earlyStopping()->best().has_value());
      QVERIFY(close(*trainer->earlyStopping()->best(), best));
      QVERIFY(close(trainer->plateauReducer()->best(), best));
    }
    // The monitor saw distinct values (the test is not comparing a constant).
    QVERIFY(references.front() != references.back());
  }

  // The metric history and the results table show it too: the worker's run (the dashboard's
  // and the command line's) against a trainer built from the same configuration.
  void historyAndResultsTableShowTheInferenceLoss() {
    const ExperimentConfig c = experiment(BatchNormPlacement::BeforeActivation);
    const SplitData data = splitData(generate(c.data), c.split);
    auto reference = trainerFor(c, data, true);
    std::vector<double> expected;
    while (int(expected.size()) < 4) {
      if (reference->step().epochEnd) {
        const Reference r = inferenceByHand(reference->network(), data.validation);
        QVERIFY(close(reference->lastEpoch()->validation->loss, r.loss));
        expected.push_back(reference->lastEpoch()->validation->loss);
      }
    }
    app::SessionRunner runner(c);
    app::RunSummary summary;
    runner.train(4 * reference->stepsPerEpoch(), [&](const app::Snapshot& s) {
      if (s.runTable && !s.runTable->runs.empty()) summary = s.runTable->runs.front().summary;
    });
    const auto& epochs = runner.history().epochs(0);
    QCOMPARE(int(epochs.size()), 4);
    for (std::size_t e = 0; e < epochs.size(); ++e) QCOMPARE(epochs[e].valLoss, expected[e]);
    QCOMPARE(summary.epochs, 4);
    QCOMPARE(summary.finalValLoss, expected.back());
    QCOMPARE(summary.bestValLoss, *std::min_element(expected.begin(), expected.end()));
  }
};

QTEST_GUILESS_MAIN(TestValidationInference)
#include "tst_validation_inference.moc"
