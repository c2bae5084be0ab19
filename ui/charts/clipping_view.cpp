#include "ui/charts/clipping_view.h"

#include <QAreaSeries>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

#include "app/history/metric_history.h"
#include "ui/charts/chart_view.h"
#include "ui/charts/plot_axes.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {
// Mean of the clipped flag (0 or 1) over [from, to]: the fraction of steps clipped.
double clippedShare(const app::MetricHistory& history, int run, std::int64_t from,
                    std::int64_t to) {
  const app::DecimatedSeries s = history.stepSeries(run, app::StepMetric::Clipped, from, to, 1);
  return s.empty() ? std::numeric_limits<double>::quiet_NaN() : s.buckets.front().mean;
}

// The largest turn of a weight tensor's gradient by clipping over [from, to], in degrees
// (clipvalue turns it, clipnorm and global_clipnorm keep its direction).
double turnOverSteps(const app::MetricHistory& history, int run, std::int64_t from,
                     std::int64_t to) {
  const app::DecimatedSeries s =
      history.stepSeries(run, app::StepMetric::ClipDirectionCosine, from, to, 1);
  if (s.empty() || !std::isfinite(s.buckets.front().min)) return 0.0;
  return std::acos(std::clamp(s.buckets.front().min, -1.0, 1.0)) * 180.0 / M_PI;
}

}  // namespace

ClippingView::ClippingView(QWidget* parent) : ChartDashboardView(parent) {
  m_chart = new ChartView(tr("Clipping"), this);
  m_chart->setExportName(QStringLiteral("clipping"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_chart);
  m_x = m_chart->addValueAxis(Qt::AlignBottom, tr("training step"));
  m_y = m_chart->addLogAxis(Qt::AlignLeft, tr("gradient L2 norm (log)"));
  m_chart->setAxisTitles(m_x, {tr("training step"), tr("step")});
  m_chart->setAxisTitles(m_y,
                         {tr("gradient L2 norm (log)"), tr("grad. norm (log)"), tr("norm (log)")});
  // Named for the CSV export only (kept out of the legend below).
  m_beforeBand = m_chart->addArea(tr("before clipping range"), m_x, m_y);
  m_afterBand = m_chart->addArea(tr("after clipping range"), m_x, m_y);
  m_chart->setInLegend(m_beforeBand, false);
  m_chart->setInLegend(m_afterBand, false);
  m_before = m_chart->addLine(tr("before clipping"), m_x, m_y);
  m_after = m_chart->addLine(tr("after clipping"), m_x, m_y);
  m_chart->setPlaceholder(tr("waiting for the first training step"));
  restyle();
  watch(m_chart);
}

void ClippingView::clear() {
  ChartDashboardView::clear();
  m_before->clear();
  m_after->clear();
  for (QAreaSeries* band : {m_beforeBand, m_afterBand}) {
    band->upperSeries()->clear();
    band->lowerSeries()->clear();
  }
  m_chart->setEvents({});
}

void ClippingView::restyle() {
  const Theme& t = theme();
  ChartView::styleLine(m_before, t.secondary, 1.0);
  ChartView::styleLine(m_after, t.accent, 1.0);
  ChartView::styleBand(m_beforeBand, t.secondary);
  ChartView::styleBand(m_afterBand, t.accent);
}

void ClippingView::redraw(const app::MetricHistory& history, int run) {
  const std::int64_t first = history.firstStep(run);
  const std::int64_t last = history.lastStep(run);
  if (last < first) {
    m_before->clear();
    m_after->clear();
    for (QAreaSeries* band : {m_beforeBand, m_afterBand}) {
      band->upperSeries()->clear();
      band->lowerSeries()->clear();
    }
    m_chart->setPlaceholder(tr("waiting for the first training step"));
    m_chart->setTitle(tr("Clipping"));
    m_fraction = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  m_chart->setPlaceholder(QString());
  m_fraction = clippedShare(history, run, first, last);
  const bool clipped = m_fraction > 0.0;
  m_chart->fitSteps(m_x, first, last);
  const double fraction = double(last - first + 1) / std::max(1.0, m_x->max() - m_x->min());
  // Three points per bucket (mean, min, max): two thirds of the usual buckets.
  const int buckets = std::max(24, m_chart->bucketsFor(clipped ? 2 : 1, fraction) * 2 / 3);
  const app::DecimatedSeries before =
      history.stepSeries(run, app::StepMetric::GradientNormBefore, first, last, buckets);
  app::DecimatedSeries after;
  if (clipped) {
    after = history.stepSeries(run, app::StepMetric::GradientNormAfter, first, last, buckets);
  }
  ValueRange range;
  range.add(before, true);
  range.add(after, true);
  m_chart->fitLog(m_y, range);
  ChartView::fill(m_before, before, ChartView::Envelope::Mean);
  ChartView::fill(m_after, after, ChartView::Envelope::Mean);
  ChartView::fillBand(m_beforeBand, before);
  ChartView::fillBand(m_afterBand, after);
  m_after->setVisible(clipped);
  m_afterBand->setVisible(clipped);
  m_chart->setInLegend(m_afterBand, false);
  m_before->setName(clipped ? tr("before clipping") : tr("gradient norm"));

  if (!clipped) {
    m_turn = 0.0;
    m_chart->setTitle(tr("Clipping — no step clipped"), tr("No step clipped"));
  } else {
    const std::int64_t from = std::max(first, last - kRecentSteps + 1);
    const double recent = clippedShare(history, run, from, last);
    // Below a hundredth of a degree the direction is kept (rounding only).
    m_turn = turnOverSteps(history, run, from, last);
    const QString direction = m_turn < 0.01
                                  ? tr("direction kept")
                                  : tr("direction turned up to %1°").arg(m_turn, 0, 'f', 1);
    m_chart->setTitle(
        tr("Clipping — %1 of steps clipped (last %2: %3), %4")
            .arg(formatPercent(m_fraction))
            .arg(kRecentSteps)
            .arg(formatPercent(recent))
            .arg(direction),
        // Narrow cells: the direction first, it is what clipvalue vs clipnorm is about.
        tr("%1 clipped, %2")
            .arg(formatPercent(m_fraction),
                 m_turn < 0.01 ? tr("direction kept") : tr("turned %1°").arg(m_turn, 0, 'f', 1)));
  }
  m_chart->setEvents(history.events(run), [](app::EventKind kind) {
    return kind == app::EventKind::ClippingBurst || kind == app::EventKind::SettingChanged ||
           kind == app::EventKind::Diverged;
  });
}

}  // namespace gradscope::ui
