#include "ui/landscapes/landscape_loss_chart.h"

#include <QLegend>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

#include "app/landscapes/landscape_model.h"
#include "ui/charts/chart_view.h"
#include "ui/landscapes/landscape_style.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

LandscapeLossChart::LandscapeLossChart(app::LandscapeModel* model, QWidget* parent)
    : QWidget(parent), m_model(model) {
  m_chart = new ChartView(tr("Loss gap f \xE2\x88\x92 f* per step"), this);
  m_chart->setExportName(QStringLiteral("landscape loss"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_chart);
  // Beside the plot, one name a line: eight names do not fit in a row above it.
  m_chart->chart()->legend()->setAlignment(Qt::AlignRight);
  m_x = m_chart->addValueAxis(Qt::AlignBottom, tr("step"));
  m_y = m_chart->addLogAxis(Qt::AlignLeft, tr("f \xE2\x88\x92 f* (log)"));
  for (core::OptimizerKind kind : core::allOptimizerKinds()) {
    m_series[std::size_t(core::optimizerIndex(kind))] = m_chart->addLine(racerName(kind), m_x, m_y);
  }
  restyle();
  connect(m_chart, &ChartView::themeApplied, this, [this] {
    restyle();
    fitAxes();
    draw();
  });
  // How many axis labels fit depends on the plot's size.
  connect(
      m_chart, &ChartView::plotSizeChanged, this,
      [this] {
        fitAxes();
        draw();
      },
      Qt::QueuedConnection);
  connect(m_model, &app::LandscapeModel::changed, this, [this] {
    fitAxes();
    draw();
  });
  connect(m_model, &app::LandscapeModel::cursorChanged, this, &LandscapeLossChart::draw);
  fitAxes();
  draw();
}

QLineSeries* LandscapeLossChart::series(core::OptimizerKind kind) const {
  return m_series[std::size_t(core::optimizerIndex(kind))];
}

void LandscapeLossChart::restyle() {
  for (core::OptimizerKind kind : core::allOptimizerKinds()) {
    ChartView::styleLine(series(kind), racerColor(kind), 1.2);
  }
}

void LandscapeLossChart::fitAxes() {
  const double minimum = m_model->landscape().minimumValue();
  ValueRange range;
  for (const core::Trajectory& t : m_model->trajectories()) {
    for (double loss : t.losses) range.addPositive(std::max(loss - minimum, kFloor));
  }
  if (!range.valid()) range = ValueRange{kFloor, 1.0};
  m_chart->fitLog(m_y, range);
  m_chart->fitSteps(m_x, 0, std::max(1, m_model->lastStep()), false);
}

void LandscapeLossChart::draw() {
  const double minimum = m_model->landscape().minimumValue();
  const int cursor = m_model->cursor();
  for (QLineSeries* s : m_series) s->setVisible(false);
  const int buckets = m_chart->bucketsFor(std::max<int>(1, int(m_model->trajectories().size())));
  for (const core::Trajectory& t : m_model->trajectories()) {
    QLineSeries* line = series(t.kind);
    const std::size_t count = std::size_t(std::min(cursor, t.updates()) + 1);
    ChartView::setPoints(line, ChartView::minMaxPoints(
                                   count, [](std::size_t i) { return double(i); },
                                   [&](std::size_t i) { return t.losses[i] - minimum; }, buckets));
    line->setVisible(true);
    m_chart->setInLegend(line, true);
  }
  for (core::OptimizerKind kind : core::allOptimizerKinds()) {
    if (!series(kind)->isVisible()) m_chart->setInLegend(series(kind), false);
  }
  ChartMark mark;
  mark.orientation = Qt::Vertical;
  mark.value = cursor;
  mark.label = tr("step %1").arg(cursor);
  mark.color = theme().faint;
  m_chart->setMarks(ChartView::MarkGroup::Cursor, {mark});
}

}  // namespace gradscope::ui
