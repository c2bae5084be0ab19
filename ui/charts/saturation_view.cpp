#include "ui/charts/saturation_view.h"

#include <QFontMetrics>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/charts/plot_axes.h"
#include "ui/panels/layer_selection.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr int kMark = 4;  // height of the selection mark under a bar

struct LegendEntry {
  QColor color;
  QString text;
};

int legendWidth(const QFontMetrics& fm, const std::vector<LegendEntry>& entries) {
  int w = 0;
  for (const LegendEntry& e : entries) w += fm.height() + 4 + fm.horizontalAdvance(e.text) + 12;
  return w;
}

// Swatches and labels in a row ending at `right`.
void drawLegend(QPainter& painter, const QFontMetrics& fm, int right, int top,
                const std::vector<LegendEntry>& entries) {
  int x = right - legendWidth(fm, entries) + 12;
  const int box = fm.ascent() - 2;
  for (const LegendEntry& e : entries) {
    painter.fillRect(QRect(x, top + (fm.height() - box) / 2, box, box), e.color);
    x += box + 4;
    painter.setPen(theme().foreground);
    painter.drawText(QPoint(x, top + fm.ascent()), e.text);
    x += fm.horizontalAdvance(e.text) + 12 + (fm.height() - box);
  }
}

void drawFractionAxis(QPainter& painter, const QFontMetrics& fm, const QRect& plot) {
  const Theme& th = theme();
  for (const double v : {0.0, 0.5, 1.0}) {
    const int y = plot.bottom() - int(std::lround(v * plot.height()));
    painter.setPen(QPen(th.grid, 1));
    if (v > 0) painter.drawLine(plot.left(), y, plot.right(), y);
    painter.setPen(th.foreground);
    painter.drawLine(plot.left() - kTickLength, y, plot.left(), y);
    const QString label = v == 0.5 ? QStringLiteral("0.5") : QString::number(int(v));
    painter.drawText(QRect(0, y - fm.height() / 2, plot.left() - kTickLength - 2, fm.height()),
                     Qt::AlignRight | Qt::AlignVCenter, label);
  }
  painter.drawLine(plot.left(), plot.top(), plot.left(), plot.bottom());
  painter.drawLine(plot.left(), plot.bottom(), plot.right(), plot.bottom());
}

}  // namespace

bool SaturationView::LayerBar::reluLike() const {
  return !std::isnan(inactive) || !std::isnan(dead);
}

SaturationView::SaturationView(LayerSelection* selection, QWidget* parent)
    : PaintedView(parent), m_selection(selection) {
  if (m_selection) {
    connect(m_selection, &LayerSelection::changed, this, [this] {
      query();
      updateCanvas();
    });
  }
}

QString SaturationView::viewTitle() const { return tr("Saturation"); }

void SaturationView::refresh(const app::MetricHistory& history, int run) {
  if (&history == m_history && run == m_run && history.revision(run) == m_revision &&
      historyRect().width() == m_width)
    return;
  m_history = &history;
  m_run = run;
  query();
  updateCanvas();
}

void SaturationView::clear() {
  m_revision = 0;
  m_bars.clear();
  m_lines.clear();
  m_firstStep = 0;
  m_lastStep = -1;
  updateCanvas();
}

void SaturationView::query() {
  m_bars.clear();
  m_lines.clear();
  if (!m_history) return;
  const app::MetricHistory& h = *m_history;
  m_revision = h.revision(m_run);
  m_width = historyRect().width();
  m_firstStep = h.firstStep(m_run);
  m_lastStep = h.lastStep(m_run);
  const int layers = h.layerCount(m_run);
  if (layers <= 0 || m_lastStep < m_firstStep) return;
  // The bars: the steps up to the one the run stands at (earlier while the timeline has gone
  // back); the lines below: every stored step.
  const std::int64_t shown = std::max(m_firstStep, h.shownStep(m_run));
  const std::int64_t from = std::max(m_firstStep, shown - kRecentSteps + 1);
  auto latest = [&](app::LayerMetric metric) {
    return h.layerHeatmap(m_run, metric, from, shown, 1, app::HeatmapReduction::Mean);
  };
  const app::LayerHeatmap saturated = latest(app::LayerMetric::Saturated);
  const app::LayerHeatmap inactive = latest(app::LayerMetric::Inactive);
  const app::LayerHeatmap dead = latest(app::LayerMetric::DeadUnits);
  auto value = [](const app::LayerHeatmap& map, int layer) {
    return layer < map.layers && map.columns > 0 ? map.at(layer, 0) : kNaNf;
  };
  m_bars.resize(std::size_t(layers));
  for (int l = 0; l < layers; ++l) {
    m_bars[std::size_t(l)] = {value(saturated, l), value(inactive, l), value(dead, l)};
  }
  if (m_selection && m_selection->layerCount() != layers) m_selection->setLayerCount(layers);
  if (!m_selection) return;
  for (const int l : m_selection->layers()) {
    if (l >= layers) continue;
    m_lines.push_back({l, h.layerSeries(m_run, app::LayerMetric::Saturated, l, m_firstStep,
                                        m_lastStep, std::max(2, m_width))});
  }
}

