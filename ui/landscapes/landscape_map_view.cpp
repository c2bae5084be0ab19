#include "ui/landscapes/landscape_map_view.h"

#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPaintEngine>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>
#include <cmath>

#include "app/landscapes/landscape_model.h"
#include "core/landscapes/surface_grid.h"
#include "ui/charts/plot_axes.h"
#include "ui/export/image_export.h"
#include "ui/landscapes/landscape_style.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

// How strongly the colour map shows through the background: pale enough that every racer's
// colour stands out on it, on a projector too.
constexpr double kLandscapeMapStrength = 0.5;

// The part of segment a-b inside `box` (Liang-Barsky); false when none is. Paths that diverge
// reach a million units, far beyond what a painter can rasterise.
bool clipSegment(QPointF& a, QPointF& b, const QRectF& box) {
  double t0 = 0.0, t1 = 1.0;
  const double dx = b.x() - a.x(), dy = b.y() - a.y();
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {a.x() - box.left(), box.right() - a.x(), a.y() - box.top(),
                       box.bottom() - a.y()};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0.0) {
      if (q[i] < 0.0) return false;
      continue;
    }
    const double t = q[i] / p[i];
    if (p[i] < 0.0) {
      t0 = std::max(t0, t);
    } else {
      t1 = std::min(t1, t);
    }
    if (t0 > t1) return false;
  }
  const QPointF start = a;
  a = start + t0 * QPointF(dx, dy);
  b = start + t1 * QPointF(dx, dy);
  return true;
}

QPolygonF diamond(const QPointF& c, double r) {
  return QPolygonF{c + QPointF(0, -r), c + QPointF(r, 0), c + QPointF(0, r), c + QPointF(-r, 0)};
}

void drawCross(QPainter& painter, const QPointF& c, double r) {
  painter.drawLine(c + QPointF(-r, -r), c + QPointF(r, r));
  painter.drawLine(c + QPointF(-r, r), c + QPointF(r, -r));
}

double markerRadius() { return theme().presentation ? 9.0 : 6.5; }

}  // namespace

LandscapeMapView::LandscapeMapView(app::LandscapeModel* model, QWidget* parent)
    : QWidget(parent), m_model(model) {
  setAttribute(Qt::WA_OpaquePaintEvent);
  setFont(theme().font());
  setCursor(Qt::CrossCursor);
  // The surface is sampled when it changes, never while painting.
  rebuildImage();
  connect(m_model, &app::LandscapeModel::changed, this, [this] {
    if (!(m_model->race().landscape == m_imageSettings)) {
      rebuildImage();
      m_layerStale = true;
    }
    m_layout.reset();  // the legend's rows and the colour bar's labels may change
    update();
  });
  connect(m_model, &app::LandscapeModel::cursorChanged, this, qOverload<>(&QWidget::update));
  connect(&ThemeManager::instance(), &ThemeManager::changed, this, [this] {
    setFont(theme().font());
    rebuildImage();
    m_layerStale = true;
    m_layout.reset();
    update();
  });
}

std::vector<AxisTick> LandscapeMapView::colorBarTicks(int maxTicks) const {
  // Labelled at (some of) the contour levels, in the units the bar's header names.
  const core::SurfaceMap& map = m_model->surfaceMap(kGridSize, kGridSize);
  std::vector<AxisTick> ticks;
  const std::size_t every =
      std::max<std::size_t>(1, (map.levels.size() + std::size_t(std::max(1, maxTicks)) - 1) /
                                   std::size_t(std::max(1, maxTicks)));
  for (std::size_t i = 0; i < map.levels.size(); i += every) {
    const double level = map.levels[i];
    ticks.push_back({map.scale.position(level),
                     formatValue(map.scale.log ? level - map.scale.minimum : level)});
  }
  return ticks;
}

int LandscapeMapView::colorBarWidth() const {
  const QFontMetrics fm(theme().font());
  return std::max(ui::colorBarWidth(colorBarTicks(100)),
                  fm.horizontalAdvance(QStringLiteral("f \u2212 f*")));
}

