// The command line: `gradscope run`, `gradscope lr-find`, `gradscope export` and
// `gradscope --help`, without a window. Runs train through the same worker and metric history
// as the dashboard (SessionRunner), so they give the same numbers.
#pragma once

#include <QStringList>

#include <functional>

namespace gradscope::app {

// Exit codes.
inline constexpr int kExitBadInput = 2;  // unknown option, bad value, invalid session
inline constexpr int kExitDiverged = 3;
inline constexpr int kExitIoError = 4;  // a file could not be read or written

// Renders the dashboard's charts of the session at `sessionPath` into `directory` (PNG and
// SVG); lists the files written. Provided by the widgets layer; without it no chart is written.
using ChartExporter = std::function<bool(const QString& sessionPath, const QString& directory,
                                         QStringList* written, QString* error)>;

// True when `args` (program name first) ask for the command line rather than the dashboard.
bool isCommandLine(const QStringList& args);

// `args` as on the command line, program name first. Needs a QCoreApplication (a QApplication
// when `charts` is set). Returns the process exit code.
int runCommandLine(const QStringList& args, const ChartExporter& charts = {});

// The same (kept for callers of the headless trainer).
int runHeadless(const QStringList& args);

}  // namespace gradscope::app
