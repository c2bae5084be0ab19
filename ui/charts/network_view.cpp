#include "ui/charts/network_view.h"

#include <QFontMetrics>
#include <QPainter>

#include <algorithm>
#include <cmath>

#include "ui/charts/plot_axes.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {
constexpr int kMinSide = 14;  // smaller thumbnails show nothing
}  // namespace

NetworkView::NetworkView(QWidget* parent) : PaintedView(parent) {}

QString NetworkView::viewTitle() const { return tr("Network"); }

void NetworkView::refresh(const app::MetricHistory& /*history*/, int /*run*/) {}

void NetworkView::onSnapshot(const app::Snapshot& snapshot) {
  // The data points and the rate plan are sent together when the data or settings change;
  // a plan without points means the data set is not 2-D.
  if (!snapshot.dataPoints && snapshot.learningRatePlan) setNotPlanar();
  if (snapshot.decisionField) setField(snapshot.decisionField, snapshot.currentStep);
}

void NetworkView::clear() {
  // The reset snapshot brings the new network's field; until then the old one stays.
}

void NetworkView::setNotPlanar() {
  if (m_notPlanar && !m_field) return;
  m_notPlanar = true;
  setField(nullptr);
  m_notPlanar = true;
}

bool NetworkView::consistent(const app::DecisionField& f) {
  const std::size_t layers = f.unitOutputs.size();
  const auto cells =
      std::size_t(std::max(0, f.resolution)) * std::size_t(std::max(0, f.resolution));
  if (layers == 0 || f.resolution < 2 || f.kernels.size() != layers ||
      f.layerWidths.size() != layers + 1)
    return false;
  for (std::size_t l = 0; l < layers; ++l) {
    const auto in = std::size_t(f.layerWidths[l]), out = std::size_t(f.layerWidths[l + 1]);
    if (f.kernels[l].size() != in * out || f.unitOutputs[l].size() != out) return false;
    for (const std::vector<float>& grid : f.unitOutputs[l])
      if (grid.size() != cells) return false;
  }
  return f.layerWidths[0] == 2;
}

void NetworkView::setField(std::shared_ptr<const app::DecisionField> field, std::int64_t step) {
  m_field = std::move(field);
  m_step = step;
  if (m_field) m_notPlanar = false;
  m_valid = m_field && consistent(*m_field);
  rebuildImages();
  layoutUnits();
  updateCanvas();
}

double NetworkView::connectionWidth(double weight, double maxAbsWeight, double maxWidth) {
  if (!(maxAbsWeight > 0) || !std::isfinite(weight)) return 0.5;
  return 0.5 + (maxWidth - 0.5) * std::clamp(std::abs(weight) / maxAbsWeight, 0.0, 1.0);
}

QColor NetworkView::weightColor(float weight) const {
  QColor c = theme().diverging(weight >= 0 ? 1.0 : -1.0);
  const double f = m_maxAbsWeight > 0 ? std::abs(weight) / m_maxAbsWeight : 0.0;
  c.setAlphaF(float(0.3 + 0.7 * std::clamp(f, 0.0, 1.0)));
  return c;
}

void NetworkView::rebuildImages() {
  m_images.clear();
  m_ranges.clear();
  m_maxAbsWeight = 0.0;
  if (!m_valid) return;
  const app::DecisionField& f = *m_field;
  const int n = f.resolution;
  const Theme& th = theme();
  auto image = [&](auto value) {
    QImage img(n, n, QImage::Format_RGB32);
    for (int row = 0; row < n; ++row) {
      auto* line = reinterpret_cast<QRgb*>(img.scanLine(n - 1 - row));  // y up
      for (int col = 0; col < n; ++col) line[col] = th.diverging(value(row, col)).rgb();
    }
    return img;
  };
  // Inputs: x1 grows to the right, x2 upwards.
  m_images.push_back({image([&](int, int col) { return 2.0 * col / (n - 1) - 1.0; }),
                      image([&](int row, int) { return 2.0 * row / (n - 1) - 1.0; })});
  m_ranges.push_back({{float(f.xMin), float(f.xMax)}, {float(f.yMin), float(f.yMax)}});
  const std::size_t layers = f.unitOutputs.size();
  for (std::size_t l = 0; l < layers; ++l) {
    std::vector<QImage> column;
    std::vector<std::pair<float, float>> ranges;
    for (const std::vector<float>& grid : f.unitOutputs[l]) {
      float lo = grid.front(), hi = grid.front();
      for (const float v : grid) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      ranges.push_back({lo, hi});
      // Probabilities (the output of a classifier) centre on 0.5; everything else on 0, on a
      // scale of at least 1 so a quiet unit looks quiet.
      const bool probability = l + 1 == layers && lo >= 0.0f && hi <= 1.0f;
      const double scale = std::max({1.0, std::abs(double(lo)), std::abs(double(hi))});
      column.push_back(image([&](int row, int col) {
        const double v = grid[std::size_t(row * n + col)];
        return probability ? 2.0 * v - 1.0 : v / scale;
      }));
    }
    m_images.push_back(std::move(column));
    m_ranges.push_back(std::move(ranges));
    for (const float w : f.kernels[l])
      if (std::isfinite(w)) m_maxAbsWeight = std::max(m_maxAbsWeight, double(std::abs(w)));
  }
}

