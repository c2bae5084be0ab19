#include "app/sessions/session_file.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <new>

#include "app/sessions/history_json.h"
#include "app/sessions/session_json.h"
#include "core/model/types.h"

namespace gradscope::app {

namespace {

// Qt indents by four spaces a level. A long history holds thousands of small objects (the
// histogram frames), whose indentation alone took megabytes: one space a level keeps the file
// one value a line, so it still diffs, at a quarter of that. Every line's leading spaces are
// indentation (strings cannot hold a raw line break), so this changes nothing else.
QByteArray withOneSpaceIndent(QByteArray text) {
  // Compacted where it lies (the result is never longer): a session of the largest network is
  // 700 MB of text, and a second copy of it would be the largest allocation of a save.
  char* data = text.data();
  const qsizetype size = text.size();
  qsizetype read = 0, write = 0;
  while (read < size) {
    qsizetype spaces = 0;
    while (read + spaces < size && data[read + spaces] == ' ') ++spaces;
    for (qsizetype k = 0; k < spaces / 4; ++k) data[write++] = ' ';
    read += spaces;
    const char* end = static_cast<const char*>(std::memchr(data + read, '\n', size_t(size - read)));
    const qsizetype next = end ? end - data + 1 : size;
    std::memmove(data + write, data + read, size_t(next - read));
    write += next - read;
    read = next;
  }
  text.truncate(write);
  return text;
}

QString dataPathFrom(const QString& sessionDirectory, const QString& dataPath) {
  if (QDir::isRelativePath(dataPath)) return dataPath;  // its base is not known: kept as it is
  const QString relative = QDir(sessionDirectory).relativeFilePath(dataPath);
  // Relative when the data sits in the session's folder, below it or in a sibling folder, so
  // that the folder can move as a whole; absolute when it is elsewhere.
  if (QDir::isAbsolutePath(relative) || relative.startsWith(QLatin1String("../../"))) {
    return QDir::cleanPath(dataPath);
  }
  return relative;
}

// Halves the resolution of the saved step metrics: each new block is the mean of two (the
// measured values among them; NaN when none was measured).
void thinSteps(RunHistory& h) {
  const std::int64_t blocks = h.stepBlocks();
  h.stepStride *= 2;
  for (std::vector<double>& values : h.stepValues) {
    std::vector<double> thinned(std::size_t(h.stepBlocks()), std::nan(""));
    for (std::int64_t b = 0; b < std::int64_t(thinned.size()); ++b) {
      double sum = 0.0;
      int count = 0;
      for (std::int64_t i = 2 * b; i < std::min(blocks, 2 * b + 2); ++i) {
        if (!std::isnan(values[std::size_t(i)])) {
          sum += values[std::size_t(i)];
          ++count;
        }
      }
      if (count > 0) thinned[std::size_t(b)] = sum / count;
    }
    values = std::move(thinned);
  }
}

std::int64_t stepBlocksOf(const Session& session) {
  std::int64_t blocks = 0;
  for (const SessionRun& run : session.runs) {
    if (run.history) blocks += run.history->stepBlocks();
  }
  return blocks;
}

// The run whose saved step metrics hold the most values (-1 when none holds more than one).
int longestHistory(const Session& session) {
  int longest = -1;
  for (int i = 0; i < int(session.runs.size()); ++i) {
    const auto& h = session.runs[std::size_t(i)].history;
    if (h && h->stepBlocks() > 1 &&
        (longest < 0 ||
         h->stepBlocks() > session.runs[std::size_t(longest)].history->stepBlocks())) {
      longest = i;
    }
  }
  return longest;
}

qint64 historyBytes(const RunHistory& h) {
  return QJsonDocument(runHistoryToJson(h)).toJson(QJsonDocument::Compact).size();
}

}  // namespace

Session fitSessionToSize(Session session, qint64 maxBytes, std::int64_t maxStepBlocks) {
  while (stepBlocksOf(session) > maxStepBlocks && longestHistory(session) >= 0) {
    thinSteps(*session.runs[std::size_t(longestHistory(session))].history);
  }
  // The whole text is encoded once to measure it; the histories alone while they are thinned
  // (the state, which may be most of the file, is not encoded again each time).
  qint64 bytes = sessionBytes(session).size();
  while (bytes > maxBytes && longestHistory(session) >= 0) {
    qint64 histories = 0;
    for (const SessionRun& run : session.runs) {
      if (run.history) histories += historyBytes(*run.history);
    }
    const qint64 rest = bytes - histories;
    while (histories > maxBytes - rest && longestHistory(session) >= 0) {
      RunHistory& h = *session.runs[std::size_t(longestHistory(session))].history;
      histories -= historyBytes(h);
      thinSteps(h);
      histories += historyBytes(h);
    }
    bytes = sessionBytes(session).size();
  }
  return session;
}

QByteArray sessionBytes(const Session& session) {
  return withOneSpaceIndent(QJsonDocument(sessionToJson(session)).toJson(QJsonDocument::Indented));
}

Session parseSession(const QByteArray& bytes) {
  if (bytes.size() > kMaxSessionBytes) {
    throw core::Error("file", "is larger than 1 GiB, the most a session may be");
  }
  try {
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
      throw core::Error("file", "not valid JSON at byte " + std::to_string(parseError.offset) +
                                    ": " + parseError.errorString().toStdString());
    }
    if (!document.isObject()) throw core::Error("file", "expected a JSON object");
    return sessionFromJson(document.object());
  } catch (const std::bad_alloc&) {
    throw core::Error("file", "there is not enough free memory to read it");
  }
}

