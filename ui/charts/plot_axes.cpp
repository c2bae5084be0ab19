#include "ui/charts/plot_axes.h"

#include <QFontMetrics>
#include <QLocale>
#include <QPainter>

#include <algorithm>
#include <cmath>

#include "core/model/nice_numbers.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

// The smallest round step that puts at most maxTicks ticks in a span: one above span / maxTicks
// when that is itself round (10 over 5 ticks steps by 2.5, not 2, which would give 6 ticks).
double niceStep(double span, int maxTicks) {
  maxTicks = std::max(2, maxTicks);
  const double step = core::niceStepAtLeast(span / maxTicks);
  const bool tooMany = std::floor(span / step + 1e-9) + 1 > maxTicks;
  return tooMany ? core::niceStepAtLeast(step * 1.000001) : step;
}

QString trimmed(double value, int decimals) {
  QString s = QString::number(value, 'f', std::max(0, decimals));
  if (s.contains('.')) {
    while (s.endsWith('0')) s.chop(1);
    if (s.endsWith('.')) s.chop(1);
  }
  if (s == "-0") s = "0";
  return s;
}

}  // namespace

std::vector<AxisTick> linearTicks(double lo, double hi, int maxTicks) {
  std::vector<AxisTick> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi) || hi < lo || maxTicks < 1) return ticks;
  if (hi == lo) return {{lo, formatValue(lo)}};
  const double step = niceStep(hi - lo, std::max(2, maxTicks));
  const int decimals = std::max(0, -int(std::floor(std::log10(step) + 1e-9)) + 1);
  for (double v = std::ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push_back({v, trimmed(v, decimals)});
  }
  return ticks;
}

std::vector<AxisTick> decadeTicks(double log10Lo, double log10Hi, int maxTicks) {
  std::vector<AxisTick> ticks;
  if (!std::isfinite(log10Lo) || !std::isfinite(log10Hi) || log10Hi < log10Lo) return ticks;
  const int lo = int(std::ceil(log10Lo - 1e-9));
  const int hi = int(std::floor(log10Hi + 1e-9));
  int every = 1;
  for (const int e : {1, 2, 5, 10, 20, 50}) {
    every = e;
    if ((hi - lo) / e + 1 <= std::max(1, maxTicks)) break;
  }
  // Anchor on multiples of `every` so ticks stay put as the range grows.
  const int first = int(std::ceil(double(lo) / every)) * every;
  for (int e = first; e <= hi; e += every) ticks.push_back({double(e), formatPowerOfTen(e)});
  return ticks;
}

std::vector<AxisTick> stepTicks(std::int64_t first, std::int64_t last, int maxTicks) {
  std::vector<AxisTick> ticks;
  if (last < first || maxTicks < 1) return ticks;
  if (last == first) return {{double(first), formatCompact(double(first))}};
  const double step = std::max(1.0, niceStep(double(last - first), std::max(2, maxTicks)));
  const double rounded = std::round(step);
  for (double v = std::ceil(double(first) / rounded) * rounded; v <= double(last); v += rounded) {
    ticks.push_back({v, formatCompact(v)});
  }
  return ticks;
}

QString formatStep(std::int64_t step) {
  return QLocale(QLocale::English).toString(qlonglong(step));
}

QString formatCompact(double value) {
  const double a = std::abs(value);
  if (a >= 1e9) return trimmed(value / 1e9, 2) + "G";
  if (a >= 1e6) return trimmed(value / 1e6, 2) + "M";
  if (a >= 1e4) return trimmed(value / 1e3, 1) + "k";
  if (a >= 1e3) return trimmed(value / 1e3, 2) + "k";
  return trimmed(value, 2);
}

QString formatPowerOfTen(int exponent) {
  if (exponent >= 0 && exponent <= 3) return QString::number(std::int64_t(std::pow(10, exponent)));
  if (exponent < 0 && exponent >= -2) return trimmed(std::pow(10.0, exponent), -exponent);
  return QStringLiteral("1e%1").arg(exponent);
}

