#include "ui/charts/loss_surface_view.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPainterPath>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>

#include <algorithm>
#include <cmath>

#include "app/loss_surface/loss_surface_job.h"
#include "app/loss_surface/loss_surface_json.h"
#include "app/sessions/session_file.h"
#include "ui/charts/plot_axes.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

// How strongly the colour map shows through the background: pale enough for the contour
// lines and the path to stand out, on a projector too.
constexpr double kSurfaceMapStrength = 0.6;

QColor mapColor(double t) {
  const Theme& th = theme();
  return std::isnan(t) ? th.background : mixColors(th.background, th.heat(t), kSurfaceMapStrength);
}

// Six significant digits: the CSV export's numbers.
QString csvNumber(double value) { return QString::number(value, 'g', 6); }

}  // namespace

LossSurfaceView::LossSurfaceView(app::TrainingController* controller, QWidget* parent)
    : PaintedView(parent) {
  setObjectName(QStringLiteral("lossSurfaceView"));
  m_modeBox = new QComboBox(this);
  m_modeBox->setObjectName(QStringLiteral("lossSurfaceMode"));
  m_modeBox->addItem(tr("Random directions"), int(core::LossSurfaceMode::RandomSlice));
  m_modeBox->addItem(tr("Trajectory (PCA)"), int(core::LossSurfaceMode::PcaTrajectory));
  m_modeBox->addItem(tr("Initial \u2192 current"), int(core::LossSurfaceMode::Interpolation));
  m_modeBox->setToolTip(
      tr("Random directions: a slice of the training loss along two filter-normalised random "
         "directions (Li et al. 2018).\nTrajectory: the path of the weights on its two "
         "principal directions, over the loss on that plane.\nInitial \u2192 current: the loss "
         "on the straight line between the initial and the current weights (Goodfellow et al. "
         "2015)."));
  // The dock may be narrow (three charts share a row): the list shrinks rather than widening
  // its column.
  m_modeBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  m_modeBox->setMinimumContentsLength(6);
  m_compute = new QPushButton(tr("Compute"), this);
  m_compute->setObjectName(QStringLiteral("lossSurfaceCompute"));
  m_compute->setToolTip(
      tr("Computes the loss around the selected run's current weights on a copy of the "
         "network, in the background: the run keeps training."));
  m_progress = new QProgressBar(this);
  m_progress->setObjectName(QStringLiteral("lossSurfaceProgress"));
  m_progress->setRange(0, 100);
  m_progress->setMinimumWidth(20);
  m_progress->setVisible(false);
  controls()->addWidget(m_modeBox);
  controls()->addWidget(m_compute);
  controls()->addWidget(m_progress, 1);
  controls()->addStretch();
  connect(m_compute, &QPushButton::clicked, this, [this] {
    if (isComputing()) {
      cancel();
    } else {
      compute();
    }
  });
  if (controller) {
    m_job = new app::LossSurfaceJob(controller, this);
    connect(m_job, &app::LossSurfaceJob::progressChanged, m_progress, &QProgressBar::setValue);
    connect(m_job, &app::LossSurfaceJob::finished, this,
            [this](const app::LossSurfaceJob::Result& result) {
              setRunning(false);
              if (result.surface) {
                setSurface(result.surface, result.runName);
              } else if (result.cancelled) {
                m_message = m_surface ? QString() : tr("Cancelled.");
                updateCanvas();
              } else {
                setFailed(result.error);
              }
            });
  }
}

LossSurfaceView::~LossSurfaceView() = default;

core::LossSurfaceMode LossSurfaceView::mode() const {
  return core::LossSurfaceMode(m_modeBox->currentData().toInt());
}

void LossSurfaceView::setMode(core::LossSurfaceMode mode) {
  m_modeBox->setCurrentIndex(m_modeBox->findData(int(mode)));
}

bool LossSurfaceView::isComputing() const { return m_job && m_job->isRunning(); }

void LossSurfaceView::compute() {
  if (!m_job) return;
  core::LossSurfaceSettings settings;
  settings.mode = mode();
  setRunning(true);
  m_job->start(settings);
}

