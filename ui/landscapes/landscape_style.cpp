#include "ui/landscapes/landscape_style.h"

#include "core/optimizers/optimizer_registry.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

// The racer's registry index is its colour: the same optimiser has the same colour in the
// map, the loss chart and the dashboard's optimiser race.
QColor racerColor(core::OptimizerKind kind) { return theme().runColor(core::optimizerIndex(kind)); }

QString racerName(core::OptimizerKind kind) {
  const std::string_view name = core::descriptorOf(kind).displayName;
  return QString::fromUtf8(name.data(), qsizetype(name.size()));
}

}  // namespace gradscope::ui
