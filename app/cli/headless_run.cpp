#include "app/cli/headless_run.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>

#include "app/data/builtin_datasets.h"
#include "app/data/data_source.h"
#include "app/history/history_csv.h"
#include "app/history/run_history.h"
#include "app/runs/run_naming.h"
#include "app/scenarios/default_experiment.h"
#include "app/scenarios/scenario_lookup.h"
#include "app/sessions/session_file.h"
#include "app/sessions/session_runs.h"
#include "app/worker/session_runner.h"
#include "core/model/settings_schema.h"

namespace gradscope::app {

namespace {

const char* kUsage =
    "Usage:\n"
    "  gradscope                          open the dashboard\n"
    "  gradscope run [SESSION] [options]  train headless; with --out, write the session,\n"
    "                                     metrics.csv and the charts\n"
    "  gradscope lr-find [SESSION] [options]\n"
    "                                     LR range test: the curve and the suggested maximum rate\n"
    "  gradscope export SESSION --out DIR the charts and metrics.csv of a saved session\n"
    "  gradscope fork SESSION --at STEP [--set KEY=VALUE ...] --steps N --out DIR\n"
    "                                     go back to step STEP of the session's first run and\n"
    "                                     train N steps from there with the settings changed;\n"
    "                                     the new session holds both runs\n"
    "  gradscope --help                   this text\n"
    "\n"
    "Without SESSION a command starts from --scenario NAME or the default experiment.\n"
    "\n"
    "Options of run, lr-find and export:\n"
    "  --scenario NAME      start from a built-in scenario (%1)\n"
    "  --set KEY=VALUE      change one setting, e.g. optimizer.learning_rate=0.1 (repeatable,\n"
    "                       applied in order; see the settings panel's tooltips for the keys)\n"
    "  --precision TYPE     float32 (default) or float64\n"
    "  --dataset NAME       circle, xor, blobs, spirals, moons, sine, plane, teacher, or a\n"
    "                       real data set: fashion-mnist, iris, wine, breast-cancer, digits\n"
    "  --data PATH          train on a CSV file, an IDX images file (its labels and test\n"
    "                       files found beside it) or a folder holding an IDX pair;\n"
    "                       builtin:NAME is a real data set as with --dataset\n"
    "  --target COLUMN      with a CSV file: the target column (default: the last)\n"
    "  --epochs N           run: train N epochs (from a session: N more epochs)\n"
    "  --steps N            run: train N more steps (lr-find: steps of the test)\n"
    "  --out DIR            write results into DIR (created if missing)\n"
    "  --min-lr X, --max-lr X\n"
    "                       lr-find: the range of the test (1e-7 .. 10)\n"
    "\n"
    "fork replays the run from its seed to STEP, bit for bit (its metrics.csv is the\n"
    "parent's up to STEP), so the parent must have been trained with one configuration up\n"
    "to STEP; otherwise it is refused.\n"
    "\n"
    "run trains until the planned epochs are done unless --epochs or --steps say otherwise\n"
    "(the plan is extended when they go beyond it). Progress goes to stderr: a bar on a\n"
    "terminal, one line per epoch otherwise. The written session holds the final weights,\n"
    "every step's loss and the learning rate used at each step.\n"
    "\n"
    "Dashboard options: --theme NAME (light, dark, presentation-light, presentation-dark),\n"
    "--play (start training at once), --measure-ui SECONDS, --layers N.\n"
    "\n"
    "Exit codes: 0 success, 2 bad input, 3 the run diverged, 4 a file could not be read or\n"
    "written.\n";

int fail(int code, const QString& message) {
  std::fprintf(stderr, "gradscope: %s\n", qPrintable(message));
  return code;
}

struct Options {
  QString command;
  QStringList positional;
  QString scenario;
  QStringList sets;
  QString precision;
  QString dataset;
  QString data;
  QString target;
  qint64 epochs = -1;
  qint64 steps = -1;
  QString out;
  double minRate = 1e-7;
  double maxRate = 10.0;
  qint64 at = -1;  // fork: the step to branch off at
};

// One-line errors (exit 2) instead of QCommandLineParser's own exit.
std::optional<int> parse(const QStringList& args, Options& o) {
  QStringList arguments = args;
  o.command = QStringLiteral("run");
  if (arguments.size() > 1) {
    const QString first = arguments[1];
    if (first == QLatin1String("run") || first == QLatin1String("lr-find") ||
        first == QLatin1String("export") || first == QLatin1String("fork")) {
      o.command = first;
      arguments.removeAt(1);
    } else if (first == QLatin1String("--headless")) {
      arguments.removeAt(1);
    }
  }
  QCommandLineParser parser;
  parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
  const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QString());
  const QCommandLineOption scenario(QStringLiteral("scenario"), QString(), QStringLiteral("NAME"));
  const QCommandLineOption set(QStringLiteral("set"), QString(), QStringLiteral("KEY=VALUE"));
  const QCommandLineOption precision(QStringLiteral("precision"), QString(), QStringLiteral("T"));
  const QCommandLineOption dataset(QStringLiteral("dataset"), QString(), QStringLiteral("NAME"));
  const QCommandLineOption data(QStringLiteral("data"), QString(), QStringLiteral("PATH"));
  const QCommandLineOption target(QStringLiteral("target"), QString(), QStringLiteral("COLUMN"));
  const QCommandLineOption epochs(QStringLiteral("epochs"), QString(), QStringLiteral("N"));
  const QCommandLineOption steps(QStringLiteral("steps"), QString(), QStringLiteral("N"));
  const QCommandLineOption out(QStringLiteral("out"), QString(), QStringLiteral("DIR"));
  const QCommandLineOption minRate(QStringLiteral("min-lr"), QString(), QStringLiteral("X"));
  const QCommandLineOption maxRate(QStringLiteral("max-lr"), QString(), QStringLiteral("X"));
  const QCommandLineOption version(QStringLiteral("version"), QString());
  const QCommandLineOption at(QStringLiteral("at"), QString(), QStringLiteral("STEP"));
  parser.addOptions({help, scenario, set, precision, dataset, data, target, epochs, steps, out,
                     minRate, maxRate, version, at});
  if (!parser.parse(arguments)) return fail(kExitBadInput, parser.errorText());
  if (parser.isSet(help)) {
    std::printf("%s", qPrintable(QString::fromLatin1(kUsage).arg(
                          builtInScenarioNames().join(QStringLiteral(", ")))));
    return 0;
  }
  if (parser.isSet(version)) {
    std::printf("gradscope %s\n", qPrintable(QCoreApplication::applicationVersion()));
    return 0;
  }
  o.positional = parser.positionalArguments();
  if (o.positional.size() > 1) {
    return fail(kExitBadInput, QStringLiteral("unexpected argument '%1'").arg(o.positional[1]));
  }
  o.scenario = parser.value(scenario);
  o.sets = parser.values(set);
  o.precision = parser.value(precision);
  o.dataset = parser.value(dataset);
  o.data = parser.value(data);
  o.target = parser.value(target);
  if (!o.target.isEmpty() && o.data.isEmpty())
    return fail(kExitBadInput, QStringLiteral("--target: only with --data"));
  if (!o.data.isEmpty() && !o.dataset.isEmpty())
    return fail(kExitBadInput, QStringLiteral("--data and --dataset: give one of them"));
  o.out = parser.value(out);
  auto count = [&](const QCommandLineOption& option, qint64& target) -> bool {
    if (!parser.isSet(option)) return true;
    bool ok = false;
    target = parser.value(option).toLongLong(&ok);
    return ok && target >= 1 && target <= (qint64(1) << 40);
  };
  if (!count(epochs, o.epochs))
    return fail(kExitBadInput, "--epochs: expected a positive whole number");
  if (!count(steps, o.steps))
    return fail(kExitBadInput, "--steps: expected a positive whole number");
  if (o.epochs > 0 && o.steps > 0) {
    return fail(kExitBadInput, QStringLiteral("--epochs and --steps: give one of them"));
  }
  auto rate = [&](const QCommandLineOption& option, double& target) -> bool {
    if (!parser.isSet(option)) return true;
    bool ok = false;
    target = parser.value(option).toDouble(&ok);
    return ok && std::isfinite(target) && target > 0;
  };
  if (!rate(minRate, o.minRate)) return fail(kExitBadInput, "--min-lr: expected a positive number");
  if (!rate(maxRate, o.maxRate)) return fail(kExitBadInput, "--max-lr: expected a positive number");
  if (parser.isSet(at)) {
    if (o.command != QLatin1String("fork")) return fail(kExitBadInput, "--at: only with fork");
    bool ok = false;
    o.at = parser.value(at).toLongLong(&ok);
    if (!ok || o.at < 0) return fail(kExitBadInput, "--at: expected a step, a whole number >= 0");
  }
  if (o.command == QLatin1String("fork")) {
    if (o.positional.isEmpty() || o.at < 0 || o.steps < 1 || o.out.isEmpty()) {
      return fail(kExitBadInput,
                  QStringLiteral("fork: needs SESSION, --at STEP, --steps N and --out DIR"));
    }
    if (!o.dataset.isEmpty() || !o.data.isEmpty() || !o.precision.isEmpty() || o.epochs > 0) {
      return fail(kExitBadInput,
                  QStringLiteral("fork: takes only --at, --set, --steps and --out options"));
    }
  }
  if (o.command == QLatin1String("export") && (o.positional.isEmpty() || o.out.isEmpty())) {
    return fail(kExitBadInput, QStringLiteral("export: needs SESSION and --out DIR"));
  }
  if (!o.positional.isEmpty() && !o.scenario.isEmpty()) {
    return fail(kExitBadInput, QStringLiteral("--scenario: not with a SESSION"));
  }
  return std::nullopt;
}

// --precision, --dataset and --set over `config`; an Error names the option.
void applySettings(const Options& o, core::ExperimentConfig& config) {
  if (!o.dataset.isEmpty() || o.data.startsWith(QLatin1String(kBuiltinPrefix))) {
    const std::string name = !o.dataset.isEmpty()
                                 ? o.dataset.toStdString()
                                 : o.data.mid(int(qstrlen(kBuiltinPrefix))).toStdString();
    try {
      core::setSetting(config, "data.dataset", core::SettingValue(name));
    } catch (const core::Error& e) {
      throw core::Error(o.dataset.isEmpty() ? "--data" : "--dataset", e.reason());
    }
  }
  if (!o.precision.isEmpty()) {
    const auto type = core::precisionFromString(o.precision.toStdString());
    if (!type) throw core::Error("--precision", "expected float32 or float64");
    config.precision = *type;
  }
  for (const QString& assignment : o.sets) {
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
      throw core::Error("--set " + e.field(), e.reason());
    }
  }
  core::validate(config);
}

