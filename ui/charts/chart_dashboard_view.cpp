#include "ui/charts/chart_dashboard_view.h"

#include "app/history/metric_history.h"
#include "ui/charts/chart_view.h"

namespace gradscope::ui {

ChartDashboardView::ChartDashboardView(QWidget* parent) : QWidget(parent) {}

void ChartDashboardView::refresh(const app::MetricHistory& history, int run) {
  const std::uint64_t revision = overlaysRuns() ? history.latestRevision() : history.revision(run);
  if (!m_dirty && &history == m_history && run == m_run && revision == m_revision) return;
  m_history = &history;
  m_run = run;
  if (!isVisible()) {
    m_dirty = true;
    return;
  }
  m_revision = revision;
  m_dirty = false;
  // A setting that changes while drawing (the layer selection following a new layer count)
  // is read by this redraw already.
  m_drawing = true;
  redraw(history, run);
  m_drawing = false;
}

void ChartDashboardView::clear() { m_dirty = true; }

void ChartDashboardView::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (m_dirty && m_history) invalidate();
}

void ChartDashboardView::invalidate() {
  if (m_drawing) return;
  m_dirty = true;
  if (m_history) refresh(*m_history, m_run);
}

void ChartDashboardView::watch(ChartView* chart) {
  // Queued: the size changes while the chart lays itself out, which a redraw should not nest in.
  connect(chart, &ChartView::plotSizeChanged, this, &ChartDashboardView::invalidate,
          Qt::QueuedConnection);
  connect(chart, &ChartView::themeApplied, this, [this] {
    restyle();
    invalidate();
  });
}

}  // namespace gradscope::ui
