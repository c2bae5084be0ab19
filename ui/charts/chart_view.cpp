#include "ui/charts/chart_view.h"

#include <QAreaSeries>
#include <QContextMenuEvent>
#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QGraphicsLineItem>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QLogValueAxis>
#include <QMenu>
#include <QRegularExpression>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

#include "core/model/nice_numbers.h"
#include "ui/charts/mark_label_layout.h"
#include "ui/export/image_export.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

// A nice tick spacing for about `labels` labels over `span`, never wider than the span (so
// at least two labels show).
double tickInterval(double span, int labels) {
  if (!(span > 0.0)) return 1.0;
  const double step = core::niceStepAtLeast(span / double(std::max(1, labels - 1)));
  return step > span ? core::niceStepAtLeast(span / 2.0) : step;
}

// The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that is >= v.
double niceCeil(double v) {
  if (!(v > 0.0)) return 1.0;
  static constexpr double kSteps[] = {1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0};
  const double magnitude = std::pow(10.0, std::floor(std::log10(v)));
  for (double s : kSteps) {
    if (s * magnitude >= v * (1.0 - 1e-12)) return s * magnitude;
  }
  return 10.0 * magnitude;
}

// Range and tick spacing together. Qt Charts lays the axis out on every change, so a new range
// with the old spacing (a diverged loss of 1e30 with ticks every 0.5) would create billions of
// ticks: fixed ticks while the two change.
void setRangeAndTicks(QValueAxis* axis, double lo, double hi, double interval) {
  if (axis->min() == lo && axis->max() == hi && axis->tickInterval() == interval &&
      axis->tickType() == QValueAxis::TicksDynamic) {
    return;
  }
  axis->setTickType(QValueAxis::TicksFixed);
  axis->setRange(lo, hi);
  axis->setTickAnchor(0.0);
  axis->setTickInterval(interval);
  axis->setTickType(QValueAxis::TicksDynamic);
}

}  // namespace

void ValueRange::add(double v) {
  // Beyond this a chart has nothing sensible to show (and spans would overflow).
  if (!(std::abs(v) <= 1e100)) return;
  lo = std::min(lo, v);
  hi = std::max(hi, v);
}

void ValueRange::addPositive(double v) {
  if (v > 0.0) add(v);
}

void ValueRange::add(const app::DecimatedSeries& series, bool positiveOnly) {
  for (const app::DecimatedBucket& b : series.buckets) {
    if (positiveOnly) {
      addPositive(b.min);
      addPositive(b.max);
    } else {
      add(b.min);
      add(b.max);
    }
  }
}

ChartView::ChartView(const QString& title, QWidget* parent) : QChartView(parent) {
  auto* chart = new QChart();
  chart->setAnimationOptions(QChart::NoAnimation);
  chart->setBackgroundRoundness(0);
  chart->setMargins(QMargins(2, 2, 6, 2));
  chart->layout()->setContentsMargins(0, 0, 0, 0);
  chart->setLocalizeNumbers(true);
  chart->legend()->setAlignment(Qt::AlignTop);
  chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
  setChart(chart);
  setTitle(title);
  setRenderHint(QPainter::Antialiasing);
  setFrameShape(QFrame::NoFrame);
  setMinimumSize(200, 140);
  m_exportName = title;
  connect(&ThemeManager::instance(), &ThemeManager::changed, this, &ChartView::applyTheme);
  connect(chart, &QChart::plotAreaChanged, this, &ChartView::onPlotAreaChanged);
  applyTheme();
}

ChartView::~ChartView() = default;

void ChartView::setTitle(const QString& title, const QString& shortTitle) {
  m_title = title;
  m_shortTitle = shortTitle;
  QString shown = m_compact ? QString() : title;
  if (!m_compact && !shortTitle.isEmpty() &&
      QFontMetricsF(theme().titleFont()).horizontalAdvance(title) + 12.0 > width()) {
    shown = shortTitle;
  }
  if (chart()->title() != shown) chart()->setTitle(shown);
}

void ChartView::updateCompact() {
  // Below about fourteen text lines there is no room for a title above legend, plot and axes.
  // A chart narrower than about twenty lines is as short of room for its labels and legend.
  const int line = QFontMetrics(theme().font()).height();
  const bool compact = height() < 14 * line || width() < 20 * line;
  if (compact == m_compact) return;
  m_compact = compact;
  // A compact chart labels its axes in a smaller font (see axisFont()).
  for (QAbstractAxis* axis : chart()->axes()) styleAxis(axis);
  chart()->legend()->setFont(axisFont());
  fitAxisTitles();
}

