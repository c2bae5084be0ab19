#include "ui/charts/heatmap_view.h"

#include <QAction>
#include <QComboBox>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMouseEvent>
#include <QPaintEngine>
#include <QPainter>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "ui/charts/plot_axes.h"
#include "ui/panels/layer_selection.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {
constexpr int kMarkerWidth = 7;

// log10 to 0.0004 decades (far below one colour step), without branches so the loop over a
// heatmap vectorises: the float's exponent plus a cubic fit of log2 over its mantissa in
// [1, 2). Meant for positive normal floats (others give a finite, clamped value).
inline float fastLog10(float v) {
  const auto bits = std::bit_cast<std::uint32_t>(v);
  const float exponent = float(int((bits >> 23) & 0xffu) - 127);
  const float m = std::bit_cast<float>((bits & 0x7fffffu) | 0x3f800000u);
  const float log2 =
      exponent + (((0.15391353f * m - 1.02949275f) * m + 3.01073030f) * m - 2.13381654f);
  return log2 * 0.30102999566f;
}

// The smallest and largest positive finite values ({inf, 0} if none). Compared as bit
// patterns, which order positive floats like their values, so the loop vectorises.
std::pair<float, float> positiveRange(const float* values, std::size_t count) {
  std::uint32_t lo = 0xffffffffu, hi = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const auto bits = std::bit_cast<std::uint32_t>(values[i]);
    const bool positive = bits - 1u < 0x7f7fffffu;  // excludes zeros, negatives, inf, NaN
    lo = std::min(lo, positive ? bits : 0xffffffffu);
    hi = std::max(hi, positive ? bits : 0u);
  }
  if (hi == 0) return {std::numeric_limits<float>::infinity(), 0.0f};
  return {std::bit_cast<float>(lo), std::bit_cast<float>(hi)};
}

// The update ratio is measured every few steps only: where a column falls between two
// measurements it shows the last one, so the map has no stripes. Before a layer's first
// measurement and after its last the cells stay empty.
void holdBetweenMeasurements(app::LayerHeatmap& map) {
  for (int l = 0; l < map.layers; ++l) {
    float* row = map.values.data() + std::size_t(l) * std::size_t(map.columns);
    int last = map.columns - 1;
    while (last >= 0 && std::isnan(row[last])) --last;
    float held = std::numeric_limits<float>::quiet_NaN();
    for (int c = 0; c <= last; ++c) {
      if (std::isnan(row[c])) {
        row[c] = held;
      } else {
        held = row[c];
      }
    }
  }
}

// Colour index per cell: 0-255 along the map, kBackgroundIndex where nothing was measured.
constexpr int kBackgroundIndex = 256;
template <bool Log>
void colourIndices(const float* values, int count, float low, float scale, std::uint16_t* out) {
  for (int i = 0; i < count; ++i) {
    const float v = values[i];
    const float t = ((Log ? fastLog10(v) : v) - low) * scale + 0.5f;
    int index = int(std::min(std::max(t, 0.0f), 255.0f));
    if constexpr (Log) index = v > 0.0f ? index : 0;  // zero: the bottom of the map
    index = v == v ? index : kBackgroundIndex;        // NaN: not measured
    out[i] = std::uint16_t(index);
  }
}
}  // namespace

HeatmapView::HeatmapView(LayerSelection* selection, QWidget* parent)
    : PaintedView(parent), m_selection(selection) {
  m_metricBox = new QComboBox(this);
  m_metricBox->addItem(tr("Gradient norm (log)"), int(Metric::GradientNorm));
  m_metricBox->addItem(tr("Saturated fraction"), int(Metric::Saturated));
  m_metricBox->addItem(tr("Update ratio (log)"), int(Metric::UpdateRatio));
  m_metricBox->addItem(tr("Dead units (ReLU)"), int(Metric::DeadUnits));
  m_metricBox->setToolTip(
      tr("What each cell shows: one row per layer, one column per range of steps"));
  controls()->addWidget(m_metricBox);
  auto* hint = new QLabel(tr("click a row to plot that layer"), this);
  hint->setEnabled(false);
  hint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // gives way first
  controls()->addWidget(hint);
  controls()->addStretch(1);
  connect(m_metricBox, &QComboBox::activated, this,
          [this](int index) { setMetric(Metric(m_metricBox->itemData(index).toInt())); });
  if (m_selection) connect(m_selection, &LayerSelection::changed, this, [this] { updateCanvas(); });
  canvas()->setMouseTracking(false);
  buildLookup();
}

