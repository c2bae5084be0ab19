#include "ui/charts/model_insight_painter.h"

#include <QFontMetrics>
#include <QImage>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

#include "ui/charts/decision_boundary_view.h"
#include "ui/charts/plot_axes.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

constexpr int kGap = 10;  // between the parts of the overview

// Class colours: the decision boundary's up to eight, then a ten-colour palette (Tableau 10)
// for data sets such as Fashion-MNIST.
QColor classColor(int k, int classes) {
  if (classes <= 8) return DecisionBoundaryView::classColor(k, classes);
  static const QColor colors[] = {
      QColor(78, 121, 167), QColor(242, 142, 43), QColor(225, 87, 89),   QColor(118, 183, 178),
      QColor(89, 161, 79),  QColor(237, 201, 72), QColor(176, 122, 161), QColor(255, 157, 167),
      QColor(156, 117, 95), QColor(186, 176, 172)};
  return colors[std::size_t(k) % 10];
}

QString className(const app::ModelInsight& insight, int k) {
  return k >= 0 && k < insight.classNames.size() ? insight.classNames[k] : QString::number(k);
}

// A caption line at the top of `rect`; returns the rest.
QRect caption(QPainter& painter, const QRect& rect, const QString& text) {
  const QFontMetrics fm(theme().font());
  painter.setPen(theme().foreground);
  painter.drawText(QRect(rect.left(), rect.top(), rect.width(), fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter,
                   fm.elidedText(text, Qt::ElideRight, rect.width()));
  return rect.adjusted(0, fm.height() + 4, 0, 0);
}

// The number of columns that gives `count` tiles of aspect 1 (plus `below` pixels of label)
// the largest size in `area`; returns {columns, tile side}.
std::pair<int, int> tileGrid(const QRect& area, int count, int below, int gap) {
  int bestColumns = 1, bestSide = 0;
  for (int columns = 1; columns <= count; ++columns) {
    const int rows = (count + columns - 1) / columns;
    const int side = std::min((area.width() - (columns - 1) * gap) / columns,
                              (area.height() - (rows - 1) * gap) / rows - below);
    if (side > bestSide) {
      bestSide = side;
      bestColumns = columns;
    }
  }
  return {bestColumns, bestSide};
}

// An image of rows x columns values through `color`.
template <typename ColorOf>
QImage valueImage(const std::vector<float>& values, int rows, int columns, ColorOf color) {
  QImage image(columns, rows, QImage::Format_RGB32);
  for (int r = 0; r < rows; ++r) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(r));
    for (int c = 0; c < columns; ++c) {
      const std::size_t i = std::size_t(r) * std::size_t(columns) + std::size_t(c);
      line[c] = color(i < values.size() ? values[i] : 0.0f).rgb();
    }
  }
  return image;
}