// The session the command starts from: the file, the scenario or the default experiment.
struct Start {
  Session session;
  QString path;  // empty without a file
  QString directory;
};

std::optional<int> loadStart(const Options& o, Start& start) {
  if (!o.positional.isEmpty()) {
    start.path = o.positional[0];
    QFile file(start.path);
    if (!file.open(QIODevice::ReadOnly)) {
      return fail(kExitIoError, QStringLiteral("%1: %2").arg(start.path, file.errorString()));
    }
    // Checked before a byte is read, as the dashboard does: a huge file costs nothing.
    if (file.size() > kMaxSessionBytes) {
      return fail(kExitBadInput,
                  QStringLiteral("%1: file: is %2, larger than 1 GiB, the most a session may be")
                      .arg(start.path, QString::fromStdString(describeBytes(file.size()))));
    }
    try {
      start.session = parseSession(file.readAll());
    } catch (const core::Error& e) {
      return fail(kExitBadInput, QStringLiteral("%1: %2: %3")
                                     .arg(start.path, QString::fromStdString(e.field()),
                                          QString::fromStdString(e.reason())));
    }
    start.directory = QFileInfo(start.path).absolutePath();
    return std::nullopt;
  }
  core::ExperimentConfig config = defaultExperiment();
  if (!o.scenario.isEmpty()) {
    const auto scenario = builtInScenario(o.scenario);
    if (!scenario) {
      return fail(kExitBadInput, QStringLiteral("--scenario: unknown scenario '%1' (known: %2)")
                                     .arg(o.scenario, builtInScenarioNames().join(", ")));
    }
    config = *scenario;
  }
  start.session.name = o.scenario.isEmpty() ? QStringLiteral("default") : o.scenario;
  start.session.runs.push_back(SessionRun{});
  start.session.runs[0].config = config;
  start.directory = QDir::currentPath();
  return std::nullopt;
}

