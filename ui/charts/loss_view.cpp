#include "ui/charts/loss_view.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMenu>
#include <QScatterSeries>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>
#include <limits>

#include "app/history/metric_history.h"
#include "ui/charts/chart_view.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {
constexpr int kSliderSteps = 1000;  // smoothing = value / 1000, 0 .. 0.999
constexpr int kDebounceMs = 120;
}  // namespace

LossView::LossView(QWidget* parent) : ChartDashboardView(parent) {
  m_chart = new ChartView(tr("Loss"), this);
  m_chart->setExportName(QStringLiteral("loss"));

  m_slider = new QSlider(Qt::Horizontal, this);
  m_slider->setRange(0, kSliderSteps - 1);
  m_slider->setValue(int(std::lround(m_smoothing * kSliderSteps)));
  m_slider->setToolTip(
      tr("Smoothing of the training loss: an exponential moving average with this weight, "
         "corrected for its start (as in TensorBoard). 0 shows the raw loss."));
  m_smoothingTitle = new QLabel(tr("smoothing"), this);
  m_smoothingLabel = new QLabel(this);
  m_slider->setMinimumWidth(50);
  m_logBox = new QCheckBox(tr("log"), this);
  m_logBox->setToolTip(tr("Logarithmic loss axis"));
  m_accuracyBox = new QCheckBox(tr("accuracy"), this);
  m_accuracyBox->setToolTip(tr("Show the accuracy (right axis, %)"));
  m_accuracyBox->setChecked(m_showAccuracy);
  m_accuracyBox->hide();
  m_debounce = new QTimer(this);
  m_debounce->setSingleShot(true);
  m_debounce->setInterval(kDebounceMs);

  auto* controls = new QHBoxLayout();
  controls->setContentsMargins(6, 2, 6, 0);
  controls->addWidget(m_smoothingTitle);
  controls->addWidget(m_slider, 1);
  controls->addWidget(m_smoothingLabel);
  controls->addSpacing(8);
  controls->addWidget(m_logBox);
  controls->addWidget(m_accuracyBox);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addLayout(controls);
  layout->addWidget(m_chart, 1);

  m_x = m_chart->addValueAxis(Qt::AlignBottom, tr("training step"));
  m_y = m_chart->addValueAxis(Qt::AlignLeft, tr("loss"));
  m_yLog = m_chart->addLogAxis(Qt::AlignLeft, tr("loss (log)"));
  m_yLog->setVisible(false);
  // The accuracy lines are dashed in the loss lines' colours: the axis title says so, and the
  // legend stays short enough for a small dock.
  m_yAccuracy = m_chart->addValueAxis(Qt::AlignRight, tr("accuracy % (dashed)"));
  m_yAccuracy->setRange(0.0, 100.0);
  m_yAccuracy->setTickType(QValueAxis::TicksDynamic);
  m_yAccuracy->setTickAnchor(0.0);
  m_yAccuracy->setTickInterval(25.0);
  m_yAccuracy->setGridLineVisible(false);
  m_yAccuracy->setVisible(false);
  m_chart->setAxisTitles(m_x, {tr("training step"), tr("step")});
  m_chart->setAxisTitles(m_yAccuracy,
                         {tr("accuracy % (dashed)"), tr("acc. % (dashed)"), tr("acc. %")});

  m_raw = m_chart->addLine(tr("raw"), m_x, m_y);
  m_smoothed = m_chart->addLine(tr("smoothed"), m_x, m_y);
  m_validation = m_chart->addLine(tr("validation"), m_x, m_y);
  m_validationPoints = m_chart->addScatter(QString(), m_x, m_y);
  m_best = m_chart->addScatter(tr("best epoch"), m_x, m_y);
  m_accuracy = m_chart->addLine(tr("accuracy"), m_x, m_yAccuracy);
  m_validationAccuracy = m_chart->addLine(tr("val. acc."), m_x, m_yAccuracy);
  m_accuracy->setVisible(false);
  m_validationAccuracy->setVisible(false);
  for (QAbstractSeries* s : {static_cast<QAbstractSeries*>(m_validationPoints),
                             static_cast<QAbstractSeries*>(m_accuracy),
                             static_cast<QAbstractSeries*>(m_validationAccuracy)}) {
    m_chart->setInLegend(s, false);
  }
  m_best->setMarkerShape(QScatterSeries::MarkerShapeStar);
  m_chart->setPlaceholder(tr("waiting for the first training step"));
  restyle();
  watch(m_chart);

  connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
    m_smoothingLabel->setText(QString::number(double(value) / kSliderSteps, 'g', 3));
    m_debounce->start();
  });
  connect(m_debounce, &QTimer::timeout, this, [this] {
    m_smoothing = double(m_slider->value()) / kSliderSteps;
    invalidate();
  });
  connect(m_logBox, &QCheckBox::toggled, this, &LossView::setLogScale);
  connect(m_accuracyBox, &QCheckBox::toggled, this, &LossView::setAccuracyShown);
  connect(m_chart, &ChartView::aboutToShowMenu, this, [this](QMenu* menu) {
    QAction* log = menu->addAction(tr("Logarithmic loss axis"));
    log->setCheckable(true);
    log->setChecked(m_log);
    connect(log, &QAction::toggled, this, &LossView::setLogScale);
  });
  m_smoothingLabel->setText(QString::number(m_smoothing, 'g', 3));
}