void NetworkView::layoutUnits() {
  m_units.clear();
  m_connections.clear();
  m_columnX.clear();
  if (!m_valid) return;
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const QFontMetrics tfm(th.titleFont());
  const QRect r = canvas()->rect();
  const std::vector<int>& widths = m_field->layerWidths;
  const int columns = int(widths.size());
  const int maxUnits = *std::max_element(widths.begin(), widths.end());

  m_headerY = r.top() + tfm.height() + 8;
  const int top = m_headerY + fm.height() + 6;
  const int bottom = r.bottom() - fm.height() - 10;  // the legend line
  const int left = r.left() + fm.horizontalAdvance(QStringLiteral("x2")) + 10;
  const int right = r.right() - 6;
  const double columnWidth = double(right - left) / columns;
  const double height = std::max(20, bottom - top);
  const int maxSide = th.presentation ? 96 : 72;
  // Thumbnails take at most 45% of a column (the rest is for the weights) and fit vertically
  // with a fifth of their side between them.
  const int side =
      std::clamp(int(std::min(columnWidth * 0.45, height / (maxUnits * 1.2))), 8, maxSide);
  const int gap = maxUnits > 1
                      ? std::min(int(side * 0.6), int((height - maxUnits * side) / (maxUnits - 1)))
                      : 0;
  std::vector<std::vector<QRect>> rects(static_cast<std::size_t>(columns));
  for (int c = 0; c < columns; ++c) {
    const int centre = left + int((c + 0.5) * columnWidth);
    m_columnX.push_back(centre);
    const int units = widths[std::size_t(c)];
    const int total = units * side + (units - 1) * gap;
    const int y0 = top + (int(height) - total) / 2;
    for (int u = 0; u < units; ++u) {
      const QRect rect(centre - side / 2, y0 + u * (side + gap), side, side);
      rects[std::size_t(c)].push_back(rect);
      m_units.push_back({c, u, rect});
    }
  }
  const double maxWidth = th.presentation ? 7.0 : 5.0;
  for (int l = 0; l + 1 < columns; ++l) {
    const int in = widths[std::size_t(l)], out = widths[std::size_t(l + 1)];
    const std::vector<float>& kernel = m_field->kernels[std::size_t(l)];
    for (int j = 0; j < out; ++j) {
      for (int i = 0; i < in; ++i) {
        const float w = kernel[std::size_t(j * in + i)];  // inputs x units, column-major
        const QRect& a = rects[std::size_t(l)][std::size_t(i)];
        const QRect& b = rects[std::size_t(l + 1)][std::size_t(j)];
        m_connections.push_back(
            {l, i, j, w,
             QLineF(a.right() + 1, a.center().y() + 0.5, b.left(), b.center().y() + 0.5),
             connectionWidth(w, m_maxAbsWeight, maxWidth)});
      }
    }
  }
}

void NetworkView::canvasResized() { layoutUnits(); }

void NetworkView::restyle() {
  rebuildImages();
  layoutUnits();
}

