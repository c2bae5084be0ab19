// Reading and writing .gradscope files. Saving is atomic (QSaveFile: the new file replaces the
// old one only once it is completely written, so a crash or a full disk mid-save leaves the
// previous file as it was). Reading refuses files over kMaxSessionBytes before reading them,
// reports JSON syntax errors with their byte offset, and then reads the session as
// session_json.h describes.
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

#include "app/sessions/session.h"

namespace gradscope::app {

inline constexpr qint64 kMaxSessionBytes = qint64(1) << 30;  // 1 GiB
inline const QLatin1String kSessionSuffix("gradscope");

QByteArray sessionBytes(const Session& session);
// Throws core::Error naming the field (or "file" for a problem with the whole text).
Session parseSession(const QByteArray& bytes);

// `failAfterBytes` >= 0 simulates a crash: that many bytes are written, then the save is
// abandoned without committing (for the atomic-save test). False and `error` on failure.
bool saveSessionFile(const QString& path, const Session& session, QString* error = nullptr,
                     qint64 failAfterBytes = -1);
// nullopt and `error` ("field: reason") when the file cannot be read or is not valid.
std::optional<Session> loadSessionFile(const QString& path, QString* error = nullptr);

}  // namespace gradscope::app