// A framed plot with linear ticks on both axes in `area`; returns the inner plot rectangle.
QRect drawAxes(QPainter& painter, const QRect& area, double x0, double x1, double y0, double y1,
               const QString& xLabel, const QString& yLabel) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  int labelWidth = fm.horizontalAdvance(QStringLiteral("-8.88"));
  const int yTicks = std::max(2, area.height() / (fm.height() * 2));
  for (const AxisTick& t : linearTicks(y0, y1, yTicks))
    labelWidth = std::max(labelWidth, fm.horizontalAdvance(t.label));
  const QRect plot(QPoint(area.left() + fm.height() + 4 + labelWidth + kTickLength + 2,
                          area.top() + fm.height() / 2),
                   QPoint(area.right() - fm.horizontalAdvance(QStringLiteral("8.8")) / 2,
                          area.bottom() - kTickLength - 2 * fm.height() - 2));
  if (plot.width() < 20 || plot.height() < 20) return plot;
  painter.setPen(th.foreground);
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(plot.adjusted(0, 0, -1, -1));
  const int xTicks =
      std::max(2, plot.width() / (fm.horizontalAdvance(QStringLiteral("-88.8")) + 10));
  for (const AxisTick& t : linearTicks(x0, x1, xTicks)) {
    const int x = plot.left() + int(std::lround((t.value - x0) / (x1 - x0) * plot.width()));
    painter.drawLine(x, plot.bottom(), x, plot.bottom() + kTickLength);
    const int w = fm.horizontalAdvance(t.label);
    painter.drawText(QPoint(x - w / 2, plot.bottom() + kTickLength + fm.ascent() + 1), t.label);
  }
  painter.drawText(
      QRect(plot.left(), plot.bottom() + kTickLength + fm.height(), plot.width(), fm.height() + 2),
      Qt::AlignCenter, xLabel);
  for (const AxisTick& t : linearTicks(y0, y1, yTicks)) {
    const int y = plot.bottom() - int(std::lround((t.value - y0) / (y1 - y0) * plot.height()));
    painter.drawLine(plot.left() - kTickLength, y, plot.left(), y);
    painter.drawText(QRect(area.left(), y - fm.height() / 2,
                           plot.left() - kTickLength - 3 - area.left(), fm.height()),
                     Qt::AlignRight | Qt::AlignVCenter, t.label);
  }
  painter.save();
  painter.translate(area.left() + fm.ascent(), plot.center().y());
  painter.rotate(-90);
  painter.drawText(QRect(-plot.height() / 2, -fm.ascent(), plot.height(), fm.height()),
                   Qt::AlignCenter, yLabel);
  painter.restore();
  return plot;
}

}  // namespace

std::vector<ModelInsightPainter::Page> ModelInsightPainter::pagesFor(
    const app::ModelInsight& insight) {
  switch (insight.kind) {
    case app::ModelInsight::Kind::Images:
      return {Page::Overview, Page::Samples, Page::Confusion, Page::Weights};
    case app::ModelInsight::Kind::Tabular:
      if (!insight.classification) return {Page::Projection};
      return {Page::Overview, Page::Confusion, Page::Projection};
    case app::ModelInsight::Kind::Curve:
      return {Page::Curve};
  }
  return {Page::Overview};
}

QString ModelInsightPainter::pageName(Page page) {
  switch (page) {
    case Page::Overview:
      return tr("Overview");
    case Page::Samples:
      return tr("Sample images");
    case Page::Confusion:
      return tr("Confusion matrix");
    case Page::Weights:
      return tr("First-layer weights");
    case Page::Projection:
      return tr("Hidden-layer projection");
    case Page::Curve:
      return tr("Fitted curve");
  }
  return {};
}

QString ModelInsightPainter::title(const app::ModelInsight& insight) {
  switch (insight.kind) {
    case app::ModelInsight::Kind::Images:
    case app::ModelInsight::Kind::Tabular:
      if (insight.classification) {
        return tr("Predictions: %1 correct on %2 %3 samples")
            .arg(formatPercent(insight.accuracy))
            .arg(insight.evaluated)
            .arg(insight.onValidation ? tr("validation") : tr("training"));
      }
      return tr("Last hidden layer on %1 %2 samples")
          .arg(insight.evaluated)
          .arg(insight.onValidation ? tr("validation") : tr("training"));
    case app::ModelInsight::Kind::Curve:
      return insight.classification ? tr("Predicted probability over the input")
                                    : tr("Fitted curve");
  }
  return {};
}

