// Every dashboard test keeps its QSettings (recent files, layouts, recovery copies) in a
// temporary folder of its own, never in the user's.
#pragma once

#include <QCoreApplication>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace gradscope {

// False when the folder could not be made.
inline bool useTemporarySettings(const QTemporaryDir& dir) {
  if (!dir.isValid()) return false;
  qputenv("XDG_CONFIG_HOME", QFile::encodeName(dir.path()));
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName(QStringLiteral("GradScopeTest"));
  return true;
}

}  // namespace gradscope
