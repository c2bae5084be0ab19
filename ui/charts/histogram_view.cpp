#include "ui/charts/histogram_view.h"

#include <QAction>
#include <QComboBox>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QMenu>
#include <QPainter>
#include <QSlider>

#include <algorithm>
#include <cmath>

#include "ui/charts/plot_axes.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {
constexpr int kPad = 6;
constexpr double kUnitRange = 1.2;

struct BinRange {
  int first = 0, last = 0;  // [first, last)
  double low = 0, high = 0;
};

BinRange visibleBins(const core::Histogram& h, bool unitRange) {
  const int bins = int(h.counts.size());
  BinRange r{0, bins, h.low, h.high};
  if (!unitRange || bins == 0 || h.high <= h.low) return r;
  const double width = (h.high - h.low) / bins;
  // [-1.2, 1.2) with the probes' bins, so values of exactly 1 (a saturated tanh) are inside.
  r.first = std::clamp(int(std::floor((-kUnitRange - h.low) / width + 1e-9)), 0, bins);
  r.last = std::clamp(int(std::ceil((kUnitRange - h.low) / width - 1e-9)), r.first, bins);
  r.low = h.low + r.first * width;
  r.high = h.low + r.last * width;
  return r;
}

bool withinUnit(const core::Histogram& h) {
  if (h.below > 0 || h.above > 0) return false;
  const BinRange r = visibleBins(h, true);
  for (int b = 0; b < int(h.counts.size()); ++b)
    if ((b < r.first || b >= r.last) && h.counts[std::size_t(b)] > 0) return false;
  return true;
}

// The densest of a few fixed tick sets whose labels fit `width`.
std::vector<AxisTick> histogramTicks(bool gradient, const BinRange& r, int width,
                                     const QFontMetrics& fm) {
  std::vector<std::vector<double>> candidates;
  if (gradient) {
    candidates = {{-30, -20, -10, 0}, {-30, -15, 0}, {-20, 0}};
  } else if (r.high - r.low <= 2 * kUnitRange + 0.1) {
    candidates = {{-1, -0.5, 0, 0.5, 1}, {-1, 0, 1}};
  } else {
    candidates = {{-6, -4, -2, 0, 2, 4, 6}, {-6, -3, 0, 3, 6}, {-6, 0, 6}};
  }
  std::vector<AxisTick> ticks;
  for (const std::vector<double>& values : candidates) {
    ticks.clear();
    int needed = 0;
    for (const double v : values) {
      if (v < r.low - 1e-9 || v > r.high + 1e-9) continue;
      const QString label = gradient ? formatPowerOfTen(int(v)) : formatValue(v);
      ticks.push_back({v, label});
      needed += fm.horizontalAdvance(label) + fm.horizontalAdvance(QStringLiteral("M"));
    }
    if (needed <= width) break;
  }
  return ticks;
}
}  // namespace

HistogramView::HistogramView(QWidget* parent) : PaintedView(parent) {
  m_quantityBox = new QComboBox(this);
  m_quantityBox->addItem(tr("Activations"), int(Quantity::Activation));
  m_quantityBox->addItem(tr("Pre-activations"), int(Quantity::PreActivation));
  m_quantityBox->addItem(tr("Gradients (log10 |g|)"), int(Quantity::GradientLog10));
  m_quantityBox->setToolTip(tr("Which values each layer's histogram counts"));
  m_slider = new QSlider(Qt::Horizontal, this);
  m_slider->setRange(0, 0);
  m_slider->setToolTip(
      tr("Scrub back through the run; at the right end the view follows training"));
  controls()->addWidget(m_quantityBox);
  controls()->addWidget(m_slider, 1);
  connect(m_quantityBox, &QComboBox::activated, this,
          [this](int index) { setQuantity(Quantity(m_quantityBox->itemData(index).toInt())); });
  connect(m_slider, &QSlider::valueChanged, this, [this](int index) {
    if (index < 0 || index >= int(m_steps.size())) return;
    if (index == int(m_steps.size()) - 1) {
      showLatest();
    } else {
      showStep(m_steps[std::size_t(index)]);
    }
  });
  setCanvasScrollable(true);
}

