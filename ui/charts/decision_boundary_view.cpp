#include "ui/charts/decision_boundary_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/landscapes/surface_grid.h"
#include "ui/charts/plot_axes.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {
constexpr double kFieldStrength = 0.7;  // the field stays lighter than the points on it

QColor outlineColor() { return theme().dark ? QColor(0, 0, 0) : QColor(25, 25, 25); }

// The level set {v = level} of a grid (row-major, `n` x `n`) in grid units (column, row):
// the engine's marching squares (core/landscapes/surface_grid.h), on cell centres 0 .. n - 1.
std::vector<QLineF> contour(const std::vector<float>& v, int n, float level) {
  core::SurfaceGrid grid;
  grid.rect = {-0.5, n - 0.5, -0.5, n - 0.5};
  grid.columns = grid.rows = n;
  grid.values.assign(v.begin(), v.end());
  std::vector<QLineF> lines;
  for (const core::ContourSegment& s : core::contourSegments(grid, double(level))) {
    lines.emplace_back(s.a.x(), s.a.y(), s.b.x(), s.b.y());
  }
  return lines;
}
}  // namespace

DecisionBoundaryView::DecisionBoundaryView(QWidget* parent) : PaintedView(parent) {
  m_regionsBox = new QCheckBox(tr("Linear regions"), this);
  m_regionsBox->setObjectName(QStringLiteral("regionsToggle"));
  m_regionsBox->setToolTip(
      tr("Colour the plane by linear region: each on/off pattern of the hidden ReLU units is one "
         "piece on which the network is an affine function"));
  m_regionsBox->setVisible(false);
  controls()->addWidget(m_regionsBox);
  controls()->addStretch(1);
  connect(m_regionsBox, &QCheckBox::toggled, this,
          [this](bool on) { setMode(on ? Mode::Regions : Mode::Prediction); });
}

void DecisionBoundaryView::setMode(Mode mode) {
  if (mode == m_mode) return;
  m_mode = mode;
  {
    const QSignalBlocker block(m_regionsBox);
    m_regionsBox->setChecked(mode == Mode::Regions);
  }
  updateCanvas();
}

QJsonObject DecisionBoundaryView::viewState() const {
  if (m_mode == Mode::Prediction) return {};
  return QJsonObject{{QStringLiteral("mode"), QStringLiteral("regions")}};
}

void DecisionBoundaryView::restoreViewState(const QJsonObject& state) {
  setMode(state.value(QStringLiteral("mode")).toString() == QLatin1String("regions")
              ? Mode::Regions
              : Mode::Prediction);
}

QString DecisionBoundaryView::regionsUnavailable() const {
  if (!m_field || m_field->hasRegions()) return {};
  if (!m_field->regionsUnavailable.isEmpty()) {
    return tr("No linear regions: %1. Regions exist for piecewise-linear hidden activations "
              "(relu, leaky_relu).")
        .arg(m_field->regionsUnavailable);
  }
  return tr("No linear regions for this network");
}

QColor DecisionBoundaryView::regionColor(int id) {
  // Golden-ratio steps round the hue circle: any run of ids spreads over it. Every third id is
  // lighter or deeper, so two regions of close hue still differ in lightness.
  const double hue = std::fmod(0.13 + 0.6180339887498949 * double(id), 1.0);
  const int band = id % 3;
  if (theme().dark) {
    return QColor::fromHsvF(float(hue), float(0.55 + 0.12 * band), float(0.42 + 0.1 * band));
  }
  return QColor::fromHsvF(float(hue), float(0.22 + 0.13 * band), float(0.98 - 0.05 * band));
}

bool DecisionBoundaryView::showsRegions() const {
  return m_mode == Mode::Regions && m_field && m_field->hasRegions() && !m_regionImage.isNull();
}

QString DecisionBoundaryView::viewTitle() const { return tr("Decision boundary"); }

void DecisionBoundaryView::refresh(const app::MetricHistory& /*history*/, int /*run*/) {
  showPending();
}

void DecisionBoundaryView::showPending() {
  if (m_pendingField) setField(std::exchange(m_pendingField, nullptr), m_pendingStep);
  if (m_pendingInsight) {
    m_step = m_pendingStep;
    setInsight(std::exchange(m_pendingInsight, nullptr));
  }
}