void ModelInsightPainter::paint(QPainter& painter, const QRect& rect,
                                const app::ModelInsight& insight, Page page) {
  switch (page) {
    case Page::Samples:
      return paintSamples(painter, rect, insight);
    case Page::Confusion:
      return paintConfusion(painter, rect, insight);
    case Page::Weights:
      return paintWeights(painter, rect, insight);
    case Page::Projection:
      return paintProjection(painter, rect, insight);
    case Page::Curve:
      return paintCurve(painter, rect, insight);
    case Page::Overview:
      break;
  }
  // In a small panel (a projector's 1280 x 720 dashboard) the parts would be too small to
  // read: the overview then shows the most telling part alone.
  const int minPart = 6 * QFontMetrics(theme().font()).height();
  if (insight.kind == app::ModelInsight::Kind::Images) {
    const int wide = std::min((rect.width() - 2 * kGap) / 3, rect.height());
    const int stacked = std::min((rect.width() - kGap) / 2, (rect.height() - kGap) * 3 / 5);
    if (std::max(wide, stacked) < minPart) return paintSamples(painter, rect, insight);
    // Three parts side by side in a wide panel; else samples and matrix above the weights.
    if (rect.width() > 2 * rect.height()) {
      const int w = (rect.width() - 2 * kGap) / 3;
      paintSamples(painter, QRect(rect.left(), rect.top(), w, rect.height()), insight);
      paintConfusion(painter, QRect(rect.left() + w + kGap, rect.top(), w, rect.height()), insight);
      paintWeights(painter, QRect(rect.left() + 2 * (w + kGap), rect.top(), w, rect.height()),
                   insight);
    } else {
      const int w = (rect.width() - kGap) / 2, h = (rect.height() - kGap) * 3 / 5;
      paintSamples(painter, QRect(rect.left(), rect.top(), w, h), insight);
      paintConfusion(painter, QRect(rect.left() + w + kGap, rect.top(), w, h), insight);
      paintWeights(
          painter,
          QRect(rect.left(), rect.top() + h + kGap, rect.width(), rect.height() - h - kGap),
          insight);
    }
    return;
  }
  if (insight.kind == app::ModelInsight::Kind::Tabular) {
    if (std::max(std::min((rect.width() - kGap) / 2, rect.height()),
                 std::min(rect.width(), (rect.height() - kGap) / 2)) < minPart) {
      return paintConfusion(painter, rect, insight);
    }
    if (rect.width() >= rect.height()) {
      const int w = (rect.width() - kGap) / 2;
      paintConfusion(painter, QRect(rect.left(), rect.top(), w, rect.height()), insight);
      paintProjection(painter, QRect(rect.left() + w + kGap, rect.top(), w, rect.height()),
                      insight);
    } else {
      const int h = (rect.height() - kGap) / 2;
      paintConfusion(painter, QRect(rect.left(), rect.top(), rect.width(), h), insight);
      paintProjection(
          painter,
          QRect(rect.left(), rect.top() + h + kGap, rect.width(), rect.height() - h - kGap),
          insight);
    }
    return;
  }
  paintCurve(painter, rect, insight);
}

void ModelInsightPainter::paintSamples(QPainter& painter, const QRect& rect,
                                       const app::ModelInsight& insight) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  int mistakes = 0;
  for (const auto& s : insight.images) mistakes += s.predictedClass != s.trueClass;
  const QRect area = caption(painter, rect,
                             tr("%1 samples: predicted class, %2 wrong (true class in brackets)")
                                 .arg(insight.images.size())
                                 .arg(mistakes));
  const int count = int(insight.images.size());
  if (count == 0 || insight.imageRows <= 0) return;
  const int gap = 4, below = fm.height() + 1;
  const auto [columns, side] = tileGrid(area, count, below, gap);
  if (side < 4) return;
  const Theme* t = &th;
  painter.save();
  for (int i = 0; i < count; ++i) {
    const app::ModelInsight::ImageSample& s = insight.images[std::size_t(i)];
    const int row = i / columns, col = i % columns;
    const QRect tile(area.left() + col * (side + gap), area.top() + row * (side + below + gap),
                     side, side);
    // Ink on paper: pixel value 1 in the foreground colour.
    const QImage image =
        valueImage(s.pixels, insight.imageRows, insight.imageColumns, [t](float v) {
          return mixColors(t->background, t->foreground, std::clamp(double(v), 0.0, 1.0));
        });
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(tile, image);
    const bool wrong = s.predictedClass != s.trueClass;
    painter.setBrush(Qt::NoBrush);
    painter.setPen(wrong ? QPen(th.warning, 2.0) : QPen(th.grid, 1.0));
    painter.drawRect(wrong ? tile.adjusted(-1, -1, 0, 0) : tile.adjusted(0, 0, -1, -1));
    const QString label = wrong
                              ? QStringLiteral("%1 (%2)").arg(className(insight, s.predictedClass),
                                                              className(insight, s.trueClass))
                              : className(insight, s.predictedClass);
    painter.setPen(wrong ? th.warning : th.foreground);
    painter.drawText(QRect(tile.left() - gap / 2, tile.bottom() + 1, side + gap, below),
                     Qt::AlignHCenter | Qt::AlignTop,
                     fm.elidedText(label, Qt::ElideRight, side + gap));
  }
  painter.restore();
}