void LossSurfaceView::cancel() {
  if (m_job) m_job->cancel();
}

void LossSurfaceView::setRunning(bool running) {
  m_compute->setText(running ? tr("Cancel") : tr("Compute"));
  m_progress->setValue(0);
  m_progress->setVisible(running);
  m_modeBox->setEnabled(!running);
}

void LossSurfaceView::clear() {
  // The surface belonged to weights that are gone.
  m_surface.reset();
  m_message.clear();
  m_image = QImage();
  updateCanvas();
}

void LossSurfaceView::setSurface(std::shared_ptr<const core::LossSurface> surface,
                                 const QString& runName) {
  m_surface = std::move(surface);
  m_runName = runName;
  m_message.clear();
  if (m_surface) setMode(m_surface->mode);
  rebuildImage();
  updateCanvas();
}

QJsonObject LossSurfaceView::viewState() const {
  QJsonObject state{{QStringLiteral("mode"), QString::fromUtf8(core::toString(mode()).data())}};
  if (m_surface) {
    state.insert(QStringLiteral("surface"), app::lossSurfaceToJson(*m_surface));
    state.insert(QStringLiteral("run"), m_runName);
  }
  return state;
}

void LossSurfaceView::restoreViewState(const QJsonObject& state) {
  const auto mode =
      core::lossSurfaceModeFromString(state.value(QStringLiteral("mode")).toString().toStdString());
  setMode(mode.value_or(core::LossSurfaceMode::RandomSlice));
  clear();  // what was shown belonged to the weights before
  if (!state.contains(QStringLiteral("surface"))) return;
  try {
    const app::JsonFields fields = app::JsonFields::of(
        state.value(QStringLiteral("surface")), "views." + viewTitle().toStdString() + ".surface");
    setSurface(std::make_shared<const core::LossSurface>(app::lossSurfaceFromJson(fields)),
               state.value(QStringLiteral("run")).toString());
  } catch (const core::Error& e) {
    setFailed(tr("The saved surface could not be read (%1: %2): press Compute.")
                  .arg(QString::fromStdString(e.field()), QString::fromStdString(e.reason())));
  }
}

void LossSurfaceView::setFailed(const QString& message) {
  m_message = message;
  updateCanvas();
}

void LossSurfaceView::rebuildImage() {
  m_image = QImage();
  if (!m_surface || m_surface->mode == core::LossSurfaceMode::Interpolation) return;
  const core::SurfaceMap& map = m_surface->map;
  m_image = QImage(map.grid.columns, map.grid.rows, QImage::Format_RGB32);
  for (int row = 0; row < map.grid.rows; ++row) {
    // Grid row 0 is the bottom of the plot; image row 0 is its top.
    auto* line = reinterpret_cast<QRgb*>(m_image.scanLine(map.grid.rows - 1 - row));
    for (int column = 0; column < map.grid.columns; ++column)
      line[column] = mapColor(map.scale.position(map.grid.at(column, row))).rgb();
  }
}

void LossSurfaceView::restyle() { rebuildImage(); }

QStringList LossSurfaceView::titleTexts() const {
  if (!m_surface) return {tr("Loss surface")};
  const QString step = formatStep(m_surface->step);
  switch (m_surface->mode) {
    case core::LossSurfaceMode::RandomSlice:
      return {tr("Training loss around the weights of step %1, along two random "
                 "filter-normalised directions")
                  .arg(step),
              tr("Loss around step %1, random directions").arg(step),
              tr("Loss around step %1").arg(step)};
    case core::LossSurfaceMode::PcaTrajectory:
      return {tr("Path of the weights to step %1 on its two principal directions").arg(step),
              tr("Path to step %1, principal directions").arg(step)};
    case core::LossSurfaceMode::Interpolation:
      return {tr("Training loss from the initial weights (step %1) to those of step %2")
                  .arg(formatStep(m_surface->initialStep), step),
              tr("Loss from step %1 to step %2").arg(formatStep(m_surface->initialStep), step)};
  }
  return {};
}