void DecisionBoundaryView::onSnapshot(const app::Snapshot& snapshot) {
  if (snapshot.dataPoints) {
    setDataPoints(snapshot.dataPoints);
  } else if (snapshot.learningRatePlan) {
    // The data points and the rate plan are sent together when the data or settings change;
    // a plan without points means the data set is not 2-D.
    setNotPlanar();
  }
  if (snapshot.state == app::RunState::Running) {
    if (snapshot.decisionField) m_pendingField = snapshot.decisionField;
    if (snapshot.modelInsight) m_pendingInsight = snapshot.modelInsight;
    if (snapshot.decisionField || snapshot.modelInsight) m_pendingStep = snapshot.currentStep;
    return;
  }
  // Paused or stopped: the status bar shows this snapshot at once, so the view does too
  // (what waited first, then anything newer).
  showPending();
  if (snapshot.decisionField) setField(snapshot.decisionField, snapshot.currentStep);
  if (snapshot.modelInsight) {
    m_step = snapshot.currentStep;
    setInsight(snapshot.modelInsight);
  }
}

void DecisionBoundaryView::clear() {
  // The reset snapshot brings the new field and points; until then the old ones stay.
}

void DecisionBoundaryView::setField(std::shared_ptr<const app::DecisionField> field,
                                    std::int64_t step) {
  if (field) {
    const auto cells = std::size_t(field->resolution) * std::size_t(std::max(0, field->resolution));
    bool valid = field->resolution >= 2 && !field->outputs.empty();
    for (const std::vector<float>& output : field->outputs) valid &= output.size() == cells;
    if (field->hasRegions()) {
      valid &= field->regionIds.size() ==
               std::size_t(field->regionResolution) * std::size_t(field->regionResolution);
    }
    if (!valid) field = nullptr;
  }
  m_field = std::move(field);
  m_step = step;
  if (m_field) m_notPlanar = false;
  m_regionsBox->setVisible(m_field || m_points);
  rebuildImage();
  updateCanvas();
}

void DecisionBoundaryView::setDataPoints(std::shared_ptr<const app::DataPoints> points) {
  m_points = std::move(points);
  if (m_points) {
    m_notPlanar = false;
    setInsight(nullptr);
  }
  m_regionsBox->setVisible(m_field || m_points);
  rebuildImage();  // the task and the regression scale come from the points
  updateCanvas();
}

void DecisionBoundaryView::setInsight(std::shared_ptr<const app::ModelInsight> insight) {
  m_insight = std::move(insight);
  const std::vector<ModelInsightPainter::Page> pages =
      m_insight ? ModelInsightPainter::pagesFor(*m_insight)
                : std::vector<ModelInsightPainter::Page>{};
  if (pages != m_pages) {
    m_pages = pages;
    if (!m_pages.empty() && std::find(m_pages.begin(), m_pages.end(), m_page) == m_pages.end())
      m_page = m_pages.front();
    if (!m_pageBox && m_pages.size() > 1) {
      m_pageLabel = new QLabel(tr("Show"), this);
      controls()->insertWidget(0, m_pageLabel);
      m_pageBox = new QComboBox(this);
      m_pageBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
      controls()->insertWidget(1, m_pageBox);
      connect(m_pageBox, &QComboBox::activated, this, [this](int index) {
        if (index >= 0 && std::size_t(index) < m_pages.size())
          setInsightPage(m_pages[std::size_t(index)]);
      });
    }
    if (m_pageBox) {
      const QSignalBlocker block(m_pageBox);
      m_pageBox->clear();
      for (const ModelInsightPainter::Page page : m_pages)
        m_pageBox->addItem(ModelInsightPainter::pageName(page));
      m_pageBox->setCurrentIndex(
          int(std::find(m_pages.begin(), m_pages.end(), m_page) - m_pages.begin()));
    }
  }
  if (m_pageBox) {
    m_pageBox->setVisible(m_pages.size() > 1);
    m_pageLabel->setVisible(m_pages.size() > 1);
  }
  updateCanvas();
}

void DecisionBoundaryView::setInsightPage(ModelInsightPainter::Page page) {
  m_page = page;
  if (m_pageBox) {
    const auto it = std::find(m_pages.begin(), m_pages.end(), page);
    if (it != m_pages.end()) m_pageBox->setCurrentIndex(int(it - m_pages.begin()));
  }
  updateCanvas();
}