int LandscapeMapView::legendEntryWidth() const {
  const QFontMetrics fm(theme().font());
  int names = fm.horizontalAdvance(tr("local minimum"));
  for (core::OptimizerKind kind : core::allOptimizerKinds()) {
    names = std::max(names, fm.horizontalAdvance(racerName(kind)) +
                                fm.horizontalAdvance(QStringLiteral("  diverged 8888")));
  }
  return 2 * fm.height() + names + fm.height();
}

int LandscapeMapView::markerCount() const {
  int count = 2;  // minimum, start
  bool local = false, saddle = false;
  for (const core::CriticalPoint& c : m_model->landscape().criticalPoints()) {
    local = local || c.kind == core::CriticalKind::LocalMinimum;
    saddle = saddle || c.kind == core::CriticalKind::Saddle;
  }
  return count + int(local) + int(saddle);
}

int LandscapeMapView::leftMargin() const {
  const QFontMetrics fm(theme().font());
  return 6 + fm.height() + 6 + fm.horizontalAdvance(QStringLiteral("-8.8")) + kTickLength + 4;
}

const LandscapeMapView::Layout& LandscapeMapView::layout() const {
  if (m_layout && m_layoutSize == size()) return *m_layout;
  m_layout = computeLayout();
  m_layoutSize = size();
  return *m_layout;
}

LandscapeMapView::Layout LandscapeMapView::computeLayout() const {
  const QFontMetrics fm(theme().font());
  const QFontMetrics title(theme().titleFont());
  const QRect r = rect();
  const int line = fm.height() + 4;
  Layout l;
  l.title = QRect(r.left() + 8, r.top() + 4, r.width() - 16, title.height() + 4);
  const int top = l.title.bottom() + 8;
  const int axisBelow = kTickLength + 2 * fm.height() + 10;
  const int left = leftMargin();
  const int bar = colorBarWidth();
  // The legend runs under the plot in as many columns as the width allows, so the plot keeps
  // the height (a legend beside it would take the width that a square plot needs).
  l.entryWidth = legendEntryWidth();
  l.columns = std::max(1, (r.width() - left - 8) / l.entryWidth);
  const int racers = std::max<int>(1, int(m_model->trajectories().size()));
  const auto rows = [&](int n) { return (n + l.columns - 1) / l.columns; };
  const int legendHeight = (1 + rows(racers) + rows(markerCount())) * line + 6;
  const int size = std::max(
      60, std::min(r.width() - left - bar - 30, r.height() - top - axisBelow - legendHeight - 4));
  l.plot = QRect(r.left() + left, top, size, size);
  l.bar = QRect(l.plot.right() + 14, top, bar, size);
  l.legend =
      QRect(r.left() + left, l.plot.bottom() + axisBelow, r.width() - left - 8, legendHeight);
  return l;
}

QRect LandscapeMapView::plotRect() const { return layout().plot; }

QPointF LandscapeMapView::toWidget(const core::Point2& p) const {
  const QRect plot = plotRect();
  const core::ViewRect v = m_model->landscape().viewRect();
  return {plot.left() + (p.x() - v.xMin) / v.width() * plot.width(),
          plot.top() + (v.yMax - p.y()) / v.height() * plot.height()};
}

core::Point2 LandscapeMapView::toParameters(const QPointF& pos) const {
  const QRect plot = plotRect();
  const core::ViewRect v = m_model->landscape().viewRect();
  return {v.xMin + (pos.x() - plot.left()) / plot.width() * v.width(),
          v.yMax - (pos.y() - plot.top()) / plot.height() * v.height()};
}

