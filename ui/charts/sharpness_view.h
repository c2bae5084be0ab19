// The Sharpness chart: the top eigenvalue of the training loss's Hessian over the steps
// (λ_max; for Adam and RMSprop the preconditioned λ_max(P⁻¹H)), the optimiser's stability
// threshold (2/η, (2+2β)/η with momentum, ...) as a dashed line through the same steps, so it
// follows the schedule, and the training loss on a second, logarithmic axis on the same step
// axis (Cohen et al. 2021, Figure 1). Comparing runs, every run in its colour.
//
// The worker estimates the sharpness only while this chart is shown: the view says so when it
// is shown or hidden and when its "every k steps" setting changes (estimationRequested).
#pragma once

#include <optional>

#include <memory>
#include <vector>

#include "app/runs/run_table.h"
#include "ui/charts/chart_dashboard_view.h"

class QLabel;
class QLineSeries;
class QLogValueAxis;
class QSpinBox;
class QValueAxis;

namespace gradscope::ui {

class ChartView;

class SharpnessView : public ChartDashboardView {
  Q_OBJECT
 public:
  static constexpr int kDefaultEvery = 10;  // the worker's default (SharpnessSchedule)
  // Below this height the "every k steps" box is hidden (the plot keeps the room).
  static constexpr int kControlsMinimumHeight = 220;

  explicit SharpnessView(QWidget* parent = nullptr);

  QString viewTitle() const override { return tr("Sharpness"); }
  void onSnapshot(const app::Snapshot& snapshot) override;
  bool overlaysRuns() const override { return comparing(); }
  void setRunTable(std::shared_ptr<const app::RunTable> table);
  bool comparing() const { return m_table && m_table->runs.size() > 1; }

  ChartView* chartView() const { return m_chart; }
  int everySteps() const;
  void setEverySteps(int steps);
  void setOnScreen(bool onScreen) override;
  // The line of run `index` of the overlay (or of the single run at 0), for tests.
  QLineSeries* sharpnessLine(int index) const;
  QLineSeries* thresholdLine(int index) const;
  QLineSeries* lossLine(int index) const;

 signals:
  // Estimate the sharpness every `everySteps` steps while `shown` (none of it when hidden).
  void estimationRequested(bool shown, int everySteps);

 protected:
  void redraw(const app::MetricHistory& history, int run) override;
  void restyle() override;
  void showEvent(QShowEvent* event) override;
  void hideEvent(QHideEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  struct Lines {
    QLineSeries* sharpness = nullptr;
    QLineSeries* threshold = nullptr;
    QLineSeries* loss = nullptr;
  };
  void ensureLines(std::size_t count);
  void styleLines();

  ChartView* m_chart = nullptr;
  QSpinBox* m_every = nullptr;
  // In a dashboard dock: whether that dock is in front (setOnScreen); standalone, the show
  // and hide events say it.
  std::optional<bool> m_onScreen;
  QLabel* m_everyLabel = nullptr;
  QValueAxis* m_x = nullptr;
  QValueAxis* m_y = nullptr;
  QLogValueAxis* m_yLoss = nullptr;
  std::vector<Lines> m_lines;
  std::shared_ptr<const app::RunTable> m_table;
};

}  // namespace gradscope::ui
