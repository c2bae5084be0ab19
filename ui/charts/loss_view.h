// The loss chart: the training loss of every step (raw, faint) and its debiased exponential
// moving average (TensorBoard's smoothing, set with a slider), the validation loss per epoch,
// the accuracy on a second axis when classifying, events on the step axis, and with early
// stopping the best epoch and the epochs since it (the patience counter).
//
// Comparing runs, it overlays them instead: one colour per run (the theme's run colours),
// the smoothed training loss as a solid line named after the run, its validation loss per
// epoch dashed in the same colour; the selected run's line is drawn thicker.
#pragma once

#include <memory>
#include <vector>

#include "app/runs/run_table.h"
#include "ui/charts/chart_dashboard_view.h"

class QCheckBox;
class QLabel;
class QLineSeries;
class QLogValueAxis;
class QScatterSeries;
class QSlider;
class QTimer;
class QValueAxis;

namespace gradscope::ui {

class ChartView;

class LossView : public ChartDashboardView {
  Q_OBJECT
 public:
  explicit LossView(QWidget* parent = nullptr);

  QString viewTitle() const override { return tr("Loss"); }
  bool fastRefresh() const override { return true; }
  void clear() override;
  void onSnapshot(const app::Snapshot& snapshot) override;
  bool overlaysRuns() const override { return comparing(); }
  // The runs to overlay (taken from snapshots; settable for tests).
  void setRunTable(std::shared_ptr<const app::RunTable> table);
  bool comparing() const { return m_table && m_table->runs.size() > 1; }
  // The overlay's training-loss line of the run at `index` of the run table (for tests).
  QLineSeries* runLine(int index) const;

  ChartView* chartView() const { return m_chart; }
  double smoothing() const { return m_smoothing; }
  // In [0, 0.999]; moves the slider (the chart follows at once).
  void setSmoothing(double smoothing);
  void setLogScale(bool on);
  bool logScale() const { return m_log; }
  void setAccuracyShown(bool on);

 protected:
  void redraw(const app::MetricHistory& history, int run) override;
  void restyle() override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void clearSeries();
  void drawEpochs(const app::MetricHistory& history, int run, int buckets);
  void drawOverlay(const app::MetricHistory& history, int run);
  // The legend's "validation (dashed)" entry while the overlay draws validation lines.
  void ensureValidationKey(bool shown);
  void ensureRunSeries(std::size_t count);
  void showSingleRunSeries(bool on);
  void setLegendAlignment(Qt::Alignment alignment);
  void attachLossAxis();
  // Shorter control texts in a narrow dock, so the slider keeps its room.
  void fitControls();
  QString smoothedName() const;

  ChartView* m_chart = nullptr;
  QSlider* m_slider = nullptr;
  QLabel* m_smoothingTitle = nullptr;
  QLabel* m_smoothingLabel = nullptr;
  QCheckBox* m_logBox = nullptr;
  QCheckBox* m_accuracyBox = nullptr;
  QTimer* m_debounce = nullptr;

  QValueAxis* m_x = nullptr;
  QValueAxis* m_y = nullptr;
  QLogValueAxis* m_yLog = nullptr;
  QValueAxis* m_yAccuracy = nullptr;
  QLineSeries* m_raw = nullptr;
  QLineSeries* m_smoothed = nullptr;
  QLineSeries* m_validation = nullptr;
  QScatterSeries* m_validationPoints = nullptr;
  QScatterSeries* m_best = nullptr;
  QLineSeries* m_accuracy = nullptr;
  QLineSeries* m_validationAccuracy = nullptr;
  std::shared_ptr<const app::RunTable> m_table;
  std::vector<QLineSeries*> m_runLines;       // training loss per run (overlay)
  std::vector<QLineSeries*> m_runValidation;  // validation loss per run, dashed
  QLineSeries* m_validationKey = nullptr;     // legend entry only

  double m_smoothing = 0.6;
  bool m_log = false;
  bool m_showAccuracy = false;
  bool m_hasAccuracy = false;
  bool m_narrow = false;
};

}  // namespace gradscope::ui