QString HeatmapView::viewTitle() const { return tr("Layer heatmap"); }

bool HeatmapView::logScale() const {
  return m_metric == Metric::GradientNorm || m_metric == Metric::UpdateRatio;
}

app::LayerMetric HeatmapView::layerMetric() const {
  switch (m_metric) {
    case Metric::GradientNorm:
      return app::LayerMetric::GradientNorm;
    case Metric::Saturated:
      return app::LayerMetric::Saturated;
    case Metric::UpdateRatio:
      return app::LayerMetric::UpdateRatio;
    case Metric::DeadUnits:
      return app::LayerMetric::DeadUnits;
  }
  return app::LayerMetric::GradientNorm;
}

QStringList HeatmapView::metricTitles() const {
  switch (m_metric) {
    case Metric::GradientNorm:
      return {tr("Gradient norm per layer (log scale)"), tr("Gradient norm (log scale)"),
              tr("Gradient norm")};
    case Metric::Saturated:
      return {tr("Saturated fraction per layer"), tr("Saturated fraction"), tr("Saturation")};
    case Metric::UpdateRatio:
      return {tr("Update ratio |ΔW| / |W| per layer (log scale)"),
              tr("Update ratio |ΔW| / |W| (log)"), tr("Update ratio")};
    case Metric::DeadUnits:
      return {tr("Dead ReLU units per layer (fraction)"), tr("Dead ReLU units (fraction)"),
              tr("Dead units")};
  }
  return {};
}

QString HeatmapView::unitName() const {
  switch (m_metric) {
    case Metric::GradientNorm:
      return tr("gradient norm");
    case Metric::Saturated:
      return tr("saturated");
    case Metric::UpdateRatio:
      return tr("update ratio");
    case Metric::DeadUnits:
      return tr("dead units");
  }
  return {};
}

void HeatmapView::setMetric(Metric metric) {
  if (metric == m_metric) return;
  m_metric = metric;
  const int index = m_metricBox->findData(int(metric));
  if (index >= 0) m_metricBox->setCurrentIndex(index);
  m_hasRange = false;
  query();
  updateCanvas();
}

void HeatmapView::resetRange() {
  m_hasRange = false;
  rebuildImage();
  updateCanvas();
}

void HeatmapView::refresh(const app::MetricHistory& history, int run) {
  const std::uint64_t revision = history.revision(run);
  const int columns = wantedColumns();
  if (&history == m_history && run == m_run && revision == m_revision && columns == m_columns)
    return;
  m_history = &history;
  m_run = run;
  query();
  updateCanvas();
}

void HeatmapView::clear() {
  m_revision = 0;
  m_columns = 0;
  m_heatmap = {};
  m_image = QImage();
  m_hasRange = false;
  updateCanvas();
}

int HeatmapView::wantedColumns() const { return std::clamp(plotRect().width(), 1, kMaxColumns); }

void HeatmapView::query() {
  if (!m_history) return;
  m_revision = m_history->revision(m_run);
  m_columns = wantedColumns();
  m_heatmap =
      m_history->layerHeatmap(m_run, layerMetric(), 0, std::numeric_limits<std::int64_t>::max(),
                              m_columns, app::HeatmapReduction::Mean);
  if (m_metric == Metric::UpdateRatio) holdBetweenMeasurements(m_heatmap);
  if (m_selection && m_heatmap.layers > 0 && m_selection->layerCount() != m_heatmap.layers)
    m_selection->setLayerCount(m_heatmap.layers);
  rebuildImage();
}

