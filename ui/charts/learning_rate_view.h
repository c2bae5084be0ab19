// The learning rate: the whole planned schedule (from the worker's plan, drawn before training
// starts), the rate actually used at each step on top of it, a cursor at the current step,
// plateau cuts and early stopping marked, and the planned momentum (or Adam's beta_1) on a
// second axis when the schedule plans one (1cycle). The rate axis turns logarithmic when the
// plan spends half its steps a decade below its peak (exponential decay, plateau cuts), or
// when asked to from the context menu.
#pragma once

#include <memory>

#include "app/worker/snapshot.h"
#include "ui/charts/chart_dashboard_view.h"

class QLineSeries;
class QLogValueAxis;
class QValueAxis;

namespace gradscope::ui {

class ChartView;

class LearningRateView : public ChartDashboardView {
  Q_OBJECT
 public:
  enum class Scale { Auto, Linear, Log };

  explicit LearningRateView(QWidget* parent = nullptr);

  QString viewTitle() const override { return tr("Learning rate"); }
  void onSnapshot(const app::Snapshot& snapshot) override;
  // Keeps the plan: it describes the configuration, and a reset snapshot carries the new one.
  void clear() override;

  ChartView* chartView() const { return m_chart; }
  const app::LearningRatePlan* plan() const { return m_plan.get(); }
  void setScale(Scale scale);
  bool logScale() const { return m_log; }
  QLineSeries* plannedSeries() const { return m_planned; }
  QLineSeries* usedSeries() const { return m_used; }
  QLineSeries* momentumSeries() const { return m_momentum; }

 protected:
  void redraw(const app::MetricHistory& history, int run) override;
  void restyle() override;

 private:
  void useLogAxis(bool on);

  ChartView* m_chart = nullptr;
  QValueAxis* m_x = nullptr;
  QValueAxis* m_y = nullptr;
  QLogValueAxis* m_yLog = nullptr;
  QValueAxis* m_yMomentum = nullptr;
  QLineSeries* m_planned = nullptr;
  QLineSeries* m_used = nullptr;
  QLineSeries* m_momentum = nullptr;
  std::shared_ptr<const app::LearningRatePlan> m_plan;
  bool m_planSpansDecades = false;
  Scale m_scale = Scale::Auto;
  bool m_log = false;
};

}  // namespace gradscope::ui