void LandscapeMapView::rebuildImage() {
  const core::SurfaceMap& map = m_model->surfaceMap(kGridSize, kGridSize);
  const Theme& th = theme();
  m_image = QImage(map.grid.columns, map.grid.rows, QImage::Format_RGB32);
  for (int row = 0; row < map.grid.rows; ++row) {
    // Grid row 0 is the bottom of the view; image row 0 is its top.
    auto* line = reinterpret_cast<QRgb*>(m_image.scanLine(map.grid.rows - 1 - row));
    for (int column = 0; column < map.grid.columns; ++column) {
      const double t = map.scale.position(map.grid.at(column, row));
      const QColor c = std::isnan(t) ? th.background
                                     : mixColors(th.background, th.heat(t), kLandscapeMapStrength);
      line[column] = c.rgb();
    }
  }
  m_imageSettings = m_model->race().landscape;
}

void LandscapeMapView::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  const Theme& th = theme();
  painter.fillRect(rect(), th.background);
  painter.setFont(th.font());
  const Layout& l = layout();
  drawTitle(painter, l.title,
            QStringList{QStringLiteral("%1:  %2").arg(
                            QString::fromStdString(m_model->landscape().name()),
                            QString::fromStdString(m_model->landscape().formula())),
                        QString::fromStdString(m_model->landscape().name())});
  paintSurface(painter, l.plot);
  paintAxes(painter, l.plot);
  painter.save();
  painter.setClipRect(l.plot);
  painter.setRenderHint(QPainter::Antialiasing, true);
  paintCriticalPoints(painter);
  paintTrajectories(painter, l.plot);
  painter.restore();
  paintColorBar(painter, l.bar);
  paintLegend(painter, l);
}

void LandscapeMapView::paintSurface(QPainter& painter, const QRect& plot) {
  const bool vector = painter.paintEngine() && painter.paintEngine()->type() == QPaintEngine::SVG;
  if (vector) {
    // An SVG keeps its contour lines as lines.
    paintSurfaceLayer(painter, plot);
    return;
  }
  // Thousands of antialiased contour segments take far longer than a frame: they are drawn
  // once per size, surface and theme into a layer at the device's resolution.
  const qreal ratio = painter.device() ? painter.device()->devicePixelRatioF() : 1.0;
  const QSize pixels = (QSizeF(plot.size()) * ratio).toSize();
  if (m_layer.size() != pixels || m_layer.devicePixelRatioF() != ratio || m_layerStale) {
    m_layer = QImage(pixels, QImage::Format_ARGB32_Premultiplied);
    m_layer.setDevicePixelRatio(ratio);
    m_layer.fill(Qt::transparent);
    QPainter layer(&m_layer);
    layer.translate(-plot.topLeft());
    paintSurfaceLayer(layer, plot);
    m_layerStale = false;
  }
  painter.drawImage(plot.topLeft(), m_layer);
}

void LandscapeMapView::paintSurfaceLayer(QPainter& painter, const QRect& plot) {
  const Theme& th = theme();
  painter.save();
  painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
  painter.drawImage(QRectF(plot), m_image);
  painter.setClipRect(plot);
  painter.setRenderHint(QPainter::Antialiasing, true);
  const core::SurfaceMap& map = m_model->surfaceMap(kGridSize, kGridSize);
  QColor line = th.foreground;
  line.setAlpha(th.dark ? 90 : 75);
  QPen pen(line, th.presentation ? 1.4 : 1.0);
  pen.setCosmetic(true);
  painter.setPen(pen);
  QVector<QLineF> lines;
  for (const auto& contour : map.contours) {
    lines.clear();
    lines.reserve(qsizetype(contour.size()));
    for (const core::ContourSegment& s : contour)
      lines.append(QLineF(toWidget(s.a), toWidget(s.b)));
    painter.drawLines(lines);
  }
  painter.restore();
}

