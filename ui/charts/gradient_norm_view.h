// The gradient norm of the selected layers over the training steps (log axis): vanishing
// gradients show as the input layers' lines sinking decades below the output layer's,
// exploding ones as lines shooting up.
#pragma once

#include "ui/charts/layer_trend_view.h"

namespace gradscope::ui {

class GradientNormView : public LayerTrendView {
  Q_OBJECT
 public:
  explicit GradientNormView(LayerSelection* selection, QWidget* parent = nullptr);
  QString viewTitle() const override { return tr("Gradient norm"); }
};

}  // namespace gradscope::ui