QString HistogramView::viewTitle() const { return tr("Histograms"); }

void HistogramView::setQuantity(Quantity quantity) {
  if (quantity == m_quantity) return;
  m_quantity = quantity;
  const int index = m_quantityBox->findData(int(quantity));
  if (index >= 0) m_quantityBox->setCurrentIndex(index);
  updateCanvas();
}

void HistogramView::setValueRange(ValueRange range) {
  if (range == m_range) return;
  m_range = range;
  updateCanvas();
}

bool HistogramView::showsUnitRange() const {
  switch (m_quantity) {
    case Quantity::GradientLog10:
      return false;
    case Quantity::PreActivation:
      return m_range == ValueRange::Unit;
    case Quantity::Activation:
      return m_range == ValueRange::Unit || (m_range == ValueRange::Automatic && m_frameWithinUnit);
  }
  return false;
}

void HistogramView::refresh(const app::MetricHistory& history, int run) {
  const std::uint64_t revision = history.revision(run);
  if (&history == m_history && run == m_run && revision == m_revision) return;
  m_history = &history;
  m_run = run;
  m_revision = revision;
  const std::int64_t before = shownStep();
  const std::size_t beforeLayers = m_frame.layers.size();
  const std::size_t beforeFrames = m_steps.size();
  m_steps = history.histogramSteps(run);
  loadFrame();
  syncSlider();
  // Frames at a step never change, so a repaint is needed only for a different frame.
  if (shownStep() != before || m_frame.layers.size() != beforeLayers) {
    updateHeight();
    updateCanvas();
  } else if (m_steps.size() != beforeFrames && !m_followLatest) {
    updateCanvas();  // the title's frame count
  }
}

void HistogramView::clear() {
  m_revision = 0;
  m_steps.clear();
  m_frame = {};
  m_hasFrame = false;
  m_followLatest = true;
  syncSlider();
  updateHeight();
  updateCanvas();
}

void HistogramView::showStep(std::int64_t step) {
  m_followLatest = false;
  m_wantedStep = step;
  loadFrame();
  syncSlider();
  updateHeight();
  updateCanvas();
}

void HistogramView::showLatest() {
  m_followLatest = true;
  loadFrame();
  syncSlider();
  updateHeight();
  updateCanvas();
}

void HistogramView::loadFrame() {
  const app::HistogramFrame* frame = nullptr;
  if (m_history) {
    // Following the run: the frame of the step it stands at, an earlier one while the
    // timeline has gone back.
    const std::int64_t shown = m_history->shownStep(m_run);
    m_rewound = m_followLatest && shown < m_history->lastStep(m_run);
    frame = !m_followLatest ? m_history->histogramsAt(m_run, m_wantedStep)
            : m_rewound     ? m_history->histogramsAt(m_run, shown)
                            : m_history->latestHistograms(m_run);
    // Earlier than every stored frame: the first one.
    if (!frame && !m_steps.empty()) frame = m_history->histogramsAt(m_run, m_steps.front());
  }
  m_hasFrame = frame != nullptr;
  m_frame = frame ? *frame : app::HistogramFrame{};
  m_frameWithinUnit = m_hasFrame && !m_frame.layers.empty();
  for (const core::LayerHistograms& layer : m_frame.layers)
    m_frameWithinUnit &= withinUnit(layer.activation);
}

void HistogramView::syncSlider() {
  const QSignalBlocker block(m_slider);
  const int count = int(m_steps.size());
  m_slider->setEnabled(count > 1);
  m_slider->setRange(0, std::max(0, count - 1));
  if ((m_followLatest && !m_rewound) || !m_hasFrame) {
    m_slider->setValue(std::max(0, count - 1));
    return;
  }
  const auto it = std::upper_bound(m_steps.begin(), m_steps.end(), m_frame.step);
  m_slider->setValue(std::max(0, int(it - m_steps.begin()) - 1));
}