void LossView::clear() {
  ChartDashboardView::clear();
  clearSeries();
  // A new run: its axes fit its own losses, not the range the old run left.
  m_y->setTickType(QValueAxis::TicksFixed);
  m_y->setRange(0.0, 1.0);
  m_yLog->setRange(1e-3, 1.0);
  m_x->setRange(0.0, 10.0);
  m_chart->setTitle(tr("Loss"));
}

void LossView::clearSeries() {
  for (QLineSeries* s : m_runLines) s->clear();
  for (QLineSeries* s : m_runValidation) s->clear();
  for (QXYSeries* s :
       {static_cast<QXYSeries*>(m_raw), static_cast<QXYSeries*>(m_smoothed),
        static_cast<QXYSeries*>(m_validation), static_cast<QXYSeries*>(m_validationPoints),
        static_cast<QXYSeries*>(m_best), static_cast<QXYSeries*>(m_accuracy),
        static_cast<QXYSeries*>(m_validationAccuracy)}) {
    s->clear();
  }
  m_chart->setEvents({});
  m_chart->setMarks(ChartView::MarkGroup::Highlights, {});
}

void LossView::setSmoothing(double smoothing) {
  smoothing = std::clamp(smoothing, 0.0, double(kSliderSteps - 1) / kSliderSteps);
  m_slider->setValue(int(std::lround(smoothing * kSliderSteps)));
  m_debounce->stop();
  m_smoothing = smoothing;
  m_smoothingLabel->setText(QString::number(m_smoothing, 'g', 3));
  invalidate();
}

void LossView::setLogScale(bool on) {
  if (m_logBox->isChecked() != on) m_logBox->setChecked(on);
  if (m_log == on) return;
  m_log = on;
  attachLossAxis();
  invalidate();
}

void LossView::setAccuracyShown(bool on) {
  if (m_accuracyBox->isChecked() != on) m_accuracyBox->setChecked(on);
  if (m_showAccuracy == on) return;
  m_showAccuracy = on;
  invalidate();
}

void LossView::attachLossAxis() {
  QAbstractAxis* from = m_log ? static_cast<QAbstractAxis*>(m_y) : m_yLog;
  QAbstractAxis* to = m_log ? static_cast<QAbstractAxis*>(m_yLog) : m_y;
  for (QXYSeries* s :
       {static_cast<QXYSeries*>(m_raw), static_cast<QXYSeries*>(m_smoothed),
        static_cast<QXYSeries*>(m_validation), static_cast<QXYSeries*>(m_validationPoints),
        static_cast<QXYSeries*>(m_best)}) {
    // Points first cleared: a value <= 0 must never reach the log axis.
    s->clear();
    s->detachAxis(from);
    s->attachAxis(to);
  }
  for (auto* list : {&m_runLines, &m_runValidation}) {
    for (QLineSeries* s : *list) {
      s->clear();
      s->detachAxis(from);
      s->attachAxis(to);
    }
  }
  from->setVisible(false);
  to->setVisible(true);
}

void LossView::onSnapshot(const app::Snapshot& snapshot) {
  if (snapshot.runTable && snapshot.runTable != m_table) setRunTable(snapshot.runTable);
}

