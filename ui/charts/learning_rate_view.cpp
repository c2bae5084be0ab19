#include "ui/charts/learning_rate_view.h"

#include <QActionGroup>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMenu>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <vector>

#include "app/history/metric_history.h"
#include "ui/charts/chart_view.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {
// A rate that spends half its steps a decade or more below its peak (exponential decay,
// plateau cuts) reads better on a log axis; cosine or 1cycle schedules, which only end near
// zero, do not.
constexpr double kAutoLogRatio = 8.0;

bool spansDecades(std::vector<double> values) {
  std::erase_if(values, [](double v) { return !(v > 0.0) || !std::isfinite(v); });
  if (values.size() < 2) return false;
  auto middle = values.begin() + std::ptrdiff_t(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  const double median = *middle;
  const double max = *std::max_element(values.begin(), values.end());
  return max >= kAutoLogRatio * median;
}
}  // namespace

LearningRateView::LearningRateView(QWidget* parent) : ChartDashboardView(parent) {
  m_chart = new ChartView(tr("Learning rate"), this);
  m_chart->setExportName(QStringLiteral("learning_rate"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_chart);
  m_x = m_chart->addValueAxis(Qt::AlignBottom, tr("training step"));
  m_y = m_chart->addValueAxis(Qt::AlignLeft, tr("learning rate"));
  m_yLog = m_chart->addLogAxis(Qt::AlignLeft, tr("learning rate (log)"));
  m_yLog->setVisible(false);
  m_yMomentum = m_chart->addValueAxis(Qt::AlignRight, tr("momentum / β₁"));
  m_yMomentum->setGridLineVisible(false);
  m_chart->setAxisTitles(m_x, {tr("training step"), tr("step")});
  m_chart->setAxisTitles(m_y, {tr("learning rate"), tr("LR")});
  m_chart->setAxisTitles(m_yLog, {tr("learning rate (log)"), tr("LR (log)")});
  m_chart->setAxisTitles(m_yMomentum, {tr("momentum / β₁"), tr("β₁")});
  m_yMomentum->setVisible(false);
  m_planned = m_chart->addLine(tr("planned"), m_x, m_y);
  m_used = m_chart->addLine(tr("used"), m_x, m_y);
  m_momentum = m_chart->addLine(tr("momentum (planned)"), m_x, m_yMomentum);
  m_momentum->setVisible(false);
  m_used->setVisible(false);
  m_chart->setPlaceholder(tr("no schedule yet"));
  restyle();
  watch(m_chart);

  connect(m_chart, &ChartView::aboutToShowMenu, this, [this](QMenu* menu) {
    QMenu* scale = menu->addMenu(tr("Rate axis"));
    auto* group = new QActionGroup(scale);
    const std::pair<Scale, QString> choices[] = {{Scale::Auto, tr("Automatic")},
                                                 {Scale::Linear, tr("Linear")},
                                                 {Scale::Log, tr("Logarithmic")}};
    for (const auto& [value, label] : choices) {
      QAction* action = scale->addAction(label);
      action->setCheckable(true);
      action->setChecked(m_scale == value);
      group->addAction(action);
      connect(action, &QAction::triggered, this, [this, value] { setScale(value); });
    }
  });
}

void LearningRateView::onSnapshot(const app::Snapshot& snapshot) {
  if (snapshot.learningRatePlan && snapshot.learningRatePlan != m_plan) {
    m_plan = snapshot.learningRatePlan;
    m_planSpansDecades = spansDecades(m_plan->rates);
    invalidate();
  }
}

void LearningRateView::clear() {
  ChartDashboardView::clear();
  m_used->clear();
  m_chart->setEvents({});
  m_chart->setMarks(ChartView::MarkGroup::Cursor, {});
}

void LearningRateView::setScale(Scale scale) {
  if (m_scale == scale) return;
  m_scale = scale;
  invalidate();
}

void LearningRateView::restyle() {
  const Theme& t = theme();
  ChartView::styleLine(m_planned, t.foreground, 0.8, Qt::DashLine);
  ChartView::styleLine(m_used, t.accent, 1.4);
  ChartView::styleLine(m_momentum, t.secondary, 0.8, Qt::DashDotLine);
}

void LearningRateView::useLogAxis(bool on) {
  if (m_log == on) return;
  m_log = on;
  QAbstractAxis* from = on ? static_cast<QAbstractAxis*>(m_y) : m_yLog;
  QAbstractAxis* to = on ? static_cast<QAbstractAxis*>(m_yLog) : m_y;
  for (QLineSeries* s : {m_planned, m_used}) {
    s->clear();  // a value <= 0 must never reach the log axis
    s->detachAxis(from);
    s->attachAxis(to);
  }
  from->setVisible(false);
  to->setVisible(true);
}

void LearningRateView::redraw(const app::MetricHistory& history, int run) {
  const std::int64_t first = history.firstStep(run);
  const std::int64_t last = history.lastStep(run);
  const bool trained = last >= first;
  const app::LearningRatePlan* plan = m_plan.get();
  const bool planned = plan && !plan->rates.empty();
  if (!trained && !planned) {
    m_planned->clear();
    m_used->clear();
    m_momentum->clear();
    m_chart->setPlaceholder(tr("no schedule yet"));
    return;
  }
  m_chart->setPlaceholder(QString());
  const std::int64_t planEnd =
      planned ? plan->firstStep + plan->stride * std::int64_t(plan->rates.size() - 1) : 0;
  const std::int64_t lo =
      std::min(trained ? first : plan->firstStep, planned ? plan->firstStep : first);
  const std::int64_t hi = std::max(trained ? last : 0, planned ? planEnd : last);
  m_chart->fitSteps(m_x, lo, hi, !planned || last > planEnd);
  const double span = std::max(1.0, m_x->max() - m_x->min());

  ValueRange rates;
  if (planned) {
    for (double r : plan->rates) rates.addPositive(r);
  }
  app::DecimatedSeries used;
  if (trained) {
    const int buckets = m_chart->bucketsFor(2, double(last - first + 1) / span);
    used = history.stepSeries(run, app::StepMetric::LearningRate, first, last, buckets);
    rates.add(used, true);
  }
  bool wide = planned && m_planSpansDecades;
  if (!planned && m_scale == Scale::Auto) {
    std::vector<double> means;
    for (const app::DecimatedBucket& b : used.buckets) means.push_back(b.mean);
    wide = spansDecades(std::move(means));
  }
  useLogAxis(m_scale == Scale::Log || (m_scale == Scale::Auto && wide));
  if (m_log) {
    m_chart->fitLog(m_yLog, rates);
  } else {
    ValueRange all = rates;
    all.add(0.0);
    m_chart->fitValues(m_y, all, true);
  }

  QList<QPointF> planPoints;
  if (planned) {
    const double fraction = double(planEnd - plan->firstStep + 1) / span;
    planPoints = ChartView::minMaxPoints(
        plan->rates.size(),
        [&](std::size_t i) { return double(plan->firstStep + plan->stride * std::int64_t(i)); },
        [&](std::size_t i) { return plan->rates[i]; }, m_chart->bucketsFor(2, fraction));
  }
  ChartView::setPoints(m_planned, std::move(planPoints));
  ChartView::fill(m_used, used, ChartView::Envelope::MinMax);
  m_used->setVisible(trained);

  const bool momentum = planned && !plan->momenta.empty();
  m_yMomentum->setVisible(momentum);
  m_momentum->setVisible(momentum);
  if (momentum) {
    ValueRange range;
    for (double m : plan->momenta) range.add(m);
    m_chart->fitValues(m_yMomentum, range);
    const double fraction = double(planEnd - plan->firstStep + 1) / span;
    ChartView::setPoints(
        m_momentum,
        ChartView::minMaxPoints(
            plan->momenta.size(),
            [&](std::size_t i) { return double(plan->firstStep + plan->stride * std::int64_t(i)); },
            [&](std::size_t i) { return plan->momenta[i]; }, m_chart->bucketsFor(4, fraction)));
  } else {
    m_momentum->clear();
  }

  std::vector<ChartMark> cursor;
  QString title = tr("Learning rate");
  QString shortTitle;
  if (trained) {
    ChartMark now;
    now.value = double(last);
    now.label = tr("now");
    now.toolTip = tr("step %1").arg(last);
    now.color = theme().foreground;
    cursor.push_back(now);
    const std::vector<double> current =
        history.rawStepSeries(run, app::StepMetric::LearningRate, last, last);
    if (!current.empty() && std::isfinite(current.front())) {
      title = tr("Learning rate — now %1").arg(current.front(), 0, 'g', 3);
      shortTitle = tr("LR now %1").arg(current.front(), 0, 'g', 3);
    }
  }
  m_chart->setTitle(title, shortTitle);
  m_chart->setMarks(ChartView::MarkGroup::Cursor, std::move(cursor));
  m_chart->setEvents(history.events(run), [](app::EventKind kind) {
    return kind == app::EventKind::LearningRateReduced || kind == app::EventKind::EarlyStop ||
           kind == app::EventKind::SettingChanged || kind == app::EventKind::Diverged;
  });
}

}  // namespace gradscope::ui