QStringList LossSurfaceView::subtitleTexts() const {
  if (!m_surface) return {};
  const core::LossSurface& s = *m_surface;
  const QString run = m_runName.isEmpty() ? QString() : m_runName + QStringLiteral(" \u00b7 ");
  const QString loss = formatValue(s.currentLoss);
  const QString samples = tr(" \u00b7 %1 training samples").arg(s.samples);
  switch (s.mode) {
    case core::LossSurfaceMode::RandomSlice: {
      const QString k = formatValue(s.curvature.mean());
      const QString ab = tr("(\u03b1 %1, \u03b2 %2)")
                             .arg(formatValue(s.curvature.alpha), formatValue(s.curvature.beta));
      return {
          run +
              tr("loss %1 at the weights \u00b7 curvature at the minimum %2 %3").arg(loss, k, ab) +
              samples,
          run + tr("loss %1 at the weights \u00b7 curvature at the minimum %2 %3").arg(loss, k, ab),
          tr("loss %1 \u00b7 curvature at the minimum %2").arg(loss, k),
          tr("loss %1 \u00b7 curvature %2").arg(loss, k)};
    }
    case core::LossSurfaceMode::PcaTrajectory: {
      const QString shares = tr("%1% and %2% of the path's variance")
                                 .arg(s.explained1 * 100.0, 0, 'f', 1)
                                 .arg(s.explained2 * 100.0, 0, 'f', 1);
      return {run +
                  tr("loss %1 at the weights \u00b7 the directions explain %2").arg(loss, shares) +
                  samples,
              run + tr("loss %1 at the weights \u00b7 the directions explain %2").arg(loss, shares),
              tr("loss %1 \u00b7 %2").arg(loss, shares), tr("loss %1").arg(loss)};
    }
    case core::LossSurfaceMode::Interpolation:
      return {run + tr("loss %1 at the current weights").arg(loss) + samples,
              run + tr("loss %1 at the current weights").arg(loss), tr("loss %1").arg(loss)};
  }
  return {};
}

LossSurfaceView::Layout LossSurfaceView::layout(const QRect& rect) const {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const QFontMetrics title(th.titleFont());
  Layout l;
  // Below about 16 lines of text the title (the dock names the view) and the axis names go,
  // so that the plot keeps most of a small dock.
  l.compact = rect.height() < 16 * fm.height();
  l.title =
      QRect(rect.left() + 8, rect.top() + 4, rect.width() - 16, l.compact ? 0 : title.height() + 2);
  l.subtitle = QRect(rect.left() + 8, l.title.bottom() + 2, rect.width() - 16, fm.height() + 2);
  const int top = l.subtitle.bottom() + (l.compact ? 4 : 8);
  const int left = (l.compact ? 4 : 6 + fm.height() + 6) +
                   fm.horizontalAdvance(QStringLiteral("-0.888")) + kTickLength;
  const int below = kTickLength + (l.compact ? 1 : 2) * fm.height() + (l.compact ? 4 : 8);
  const bool map = m_surface && m_surface->mode != core::LossSurfaceMode::Interpolation;
  if (!map) {
    l.plot = QRect(rect.left() + left, top, std::max(40, rect.width() - left - 16),
                   std::max(40, rect.bottom() - top - below));
    return l;
  }
  const int bar = fm.horizontalAdvance(QStringLiteral("0.8888")) + 30;
  const int size =
      std::max(40, std::min(rect.width() - left - bar - 24, rect.bottom() - top - below));
  // Centred horizontally, so that a wide dock does not leave the map in a corner.
  const int spare = std::max(0, rect.width() - left - bar - 24 - size) / 2;
  l.plot = QRect(rect.left() + left + spare, top, size, size);
  l.bar = QRect(l.plot.right() + 14, top, 14, size);
  return l;
}