double HeatmapView::toColorPosition(float value) const {
  if (std::isnan(value)) return std::numeric_limits<double>::quiet_NaN();
  double v = value;
  if (logScale()) v = v > 0 ? std::log10(v) : -std::numeric_limits<double>::infinity();
  return std::clamp((v - m_low) / (m_high - m_low), 0.0, 1.0);
}

void HeatmapView::buildLookup() {
  for (int i = 0; i < 256; ++i) m_lookup[i] = theme().heat(i / 255.0).rgb();
}

void HeatmapView::rebuildImage() {
  const int layers = m_heatmap.layers, columns = m_heatmap.columns;
  if (layers <= 0 || columns <= 0) {
    m_image = QImage();
    return;
  }
  const bool log = logScale();
  // Colour range: fixed for fractions; for log metrics whole decades that only ever grow.
  if (log) {
    const auto [lo, hi] = positiveRange(m_heatmap.values.data(), m_heatmap.values.size());
    if (lo <= hi) {
      const double low = std::floor(std::log10(double(lo)));
      const double high = std::max(std::ceil(std::log10(double(hi))), low + 1);
      m_low = m_hasRange ? std::min(m_low, low) : low;
      m_high = m_hasRange ? std::max(m_high, high) : high;
      m_hasRange = true;
    } else if (!m_hasRange) {
      m_low = -8;
      m_high = 0;
    }
  } else {
    m_low = 0;
    m_high = 1;
  }
  if (m_image.width() != columns || m_image.height() != layers)
    m_image = QImage(columns, layers, QImage::Format_RGB32);
  m_lookup[kBackgroundIndex] = theme().background.rgb();
  const std::size_t cells = m_heatmap.values.size();
  if (m_indices.size() < cells) m_indices.resize(cells);
  const float low = float(m_low), scale = float(255.0 / (m_high - m_low));
  if (log) {
    colourIndices<true>(m_heatmap.values.data(), int(cells), low, scale, m_indices.data());
  } else {
    colourIndices<false>(m_heatmap.values.data(), int(cells), low, scale, m_indices.data());
  }
  for (int l = 0; l < layers; ++l) {
    auto* line = reinterpret_cast<QRgb*>(m_image.scanLine(l));
    const std::uint16_t* index = m_indices.data() + std::size_t(l) * std::size_t(columns);
    for (int c = 0; c < columns; ++c) line[c] = m_lookup[index[c]];
  }
}

HeatmapView::Margins HeatmapView::margins() const {
  const QFontMetrics fm(theme().font());
  const QFontMetrics title(theme().titleFont());
  Margins m;
  const int labels =
      std::max({fm.horizontalAdvance(tr("output")), fm.horizontalAdvance(QStringLiteral("888"))});
  m.left = 4 + fm.height() + 4 + labels + kTickLength + kMarkerWidth + 4;
  m.top = title.height() + 6;
  m.bottom = kTickLength + fm.height() + fm.height() + 4;
  m.right = 10 + fm.height() + 4 + fm.horizontalAdvance(QStringLiteral("1e-30")) + 6;
  return m;
}

QRect HeatmapView::plotRect() const {
  const Margins m = margins();
  const QRect r = canvas()->rect();
  return QRect(r.left() + m.left, r.top() + m.top, std::max(1, r.width() - m.left - m.right),
               std::max(1, r.height() - m.top - m.bottom));
}

int HeatmapView::layerAt(const QPoint& pos) const {
  const QRect plot = plotRect();
  const int layers = m_heatmap.layers;
  if (layers <= 0 || pos.y() < plot.top() || pos.y() > plot.bottom() || pos.x() > plot.right() ||
      pos.x() < plot.left() - margins().left)
    return -1;
  const int layer = int(double(pos.y() - plot.top()) * layers / plot.height());
  return std::clamp(layer, 0, layers - 1);
}