void ModelInsightPainter::paintConfusion(QPainter& painter, const QRect& rect,
                                         const app::ModelInsight& insight) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const int k = insight.classes;
  const QRect area = caption(
      painter, rect,
      tr("Confusion matrix, %1 correct (rows: true class)").arg(formatPercent(insight.accuracy)));
  if (k <= 0 || insight.confusion.size() != std::size_t(k) * std::size_t(k)) return;
  int nameWidth = 0;
  for (int c = 0; c < k; ++c)
    nameWidth = std::max(nameWidth, fm.horizontalAdvance(className(insight, c)));
  nameWidth = std::min(nameWidth, fm.horizontalAdvance(QStringLiteral("Sneaker_")) + 4);
  const int accuracyWidth = fm.horizontalAdvance(QStringLiteral("100%")) + 8;
  const int top = area.top() + fm.height() + 2;  // column numbers above the cells
  const int cell = std::max(2, std::min((area.width() - nameWidth - 6 - accuracyWidth - 4) / k,
                                        (area.bottom() - top - fm.height() - 4) / k));
  const QRect grid(area.left() + nameWidth + 6, top, cell * k, cell * k);
  painter.save();
  painter.setPen(th.foreground);
  for (int c = 0; c < k; ++c) {
    // Predicted classes are numbered above the columns; the rows carry the names.
    const QString column = QString::number(c);
    if (cell >= fm.horizontalAdvance(column))
      painter.drawText(QRect(grid.left() + c * cell, area.top(), cell, fm.height()),
                       Qt::AlignCenter, column);
    painter.drawText(QRect(area.left(), grid.top() + c * cell, nameWidth, cell),
                     Qt::AlignRight | Qt::AlignVCenter,
                     fm.elidedText(QStringLiteral("%1 %2").arg(c).arg(className(insight, c)),
                                   Qt::ElideRight, nameWidth));
  }
  for (int r = 0; r < k; ++r) {
    std::int64_t total = 0;
    for (int c = 0; c < k; ++c) total += insight.confusion[std::size_t(r * k + c)];
    for (int c = 0; c < k; ++c) {
      const std::int64_t n = insight.confusion[std::size_t(r * k + c)];
      const double share = total > 0 ? double(n) / double(total) : 0.0;
      const QRect box(grid.left() + c * cell, grid.top() + r * cell, cell, cell);
      // Off the diagonal the share is the mistake rate: a sequential map from the background.
      const QColor fill = n == 0
                              ? th.background
                              : (r == c ? mixColors(th.background, th.accent, 0.15 + 0.85 * share)
                                        : mixColors(th.background, th.warning,
                                                    0.15 + 0.85 * std::min(1.0, 3 * share)));
      painter.fillRect(box, fill);
      const QString text = QString::number(n);
      if (n > 0 && cell >= fm.horizontalAdvance(text) + 2 && cell >= fm.height()) {
        painter.setPen(fill.lightnessF() < 0.55 ? QColor(255, 255, 255) : QColor(20, 20, 20));
        painter.drawText(box, Qt::AlignCenter, text);
      }
    }
    // The class's accuracy (its recall) beside the row.
    const double accuracy =
        std::size_t(r) < insight.classAccuracy.size() ? insight.classAccuracy[std::size_t(r)] : NAN;
    const QRect bar(grid.right() + 6, grid.top() + r * cell + 1, accuracyWidth, cell - 2);
    if (std::isfinite(accuracy)) {
      painter.fillRect(QRect(bar.left(), bar.top(), int(bar.width() * accuracy), bar.height()),
                       mixColors(th.background, th.accent, 0.35));
    }
    painter.setPen(th.foreground);
    if (cell >= fm.height() - 2) painter.drawText(bar, Qt::AlignCenter, formatPercent(accuracy));
  }
  painter.setPen(th.grid);
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(grid.adjusted(0, 0, -1, -1));
  painter.setPen(th.foreground);
  painter.drawText(
      QRect(grid.left(), grid.bottom() + 3, grid.width() + accuracyWidth + 6, fm.height()),
      Qt::AlignLeft | Qt::AlignTop,
      fm.elidedText(tr("predicted class; right: accuracy per class"), Qt::ElideRight,
                    grid.width() + accuracyWidth + 6));
  painter.restore();
}