void DecisionBoundaryView::setNotPlanar() {
  m_pendingField.reset();  // of the plane data set that is gone
  if (m_notPlanar && !m_field && !m_points) return;
  m_notPlanar = true;
  m_field = nullptr;
  m_points = nullptr;
  m_image = QImage();
  m_contour.clear();
  m_regionImage = QImage();
  m_regionBorders.clear();
  m_regionsBox->setVisible(false);
  updateCanvas();
}

DecisionBoundaryView::Task DecisionBoundaryView::task() const {
  if (m_points && !m_points->classification) return Task::Regression;
  if (m_field && m_field->outputs.size() > 1) return Task::MultiClass;
  if (m_points) return m_points->classes > 2 ? Task::MultiClass : Task::Binary;
  if (m_field) {
    // No points yet: probabilities look like a classifier.
    for (const float v : m_field->outputs.front())
      if (v < 0.0f || v > 1.0f) return Task::Regression;
  }
  return Task::Binary;
}

QColor DecisionBoundaryView::classColor(int k, int classes) {
  if (classes <= 2) return theme().diverging(k == 0 ? -1.0 : 1.0);
  return theme().runColor(k);
}

double DecisionBoundaryView::regressionScale() const {
  double scale = 0;
  if (m_points) {
    for (const float v : m_points->value) scale = std::max(scale, std::abs(double(v)));
  }
  if (scale == 0 && m_field) {
    for (const float v : m_field->outputs.front()) scale = std::max(scale, std::abs(double(v)));
  }
  return scale > 0 ? scale : 1.0;
}

QColor DecisionBoundaryView::fieldColor(int index, Task task, double scale) const {
  const Theme& th = theme();
  const auto i = std::size_t(index);
  switch (task) {
    case Task::Binary:
      return th.diverging(kFieldStrength * (2.0 * m_field->outputs[0][i] - 1.0));
    case Task::Regression:
      return th.diverging(kFieldStrength * m_field->outputs[0][i] / scale);
    case Task::MultiClass: {
      const int classes = int(m_field->outputs.size());
      int best = 0;
      for (int k = 1; k < classes; ++k)
        if (m_field->outputs[std::size_t(k)][i] > m_field->outputs[std::size_t(best)][i]) best = k;
      const double p = m_field->outputs[std::size_t(best)][i];
      const double confidence = std::clamp((p - 1.0 / classes) / (1.0 - 1.0 / classes), 0.0, 1.0);
      return mixColors(th.background, classColor(best, classes), kFieldStrength * confidence);
    }
  }
  return th.background;
}

void DecisionBoundaryView::rebuildImage() {
  m_contour.clear();
  if (!m_field) {
    m_image = QImage();
    return;
  }
  const int n = m_field->resolution;
  const Task t = task();
  const double scale = t == Task::Regression ? regressionScale() : 1.0;
  m_image = QImage(n, n, QImage::Format_RGB32);
  for (int row = 0; row < n; ++row) {
    auto* line = reinterpret_cast<QRgb*>(m_image.scanLine(n - 1 - row));  // y up
    for (int col = 0; col < n; ++col) line[col] = fieldColor(row * n + col, t, scale).rgb();
  }
  if (t == Task::Binary) m_contour = contour(m_field->outputs[0], n, 0.5f);
  rebuildRegions();
}

void DecisionBoundaryView::rebuildRegions() {
  m_regionImage = QImage();
  m_regionBorders.clear();
  if (!m_field || !m_field->hasRegions()) return;
  const int n = m_field->regionResolution;
  const std::vector<std::int32_t>& ids = m_field->regionIds;
  m_regionImage = QImage(n, n, QImage::Format_RGB32);
  QRgb last = 0;
  int lastId = -1;
  for (int row = 0; row < n; ++row) {
    auto* line = reinterpret_cast<QRgb*>(m_regionImage.scanLine(n - 1 - row));  // y up
    for (int col = 0; col < n; ++col) {
      const int id = ids[std::size_t(row * n + col)];
      if (id != lastId) {
        last = regionColor(id).rgb();
        lastId = id;
      }
      line[col] = last;
    }
  }
  // Borders halfway between neighbouring grid points of two regions, merged along their
  // column (row) into one segment per run.
  auto at = [&](int row, int col) { return ids[std::size_t(row * n + col)]; };
  for (int col = 0; col + 1 < n; ++col) {
    int start = -1;
    for (int row = 0; row <= n; ++row) {
      const bool border = row < n && at(row, col) != at(row, col + 1);
      if (border && start < 0) start = row;
      if (!border && start >= 0) {
        m_regionBorders.emplace_back(col + 0.5, start - 0.5, col + 0.5, row - 0.5);
        start = -1;
      }
    }
  }
  for (int row = 0; row + 1 < n; ++row) {
    int start = -1;
    for (int col = 0; col <= n; ++col) {
      const bool border = col < n && at(row, col) != at(row + 1, col);
      if (border && start < 0) start = col;
      if (!border && start >= 0) {
        m_regionBorders.emplace_back(start - 0.5, row + 0.5, col - 0.5, row + 0.5);
        start = -1;
      }
    }
  }
}