void NetworkView::paintCanvas(QPainter& painter, const QRect& rect) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const QFontMetrics tfm(th.titleFont());
  const QString title = tr("What each unit computes");
  QStringList titles;
  if (m_valid && m_step >= 0) titles << tr("%1 (step %2)").arg(title, formatStep(m_step));
  drawTitle(painter, QRect(rect.left() + 6, rect.top() + 4, rect.width() - 12, tfm.height()),
            titles << title);
  if (!m_valid) {
    drawMessage(painter, rect,
                m_field ? tr("The network view is shown for networks of at most %1 units a layer")
                              .arg(app::DecisionField::kNetworkViewUnits)
                        : tr("The network view is shown for 2‑D data sets and networks of at most "
                             "%1 units a layer")
                              .arg(app::DecisionField::kNetworkViewUnits));
    return;
  }
  if (!m_units.empty() && m_units.front().rect.width() < kMinSide) {
    drawMessage(painter, rect, tr("Make this panel larger to see the network"));
    return;
  }
  // Weights under the thumbnails, the weakest first so strong ones stay on top.
  std::vector<const Connection*> order;
  order.reserve(m_connections.size());
  for (const Connection& c : m_connections) order.push_back(&c);
  std::sort(order.begin(), order.end(), [](const Connection* a, const Connection* b) {
    return std::abs(a->weight) < std::abs(b->weight);
  });
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing, true);
  for (const Connection* c : order) {
    painter.setPen(QPen(weightColor(c->weight), c->width, Qt::SolidLine, Qt::FlatCap));
    painter.drawLine(c->line);
  }
  painter.restore();

  painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
  const QColor frame = th.faint;
  for (const Unit& u : m_units) {
    painter.drawImage(u.rect, m_images[std::size_t(u.column)][std::size_t(u.index)]);
    painter.setPen(frame);
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(u.rect.adjusted(0, 0, -1, -1));
  }
  // Headers and input names.
  painter.setPen(th.foreground);
  const int columns = int(m_columnX.size());
  for (int c = 0; c < columns; ++c) {
    QString header = c == 0 ? tr("input") : c == columns - 1 ? tr("output") : tr("layer %1").arg(c);
    const double columnWidth = columns > 1 ? m_columnX[1] - m_columnX[0] : rect.width();
    header = fm.elidedText(header, Qt::ElideRight, int(columnWidth) - 4);
    const int w = fm.horizontalAdvance(header);
    painter.drawText(QPoint(m_columnX[std::size_t(c)] - w / 2, m_headerY + fm.ascent()), header);
  }
  for (const Unit& u : m_units) {
    if (u.column != 0) continue;
    const QString name = u.index == 0 ? QStringLiteral("x1") : QStringLiteral("x2");
    painter.drawText(
        QRect(rect.left(), u.rect.top(), u.rect.left() - 4 - rect.left(), u.rect.height()),
        Qt::AlignRight | Qt::AlignVCenter, name);
  }
  // Legend: weight colours and the unit colour scale.
  const int y = rect.bottom() - fm.height() - 4;
  int x = rect.left() + 8;
  painter.setRenderHint(QPainter::Antialiasing, true);
  auto legendLine = [&](float weight, const QString& text) {
    painter.setPen(QPen(theme().diverging(weight >= 0 ? 1.0 : -1.0), th.presentation ? 5.0 : 3.5));
    painter.drawLine(QPointF(x, y + fm.height() / 2.0), QPointF(x + 22, y + fm.height() / 2.0));
    x += 28;
    painter.setPen(th.foreground);
    painter.drawText(QPoint(x, y + fm.ascent()), text);
    x += fm.horizontalAdvance(text) + 14;
  };
  legendLine(1.0f, tr("weight > 0"));
  legendLine(-1.0f, tr("weight < 0"));
  // The thumbnails' colour scale, at the right end when it fits.
  const QString low = QStringLiteral("-1"), high = QStringLiteral("+1"), name = tr("unit output");
  const int barWidth = 4 * fm.height();
  const int scaleWidth = fm.horizontalAdvance(name) + 6 + fm.horizontalAdvance(low) + 4 + barWidth +
                         4 + fm.horizontalAdvance(high);
  int sx = rect.right() - 8 - scaleWidth;
  if (sx < x) return;
  painter.setPen(th.foreground);
  painter.drawText(QPoint(sx, y + fm.ascent()), name);
  sx += fm.horizontalAdvance(name) + 6;
  painter.drawText(QPoint(sx, y + fm.ascent()), low);
  sx += fm.horizontalAdvance(low) + 4;
  const QRect bar(sx, y + 2, barWidth, fm.height() - 4);
  painter.setRenderHint(QPainter::Antialiasing, false);
  for (int i = 0; i < bar.width(); ++i) {
    painter.setPen(th.diverging(2.0 * (i + 0.5) / bar.width() - 1.0));
    painter.drawLine(bar.left() + i, bar.top(), bar.left() + i, bar.bottom());
  }
  painter.setPen(th.faint);
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(bar.adjusted(0, 0, -1, -1));
  painter.setPen(th.foreground);
  painter.drawText(QPoint(bar.right() + 5, y + fm.ascent()), high);
}

QString NetworkView::canvasToolTip(const QPoint& pos) const {
  for (const Unit& u : m_units) {
    if (!u.rect.contains(pos)) continue;
    const auto [lo, hi] = m_ranges[std::size_t(u.column)][std::size_t(u.index)];
    if (u.column == 0)
      return tr("input x%1, from %2 to %3").arg(u.index + 1).arg(formatValue(lo), formatValue(hi));
    const int columns = int(m_field->layerWidths.size());
    QString text = u.column == columns - 1 ? tr("output unit %1").arg(u.index + 1)
                                           : tr("layer %1, unit %2").arg(u.column).arg(u.index + 1);
    text += tr("\noutput from %1 to %2 over the plane").arg(formatValue(lo), formatValue(hi));
    const int in = m_field->layerWidths[std::size_t(u.column - 1)];
    const std::vector<float>& kernel = m_field->kernels[std::size_t(u.column - 1)];
    QStringList weights;
    for (int i = 0; i < in; ++i) weights << formatValue(kernel[std::size_t(u.index * in + i)]);
    return text + tr("\nweights in: %1").arg(weights.join(QStringLiteral(", ")));
  }
  return {};
}

}  // namespace gradscope::ui
