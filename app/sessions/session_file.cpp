#include "app/sessions/session_file.h"

#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

#include "app/sessions/session_json.h"
#include "core/model/types.h"

namespace gradscope::app {

namespace {

// Qt indents by four spaces a level. A long history holds thousands of small objects (the
// histogram frames), whose indentation alone took megabytes: one space a level keeps the file
// one value a line, so it still diffs, at a quarter of that. Every line's leading spaces are
// indentation (strings cannot hold a raw line break), so this changes nothing else.
QByteArray withOneSpaceIndent(const QByteArray& indented) {
  QByteArray out;
  out.reserve(indented.size());
  qsizetype i = 0;
  while (i < indented.size()) {
    qsizetype spaces = 0;
    while (i + spaces < indented.size() && indented[i + spaces] == ' ') ++spaces;
    out.append(spaces / 4, ' ');
    i += spaces;
    const qsizetype end = indented.indexOf('\n', i);
    const qsizetype next = end < 0 ? indented.size() : end + 1;
    out.append(indented.constData() + i, next - i);
    i = next;
  }
  return out;
}

}  // namespace

QByteArray sessionBytes(const Session& session) {
  return withOneSpaceIndent(QJsonDocument(sessionToJson(session)).toJson(QJsonDocument::Indented));
}

Session parseSession(const QByteArray& bytes) {
  if (bytes.size() > kMaxSessionBytes) {
    throw core::Error("file", "is larger than 1 GiB, the most a session may be");
  }
  QJsonParseError parseError;
  const QJsonDocument document = QJsonDocument::fromJson(bytes, &parseError);
  if (parseError.error != QJsonParseError::NoError) {
    throw core::Error("file", "not valid JSON at byte " + std::to_string(parseError.offset) + ": " +
                                  parseError.errorString().toStdString());
  }
  if (!document.isObject()) throw core::Error("file", "expected a JSON object");
  return sessionFromJson(document.object());
}

bool saveSessionFile(const QString& path, const Session& session, QString* error,
                     qint64 failAfterBytes) {
  const QByteArray bytes = sessionBytes(session);
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) {
    if (error) *error = file.errorString();
    return false;
  }
  if (failAfterBytes >= 0) {
    file.write(bytes.left(failAfterBytes));
    file.cancelWriting();  // as a crash would: the temporary file never replaces the old one
    if (error) *error = QStringLiteral("save interrupted");
    return false;
  }
  if (file.write(bytes) != bytes.size() || !file.commit()) {
    if (error) *error = file.errorString();
    return false;
  }
  return true;
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
  }
}

}  // namespace gradscope::app