void DecisionBoundaryView::paintRegionBorders(QPainter& painter, const QRect& plot) {
  if (m_regionBorders.empty()) return;
  const int n = m_field->regionResolution;
  const double sx = plot.width() / double(n - 1), sy = plot.height() / double(n - 1);
  QVector<QLineF> lines;
  lines.reserve(qsizetype(m_regionBorders.size()));
  for (const QLineF& l : m_regionBorders) {
    lines.append(QLineF(plot.left() + l.x1() * sx, plot.bottom() + 1 - l.y1() * sy,
                        plot.left() + l.x2() * sx, plot.bottom() + 1 - l.y2() * sy));
  }
  painter.save();
  painter.setClipRect(plot);
  // Dark lines on both themes' region colours (light ones would sparkle on the dark theme).
  const QColor line(0, 0, 0, theme().dark ? 120 : 95);
  painter.setPen(QPen(line, theme().presentation ? 1.5 : 1.0));
  painter.drawLines(lines);
  painter.restore();
}

void DecisionBoundaryView::restyle() { rebuildImage(); }

DecisionBoundaryView::Frame DecisionBoundaryView::frame() const {
  Frame f;
  if (m_field) {
    f = {m_field->xMin, m_field->xMax, m_field->yMin, m_field->yMax};
  } else if (m_points && !m_points->x.empty()) {
    const auto [x0, x1] = std::minmax_element(m_points->x.begin(), m_points->x.end());
    const auto [y0, y1] = std::minmax_element(m_points->y.begin(), m_points->y.end());
    const double mx = (*x1 - *x0) * 0.05 + 1e-6, my = (*y1 - *y0) * 0.05 + 1e-6;
    f = {*x0 - mx, *x1 + mx, *y0 - my, *y1 + my};
  }
  if (!(f.xMax > f.xMin)) f.xMax = f.xMin + 1;
  if (!(f.yMax > f.yMin)) f.yMax = f.yMin + 1;
  return f;
}

int DecisionBoundaryView::legendWidth() const {
  const QFontMetrics fm(theme().font());
  const int marker = fm.height();
  int text = std::max(fm.horizontalAdvance(tr("validation")), fm.horizontalAdvance(tr("train")));
  if (task() == Task::Regression) {
    text = std::max(text, fm.horizontalAdvance(tr("target")));
    text = std::max(text, fm.height() + 4 + fm.horizontalAdvance(QStringLiteral("-88.8")));
  } else {
    const int classes = m_points  ? m_points->classes
                        : m_field ? std::max<int>(2, int(m_field->outputs.size()))
                                  : 2;
    text = std::max(text, fm.horizontalAdvance(tr("class %1").arg(classes - 1)));
  }
  return marker + 6 + text + 8;
}

std::vector<DecisionBoundaryView::LegendItem> DecisionBoundaryView::legendItems() const {
  std::vector<LegendItem> items;
  const Task t = task();
  if (t != Task::Regression) {
    const int classes = t == Task::Binary ? 2
                        : m_points        ? std::max(2, m_points->classes)
                                          : int(m_field ? m_field->outputs.size() : 2);
    for (int k = 0; k < classes; ++k)
      items.push_back({LegendItem::Swatch, classColor(k, classes), tr("class %1").arg(k)});
  }
  if (m_points) {
    const QColor neutral = theme().dark ? QColor(200, 200, 200) : QColor(150, 150, 150);
    items.push_back({LegendItem::Train, neutral, tr("train")});
    if (std::find(m_points->validation.begin(), m_points->validation.end(), true) !=
        m_points->validation.end())
      items.push_back({LegendItem::Validation, neutral, tr("validation")});
  }
  return items;
}

int DecisionBoundaryView::legendRowsBelow(int width) const {
  const QFontMetrics fm(theme().font());
  int rows = 1, x = 0;
  for (const LegendItem& item : legendItems()) {
    const int w = fm.height() + 6 + fm.horizontalAdvance(item.text) + 14;
    if (x > 0 && x + w > width) {
      ++rows;
      x = 0;
    }
    x += w;
  }
  return rows;
}

