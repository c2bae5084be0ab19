#include "ui/charts/signal_propagation_view.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>

#include "app/worker/snapshot.h"
#include "core/signal/signal_propagation.h"
#include "ui/charts/chart_view.h"
#include "ui/charts/phase_diagram_canvas.h"
#include "ui/charts/plot_axes.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

namespace {

struct PanelText {
  const char* title;
  const char* shortTitle;
  const char* axis;
  const char* exportName;
};

// Titles of the three per-layer charts (the phase diagram titles itself).
const PanelText kPanels[3] = {
    {QT_TRANSLATE_NOOP("SignalPropagationView", "Length q of the pre-activations per layer"),
     QT_TRANSLATE_NOOP("SignalPropagationView", "Length q per layer"),
     QT_TRANSLATE_NOOP("SignalPropagationView", "q = mean z² (log)"), "signal_length"},
    {QT_TRANSLATE_NOOP("SignalPropagationView", "Correlation c of nearby inputs per layer"),
     QT_TRANSLATE_NOOP("SignalPropagationView", "Correlation c per layer"),
     QT_TRANSLATE_NOOP("SignalPropagationView", "c (cosine of the pair)"), "signal_correlation"},
    {QT_TRANSLATE_NOOP("SignalPropagationView", "Backward gradient ‖∂L/∂z‖ per layer"),
     QT_TRANSLATE_NOOP("SignalPropagationView", "Gradient ‖∂L/∂z‖ per layer"),
     QT_TRANSLATE_NOOP("SignalPropagationView", "‖∂L/∂z‖ (log)"), "signal_gradient"},
};

QString infinityOr(double x) { return std::isinf(x) ? QStringLiteral("∞") : formatValue(x); }

}  // namespace

SignalPropagationView::SignalPropagationView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  auto* controls = new QHBoxLayout;
  controls->setContentsMargins(4, 2, 4, 0);
  m_panel = new QComboBox(this);
  m_panel->addItems(
      {tr("Length q"), tr("Correlation c"), tr("Gradient norm"), tr("Phase diagram")});
  m_panel->setToolTip(tr("The panel to show (a large view shows all four)"));
  controls->addWidget(m_panel);
  controls->addStretch(1);
  layout->addLayout(controls);
  m_verdict = new QLabel(this);
  m_verdict->setWordWrap(true);
  m_verdict->setContentsMargins(6, 0, 6, 0);
  m_verdict->setTextFormat(Qt::PlainText);
  layout->addWidget(m_verdict);
  m_grid = new QGridLayout;
  m_grid->setContentsMargins(0, 0, 0, 0);
  m_grid->setSpacing(2);
  layout->addLayout(m_grid, 1);

  for (int p = 0; p < 3; ++p) {
    const PanelText& text = kPanels[p];
    auto* chart = new ChartView(tr(text.title), this);
    chart->setTitle(tr(text.title), tr(text.shortTitle));
    chart->setExportName(QString::fromLatin1(text.exportName));
    QValueAxis* x = chart->addValueAxis(Qt::AlignBottom, tr("hidden layer (input → output)"));
    chart->setAxisTitles(x, {tr("hidden layer (input → output)"), tr("layer")});
    x->setGridLineVisible(false);
    QAbstractAxis* y =
        p == Correlation
            ? static_cast<QAbstractAxis*>(chart->addValueAxis(Qt::AlignLeft, tr(text.axis)))
            : chart->addLogAxis(Qt::AlignLeft, tr(text.axis));
    // Shorter titles where the plot is short (a dashboard cell in presentation mode).
    chart->setAxisTitles(y, p == Length        ? QStringList{tr(text.axis), tr("q (log)"), tr("q")}
                            : p == Correlation ? QStringList{tr(text.axis), tr("c")}
                                               : QStringList{tr(text.axis), tr("‖∂L/∂z‖")});
    m_predicted[std::size_t(p)] = chart->addLine(tr("mean field"), x, y);
    m_measured[std::size_t(p)] = chart->addScatter(tr("measured"), x, y);
    chart->setPlaceholder(tr("measured when the network is built"));
    connect(chart, &ChartView::themeApplied, this, [this] {
      restyle();
      redraw();
    });
    m_charts[std::size_t(p)] = chart;
    connect(chart->chart(), &QChart::plotAreaChanged, this,
            [this, p] { fitLayerAxis(std::size_t(p)); });
    m_x[std::size_t(p)] = x;
    m_y[std::size_t(p)] = y;
  }
  m_diagram = new PhaseDiagramCanvas(this);
  connect(m_panel, &QComboBox::currentIndexChanged, this, [this] { arrange(); });
  restyle();
  arrange();
}

