// A per-layer metric over the training steps, one line per selected layer (LayerSelection:
// first, middle and last by default; the heatmap toggles layers), on a log axis, coloured
// along the input → output ramp. The gradient-norm and update-ratio views are this chart with
// their metric, titles and guide lines.
#pragma once

#include <vector>

#include "app/worker/snapshot.h"
#include "ui/charts/chart_dashboard_view.h"
#include "ui/charts/chart_view.h"

class QAreaSeries;
class QLineSeries;
class QLogValueAxis;
class QValueAxis;

namespace gradscope::ui {

class LayerSelection;

class LayerTrendView : public ChartDashboardView {
  Q_OBJECT
 public:
  ChartView* chartView() const { return m_chart; }
  // The layers drawn now (the selection's layers that exist in the run).
  const std::vector<int>& drawnLayers() const { return m_drawn; }
  // The mean line and min/max band of the i-th drawn layer.
  QLineSeries* line(int i) const { return m_lines[std::size_t(i)]; }
  QAreaSeries* band(int i) const { return m_bands[std::size_t(i)]; }
  void clear() override;

 protected:
  // `selection` may be null (first, middle and last layer then).
  // `titles` and `axisTitles`: longest first, the longest that fits is shown.
  LayerTrendView(LayerSelection* selection, app::LayerMetric metric, const QStringList& titles,
                 const QString& exportName, const QStringList& axisTitles, QWidget* parent);

  void redraw(const app::MetricHistory& history, int run) override;
  void restyle() override;
  // Values the axis must show besides the data (a guide line's value).
  virtual void extendRange(ValueRange& /*range*/) const {}

  ChartView* m_chart = nullptr;
  QValueAxis* m_x = nullptr;
  QLogValueAxis* m_y = nullptr;

 private:
  std::vector<int> selectedLayers(int count) const;

  LayerSelection* m_selection = nullptr;
  app::LayerMetric m_metric;
  std::vector<QLineSeries*> m_lines;  // LayerSelection::kMaxSelected, reused
  std::vector<QAreaSeries*> m_bands;  // each line's min/max band
  std::vector<int> m_drawn;
  int m_layerCount = 0;
};

}  // namespace gradscope::ui