const core::Histogram& HistogramView::histogramOf(const core::LayerHistograms& h) const {
  switch (m_quantity) {
    case Quantity::Activation:
      return h.activation;
    case Quantity::PreActivation:
      return h.preActivation;
    case Quantity::GradientLog10:
      return h.gradientLog10;
  }
  return h.activation;
}

HistogramView::Grid HistogramView::grid() const {
  const QFontMetrics fm(theme().font());
  const QFontMetrics tfm(theme().titleFont());
  Grid g;
  const int width = std::max(1, canvas()->width());
  const int minCell = fm.horizontalAdvance(tr("layer 50 (output)")) + 2 * kPad + 4;
  g.columns = std::max(1, width / minCell);
  g.cellWidth = width / g.columns;
  g.top = 4 + tfm.height() + 4;
  // Cells grow into free height (few layers), up to a plot three quarters as tall as wide.
  const int frame = kPad + fm.height() + 2 + kTickLength + fm.height() + kPad;
  const int rows = std::max(1, (cellCount() + g.columns - 1) / g.columns);
  const int fill = (visibleCanvasHeight() - g.top - 4) / rows - frame;
  const int plot = std::clamp(std::max(g.cellWidth * 2 / 5, fill), 3 * fm.height(),
                              std::max(3 * fm.height(), g.cellWidth * 3 / 4));
  g.cellHeight = frame + plot;
  return g;
}

QRect HistogramView::cellRect(int layer) const {
  const Grid g = grid();
  return QRect((layer % g.columns) * g.cellWidth, g.top + (layer / g.columns) * g.cellHeight,
               g.cellWidth, g.cellHeight);
}

void HistogramView::updateHeight() {
  const Grid g = grid();
  const int rows = (cellCount() + g.columns - 1) / g.columns;
  canvas()->setMinimumHeight(std::max(90, g.top + rows * g.cellHeight + 4));
}

void HistogramView::canvasResized() { updateHeight(); }

void HistogramView::restyle() { updateHeight(); }

QStringList HistogramView::titles() const {
  QString what;
  switch (m_quantity) {
    case Quantity::Activation:
      what = tr("Activations");
      break;
    case Quantity::PreActivation:
      what = tr("Pre-activations");
      break;
    case Quantity::GradientLog10:
      what = tr("Kernel gradients |g| (log scale)");
      break;
  }
  if (!m_hasFrame) return {what};
  const QString step = formatStep(m_frame.step);
  const QString which = !m_followLatest ? QString()
                        : m_rewound     ? tr(" (the timeline's)")
                                        : tr(" (latest)");
  return {tr("%1 at step %2%3").arg(what, step, which), tr("%1, step %2").arg(what, step),
          tr("Step %1").arg(step)};
}

void HistogramView::paintCanvas(QPainter& painter, const QRect& rect) {
  const Theme& th = theme();
  const QFontMetrics tfm(th.titleFont());
  drawTitle(painter,
            QRect(rect.left() + kPad, rect.top() + 4, rect.width() - 2 * kPad, tfm.height()),
            titles());
  if (!m_hasFrame) {
    drawMessage(painter, rect.adjusted(0, tfm.height(), 0, 0),
                tr("Histograms appear at the first probe step (every few steps) once training "
                   "starts."));
    return;
  }
  for (int l = 0; l < cellCount(); ++l) paintCell(painter, cellRect(l), l);
}

