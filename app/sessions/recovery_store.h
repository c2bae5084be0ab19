// Crash-recovery copies, one per running instance of GradScope, in one folder (the application
// data folder). Each instance writes only its own file, `recovery-<pid>-<n>.gradscope`, and
// holds `<file>.lock` (QLockFile) for as long as it lives. A copy whose lock is held by a
// running process belongs to that instance: no other instance offers it, adopts it or removes
// it. A copy whose lock is stale (its owner died: the lock names a process that no longer
// runs) or missing (a copy left by an older version) is an orphan: the next instance to start
// offers it, and on restoring it adopts it as its own (the lock passes to the new owner, who
// keeps writing to that file), or removes it if the user declines.
//
// QLockFile's stale time is 0: a lock is stale only when its process is gone, never because
// it is old (an instance may train for days).
#pragma once

#include <QLockFile>
#include <QString>
#include <QStringList>

#include <memory>

namespace gradscope::app {

class RecoveryStore {
 public:
  // Claims a fresh file name in `directory` (created if missing) and locks it.
  explicit RecoveryStore(const QString& directory);
  // Releases the lock; the copy stays unless discard() removed it (a crash leaves it too).
  ~RecoveryStore();
  RecoveryStore(const RecoveryStore&) = delete;
  RecoveryStore& operator=(const RecoveryStore&) = delete;

  // False when the folder cannot be written or the lock cannot be taken (no recovery then).
  bool isValid() const { return m_lock && m_lock->isLocked(); }
  QString directory() const { return m_directory; }
  // This instance's recovery copy (it need not exist yet).
  QString path() const { return m_path; }
  bool hasCopy() const;
  // Removes this instance's copy (after a save or a clean close). Never touches others'.
  void discard();

  // Copies of instances that no longer run, newest first. Live instances' copies are not
  // listed.
  QStringList orphans() const;
  // Makes the orphan `path` this instance's copy: locks it (false if its owner turns out to be
  // alive, or another instance adopted it first), removes this instance's own copy and lock,
  // and writes to `path` from now on.
  bool adopt(const QString& path);
  // Removes the orphan `path` (the user declined it), if it is still an orphan.
  bool removeOrphan(const QString& path);

  static QString lockPathOf(const QString& path) { return path + QStringLiteral(".lock"); }

 private:
  // A lock on `path`, taken if it is free or stale; null if a live instance holds it.
  static std::unique_ptr<QLockFile> tryLock(const QString& path);

  QString m_directory;
  QString m_path;
  std::unique_ptr<QLockFile> m_lock;
};

}  // namespace gradscope::app