int DecisionBoundaryView::yLabelWidth(const QRect& rect) const {
  // The labels of as many ticks as the tallest possible plot gets (the plot is never taller).
  const QFontMetrics fm(theme().font());
  const Frame f = frame();
  const int height = rect.height() - QFontMetrics(theme().titleFont()).height() - 4 * fm.height();
  int width = fm.horizontalAdvance(QStringLiteral("0"));
  for (const AxisTick& t : linearTicks(f.yMin, f.yMax, std::max(2, height / (fm.height() * 2))))
    width = std::max(width, fm.horizontalAdvance(t.label));
  return width;
}

DecisionBoundaryView::Layout DecisionBoundaryView::layoutIn(const QRect& rect) const {
  const QFontMetrics fm(theme().font());
  const QFontMetrics tfm(theme().titleFont());
  const Frame f = frame();
  const int left = rect.left() + 4 + fm.height() + 4 + yLabelWidth(rect) + kTickLength + 2;
  const int top = rect.top() + tfm.height() + 8 + fm.height() / 2;  // room for the top label
  const int axisBelow = kTickLength + 2 * fm.height() + 4;
  // Equal units on both axes, so a circle stays a circle.
  const double aspect = (f.xMax - f.xMin) / (f.yMax - f.yMin);
  auto fit = [&](int right, int bottom) {
    const QRect area(QPoint(left, top),
                     QPoint(std::max(left + 10, right), std::max(top + 10, bottom)));
    int w = area.width(), h = area.height();
    if (double(w) / h > aspect) {
      w = std::max(10, int(h * aspect));
    } else {
      h = std::max(10, int(w / aspect));
    }
    return QRect(area.left(), area.top() + (area.height() - h) / 2, w, h);
  };
  Layout right;
  right.plot = fit(rect.right() - legendWidth() - 16, rect.bottom() - axisBelow);
  right.legend = QRect(right.plot.right() + 16, right.plot.top(), legendWidth(),
                       std::max(right.plot.height(), rect.bottom() - right.plot.top()));
  if (task() == Task::Regression) return right;
  // In a tall, narrow panel the legend goes under the plot when that leaves a larger plot.
  const int line = fm.height() + 4;
  const int legendHeight = legendRowsBelow(rect.width() - 12) * line;
  Layout below;
  below.legendBelow = true;
  below.plot = fit(rect.right() - 10, rect.bottom() - axisBelow - legendHeight - 4);
  below.legend =
      QRect(rect.left() + 6, below.plot.bottom() + axisBelow + 4, rect.width() - 12, legendHeight);
  return below.plot.width() > right.plot.width() + 8 ? below : right;
}

QRect DecisionBoundaryView::plotRect() const { return layoutIn(canvas()->rect()).plot; }

QPointF DecisionBoundaryView::toCanvas(double x, double y) const {
  const QRect plot = plotRect();
  const Frame f = frame();
  return {plot.left() + (x - f.xMin) / (f.xMax - f.xMin) * plot.width(),
          plot.top() + plot.height() - (y - f.yMin) / (f.yMax - f.yMin) * plot.height()};
}

