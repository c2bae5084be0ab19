// How the Landscapes view names and colours the racers: the lecture's names and one
// Okabe-Ito colour per optimiser kind (the same colour in the map, the legend and the loss
// chart, whichever racers are ticked).
#pragma once

#include <QColor>
#include <QString>

#include "core/optimizers/optimizer_settings.h"

namespace gradscope::ui {

QColor racerColor(core::OptimizerKind kind);
// "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "AdaMax", "Nadam".
QString racerName(core::OptimizerKind kind);

}  // namespace gradscope::ui