QFont ChartView::axisFont() const {
  // Presentation text on a chart a few lines high leaves no room for its axes: Qt Charts
  // elides the tick labels to "…" and cuts the titles. Such a chart keeps the presentation
  // title and labels its axes and legend a little smaller (still above the desktop size).
  const Theme& t = theme();
  QFont font = t.font();
  if (t.presentation && m_compact) font.setPointSizeF(std::max(9.0, t.fontPointSize - 4.0));
  return font;
}

void ChartView::resizeEvent(QResizeEvent* event) {
  updateCompact();
  setTitle(m_title, m_shortTitle);
  QChartView::resizeEvent(event);
}

QValueAxis* ChartView::addValueAxis(Qt::Alignment alignment, const QString& title) {
  auto* axis = new QValueAxis();
  axis->setTitleText(title);
  // With localised numbers Qt Charts needs an explicit precision ("%g" draws no labels).
  axis->setLabelFormat(QStringLiteral("%.4g"));
  axis->setRange(0.0, 1.0);
  axis->setMinorTickCount(0);
  chart()->addAxis(axis, alignment);
  connect(axis, &QValueAxis::rangeChanged, this, &ChartView::layoutMarks);
  styleAxis(axis);
  return axis;
}

bool ChartView::overSteps() const {
  for (const auto& [axis, titles] : m_axisTitles) {
    if (axis && axis->orientation() == Qt::Horizontal && !titles.isEmpty() &&
        titles.last() == tr("step")) {
      return true;
    }
  }
  return false;
}

void ChartView::setAxisTitles(QAbstractAxis* axis, const QStringList& titles) {
  if (titles.isEmpty()) return;
  for (auto& [a, list] : m_axisTitles) {
    if (a == axis) {
      list = titles;
      fitAxisTitles();
      return;
    }
  }
  m_axisTitles.emplace_back(axis, titles);
  fitAxisTitles();
}

QString ChartView::fullAxisTitle(const QAbstractAxis* axis) const {
  for (const auto& [a, titles] : m_axisTitles) {
    if (a == axis) return titles.first();
  }
  return axis ? axis->titleText() : QString();
}

void ChartView::fitAxisTitles() {
  const QFontMetricsF metrics(axisFont());
  const QRectF plot = chart()->plotArea();
  for (const auto& [axis, titles] : m_axisTitles) {
    const double length = axis->orientation() == Qt::Horizontal ? plot.width() : plot.height();
    QString title = titles.last();
    for (const QString& candidate : titles) {
      if (metrics.horizontalAdvance(candidate) + 8.0 <= length) {
        title = candidate;
        break;
      }
    }
    if (axis->titleText() != title) axis->setTitleText(title);
  }
}

QLogValueAxis* ChartView::addLogAxis(Qt::Alignment alignment, const QString& title) {
  auto* axis = new QLogValueAxis();
  axis->setTitleText(title);
  axis->setBase(10.0);
  axis->setLabelFormat(QStringLiteral("%.3g"));
  axis->setRange(1e-3, 1.0);
  axis->setMinorTickCount(-1);
  chart()->addAxis(axis, alignment);
  connect(axis, &QLogValueAxis::rangeChanged, this, &ChartView::layoutMarks);
  styleAxis(axis);
  return axis;
}

QLineSeries* ChartView::addLine(const QString& name, QAbstractAxis* x, QAbstractAxis* y) {
  auto* series = new QLineSeries();
  series->setName(name);
  chart()->addSeries(series);
  series->attachAxis(x);
  series->attachAxis(y);
  styleLine(series, theme().accent);
  return series;
}

QScatterSeries* ChartView::addScatter(const QString& name, QAbstractAxis* x, QAbstractAxis* y) {
  auto* series = new QScatterSeries();
  series->setName(name);
  chart()->addSeries(series);
  series->attachAxis(x);
  series->attachAxis(y);
  styleScatter(series, theme().accent);
  return series;
}

QAreaSeries* ChartView::addArea(const QString& name, QAbstractAxis* x, QAbstractAxis* y) {
  auto* series = new QAreaSeries(new QLineSeries(), new QLineSeries());
  series->upperSeries()->setParent(series);
  series->lowerSeries()->setParent(series);
  series->setName(name);
  chart()->addSeries(series);
  series->attachAxis(x);
  series->attachAxis(y);
  return series;
}

