#include "ui/charts/gradient_norm_view.h"

namespace gradscope::ui {

GradientNormView::GradientNormView(LayerSelection* selection, QWidget* parent)
    : LayerTrendView(
          selection, app::LayerMetric::GradientNorm,
          {tr("Gradient norm per layer"), tr("Gradient norm")}, QStringLiteral("gradient_norm"),
          {tr("gradient L2 norm (log)"), tr("grad. norm (log)"), tr("norm (log)")}, parent) {}

}  // namespace gradscope::ui
