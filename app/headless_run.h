// The headless trainer: trains an experiment without a window and prints one line per epoch.
// Used by `gradscope run ...`, by `gradscope --headless ...` and when no display is available.
#pragma once

#include <QStringList>

namespace gradscope::app {

// Exit codes of a headless run.
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitDiverged = 3;

// `args` as on the command line, program name first; a leading "run" or "--headless" is
// skipped. Needs a QCoreApplication. Returns the process exit code.
int runHeadless(const QStringList& args);

}  // namespace gradscope::app