void ChartView::setInLegend(QAbstractSeries* series, bool shown) {
  for (QLegendMarker* marker : chart()->legend()->markers(series)) marker->setVisible(shown);
}

void ChartView::styleLine(QXYSeries* series, const QColor& color, double widthScale,
                          Qt::PenStyle style) {
  QPen pen(color);
  pen.setWidthF(theme().lineWidth * widthScale);
  pen.setStyle(style);
  pen.setCapStyle(Qt::FlatCap);
  pen.setJoinStyle(Qt::RoundJoin);
  pen.setCosmetic(true);
  series->setPen(pen);
}

void ChartView::styleScatter(QScatterSeries* series, const QColor& color, double sizeScale) {
  series->setColor(color);
  series->setBorderColor(theme().background);
  series->setMarkerSize((theme().presentation ? 11.0 : 7.0) * sizeScale);
}

int ChartView::plotWidth() const {
  const qreal w = chart()->plotArea().width();
  if (w >= 20.0) return int(w);
  return std::max(100, width() - 70);
}

int ChartView::bucketsFor(int lines, double fraction) const {
  const double columns = double(plotWidth()) * std::clamp(fraction, 0.02, 1.0);
  // Two points (min and max) per bucket per line: about one point per pixel column in all,
  // but never so few that a single line turns into a staircase.
  return std::max(32, int(columns / (2.0 * std::max(1, lines))));
}

int ChartView::pointBudget() const { return std::max(400, 2 * plotWidth()); }

int ChartView::pointCount() const {
  int count = 0;
  for (QAbstractSeries* s : chart()->series()) {
    if (!s->isVisible()) continue;
    if (auto* xy = qobject_cast<QXYSeries*>(s)) {
      count += int(xy->count());
    } else if (auto* area = qobject_cast<QAreaSeries*>(s)) {
      count += int(area->upperSeries()->count());
      if (area->lowerSeries()) count += int(area->lowerSeries()->count());
    }
  }
  return count;
}

void ChartView::fill(QXYSeries* series, const app::DecimatedSeries& data, Envelope envelope) {
  QList<QPointF> points;
  points.reserve(qsizetype(data.buckets.size()) * (envelope == Envelope::MinMax ? 2 : 1));
  double previous = std::numeric_limits<double>::quiet_NaN();
  for (const app::DecimatedBucket& b : data.buckets) {
    if (envelope == Envelope::Mean || b.min == b.max) {
      const double x = 0.5 * double(b.step + b.lastStep);
      points.append(QPointF(x, b.mean));
      previous = b.mean;
      continue;
    }
    // Where min and max fell inside the bucket is not known: the one that continues from
    // the previous point (coming from above, the max) at the bucket's first step, the other at
    // its last, so the line zigzags through the bucket instead of stepping like a square wave.
    const bool maxFirst = !std::isnan(previous) && previous > b.mean;
    points.append(QPointF(double(b.step), maxFirst ? b.max : b.min));
    points.append(QPointF(double(b.lastStep), maxFirst ? b.min : b.max));
    previous = maxFirst ? b.min : b.max;
  }
  setPoints(series, std::move(points));
}

void ChartView::fillBand(QAreaSeries* band, const app::DecimatedSeries& data) {
  QList<QPointF> upper, lower;
  upper.reserve(qsizetype(data.buckets.size()));
  lower.reserve(qsizetype(data.buckets.size()));
  for (const app::DecimatedBucket& b : data.buckets) {
    const double x = 0.5 * double(b.step + b.lastStep);
    upper.append(QPointF(x, b.max));
    lower.append(QPointF(x, b.min));
  }
  setPoints(band->upperSeries(), std::move(upper));
  setPoints(band->lowerSeries(), std::move(lower));
}

void ChartView::styleBand(QAreaSeries* band, const QColor& color) {
  QColor fill = color;
  fill.setAlpha(theme().dark ? 70 : 55);
  band->setBrush(fill);
  band->setPen(Qt::NoPen);
}

