#include "ui/charts/update_ratio_view.h"

#include <QLogValueAxis>

#include "ui/window/theme.h"

namespace gradscope::ui {

UpdateRatioView::UpdateRatioView(LayerSelection* selection, QWidget* parent)
    : LayerTrendView(
          selection, app::LayerMetric::UpdateRatio,
          {tr("Update ratio per layer"), tr("Update ratio")}, QStringLiteral("update_ratio"),
          {tr("update ‖ΔW‖ / ‖W‖ (log)"), tr("‖ΔW‖ / ‖W‖ (log)"), tr("ratio (log)")}, parent) {
  setGuide();
}

void UpdateRatioView::extendRange(ValueRange& range) const { range.add(kGuide); }

void UpdateRatioView::restyle() {
  LayerTrendView::restyle();
  setGuide();
}

void UpdateRatioView::setGuide() {
  ChartMark guide;
  guide.orientation = Qt::Horizontal;
  guide.value = kGuide;
  guide.axis = m_y;
  guide.label = tr("1e-3 rule of thumb");
  guide.toolTip =
      tr("An update of about a thousandth of the weights per step is the usual "
         "healthy range; much lower learns slowly, much higher is unstable.");
  guide.color = theme().foreground;
  guide.style = Qt::DashLine;
  m_chart->setMarks(ChartView::MarkGroup::Guides, {guide});
}

}  // namespace gradscope::ui