void DecisionBoundaryView::paintCanvas(QPainter& painter, const QRect& rect) {
  const Theme& th = theme();
  const QFontMetrics tfm(th.titleFont());
  if (!m_field && !m_points && m_insight) {
    const QString insightTitle = ModelInsightPainter::title(*m_insight);
    drawTitle(painter, QRect(rect.left() + 6, rect.top() + 4, rect.width() - 12, tfm.height()),
              m_step >= 0 ? QStringList{tr("%1, step %2").arg(insightTitle, formatStep(m_step)),
                                        insightTitle}
                          : QStringList{insightTitle});
    ModelInsightPainter::paint(painter, rect.adjusted(6, tfm.height() + 10, -6, -4), *m_insight,
                               m_page);
    return;
  }
  const bool regions = m_mode == Mode::Regions;
  const QString title = regions                      ? tr("Linear regions")
                        : task() == Task::Regression ? tr("Prediction over the input plane")
                                                     : tr("Decision boundary");
  QStringList titles;
  if (regions && showsRegions()) {
    const int n = m_field->regionCount;
    const QString count = n == 1 ? tr("1 region") : tr("%1 regions").arg(n);
    const QString units = m_field->patternUnits == 1
                              ? tr("1 ReLU unit")
                              : tr("%1 ReLU units").arg(m_field->patternUnits);
    const QString basis = tr("%1, %2×%2 grid").arg(units).arg(m_field->regionResolution);
    if (m_step >= 0) {
      titles << tr("%1 at step %2: %3 (%4)").arg(title, formatStep(m_step), count, basis)
             << tr("%1 at step %2: %3").arg(title, formatStep(m_step), count)
             << tr("%1, step %2").arg(count, formatStep(m_step));
    }
    titles << tr("%1: %2").arg(title, count) << count;
  } else if (m_field && m_step >= 0) {
    titles << tr("%1 at step %2").arg(title, formatStep(m_step))
           << tr("%1, step %2")
                  .arg(task() == Task::Regression ? tr("Prediction") : title, formatStep(m_step));
  }
  titles << title;
  drawTitle(painter, QRect(rect.left() + 6, rect.top() + 4, rect.width() - 12, tfm.height()),
            titles);
  if (!m_field && !m_points) {
    drawMessage(painter, rect,
                m_notPlanar ? tr("The model's predictions appear with the next training step")
                            : tr("The decision boundary is shown for 2‑D data sets"));
    return;
  }
  const Layout layout = layoutIn(rect);
  const QRect plot = layout.plot;
  const Frame f = frame();
  if (!m_image.isNull()) {
    // Grid values sit on the cell corners: stretch the image half a cell past the plot.
    // Regions are flat colours with sharp borders: no smoothing.
    const bool showRegions = showsRegions();
    const int n = showRegions ? m_field->regionResolution : m_field->resolution;
    const double hx = plot.width() / double(n - 1) / 2, hy = plot.height() / double(n - 1) / 2;
    painter.save();
    painter.setClipRect(plot);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, !showRegions);
    painter.drawImage(
        QRectF(plot.left() - hx, plot.top() - hy, plot.width() + 2 * hx, plot.height() + 2 * hy),
        showRegions ? m_regionImage : m_image);
    painter.restore();
    if (showRegions) paintRegionBorders(painter, plot);
    paintContour(painter, plot);
  } else {
    painter.setPen(th.faint);
    painter.drawText(plot, Qt::AlignCenter | Qt::TextWordWrap,
                     tr("The model's prediction appears with the next training step"));
  }
  paintPoints(painter, plot, f);
  if (regions && m_field && !m_field->hasRegions()) {
    // Why there is nothing to count, over the prediction it shows instead.
    const QFontMetrics fm(th.font());
    const QRect box = plot.adjusted(12, 12, -12, -12);
    const QRect text =
        fm.boundingRect(box, Qt::AlignCenter | Qt::TextWordWrap, regionsUnavailable());
    painter.save();
    QColor back = th.background;
    back.setAlpha(225);
    painter.setPen(th.foreground);
    painter.setBrush(back);
    painter.drawRoundedRect(text.adjusted(-8, -6, 8, 6), 4, 4);
    painter.drawText(text, Qt::AlignCenter | Qt::TextWordWrap, regionsUnavailable());
    painter.restore();
  }
  paintAxes(painter, plot, f);
  paintLegend(painter, layout);
}

void DecisionBoundaryView::paintContour(QPainter& painter, const QRect& plot) {
  if (m_contour.empty()) return;
  const double sx = plot.width() / double(m_field->resolution - 1);
  const double sy = plot.height() / double(m_field->resolution - 1);
  QVector<QLineF> lines;
  lines.reserve(qsizetype(m_contour.size()));
  for (const QLineF& l : m_contour) {
    lines.append(QLineF(plot.left() + l.x1() * sx, plot.bottom() + 1 - l.y1() * sy,
                        plot.left() + l.x2() * sx, plot.bottom() + 1 - l.y2() * sy));
  }
  painter.save();
  painter.setClipRect(plot);
  painter.setRenderHint(QPainter::Antialiasing, true);
  QColor line = theme().foreground;
  line.setAlpha(160);
  painter.setPen(QPen(line, theme().lineWidth, Qt::SolidLine, Qt::RoundCap));
  painter.drawLines(lines);
  painter.restore();
}