void HistogramView::paintCell(QPainter& painter, const QRect& cell, int layer) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const int layers = cellCount();
  const core::Histogram& h = histogramOf(m_frame.layers[std::size_t(layer)]);
  const bool gradient = m_quantity == Quantity::GradientLog10;
  const QRect inner = cell.adjusted(kPad, kPad, -kPad, -kPad);

  QString name = tr("layer %1").arg(layer + 1);
  if (layers > 1 && layer == layers - 1) name = tr("layer %1 (output)").arg(layer + 1);
  painter.setPen(th.foreground);
  painter.drawText(QPoint(inner.left(), inner.top() + fm.ascent()), name);

  const QRect plot(inner.left(), inner.top() + fm.height() + 2, inner.width(),
                   inner.height() - fm.height() - 2 - kTickLength - fm.height());
  if (h.counts.empty() || h.total() == 0) {
    painter.setPen(th.faint);
    painter.drawText(plot, Qt::AlignCenter, tr("not measured"));
    return;
  }
  const BinRange range = visibleBins(h, showsUnitRange());
  const double span = range.high - range.low;
  auto xOf = [&](double v) { return plot.left() + (v - range.low) / span * plot.width(); };

  painter.setPen(QPen(th.grid, 1));
  if (!gradient && range.low < 0 && range.high > 0) {
    const int x = int(std::lround(xOf(0.0)));
    painter.drawLine(x, plot.top(), x, plot.bottom());
  }
  // One bin holding most values (inactive ReLUs at 0) would flatten the rest: it is drawn
  // cut, with its share written beside it, and the others scaled to the second tallest.
  int tallest = -1;
  std::uint32_t peak = 0, second = 0;
  for (int b = range.first; b < range.last; ++b) {
    const std::uint32_t c = h.counts[std::size_t(b)];
    if (c > peak) {
      second = peak;
      peak = c;
      tallest = b;
    } else {
      second = std::max(second, c);
    }
  }
  const double total = h.total();
  const bool cut = !gradient && second > 0 && peak > 3 * second && peak > 0.3 * total;
  const double scale = cut ? 1.25 * second : double(peak);
  const QColor color = th.layerColor(layer, layers);
  const double binWidth = (h.high - h.low) / double(h.counts.size());
  for (int b = range.first; b < range.last && peak > 0; ++b) {
    const std::uint32_t c = h.counts[std::size_t(b)];
    if (c == 0) continue;
    // Whole pixels, and a one-pixel gap only where bars are wide enough to keep it.
    const int x0 = int(std::lround(xOf(h.low + b * binWidth)));
    const int x1 = int(std::lround(xOf(h.low + (b + 1) * binWidth)));
    const int width = std::max(1, x1 - x0 - (x1 - x0 >= 4 ? 1 : 0));
    const double height = std::min(double(plot.height()), std::max(1.0, c / scale * plot.height()));
    painter.fillRect(QRectF(x0, plot.bottom() + 1 - height, width, height), color);
    if (cut && b == tallest) {
      // A break in the bar, and its share of all values.
      const int y = plot.top() + plot.height() / 6;
      painter.fillRect(QRect(x0 - 1, y, width + 2, 3), th.background);
      const QString label = QStringLiteral("%1%").arg(100.0 * c / total, 0, 'f', 0);
      const int w = fm.horizontalAdvance(label);
      const int left = x1 + 3 + w <= plot.right() ? x1 + 3 : x0 - 3 - w;
      painter.setPen(th.foreground);
      painter.drawText(QPoint(left, plot.top() + fm.ascent()), label);
    }
  }
  painter.setPen(th.foreground);
  painter.drawLine(plot.left(), plot.bottom() + 1, plot.right(), plot.bottom() + 1);

  // Values outside the shown range, as a share of all values.
  std::uint64_t below = h.below, above = h.above;
  for (int b = 0; b < range.first; ++b) below += h.counts[std::size_t(b)];
  for (int b = range.last; b < int(h.counts.size()); ++b) above += h.counts[std::size_t(b)];
  auto share = [&](std::uint64_t n) {
    const double p = 100.0 * double(n) / total;
    return p >= 10 ? QStringLiteral("%1%").arg(p, 0, 'f', 0)
                   : QStringLiteral("%1%").arg(p, 0, 'f', 1);
  };
  QString outside;
  if (below > 0 && double(below) / total >= 0.001)
    outside = (gradient ? tr("zero ") : QStringLiteral("◂")) + share(below);
  if (above > 0 && double(above) / total >= 0.001)
    outside +=
        (outside.isEmpty() ? QString() : QStringLiteral("  ")) + share(above) + QStringLiteral("▸");
  if (!outside.isEmpty() &&
      fm.horizontalAdvance(name) + 8 + fm.horizontalAdvance(outside) <= inner.width()) {
    painter.setPen(th.secondary);
    painter.drawText(
        QPoint(inner.right() - fm.horizontalAdvance(outside), inner.top() + fm.ascent()), outside);
  }

  // x axis.
  painter.setPen(th.foreground);
  const int labelY = plot.bottom() + 1 + kTickLength + fm.ascent();
  const std::vector<AxisTick> ticks = histogramTicks(gradient, range, plot.width(), fm);
  int lastRight = std::numeric_limits<int>::min();
  for (const AxisTick& t : ticks) {
    const int x = int(std::lround(xOf(t.value)));
    painter.drawLine(x, plot.bottom() + 1, x, plot.bottom() + 1 + kTickLength);
    const int w = fm.horizontalAdvance(t.label);
    const int left = std::clamp(x - w / 2, inner.left(), inner.right() - w);
    if (left < lastRight) continue;
    painter.drawText(QPoint(left, labelY), t.label);
    lastRight = left + w + 4;
  }
}