SignalPropagationView::~SignalPropagationView() = default;

void SignalPropagationView::setPanel(Panel panel) { m_panel->setCurrentIndex(int(panel)); }

SignalPropagationView::Panel SignalPropagationView::panel() const {
  return Panel(m_panel->currentIndex());
}

QString SignalPropagationView::verdictText() const { return m_verdict->text(); }

void SignalPropagationView::onSnapshot(const app::Snapshot& snapshot) {
  if (!snapshot.signalPropagation) return;
  m_results[snapshot.run] = snapshot.signalPropagation;
  if (snapshot.run == m_run) m_dirty = true;
}

void SignalPropagationView::clear() {
  // The reset's snapshot brings the new measurement (the old one stays until then).
  m_dirty = true;
}

void SignalPropagationView::refresh(const app::MetricHistory&, int run) {
  if (run != m_run) {
    m_run = run;
    m_dirty = true;
  }
  if (!m_dirty) return;
  m_dirty = false;
  const auto found = m_results.find(run);
  m_shown = found == m_results.end() ? nullptr : found->second;
  redraw();
}

void SignalPropagationView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  fitCramped();
  const bool all = width() >= kGridWidth && height() >= kGridHeight;
  if (all != m_all) arrange();
}

void SignalPropagationView::arrange() {
  m_all = width() >= kGridWidth && height() >= kGridHeight;
  m_panel->setVisible(!m_all);
  fitCramped();
  showVerdict();
  QWidget* panels[PanelCount] = {m_charts[0], m_charts[1], m_charts[2], m_diagram};
  for (QWidget* w : panels) m_grid->removeWidget(w);
  // Equal cells in the grid; the single panel takes all the room.
  m_grid->setRowStretch(0, 1);
  m_grid->setColumnStretch(0, 1);
  m_grid->setRowStretch(1, m_all ? 1 : 0);
  m_grid->setColumnStretch(1, m_all ? 1 : 0);
  if (m_all) {
    // q and c on top (the forward pass), the gradient and the phase diagram below.
    m_grid->addWidget(panels[Length], 0, 0);
    m_grid->addWidget(panels[Correlation], 0, 1);
    m_grid->addWidget(panels[Gradient], 1, 0);
    m_grid->addWidget(panels[PhaseDiagram], 1, 1);
    for (QWidget* w : panels) w->show();
  } else {
    for (int p = 0; p < PanelCount; ++p) {
      if (p == m_panel->currentIndex()) {
        m_grid->addWidget(panels[p], 0, 0);
        panels[p]->show();
      } else {
        panels[p]->hide();
      }
    }
  }
}

void SignalPropagationView::fitCramped() {
  // A short dashboard cell (1280 x 720) has no height for a legend and an axis title above
  // and below a plot that still shows its tick labels: the lines are named in the tooltip,
  // the axis by its panel's name in the selector.
  const int line = QFontMetrics(font()).height();
  const bool cramped = !m_all && height() < 15 * line;
  for (std::size_t p = 0; p < m_charts.size(); ++p) {
    m_charts[p]->chart()->legend()->setVisible(!cramped);
    m_x[p]->setTitleVisible(!cramped);
  }
}

void SignalPropagationView::fitLayerAxis(std::size_t p) {
  m_charts[p]->fitLayers(m_x[p], m_layers);
}

void SignalPropagationView::showVerdict() {
  // A dashboard cell has room for the verdict alone (the details are in its tooltip and the
  // phase diagram's title); the large view shows both.
  m_verdict->setText(m_all && !m_details.isEmpty()
                         ? m_verdictLine + QStringLiteral("\n") + m_details
                         : m_verdictLine);
}