void DecisionBoundaryView::paintPoints(QPainter& painter, const QRect& plot, const Frame& f) {
  if (!m_points) return;
  const app::DataPoints& p = *m_points;
  const std::size_t n = std::min({p.x.size(), p.y.size(), p.value.size()});
  const bool presentation = theme().presentation;
  double radius = presentation ? 4.5 : 3.2;
  if (n > 1500) radius *= 0.75;
  // Over the regions the points step back: the regions are what the mode shows.
  const bool faint = showsRegions();
  if (faint) radius *= 0.7;
  const Task t = task();
  const double scale = t == Task::Regression ? regressionScale() : 1.0;
  const int classes = t == Task::Binary ? 2 : std::max(p.classes, 2);
  painter.save();
  painter.setClipRect(
      plot.adjusted(-int(radius) - 1, -int(radius) - 1, int(radius) + 1, int(radius) + 1));
  painter.setRenderHint(QPainter::Antialiasing, true);
  if (faint) painter.setOpacity(0.6);
  const QPen outline(outlineColor(), presentation ? 1.5 : 1.0);
  // Training points first, validation points on top.
  for (const bool validation : {false, true}) {
    for (std::size_t i = 0; i < n; ++i) {
      const bool isValidation = i < p.validation.size() && p.validation[i];
      if (isValidation != validation) continue;
      const QPointF c(
          plot.left() + (p.x[i] - f.xMin) / (f.xMax - f.xMin) * plot.width(),
          plot.top() + plot.height() - (p.y[i] - f.yMin) / (f.yMax - f.yMin) * plot.height());
      const QColor color = t == Task::Regression ? theme().diverging(p.value[i] / scale)
                                                 : classColor(int(p.value[i]), classes);
      if (!validation) {
        painter.setPen(outline);
        painter.setBrush(color);
        painter.drawEllipse(c, radius, radius);
      } else {
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(outlineColor(), presentation ? 4.5 : 3.5));
        painter.drawEllipse(c, radius, radius);
        painter.setPen(QPen(color, presentation ? 2.5 : 1.8));
        painter.drawEllipse(c, radius, radius);
      }
    }
  }
  painter.restore();
}

void DecisionBoundaryView::paintAxes(QPainter& painter, const QRect& plot, const Frame& f) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  painter.setPen(th.foreground);
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(plot.adjusted(0, 0, -1, -1));
  const int xTicks =
      std::max(2, plot.width() / (fm.horizontalAdvance(QStringLiteral("-88.8")) + 10));
  for (const AxisTick& t : linearTicks(f.xMin, f.xMax, xTicks)) {
    const int x =
        plot.left() + int(std::lround((t.value - f.xMin) / (f.xMax - f.xMin) * plot.width()));
    painter.drawLine(x, plot.bottom(), x, plot.bottom() + kTickLength);
    const int w = fm.horizontalAdvance(t.label);
    painter.drawText(QPoint(x - w / 2, plot.bottom() + kTickLength + fm.ascent() + 1), t.label);
  }
  painter.drawText(
      QRect(plot.left(), plot.bottom() + kTickLength + fm.height(), plot.width(), fm.height() + 2),
      Qt::AlignCenter, QStringLiteral("x1"));
  const int yTicks = std::max(2, plot.height() / (fm.height() * 2));
  for (const AxisTick& t : linearTicks(f.yMin, f.yMax, yTicks)) {
    const int y =
        plot.bottom() - int(std::lround((t.value - f.yMin) / (f.yMax - f.yMin) * plot.height()));
    painter.drawLine(plot.left() - kTickLength, y, plot.left(), y);
    painter.drawText(QRect(0, y - fm.height() / 2, plot.left() - kTickLength - 3, fm.height()),
                     Qt::AlignRight | Qt::AlignVCenter, t.label);
  }
  const int labelsWidth = yLabelWidth(canvas()->rect());
  painter.drawText(QRect(plot.left() - kTickLength - 3 - labelsWidth - 4 - fm.height(),
                         plot.center().y() - fm.height() / 2, fm.height() + 2, fm.height()),
                   Qt::AlignCenter, QStringLiteral("x2"));
}