SaturationView::Layout SaturationView::layoutFor(const QRect& rect) const {
  const QFontMetrics fm(theme().font());
  const QFontMetrics title(theme().titleFont());
  Layout l;
  const int left = rect.left() + kTickLength + 4 + fm.horizontalAdvance(QStringLiteral("0.5")) + 4;
  const int right = rect.right() - 8;
  // A legend shares the title's line when both fit, otherwise it gets its own line.
  const int titleWidth =
      title.horizontalAdvance(tr("Saturation per layer (last %1 steps)").arg(kRecentSteps));
  const bool legendOwnLine =
      titleWidth + 24 +
          legendWidth(fm, {{{}, tr("saturated")}, {{}, tr("inactive")}, {{}, tr("dead")}}) >
      rect.width();
  int y = rect.top() + 2;
  l.barsTitle = y;
  y += title.height();
  l.barsLegend = legendOwnLine ? y : l.barsTitle + (title.height() - fm.height()) / 2;
  if (legendOwnLine) y += fm.height();
  const int fixed = (y - rect.top()) + 4 + kMark + fm.height() + 10 + title.height() + 4 +
                    kTickLength + fm.height() + 4;
  const int free = std::max(40, rect.height() - fixed);
  const int barsHeight = free * 11 / 20;
  l.bars = QRect(left, y + 4 + fm.height() / 2, std::max(10, right - left),
                 std::max(10, barsHeight - fm.height() / 2));
  y = l.bars.bottom() + 1 + kMark + fm.height() + 10;
  l.historyTitle = y;
  l.historyLegend = l.historyTitle + (title.height() - fm.height()) / 2;
  y += title.height() + 4 + fm.height() / 2;
  l.history = QRect(left, y, std::max(10, right - left),
                    std::max(10, rect.bottom() - y - kTickLength - fm.height() - 2));
  return l;
}

QRect SaturationView::barsRect() const { return layoutFor(canvas()->rect()).bars; }
QRect SaturationView::historyRect() const { return layoutFor(canvas()->rect()).history; }

int SaturationView::layerAt(const QPoint& pos) const {
  const QRect bars = barsRect();
  const int layers = int(m_bars.size());
  if (layers == 0 || pos.x() < bars.left() || pos.x() > bars.right() || pos.y() < bars.top() ||
      pos.y() > bars.bottom() + kMark + QFontMetrics(theme().font()).height())
    return -1;
  return std::clamp(int(double(pos.x() - bars.left()) * layers / bars.width()), 0, layers - 1);
}

void SaturationView::paintCanvas(QPainter& painter, const QRect& rect) {
  if (m_bars.empty()) {
    drawTitle(painter,
              QRect(rect.left() + 6, rect.top() + 2, rect.width() - 12,
                    QFontMetrics(theme().titleFont()).height()),
              tr("Saturation"));
    drawMessage(painter, rect, tr("Saturation per layer appears here once training starts."));
    return;
  }
  const Layout layout = layoutFor(rect);
  paintBars(painter, layout, rect);
  paintHistory(painter, layout, rect);
}