void ChartView::setPoints(QXYSeries* series, QList<QPointF> points) {
  double floor = -std::numeric_limits<double>::infinity();
  bool logX = false;
  // The upper and lower lines of an area are not attached to axes: their area is.
  QAbstractSeries* owner = series;
  if (auto* area = qobject_cast<QAreaSeries*>(series->parent())) owner = area;
  for (QAbstractAxis* axis : owner->attachedAxes()) {
    if (auto* log = qobject_cast<QLogValueAxis*>(axis)) {
      if (axis->orientation() == Qt::Vertical) {
        floor = std::max(kLogFloor, log->min());
      } else {
        logX = true;
      }
    }
  }
  qsizetype kept = 0;
  for (qsizetype i = 0; i < points.size(); ++i) {
    QPointF p = points[i];
    if (!std::isfinite(p.x()) || !std::isfinite(p.y())) continue;
    if (logX && p.x() <= 0.0) continue;
    if (p.y() < floor) p.setY(floor);
    points[kept++] = p;
  }
  points.resize(kept);
  series->replace(points);
}

QList<QPointF> ChartView::minMaxPoints(std::size_t count,
                                       const std::function<double(std::size_t)>& x,
                                       const std::function<double(std::size_t)>& y, int buckets) {
  QList<QPointF> points;
  if (count == 0) return points;
  if (count <= std::size_t(2 * std::max(1, buckets))) {
    points.reserve(qsizetype(count));
    for (std::size_t i = 0; i < count; ++i) points.append(QPointF(x(i), y(i)));
    return points;
  }
  points.reserve(2 * buckets);
  for (int b = 0; b < buckets; ++b) {
    const std::size_t begin = count * std::size_t(b) / std::size_t(buckets);
    const std::size_t end = count * std::size_t(b + 1) / std::size_t(buckets);
    std::size_t lo = begin, hi = begin;
    for (std::size_t i = begin; i < end; ++i) {
      const double v = y(i);
      if (!std::isfinite(v)) continue;
      if (!std::isfinite(y(lo)) || v < y(lo)) lo = i;
      if (!std::isfinite(y(hi)) || v > y(hi)) hi = i;
    }
    const std::size_t first = std::min(lo, hi), second = std::max(lo, hi);
    points.append(QPointF(x(first), y(first)));
    if (second != first) points.append(QPointF(x(second), y(second)));
  }
  return points;
}

int ChartView::labelCapacity(Qt::Orientation orientation, const QString& sample) const {
  const QFontMetricsF metrics(axisFont());
  const QRectF plot = chart()->plotArea();
  if (orientation == Qt::Horizontal) {
    const double length = plot.width() >= 20.0 ? plot.width() : double(plotWidth());
    return std::max(2, int(length / (metrics.horizontalAdvance(sample) + metrics.height())));
  }
  const double length = plot.height() >= 20.0 ? plot.height() : std::max(60.0, height() - 90.0);
  return std::max(2, int(length / (1.6 * metrics.height())));
}

void ChartView::fitLayers(QValueAxis* axis, int layers) {
  if (layers <= 0) return;
  axis->setRange(0.5, layers + 0.5);
  axis->setTickType(QValueAxis::TicksDynamic);
  axis->setTickAnchor(1.0);
  const int labels = std::clamp(labelCapacity(Qt::Horizontal, QString::number(layers)), 2, 8);
  const double interval = std::max(1, int(std::ceil(layers / double(labels))));
  if (axis->tickInterval() != interval) axis->setTickInterval(interval);
  axis->setLabelFormat(QStringLiteral("%.0f"));
}

void ChartView::fitSteps(QValueAxis* axis, std::int64_t first, std::int64_t last, bool headroom) {
  const double lo = double(std::max<std::int64_t>(0, first));
  const double need = std::max(double(last), lo + 10.0);
  const double span = need - lo;
  // Keep the axis while the data fits and fills more than a fifth of it.
  const bool keep = axis->min() == lo && axis->max() >= need &&
                    (headroom ? axis->max() - lo <= 5.0 * span : axis->max() == need);
  const double min = keep ? axis->min() : lo;
  const double max = keep ? axis->max() : headroom ? lo + niceCeil(span * 1.04) : need;
  const QString widest = QLocale().toString(max, 'f', 0);
  const int labels = std::clamp(labelCapacity(Qt::Horizontal, widest), 2, 6);
  axis->setLabelFormat(QStringLiteral("%.0f"));
  setRangeAndTicks(axis, min, max, tickInterval(max - min, labels));
}

