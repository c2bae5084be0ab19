// Gradient clipping: the global gradient norm before and after clipping over the training
// steps (log axis; the mean per bucket over a band from its min to its max), and in the title
// how many steps were clipped (the whole run and lately) and the largest angle by which
// clipping turned a weight tensor's gradient lately (clipvalue turns it, clipnorm does not).
// When no step was clipped the two norms are equal and only one line is drawn.
#pragma once

#include "ui/charts/chart_dashboard_view.h"

class QAreaSeries;
class QLineSeries;
class QLogValueAxis;
class QValueAxis;

namespace gradscope::ui {

class ChartView;

class ClippingView : public ChartDashboardView {
  Q_OBJECT
 public:
  static constexpr int kRecentSteps = 200;

  explicit ClippingView(QWidget* parent = nullptr);
  QString viewTitle() const override { return tr("Clipping"); }
  void clear() override;

  ChartView* chartView() const { return m_chart; }
  // Fraction of the run's steps that were clipped (NaN before the first step).
  double clippedFraction() const { return m_fraction; }
  // The largest angle, in degrees, by which clipping turned a weight tensor's gradient over
  // the recent steps (0 when nothing was clipped or the direction was kept).
  double largestTurn() const { return m_turn; }

 protected:
  void redraw(const app::MetricHistory& history, int run) override;
  void restyle() override;

 private:
  ChartView* m_chart = nullptr;
  QValueAxis* m_x = nullptr;
  QLogValueAxis* m_y = nullptr;
  QLineSeries* m_before = nullptr;
  QLineSeries* m_after = nullptr;
  QAreaSeries* m_beforeBand = nullptr;  // min/max per bucket under the mean lines
  QAreaSeries* m_afterBand = nullptr;
  double m_fraction = 0.0;
  double m_turn = 0.0;
};

}  // namespace gradscope::ui
