#include "ui/charts/lr_range_test_view.h"

#include <QLineSeries>
#include <QLogValueAxis>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

#include "core/schedules/lr_range_test.h"
#include "ui/charts/chart_view.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

LrRangeTestView::LrRangeTestView(QWidget* parent) : QWidget(parent) {
  m_chart = new ChartView(tr("LR range test"), this);
  m_chart->setExportName(QStringLiteral("lr_range_test"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_chart);
  m_x = m_chart->addLogAxis(Qt::AlignBottom, tr("learning rate (log)"));
  m_x->setRange(1e-7, 10.0);
  m_y = m_chart->addValueAxis(Qt::AlignLeft, tr("loss"));
  m_chart->setAxisTitles(m_x, {tr("learning rate (log)"), tr("LR (log)")});
  m_raw = m_chart->addLine(tr("loss per step"), m_x, m_y);
  m_smoothed = m_chart->addLine(tr("smoothed"), m_x, m_y);
  // Until a result arrives: the hint alone, no empty axes.
  m_chart->setPlaceholder(tr("Run the LR range test to see\nthe loss against the learning rate"));
  m_x->setVisible(false);
  m_y->setVisible(false);
  m_chart->chart()->legend()->setVisible(false);
  restyle();
  connect(m_chart, &ChartView::themeApplied, this, [this] {
    restyle();
    draw();
  });
  connect(m_chart, &ChartView::plotSizeChanged, this, &LrRangeTestView::draw, Qt::QueuedConnection);
}

LrRangeTestView::~LrRangeTestView() = default;

void LrRangeTestView::setResult(const core::LrRangeTestResult& result) {
  m_result = std::make_unique<core::LrRangeTestResult>(result);
  draw();
}

void LrRangeTestView::restyle() {
  const Theme& t = theme();
  ChartView::styleLine(m_raw, t.faint, 0.6);
  ChartView::styleLine(m_smoothed, t.accent, 1.2);
}

void LrRangeTestView::draw() {
  if (!m_result || m_result->rates.empty()) {
    // No test for this run (a reset or another scenario cleared it): the hint again.
    m_raw->clear();
    m_smoothed->clear();
    m_chart->setMarks(ChartView::MarkGroup::Highlights, {});
    m_chart->setTitle(tr("LR range test"));
    m_chart->setToolTip(QString());
    m_chart->setPlaceholder(tr("Run the LR range test to see\nthe loss against the learning rate"));
    m_x->setVisible(false);
    m_y->setVisible(false);
    m_chart->chart()->legend()->setVisible(false);
    return;
  }
  const core::LrRangeTestResult& r = *m_result;
  m_chart->setPlaceholder(QString());
  m_x->setVisible(true);
  m_y->setVisible(true);
  m_chart->chart()->legend()->setVisible(true);
  // The scale: from the smoothed minimum to the highest smoothed loss before it (the start);
  // the divergence beyond the minimum leaves through the top, as in the usual plots.
  ValueRange rates, losses;
  for (double rate : r.rates) rates.addPositive(rate);
  // The marks stay on the axis even when the minimum is at the sweep's very start.
  rates.addPositive(r.suggestedMaxRate);
  const auto lowest = std::min_element(r.smoothedLosses.begin(), r.smoothedLosses.end());
  for (auto it = r.smoothedLosses.begin(); it != r.smoothedLosses.end() && it <= lowest; ++it) {
    losses.add(*it);
  }
  if (losses.valid()) losses.hi += 0.15 * (losses.hi - losses.lo);
  m_chart->fitLog(m_x, rates);
  m_chart->fitValues(m_y, losses);
  const int buckets = m_chart->bucketsFor(2);
  const auto rate = [&](std::size_t i) { return r.rates[i]; };
  ChartView::setPoints(m_raw, ChartView::minMaxPoints(
                                  std::min(r.rates.size(), r.losses.size()), rate,
                                  [&](std::size_t i) { return r.losses[i]; }, buckets));
  ChartView::setPoints(m_smoothed,
                       ChartView::minMaxPoints(
                           std::min(r.rates.size(), r.smoothedLosses.size()), rate,
                           [&](std::size_t i) { return r.smoothedLosses[i]; }, buckets));

  const Theme& t = theme();
  std::vector<ChartMark> marks;
  if (r.suggestedMaxRate > 0.0) {
    ChartMark suggested;
    suggested.value = r.suggestedMaxRate;
    suggested.label = tr("suggested %1").arg(r.suggestedMaxRate, 0, 'g', 2);
    suggested.toolTip = QString::fromStdString(r.rule);
    suggested.color = t.secondary;
    suggested.style = Qt::DashLine;
    marks.push_back(suggested);
  }
  if (r.minimumLossRate > 0.0) {
    ChartMark minimum;
    minimum.value = r.minimumLossRate;
    minimum.label = tr("min %1").arg(r.minimumLossRate, 0, 'g', 2);
    minimum.toolTip = tr("the smoothed loss is lowest at this rate");
    minimum.color = t.foreground;
    minimum.style = Qt::DotLine;
    marks.push_back(minimum);
  }
  m_chart->setMarks(ChartView::MarkGroup::Highlights, std::move(marks));
  if (r.suggestedMaxRate > 0.0) {
    m_chart->setTitle(
        tr("LR range test — suggested max rate %1").arg(r.suggestedMaxRate, 0, 'g', 2),
        tr("Suggested max %1").arg(r.suggestedMaxRate, 0, 'g', 2));
  } else {
    m_chart->setTitle(tr("LR range test — no suggestion"), tr("No suggestion"));
  }
  const QString start = r.fromInitialWeights ? tr("from the initial weights")
                                             : tr("from the weights at step %1").arg(r.startStep);
  m_chart->setToolTip(tr("Measured %1: %2").arg(start, QString::fromStdString(r.rule)));
}

}  // namespace gradscope::ui
