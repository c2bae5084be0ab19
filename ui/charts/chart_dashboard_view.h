// The common part of the dashboard's chart views: a widget that is its own DashboardView,
// remembers the history it last drew from, and redraws only when the run's revision, the
// plot size or one of its own settings changed (a slider, a toggle, the layer selection),
// so a refresh with nothing new costs one comparison. A hidden view (a dock tab behind
// another) only notes the refresh and draws when it is shown.
#pragma once

#include <QWidget>

#include <cstdint>

#include "ui/charts/dashboard_view.h"

namespace gradscope::ui {

class ChartView;

class ChartDashboardView : public QWidget, public DashboardView {
  Q_OBJECT
 public:
  QWidget* widget() override { return this; }
  void refresh(const app::MetricHistory& history, int run) final;
  void clear() override;

 protected:
  explicit ChartDashboardView(QWidget* parent = nullptr);
  void showEvent(QShowEvent* event) override;

  // Draws everything from `history`; called only when something changed.
  virtual void redraw(const app::MetricHistory& history, int run) = 0;
  // A setting of the view changed: redraw now from the last history (if there is one).
  void invalidate();
  // Sets pens and colours from the theme; called when the theme changes, before a redraw.
  virtual void restyle() {}
  // Redraw when `chart`'s plot size changes noticeably (buckets, axis labels); restyle and
  // redraw when the theme changes.
  void watch(ChartView* chart);

  const app::MetricHistory* history() const { return m_history; }
  int run() const { return m_run; }

 private:
  const app::MetricHistory* m_history = nullptr;
  int m_run = 0;
  std::uint64_t m_revision = 0;
  bool m_dirty = true;
  bool m_drawing = false;
};

}  // namespace gradscope::ui