class Progress {
 public:
  explicit Progress(std::int64_t first, std::int64_t total)
      : m_first(first), m_total(std::max<std::int64_t>(1, total)), m_tty(isatty(2) != 0) {}
  void onSnapshot(const Snapshot& s) {
    if (m_tty) {
      const double done = double(s.currentStep - m_first) / double(m_total);
      const int width = 30;
      const int filled = int(std::clamp(done, 0.0, 1.0) * width);
      double loss = std::nan("");
      if (!s.stepValues[0].empty()) loss = s.stepValues[0].back();
      std::fprintf(stderr, "\r[%s%s] %3d%%  step %lld  epoch %d  loss %.5g ",
                   std::string(std::size_t(filled), '#').c_str(),
                   std::string(std::size_t(width - filled), ' ').c_str(), int(done * 100),
                   static_cast<long long>(s.currentStep), s.currentEpoch + 1, loss);
      std::fflush(stderr);
      m_drawn = true;
    } else {
      for (const EpochSample& e : s.epochs) {
        std::fprintf(stderr, "epoch %4d  loss %.5f", e.epoch + 1, e.loss);
        if (!std::isnan(e.accuracy)) std::fprintf(stderr, "  accuracy %.3f", e.accuracy);
        if (!std::isnan(e.valLoss)) std::fprintf(stderr, "  val_loss %.5f", e.valLoss);
        if (!std::isnan(e.valAccuracy)) std::fprintf(stderr, "  val_accuracy %.3f", e.valAccuracy);
        std::fprintf(stderr, "  lr %.4g\n", e.learningRate);
      }
    }
  }
  ~Progress() {
    if (m_drawn) std::fprintf(stderr, "\n");
  }

