#include "app/sessions/recovery_store.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <atomic>

namespace gradscope::app {

namespace {

const QLatin1String kPrefix("recovery");
const QLatin1String kSuffix(".gradscope");

// Several stores in one process (windows of one instance, tests) each get their own name.
std::atomic<int> nextStoreNumber{1};

}  // namespace

std::unique_ptr<QLockFile> RecoveryStore::tryLock(const QString& path) {
  auto lock = std::make_unique<QLockFile>(lockPathOf(path));
  lock->setStaleLockTime(0);  // stale only when the owning process is gone
  if (!lock->tryLock(0)) return nullptr;
  return lock;
}

RecoveryStore::RecoveryStore(const QString& directory)
    : m_directory(QDir(directory).absolutePath()) {
  if (!QDir().mkpath(m_directory)) return;
  const QDir dir(m_directory);
  // A name no live instance holds and no orphan uses (a dead process's id may come back).
  for (int attempt = 0; attempt < 1000 && !m_lock; ++attempt) {
    const QString path = dir.filePath(QStringLiteral("%1-%2-%3%4")
                                          .arg(kPrefix)
                                          .arg(QCoreApplication::applicationPid())
                                          .arg(nextStoreNumber++)
                                          .arg(kSuffix));
    if (QFileInfo::exists(path)) continue;
    if (auto lock = tryLock(path)) {
      m_path = path;
      m_lock = std::move(lock);
    }
  }
}

RecoveryStore::~RecoveryStore() = default;  // QLockFile unlocks when destroyed

bool RecoveryStore::hasCopy() const { return !m_path.isEmpty() && QFileInfo::exists(m_path); }

void RecoveryStore::discard() {
  if (isValid()) QFile::remove(m_path);
}

QStringList RecoveryStore::orphans() const {
  QStringList found;
  const QFileInfoList files =
      QDir(m_directory)
          .entryInfoList({kPrefix + QStringLiteral("*") + kSuffix}, QDir::Files, QDir::Time);
  for (const QFileInfo& file : files) {
    const QString path = file.absoluteFilePath();
    if (path == m_path) continue;
    // Free or stale: its owner is gone. Held: a live instance's copy, not ours to offer.
    if (tryLock(path)) found << path;  // the probe's lock is released at once
  }
  return found;
}

bool RecoveryStore::adopt(const QString& path) {
  if (!isValid() || !QFileInfo::exists(path)) return false;
  auto lock = tryLock(path);
  if (!lock) return false;
  QFile::remove(m_path);
  m_lock = std::move(lock);  // the old lock is released and its file removed
  m_path = QFileInfo(path).absoluteFilePath();
  return true;
}

bool RecoveryStore::removeOrphan(const QString& path) {
  const auto lock = tryLock(path);
  return lock && QFile::remove(path);
}

}  // namespace gradscope::app