void LossView::setRunTable(std::shared_ptr<const app::RunTable> table) {
  // Data changes arrive through the history (and redraw at the dashboard's pace); only what
  // the table alone says (names, colours, the selection, divergence) redraws at once.
  auto looks = [](const app::RunTable* t) {
    QStringList parts;
    if (!t) return parts;
    parts << QString::number(t->selected) << t->differingSettings;
    for (const app::RunEntry& e : t->runs) {
      parts << QStringLiteral("%1:%2:%3:%4")
                   .arg(e.id)
                   .arg(e.colour)
                   .arg(e.summary.diverged)
                   .arg(e.name);
    }
    return parts;
  };
  const bool wasComparing = comparing();
  const bool changed = looks(m_table.get()) != looks(table.get());
  m_table = std::move(table);
  if (changed && (comparing() || wasComparing)) invalidate();
}

QLineSeries* LossView::runLine(int index) const {
  return index >= 0 && std::size_t(index) < m_runLines.size() ? m_runLines[std::size_t(index)]
                                                              : nullptr;
}

void LossView::setLegendAlignment(Qt::Alignment alignment) {
  QLegend* legend = m_chart->chart()->legend();
  if (legend->alignment() != alignment) legend->setAlignment(alignment);
}

void LossView::ensureRunSeries(std::size_t count) {
  QAbstractAxis* y = m_log ? static_cast<QAbstractAxis*>(m_yLog) : m_y;
  while (m_runLines.size() < count) {
    m_runLines.push_back(m_chart->addLine(QString(), m_x, y));
    QLineSeries* validation = m_chart->addLine(QString(), m_x, y);
    m_chart->setInLegend(validation, false);
    m_runValidation.push_back(validation);
  }
}

void LossView::showSingleRunSeries(bool on) {
  if (on) {
    for (std::size_t i = 0; i < m_runLines.size(); ++i) {
      for (QLineSeries* s : {m_runLines[i], m_runValidation[i]}) {
        if (!s->isVisible()) continue;
        s->clear();
        s->setVisible(false);
        m_chart->setInLegend(s, false);
      }
    }
    m_smoothed->setVisible(true);
    m_chart->setInLegend(m_smoothed, true);
    m_chart->setInLegend(m_raw, true);
    return;
  }
  for (QXYSeries* s :
       {static_cast<QXYSeries*>(m_raw), static_cast<QXYSeries*>(m_smoothed),
        static_cast<QXYSeries*>(m_validation), static_cast<QXYSeries*>(m_validationPoints),
        static_cast<QXYSeries*>(m_best), static_cast<QXYSeries*>(m_accuracy),
        static_cast<QXYSeries*>(m_validationAccuracy)}) {
    s->clear();
    s->setVisible(false);
    m_chart->setInLegend(s, false);
  }
  m_yAccuracy->setVisible(false);
  m_accuracyBox->setVisible(false);
  m_chart->setMarks(ChartView::MarkGroup::Highlights, {});
}

