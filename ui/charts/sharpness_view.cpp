#include "ui/charts/sharpness_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

#include "app/history/metric_history.h"
#include "ui/charts/chart_view.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

SharpnessView::SharpnessView(QWidget* parent) : ChartDashboardView(parent) {
  m_chart = new ChartView(tr("Sharpness"), this);
  m_chart->setExportName(QStringLiteral("sharpness"));
  auto* controls = new QHBoxLayout;
  controls->setContentsMargins(6, 0, 6, 0);
  m_everyLabel = new QLabel(tr("Estimate every"), this);
  m_every = new QSpinBox(this);
  m_every->setRange(1, 100000);
  m_every->setValue(kDefaultEvery);
  m_every->setSuffix(tr(" steps"));
  m_every->setToolTip(
      tr("How often the worker estimates the top Hessian eigenvalue while this chart is shown "
         "(less often when an estimate would cost more than 8% of the training time)"));
  m_everyLabel->setBuddy(m_every);
  controls->addWidget(m_everyLabel);
  controls->addWidget(m_every);
  controls->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(m_chart, 1);
  layout->addLayout(controls);

  m_x = m_chart->addValueAxis(Qt::AlignBottom, tr("training step"));
  m_y = m_chart->addValueAxis(Qt::AlignLeft, tr("sharpness λ_max"));
  m_yLoss = m_chart->addLogAxis(Qt::AlignRight, tr("training loss (log)"));
  m_yLoss->setGridLineVisible(false);
  m_chart->setAxisTitles(m_x, {tr("training step"), tr("step")});
  m_chart->setAxisTitles(
      m_y, {tr("sharpness λ_max of the Hessian"), tr("sharpness λ_max"), tr("λ_max")});
  m_chart->setAxisTitles(m_yLoss, {tr("training loss (log, faint)"), tr("loss (log)")});
  m_chart->setPlaceholder(tr("estimated while this chart is shown: press Play"));
  ensureLines(1);
  watch(m_chart);

  connect(m_every, &QSpinBox::valueChanged, this,
          [this](int steps) { emit estimationRequested(m_onScreen.value_or(isVisible()), steps); });
}

int SharpnessView::everySteps() const { return m_every->value(); }

void SharpnessView::setEverySteps(int steps) { m_every->setValue(steps); }

void SharpnessView::resizeEvent(QResizeEvent* event) {
  ChartDashboardView::resizeEvent(event);
  // A small dock (a projector's 1280 x 720) keeps its height for the plot.
  const bool roomy = height() >= kControlsMinimumHeight;
  m_every->setVisible(roomy);
  m_everyLabel->setVisible(roomy);
}

void SharpnessView::setOnScreen(bool onScreen) {
  m_onScreen = onScreen;
  emit estimationRequested(onScreen, everySteps());
}

void SharpnessView::showEvent(QShowEvent* event) {
  ChartDashboardView::showEvent(event);
  if (!m_onScreen) emit estimationRequested(true, everySteps());
}

void SharpnessView::hideEvent(QHideEvent* event) {
  ChartDashboardView::hideEvent(event);
  if (!m_onScreen) emit estimationRequested(false, everySteps());
}

QLineSeries* SharpnessView::sharpnessLine(int index) const {
  return index >= 0 && std::size_t(index) < m_lines.size() ? m_lines[std::size_t(index)].sharpness
                                                           : nullptr;
}
QLineSeries* SharpnessView::thresholdLine(int index) const {
  return index >= 0 && std::size_t(index) < m_lines.size() ? m_lines[std::size_t(index)].threshold
                                                           : nullptr;
}
QLineSeries* SharpnessView::lossLine(int index) const {
  return index >= 0 && std::size_t(index) < m_lines.size() ? m_lines[std::size_t(index)].loss
                                                           : nullptr;
}

void SharpnessView::onSnapshot(const app::Snapshot& snapshot) {
  if (snapshot.runTable && snapshot.runTable != m_table) setRunTable(snapshot.runTable);
}

void SharpnessView::setRunTable(std::shared_ptr<const app::RunTable> table) {
  const std::size_t before = m_table ? m_table->runs.size() : 0;
  m_table = std::move(table);
  if (before != (m_table ? m_table->runs.size() : 0)) invalidate();
}

void SharpnessView::ensureLines(std::size_t count) {
  while (m_lines.size() < count) {
    Lines lines;
    lines.loss = m_chart->addLine(QString(), m_x, m_yLoss);
    lines.threshold = m_chart->addLine(QString(), m_x, m_y);
    lines.sharpness = m_chart->addLine(QString(), m_x, m_y);
    m_lines.push_back(lines);
  }
  styleLines();
}

void SharpnessView::restyle() { styleLines(); }

void SharpnessView::styleLines() {
  const Theme& t = theme();
  for (std::size_t i = 0; i < m_lines.size(); ++i) {
    const bool overlay = comparing();
    int colour = 0;
    if (overlay && i < m_table->runs.size()) colour = m_table->runs[i].colour;
    const QColor main = overlay ? t.runColor(colour) : t.accent;
    const QColor limit = overlay ? t.runColor(colour) : t.warning;
    QColor faint = overlay ? t.runColor(colour) : t.faint;
    if (overlay) faint.setAlphaF(0.45);
    ChartView::styleLine(m_lines[i].sharpness, main, 1.4);
    // Each estimate as a dot: sparse estimates (a large network) still show.
    m_lines[i].sharpness->setPointsVisible(true);
    m_lines[i].sharpness->setMarkerSize(std::min(2.5 * t.lineWidth, 6.0));
    ChartView::styleLine(m_lines[i].threshold, limit, 1.2, Qt::DashLine);
    ChartView::styleLine(m_lines[i].loss, faint, 0.6, overlay ? Qt::DotLine : Qt::SolidLine);
  }
}

