#include "gradient_norm_view.h"

namespace gradscope::ui {

GradientNormView::GradientNormView(LayerSelection* selection, QWidget* parent)
    : LayerTrendView(selection, app::LayerMetric::GradientNorm, tr("Gradient norm per layer"),
                     QStringLiteral("gradient_norm"), tr("gradient L2 norm (log)"), parent) {}

}  // namespace gradscope::ui
