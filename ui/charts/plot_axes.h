// Axis ticks, number formats, colour bars and messages shared by the painted views (heatmap,
// histograms, saturation, decision boundary, network view). Drawn with QPainter only, so a
// view exports to SVG through QWidget::render.
#pragma once

#include <QColor>
#include <QPolygonF>
#include <QRect>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <vector>

class QPainter;

namespace gradscope::ui {

// The length of an axis tick mark, in pixels, in every painted view.
inline constexpr int kTickLength = 4;

struct AxisTick {
  double value = 0.0;
  QString label;
};

// At most `maxTicks` round values (1, 2, 5 x 10^k apart) within [lo, hi].
std::vector<AxisTick> linearTicks(double lo, double hi, int maxTicks);
// Whole decades within [lo, hi] (given as log10 values), every 1, 2, 5, 10... decades so that
// at most `maxTicks` remain, labelled 1e-8, 0.01, 1, 100 ...
std::vector<AxisTick> decadeTicks(double log10Lo, double log10Hi, int maxTicks);
// Step ticks: round numbers labelled 0, 500, 1.5k, 20k, 1.2M.
std::vector<AxisTick> stepTicks(std::int64_t first, std::int64_t last, int maxTicks);

QString formatStep(std::int64_t step);   // 1234 -> "1,234"
QString formatCompact(double value);     // 1500 -> "1.5k"
QString formatPowerOfTen(int exponent);  // -8 -> "1e-8", 0 -> "1", -2 -> "0.01"
QString formatValue(double value);       // 3 significant digits, "-" for NaN
// A share as a whole percentage ("37%"), "<1%" for a small non-zero share, "–" when unknown.
QString formatPercent(double share);
// A figure in the status bar and the Runs table: 4 significant digits, 2 decimals in scientific
// form outside [1e-3, 1e5), "–" when not finite. One format, so the two always agree.
QString formatReading(double value);

// A vertical colour bar in `bar` (t = 0 at the bottom, 1 at the top) with tick labels on its
// right; ticks are given in t.
void drawColorBar(QPainter& painter, const QRect& bar, const std::function<QColor(double)>& color,
                  const std::vector<AxisTick>& ticks);
// The width a colour bar needs for its labels, bar included.
int colorBarWidth(const std::vector<AxisTick>& ticks);

// A view's title in the theme's title font, left-aligned in `line` and elided to fit; the
// painter's font is the normal one afterwards.
void drawTitle(QPainter& painter, const QRect& line, const QString& text);
// The first of `variants` (longest first) that fits, else the last one elided.
void drawTitle(QPainter& painter, const QRect& line, const QStringList& variants);

// A centred, word-wrapped message in the theme's faint text colour.
void drawMessage(QPainter& painter, const QRect& rect, const QString& text);

// A five-pointed star around `centre` (outer radius `radius`): the marker of a minimum.
QPolygonF starMarker(const QPointF& centre, double radius);

// a * (1 - f) + b * f per channel.
QColor mixColors(const QColor& a, const QColor& b, double f);

}  // namespace gradscope::ui
