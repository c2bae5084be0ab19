// The play controls' icons, drawn in a given colour (the style's stock media icons are dark
// glyphs, invisible on the dark theme): play, pause, step (one batch), epoch (to the end of
// the epoch).
#pragma once

#include <QColor>
#include <QIcon>

namespace gradscope::ui {

enum class ToolbarIcon { Play, Pause, Step, Epoch };

QIcon toolbarIcon(ToolbarIcon icon, const QColor& color);

}  // namespace gradscope::ui
