#include "layer_trend_view.h"

#include <QLineSeries>
#include <QLogValueAxis>
#include <QVBoxLayout>
#include <QValueAxis>

#include "app/metric_history.h"
#include "layer_selection.h"
#include "theme.h"

namespace gradscope::ui {

LayerTrendView::LayerTrendView(LayerSelection* selection, app::LayerMetric metric,
                               const QString& title, const QString& exportName,
                               const QString& axisTitle, QWidget* parent)
    : ChartDashboardView(parent), m_selection(selection), m_metric(metric) {
  m_chart = new ChartView(title, this);
  m_chart->setExportName(exportName);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_chart);
  m_x = m_chart->addValueAxis(Qt::AlignBottom, tr("training step"));
  m_y = m_chart->addLogAxis(Qt::AlignLeft, axisTitle);
  for (int i = 0; i < LayerSelection::kMaxSelected; ++i) {
    QLineSeries* line = m_chart->addLine(QString(), m_x, m_y);
    line->setVisible(false);
    m_lines.push_back(line);
  }
  m_chart->setPlaceholder(tr("waiting for the first training step"));
  if (m_selection) {
    connect(m_selection, &LayerSelection::changed, this, &LayerTrendView::invalidate);
  }
  watch(m_chart);
}

void LayerTrendView::clear() {
  ChartDashboardView::clear();
  for (QLineSeries* line : m_lines) {
    line->clear();
    line->setVisible(false);
  }
  m_drawn.clear();
  m_chart->setEvents({});
}

std::vector<int> LayerTrendView::selectedLayers(int count) const {
  std::vector<int> layers;
  if (m_selection) {
    for (int l : m_selection->layers()) {
      if (l >= 0 && l < count) layers.push_back(l);
    }
    return layers;
  }
  if (count > 0) layers.push_back(0);
  if (count > 2) layers.push_back(count / 2);
  if (count > 1) layers.push_back(count - 1);
  return layers;
}

void LayerTrendView::restyle() {
  const Theme& t = theme();
  for (std::size_t i = 0; i < m_drawn.size(); ++i) {
    ChartView::styleLine(m_lines[i], t.layerColor(m_drawn[i], m_layerCount));
  }
}

void LayerTrendView::redraw(const app::MetricHistory& history, int run) {
  m_layerCount = history.layerCount(run);
  // The selection follows the run's depth (first, middle and last after a change).
  if (m_selection && m_selection->layerCount() != m_layerCount) {
    m_selection->setLayerCount(m_layerCount);
  }
  m_drawn = selectedLayers(m_layerCount);
  const std::int64_t first = history.firstStep(run);
  const std::int64_t last = history.lastStep(run);
  const bool empty = last < first || m_drawn.empty();
  m_chart->setPlaceholder(empty ? tr("waiting for the first training step") : QString());
  if (empty) m_drawn.clear();

  std::vector<app::DecimatedSeries> data;
  ValueRange range;
  if (!empty) {
    m_chart->fitSteps(m_x, first, last);
    const double fraction = double(last - first + 1) / std::max(1.0, m_x->max() - m_x->min());
    const int buckets = m_chart->bucketsFor(int(m_drawn.size()), fraction);
    for (int layer : m_drawn) {
      data.push_back(history.layerSeries(run, m_metric, layer, first, last, buckets));
      range.add(data.back(), true);
    }
    extendRange(range);
    m_chart->fitLog(m_y, range);
  }
  for (std::size_t i = 0; i < m_lines.size(); ++i) {
    QLineSeries* line = m_lines[i];
    if (i < data.size()) {
      line->setName(tr("layer %1").arg(m_drawn[i] + 1));
      ChartView::fill(line, data[i], ChartView::Envelope::MinMax);
      line->setVisible(true);
    } else if (line->isVisible()) {
      line->clear();
      line->setVisible(false);
    }
  }
  restyle();
  m_chart->setEvents(history.events(run));
}

}  // namespace gradscope::ui
