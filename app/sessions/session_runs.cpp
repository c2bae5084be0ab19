#include "app/sessions/session_runs.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <new>
#include <optional>
#include <sstream>

#include "app/data/builtin_datasets.h"
#include "app/data/configured_data.h"
#include "app/data/data_source.h"
#include "app/sessions/json_fields.h"
#include "app/sessions/run_state_json.h"
#include "app/sessions/session_file.h"
#include "app/sessions/session_size.h"
#include "core/data/data_files.h"

namespace gradscope::app {

using core::Error;

namespace {

core::Dataset readDataFile(const SessionData& data, const QString& baseDirectory,
                           const std::string& field) {
  // A built-in data set, a CSV file or IDX files (see app/data/data_source.h); the file is
  // checked against its SHA-256 (streamed) before it is parsed, then loaded in chunks.
  DataSource source;
  source.location = data.path.startsWith(QLatin1String(kBuiltinPrefix))
                        ? data.path
                        : QDir::cleanPath(QDir(baseDirectory).absoluteFilePath(data.path));
  source.targetColumn = data.targetColumn;
  if (!source.isBuiltin()) {
    QString main = source.location;
    try {
      const core::DataFiles files = core::locateDataFiles(source.location.toStdString());
      main = QString::fromStdString(
          files.format == core::DataFiles::Format::Csv ? files.csv : files.trainImages);
    } catch (const Error&) {
      // Reported below as unreadable.
    }
    QString error;
    const QByteArray sha = fileSha256(main, &error);
    if (sha.isEmpty())
      throw Error(field + ".path",
                  "cannot read " + main.toStdString() + " (" + error.toStdString() + ")");
    if (sha != data.sha256) {
      throw Error(field + ".sha256", "does not match " + data.path.toStdString() +
                                         ": the file has changed since the session was saved");
    }
  }
  LoadedData loaded = loadDataSource(source);
  if (source.isBuiltin() && loaded.sha256 != data.sha256)
    throw Error(field + ".sha256", "does not match the built-in data set " +
                                       data.path.toStdString() +
                                       ": its files have changed since the session was saved");
  return std::move(loaded.data);
}

// What a run of a session will be, worked out before anything large is allocated: its data
// (when given), the network its configuration and data make, and its training set's size.
struct RunPlan {
  std::optional<core::Dataset> data;
  core::NetworkSpec spec;
  core::Index trainingSamples = 0;
};

RunPlan planRun(const Session& session, int index, const QString& baseDirectory) {
  const SessionRun& saved = session.runs.at(std::size_t(index));
  const std::string prefix = "runs[" + std::to_string(index) + "]";
  RunPlan plan;
  try {
    core::validate(saved.config);
    if (saved.data.source == SessionData::Source::Embedded) plan.data = *saved.data.data;
    if (saved.data.source == SessionData::Source::File) {
      plan.data = saved.data.data ? *saved.data.data
                                  : readDataFile(saved.data, baseDirectory, prefix + ".data");
    }
    core::Index inputs = 0, outputs = 0;
    core::TaskKind task = core::TaskKind::Regression;
    if (plan.data) {
      inputs = plan.data->featureCount();
      outputs = plan.data->outputCount();
      task = plan.data->task;
      plan.trainingSamples = plan.data->sampleCount();
    } else if (!saved.config.data.builtin.empty()) {
      // A built-in data set named by the configuration (data.dataset): its shape is the
      // loaded set's (shared with the run that is built next, not copied).
      const std::shared_ptr<const core::Dataset> builtin = configuredData(saved.config.data);
      inputs = builtin->featureCount();
      outputs = builtin->outputCount();
      task = builtin->task;
      plan.trainingSamples = builtin->sampleCount();
    } else {
      saved.config.data.validate();
      inputs = saved.config.data.inputCount();
      task = saved.config.data.task();
      outputs = task == core::TaskKind::MultiClass ? saved.config.data.classCount() : 1;
      plan.trainingSamples = saved.config.data.samples;
    }
    plan.spec = networkFor(saved.config, inputs, outputs, task);
  } catch (const Error& e) {
    if (e.field().rfind(prefix, 0) == 0) throw;
    throw Error(prefix + "." + e.field(), e.reason());
  }
  return plan;
}

// Every array of the parameters' size in the saved state must have that size: compared with
// what the file claims before the network is built, so a small file that declares a huge
// network with three weights is refused without allocating it.
void checkStateLengths(const QJsonObject& state, std::int64_t parameters,
                       const std::string& field) {
  auto check = [&](const QJsonValue& value, const std::string& at) {
    const std::int64_t claimed = claimedArrayLength(value);
    if (claimed >= 0 && claimed != parameters) {
      // Named as readNumbers() names it: the compact forms by their tag ("parameters.f32z").
      const QJsonObject object = value.toObject();
      throw Error(
          value.isObject() ? at + "." + object.begin().key().toStdString() : at,
          "has " + std::to_string(claimed) + " values, expected " + std::to_string(parameters));
    }
  };
  for (const char* key : {"parameters", "best_parameters"}) {
    if (state.contains(QLatin1String(key))) {
      check(state.value(QLatin1String(key)), field + "." + key);
    }
  }
  const QJsonObject slotValues =
      state.value(QStringLiteral("optimizer")).toObject().value(QStringLiteral("slots")).toObject();
  for (auto it = slotValues.begin(); it != slotValues.end(); ++it) {
    check(it.value(), field + ".optimizer.slots." + it.key().toStdString());
  }
}

std::unique_ptr<TrainingRun> buildPlannedRun(const Session& session, int index, RunPlan plan,
                                             const QString& baseDirectory) {
  const SessionRun& saved = session.runs.at(std::size_t(index));
  const std::string prefix = "runs[" + std::to_string(index) + "]";
  std::unique_ptr<TrainingRun> run;
  try {
    run = plan.data ? TrainingRun::create(saved.config, *plan.data)
                    : TrainingRun::create(saved.config);
    if (saved.data.source == SessionData::Source::File) {
      // Kept absolute, so that saving the session into another folder can point to the file
      // from there (saveSessionFile).
      const QString path = QDir(baseDirectory).absoluteFilePath(saved.data.path);
      run->setDataFile(TrainingRun::DataFile{QDir::cleanPath(path).toStdString(),
                                             saved.data.sha256.toHex().toStdString(),
                                             saved.data.targetColumn.toStdString()});
    }
  } catch (const Error& e) {
    // Data and configuration that do not fit each other (e.g. a binary network on 3 classes).
    if (e.field().rfind(prefix, 0) == 0) throw;
    throw Error(prefix + "." + e.field(), e.reason());
  }
  if (!saved.state.isEmpty()) {
    const std::string field = prefix + ".state";
    const core::TrainerState state =
        trainerStateFromJson(JsonFields(saved.state, field), run->captureState());
    try {
      run->restoreState(state);
    } catch (const Error& e) {
      throw Error(field + "." + e.field(), e.reason());
    }
  }
  return run;
}

// Plans every run, checks every saved length against its network and the states of all runs
// against what a session holds, and only then builds them.
std::vector<std::unique_ptr<TrainingRun>> buildSomeRuns(const Session& session, int first, int last,
                                                        const QString& baseDirectory) {
  std::vector<RunPlan> plans;
  std::int64_t stateBytes = 0;
  for (int i = 0; i < int(session.runs.size()); ++i) {
    RunPlan plan = planRun(session, i, baseDirectory);
    const std::string prefix = "runs[" + std::to_string(i) + "]";
    const SessionRun& saved = session.runs[std::size_t(i)];
    checkStateLengths(saved.state, countNetwork(plan.spec).parameters, prefix + ".state");
    checkStateFitsSession(saved.config, plan.spec, plan.trainingSamples, stateBytes,
                          prefix + ".config.");
    stateBytes += stateBytesBound(saved.config, plan.spec, plan.trainingSamples);
    plans.push_back(std::move(plan));
  }
  std::vector<std::unique_ptr<TrainingRun>> runs;
  for (int i = first; i <= last; ++i) {
    const std::string prefix = "runs[" + std::to_string(i) + "]";
    try {
      runs.push_back(buildPlannedRun(session, i, std::move(plans[std::size_t(i)]), baseDirectory));
    } catch (const std::bad_alloc&) {
      // Within the limits, but more than this computer has free now.
      throw Error(prefix, "there is not enough free memory to build this run");
    }
  }
  return runs;
}

}  // namespace

void checkSession(const Session& session, const QString& baseDirectory) {
  buildSomeRuns(session, 0, -1, baseDirectory);
}

std::unique_ptr<TrainingRun> buildRun(const Session& session, int index,
                                      const QString& baseDirectory) {
  return std::move(buildSomeRuns(session, index, index, baseDirectory).front());
}

std::vector<std::unique_ptr<TrainingRun>> buildRuns(const Session& session,
                                                    const QString& baseDirectory) {
  return buildSomeRuns(session, 0, int(session.runs.size()) - 1, baseDirectory);
}

SessionRun captureRun(const TrainingRun& run) {
  SessionRun saved;
  saved.config = run.config();
  if (const auto& data = run.givenData()) {
    if (const auto& file = run.dataFile()) {
      saved.data.source = SessionData::Source::File;
      saved.data.path = QString::fromStdString(file->path);
      saved.data.sha256 = QByteArray::fromHex(QByteArray::fromStdString(file->sha256));
      saved.data.targetColumn = QString::fromStdString(file->targetColumn);
      const std::int64_t values =
          data->sampleCount() * (data->featureCount() + data->outputCount());
      if (values <= kMaxEmbeddedFileValues) saved.data.data = *data;
    } else {
      saved.data.source = SessionData::Source::Embedded;
      saved.data.data = *data;
    }
  }
  saved.state = trainerStateToJson(run.captureState(), run.config().precision);
  return saved;
}

}  // namespace gradscope::app