void LandscapeMapView::paintAxes(QPainter& painter, const QRect& plot) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const core::ViewRect v = m_model->landscape().viewRect();
  painter.setPen(th.foreground);
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(plot.adjusted(0, 0, -1, -1));
  const int xTicks =
      std::max(2, plot.width() / (fm.horizontalAdvance(QStringLiteral("-8.8")) + 24));
  for (const AxisTick& t : linearTicks(v.xMin, v.xMax, xTicks)) {
    const int x = int(std::lround(toWidget({t.value, v.yMin}).x()));
    painter.drawLine(x, plot.bottom(), x, plot.bottom() + kTickLength);
    const int w = fm.horizontalAdvance(t.label);
    painter.drawText(QPoint(x - w / 2, plot.bottom() + kTickLength + fm.ascent() + 1), t.label);
  }
  painter.drawText(QRect(plot.left(), plot.bottom() + kTickLength + fm.height() + 2, plot.width(),
                         fm.height() + 2),
                   Qt::AlignCenter, QStringLiteral("x"));
  const int yTicks = std::max(2, plot.height() / (fm.height() * 3));
  for (const AxisTick& t : linearTicks(v.yMin, v.yMax, yTicks)) {
    const int y = int(std::lround(toWidget({v.xMin, t.value}).y()));
    painter.drawLine(plot.left() - kTickLength, y, plot.left(), y);
    painter.drawText(QRect(0, y - fm.height() / 2, plot.left() - kTickLength - 3, fm.height()),
                     Qt::AlignRight | Qt::AlignVCenter, t.label);
  }
  painter.drawText(QRect(6, plot.center().y() - fm.height() / 2, fm.height() + 4, fm.height()),
                   Qt::AlignCenter, QStringLiteral("y"));
}

void LandscapeMapView::paintCriticalPoints(QPainter& painter) {
  const Theme& th = theme();
  const double r = markerRadius() * 1.3;
  QPen outline(th.foreground, th.presentation ? 2.0 : 1.4);
  for (const core::CriticalPoint& c : m_model->landscape().criticalPoints()) {
    const QPointF p = toWidget(c.position);
    painter.setPen(outline);
    switch (c.kind) {
      case core::CriticalKind::GlobalMinimum:
        painter.setBrush(th.background);
        painter.drawPolygon(starMarker(p, r));
        break;
      case core::CriticalKind::LocalMinimum:
        painter.setBrush(th.background);
        painter.drawPolygon(diamond(p, r * 0.8));
        break;
      case core::CriticalKind::Saddle:
        drawCross(painter, p, r * 0.6);
        break;
    }
  }
}

