#include "ui/panels/lr_plan_preview.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

#include "ui/window/theme.h"

namespace gradscope::ui {

LrPlanPreview::LrPlanPreview(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
  setToolTip(
      tr("The learning rate the schedule plans for the whole run (the line marks the "
         "current step). Change the schedule and the curve follows at once; with \"Hold "
         "changes\" ticked, the plan of the held change is drawn dashed until Apply."));
  connect(&ThemeManager::instance(), &ThemeManager::changed, this, [this] {
    updateGeometry();
    update();
  });
}

QSize LrPlanPreview::sizeHint() const { return {240, fontMetrics().height() * 2 + 56}; }

QSize LrPlanPreview::minimumSizeHint() const { return {120, sizeHint().height()}; }

void LrPlanPreview::setPlan(std::shared_ptr<const app::LearningRatePlan> plan) {
  m_plan = std::move(plan);
  updateRange();
}

void LrPlanPreview::setHeldPlan(std::shared_ptr<const app::LearningRatePlan> plan) {
  if (plan == m_held) return;
  m_held = std::move(plan);
  updateRange();
}

void LrPlanPreview::updateRange() {
  m_maxRate = 0.0;
  m_minRate = 0.0;
  bool any = false;
  for (const app::LearningRatePlan* plan : {m_plan.get(), m_held.get()}) {
    if (!plan || plan->rates.empty()) continue;
    const auto [lo, hi] = std::minmax_element(plan->rates.begin(), plan->rates.end());
    m_minRate = any ? std::min(m_minRate, *lo) : *lo;
    m_maxRate = any ? std::max(m_maxRate, *hi) : *hi;
    any = true;
  }
  update();
}

QRectF LrPlanPreview::plotRect() const {
  const int line = fontMetrics().height();
  return QRectF(4, line + 4, width() - 8, height() - 2 * line - 10);
}

int LrPlanPreview::markerX(std::int64_t step) const {
  if (!m_plan || m_plan->rates.size() < 2) return -1;
  const double last =
      double(m_plan->firstStep) + double(m_plan->stride) * double(m_plan->rates.size() - 1);
  const double t =
      (double(step) - double(m_plan->firstStep)) / std::max(1.0, last - double(m_plan->firstStep));
  if (t < 0.0 || t > 1.0) return -1;
  const QRectF r = plotRect();
  return int(std::lround(r.left() + t * r.width()));
}

void LrPlanPreview::setCurrentStep(std::int64_t step) {
  if (step == m_step) return;
  const int before = markerX(m_step);
  m_step = step;
  if (markerX(step) != before) update();
}

namespace {

std::int64_t lastStepOf(const app::LearningRatePlan& plan) {
  return plan.firstStep + plan.stride * std::int64_t(plan.rates.size() - 1);
}

// The plan's curve in `r`, steps first..last across, rates 0..span up.
QPainterPath curve(const app::LearningRatePlan& plan, const QRectF& r, double span,
                   std::int64_t first, std::int64_t last) {
  QPainterPath path;
  const std::size_t n = plan.rates.size();
  const double steps = std::max(1.0, double(last - first));
  auto xOf = [&](std::int64_t step) { return r.left() + double(step - first) / steps * r.width(); };
  auto yOf = [&](double rate) {
    return r.bottom() - std::clamp(rate / span, 0.0, 1.0) * r.height();
  };
  // At most two points per pixel column.
  const std::size_t stride =
      std::max<std::size_t>(1, n / std::size_t(std::max(1.0, r.width() * 2)));
  for (std::size_t i = 0; i < n; i += stride) {
    const QPointF point(xOf(plan.firstStep + plan.stride * std::int64_t(i)), yOf(plan.rates[i]));
    if (i == 0) {
      path.moveTo(point);
    } else {
      path.lineTo(point);
    }
  }
  path.lineTo(xOf(last), yOf(plan.rates.back()));
  return path;
}

}  // namespace

void LrPlanPreview::paintEvent(QPaintEvent*) {
  const Theme& t = theme();
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  p.fillRect(rect(), t.background);
  p.setPen(t.grid);
  p.drawRect(rect().adjusted(0, 0, -1, -1));
  const QRectF r = plotRect();
  p.setPen(t.foreground);
  const int line = fontMetrics().height();
  if (!m_plan || m_plan->rates.empty()) {
    p.drawText(rect(), Qt::AlignCenter, tr("no plan yet"));
    return;
  }
  const bool held = m_held && !m_held->rates.empty();
  const std::int64_t first =
      held ? std::min(m_plan->firstStep, m_held->firstStep) : m_plan->firstStep;
  const std::int64_t last =
      held ? std::max(lastStepOf(*m_plan), lastStepOf(*m_held)) : lastStepOf(*m_plan);
  p.drawText(QRectF(4, 2, width() - 8, line), Qt::AlignLeft | Qt::AlignVCenter,
             held ? tr("held (dashed), max %1").arg(m_maxRate, 0, 'g', 3)
                  : tr("planned rate, max %1").arg(m_maxRate, 0, 'g', 3));
  p.drawText(QRectF(4, height() - line - 3, width() - 8, line), Qt::AlignLeft | Qt::AlignVCenter,
             tr("step %L1").arg(first));
  p.drawText(QRectF(4, height() - line - 3, width() - 8, line), Qt::AlignRight | Qt::AlignVCenter,
             tr("%L1").arg(last));
  const double span = m_maxRate > 0.0 ? m_maxRate : 1.0;
  p.setPen(QPen(t.accent, t.lineWidth));
  p.drawPath(curve(*m_plan, r, span, first, last));
  if (held) {
    p.setPen(QPen(t.warning, t.lineWidth, Qt::DashLine));
    p.drawPath(curve(*m_held, r, span, first, last));
  }
  const int x = markerX(m_step);
  if (x >= 0) {
    p.setPen(QPen(t.secondary, 1.0, Qt::DashLine));
    p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()));
  }
}

}  // namespace gradscope::ui