void ModelInsightPainter::paintWeights(QPainter& painter, const QRect& rect,
                                       const app::ModelInsight& insight) {
  const Theme& th = theme();
  const int count = int(insight.unitWeights.size());
  const QString text =
      count < insight.firstLayerUnits
          ? tr("First layer: weights into %1 of %2 units (blue < 0 < orange)")
                .arg(count)
                .arg(insight.firstLayerUnits)
          : tr("First layer: weights into each of its %1 units (blue < 0 < orange)").arg(count);
  const QRect area = caption(painter, rect, text);
  if (count == 0 || insight.imageRows <= 0) return;
  const auto [columns, side] = tileGrid(area, count, 0, 2);
  if (side < 2) return;
  const Theme* t = &th;
  painter.save();
  painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
  for (int u = 0; u < count; ++u) {
    const std::vector<float>& w = insight.unitWeights[std::size_t(u)];
    // Each tile on its own symmetric scale: the pattern matters, not the layer's overall size.
    float scale = 0.0f;
    for (const float v : w) scale = std::max(scale, std::abs(v));
    if (!(scale > 0.0f)) scale = 1.0f;
    const QImage image = valueImage(w, insight.imageRows, insight.imageColumns,
                                    [t, scale](float v) { return t->diverging(v / scale); });
    const int row = u / columns, col = u % columns;
    painter.drawImage(
        QRect(area.left() + col * (side + 2), area.top() + row * (side + 2), side, side), image);
  }
  painter.restore();
}

void ModelInsightPainter::paintProjection(QPainter& painter, const QRect& rect,
                                          const app::ModelInsight& insight) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const QRect area =
      caption(painter, rect,
              insight.projectedLayer >= 0
                  ? tr("Hidden layer %1 (%2 units) on its first two principal components")
                        .arg(insight.projectedLayer + 1)
                        .arg(insight.projectedUnits)
                  : tr("No hidden layer to project"));
  const std::size_t n = std::min(
      {insight.projectionX.size(), insight.projectionY.size(), insight.projectionValue.size()});
  if (n == 0) return;
  const auto [x0, x1] = std::minmax_element(insight.projectionX.begin(), insight.projectionX.end());
  const auto [y0, y1] = std::minmax_element(insight.projectionY.begin(), insight.projectionY.end());
  const double mx = (*x1 - *x0) * 0.05 + 1e-6, my = (*y1 - *y0) * 0.05 + 1e-6;
  const double xa = *x0 - mx, xb = *x1 + mx, ya = *y0 - my, yb = *y1 + my;
  // Class names on the right when they fit.
  int legend = 0;
  if (insight.classification) {
    for (int c = 0; c < insight.classes; ++c)
      legend = std::max(legend, fm.horizontalAdvance(className(insight, c)));
    legend += fm.height() + 12;
    if (legend > area.width() / 3) legend = 0;
  }
  double scale = 0.0;
  for (const float v : insight.projectionValue) scale = std::max(scale, std::abs(double(v)));
  if (!(scale > 0)) scale = 1.0;
  const QRect plot = drawAxes(painter, area.adjusted(0, 0, -legend, 0), xa, xb, ya, yb,
                              tr("PC1 (%1 of the variance)").arg(formatPercent(insight.explainedX)),
                              tr("PC2 (%1)").arg(formatPercent(insight.explainedY)));
  if (plot.width() < 20 || plot.height() < 20) return;
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing, true);
  painter.setClipRect(plot);
  const double radius = th.presentation ? 3.5 : 2.6;
  painter.setPen(Qt::NoPen);
  for (std::size_t i = 0; i < n; ++i) {
    const QPointF c(plot.left() + (insight.projectionX[i] - xa) / (xb - xa) * plot.width(),
                    plot.bottom() - (insight.projectionY[i] - ya) / (yb - ya) * plot.height());
    QColor color = insight.classification
                       ? classColor(int(insight.projectionValue[i]), insight.classes)
                       : th.diverging(insight.projectionValue[i] / scale);
    color.setAlphaF(0.8);
    painter.setBrush(color);
    painter.drawEllipse(c, radius, radius);
  }
  painter.restore();
  if (legend > 0) {
    int y = plot.top();
    for (int c = 0; c < insight.classes && y + fm.height() <= area.bottom(); ++c) {
      painter.fillRect(QRect(area.right() - legend + 8, y + 2, fm.height() - 4, fm.height() - 4),
                       classColor(c, insight.classes));
      painter.setPen(th.foreground);
      painter.drawText(QPoint(area.right() - legend + 8 + fm.height(), y + fm.ascent()),
                       className(insight, c));
      y += fm.height() + 2;
    }
  }
}

