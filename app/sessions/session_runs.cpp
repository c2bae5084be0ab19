#include "app/sessions/session_runs.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <sstream>

#include "app/data/builtin_datasets.h"
#include "app/data/data_source.h"
#include "app/sessions/json_fields.h"
#include "app/sessions/run_state_json.h"
#include "app/sessions/session_file.h"
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
                        : QDir(baseDirectory).filePath(data.path);
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

}  // namespace

std::unique_ptr<TrainingRun> buildRun(const Session& session, int index,
                                      const QString& baseDirectory) {
  const SessionRun& saved = session.runs.at(std::size_t(index));
  const std::string prefix = "runs[" + std::to_string(index) + "]";
  std::unique_ptr<TrainingRun> run;
  try {
    switch (saved.data.source) {
      case SessionData::Source::Generator:
        run = TrainingRun::create(saved.config);
        break;
      case SessionData::Source::Embedded:
        run = TrainingRun::create(saved.config, *saved.data.data);
        break;
      case SessionData::Source::File: {
        const core::Dataset data = saved.data.data
                                       ? *saved.data.data
                                       : readDataFile(saved.data, baseDirectory, prefix + ".data");
        run = TrainingRun::create(saved.config, data);
        run->setDataFile(TrainingRun::DataFile{saved.data.path.toStdString(),
                                               saved.data.sha256.toHex().toStdString(),
                                               saved.data.targetColumn.toStdString()});
        break;
      }
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

std::vector<std::unique_ptr<TrainingRun>> buildRuns(const Session& session,
                                                    const QString& baseDirectory) {
  std::vector<std::unique_ptr<TrainingRun>> runs;
  for (int i = 0; i < int(session.runs.size()); ++i) {
    runs.push_back(buildRun(session, i, baseDirectory));
  }
  return runs;
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