 private:
  std::int64_t m_first, m_total;
  bool m_tty;
  bool m_drawn = false;
};

int writeOutputs(const Options& o, SessionRunner& runner, const Start& start,
                 const ChartExporter& charts, bool includeSession) {
  if (o.out.isEmpty()) return 0;
  if (!QDir().mkpath(o.out))
    return fail(kExitIoError, QStringLiteral("--out: cannot create %1").arg(o.out));
  const QDir dir(o.out);
  QString error;
  QString sessionPath = start.path;
  if (includeSession) {
    const QString base =
        start.path.isEmpty() ? start.session.name : QFileInfo(start.path).completeBaseName();
    sessionPath = dir.filePath(base + QStringLiteral(".gradscope"));
    if (!saveSessionFile(sessionPath, runner.capture(), &error)) {
      return fail(kExitIoError, error);
    }
    std::fprintf(stderr, "wrote %s\n", qPrintable(sessionPath));
  }
  const QString csv = dir.filePath(QStringLiteral("metrics.csv"));
  if (!writeHistoryCsv(runner.history(), 0, csv, &error)) {
    return fail(kExitIoError, QStringLiteral("%1: %2").arg(csv, error));
  }
  std::fprintf(stderr, "wrote %s\n", qPrintable(csv));
  if (charts) {
    QStringList written;
    if (!charts(sessionPath, dir.filePath(QStringLiteral("charts")), &written, &error)) {
      return fail(kExitIoError, QStringLiteral("charts: %1").arg(error));
    }
    std::fprintf(stderr, "wrote %lld chart images in %s\n", static_cast<long long>(written.size()),
                 qPrintable(dir.filePath(QStringLiteral("charts"))));
  }
  return 0;
}

// --data PATH: the file is read now (a bad file is refused before anything runs) and given to
// run 0 as a data file, saved in the session by absolute path and SHA-256.
std::optional<int> applyDataFile(const Options& o, Start& start) {
  if (o.data.isEmpty() || o.data.startsWith(QLatin1String(kBuiltinPrefix))) return std::nullopt;
  DataSource source;
  source.location = QFileInfo(o.data).absoluteFilePath();
  source.targetColumn = o.target;
  try {
    LoadedData loaded = loadDataSource(source);
    SessionData& data = start.session.runs[0].data;
    data.source = SessionData::Source::File;
    data.path = QFileInfo(loaded.file).absoluteFilePath();
    data.sha256 = loaded.sha256;
    data.targetColumn = o.target;
    data.data = std::move(loaded.data);
  } catch (const core::Error& e) {
    return fail(kExitBadInput, QString::fromStdString("--data: " + e.field() + ": " + e.reason()));
  }
  return std::nullopt;
}

