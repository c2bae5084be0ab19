// The dashboard's charts of a saved session, rendered offscreen to PNG and SVG files: the
// command line's `run --out` and `export` use it. The session is opened in a dashboard window
// exactly as File → Open does, every view is drawn from the restored history, and each is
// written with the image export the charts' context menus use.
#pragma once

#include <QString>
#include <QStringList>

namespace gradscope::ui {

// One <view-name>.png and .svg per dashboard view into `directory`; false and `error` when
// the session cannot be opened or a file cannot be written.
bool exportSessionCharts(const QString& sessionPath, const QString& directory, QStringList* written,
                         QString* error);

}  // namespace gradscope::ui