void HeatmapView::paintCanvas(QPainter& painter, const QRect& rect) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const int titleHeight = QFontMetrics(th.titleFont()).height();
  drawTitle(painter, QRect(rect.left() + 6, rect.top() + 2, rect.width() - 12, titleHeight),
            metricTitles());
  if (m_image.isNull()) {
    drawMessage(painter, rect.adjusted(0, titleHeight, 0, 0),
                tr("The layers' measurements appear here once training starts."));
    return;
  }
  const QRect plot = plotRect();
  const int layers = m_heatmap.layers;

  painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
  if (painter.paintEngine() && painter.paintEngine()->type() == QPaintEngine::SVG) {
    // SVG viewers smooth embedded images: hand them the cells already scaled, at twice the
    // plot's size, so they stay sharp squares.
    painter.drawImage(
        plot, m_image.scaled(plot.size() * 2, Qt::IgnoreAspectRatio, Qt::FastTransformation));
  } else {
    painter.drawImage(plot, m_image);
  }
  painter.setPen(th.foreground);
  painter.drawRect(plot.adjusted(-1, -1, 0, 0));

  // y axis: layers, input side at the top.
  const double rowHeight = double(plot.height()) / layers;
  auto rowCentre = [&](int l) { return plot.top() + int((l + 0.5) * rowHeight); };
  const int labelRight = plot.left() - kMarkerWidth - kTickLength - 5;
  const int maxYTicks = std::max(2, plot.height() / (fm.height() + 4));
  std::vector<int> rows{0};
  for (const AxisTick& t : linearTicks(1, layers, maxYTicks)) {
    const int l = int(std::lround(t.value)) - 1;
    if (std::abs(t.value - std::round(t.value)) < 1e-9 && l > 0 && l < layers - 1)
      rows.push_back(l);
  }
  if (layers > 1) rows.push_back(layers - 1);
  // The ends (the first layer's number, "output") always get a label; numbers in between only
  // where they fit. Row 1 is the first hidden layer, not the input (the axis title says
  // which side the input is on).
  const int outputTop = rowCentre(layers - 1) - fm.height() / 2;
  int lastBottom = std::numeric_limits<int>::min();
  for (const int l : rows) {
    const int y = rowCentre(l);
    const int top = y - fm.height() / 2;
    const bool end = l == 0 || l == layers - 1;
    if (!end && (top < lastBottom || top + fm.height() > outputTop)) continue;
    lastBottom = top + fm.height();
    QString label = QString::number(l + 1);
    if (layers > 1 && l == layers - 1) label = tr("output");
    painter.drawLine(plot.left() - kMarkerWidth - kTickLength - 1, y,
                     plot.left() - kMarkerWidth - 1, y);
    painter.drawText(QRect(0, top, labelRight, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
                     label);
  }
  painter.save();
  painter.translate(rect.left() + 4 + fm.ascent(), plot.center().y());
  painter.rotate(-90);
  painter.drawText(QRect(-plot.height() / 2, -fm.ascent(), plot.height(), fm.height()),
                   Qt::AlignCenter, tr("layer"));
  painter.restore();

  // Selected layers: a mark in the layer's colour beside its row.
  if (m_selection && m_selection->layerCount() == layers) {
    painter.setPen(Qt::NoPen);
    for (const int l : m_selection->layers()) {
      const int h = std::max(4, int(rowHeight) - 2);  // a gap between neighbours
      const int y = rowCentre(l) - h / 2;
      painter.setBrush(th.layerColor(l, layers));
      painter.drawRect(plot.left() - kMarkerWidth - 3, y, kMarkerWidth, h);
    }
    painter.setBrush(Qt::NoBrush);
    painter.setPen(th.foreground);
  }

  // x axis: steps.
  const std::int64_t first = m_heatmap.columnSteps.front();
  const std::int64_t end = m_heatmap.columnSteps.back();  // one past the last step
  const double span = std::max<double>(1.0, double(end - first));
  const int maxXTicks =
      std::max(2, plot.width() / (fm.horizontalAdvance(QStringLiteral("88.8k")) + 20));
  for (const AxisTick& t : stepTicks(first, end - 1, maxXTicks)) {
    const int x = plot.left() + int(std::lround((t.value - double(first)) / span * plot.width()));
    painter.drawLine(x, plot.bottom() + 1, x, plot.bottom() + kTickLength);
    const int w = fm.horizontalAdvance(t.label);
    const int left = std::clamp(x - w / 2, plot.left() - 8, rect.right() - w);
    painter.drawText(QPoint(left, plot.bottom() + kTickLength + fm.ascent() + 1), t.label);
  }
  painter.drawText(
      QRect(plot.left(), plot.bottom() + kTickLength + fm.height(), plot.width(), fm.height() + 2),
      Qt::AlignHCenter | Qt::AlignVCenter, tr("step"));

  // Colour bar in the metric's units.
  const QRect bar(plot.right() + 10, plot.top(), fm.height(), plot.height());
  std::vector<AxisTick> ticks;
  const int maxBarTicks = std::max(2, plot.height() / (fm.height() * 8 / 5));
  if (logScale()) {
    for (AxisTick t : decadeTicks(m_low, m_high, maxBarTicks)) {
      t.value = (t.value - m_low) / (m_high - m_low);
      ticks.push_back(t);
    }
  } else {
    ticks = linearTicks(0.0, 1.0, std::min(6, maxBarTicks));
  }
  const Theme* themePtr = &th;
  drawColorBar(
      painter, bar, [themePtr](double t) { return themePtr->heat(t); }, ticks);
}