void SharpnessView::redraw(const app::MetricHistory& history, int run) {
  std::vector<int> runs;
  std::vector<QString> names;
  if (comparing()) {
    for (const app::RunEntry& e : m_table->runs) {
      runs.push_back(e.id);
      names.push_back(e.name);
    }
  } else {
    runs.push_back(run);
    names.push_back(QString());
  }
  ensureLines(runs.size());
  styleLines();

  std::int64_t first = std::numeric_limits<std::int64_t>::max(), last = -1;
  for (int id : runs) {
    if (history.stepCount(id) == 0) continue;
    first = std::min(first, history.firstStep(id));
    last = std::max(last, history.lastStep(id));
  }
  bool any = false;
  for (int id : runs) any = any || !history.sharpness(id).empty();
  for (std::size_t i = runs.size(); i < m_lines.size(); ++i) {
    for (QLineSeries* s : {m_lines[i].sharpness, m_lines[i].threshold, m_lines[i].loss}) {
      s->clear();
      s->setVisible(false);
      m_chart->setInLegend(s, false);
    }
  }
  if (last < first) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      m_lines[i].sharpness->clear();
      m_lines[i].threshold->clear();
      m_lines[i].loss->clear();
    }
    m_chart->setPlaceholder(tr("estimated while this chart is shown: press Play"));
    m_chart->setTitle(tr("Sharpness"));
    return;
  }
  m_chart->setPlaceholder(
      any ? QString()
          : tr("no estimate yet: the first comes at step 0, then every %1 steps")
                .arg(everySteps()));
  m_chart->fitSteps(m_x, first, last);
  const double span = std::max(1.0, m_x->max() - m_x->min());

  ValueRange values, losses;
  values.add(0.0);
  const app::SharpnessSample* latest = nullptr;
  QString formula;
  bool preconditioned = false;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const int id = runs[i];
    const std::vector<app::SharpnessSample>& samples = history.sharpness(id);
    Lines& lines = m_lines[i];
    const int buckets = m_chart->bucketsFor(int(runs.size()) * 3);
    lines.sharpness->setVisible(true);
    lines.threshold->setVisible(true);
    lines.loss->setVisible(history.stepCount(id) > 0);
    ChartView::setPoints(lines.sharpness,
                         ChartView::minMaxPoints(
                             samples.size(), [&](std::size_t k) { return double(samples[k].step); },
                             [&](std::size_t k) { return samples[k].lambdaMax; }, buckets));
    ChartView::setPoints(lines.threshold,
                         ChartView::minMaxPoints(
                             samples.size(), [&](std::size_t k) { return double(samples[k].step); },
                             [&](std::size_t k) { return samples[k].threshold; }, buckets));
    for (const app::SharpnessSample& s : samples) {
      values.add(s.lambdaMax);
      if (std::isfinite(s.threshold)) values.add(s.threshold);
    }
    if (!samples.empty()) {
      if (id == run || !latest) {
        latest = &samples.back();
        formula = samples.back().formula;
        preconditioned = samples.back().preconditioned;
      }
    }
    const std::int64_t from = history.firstStep(id), to = history.lastStep(id);
    if (to >= from) {
      const app::DecimatedSeries loss = history.stepSeries(
          id, app::StepMetric::Loss, from, to,
          m_chart->bucketsFor(int(runs.size()) * 3, double(to - from + 1) / span));
      losses.add(loss, true);
      ChartView::fill(lines.loss, loss, ChartView::Envelope::MinMax);
    } else {
      lines.loss->clear();
    }
    const QString lambda = preconditioned ? tr("λ_max(P⁻¹H)") : tr("λ_max");
    const QString limit = formula.isEmpty() ? tr("threshold") : formula;
    lines.sharpness->setName(comparing() ? names[i] : lambda);
    lines.threshold->setName(comparing() ? QString() : limit);
    lines.loss->setName(comparing() ? QString() : tr("loss"));
    m_chart->setInLegend(lines.sharpness, true);
    m_chart->setInLegend(lines.threshold, !comparing());
    m_chart->setInLegend(lines.loss, !comparing());
  }
  m_chart->fitValues(m_y, values, true);
  if (losses.valid()) m_chart->fitLog(m_yLoss, losses);

  QString title = tr("Sharpness");
  QString shortTitle;
  if (latest) {
    const QString lambda = latest->preconditioned ? tr("λ_max(P⁻¹H)") : tr("λ_max");
    title = tr("Sharpness — %1 %2").arg(lambda).arg(latest->lambdaMax, 0, 'g', 3);
    shortTitle = tr("%1 %2").arg(lambda).arg(latest->lambdaMax, 0, 'g', 3);
    if (std::isfinite(latest->threshold) && latest->threshold > 0.0) {
      title += tr(" = %1 × %2")
                   .arg(latest->lambdaMax / latest->threshold, 0, 'f', 2)
                   .arg(latest->formula);
    } else {
      title += tr(" (no stability threshold for this optimiser)");
    }
  }
  m_chart->setTitle(title, shortTitle);
  std::vector<ChartMark> cursor;
  ChartMark now;
  now.value = double(history.lastStep(run));
  now.label = tr("now");
  now.color = theme().foreground;
  cursor.push_back(now);
  m_chart->setMarks(ChartView::MarkGroup::Cursor, std::move(cursor));
  m_chart->setEvents(history.events(run), [](app::EventKind kind) {
    return kind == app::EventKind::SettingChanged || kind == app::EventKind::LearningRateReduced ||
           kind == app::EventKind::Diverged;
  });
}

}  // namespace gradscope::ui
