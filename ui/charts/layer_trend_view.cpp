#include "ui/charts/layer_trend_view.h"

#include <QAreaSeries>
#include <QFontMetricsF>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QVBoxLayout>
#include <QValueAxis>

#include "app/history/metric_history.h"
#include "ui/panels/layer_selection.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

LayerTrendView::LayerTrendView(LayerSelection* selection, app::LayerMetric metric,
                               const QStringList& titles, const QString& exportName,
                               const QStringList& axisTitles, QWidget* parent)
    : ChartDashboardView(parent), m_selection(selection), m_metric(metric) {
  m_chart = new ChartView(titles.first(), this);
  m_chart->setTitle(titles.first(), titles.last());
  m_chart->setExportName(exportName);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_chart);
  m_x = m_chart->addValueAxis(Qt::AlignBottom, tr("training step"));
  m_y = m_chart->addLogAxis(Qt::AlignLeft, axisTitles.first());
  m_chart->setAxisTitles(m_x, {tr("training step"), tr("step")});
  m_chart->setAxisTitles(m_y, axisTitles);
  // Bands first, so every line is drawn over all of them.
  for (int i = 0; i < LayerSelection::kMaxSelected; ++i) {
    QAreaSeries* band = m_chart->addArea(QString(), m_x, m_y);
    band->setVisible(false);
    m_chart->setInLegend(band, false);
    m_bands.push_back(band);
  }
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
  for (QAreaSeries* band : m_bands) {
    band->upperSeries()->clear();
    band->lowerSeries()->clear();
    band->setVisible(false);
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
    const QColor color = t.layerColor(m_drawn[i], m_layerCount);
    ChartView::styleLine(m_lines[i], color);
    ChartView::styleBand(m_bands[i], color);
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
    // Three points per bucket (mean, min, max): two thirds of the usual buckets.
    const int buckets = std::max(24, m_chart->bucketsFor(int(m_drawn.size()), fraction) * 2 / 3);
    for (int layer : m_drawn) {
      data.push_back(history.layerSeries(run, m_metric, layer, first, last, buckets));
      range.add(data.back(), true);
    }
    extendRange(range);
    m_chart->fitLog(m_y, range);
  }
  // "layer 3" in the legend while all entries fit the chart's width, "L3" beyond.
  const QFontMetricsF metrics(theme().font());
  const bool shortNames = double(m_drawn.size()) *
                              (metrics.horizontalAdvance(tr("layer 10")) + 2.2 * metrics.height()) >
                          double(m_chart->width());
  for (std::size_t i = 0; i < m_lines.size(); ++i) {
    QLineSeries* line = m_lines[i];
    if (i < data.size()) {
      line->setName(shortNames ? tr("L%1").arg(m_drawn[i] + 1)
                               : tr("layer %1").arg(m_drawn[i] + 1));
      // The band (each bucket's minimum and maximum) is named after its line, so that its
      // exported rows say whose range they are; it stays out of the legend.
      m_bands[i]->setName(tr("layer %1 range").arg(m_drawn[i] + 1));
      ChartView::fill(line, data[i], ChartView::Envelope::Mean);
      ChartView::fillBand(m_bands[i], data[i]);
      line->setVisible(true);
      m_bands[i]->setVisible(true);
      m_chart->setInLegend(m_bands[i], false);
    } else if (line->isVisible()) {
      line->clear();
      line->setVisible(false);
      m_bands[i]->upperSeries()->clear();
      m_bands[i]->lowerSeries()->clear();
      m_bands[i]->setVisible(false);
    }
  }
  restyle();
  m_chart->setEvents(history.events(run));
}

}  // namespace gradscope::ui