void LandscapeMapView::paintTrajectories(QPainter& painter, const QRect& plot) {
  const Theme& th = theme();
  const int cursor = m_model->cursor();
  const QRectF box = QRectF(plot).adjusted(-50, -50, 50, 50);
  const double width = th.lineWidth * 1.4;
  const QColor halo = th.background;
  for (const core::Trajectory& t : m_model->trajectories()) {
    const QColor color = racerColor(t.kind);
    const int last = std::min(cursor, t.updates());
    // Runs of consecutive visible points become polylines; pieces outside are clipped.
    std::vector<QPolygonF> pieces(1);
    for (int k = 1; k <= last; ++k) {
      QPointF a = toWidget(t.points[std::size_t(k - 1)]);
      QPointF b = toWidget(t.points[std::size_t(k)]);
      const bool whole = box.contains(a) && box.contains(b);
      if (!whole && !clipSegment(a, b, box)) {
        if (!pieces.back().isEmpty()) pieces.emplace_back();
        continue;
      }
      if (pieces.back().isEmpty()) pieces.back() << a;
      // Points closer than a pixel to the last one drawn add nothing but stroking time (a
      // converged path piles hundreds of them on its end point).
      const QPointF previous = pieces.back().back();
      if (k < last && whole &&
          std::abs(b.x() - previous.x()) + std::abs(b.y() - previous.y()) < 1.0) {
        continue;
      }
      pieces.back() << b;
      if (!whole) pieces.emplace_back();
    }
    QPen haloPen(halo, width + (th.presentation ? 3.0 : 2.0));
    haloPen.setJoinStyle(Qt::RoundJoin);
    haloPen.setCapStyle(Qt::RoundCap);
    QPen pen(color, width);
    pen.setJoinStyle(Qt::RoundJoin);
    pen.setCapStyle(Qt::RoundCap);
    painter.setBrush(Qt::NoBrush);
    // Separate segments with round caps: the same picture as a polyline with round joins,
    // without stroking one long self-crossing outline (far slower in the raster engine).
    QVector<QLineF> segments;
    for (const QPolygonF& piece : pieces) {
      for (qsizetype i = 1; i < piece.size(); ++i) segments.append(QLineF(piece[i - 1], piece[i]));
    }
    for (const QPen& p : {haloPen, pen}) {
      painter.setPen(p);
      painter.drawLines(segments);
    }
    // Where the racer is now: a dot, or a cross where it left for good.
    const QPointF here = toWidget(t.points[std::size_t(last)]);
    painter.setPen(QPen(th.foreground, th.presentation ? 1.8 : 1.2));
    const double r = markerRadius();
    if (t.diverged && cursor >= t.updates()) {
      painter.setPen(QPen(color, width * 1.6));
      drawCross(painter, here, r);
    } else {
      painter.setBrush(color);
      painter.drawEllipse(here, r, r);
    }
  }
  // The start point, on top.
  const QPointF start = toWidget(m_model->race().start);
  const double r = markerRadius() * 0.9;
  painter.setBrush(Qt::NoBrush);
  painter.setPen(QPen(th.background, th.presentation ? 5.0 : 4.0));
  painter.drawEllipse(start, r, r);
  painter.setPen(QPen(th.foreground, th.presentation ? 2.4 : 1.8));
  painter.drawEllipse(start, r, r);
}

void LandscapeMapView::paintColorBar(QPainter& painter, const QRect& bar) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const core::SurfaceMap& map = m_model->surfaceMap(kGridSize, kGridSize);
  painter.save();
  painter.setPen(th.foreground);
  painter.drawText(QPoint(bar.left(), bar.top() + fm.ascent()),
                   map.scale.log ? QStringLiteral("f \u2212 f*") : QStringLiteral("f"));
  const QRect strip(bar.left(), bar.top() + fm.height() + 6, fm.height(),
                    std::max(3 * fm.height(), bar.height() * 2 / 3));
  const Theme* themePtr = &th;
  drawColorBar(
      painter, strip,
      [themePtr](double t) {
        return mixColors(themePtr->background, themePtr->heat(t), kLandscapeMapStrength);
      },
      colorBarTicks(std::max(2, strip.height() / (fm.height() + 4))));
  painter.restore();
}

