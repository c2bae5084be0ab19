#include "ui/charts/gradient_flow_view.h"

#include <QAreaSeries>
#include <QFontMetricsF>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

#include "app/history/metric_history.h"
#include "ui/charts/chart_view.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {
constexpr double kHalfBar = 0.36;  // of a layer's slot
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

GradientFlowView::GradientFlowView(QWidget* parent) : ChartDashboardView(parent) {
  m_chart = new ChartView(tr("Gradient flow"), this);
  m_chart->setExportName(QStringLiteral("gradient_flow"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_chart);
  m_x = m_chart->addValueAxis(Qt::AlignBottom, tr("layer (input → output)"));
  connect(m_chart->chart(), &QChart::plotAreaChanged, this,
          [this] { m_chart->fitLayers(m_x, m_layers); });
  m_x->setGridLineVisible(false);
  m_y = m_chart->addLogAxis(Qt::AlignLeft, tr("gradient L2 norm (log)"));
  m_chart->setAxisTitles(m_x, {tr("layer (input → output)"), tr("layer (in → out)"), tr("layer")});
  m_chart->setAxisTitles(m_y,
                         {tr("gradient L2 norm (log)"), tr("grad. norm (log)"), tr("norm (log)")});
  m_chart->setPlaceholder(tr("no layers yet"));
  restyle();
  watch(m_chart);
}

void GradientFlowView::clear() {
  ChartDashboardView::clear();
  m_ghostValues.clear();
  // Emptied, not resized: redraw() rebuilds only when the layer count changes and writes one
  // value per bar.
  std::fill(m_values.begin(), m_values.end(), kNaN);
  m_step = -1;
  // Nothing of the old run stays: not its step in the title, not its axis range.
  m_chart->setTitle(tr("Gradient flow"));
  m_y->setRange(1e-3, 1.0);
  drawBars();
}

void GradientFlowView::rebuild(int layers) {
  QChart* chart = m_chart->chart();
  for (QAreaSeries* bar : m_bars) chart->removeSeries(bar), delete bar;
  for (QLineSeries* ghost : m_ghosts) chart->removeSeries(ghost), delete ghost;
  m_bars.clear();
  m_ghosts.clear();
  m_ghostValues.clear();
  m_values.assign(std::size_t(layers), kNaN);
  for (int l = 0; l < layers; ++l) {
    QAreaSeries* bar = m_chart->addArea(tr("layer %1").arg(l + 1), m_x, m_y);
    m_chart->setInLegend(bar, false);
    m_bars.push_back(bar);
  }
  // Ghosts after the bars, so they are drawn on top.
  for (int g = 0; g < kGhosts; ++g) {
    // Only the newest ghost is in the legend; the older ones are named too, so that an export
    // says which refresh each row comes from.
    QLineSeries* ghost =
        m_chart->addLine(g == 0 ? tr("earlier refreshes") : tr("refresh -%1").arg(g + 1), m_x, m_y);
    m_chart->setInLegend(ghost, g == 0);
    m_ghosts.push_back(ghost);
  }
  m_layers = layers;
  m_chart->fitLayers(m_x, layers);
  restyle();
}

void GradientFlowView::restyle() {
  const Theme& t = theme();
  const int count = int(m_bars.size());
  for (int l = 0; l < count; ++l) {
    const QColor color = t.layerColor(l, count);
    m_bars[std::size_t(l)]->setBrush(color);
    QPen pen(color.darker(130), 1.0);
    pen.setCosmetic(true);
    m_bars[std::size_t(l)]->setPen(pen);
  }
  for (int g = 0; g < int(m_ghosts.size()); ++g) {
    QColor color = t.foreground;
    color.setAlpha(200 - 40 * g);  // the oldest fades most
    ChartView::styleLine(m_ghosts[std::size_t(g)], color, g == 0 ? 0.8 : 0.6,
                         g == 0 ? Qt::SolidLine : Qt::DashLine);
  }
}

void GradientFlowView::redraw(const app::MetricHistory& history, int run) {
  const int layers = history.layerCount(run);
  if (layers != int(m_bars.size())) rebuild(layers);
  const std::int64_t first = history.firstStep(run);
  // The step the run stands at: an earlier one while the timeline has gone back.
  const std::int64_t last = history.shownStep(run);
  if (layers == 0 || last < first) {
    m_chart->setPlaceholder(layers == 0 ? tr("no layers yet")
                                        : tr("waiting for the first training step"));
    m_ghostValues.clear();
    std::fill(m_values.begin(), m_values.end(), kNaN);
    m_step = -1;
    m_chart->setTitle(tr("Gradient flow"));
    drawBars();
    return;
  }
  m_chart->setPlaceholder(QString());
  if (last == m_step) {
    drawBars();  // another width or theme: same values
    return;
  }
  // The bars now become the newest ghost.
  if (m_step >= 0) {
    m_ghostValues.push_front(m_values);
    while (int(m_ghostValues.size()) > kGhosts) m_ghostValues.pop_back();
  }
  m_step = last;
  const std::int64_t from = std::max(first, last - kWindowSteps + 1);
  for (int l = 0; l < layers; ++l) {
    const app::DecimatedSeries s =
        history.layerSeries(run, app::LayerMetric::GradientNorm, l, from, last, 1);
    m_values[std::size_t(l)] = s.empty() ? kNaN : s.buckets.front().mean;
  }
  // Named as the status bar names it: the steps trained (history steps count from 0), so the
  // last step of a 1,005-step plan is "step 1005", not 1004.
  m_chart->setTitle(tr("Gradient flow · step %L1").arg(last + 1), tr("Step %L1").arg(last + 1));
  if (!m_ghosts.empty()) {
    const bool narrow =
        QFontMetricsF(theme().font()).horizontalAdvance(tr("earlier refreshes")) * 2.0 >
        double(m_chart->width());
    m_ghosts.front()->setName(narrow ? tr("earlier") : tr("earlier refreshes"));
  }
  drawBars();
}

void GradientFlowView::drawBars() {
  ValueRange range;
  for (double v : m_values) range.addPositive(v);
  for (const auto& ghost : m_ghostValues) {
    for (double v : ghost) range.addPositive(v);
  }
  m_chart->fitLog(m_y, range);
  for (std::size_t l = 0; l < m_bars.size(); ++l) {
    const double x = double(l) + 1.0;
    const double v = l < m_values.size() ? m_values[l] : kNaN;
    QList<QPointF> upper, lower;
    if (std::isfinite(v)) {
      // A zero gradient (a dead layer) is a bar down to the axis floor: clamped, not hidden.
      upper = {QPointF(x - kHalfBar, v), QPointF(x + kHalfBar, v)};
      lower = {QPointF(x - kHalfBar, 0.0), QPointF(x + kHalfBar, 0.0)};
    }
    ChartView::setPoints(m_bars[l]->upperSeries(), upper);
    ChartView::setPoints(m_bars[l]->lowerSeries(), lower);
  }
  for (std::size_t g = 0; g < m_ghosts.size(); ++g) {
    QList<QPointF> points;
    if (g < m_ghostValues.size()) {
      const std::vector<double>& values = m_ghostValues[g];
      for (std::size_t l = 0; l < values.size(); ++l) {
        if (!std::isfinite(values[l])) continue;
        points << QPointF(double(l) + 1.0 - kHalfBar, values[l])
               << QPointF(double(l) + 1.0 + kHalfBar, values[l]);
      }
    }
    // Empty rather than hidden: showing a series again would bring back its legend entry.
    ChartView::setPoints(m_ghosts[g], points);
  }
}

}  // namespace gradscope::ui
