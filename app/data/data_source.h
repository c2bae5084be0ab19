// The data set a user chose, as one value the dashboard, the command line (--data, --target)
// and sessions share: a built-in data set ("builtin:iris") or a path (a CSV file, an IDX images
// file, or a folder holding an IDX pair), with the CSV options.
//
// loadDataSource() reads it (off the GUI thread: it may take a second) and fingerprints the
// file it read with SHA-256, streamed, so a session can tell later whether the file changed.
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

#include "core/data/csv_loader.h"
#include "core/data/dataset.h"
#include "core/data/load_progress.h"

namespace gradscope::app {

struct DataSource {
  QString location;      // "builtin:KEY" or a path
  QString targetColumn;  // CSV: empty = the last column
  std::optional<core::TaskKind> task;
  char delimiter = 0;  // CSV: 0 = detect
  std::optional<bool> header;

  bool isBuiltin() const;
  core::CsvOptions csvOptions() const;
  bool operator==(const DataSource&) const = default;
};

struct LoadedData {
  core::Dataset data;
  // The file the data came from (a CSV file, the training images of an IDX pair) and its
  // SHA-256; empty for a built-in data set.
  QString file;
  QByteArray sha256;
};

// Reads the data; throws core::Error whose field names the file (and line or byte offset)
// and whose reason says what is wrong, or core::kLoadCancelled when `progress` cancelled.
LoadedData loadDataSource(const DataSource& source, const core::LoadProgress& progress = {});

// The SHA-256 of a file, read in chunks (empty on a read error, with `error` set).
QByteArray fileSha256(const QString& path, QString* error = nullptr);

// Recently opened data files (newest first, at most kMaxRecentDataFiles), kept in QSettings.
inline constexpr int kMaxRecentDataFiles = 8;
QStringList recentDataFiles();
void rememberDataFile(const QString& location);

}  // namespace gradscope::app
