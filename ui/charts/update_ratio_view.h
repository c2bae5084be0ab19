// The update ratio ||dW|| / ||W|| of the selected layers over the training steps (log axis),
// with the common rule of thumb as a guide: about 1e-3 per step is healthy; far below, the
// layer barely learns (rate too low); far above, it is being rewritten every step (too high).
#pragma once

#include "ui/charts/layer_trend_view.h"

namespace gradscope::ui {

class UpdateRatioView : public LayerTrendView {
  Q_OBJECT
 public:
  static constexpr double kGuide = 1e-3;

  explicit UpdateRatioView(LayerSelection* selection, QWidget* parent = nullptr);
  QString viewTitle() const override { return tr("Update ratio"); }

 protected:
  void extendRange(ValueRange& range) const override;
  void restyle() override;

 private:
  void setGuide();
};

}  // namespace gradscope::ui
