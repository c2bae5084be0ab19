#include "app/data/data_source.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QSettings>

#include "app/data/builtin_datasets.h"
#include "core/data/data_files.h"

namespace gradscope::app {

namespace {
constexpr char kRecentKey[] = "data/recentFiles";
}

bool DataSource::isBuiltin() const { return location.startsWith(QLatin1String(kBuiltinPrefix)); }

core::CsvOptions DataSource::csvOptions() const {
  core::CsvOptions options;
  options.targetColumn = targetColumn.toStdString();
  options.task = task;
  options.delimiter = delimiter;
  options.header = header;
  return options;
}

QByteArray fileSha256(const QString& path, QString* error) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    if (error) *error = file.errorString();
    return {};
  }
  QCryptographicHash hash(QCryptographicHash::Sha256);
  if (!hash.addData(&file)) {
    if (error) *error = file.errorString();
    return {};
  }
  return hash.result();
}

LoadedData loadDataSource(const DataSource& source, const core::LoadProgress& progress) {
  LoadedData loaded;
  if (source.isBuiltin()) {
    const QString key = source.location.mid(int(qstrlen(kBuiltinPrefix)));
    loaded.data = loadBuiltinDataset(key, progress);
    loaded.file = builtinDataFile(key);
    loaded.sha256 = fileSha256(loaded.file);
    return loaded;
  }
  if (source.location.isEmpty()) throw core::Error("data", "no file given");
  const core::DataFiles files = core::locateDataFiles(source.location.toStdString());
  loaded.data = core::loadDataFiles(files, source.csvOptions(), progress);
  loaded.file = QString::fromStdString(
      files.format == core::DataFiles::Format::Csv ? files.csv : files.trainImages);
  QString error;
  loaded.sha256 = fileSha256(loaded.file, &error);
  if (loaded.sha256.isEmpty())
    throw core::Error(QFileInfo(loaded.file).fileName().toStdString(),
                      "cannot read: " + error.toStdString());
  if (loaded.data.source.empty()) loaded.data.source = source.location.toStdString();
  return loaded;
}

QStringList recentDataFiles() {
  return QSettings().value(QLatin1String(kRecentKey)).toStringList();
}

void rememberDataFile(const QString& location) {
  QSettings settings;
  QStringList recent = settings.value(QLatin1String(kRecentKey)).toStringList();
  recent.removeAll(location);
  recent.prepend(location);
  while (recent.size() > kMaxRecentDataFiles) recent.removeLast();
  settings.setValue(QLatin1String(kRecentKey), recent);
}

}  // namespace gradscope::app
