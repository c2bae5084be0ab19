// Signal propagation at initialisation ("will it train?"), computed by the worker whenever the
// network, its initial weights or the data change (core/signal/signal_propagation.h), before
// any training: per hidden layer the measured length q^l of the pre-activations, the
// correlation c^l of pairs of nearby inputs and the backward gradient norm ||dL/dz^l|| (dots)
// next to the mean-field curves (lines) of Poole et al. 2016 and Schoenholz et al. 2017; the
// order-to-chaos phase diagram with the current initialiser; and the verdict in words with
// chi_1 and the depth scale xi_c. A large view shows the four panels at once; a dashboard cell
// shows one, chosen above it.
#pragma once

#include <QWidget>

#include <array>
#include <map>
#include <memory>

#include "ui/charts/dashboard_view.h"

class QComboBox;
class QGridLayout;
class QLabel;
class QLineSeries;
class QLogValueAxis;
class QScatterSeries;
class QValueAxis;
class QAbstractAxis;

namespace gradscope::core {
struct SignalPropagation;
}

namespace gradscope::ui {

class ChartView;
class PhaseDiagramCanvas;

class SignalPropagationView : public QWidget, public DashboardView {
  Q_OBJECT
 public:
  enum Panel { Length, Correlation, Gradient, PhaseDiagram, PanelCount };
  // At least this size (pixels) shows all four panels in a 2 x 2 grid.
  static constexpr int kGridWidth = 900;
  static constexpr int kGridHeight = 560;

  explicit SignalPropagationView(QWidget* parent = nullptr);
  ~SignalPropagationView() override;

  QWidget* widget() override { return this; }
  QString viewTitle() const override { return tr("Signal propagation"); }
  void refresh(const app::MetricHistory& history, int run) override;
  void onSnapshot(const app::Snapshot& snapshot) override;
  void clear() override;

  // The panel shown when one is (a dashboard cell).
  void setPanel(Panel panel);
  Panel panel() const;
  bool showsAllPanels() const { return m_all; }
  const core::SignalPropagation* result() const { return m_shown.get(); }
  ChartView* chart(Panel panel) const { return m_charts[std::size_t(panel)]; }
  PhaseDiagramCanvas* phaseDiagram() const { return m_diagram; }
  QString verdictText() const;

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void redraw();
  void arrange();
  void restyle();
  void showVerdict();
  // Panel p's layer axis: 1..layers, labelled as densely as its width allows.
  void fitLayerAxis(std::size_t p);
  // No legend and no layer-axis title where a single panel is short of height.
  void fitCramped();

  std::map<int, std::shared_ptr<const core::SignalPropagation>> m_results;  // by run id
  std::shared_ptr<const core::SignalPropagation> m_shown;
  int m_run = 0;
  int m_layers = 0;  // hidden layers of the result shown
  bool m_dirty = true;
  bool m_all = false;
  QComboBox* m_panel = nullptr;
  QLabel* m_verdict = nullptr;
  QString m_verdictLine;
  QString m_details;
  QGridLayout* m_grid = nullptr;
  std::array<ChartView*, 3> m_charts{};
  std::array<QValueAxis*, 3> m_x{};
  std::array<QAbstractAxis*, 3> m_y{};
  std::array<QScatterSeries*, 3> m_measured{};
  std::array<QLineSeries*, 3> m_predicted{};
  PhaseDiagramCanvas* m_diagram = nullptr;
};

}  // namespace gradscope::ui