int runCommand(const Options& o, Start& start, const ChartExporter& charts) {
  // The configuration the user asked for: the start's, then the options.
  core::ExperimentConfig config = start.session.runs[0].config;
  try {
    applySettings(o, config);
  } catch (const core::Error& e) {
    return fail(kExitBadInput, QString::fromStdString(e.field() + ": " + e.reason()));
  }
  if (const auto exit = applyDataFile(o, start)) return *exit;
  const bool fromFile = !start.path.isEmpty();
  // One limit on every path, refused with the same words as --set training.epochs.
  const QString epochRange = QStringLiteral("must be in [1, %1]").arg(core::kMaxEpochs);
  if (o.epochs > core::kMaxEpochs) return fail(kExitBadInput, "--epochs: " + epochRange);
  if (!fromFile && o.epochs > 0) config.training.epochs = int(o.epochs);
  if (!fromFile) start.session.runs[0].config = config;

  if (!fromFile) {
    // The network the options ask for must fit in the session `--out` writes: refused here,
    // before it is built, naming the option.
    try {
      checkSession(start.session, start.directory);
    } catch (const core::Error& e) {
      const std::string setting = "runs[0].config.", run = "runs[0].";
      std::string field = e.field();
      if (field.rfind(setting, 0) == 0) {
        field = "--set " + field.substr(setting.size());
      } else if (field.rfind(run, 0) == 0) {
        field = field.substr(run.size());  // e.g. "layers[12]": the network the settings make
      }
      return fail(kExitBadInput, QString::fromStdString(field + ": " + e.reason()));
    }
  }
  SessionRunner runner;
  QString error;
  if (!runner.open(std::make_shared<Session>(start.session), start.directory, &error)) {
    return fail(kExitBadInput, (fromFile ? start.path + QStringLiteral(": ") : QString()) + error);
  }
  if (fromFile && !runner.applyConfig(config, &error)) return fail(kExitBadInput, error);
  // Where the run is, to turn --epochs / --steps into steps (and extend the plan if needed).
  // A fresh run of the same data and settings gives the steps per epoch; the step reached is
  // the opened run's. (Capturing the opened run's state instead would copy all its weights.)
  Session fresh;
  fresh.runs.push_back(start.session.runs[0]);
  fresh.runs[0].config = runner.config();
  fresh.runs[0].state = QJsonObject();
  fresh.runs[0].history.reset();
  std::unique_ptr<TrainingRun> probe;
  try {
    probe = buildRun(fresh, 0, start.directory);
  } catch (const core::Error& e) {
    return fail(kExitBadInput, QString::fromStdString(e.field() + ": " + e.reason()));
  }
  const std::int64_t perEpoch = std::max<std::int64_t>(1, probe->stepsPerEpoch());
  const std::int64_t at = runner.currentStep();
  std::int64_t steps = 0;
  if (o.steps > 0) {
    steps = o.steps;
  } else if (o.epochs > 0 && fromFile) {
    steps = o.epochs * perEpoch - at % perEpoch;
  } else {
    steps = std::int64_t(config.training.epochs) * perEpoch - at;
  }
  const std::int64_t target = at + steps;
  // A run trains at most kMaxEpochs epochs: more is refused, never cut short silently.
  const std::int64_t maxSteps = std::int64_t(core::kMaxEpochs) * perEpoch;
  if (target > maxSteps) {
    return fail(kExitBadInput,
                QStringLiteral("%1: %2 more steps from step %3 pass the most a run may train, "
                               "%4 epochs of %5 steps (at most %6 more)")
                    .arg(o.steps > 0 ? QStringLiteral("--steps") : QStringLiteral("--epochs"))
                    .arg(steps)
                    .arg(at)
                    .arg(core::kMaxEpochs)
                    .arg(perEpoch)
                    .arg(maxSteps - at));
  }
  if (target > std::int64_t(config.training.epochs) * perEpoch) {
    config.training.epochs = int((target + perEpoch - 1) / perEpoch);
    if (!runner.applyConfig(config, &error)) return fail(kExitBadInput, error);
  }

  RunState state = runner.state();
  if (steps > 0) {
    Progress progress(at, steps);
    state = runner.train(steps, [&](const Snapshot& s) { progress.onSnapshot(s); });
  }
  std::printf("%s\n", qPrintable(runner.status()));
  const int written = writeOutputs(o, runner, start, charts, true);
  if (state == RunState::Diverged) return kExitDiverged;
  return written;
}