void ModelInsightPainter::paintCurve(QPainter& painter, const QRect& rect,
                                     const app::ModelInsight& insight) {
  const Theme& th = theme();
  const QRect area = caption(
      painter, rect, tr("Data (dots: training, rings: validation) and the network's output"));
  if (insight.curveX.size() < 2) return;
  double xa = insight.curveX.front(), xb = insight.curveX.back();
  double ya = INFINITY, yb = -INFINITY;
  for (const float v : insight.curveY) ya = std::min(ya, double(v)), yb = std::max(yb, double(v));
  for (const float v : insight.pointY) ya = std::min(ya, double(v)), yb = std::max(yb, double(v));
  if (!std::isfinite(ya) || !std::isfinite(yb)) return;
  const double my = (yb - ya) * 0.05 + 1e-6;
  ya -= my;
  yb += my;
  if (!(xb > xa)) xb = xa + 1;
  const QRect plot = drawAxes(painter, area, xa, xb, ya, yb, QStringLiteral("x"),
                              insight.classification ? tr("p(class 1)") : QStringLiteral("y"));
  if (plot.width() < 20 || plot.height() < 20) return;
  auto at = [&](double x, double y) {
    return QPointF(plot.left() + (x - xa) / (xb - xa) * plot.width(),
                   plot.bottom() - (y - ya) / (yb - ya) * plot.height());
  };
  painter.save();
  painter.setClipRect(plot);
  painter.setRenderHint(QPainter::Antialiasing, true);
  const double radius = th.presentation ? 3.5 : 2.5;
  const std::size_t n = std::min(insight.pointX.size(), insight.pointY.size());
  for (std::size_t i = 0; i < n; ++i) {
    const bool validation = i < insight.pointValidation.size() && insight.pointValidation[i];
    if (validation) {
      painter.setBrush(Qt::NoBrush);
      painter.setPen(QPen(th.secondary, 1.2));
    } else {
      painter.setPen(Qt::NoPen);
      painter.setBrush(mixColors(th.background, th.foreground, 0.45));
    }
    painter.drawEllipse(at(insight.pointX[i], insight.pointY[i]), radius, radius);
  }
  QPainterPath path;
  for (std::size_t i = 0; i < insight.curveX.size() && i < insight.curveY.size(); ++i) {
    const QPointF p = at(insight.curveX[i], insight.curveY[i]);
    if (i == 0) {
      path.moveTo(p);
    } else {
      path.lineTo(p);
    }
  }
  painter.setBrush(Qt::NoBrush);
  painter.setPen(QPen(th.accent, th.lineWidth * 1.6));
  painter.drawPath(path);
  painter.restore();
}

}  // namespace gradscope::ui
