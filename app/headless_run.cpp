#include "headless_run.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cmath>
#include <cstdio>

#include "app/default_experiment.h"
#include "app/training_run.h"
#include "core/settings_schema.h"

namespace gradscope::app {

namespace {

void printEpoch(const core::EpochRecord& e) {
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

}  // namespace

int runHeadless(const QStringList& args) {
  QStringList arguments = args;
  if (arguments.size() > 1 &&
      (arguments[1] == QLatin1String("run") || arguments[1] == QLatin1String("--headless"))) {
    arguments.removeAt(1);
  }

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
  QCommandLineOption set(QStringLiteral("set"),
                         QStringLiteral("Sets one setting, e.g. optimizer.learning_rate=0.1 "
                                        "(repeatable; applied after the other options)."),
                         QStringLiteral("KEY=VALUE"));
  parser.addOptions({epochs, dataset, precision, set});
  parser.process(arguments);

  core::ExperimentConfig config = defaultExperiment();
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
  for (const QString& assignment : parser.values(set)) {
    const qsizetype equals = assignment.indexOf(QLatin1Char('='));
    const std::string key = assignment.left(equals).trimmed().toStdString();
    try {
      if (equals < 0) throw core::Error(key, "expected KEY=VALUE");
      const core::SettingMeta* meta = core::findSetting(key);
      if (!meta) throw core::Error(key, "unknown setting");
      core::setSetting(
          config, key,
          core::parseSettingValue(*meta, assignment.mid(equals + 1).trimmed().toStdString()));
    } catch (const core::Error& e) {
      std::fprintf(stderr, "gradscope: --set %s: %s\n", e.field().c_str(), e.reason().c_str());
      return kExitBadInput;
    }
  }

  std::unique_ptr<TrainingRun> run;
  try {
    run = TrainingRun::create(config);
  } catch (const core::Error& e) {
    std::fprintf(stderr, "gradscope: %s: %s\n", e.field().c_str(), e.reason().c_str());
    return kExitBadInput;
  }
  while (run->stopReason() == core::StopReason::None) {
    const core::StepProbe& probe = run->step();
    if (!probe.record.finite) {
      std::fprintf(stderr, "diverged at step %lld: %s\n", static_cast<long long>(probe.record.step),
                   probe.nonFinite ? probe.nonFinite->message.c_str() : "");
      return kExitDiverged;
    }
    if (probe.record.epochEnd && run->lastEpoch()) printEpoch(*run->lastEpoch());
  }
  std::printf("%s\n", run->stopMessage().c_str());
  return 0;
}

}  // namespace gradscope::app