void LossView::drawOverlay(const app::MetricHistory& history, int run) {
  const std::vector<app::RunEntry>& runs = m_table->runs;
  ensureRunSeries(runs.size());
  showSingleRunSeries(false);
  std::int64_t first = std::numeric_limits<std::int64_t>::max();
  std::int64_t last = -1;
  for (const app::RunEntry& e : runs) {
    if (history.stepCount(e.id) == 0) continue;
    first = std::min(first, history.firstStep(e.id));
    last = std::max(last, history.lastStep(e.id));
  }
  // Runs named by what differs: the title says what that is.
  const bool autoNamed = std::none_of(runs.begin(), runs.end(),
                                      [](const app::RunEntry& e) { return e.namedExplicitly; });
  QString title = tr("Loss — %1 runs").arg(runs.size());
  if (autoNamed && !m_table->differingSettings.isEmpty()) {
    title = tr("Loss — %1").arg(m_table->differingSettings);
  } else if (m_table->comparesOptimizers) {
    title = tr("Loss — %1 optimisers").arg(runs.size());
  }
  // Many runs: their names in a column beside the plot, where long names fit; a chart too
  // short for that column leaves the key to the Runs table (whose rows carry the colours).
  const bool column = runs.size() > 3;
  setLegendAlignment(column ? Qt::AlignRight : Qt::AlignTop);
  const int line = QFontMetrics(theme().font()).height();
  const bool fits = !column || int(runs.size()) * (line + 4) + 3 * line <= m_chart->height();
  QLegend* legend = m_chart->chart()->legend();
  if (legend->isVisible() != fits) legend->setVisible(fits);
  if (!fits) title += tr(" (key: Runs table)");
  m_chart->setTitle(title, tr("Loss"));
  if (last < first) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      m_runLines[i]->clear();
      m_runValidation[i]->clear();
    }
    m_chart->setPlaceholder(tr("waiting for the first training step"));
  } else {
    m_chart->setPlaceholder(QString());
    m_chart->fitSteps(m_x, first, last);
  }
  // Mean lines only: eight min/max zigzags would tangle.
  const int buckets = m_chart->bucketsFor(std::max<int>(1, int(runs.size()) / 2));
  ValueRange range;
  auto add = [&](double v) {
    if (m_log) {
      range.addPositive(v);
    } else {
      range.add(v);
    }
  };
  // The data first, then the axis, then the series: on a log axis a point is clamped to the
  // axis floor when it is set, so the axis must already reach the data's lowest value.
  std::vector<app::DecimatedSeries> losses(runs.size());
  std::vector<QList<QPointF>> validations(runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const app::RunEntry& e = runs[i];
    if (last < first || history.stepCount(e.id) == 0) continue;
    losses[i] =
        m_smoothing > 0.0
            ? history.smoothedStepSeries(e.id, app::StepMetric::Loss, m_smoothing,
                                         history.firstStep(e.id), history.lastStep(e.id), buckets)
            : history.stepSeries(e.id, app::StepMetric::Loss, history.firstStep(e.id),
                                 history.lastStep(e.id), buckets);
    for (const app::DecimatedBucket& b : losses[i].buckets) add(b.mean);
    const std::vector<app::EpochSample>& epochs = history.epochs(e.id);
    QList<QPointF> points = ChartView::minMaxPoints(
        epochs.size(), [&](std::size_t k) { return double(epochs[k].lastStep); },
        [&](std::size_t k) { return epochs[k].valLoss; }, buckets);
    points.removeIf([](const QPointF& p) { return !std::isfinite(p.y()); });
    for (const QPointF& p : points) add(p.y());
    validations[i] = std::move(points);
  }
  if (m_log) {
    m_chart->fitLog(m_yLog, range);
  } else {
    m_chart->fitValues(m_y, range, range.valid() && range.lo >= 0.0);
  }
  bool anyValidation = false;
  for (std::size_t i = 0; i < m_runLines.size(); ++i) {
    QLineSeries* line = m_runLines[i];
    QLineSeries* validation = m_runValidation[i];
    if (i >= runs.size()) {
      line->clear();
      validation->clear();
      line->setVisible(false);
      validation->setVisible(false);
      m_chart->setInLegend(line, false);
      continue;
    }
    const app::RunEntry& e = runs[i];
    const QColor colour = theme().runColor(e.colour);
    const double width = e.id == run ? 1.8 : 1.0;
    if (line->pen().color() != colour || line->pen().widthF() != theme().lineWidth * width) {
      ChartView::styleLine(line, colour, width);
      ChartView::styleLine(validation, colour, width * 0.8, Qt::DashLine);
    }
    const QString name = e.summary.diverged ? tr("%1 (diverged)").arg(e.name) : e.name;
    if (line->name() != name) line->setName(name);
    // Not in the legend (one "validation (dashed)" entry says it for all): the name labels
    // its rows in the chart's CSV export.
    const QString validationName = tr("%1 validation").arg(e.name);
    if (validation->name() != validationName) validation->setName(validationName);
    line->setVisible(true);
    m_chart->setInLegend(line, true);
    if (last < first || history.stepCount(e.id) == 0) {
      line->clear();
      validation->clear();
      continue;
    }
    ChartView::fill(line, losses[i], ChartView::Envelope::Mean);
    validation->setVisible(!validations[i].isEmpty());
    anyValidation |= !validations[i].isEmpty();
    m_chart->setInLegend(validation, false);  // showing a series shows its legend entry
    ChartView::setPoints(validation, std::move(validations[i]));
  }
  // The dashed lines are every run's validation loss: the legend says so once.
  ensureValidationKey(anyValidation);
  m_chart->setEvents(history.events(run));
}

void LossView::ensureValidationKey(bool shown) {
  if (!m_validationKey) {
    m_validationKey = m_chart->addLine(tr("validation (dashed)"), m_x, m_y);
    m_validationKey->setVisible(false);
    m_chart->setInLegend(m_validationKey, false);
  }
  if (m_validationKey->isVisible() == shown) return;
  // An empty series: a legend entry only, in the theme's foreground, dashed.
  ChartView::styleLine(m_validationKey, theme().foreground, 0.8, Qt::DashLine);
  m_validationKey->setVisible(shown);
  m_chart->setInLegend(m_validationKey, shown);
}