int lrFindCommand(const Options& o, Start& start) {
  core::ExperimentConfig config = start.session.runs[0].config;
  try {
    applySettings(o, config);
    start.session.runs[0].config = config;
  } catch (const core::Error& e) {
    return fail(kExitBadInput, QString::fromStdString(e.field() + ": " + e.reason()));
  }
  if (const auto exit = applyDataFile(o, start)) return *exit;
  try {
    const auto run = buildRun(start.session, 0, start.directory);
    core::LrRangeTestSettings settings;
    settings.minRate = o.minRate;
    settings.maxRate = o.maxRate;
    if (o.steps > 100'000)
      return fail(kExitBadInput, "--steps: must be in [1, 100000] for lr-find");
    if (o.steps > 0) settings.steps = int(o.steps);
    core::validate(settings);
    const core::LrRangeTestResult result = run->lrRangeTest(settings);
    std::printf("learning_rate,loss,smoothed_loss\n");
    for (std::size_t i = 0; i < result.rates.size(); ++i) {
      std::printf("%.6g,%.6g,%.6g\n", result.rates[i], result.losses[i], result.smoothedLosses[i]);
    }
    std::printf("suggested maximum learning rate: %.4g\n", result.suggestedMaxRate);
    std::printf("(%s)\n", result.rule.c_str());
  } catch (const core::Error& e) {
    return fail(kExitBadInput, QString::fromStdString(e.field() + ": " + e.reason()));
  }
  return 0;
}

// The step of the first bit-level difference between the replayed loss and the parent's saved
// loss over [first, last], or -1 when they agree (steps the parent kept only as block means
// are not compared).
std::int64_t firstDifference(const MetricHistory& replay, const RunHistory& parent,
                             std::int64_t last) {
  if (parent.stepStride != 1) return -1;
  const std::vector<double>& saved = parent.stepValues[std::size_t(StepMetric::Loss)];
  const std::int64_t first = parent.firstStep;
  last = std::min(last, first + std::int64_t(saved.size()) - 1);
  if (last < first) return -1;
  const std::vector<double> replayed = replay.rawStepSeries(0, StepMetric::Loss, first, last);
  for (std::int64_t step = first; step <= last; ++step) {
    const std::size_t i = std::size_t(step - first);
    if (i >= replayed.size() || std::memcmp(&replayed[i], &saved[i], sizeof(double)) != 0) {
      return step;
    }
  }
  return -1;
}

// gradscope fork: the parent (the session's first run) is replayed from its seed to --at,
// checked against its saved losses, changed with --set, and trained --steps more. Both runs
// go into the written session (the fork marked with its parent and step); metrics.csv is the
// fork's, whose rows up to --at are the parent's.
int forkCommand(const Options& o, Start& start, const ChartExporter& charts) {
  const SessionRun& parent = start.session.runs[0];
  Session replay;
  replay.name = start.session.name;
  replay.runs.push_back(SessionRun{});
  replay.runs[0].config = parent.config;
  replay.runs[0].data = parent.data;
  SessionRunner runner;
  QString error;
  if (!runner.open(std::make_shared<Session>(replay), start.directory, &error)) {
    return fail(kExitBadInput, start.path + QStringLiteral(": ") + error);
  }
  // How far the parent went: its saved state (or its history when it has none).
  std::int64_t parentStep = 0;
  if (parent.state.contains(QStringLiteral("step"))) {
    parentStep = parent.state.value(QStringLiteral("step")).toInteger();
  } else if (parent.history) {
    parentStep = parent.history->firstStep + parent.history->steps - 1;
  }
  if (o.at > parentStep) {
    return fail(kExitBadInput, QStringLiteral("--at: the run reached step %1; fork at a step in "
                                              "[0, %1]")
                                   .arg(parentStep));
  }
  if (o.at > 0) runner.train(o.at);
  if (runner.currentStep() != o.at) {
    return fail(kExitBadInput, QStringLiteral("--at: the replay stopped at step %1 (%2)")
                                   .arg(runner.currentStep())
                                   .arg(runner.status()));
  }
  if (parent.history) {
    // Steps are numbered from 0: the replay trained steps 0 to at - 1.
    const std::int64_t differs = firstDifference(runner.history(), *parent.history, o.at - 1);
    if (differs >= 0) {
      return fail(kExitBadInput,
                  QStringLiteral("--at: replaying the run from its seed differs from the saved "
                                 "run at step %1 (were its settings changed during training?)")
                      .arg(differs));
    }
    // The shared past is the parent's record of it: the same losses (checked above), and the
    // same per-layer measurements (the costly probes' steps depend on their timing).
    if (parent.history->stepStride == 1) {
      restoreRunHistory(runner.history(), 0, truncatedRunHistory(*parent.history, o.at));
    }
  }
  core::ExperimentConfig config = runner.config();
  try {
    applySettings(o, config);
  } catch (const core::Error& e) {
    return fail(kExitBadInput, QString::fromStdString(e.field() + ": " + e.reason()));
  }
  // The plan reaches at least the fork's last step.
  const std::int64_t perEpoch =
      std::max<std::int64_t>(1, buildRun(replay, 0, start.directory)->stepsPerEpoch());
  const std::int64_t target = o.at + o.steps;
  if (target > std::int64_t(core::kMaxEpochs) * perEpoch) {
    return fail(kExitBadInput, QStringLiteral("--steps: passes the most a run may train"));
  }
  if (target > std::int64_t(config.training.epochs) * perEpoch) {
    config.training.epochs = int((target + perEpoch - 1) / perEpoch);
  }
  if (!runner.applyConfig(config, &error)) return fail(kExitBadInput, error);
  Progress progress(o.at, o.steps);
  const RunState state = runner.train(o.steps, [&](const Snapshot& s) { progress.onSnapshot(s); });
  std::printf("%s\n", qPrintable(runner.status()));

  // The written session: the parent as it was saved, then the fork.
  Session forked = runner.capture();
  Session out = start.session;
  SessionRun fork = forked.runs[0];
  fork.label = forkName(parent.config, config, o.at);
  fork.forkParent = 0;
  fork.forkStep = o.at;
  out.runs.push_back(std::move(fork));
  if (!QDir().mkpath(o.out))
    return fail(kExitIoError, QStringLiteral("--out: cannot create %1").arg(o.out));
  const QDir dir(o.out);
  const QString sessionPath =
      dir.filePath(QFileInfo(start.path).completeBaseName() + QStringLiteral("-fork.gradscope"));
  if (!saveSessionFile(sessionPath, out, &error)) return fail(kExitIoError, error);
  std::fprintf(stderr, "wrote %s\n", qPrintable(sessionPath));
  Start written = start;
  written.path = sessionPath;
  const int result = writeOutputs(o, runner, written, charts, false);
  if (state == RunState::Diverged) return kExitDiverged;
  return result;
}

int exportCommand(const Options& o, Start& start, const ChartExporter& charts) {
  SessionRunner runner;
  QString error;
  if (!runner.open(std::make_shared<Session>(start.session), start.directory, &error)) {
    return fail(kExitBadInput, start.path + QStringLiteral(": ") + error);
  }
  return writeOutputs(o, runner, start, charts, false);
}

}  // namespace

