// The number of linear regions of the network's function in the decision boundary's square over
// the training steps (Hanin & Rolnick 2019): one point per decision-boundary refresh, counted as
// the distinct activation patterns on the field's region grid (see core/regions). The title
// gives the latest count and the grid; for a network without linear regions (a curved hidden
// activation) or data that is not 2-D, the plot says why.
#pragma once

#include "ui/charts/chart_dashboard_view.h"

#include <QString>

class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace gradscope::ui {

class ChartView;

class RegionCountView : public ChartDashboardView {
  Q_OBJECT
 public:
  explicit RegionCountView(QWidget* parent = nullptr);
  QString viewTitle() const override { return tr("Linear regions"); }
  void onSnapshot(const app::Snapshot& snapshot) override;
  void clear() override;

  ChartView* chartView() const { return m_chart; }
  QLineSeries* countSeries() const { return m_line; }
  // Why nothing is counted (empty while regions are counted).
  QString unavailable() const { return m_unavailable; }

 protected:
  void redraw(const app::MetricHistory& history, int run) override;
  void restyle() override;

 private:
  ChartView* m_chart = nullptr;
  QValueAxis* m_x = nullptr;
  QValueAxis* m_y = nullptr;
  QLineSeries* m_line = nullptr;
  QString m_unavailable;
};

}  // namespace gradscope::ui