void LossView::restyle() {
  const Theme& t = theme();
  ChartView::styleLine(m_raw, t.faint, 0.6);
  ChartView::styleLine(m_smoothed, t.accent, 1.0);
  ChartView::styleLine(m_validation, t.secondary, 1.0);
  ChartView::styleScatter(m_validationPoints, t.secondary, 0.8);
  ChartView::styleScatter(m_best, t.foreground, 2.0);
  ChartView::styleLine(m_accuracy, t.accent, 0.8, Qt::DashLine);
  ChartView::styleLine(m_validationAccuracy, t.secondary, 0.8, Qt::DashLine);
  for (QWidget* w : findChildren<QWidget*>(Qt::FindDirectChildrenOnly)) {
    if (w != m_chart) w->setFont(t.font());
  }
  fitControls();
}

QString LossView::smoothedName() const { return m_narrow ? tr("smooth") : tr("smoothed"); }

void LossView::resizeEvent(QResizeEvent* event) {
  ChartDashboardView::resizeEvent(event);
  fitControls();
}

void LossView::fitControls() {
  const QFontMetrics metrics(theme().font());
  const bool narrow = width() < metrics.horizontalAdvance(QStringLiteral("m")) * 26;
  m_smoothingTitle->setText(narrow ? tr("smooth") : tr("smoothing"));
  m_accuracyBox->setText(narrow ? tr("acc.") : tr("accuracy"));
  if (narrow != m_narrow) {
    // The legend too: short names in a narrow dock.
    m_narrow = narrow;
    m_smoothed->setName(m_smoothing > 0.0 ? smoothedName() : tr("training"));
    m_validation->setName(narrow ? tr("val.") : tr("validation"));
    m_best->setName(narrow ? tr("best") : tr("best epoch"));
  }
  m_smoothingLabel->setFixedWidth(metrics.horizontalAdvance(QStringLiteral("0.999")) + 2);
}

void LossView::redraw(const app::MetricHistory& history, int run) {
  if (comparing()) {
    drawOverlay(history, run);
    return;
  }
  if (!m_runLines.empty() && m_runLines.front()->isVisible()) showSingleRunSeries(true);
  if (m_validationKey) ensureValidationKey(false);
  setLegendAlignment(Qt::AlignTop);
  if (!m_chart->chart()->legend()->isVisible()) m_chart->chart()->legend()->setVisible(true);
  const std::int64_t first = history.firstStep(run);
  const std::int64_t last = history.lastStep(run);
  if (last < first) {
    clearSeries();
    m_chart->setPlaceholder(tr("waiting for the first training step"));
    return;
  }
  m_chart->setPlaceholder(QString());
  m_chart->fitSteps(m_x, first, last);
  const double fraction = double(last - first + 1) / std::max(1.0, m_x->max() - m_x->min());
  const int buckets = m_chart->bucketsFor(1, fraction);

  const app::DecimatedSeries raw =
      history.stepSeries(run, app::StepMetric::Loss, first, last, buckets);
  const bool smooth = m_smoothing > 0.0;
  app::DecimatedSeries smoothed;
  if (smooth) {
    // The smooth curve needs one point per two pixel columns (its mean).
    smoothed =
        history.smoothedStepSeries(run, app::StepMetric::Loss, m_smoothing, first, last, buckets);
  }
  // The scale follows the raw loss's bucket means, the smoothed loss and the validation
  // loss: a single wild step (whose maximum is still drawn) does not flatten the curve.
  ValueRange range;
  for (const app::DecimatedBucket& b : raw.buckets) {
    if (m_log) {
      range.addPositive(b.mean);
    } else {
      range.add(b.mean);
    }
  }
  for (const app::DecimatedBucket& b : smoothed.buckets) {
    if (m_log) {
      range.addPositive(b.mean);
    } else {
      range.add(b.mean);
    }
  }
  for (const app::EpochSample& e : history.epochs(run)) {
    if (m_log) {
      range.addPositive(e.valLoss);
    } else {
      range.add(e.valLoss);
    }
  }
  if (m_log) {
    m_chart->fitLog(m_yLog, range);
  } else {
    m_chart->fitValues(m_y, range, range.valid() && range.lo >= 0.0);
  }
  if (smooth) {
    ChartView::fill(m_raw, raw, ChartView::Envelope::MinMax);
    ChartView::fill(m_smoothed, smoothed, ChartView::Envelope::Mean);
  } else {
    // Without smoothing the raw loss is the main line.
    m_raw->clear();
    ChartView::fill(m_smoothed, raw, ChartView::Envelope::MinMax);
  }
  m_raw->setVisible(smooth);
  m_smoothed->setName(smooth ? smoothedName() : tr("training"));

  // Accuracy: only when classifying (regression has no accuracy values).
  const app::DecimatedSeries accuracy = history.smoothedStepSeries(
      run, app::StepMetric::Accuracy, m_smoothing, first, last, std::max(16, buckets / 2));
  m_hasAccuracy = !accuracy.empty();
  m_accuracyBox->setVisible(m_hasAccuracy);
  const bool showAccuracy = m_hasAccuracy && m_showAccuracy;
  m_yAccuracy->setVisible(showAccuracy);
  m_accuracy->setVisible(showAccuracy);
  m_chart->setInLegend(m_accuracy, false);
  if (showAccuracy) {
    app::DecimatedSeries percent = accuracy;
    for (app::DecimatedBucket& b : percent.buckets) {
      b.min *= 100.0;
      b.max *= 100.0;
      b.mean *= 100.0;
    }
    ChartView::fill(m_accuracy, percent, ChartView::Envelope::Mean);
  } else {
    m_accuracy->clear();
  }
  drawEpochs(history, run, buckets);
  m_chart->setEvents(history.events(run));
}