QString HistogramView::canvasToolTip(const QPoint& pos) const {
  for (int l = 0; l < cellCount(); ++l) {
    const QRect cell = cellRect(l);
    if (!cell.contains(pos)) continue;
    const core::Histogram& h = histogramOf(m_frame.layers[std::size_t(l)]);
    QString text =
        tr("layer %1 of %2, step %3").arg(l + 1).arg(cellCount()).arg(formatStep(m_frame.step));
    if (h.counts.empty() || h.total() == 0) return text + tr("\nnot measured");
    const bool gradient = m_quantity == Quantity::GradientLog10;
    const BinRange range = visibleBins(h, showsUnitRange());
    const QRect inner = cell.adjusted(kPad, kPad, -kPad, -kPad);
    const double v =
        range.low + double(pos.x() - inner.left()) / inner.width() * (range.high - range.low);
    const double binWidth = (h.high - h.low) / double(h.counts.size());
    const int b = int(std::floor((v - h.low) / binWidth));
    if (b < range.first || b >= range.last) return text;
    const double lo = h.low + b * binWidth, hi = lo + binWidth;
    const double p = 100.0 * h.counts[std::size_t(b)] / double(h.total());
    const QString bin =
        gradient ? tr("|g| in [%1, %2)")
                       .arg(formatValue(std::pow(10.0, lo)), formatValue(std::pow(10.0, hi)))
                 : tr("[%1, %2)").arg(formatValue(lo), formatValue(hi));
    text += QStringLiteral("\n%1: %2 % of values").arg(bin).arg(p, 0, 'f', 1);
    if (h.below > 0)
      text += gradient
                  ? tr("\nzero or below 1e-35: %1 %").arg(100.0 * h.below / h.total(), 0, 'f', 1)
                  : tr("\nbelow %1: %2 %").arg(h.low).arg(100.0 * h.below / h.total(), 0, 'f', 1);
    if (h.above > 0)
      text += tr("\nabove %1: %2 %")
                  .arg(gradient ? QStringLiteral("1") : QString::number(h.high))
                  .arg(100.0 * h.above / h.total(), 0, 'f', 1);
    return text;
  }
  return {};
}

void HistogramView::addContextActions(QMenu* menu) {
  QMenu* range = menu->addMenu(tr("Value range"));
  range->setEnabled(m_quantity != Quantity::GradientLog10);
  const std::pair<ValueRange, QString> choices[] = {
      {ValueRange::Automatic, tr("Automatic ([-1, 1] when all activations fit)")},
      {ValueRange::Full, tr("-6 to 6")},
      {ValueRange::Unit, tr("-1 to 1")}};
  for (const auto& [value, text] : choices) {
    QAction* action = range->addAction(text);
    action->setCheckable(true);
    action->setChecked(m_range == value);
    connect(action, &QAction::triggered, this, [this, v = value] { setValueRange(v); });
  }
  QAction* latest = menu->addAction(tr("Follow the latest step"));
  latest->setEnabled(!m_followLatest);
  connect(latest, &QAction::triggered, this, [this] { showLatest(); });
}

}  // namespace gradscope::ui
