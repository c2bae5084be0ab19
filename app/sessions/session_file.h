// Reading and writing .gradscope files. Saving is atomic (QSaveFile: the new file replaces the
// old one only once it is completely written, so a crash or a full disk mid-save leaves the
// previous file as it was). Reading refuses files over kMaxSessionBytes before reading them,
// reports JSON syntax errors with their byte offset, and then reads the session as
// session_json.h describes.
#pragma once

#include <QByteArray>
#include <QFileDevice>
#include <QSaveFile>
#include <QString>

#include <optional>

#include "app/sessions/session.h"
#include "app/sessions/session_size.h"  // kMaxSessionBytes

namespace gradscope::app {

inline const QLatin1String kSessionSuffix("gradscope");

QByteArray sessionBytes(const Session& session);
// Throws core::Error naming the field (or "file" for a problem with the whole text).
Session parseSession(const QByteArray& bytes);

// `session` as saved: the per-step history of runs too long to fit thinned (session_size.h) so
// that the step metrics hold at most `maxStepBlocks` values each over all runs and the file at
// most `maxBytes` (as far as thinning the step metrics can go). saveSessionFile() writes this.
Session fitSessionToSize(Session session, qint64 maxBytes = kMaxSessionBytes,
                         std::int64_t maxStepBlocks = kMaxSessionStepBlocks);

// `failAfterBytes` >= 0 simulates a crash: that many bytes are written, then the save is
// abandoned without committing (for the atomic-save test). False and `error` on failure.
bool saveSessionFile(const QString& path, const Session& session, QString* error = nullptr,
                     qint64 failAfterBytes = -1);
// "cannot write FILE: REASON" after `file` failed to write: the OS's reason where Qt has none
// of its own ("Unknown error" after a failed flush), and "disk full" for ENOSPC. Reads errno,
// so call it right after the failing call.
QString fileWriteError(const QString& path, const QFileDevice& file);

// Replaces the target of `file` with what was written, only when all of it reached the disk:
// the buffered rest is flushed and checked first (QSaveFile::commit() alone lets a failed final
// flush, e.g. over a file-size limit, through and leaves a truncated file). False on any error;
// the temporary file is then removed with `file`.
bool commitWhole(QSaveFile& file);

// nullopt and `error` ("field: reason") when the file cannot be read or is not valid.
std::optional<Session> loadSessionFile(const QString& path, QString* error = nullptr);

}  // namespace gradscope::app