void DecisionBoundaryView::paintLegend(QPainter& painter, const Layout& layout) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const double radius = th.presentation ? 4.5 : 3.2;
  const int line = fm.height() + 4;
  const QRect& area = layout.legend;
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing, true);
  int x = area.left(), y = area.top();
  if (task() == Task::Regression) {
    painter.setPen(th.foreground);
    painter.drawText(QPoint(x, y + fm.ascent()), tr("target"));
    y += line;
    const double scale = regressionScale();
    const int barHeight = std::max(40, area.height() - 3 * line - 8);
    std::vector<AxisTick> ticks;
    for (AxisTick tick : linearTicks(-scale, scale, std::max(2, barHeight / (fm.height() + 4)))) {
      tick.value = (tick.value + scale) / (2 * scale);
      ticks.push_back(tick);
    }
    const Theme* themePtr = &th;
    drawColorBar(
        painter, QRect(x, y, fm.height(), barHeight),
        [themePtr](double v) { return themePtr->diverging(2 * v - 1); }, ticks);
    y += barHeight + 8;
  }
  const std::vector<LegendItem> items = legendItems();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const LegendItem& item = items[i];
    const int width = fm.height() + 6 + fm.horizontalAdvance(item.text) + 14;
    if (layout.legendBelow) {
      if (x > area.left() && x + width > area.right()) {
        x = area.left();
        y += line;
      }
    } else if (i > 0) {
      // A little space between the classes and the markers.
      // A little space between the groups (count, classes, markers).
      const LegendItem::Kind before = items[i - 1].kind;
      const bool group = before == LegendItem::Swatch || before == LegendItem::Text;
      y += line + (group && item.kind != before ? 4 : 0);
    }
    const QPointF c(x + fm.height() / 2.0, y + fm.height() / 2.0);
    switch (item.kind) {
      case LegendItem::Swatch:
        painter.setPen(Qt::NoPen);
        painter.setBrush(item.color);
        painter.drawRect(QRectF(x + 1, y + 2, fm.height() - 2, fm.height() - 4));
        break;
      case LegendItem::Train:
        painter.setPen(QPen(outlineColor(), 1.0));
        painter.setBrush(item.color);
        painter.drawEllipse(c, radius, radius);
        break;
      case LegendItem::Validation:
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(outlineColor(), 3.5));
        painter.drawEllipse(c, radius, radius);
        painter.setPen(QPen(item.color, 1.8));
        painter.drawEllipse(c, radius, radius);
        break;
      case LegendItem::Text:
        break;
    }
    painter.setPen(th.foreground);
    const int textX = item.kind == LegendItem::Text ? x : x + fm.height() + 6;
    painter.drawText(QPoint(textX, y + fm.ascent()), item.text);
    if (layout.legendBelow) x += width;
  }
  painter.restore();
}

QString DecisionBoundaryView::canvasToolTip(const QPoint& pos) const {
  const QRect plot = plotRect();
  if (!plot.contains(pos) || !m_field) return {};
  const Frame f = frame();
  const double x = f.xMin + double(pos.x() - plot.left()) / plot.width() * (f.xMax - f.xMin);
  const double y = f.yMin + double(plot.bottom() - pos.y()) / plot.height() * (f.yMax - f.yMin);
  const int n = m_field->resolution;
  const int col =
      std::clamp(int(std::lround((x - f.xMin) / (f.xMax - f.xMin) * (n - 1))), 0, n - 1);
  const int row =
      std::clamp(int(std::lround((y - f.yMin) / (f.yMax - f.yMin) * (n - 1))), 0, n - 1);
  const auto i = std::size_t(row * n + col);
  QString text = QStringLiteral("x1 = %1, x2 = %2\n").arg(formatValue(x), formatValue(y));
  if (showsRegions()) {
    const int m = m_field->regionResolution;
    const auto at = [&](double v, double lo, double hi) {
      return std::clamp(int(std::lround((v - lo) / (hi - lo) * (m - 1))), 0, m - 1);
    };
    const int id =
        m_field->regionIds[std::size_t(at(y, f.yMin, f.yMax) * m + at(x, f.xMin, f.xMax))];
    text += tr("linear region id %1\n").arg(id);
  }
  switch (task()) {
    case Task::Binary:
      return text + tr("p(class 1) = %1").arg(m_field->outputs[0][i], 0, 'f', 3);
    case Task::Regression:
      return text + tr("prediction %1").arg(formatValue(m_field->outputs[0][i]));
    case Task::MultiClass: {
      int best = 0;
      for (std::size_t k = 1; k < m_field->outputs.size(); ++k)
        if (m_field->outputs[k][i] > m_field->outputs[std::size_t(best)][i]) best = int(k);
      return text + tr("class %1, p = %2")
                        .arg(best)
                        .arg(m_field->outputs[std::size_t(best)][i], 0, 'f', 3);
    }
  }
  return text;
}

}  // namespace gradscope::ui