void SaturationView::paintBars(QPainter& painter, const Layout& layout, const QRect& rect) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const QFontMetrics tfm(th.titleFont());
  drawTitle(painter, QRect(rect.left() + 6, layout.barsTitle, rect.width() - 12, tfm.height()),
            QStringList{tr("Saturation per layer (last %1 steps)").arg(kRecentSteps),
                        tr("Saturation per layer"), tr("Saturation")});

  const bool anyRelu =
      std::any_of(m_bars.begin(), m_bars.end(), [](const LayerBar& b) { return b.reluLike(); });
  const bool anyOther =
      std::any_of(m_bars.begin(), m_bars.end(), [](const LayerBar& b) { return !b.reluLike(); });
  const QColor saturatedColor = th.accent;
  const QColor inactiveColor = mixColors(th.secondary, th.background, 0.45);
  const QColor deadColor = th.warning;
  std::vector<LegendEntry> legend;
  if (anyOther) legend.push_back({saturatedColor, tr("saturated")});
  if (anyRelu) {
    legend.push_back({inactiveColor, tr("inactive")});
    legend.push_back({deadColor, tr("dead")});
  }
  drawLegend(painter, fm, rect.right() - 6, layout.barsLegend, legend);

  const QRect plot = layout.bars;
  drawFractionAxis(painter, fm, plot);
  const int layers = int(m_bars.size());
  const double slot = double(plot.width()) / layers;
  const double barWidth = std::max(1.0, slot * (layers > 30 ? 0.85 : 0.7));
  painter.setPen(Qt::NoPen);
  auto bar = [&](int l, double fraction, const QColor& color) {
    if (std::isnan(fraction) || fraction <= 0) return;
    const double x = plot.left() + l * slot + (slot - barWidth) / 2;
    const double h = std::clamp(fraction, 0.0, 1.0) * plot.height();
    painter.fillRect(QRectF(x, plot.bottom() + 1 - h, barWidth, h), color);
  };
  for (int l = 0; l < layers; ++l) {
    const LayerBar& b = m_bars[std::size_t(l)];
    if (b.reluLike()) {
      bar(l, b.inactive, inactiveColor);
      bar(l, b.dead, deadColor);
    } else {
      bar(l, b.saturated, saturatedColor);
    }
  }
  // Selected layers: a mark in the layer's colour under the bar.
  if (m_selection && m_selection->layerCount() == layers) {
    for (const int l : m_selection->layers()) {
      const double x = plot.left() + l * slot + (slot - barWidth) / 2;
      painter.fillRect(QRectF(x, plot.bottom() + 2, std::max(barWidth, 3.0), kMark),
                       th.layerColor(l, layers));
    }
  }
  // x axis: layers from input to output.
  painter.setPen(th.foreground);
  const int labelTop = plot.bottom() + 2 + kMark;
  // The first bar is hidden layer 1, not the input: its number, under it.
  const QString input = QStringLiteral("1"), output = tr("output");
  const int inputX =
      std::max(plot.left(), plot.left() + int(0.5 * slot) - fm.horizontalAdvance(input) / 2);
  painter.drawText(QPoint(inputX, labelTop + fm.ascent()), input);
  painter.drawText(QPoint(plot.right() - fm.horizontalAdvance(output), labelTop + fm.ascent()),
                   output);
  const int free0 = inputX + fm.horizontalAdvance(input) + 8;
  const int free1 = plot.right() - fm.horizontalAdvance(output) - 8;
  const int maxTicks =
      std::max(2, plot.width() / (fm.horizontalAdvance(QStringLiteral("88")) + 16));
  int lastRight = free0;
  for (const AxisTick& t : linearTicks(1, layers, maxTicks)) {
    if (std::abs(t.value - std::round(t.value)) > 1e-9) continue;
    const int l = int(std::lround(t.value)) - 1;
    if (l == 0 || l == layers - 1) continue;  // labelled "1" and "output" already
    const int x = plot.left() + int((l + 0.5) * slot);
    const int w = fm.horizontalAdvance(t.label);
    if (x - w / 2 < lastRight || x + w / 2 > free1) continue;
    painter.drawText(QPoint(x - w / 2, labelTop + fm.ascent()), t.label);
    lastRight = x + w / 2 + 8;
  }
  const QString axis = tr("layer");
  const int aw = fm.horizontalAdvance(axis);
  const int ax = plot.center().x() - aw / 2;
  if (ax > lastRight && ax + aw < free1) {
    painter.setPen(th.faint);
    painter.drawText(QPoint(ax, labelTop + fm.ascent()), axis);
  }
}