void LandscapeMapView::paintLegend(QPainter& painter, const Layout& l) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const int line = fm.height() + 4;
  const int swatch = 2 * fm.height();
  const double r = markerRadius();
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing, true);
  painter.setPen(th.foreground);
  painter.setFont(th.titleFont());
  painter.drawText(QPoint(l.legend.left(), l.legend.top() + fm.ascent() + 2),
                   tr("step %1 / %2:  f \u2212 f* of each optimiser")
                       .arg(m_model->cursor())
                       .arg(m_model->lastStep()));
  painter.setFont(th.font());

  int index = 0;
  int y = l.legend.top() + line;
  // The top-left corner of legend cell `index` (entries fill rows left to right).
  const auto cell = [&](int i) {
    return QPoint(l.legend.left() + (i % l.columns) * l.entryWidth, y + (i / l.columns) * line);
  };
  const double minimum = m_model->landscape().minimumValue();
  int nameWidth = 0;
  for (const core::Trajectory& t : m_model->trajectories()) {
    nameWidth = std::max(nameWidth, fm.horizontalAdvance(racerName(t.kind)));
  }
  for (const core::Trajectory& t : m_model->trajectories()) {
    const QPoint at = cell(index++);
    const QColor color = racerColor(t.kind);
    const int mid = at.y() + line / 2;
    painter.setPen(QPen(color, th.lineWidth * 1.4));
    painter.drawLine(at.x(), mid, at.x() + swatch - 4, mid);
    painter.setPen(QPen(th.foreground, 1.0));
    painter.setBrush(color);
    painter.drawEllipse(QPointF(at.x() + swatch / 2.0 - 2, mid), r * 0.6, r * 0.6);
    painter.setPen(th.foreground);
    painter.drawText(QPoint(at.x() + swatch + 2, at.y() + fm.ascent() + 2), racerName(t.kind));
    const int step = std::min(m_model->cursor(), t.updates());
    // Rounding can leave f a hair below f*: that is reaching it.
    const QString value = t.diverged && m_model->cursor() >= t.updates()
                              ? tr("diverged %1").arg(t.updates() + 1)
                              : formatValue(std::max(0.0, t.losses[std::size_t(step)] - minimum));
    painter.drawText(
        QPoint(at.x() + swatch + 2 + nameWidth + fm.height() / 2, at.y() + fm.ascent() + 2), value);
  }
  if (m_model->trajectories().empty()) {
    painter.setPen(th.faint);
    painter.drawText(QPoint(l.legend.left(), y + fm.ascent() + 2), tr("no optimiser ticked"));
    index = 1;
  }

  // The markers, from the next row on.
  y += ((index + l.columns - 1) / l.columns) * line;
  index = 0;
  const auto markerEntry = [&](const QString& text, auto draw) {
    const QPoint at = cell(index++);
    const QPointF c(at.x() + swatch / 2.0 - 2, at.y() + line / 2.0);
    painter.setPen(QPen(th.foreground, th.presentation ? 2.0 : 1.4));
    painter.setBrush(th.background);
    draw(c);
    painter.setPen(th.foreground);
    painter.drawText(QPoint(at.x() + swatch + 2, at.y() + fm.ascent() + 2), text);
  };
  bool local = false, saddle = false;
  for (const core::CriticalPoint& c : m_model->landscape().criticalPoints()) {
    local = local || c.kind == core::CriticalKind::LocalMinimum;
    saddle = saddle || c.kind == core::CriticalKind::Saddle;
  }
  markerEntry(tr("minimum"), [&](QPointF c) { painter.drawPolygon(starMarker(c, r * 1.1)); });
  if (local) {
    markerEntry(tr("local minimum"), [&](QPointF c) { painter.drawPolygon(diamond(c, r * 0.9)); });
  }
  if (saddle) markerEntry(tr("saddle"), [&](QPointF c) { drawCross(painter, c, r * 0.7); });
  markerEntry(tr("start (click)"), [&](QPointF c) {
    painter.setBrush(Qt::NoBrush);
    painter.drawEllipse(c, r * 0.9, r * 0.9);
  });
  painter.restore();
}

void LandscapeMapView::mousePressEvent(QMouseEvent* event) {
  if (event->button() == Qt::LeftButton && plotRect().contains(event->position().toPoint())) {
    m_model->setStart(toParameters(event->position()));
    event->accept();
    return;
  }
  QWidget::mousePressEvent(event);
}

void LandscapeMapView::contextMenuEvent(QContextMenuEvent* event) {
  QMenu menu(this);
  addExportActions(&menu, this,
                   QStringLiteral("landscape ") +
                       QString::fromUtf8(core::toString(m_model->race().landscape.kind).data()));
  menu.exec(event->globalPos());
}

bool LandscapeMapView::event(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    if (plotRect().contains(help->pos())) {
      const core::Point2 p = toParameters(help->pos());
      QToolTip::showText(help->globalPos(),
                         tr("(x, y) = (%1, %2)\nf = %3\nclick: start here")
                             .arg(formatValue(p.x()), formatValue(p.y()),
                                  formatValue(m_model->landscape().value(p))),
                         this);
    } else {
      QToolTip::hideText();
    }
    return true;
  }
  return QWidget::event(event);
}

}  // namespace gradscope::ui
