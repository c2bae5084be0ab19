#include "ui/charts/region_count_view.h"

#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include "app/history/metric_history.h"
#include "ui/charts/chart_view.h"
#include "ui/charts/plot_axes.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

RegionCountView::RegionCountView(QWidget* parent) : ChartDashboardView(parent) {
  m_chart = new ChartView(tr("Linear regions"), this);
  m_chart->setExportName(QStringLiteral("linear_regions"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_chart);
  m_x = m_chart->addValueAxis(Qt::AlignBottom, tr("training step"));
  m_y = m_chart->addValueAxis(Qt::AlignLeft, tr("linear regions in the plane"));
  m_chart->setAxisTitles(m_x, {tr("training step"), tr("step")});
  m_chart->setAxisTitles(m_y,
                         {tr("linear regions in the plane"), tr("linear regions"), tr("regions")});
  m_line = m_chart->addLine(tr("linear regions"), m_x, m_y);
  m_chart->setInLegend(m_line, false);
  m_chart->setPlaceholder(tr("waiting for the first training step"));
  restyle();
  watch(m_chart);
}

void RegionCountView::onSnapshot(const app::Snapshot& snapshot) {
  QString reason = m_unavailable;
  if (snapshot.decisionField) {
    reason = snapshot.decisionField->hasRegions()
                 ? QString()
                 : tr("No linear regions: %1").arg(snapshot.decisionField->regionsUnavailable);
  } else if (snapshot.learningRatePlan && !snapshot.dataPoints) {
    // The plan comes without points when the data is not 2-D (see DecisionBoundaryView).
    reason = tr("Linear regions are counted for data with two inputs");
  }
  if (reason != m_unavailable) {
    m_unavailable = reason;
    invalidate();
  }
}

void RegionCountView::clear() {
  ChartDashboardView::clear();
  m_line->clear();
  m_chart->setEvents({});
}

void RegionCountView::restyle() { ChartView::styleLine(m_line, theme().accent, 1.0); }

void RegionCountView::redraw(const app::MetricHistory& history, int run) {
  const std::vector<app::RegionCountSample>& counts = history.regionCounts(run);
  const std::int64_t first = history.firstStep(run);
  const std::int64_t last =
      std::max(history.lastStep(run), counts.empty() ? 0 : counts.back().step);
  if (counts.empty()) {
    m_line->clear();
    m_chart->setTitle(tr("Linear regions"));
    m_chart->setPlaceholder(!m_unavailable.isEmpty() ? m_unavailable
                                                     : tr("waiting for the first training step"));
    return;
  }
  m_chart->setPlaceholder(QString());
  m_chart->fitSteps(m_x, std::min(first, counts.front().step), last);
  ValueRange range;
  for (const app::RegionCountSample& s : counts) range.add(double(s.regions));
  m_chart->fitValues(m_y, range, true);
  const double span = std::max(1.0, m_x->max() - m_x->min());
  const double fraction = double(counts.back().step - counts.front().step + 1) / span;
  ChartView::setPoints(m_line,
                       ChartView::minMaxPoints(
                           counts.size(), [&](std::size_t i) { return double(counts[i].step); },
                           [&](std::size_t i) { return double(counts[i].regions); },
                           m_chart->bucketsFor(1, fraction)));
  const app::RegionCountSample& now = counts.back();
  const QString grid = QStringLiteral("%1×%1").arg(now.resolution);
  if (!m_unavailable.isEmpty()) {
    m_chart->setTitle(tr("Linear regions — none now (%1)").arg(m_unavailable), tr("None now"));
  } else {
    m_chart->setTitle(tr("Linear regions — %1 at step %2 (%3 grid)")
                          .arg(now.regions)
                          .arg(formatStep(now.step), grid),
                      tr("%1 regions").arg(now.regions));
  }
  m_chart->setEvents(history.events(run), [](app::EventKind kind) {
    return kind == app::EventKind::SettingChanged || kind == app::EventKind::Diverged;
  });
}

}  // namespace gradscope::ui