void ChartView::fitValues(QValueAxis* axis, ValueRange range, bool includeZero) {
  if (!range.valid()) return;
  if (includeZero) {
    range.lo = std::min(range.lo, 0.0);
    range.hi = std::max(range.hi, 0.0);
  }
  double span = range.hi - range.lo;
  if (span <= 0.0) span = std::max(std::abs(range.hi) * 0.1, 1e-6);
  // A little room, so lines do not run along the frame (none below a zero floor).
  if (!(includeZero && range.lo == 0.0)) range.lo -= 0.03 * span;
  if (!(includeZero && range.hi == 0.0)) range.hi += 0.03 * span;
  const int labels = std::clamp(labelCapacity(Qt::Vertical, QString()), 2, 6);
  const double step = tickInterval(range.hi - range.lo, labels);
  double lo = std::floor(range.lo / step) * step;
  double hi = std::ceil(range.hi / step) * step;
  if (hi - lo < step) hi = lo + step;
  // Keep the axis while it holds the data, is not much larger than needed and its ends are
  // on ticks of the current spacing (so the end labels are drawn).
  const double min = axis->min(), max = axis->max();
  auto onTick = [&](double v) { return std::abs(v / step - std::round(v / step)) < 1e-6; };
  const bool keep = min <= range.lo && max >= range.hi && max - min <= 2.0 * (hi - lo) &&
                    onTick(min) && onTick(max) && axis->tickType() == QValueAxis::TicksDynamic &&
                    axis->tickInterval() == step;
  if (keep) return;
  // Whole ticks below a million as plain integers ("25000", not "2.5e+04"): shorter, so a
  // narrow chart (a projector's dashboard cell) draws them whole instead of "2.5e...".
  const bool whole = step >= 1.0 && std::abs(step - std::round(step)) < 1e-9 &&
                     std::max(std::abs(lo), std::abs(hi)) < 1e6;
  axis->setLabelFormat(whole ? QStringLiteral("%.0f") : QStringLiteral("%.4g"));
  // A hair past the end ticks: Qt Charts leaves out a label that rounding puts just outside.
  setRangeAndTicks(axis, lo - step * 1e-9, hi + step * 1e-9, step);
}

void ChartView::fitLog(QLogValueAxis* axis, ValueRange range) {
  if (!range.valid()) return;
  double lo = std::pow(10.0, std::floor(std::log10(range.lo)));
  double hi = std::pow(10.0, std::ceil(std::log10(range.hi)));
  if (hi <= lo) hi = lo * 10.0;
  lo = std::max(lo, 1e-300);
  const double decades = std::log10(hi / lo);
  const double min = axis->min(), max = axis->max();
  const bool keep = min <= range.lo && max >= range.hi && std::log10(max / min) <= decades + 2.0;
  if (!keep) {
    // Slightly past whole decades: Qt Charts leaves out an end label that rounding puts just
    // outside the range (0.1 as 10^-1).
    axis->setRange(lo * (1.0 - 1e-9), hi * (1.0 + 1e-9));
  }
  const double shown = std::round(std::log10(axis->max() / axis->min()));
  const Qt::Orientation orientation = axis->orientation();
  const int capacity = labelCapacity(orientation == Qt::Horizontal ? Qt::Horizontal : Qt::Vertical,
                                     QStringLiteral("1e-05"));
  const int every = std::max(1, int(std::ceil((shown + 1.0) / double(capacity))));
  axis->setBase(std::pow(10.0, every));
  // Minor grid lines at 2..9 times each power of ten while they are far enough apart.
  axis->setMinorTickCount(every == 1 && shown <= 3.0 ? -1 : 0);
}

void ChartView::setMarks(MarkGroup group, std::vector<ChartMark> marks) {
  auto& items = m_markItems[std::size_t(group)];
  while (items.size() > marks.size()) {
    delete items.back().line;
    delete items.back().box;
    delete items.back().text;
    items.pop_back();
  }
  while (items.size() < marks.size()) {
    MarkItem item;
    item.line = new QGraphicsLineItem(chart());
    item.box = new QGraphicsRectItem(chart());
    item.text = new QGraphicsSimpleTextItem(chart());
    item.line->setZValue(20);
    item.box->setZValue(21);
    item.box->setPen(Qt::NoPen);
    item.text->setZValue(22);
    items.push_back(item);
  }
  m_marks[std::size_t(group)] = std::move(marks);
  layoutMarks();
}

int ChartView::markCount(MarkGroup group) const { return int(m_marks[std::size_t(group)].size()); }