bool isCommandLine(const QStringList& args) {
  if (args.size() < 2) return false;
  const QString first = args[1];
  for (const char* command :
       {"run", "lr-find", "export", "fork", "--headless", "--help", "-h", "help"}) {
    if (first == QLatin1String(command)) return true;
  }
  // The headless trainer's own options (as before the dashboard existed) select it too.
  for (const QString& arg : args.mid(1)) {
    for (const char* option : {"--dataset", "--data", "--target", "--epochs", "--precision",
                               "--set", "--steps", "--scenario", "--out"}) {
      if (arg == QLatin1String(option) || arg.startsWith(QLatin1String(option) + '=')) return true;
    }
  }
  return false;
}

int runCommandLine(const QStringList& args, const ChartExporter& charts) {
  QStringList arguments = args;
  if (arguments.size() > 1 && arguments[1] == QLatin1String("help")) arguments[1] = "--help";
  Options options;
  if (const auto exit = parse(arguments, options)) return *exit;
  try {
    Start start;
    if (const auto exit = loadStart(options, start)) return *exit;
    if (options.command == QLatin1String("lr-find")) return lrFindCommand(options, start);
    if (options.command == QLatin1String("export")) return exportCommand(options, start, charts);
    if (options.command == QLatin1String("fork")) return forkCommand(options, start, charts);
    return runCommand(options, start, charts);
  } catch (const std::bad_alloc&) {
    // Every size is checked against its limit first; this is a computer with less free memory
    // than the limits allow for.
    return fail(kExitBadInput, QStringLiteral("there is not enough free memory for this run"));
  }
}

int runHeadless(const QStringList& args) { return runCommandLine(args); }

}  // namespace gradscope::app