bool saveSessionFile(const QString& path, const Session& session, QString* error,
                     qint64 failAfterBytes) {
  // Data files are kept absolute while a session is open; written relative to where this file
  // goes (or absolute), so that a copy saved into another folder still finds its data.
  Session placed = session;
  const QString directory = QFileInfo(path).absolutePath();
  for (SessionRun& run : placed.runs) {
    if (run.data.source == SessionData::Source::File) {
      run.data.path = dataPathFrom(directory, run.data.path);
    }
  }
  QByteArray bytes;
  try {
    bytes = sessionBytes(placed);
    if (bytes.size() > kMaxSessionBytes || stepBlocksOf(placed) > kMaxSessionStepBlocks) {
      bytes = sessionBytes(fitSessionToSize(placed));
    }
  } catch (const std::bad_alloc&) {
    if (error) *error = QStringLiteral("there is not enough free memory to save the session");
    return false;
  }
  if (bytes.size() > kMaxSessionBytes) {
    // Not written: a file over the cap would not open again (session_size.h).
    if (error) {
      *error = QStringLiteral("the session would take %1, more than the %2 a session may be")
                   .arg(QString::fromStdString(describeBytes(bytes.size())),
                        QString::fromStdString(describeBytes(kMaxSessionBytes)));
    }
    return false;
  }
  QSaveFile file(path);
  errno = 0;
  if (!file.open(QIODevice::WriteOnly)) {
    if (error) *error = fileWriteError(path, file);
    return false;
  }
  if (failAfterBytes >= 0) {
    file.write(bytes.left(failAfterBytes));
    file.cancelWriting();  // as a crash would: the temporary file never replaces the old one
    if (error) *error = QStringLiteral("save interrupted");
    return false;
  }
  errno = 0;
  if (file.write(bytes) != bytes.size() || !file.flush()) {
    if (error) *error = fileWriteError(path, file);
    file.cancelWriting();
    return false;
  }
  errno = 0;
  if (!file.commit()) {
    if (error) *error = fileWriteError(path, file);
    return false;
  }
  return true;
}

bool commitWhole(QSaveFile& file) {
  // Not committed, the temporary file goes with the QSaveFile.
  if (!file.flush() || file.error() != QFileDevice::NoError) return false;
  return file.commit();
}

QString fileWriteError(const QString& path, const QFileDevice& file) {
  // A full disk surfaces as ENOSPC from write() or close(); Qt sometimes reports only "Unknown
  // error" when the failure came from flushing its buffer at commit, so the OS's reason is
  // taken from errno then.
  const int code = errno;
  QString reason = file.errorString();
  if ((reason.isEmpty() || reason == QLatin1String("Unknown error")) && code != 0) {
    reason = QString::fromLocal8Bit(std::strerror(code));
  }
  if (code == ENOSPC) reason = QStringLiteral("disk full (%1)").arg(reason);
  return QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), reason);
}

std::optional<Session> loadSessionFile(const QString& path, QString* error) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    if (error) *error = file.errorString();
    return std::nullopt;
  }
  if (file.size() > kMaxSessionBytes) {
    if (error) *error = QStringLiteral("file: is larger than 1 GiB, the most a session may be");
    return std::nullopt;
  }
  try {
    return parseSession(file.readAll());
  } catch (const core::Error& e) {
    if (error) {
      *error = QStringLiteral("%1: %2").arg(QString::fromStdString(e.field()),
                                            QString::fromStdString(e.reason()));
    }
    return std::nullopt;
  } catch (const std::bad_alloc&) {
    if (error) *error = QStringLiteral("file: there is not enough free memory to read it");
    return std::nullopt;
  }
}

}  // namespace gradscope::app
