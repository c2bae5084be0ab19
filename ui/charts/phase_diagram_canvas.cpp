#include "ui/charts/phase_diagram_canvas.h"

#include <QContextMenuEvent>
#include <QFontMetrics>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

#include "core/signal/signal_propagation.h"
#include "ui/charts/plot_axes.h"
#include "ui/export/image_export.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {
// ln chi_1 at which the colour saturates, on each side: chi_1 falls to 0 in the ordered phase
// but rarely exceeds e^0.5 in the chaotic one (tanh at sigma_w^2 = 4: 1.36).
constexpr double kOrderedRange = 1.5;
constexpr double kChaoticRange = 0.5;

QString symbolValue(double x) { return std::isinf(x) ? QStringLiteral("∞") : formatValue(x); }
}  // namespace

PhaseDiagramCanvas::PhaseDiagramCanvas(QWidget* parent) : QWidget(parent) {
  setMinimumSize(160, 120);
  setAttribute(Qt::WA_OpaquePaintEvent);
  connect(&ThemeManager::instance(), &ThemeManager::changed, this,
          qOverload<>(&PhaseDiagramCanvas::update));
}

void PhaseDiagramCanvas::setResult(std::shared_ptr<const core::SignalPropagation> result) {
  m_result = std::move(result);
  update();
}

QRect PhaseDiagramCanvas::plotRect() const {
  const QFontMetrics fm(theme().font());
  const int line = fm.height();
  const int left = fm.horizontalAdvance(QStringLiteral("0.55")) + line + 10;
  // Title line on top; tick labels and the axis title below.
  return rect().adjusted(left, QFontMetrics(theme().titleFont()).height() + 8, -10,
                         -(2 * line + 8));
}

QPointF PhaseDiagramCanvas::markerPosition() const {
  if (!m_result || m_result->diagram.empty()) return {};
  const core::PhaseDiagram& d = m_result->diagram;
  const QRect plot = plotRect();
  const double x = std::clamp(m_result->variances.weight / d.weightMax, 0.0, 1.0);
  const double y = std::clamp(m_result->variances.bias / d.biasMax, 0.0, 1.0);
  return {plot.left() + x * plot.width(), plot.bottom() - y * plot.height()};
}