void LossSurfaceView::paintCanvas(QPainter& painter, const QRect& rect) {
  const Theme& th = theme();
  painter.setFont(th.font());
  const Layout l = layout(rect);
  m_lastPlot = l.plot;
  if (!m_surface) {
    if (!l.compact) drawTitle(painter, l.title, titleTexts());
    drawMessage(painter, rect.adjusted(16, l.subtitle.bottom(), -16, -8),
                m_message.isEmpty()
                    ? tr("Press Compute: the training loss around the selected run's current "
                         "weights, computed on a copy while the run keeps training.")
                    : m_message);
    return;
  }
  if (!l.compact) drawTitle(painter, l.title, titleTexts());
  const QStringList subtitles = subtitleTexts();
  QString subtitle = subtitles.isEmpty() ? QString() : subtitles.back();
  for (const QString& text : subtitles) {
    if (painter.fontMetrics().horizontalAdvance(text) <= l.subtitle.width()) {
      subtitle = text;
      break;
    }
  }
  painter.setPen(th.foreground);
  painter.drawText(l.subtitle, Qt::AlignLeft | Qt::AlignVCenter,
                   painter.fontMetrics().elidedText(subtitle, Qt::ElideRight, l.subtitle.width()));
  if (m_surface->mode == core::LossSurfaceMode::Interpolation) {
    paintLine(painter, l);
  } else {
    paintMap(painter, l);
  }
  if (!m_message.isEmpty()) {
    painter.setPen(th.warning);
    painter.drawText(l.subtitle, Qt::AlignRight | Qt::AlignVCenter, m_message);
  }
}

QPointF LossSurfaceView::toCanvas(const core::Point2& p, const QRect& plot) const {
  const core::ViewRect& v = m_surface->map.grid.rect;
  return {plot.left() + (p.x() - v.xMin) / v.width() * plot.width(),
          plot.top() + (v.yMax - p.y()) / v.height() * plot.height()};
}

void LossSurfaceView::paintMap(QPainter& painter, const Layout& l) {
  const Theme& th = theme();
  const core::SurfaceMap& map = m_surface->map;
  painter.save();
  painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
  painter.drawImage(QRectF(l.plot), m_image);
  painter.setClipRect(l.plot);
  painter.setRenderHint(QPainter::Antialiasing, true);
  QColor line = th.foreground;
  line.setAlpha(th.dark ? 110 : 90);
  QPen pen(line, th.presentation ? 1.4 : 1.0);
  pen.setCosmetic(true);
  painter.setPen(pen);
  QVector<QLineF> lines;
  for (const auto& contour : map.contours) {
    lines.clear();
    for (const core::ContourSegment& s : contour)
      lines.append(QLineF(toCanvas(s.a, l.plot), toCanvas(s.b, l.plot)));
    painter.drawLines(lines);
  }
  const double r = th.presentation ? 9.0 : 7.0;
  if (m_surface->mode == core::LossSurfaceMode::PcaTrajectory && !m_surface->path.empty()) {
    QPainterPath path;
    path.moveTo(toCanvas(m_surface->path.front(), l.plot));
    for (const core::Point2& p : m_surface->path) path.lineTo(toCanvas(p, l.plot));
    painter.setPen(QPen(th.accent, th.lineWidth * 1.3));
    painter.setBrush(Qt::NoBrush);
    painter.drawPath(path);
    painter.setBrush(th.accent);
    painter.setPen(Qt::NoPen);
    for (const core::Point2& p : m_surface->path)
      painter.drawEllipse(toCanvas(p, l.plot), r * 0.3, r * 0.3);
    // The start: the initial weights (or those the history restarted from).
    const QPointF start = toCanvas(m_surface->path.front(), l.plot);
    painter.setPen(QPen(th.foreground, 1.4));
    painter.setBrush(th.background);
    painter.drawEllipse(start, r * 0.6, r * 0.6);
    painter.setPen(th.foreground);
    painter.drawText(start + QPointF(r, -r * 0.5),
                     tr("step %1").arg(formatStep(m_surface->pathSteps.front())));
  }
  if (m_surface->mode == core::LossSurfaceMode::RandomSlice) {
    // The lowest grid point, where the curvature is measured, when it is not the centre.
    const core::Point2 at = m_surface->curvature.at;
    if (at.norm() > 1e-9) {
      const QPointF c = toCanvas(at, l.plot);
      painter.setPen(QPen(th.foreground, 1.6));
      painter.drawLine(c + QPointF(-r * 0.6, -r * 0.6), c + QPointF(r * 0.6, r * 0.6));
      painter.drawLine(c + QPointF(-r * 0.6, r * 0.6), c + QPointF(r * 0.6, -r * 0.6));
    }
  }
  // The current weights, at the origin of both kinds of plane.
  painter.setPen(QPen(th.foreground, 1.4));
  painter.setBrush(th.warning);
  painter.drawPolygon(starMarker(toCanvas({0.0, 0.0}, l.plot), r * 1.2));
  painter.restore();
  paintMapAxes(painter, l);

  std::vector<AxisTick> ticks;
  const std::size_t every = std::max<std::size_t>(
      1, (map.levels.size() + 7) / std::max<std::size_t>(1, std::size_t(l.bar.height() / 40)));
  for (std::size_t i = 0; i < map.levels.size(); i += every)
    ticks.push_back({map.scale.position(map.levels[i]), formatValue(map.levels[i])});
  drawColorBar(
      painter, l.bar, [](double t) { return mapColor(t); }, ticks);
}