const std::vector<ChartMark>& ChartView::marks(MarkGroup group) const {
  return m_marks[std::size_t(group)];
}

void ChartView::setEvents(const std::vector<app::Event>& events,
                          const std::function<bool(app::EventKind)>& show) {
  const std::int64_t lastStep = events.empty() ? -1 : events.back().step;
  if (events.size() == m_eventCount && lastStep == m_lastEventStep) return;
  m_eventCount = events.size();
  m_lastEventStep = lastStep;
  std::vector<ChartMark> marks;
  for (const app::Event& e : events) {
    if (e.kind == app::EventKind::Reset) continue;
    if (show && !show(e.kind)) continue;
    ChartMark mark;
    mark.value = double(e.step);
    mark.label = eventLabel(e);
    mark.toolTip = QStringLiteral("step %1: %2")
                       .arg(e.step)
                       .arg(QString(e.text).replace(QStringLiteral("->"), QString(QChar(0x2192))));
    mark.color = eventColor(e.kind);
    mark.style = e.kind == app::EventKind::SettingChanged ? Qt::DashLine : Qt::SolidLine;
    marks.push_back(std::move(mark));
  }
  setMarks(MarkGroup::Events, std::move(marks));
}

QColor ChartView::eventColor(app::EventKind kind) {
  const Theme& t = theme();
  switch (kind) {
    case app::EventKind::Diverged:
    case app::EventKind::ClippingBurst:
      return t.warning;
    case app::EventKind::LearningRateReduced:
    case app::EventKind::EarlyStop:
      return t.secondary;
    case app::EventKind::SettingChanged:
    case app::EventKind::Finished:
    case app::EventKind::Reset:
      break;
  }
  return t.foreground;
}

QString ChartView::eventLabel(const app::Event& event) {
  switch (event.kind) {
    case app::EventKind::LearningRateReduced:
      return QStringLiteral("LR cut");
    case app::EventKind::ClippingBurst:
      return QStringLiteral("clipping");
    case app::EventKind::EarlyStop:
      return QStringLiteral("early stop");
    case app::EventKind::Diverged:
      return QStringLiteral("diverged");
    case app::EventKind::Finished:
      return QStringLiteral("end");
    case app::EventKind::SettingChanged:
    case app::EventKind::Reset:
      break;
  }
  // What changed from what to what: "layer 1 activation: tanh -> relu" becomes "L1 tanh →
  // relu", "learning rate: 0.01 -> 0.1 (state kept)" "LR 0.01 → 0.1"; the tooltip has the
  // whole text. Without an arrow: the part before the colon ("shuffling off").
  const QString text = event.text;
  const qsizetype colon = text.indexOf(QLatin1Char(':'));
  QString name = colon < 0 ? text : text.left(colon).trimmed();
  QString rest = colon < 0 ? QString() : text.mid(colon + 1).trimmed();
  if (!rest.contains(QStringLiteral("->")) && !rest.contains(QChar(0x2192))) return name;
  // The first change of a list, without its remark in parentheses.
  rest = rest.section(QStringLiteral(", "), 0, 0);
  if (const qsizetype paren = rest.indexOf(QStringLiteral(" (")); paren > 0) rest.truncate(paren);
  rest.replace(QStringLiteral("->"), QString(QChar(0x2192)));
  rest = rest.simplified();
  static const QRegularExpression layer(QStringLiteral("^layer (\\d+) "));
  const QRegularExpressionMatch m = layer.match(name);
  if (m.hasMatch()) return QStringLiteral("L%1 %2").arg(m.captured(1), rest);
  if (name == QLatin1String("network rebuilt")) return rest;  // "width 32 → 64"
  // A bare number needs its name; a named value ("tanh → relu") does not.
  const bool numeric = !rest.isEmpty() && (rest.front().isDigit() || rest.front() == '.');
  if (!numeric) return rest;
  if (name == QLatin1String("learning rate")) name = QStringLiteral("LR");
  if (name == QLatin1String("batch size")) name = QStringLiteral("batch");
  return name + QLatin1Char(' ') + rest;
}

void ChartView::setPlaceholder(const QString& text) {
  if (text.isEmpty()) {
    if (m_placeholder) m_placeholder->hide();
    return;
  }
  if (!m_placeholder) {
    m_placeholder = new QGraphicsSimpleTextItem(chart());
    m_placeholder->setZValue(30);
  }
  m_placeholderText = text;
  m_placeholder->setText(text);
  m_placeholder->setFont(theme().font());
  m_placeholder->setBrush(theme().faint.darker(120));
  m_placeholder->show();
  layoutMarks();
}