void SignalPropagationView::restyle() {
  const Theme& t = theme();
  for (std::size_t p = 0; p < 3; ++p) {
    ChartView::styleLine(m_predicted[p], t.foreground, 1.0);
    ChartView::styleScatter(m_measured[p], t.accent, 1.0);
  }
  m_verdict->setFont(t.font());
}

void SignalPropagationView::redraw() {
  m_diagram->setResult(m_shown);
  const core::SignalPropagation* r = m_shown.get();
  const int layers = r ? r->depth() : 0;
  if (!r || layers == 0) {
    m_verdictLine = r ? QString::fromStdString(r->verdict)
                      : tr("Signal propagation is measured when the network is built.");
    m_details.clear();
    showVerdict();
    for (std::size_t p = 0; p < 3; ++p) {
      ChartView::setPoints(m_measured[p], {});
      ChartView::setPoints(m_predicted[p], {});
      m_charts[p]->setPlaceholder(r ? tr("no hidden layer") : tr("not measured yet"));
    }
    return;
  }
  const QString verdict = QString::fromStdString(r->verdict);
  QStringList details;
  details << tr("χ₁ = %1 (%2 phase), ξ = %3, ξ_c = %4 layers, q* = %5, c* = %6")
                 .arg(formatValue(r->fixedPoint.chi1),
                      QString::fromUtf8(core::toString(r->fixedPoint.phase).data()),
                      infinityOr(r->fixedPoint.xiGradient), infinityOr(r->fixedPoint.xiC),
                      infinityOr(r->fixedPoint.q), formatValue(r->fixedPoint.c));
  if (r->measuredAtStep > 0) {
    details << tr("measured at step %1: the weights are no longer the initial ones")
                   .arg(formatStep(r->measuredAtStep));
  }
  if (!r->note.empty()) details << QString::fromStdString(r->note);
  m_details = details.join(QStringLiteral("; ")) + QStringLiteral(".");
  m_verdictLine = verdict;
  showVerdict();
  m_verdict->setToolTip(verdict + QStringLiteral("\n") + m_details + QStringLiteral("\n") +
                        tr("Measured on %1 samples (%2 pairs of nearby inputs) at the current "
                           "weights; the mean field of Poole et al. 2016 and Schoenholz et al. "
                           "2017, with σ_w² and σ_b² from the initialisers.")
                            .arg(r->samples)
                            .arg(r->pairs));

  for (std::size_t p = 0; p < 3; ++p) {
    QList<QPointF> measured, predicted;
    ValueRange range;
    for (int l = 0; l < layers; ++l) {
      const core::SignalLayer& layer = r->layers[std::size_t(l)];
      const double m = p == Length        ? layer.measuredLength
                       : p == Correlation ? layer.measuredCorrelation
                                          : layer.measuredGradient;
      const double f = p == Length        ? layer.predictedLength
                       : p == Correlation ? layer.predictedCorrelation
                                          : layer.predictedGradient;
      if (std::isfinite(m)) measured << QPointF(l + 1, m);
      if (std::isfinite(f)) predicted << QPointF(l + 1, f);
      if (p == Correlation) {
        range.add(m);
        range.add(f);
      } else {
        range.addPositive(m);
        range.addPositive(f);
      }
    }
    ChartView* chart = m_charts[p];
    chart->setPlaceholder(measured.isEmpty() ? tr("not measured") : QString());
    m_layers = layers;
    fitLayerAxis(p);
    if (p == Correlation) {
      // A cosine: from 0 (or below, for anti-correlated pairs) to 1.
      const double lo = range.valid() ? std::min(0.0, std::floor(range.lo * 5) / 5) : 0.0;
      static_cast<QValueAxis*>(m_y[p])->setRange(std::max(-1.0, lo), 1.0);
    } else if (range.valid()) {
      chart->fitLog(static_cast<QLogValueAxis*>(m_y[p]), range);
    }
    ChartView::setPoints(m_predicted[p], predicted);
    ChartView::setPoints(m_measured[p], measured);
  }
}

}  // namespace gradscope::ui
