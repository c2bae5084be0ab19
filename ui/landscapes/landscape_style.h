// How the Landscapes view names and colours the racers: each optimiser's registered display
// name and one colour per registered optimiser (the same colour in the map, the legend and
// the loss chart, whichever racers are ticked).
#pragma once

#include <QColor>
#include <QString>

#include "core/optimizers/optimizer_settings.h"

namespace gradscope::ui {

QColor racerColor(core::OptimizerKind kind);
// The descriptor's display name: "SGD", "Momentum", ..., "AdamW", "Lion".
QString racerName(core::OptimizerKind kind);

}  // namespace gradscope::ui