void LossView::drawEpochs(const app::MetricHistory& history, int run, int buckets) {
  const std::vector<app::EpochSample>& epochs = history.epochs(run);
  const auto x = [&](std::size_t i) { return double(epochs[i].lastStep); };
  QList<QPointF> validation = ChartView::minMaxPoints(
      epochs.size(), x, [&](std::size_t i) { return epochs[i].valLoss; }, buckets);
  validation.removeIf([](const QPointF& p) { return !std::isfinite(p.y()); });
  // Dots while there is room for them (a few dozen epochs); a line only beyond that.
  const bool dots = validation.size() <= std::max<qsizetype>(8, m_chart->plotWidth() / 12);
  ChartView::setPoints(m_validationPoints, dots ? validation : QList<QPointF>());
  ChartView::setPoints(m_validation, std::move(validation));
  m_validation->setVisible(m_validation->count() > 0);
  m_chart->setInLegend(m_validation, m_validation->count() > 0);

  const bool showAccuracy = m_hasAccuracy && m_showAccuracy;
  QList<QPointF> validationAccuracy;
  if (showAccuracy) {
    validationAccuracy = ChartView::minMaxPoints(
        epochs.size(), x, [&](std::size_t i) { return 100.0 * epochs[i].valAccuracy; }, buckets);
  }
  ChartView::setPoints(m_validationAccuracy, std::move(validationAccuracy));
  m_validationAccuracy->setVisible(showAccuracy && m_validationAccuracy->count() > 0);
  m_chart->setInLegend(m_validationAccuracy, false);

  // Early stopping: the last improved epoch is the best one so far.
  const app::EpochSample* best = nullptr;
  for (auto it = epochs.rbegin(); it != epochs.rend(); ++it) {
    if (it->improved) {
      best = &*it;
      break;
    }
  }
  QString title = tr("Loss");
  QString shortTitle;
  std::vector<ChartMark> highlights;
  if (best) {
    const double y = std::isfinite(best->valLoss) ? best->valLoss : best->loss;
    ChartView::setPoints(m_best, {QPointF(double(best->lastStep), y)});
    const int since = epochs.back().epoch - best->epoch;
    if (since == 0) {
      title = tr("Loss — best epoch %1 (this one)").arg(best->epoch + 1);
    } else if (since == 1) {
      title = tr("Loss — best epoch %1 (1 epoch ago)").arg(best->epoch + 1);
    } else {
      title = tr("Loss — best epoch %1 (%2 epochs ago)").arg(best->epoch + 1).arg(since);
    }
    shortTitle = tr("Best epoch %1, %2 ago").arg(best->epoch + 1).arg(since);
    ChartMark mark;
    mark.value = double(best->lastStep);
    mark.label = tr("best");
    mark.toolTip = tr("best epoch %1 (loss %2), %3 epochs without improvement since")
                       .arg(best->epoch + 1)
                       .arg(y, 0, 'g', 4)
                       .arg(since);
    mark.color = theme().foreground;
    mark.style = Qt::DotLine;
    highlights.push_back(mark);
  } else {
    m_best->clear();
  }
  m_best->setVisible(best != nullptr);
  m_chart->setInLegend(m_best, best != nullptr);
  m_chart->setMarks(ChartView::MarkGroup::Highlights, std::move(highlights));
  m_chart->setTitle(title, shortTitle);
}

}  // namespace gradscope::ui
