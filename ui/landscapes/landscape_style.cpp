#include "ui/landscapes/landscape_style.h"

#include "core/landscapes/landscape_race.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

QColor racerColor(core::OptimizerKind kind) { return theme().runColor(core::optimizerIndex(kind)); }

QString racerName(core::OptimizerKind kind) {
  switch (kind) {
    case core::OptimizerKind::Sgd:
      return QStringLiteral("SGD");
    case core::OptimizerKind::Momentum:
      return QStringLiteral("Momentum");
    case core::OptimizerKind::Nesterov:
      return QStringLiteral("Nesterov");
    case core::OptimizerKind::Adagrad:
      return QStringLiteral("AdaGrad");
    case core::OptimizerKind::RmsProp:
      return QStringLiteral("RMSprop");
    case core::OptimizerKind::Adam:
      return QStringLiteral("Adam");
    case core::OptimizerKind::Adamax:
      return QStringLiteral("AdaMax");
    case core::OptimizerKind::Nadam:
      return QStringLiteral("Nadam");
  }
  return QStringLiteral("?");
}

}  // namespace gradscope::ui