void LossSurfaceView::paintMapAxes(QPainter& painter, const Layout& l) {
  const QRect& plot = l.plot;
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const core::ViewRect& v = m_surface->map.grid.rect;
  painter.setPen(th.foreground);
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(plot.adjusted(0, 0, -1, -1));
  const int xTicks =
      std::max(2, plot.width() / (fm.horizontalAdvance(QStringLiteral("-8.88")) + 20));
  for (const AxisTick& t : linearTicks(v.xMin, v.xMax, xTicks)) {
    const int x = int(std::lround(toCanvas({t.value, v.yMin}, plot).x()));
    painter.drawLine(x, plot.bottom(), x, plot.bottom() + kTickLength);
    const int w = fm.horizontalAdvance(t.label);
    painter.drawText(QPoint(x - w / 2, plot.bottom() + kTickLength + fm.ascent() + 1), t.label);
  }
  const bool pca = m_surface->mode == core::LossSurfaceMode::PcaTrajectory;
  const QString xName = pca ? tr("1st principal direction (%1% of the path's variance)")
                                  .arg(m_surface->explained1 * 100.0, 0, 'f', 0)
                            : tr("\u03b1 (random direction 1, filter-normalised)");
  const QString yName = pca ? tr("2nd (%1%)").arg(m_surface->explained2 * 100.0, 0, 'f', 0)
                            : QStringLiteral("\u03b2");
  if (!l.compact) {
    painter.drawText(QRect(plot.left() - 40, plot.bottom() + kTickLength + fm.height() + 2,
                           plot.width() + 80, fm.height() + 2),
                     Qt::AlignCenter, fm.elidedText(xName, Qt::ElideRight, plot.width() + 80));
  }
  const int yTicks = std::max(2, plot.height() / (fm.height() * 3));
  for (const AxisTick& t : linearTicks(v.yMin, v.yMax, yTicks)) {
    const int y = int(std::lround(toCanvas({v.xMin, t.value}, plot).y()));
    painter.drawLine(plot.left() - kTickLength, y, plot.left(), y);
    painter.drawText(QRect(0, y - fm.height() / 2, plot.left() - kTickLength - 3, fm.height()),
                     Qt::AlignRight | Qt::AlignVCenter, t.label);
  }
  if (l.compact) return;
  painter.save();
  painter.translate(6 + fm.ascent(), plot.center().y());
  painter.rotate(-90);
  painter.drawText(QRect(-plot.height() / 2, -fm.ascent(), plot.height(), fm.height()),
                   Qt::AlignCenter, fm.elidedText(yName, Qt::ElideRight, plot.height()));
  painter.restore();
}