void ChartView::contextMenuEvent(QContextMenuEvent* event) {
  QMenu menu(this);
  emit aboutToShowMenu(&menu);
  if (!menu.isEmpty()) menu.addSeparator();
  addExportActions(&menu, this, m_exportName);
  menu.exec(event->globalPos());
}

void ChartView::applyTheme() {
  const Theme& t = theme();
  QChart* c = chart();
  c->setBackgroundBrush(t.background);
  c->setBackgroundPen(Qt::NoPen);
  c->setPlotAreaBackgroundVisible(false);
  c->setTitleFont(t.titleFont());
  c->setTitleBrush(t.foreground);
  QLegend* legend = c->legend();
  legend->setFont(axisFont());
  legend->setLabelColor(t.foreground);
  legend->setBrush(Qt::NoBrush);
  legend->setPen(Qt::NoPen);
  for (QAbstractAxis* axis : c->axes()) styleAxis(axis);
  setBackgroundBrush(t.background);
  updateCompact();
  setTitle(m_title, m_shortTitle);
  fitAxisTitles();
  if (m_placeholder) {
    m_placeholder->setFont(t.font());
    m_placeholder->setBrush(t.faint.darker(120));
  }
  emit themeApplied();
  layoutMarks();
}

void ChartView::styleAxis(QAbstractAxis* axis) const {
  const Theme& t = theme();
  const QFont labels = axisFont();
  const QFont title = axisFont();
  axis->setLabelsFont(labels);
  axis->setLabelsBrush(t.foreground);
  axis->setTitleFont(title);
  axis->setTitleBrush(t.foreground);
  axis->setLinePen(QPen(t.foreground, 1.0));
  axis->setGridLinePen(QPen(t.grid, 1.0));
  axis->setMinorGridLinePen(QPen(t.grid.lighter(t.dark ? 70 : 106), 1.0, Qt::DotLine));
  axis->setShadesVisible(false);
}

QAbstractAxis* ChartView::defaultAxis(Qt::Orientation orientation) const {
  const auto axes = chart()->axes(orientation);
  return axes.isEmpty() ? nullptr : axes.first();
}

double ChartView::toPosition(QAbstractAxis* axis, double value) const {
  const QRectF plot = chart()->plotArea();
  double t = std::numeric_limits<double>::quiet_NaN();
  if (auto* linear = qobject_cast<QValueAxis*>(axis)) {
    if (linear->max() > linear->min())
      t = (value - linear->min()) / (linear->max() - linear->min());
  } else if (auto* log = qobject_cast<QLogValueAxis*>(axis)) {
    if (value > 0.0 && log->max() > log->min() && log->min() > 0.0) {
      t = std::log(value / log->min()) / std::log(log->max() / log->min());
    }
  }
  if (std::isnan(t)) return t;
  return axis->orientation() == Qt::Horizontal ? plot.left() + t * plot.width()
                                               : plot.bottom() - t * plot.height();
}

void ChartView::onPlotAreaChanged() {
  fitAxisTitles();
  layoutMarks();
  const QSizeF size = chart()->plotArea().size();
  const QSizeF& last = m_lastPlotSize;
  if (last.isEmpty() || std::abs(size.width() - last.width()) * 5.0 > last.width() ||
      std::abs(size.height() - last.height()) * 5.0 > last.height()) {
    m_lastPlotSize = size;
    emit plotSizeChanged();
  }
}

