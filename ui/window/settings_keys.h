// The keys under which the window keeps its preferences (QSettings), listed once: the
// session manager and the window both remember the folder last used for files.
#pragma once

#include <QLatin1String>

namespace gradscope::ui {

inline const QLatin1String kGeometryKey("window/geometry");
inline const QLatin1String kStateKey("window/state");
inline const QLatin1String kExperimentKey("experiment/last");
inline const QLatin1String kThemeKey("view/theme");
inline const QLatin1String kClassroomKey("view/classroom");
inline const QLatin1String kSpeedKey("training/speed");
inline const QLatin1String kHintKey("hints/scenarioShown");
inline const QLatin1String kDirectoryKey("files/directory");
inline const QLatin1String kRecentSessionsKey("sessions/recent");
inline const QLatin1String kExportDirectoryKey("export/directory");

}  // namespace gradscope::ui