void HeatmapView::canvasPressed(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || !m_selection) {
    event->ignore();
    return;
  }
  const int layer = layerAt(event->position().toPoint());
  if (layer < 0) {
    event->ignore();
    return;
  }
  if (m_selection->layerCount() != m_heatmap.layers) m_selection->setLayerCount(m_heatmap.layers);
  m_selection->toggle(layer);
  event->accept();
}

QString HeatmapView::canvasToolTip(const QPoint& pos) const {
  const QRect plot = plotRect();
  const int layer = layerAt(pos);
  if (layer < 0 || m_heatmap.columns <= 0) return {};
  const int layers = m_heatmap.layers;
  QString name = tr("layer %1 of %2").arg(layer + 1).arg(layers);
  if (layer == 0) name += tr(" (input side)");
  if (layer == layers - 1) name += tr(" (output)");
  if (pos.x() < plot.left()) return name + tr("\nclick to show or hide it in the layer charts");
  const int column =
      std::clamp(int(double(pos.x() - plot.left()) * m_heatmap.columns / plot.width()), 0,
                 m_heatmap.columns - 1);
  const std::int64_t from = m_heatmap.columnSteps[std::size_t(column)];
  const std::int64_t to = m_heatmap.columnSteps[std::size_t(column) + 1] - 1;
  const QString steps = from == to ? tr("step %1").arg(formatStep(from))
                                   : tr("steps %1 – %2").arg(formatStep(from), formatStep(to));
  const float v = m_heatmap.at(layer, column);
  QString value;
  if (std::isnan(v)) {
    value = m_metric == Metric::DeadUnits ? tr("not ReLU-like (no dead units measured)")
                                          : tr("not measured");
  } else if (m_metric == Metric::Saturated || m_metric == Metric::DeadUnits) {
    value = QStringLiteral("%1 %2 %").arg(unitName()).arg(double(v) * 100.0, 0, 'f', 1);
  } else {
    value = unitName() + QLatin1Char(' ') + formatValue(v);
    if (m_metric == Metric::UpdateRatio) value += tr("\n(measured every few steps)");
  }
  return name + QLatin1Char('\n') + steps + QLatin1Char('\n') + value;
}

void HeatmapView::canvasResized() {
  if (!m_history || wantedColumns() == m_columns) return;
  query();
  updateCanvas();
}

void HeatmapView::addContextActions(QMenu* menu) {
  QAction* reset = menu->addAction(tr("Reset colour range"), this, [this] { resetRange(); });
  reset->setEnabled(logScale());
}

void HeatmapView::restyle() {
  buildLookup();
  rebuildImage();
}

}  // namespace gradscope::ui