void ChartView::layoutMarks() {
  const Theme& t = theme();
  const QRectF plot = chart()->plotArea();
  QFont font = t.font();
  font.setPointSizeF(std::max(7.0, t.fontPointSize - 1.0));
  const QFontMetricsF metrics(font);
  // A pixel between rows: the text items are a hair taller than the font's height.
  const qreal rowHeight = std::ceil(metrics.height()) + 1.0;
  // Vertical marks' labels go in rows under the top edge, shared by all groups, as many rows
  // as the top third of the plot holds (2 to 5); a label that fits in no row is shortened or
  // left out (its line stays, the tooltip has the text). The cursor and highlights are placed
  // before the events, so they keep their labels.
  const int rows = std::clamp(int(plot.height() / (3.0 * rowHeight)), 2, 5);
  MarkLabelLayout labels(plot.left(), plot.right(), rows);
  const qreal shortest = metrics.horizontalAdvance(QStringLiteral("tanh…"));
  static constexpr MarkGroup kOrder[] = {MarkGroup::Timeline, MarkGroup::Cursor,
                                         MarkGroup::Highlights, MarkGroup::Guides,
                                         MarkGroup::Events};
  for (MarkGroup group : kOrder) {
    const std::size_t g = std::size_t(group);
    const auto& marks = m_marks[g];
    auto& items = m_markItems[g];
    // The cursor and highlights above the events they may coincide with.
    const qreal z = group == MarkGroup::Timeline     ? 27
                    : group == MarkGroup::Cursor     ? 26
                    : group == MarkGroup::Highlights ? 23
                                                     : 20;
    for (std::size_t i = 0; i < marks.size(); ++i) {
      const ChartMark& mark = marks[i];
      MarkItem& item = items[i];
      item.line->setZValue(z);
      QAbstractAxis* axis =
          mark.axis ? mark.axis
                    : defaultAxis(mark.orientation == Qt::Vertical ? Qt::Horizontal : Qt::Vertical);
      const double p = axis && plot.width() > 1.0 ? toPosition(axis, mark.value) : NAN;
      const bool vertical = mark.orientation == Qt::Vertical;
      const bool inside =
          std::isfinite(p) && (vertical ? p >= plot.left() - 0.5 && p <= plot.right() + 0.5
                                        : p >= plot.top() - 0.5 && p <= plot.bottom() + 0.5);
      item.box->hide();
      if (!inside) {
        item.line->hide();
        item.text->hide();
        continue;
      }
      QPen pen(mark.color, t.presentation ? 2.0 : 1.0, mark.style);
      pen.setCosmetic(true);
      item.line->setPen(pen);
      item.line->setToolTip(mark.toolTip);
      if (vertical) {
        item.line->setLine(p, plot.top(), p, plot.bottom());
      } else {
        item.line->setLine(plot.left(), p, plot.right(), p);
      }
      item.line->show();
      if (mark.label.isEmpty()) {
        item.text->hide();
        continue;
      }
      item.text->setFont(font);
      item.text->setBrush(mark.color);
      item.text->setText(mark.label);
      item.text->setToolTip(mark.toolTip);
      qreal w = metrics.horizontalAdvance(mark.label);
      if (vertical) {
        const MarkLabelLayout::Place place = labels.place(p, w, std::min(w, shortest));
        if (place.row < 0) {
          item.text->hide();
          continue;
        }
        if (place.width < w) {
          item.text->setText(metrics.elidedText(mark.label, Qt::ElideRight, place.width));
          w = metrics.horizontalAdvance(item.text->text());
        }
        item.text->setPos(place.x, plot.top() + 1.0 + place.row * rowHeight);
      } else {
        item.text->setPos(plot.right() - w - 4.0, p - rowHeight - 1.0);
      }
      item.text->show();
      QColor backdrop = t.background;
      backdrop.setAlpha(200);
      item.box->setBrush(backdrop);
      item.box->setRect(QRectF(item.text->pos(), QSizeF(w, rowHeight)).adjusted(-1, 0, 1, 0));
      item.box->show();
    }
  }
  if (m_placeholder && m_placeholder->isVisible()) {
    // Within the plot, clear of the axes' tick labels: wider than the plot, it goes onto two
    // lines, broken at the space nearest its middle.
    QString text = m_placeholderText;
    const QFontMetricsF fm(m_placeholder->font());
    if (fm.horizontalAdvance(text) > plot.width() - 8.0) {
      const qsizetype middle = text.size() / 2;
      const qsizetype before = text.lastIndexOf(QLatin1Char(' '), middle);
      const qsizetype after = text.indexOf(QLatin1Char(' '), middle);
      const qsizetype at = before < 0                          ? after
                           : after < 0                         ? before
                           : middle - before <= after - middle ? before
                                                               : after;
      if (at > 0) text[at] = QLatin1Char('\n');
    }
    if (m_placeholder->text() != text) m_placeholder->setText(text);
    const QRectF r = m_placeholder->boundingRect();
    m_placeholder->setPos(plot.center() - QPointF(r.width() / 2.0, r.height() / 2.0));
  }
}

}  // namespace gradscope::ui
