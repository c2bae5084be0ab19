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
         "current step). Change the schedule and the curve follows at once."));
  connect(&ThemeManager::instance(), &ThemeManager::changed, this, [this] {
    updateGeometry();
    update();
  });
}

QSize LrPlanPreview::sizeHint() const { return {240, fontMetrics().height() * 2 + 56}; }

QSize LrPlanPreview::minimumSizeHint() const { return {120, sizeHint().height()}; }

void LrPlanPreview::setPlan(std::shared_ptr<const app::LearningRatePlan> plan) {
  m_plan = std::move(plan);
  m_maxRate = 0.0;
  m_minRate = 0.0;
  if (m_plan && !m_plan->rates.empty()) {
    const auto [lo, hi] = std::minmax_element(m_plan->rates.begin(), m_plan->rates.end());
    m_minRate = *lo;
    m_maxRate = *hi;
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
  const std::size_t n = m_plan->rates.size();
  const std::int64_t lastStep = m_plan->firstStep + m_plan->stride * std::int64_t(n - 1);
  p.drawText(QRectF(4, 2, width() - 8, line), Qt::AlignLeft | Qt::AlignVCenter,
             tr("planned rate, max %1").arg(m_maxRate, 0, 'g', 3));
  p.drawText(QRectF(4, height() - line - 3, width() - 8, line), Qt::AlignLeft | Qt::AlignVCenter,
             tr("step %L1").arg(m_plan->firstStep));
  p.drawText(QRectF(4, height() - line - 3, width() - 8, line), Qt::AlignRight | Qt::AlignVCenter,
             tr("%L1").arg(lastStep));
  const double span = m_maxRate > 0.0 ? m_maxRate : 1.0;
  QPainterPath path;
  // At most two points per pixel column.
  const std::size_t stride =
      std::max<std::size_t>(1, n / std::size_t(std::max(1.0, r.width() * 2)));
  for (std::size_t i = 0; i < n; i += stride) {
    const double x = r.left() + (n > 1 ? double(i) / double(n - 1) : 0.0) * r.width();
    const double y = r.bottom() - std::clamp(m_plan->rates[i] / span, 0.0, 1.0) * r.height();
    if (i == 0) {
      path.moveTo(x, y);
    } else {
      path.lineTo(x, y);
    }
  }
  const double yLast = r.bottom() - std::clamp(m_plan->rates.back() / span, 0.0, 1.0) * r.height();
  path.lineTo(r.right(), yLast);
  p.setPen(QPen(t.accent, t.lineWidth));
  p.drawPath(path);
  const int x = markerX(m_step);
  if (x >= 0) {
    p.setPen(QPen(t.secondary, 1.0, Qt::DashLine));
    p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()));
  }
}

}  // namespace gradscope::ui