void PhaseDiagramCanvas::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  const Theme& t = theme();
  painter.fillRect(rect(), t.background);
  painter.setFont(t.font());
  painter.setPen(t.foreground);
  const QFontMetrics fm(t.font());
  const QRect titleLine(4, 2, width() - 8, QFontMetrics(t.titleFont()).height() + 2);
  if (!m_result || m_result->diagram.empty()) {
    drawTitle(painter, titleLine, tr("Order-to-chaos phase diagram"));
    drawMessage(painter, rect(),
                m_result ? QString::fromStdString(m_result->note)
                         : tr("The phase diagram appears when the network is built."));
    return;
  }
  const core::SignalPropagation& r = *m_result;
  const core::PhaseDiagram& d = r.diagram;
  const QString activation = QString::fromUtf8(core::toString(r.activation.kind).data());
  const QString chi = formatValue(r.fixedPoint.chi1);
  const QString xi = symbolValue(r.fixedPoint.xiC);
  drawTitle(
      painter, titleLine,
      {tr("Phase diagram (%1): χ₁ = %2, ξ_c = %3 layers").arg(activation, chi, xi),
       tr("%1: χ₁ = %2, ξ_c = %3").arg(activation, chi, xi), tr("χ₁ = %1, ξ_c = %2").arg(chi, xi)});

  const QRect plot = plotRect();
  if (plot.width() < 20 || plot.height() < 20) return;
  auto toX = [&](double w) { return plot.left() + w / d.weightMax * plot.width(); };
  auto toY = [&](double b) { return plot.bottom() - b / d.biasMax * plot.height(); };
  // Each grid point colours the cell around it: blue (ordered) - pale (edge) - red (chaotic).
  painter.save();
  painter.setClipRect(plot);
  const double halfW = d.weightMax / d.columns / 2, halfB = d.biasMax / (d.rows - 1) / 2;
  for (int k = 0; k < d.rows; ++k) {
    for (int j = 0; j < d.columns; ++j) {
      const double rate = std::log(d.chi1At(j, k));
      const double tone =
          std::isfinite(rate)
              ? std::clamp(rate / (rate < 0 ? kOrderedRange : kChaoticRange), -1.0, 1.0)
              : -1.0;
      const QRectF cell(QPointF(toX(d.weightAt(j) - halfW), toY(d.biasAt(k) + halfB)),
                        QPointF(toX(d.weightAt(j) + halfW), toY(d.biasAt(k) - halfB)));
      painter.fillRect(cell.adjusted(0, 0, 0.5, 0.5), t.diverging(tone));
    }
  }
  // The critical line chi_1 = 1.
  QPainterPath critical;
  bool started = false;
  for (int k = 0; k < d.rows; ++k) {
    const double w = d.criticalWeight[std::size_t(k)];
    if (!std::isfinite(w)) {
      started = false;
      continue;
    }
    const QPointF p(toX(w), toY(d.biasAt(k)));
    started ? critical.lineTo(p) : critical.moveTo(p);
    started = true;
  }
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(QPen(t.foreground, t.lineWidth * 1.5, Qt::DashLine));
  painter.setBrush(Qt::NoBrush);
  painter.drawPath(critical);
  // Phase names inside the plot, where their phase is.
  painter.setPen(t.foreground);
  const int pad = 4;
  painter.drawText(plot.adjusted(pad, pad, -pad, -pad), Qt::AlignLeft | Qt::AlignTop,
                   tr("ordered\n(vanishing)"));
  painter.drawText(plot.adjusted(pad, pad, -pad, -pad), Qt::AlignRight | Qt::AlignTop,
                   tr("chaotic\n(exploding)"));
  painter.restore();

  // The current initialiser, unclipped: on an axis (no bias) it is drawn whole.
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing);
  const QPointF m = markerPosition();
  const double size = fm.height() * 0.45;
  painter.setPen(QPen(t.background, t.lineWidth * 3.5));
  painter.drawLine(m + QPointF(-size, -size), m + QPointF(size, size));
  painter.drawLine(m + QPointF(-size, size), m + QPointF(size, -size));
  painter.setPen(QPen(t.foreground, t.lineWidth * 1.8));
  painter.drawLine(m + QPointF(-size, -size), m + QPointF(size, size));
  painter.drawLine(m + QPointF(-size, size), m + QPointF(size, -size));
  const QString here = tr("this initialiser");
  const int textWidth = fm.horizontalAdvance(here);
  const bool right = m.x() + size + 4 + textWidth < plot.right();
  const QPointF anchor(right ? m.x() + size + 4 : m.x() - size - 4 - textWidth,
                       std::max(double(plot.top()) + fm.ascent(), m.y() - size - 2));
  const QRectF box(anchor.x() - 2, anchor.y() - fm.ascent(), textWidth + 4, fm.height());
  QColor backing = t.background;
  backing.setAlpha(200);
  painter.fillRect(box, backing);
  painter.drawText(anchor, here);
  painter.restore();

  // Axes.
  painter.setPen(t.foreground);
  painter.drawRect(plot.adjusted(0, 0, -1, -1));
  const int maxX = std::max(2, plot.width() / (fm.horizontalAdvance(QStringLiteral("0.00")) + 16));
  for (const AxisTick& tick : linearTicks(0.0, d.weightMax, maxX)) {
    const int x = int(std::lround(toX(tick.value)));
    painter.drawLine(x, plot.bottom(), x, plot.bottom() + 3);
    painter.drawText(QRect(x - 30, plot.bottom() + 3, 60, fm.height()), Qt::AlignHCenter,
                     tick.label);
  }
  painter.drawText(QRect(plot.left(), plot.bottom() + 3 + fm.height(), plot.width(), fm.height()),
                   Qt::AlignHCenter, tr("σ_w²  (weight variance × fan-in)"));
  const int maxY = std::max(2, plot.height() / (2 * fm.height()));
  for (const AxisTick& tick : linearTicks(0.0, d.biasMax, maxY)) {
    const int y = int(std::lround(toY(tick.value)));
    painter.drawLine(plot.left() - 3, y, plot.left(), y);
    painter.drawText(QRect(0, y - fm.height() / 2, plot.left() - 5, fm.height()),
                     Qt::AlignRight | Qt::AlignVCenter, tick.label);
  }
  painter.save();
  painter.translate(fm.height() / 2 + 1, plot.center().y());
  painter.rotate(-90);
  painter.drawText(QRect(-plot.height() / 2, -fm.height() / 2, plot.height(), fm.height()),
                   Qt::AlignCenter, tr("σ_b²"));
  painter.restore();
}

void PhaseDiagramCanvas::contextMenuEvent(QContextMenuEvent* event) {
  QMenu menu(this);
  addExportActions(&menu, this, QStringLiteral("phase_diagram"));
  menu.exec(event->globalPos());
}

}  // namespace gradscope::ui