void SaturationView::paintHistory(QPainter& painter, const Layout& layout, const QRect& rect) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const QFontMetrics tfm(th.titleFont());
  const int layers = int(m_bars.size());
  // Legend: "layer" once, then a swatch and number per line. When it does not fit beside the
  // title, the title gets shorter, then the oldest picks go.
  std::vector<LegendEntry> legend;
  for (const Line& line : m_lines)
    legend.push_back({th.layerColor(line.layer, layers), QString::number(line.layer + 1)});
  const QString prefix = tr("layer");
  QString title = tr("Saturated over time");
  const int legendRoom = legendWidth(fm, legend) + fm.horizontalAdvance(prefix) + 2;
  if (rect.width() - 12 - legendRoom < tfm.horizontalAdvance(title) + 12) title = tr("Over time");
  drawTitle(painter, QRect(rect.left() + 6, layout.historyTitle, rect.width() - 12, tfm.height()),
            title);
  const int titleRight = rect.left() + 6 + tfm.horizontalAdvance(title) + 12;
  while (!legend.empty() &&
         rect.right() - 6 - legendWidth(fm, legend) - fm.horizontalAdvance(prefix) - 2 < titleRight)
    legend.erase(legend.begin());
  if (!legend.empty()) {
    const int legendLeft = rect.right() - 6 - legendWidth(fm, legend) + 12;
    painter.setPen(th.foreground);
    painter.drawText(
        QPoint(legendLeft - fm.horizontalAdvance(prefix) - 6, layout.historyLegend + fm.ascent()),
        prefix);
    drawLegend(painter, fm, rect.right() - 6, layout.historyLegend, legend);
  }

  const QRect plot = layout.history;
  drawFractionAxis(painter, fm, plot);
  if (m_lines.empty()) {
    drawMessage(painter, plot, tr("Click a layer's bar to follow it here"));
    return;
  }
  const double span = std::max<double>(1.0, double(m_lastStep - m_firstStep));
  auto xOf = [&](double step) {
    return plot.left() + (step - double(m_firstStep)) / span * plot.width();
  };
  auto yOf = [&](double v) { return plot.bottom() - std::clamp(v, 0.0, 1.0) * plot.height(); };
  painter.save();
  painter.setClipRect(plot.adjusted(0, -2, 1, 1));
  painter.setRenderHint(QPainter::Antialiasing, true);
  for (const Line& line : m_lines) {
    const QColor color = th.layerColor(line.layer, layers);
    if (line.series.empty()) continue;
    // The min/max band keeps one-step spikes visible; the line is the bucket mean.
    QPolygonF band, mean;
    for (const app::DecimatedBucket& b : line.series.buckets) {
      const double x = xOf(0.5 * double(b.step + b.lastStep));
      band << QPointF(x, yOf(b.max));
      mean << QPointF(x, yOf(b.mean));
    }
    for (auto it = line.series.buckets.rbegin(); it != line.series.buckets.rend(); ++it)
      band << QPointF(xOf(0.5 * double(it->step + it->lastStep)), yOf(it->min));
    QColor fill = color;
    fill.setAlpha(50);
    painter.setPen(Qt::NoPen);
    painter.setBrush(fill);
    painter.drawPolygon(band);
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(color, th.lineWidth));
    painter.drawPolyline(mean);
  }
  painter.restore();
  // x axis: steps, with the axis name at the right end.
  painter.setPen(th.foreground);
  const QString axis = tr("step");
  const int axisLeft = plot.right() - fm.horizontalAdvance(axis);
  painter.drawText(QPoint(axisLeft, plot.bottom() + kTickLength + fm.ascent() + 1), axis);
  const int maxTicks =
      std::max(2, plot.width() / (fm.horizontalAdvance(QStringLiteral("888.8k")) + 12));
  for (const AxisTick& t : stepTicks(m_firstStep, m_lastStep, maxTicks)) {
    const int x = int(std::lround(xOf(t.value)));
    const int w = fm.horizontalAdvance(t.label);
    painter.drawLine(x, plot.bottom(), x, plot.bottom() + kTickLength);
    const int left = std::max(rect.left() + 2, x - w / 2);
    if (left + w > axisLeft - 6) continue;
    painter.drawText(QPoint(left, plot.bottom() + kTickLength + fm.ascent() + 1), t.label);
  }
}

void SaturationView::canvasPressed(QMouseEvent* event) {
  const int layer =
      event->button() == Qt::LeftButton && m_selection ? layerAt(event->position().toPoint()) : -1;
  if (layer < 0) {
    event->ignore();
    return;
  }
  if (m_selection->layerCount() != int(m_bars.size()))
    m_selection->setLayerCount(int(m_bars.size()));
  m_selection->toggle(layer);
  event->accept();
}

QString SaturationView::canvasToolTip(const QPoint& pos) const {
  const int layer = layerAt(pos);
  if (layer < 0) return {};
  const LayerBar& b = m_bars[std::size_t(layer)];
  auto percent = [](float v) {
    return std::isnan(v) ? QObject::tr("not measured")
                         : QStringLiteral("%1 %").arg(double(v) * 100.0, 0, 'f', 1);
  };
  QString text = tr("layer %1 of %2").arg(layer + 1).arg(m_bars.size());
  if (b.reluLike()) {
    text += tr("\ninactive (f' = 0): %1\ndead units: %2").arg(percent(b.inactive), percent(b.dead));
  } else {
    text += tr("\nsaturated (f' near 0): %1").arg(percent(b.saturated));
  }
  return text + tr("\nclick to show or hide it in the layer charts");
}

void SaturationView::canvasResized() {
  if (!m_history || historyRect().width() == m_width) return;
  query();
  updateCanvas();
}

}  // namespace gradscope::ui