QString formatValue(double value) {
  if (std::isnan(value)) return QStringLiteral("-");
  if (std::isinf(value)) return value > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
  const double a = std::abs(value);
  if (a != 0 && (a < 1e-3 || a >= 1e5)) return QString::number(value, 'e', 2);
  return QString::number(value, 'g', 3);
}

QString formatPercent(double share) {
  if (!std::isfinite(share)) return QStringLiteral("\u2013");
  const double p = 100.0 * share;
  return p > 0.0 && p < 1.0 ? QStringLiteral("<1%") : QStringLiteral("%1%").arg(p, 0, 'f', 0);
}

QString formatReading(double value) {
  if (!std::isfinite(value)) return QStringLiteral("–");
  const double magnitude = std::abs(value);
  if (magnitude != 0.0 && (magnitude < 1e-3 || magnitude >= 1e5)) {
    return QString::number(value, 'e', 2);
  }
  return QString::number(value, 'g', 4);
}

QPolygonF starMarker(const QPointF& centre, double radius) {
  QPolygonF polygon;
  for (int i = 0; i < 10; ++i) {
    const double angle = -M_PI / 2 + i * M_PI / 5;
    const double r = i % 2 == 0 ? radius : radius * 0.45;
    polygon << centre + QPointF(r * std::cos(angle), r * std::sin(angle));
  }
  return polygon;
}

int colorBarWidth(const std::vector<AxisTick>& ticks) {
  const QFontMetrics fm(theme().font());
  int label = 0;
  for (const AxisTick& t : ticks) label = std::max(label, fm.horizontalAdvance(t.label));
  return fm.height() + 4 + label;  // bar of one text height, gap, labels
}

void drawColorBar(QPainter& painter, const QRect& bar, const std::function<QColor(double)>& color,
                  const std::vector<AxisTick>& ticks) {
  const Theme& th = theme();
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing, false);
  const int h = std::max(1, bar.height());
  for (int y = 0; y < h; ++y) {
    painter.setPen(color(1.0 - (double(y) + 0.5) / h));
    painter.drawLine(bar.left(), bar.top() + y, bar.right(), bar.top() + y);
  }
  painter.setPen(th.foreground);
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(bar.adjusted(0, 0, -1, -1));
  painter.setFont(th.font());
  const QFontMetrics fm(painter.font());
  for (const AxisTick& t : ticks) {
    const int y = bar.bottom() - int(std::lround(t.value * (h - 1)));
    painter.drawLine(bar.right() - 2, y, bar.right() + 2, y);
    painter.drawText(QPoint(bar.right() + 4, y + fm.ascent() / 2 - 1), t.label);
  }
  painter.restore();
}

void drawTitle(QPainter& painter, const QRect& line, const QString& text) {
  const Theme& th = theme();
  painter.setFont(th.titleFont());
  painter.setPen(th.foreground);
  const QFontMetrics fm(painter.font());
  painter.drawText(line, Qt::AlignLeft | Qt::AlignVCenter,
                   fm.elidedText(text, Qt::ElideRight, std::max(0, line.width())));
  painter.setFont(th.font());
}

void drawTitle(QPainter& painter, const QRect& line, const QStringList& variants) {
  const QFontMetrics fm(theme().titleFont());
  for (const QString& text : variants) {
    if (fm.horizontalAdvance(text) <= line.width()) return drawTitle(painter, line, text);
  }
  drawTitle(painter, line, variants.isEmpty() ? QString() : variants.back());
}

void drawMessage(QPainter& painter, const QRect& rect, const QString& text) {
  painter.save();
  painter.setPen(theme().foreground);
  painter.setFont(theme().font());
  painter.drawText(rect.adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, text);
  painter.restore();
}

QColor mixColors(const QColor& a, const QColor& b, double f) {
  f = std::clamp(f, 0.0, 1.0);
  return QColor(int(std::lround(a.red() * (1 - f) + b.red() * f)),
                int(std::lround(a.green() * (1 - f) + b.green() * f)),
                int(std::lround(a.blue() * (1 - f) + b.blue() * f)));
}

}  // namespace gradscope::ui
