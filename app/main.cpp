// gradscope: until the dashboard exists, the executable trains an experiment headless and
// prints one line per epoch. Options select the data set, length and precision.
#include <QCommandLineParser>
#include <QCoreApplication>

#include <cmath>
#include <cstdio>

#include "app/training_run.h"

using namespace gradscope;

namespace {
constexpr int kExitBadInput = 2;
constexpr int kExitDiverged = 3;
}  // namespace

int main(int argc, char* argv[]) {
  QCoreApplication app(argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("gradscope"));
  QCoreApplication::setApplicationVersion(QStringLiteral(GRADSCOPE_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Watch a deep network train. Headless run: trains the default experiment "
                     "(two spirals, tanh layers, SGD with momentum) and prints each epoch."));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption epochs(QStringLiteral("epochs"), QStringLiteral("Epochs to train."),
                            QStringLiteral("N"), QStringLiteral("20"));
  QCommandLineOption dataset(QStringLiteral("dataset"),
                             QStringLiteral("circle, xor, blobs, spirals, moons, sine, plane or "
                                            "teacher."),
                             QStringLiteral("NAME"), QStringLiteral("spirals"));
  QCommandLineOption precision(QStringLiteral("precision"), QStringLiteral("float32 or float64."),
                               QStringLiteral("TYPE"), QStringLiteral("float32"));
  parser.addOptions({epochs, dataset, precision});
  parser.process(app);

  core::ExperimentConfig config;
  config.data.kind = core::DatasetKind::Spirals;
  config.data.samples = 600;
  config.model.hiddenLayers = 4;
  config.model.width = 16;
  bool ok = false;
  config.training.epochs = parser.value(epochs).toInt(&ok);
  if (!ok || config.training.epochs < 1) {
    std::fprintf(stderr, "gradscope: --epochs: expected a positive whole number\n");
    return kExitBadInput;
  }
  const auto kind = core::datasetKindFromString(parser.value(dataset).toStdString());
  if (!kind) {
    std::fprintf(stderr, "gradscope: --dataset: unknown data set '%s'\n",
                 qPrintable(parser.value(dataset)));
    return kExitBadInput;
  }
  config.data.kind = *kind;
  const auto type = core::precisionFromString(parser.value(precision).toStdString());
  if (!type) {
    std::fprintf(stderr, "gradscope: --precision: expected float32 or float64\n");
    return kExitBadInput;
  }
  config.precision = *type;

  std::unique_ptr<app::TrainingRun> run;
  try {
    run = app::TrainingRun::create(config);
  } catch (const core::Error& e) {
    std::fprintf(stderr, "gradscope: %s: %s\n", e.field().c_str(), e.reason().c_str());
    return kExitBadInput;
  }
  while (run->stopReason() == core::StopReason::None) {
    const core::StepProbe& probe = run->step();
    if (!probe.record.finite) {
      std::fprintf(stderr, "diverged at step %lld: %s\n",
                   static_cast<long long>(probe.record.step),
                   probe.nonFinite ? probe.nonFinite->message.c_str() : "");
      return kExitDiverged;
    }
    if (probe.record.epochEnd && run->lastEpoch()) {
      const core::EpochRecord& e = *run->lastEpoch();
      std::printf("epoch %4d  loss %.5f", e.epoch + 1, e.loss);
      if (!std::isnan(e.accuracy)) std::printf("  accuracy %.3f", e.accuracy);
      if (e.validation) {
        std::printf("  val_loss %.5f", e.validation->loss);
        if (!std::isnan(e.validation->accuracy)) {
          std::printf("  val_accuracy %.3f", e.validation->accuracy);
        }
      }
      std::printf("  lr %.4g\n", e.learningRate);
      std::fflush(stdout);
    }
  }
  std::printf("%s\n", run->stopMessage().c_str());
  return 0;
}
