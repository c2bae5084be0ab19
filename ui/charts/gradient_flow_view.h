// Gradient flow: the gradient norm of every layer now (the mean over the last few steps), as
// bars from the input layer (left) to the output layer (right) on a log axis — the classic
// picture of vanishing (bars shrinking towards the input) and exploding gradients — with the
// profiles of the previous refreshes as fading ghost lines, so the change is visible too.
#pragma once

#include <deque>
#include <vector>

#include "ui/charts/chart_dashboard_view.h"

class QAreaSeries;
class QLineSeries;
class QLogValueAxis;
class QValueAxis;

namespace gradscope::ui {

class ChartView;

class GradientFlowView : public ChartDashboardView {
  Q_OBJECT
 public:
  static constexpr int kGhosts = 4;
  static constexpr int kWindowSteps = 10;  // steps averaged per bar

  explicit GradientFlowView(QWidget* parent = nullptr);

  QString viewTitle() const override { return tr("Gradient flow"); }
  bool showsOneStep() const override { return true; }
  void clear() override;

  ChartView* chartView() const { return m_chart; }
  int barCount() const { return int(m_bars.size()); }
  int ghostCount() const { return int(m_ghostValues.size()); }
  // The bars' current values, input layer first (NaN where not measured).
  const std::vector<double>& values() const { return m_values; }

 protected:
  void redraw(const app::MetricHistory& history, int run) override;
  void restyle() override;

 private:
  void rebuild(int layers);
  void drawBars();

  ChartView* m_chart = nullptr;
  QValueAxis* m_x = nullptr;
  int m_layers = 0;  // the layer axis's layers (fitted again when the plot changes size)
  QLogValueAxis* m_y = nullptr;
  std::vector<QAreaSeries*> m_bars;
  std::vector<QLineSeries*> m_ghosts;  // newest first
  std::vector<double> m_values;
  std::deque<std::vector<double>> m_ghostValues;  // newest first
  std::int64_t m_step = -1;
};

}  // namespace gradscope::ui