void LossSurfaceView::paintLine(QPainter& painter, const Layout& l) {
  const Theme& th = theme();
  const QFontMetrics fm(th.font());
  const auto& alphas = m_surface->lineAlpha;
  const auto& losses = m_surface->lineLoss;
  if (alphas.empty()) return;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : losses) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!std::isfinite(lo)) return;
  const double pad = std::max(1e-9, 0.05 * (hi - lo));
  lo = std::max(0.0, lo - pad);
  hi += pad;
  const double x0 = alphas.front(), x1 = alphas.back();
  const QRect& plot = l.plot;
  auto at = [&](double x, double y) {
    return QPointF(plot.left() + (x - x0) / (x1 - x0) * plot.width(),
                   plot.top() + (hi - y) / (hi - lo) * plot.height());
  };
  painter.setPen(th.foreground);
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(plot.adjusted(0, 0, -1, -1));
  QColor grid = th.grid;
  const int xTicks =
      std::max(2, plot.width() / (fm.horizontalAdvance(QStringLiteral("-0.25")) + 24));
  for (const AxisTick& t : linearTicks(x0, x1, xTicks)) {
    const int x = int(std::lround(at(t.value, lo).x()));
    painter.setPen(grid);
    painter.drawLine(x, plot.top(), x, plot.bottom());
    painter.setPen(th.foreground);
    painter.drawLine(x, plot.bottom(), x, plot.bottom() + kTickLength);
    const int w = fm.horizontalAdvance(t.label);
    painter.drawText(QPoint(x - w / 2, plot.bottom() + kTickLength + fm.ascent() + 1), t.label);
  }
  if (!l.compact) {
    painter.drawText(
        QRect(plot.left(), plot.bottom() + kTickLength + fm.height() + 2, plot.width(),
              fm.height() + 2),
        Qt::AlignCenter,
        tr("\u03b1: weights (1 \u2212 \u03b1) \u03b8\u2080 + \u03b1 \u03b8 (0: initial, "
           "1: current)"));
  }
  const int yTicks = std::max(2, plot.height() / (fm.height() * 3));
  for (const AxisTick& t : linearTicks(lo, hi, yTicks)) {
    const int y = int(std::lround(at(x0, t.value).y()));
    painter.setPen(grid);
    painter.drawLine(plot.left(), y, plot.right(), y);
    painter.setPen(th.foreground);
    painter.drawLine(plot.left() - kTickLength, y, plot.left(), y);
    painter.drawText(QRect(0, y - fm.height() / 2, plot.left() - kTickLength - 3, fm.height()),
                     Qt::AlignRight | Qt::AlignVCenter, t.label);
  }
  if (!l.compact) {
    painter.save();
    painter.translate(6 + fm.ascent(), plot.center().y());
    painter.rotate(-90);
    painter.drawText(QRect(-plot.height() / 2, -fm.ascent(), plot.height(), fm.height()),
                     Qt::AlignCenter, tr("training loss"));
    painter.restore();
  }

  painter.save();
  painter.setClipRect(plot);
  painter.setRenderHint(QPainter::Antialiasing, true);
  QPolygonF curve;
  for (std::size_t i = 0; i < alphas.size(); ++i) {
    if (std::isfinite(losses[i])) curve << at(alphas[i], losses[i]);
  }
  painter.setPen(QPen(th.accent, th.lineWidth * 1.3));
  painter.drawPolyline(curve);
  const double r = th.presentation ? 6.0 : 4.5;
  const double perUnit = core::LossSurfaceSettings::kLinePointsPerUnit;
  const auto loss = [&](double alpha) {
    const auto i = std::size_t(std::lround((alpha - x0) * perUnit));
    return i < losses.size() ? losses[i] : std::nan("");
  };
  const QString labels[2] = {tr("initial, step %1").arg(formatStep(m_surface->initialStep)),
                             tr("now, step %1").arg(formatStep(m_surface->step))};
  for (int end = 0; end < 2; ++end) {
    const double value = loss(double(end));
    if (!std::isfinite(value)) continue;
    const QPointF p = at(double(end), value);
    painter.setPen(QPen(th.foreground, 1.2));
    painter.setBrush(end == 0 ? th.background : th.warning);
    painter.drawEllipse(p, r, r);
    // A small dock keeps the values alone: the ends are at alpha 0 and 1 on the axis.
    const QString text =
        l.compact ? formatValue(value) : labels[end] + QStringLiteral(": ") + formatValue(value);
    const int w = fm.horizontalAdvance(text);
    // Labels inside the plot, away from the curve: above the point, shifted inwards.
    const double x = end == 0 ? p.x() + r + 2 : p.x() - r - 2 - w;
    const double y = std::max<double>(plot.top() + fm.ascent() + 2, p.y() - r - 4);
    painter.setPen(th.foreground);
    painter.drawText(QPointF(x, y), text);
  }
  painter.restore();
}

QString LossSurfaceView::canvasToolTip(const QPoint& pos) const {
  if (!m_surface || !m_lastPlot.contains(pos)) return {};
  if (m_surface->mode == core::LossSurfaceMode::Interpolation) {
    const auto& a = m_surface->lineAlpha;
    if (a.empty()) return {};
    const double alpha = a.front() + double(pos.x() - m_lastPlot.left()) / m_lastPlot.width() *
                                         (a.back() - a.front());
    const auto i = std::size_t(std::clamp<long>(
        std::lround((alpha - a.front()) * core::LossSurfaceSettings::kLinePointsPerUnit), 0,
        long(a.size()) - 1));
    return tr("\u03b1 = %1: loss %2").arg(formatValue(a[i]), formatValue(m_surface->lineLoss[i]));
  }
  const core::SurfaceGrid& g = m_surface->map.grid;
  const int c = std::clamp(int((pos.x() - m_lastPlot.left()) * g.columns / m_lastPlot.width()), 0,
                           g.columns - 1);
  const int r = std::clamp(int((m_lastPlot.bottom() - pos.y()) * g.rows / m_lastPlot.height()), 0,
                           g.rows - 1);
  const core::Point2 p = g.cellCentre(c, r);
  return tr("(%1, %2): loss %3")
      .arg(formatValue(p.x()), formatValue(p.y()), formatValue(g.at(c, r)));
}

QString LossSurfaceView::csv() const {
  if (!m_surface) return {};
  QString out;
  const core::LossSurface& s = *m_surface;
  if (s.mode == core::LossSurfaceMode::Interpolation) {
    out += QStringLiteral("alpha,loss\n");
    for (std::size_t i = 0; i < s.lineAlpha.size(); ++i)
      out += csvNumber(s.lineAlpha[i]) + QLatin1Char(',') + csvNumber(s.lineLoss[i]) +
             QLatin1Char('\n');
    return out;
  }
  // Grid points, then (trajectory) the path: "path,step" rows carry the sample's step.
  out += QStringLiteral("kind,alpha,beta,loss,step\n");
  const core::SurfaceGrid& g = s.map.grid;
  for (int r = 0; r < g.rows; ++r) {
    for (int c = 0; c < g.columns; ++c) {
      const core::Point2 p = g.cellCentre(c, r);
      out += QStringLiteral("grid,") + csvNumber(p.x()) + QLatin1Char(',') + csvNumber(p.y()) +
             QLatin1Char(',') + csvNumber(g.at(c, r)) + QStringLiteral(",\n");
    }
  }
  for (std::size_t i = 0; i < s.path.size(); ++i) {
    out += QStringLiteral("path,") + csvNumber(s.path[i].x()) + QLatin1Char(',') +
           csvNumber(s.path[i].y()) + QStringLiteral(",,") + QString::number(s.pathSteps[i]) +
           QLatin1Char('\n');
  }
  return out;
}

void LossSurfaceView::addContextActions(QMenu* menu) {
  QAction* save = menu->addAction(tr("Export surface data as CSV\u2026"));
  save->setEnabled(m_surface != nullptr);
  connect(save, &QAction::triggered, this, [this] {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export surface data"), QStringLiteral("loss-surface.csv"), tr("CSV (*.csv)"));
    if (path.isEmpty()) return;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text) || file.write(csv().toUtf8()) < 0 ||
        !app::commitWhole(file)) {
      QMessageBox::warning(this, tr("Export failed"),
                           tr("The data was not saved: %1.").arg(file.errorString()));
    }
  });
  menu->addSeparator();
}

}  // namespace gradscope::ui
