// Saturation across depth: for each layer, from input to output, the fraction of saturated
// activations (f' below a tenth of its maximum) over the last few steps; for ReLU-like layers
// the inactive fraction (f' = 0) with the dead units (inactive for the whole batch) inside it.
// Beneath, the saturated fraction of the selected layers over the whole run. Clicking a bar
// toggles the layer in the shared LayerSelection.
#pragma once

#include <cstdint>
#include <vector>

#include "app/history/metric_history.h"
#include "ui/charts/painted_view.h"

namespace gradscope::ui {

class LayerSelection;

class SaturationView : public PaintedView {
  Q_OBJECT
 public:
  static constexpr int kRecentSteps = 20;  // the bars average this many latest steps

  struct LayerBar {
    float saturated = 0.0f;
    float inactive = 0.0f;  // NaN: not ReLU-like
    float dead = 0.0f;      // NaN: not ReLU-like
    bool reluLike() const;
  };

  // `selection` may be null. The history given to refresh() must outlive the view (a change
  // of selection re-reads it).
  explicit SaturationView(LayerSelection* selection, QWidget* parent = nullptr);

  QString viewTitle() const override;
  void refresh(const app::MetricHistory& history, int run) override;
  bool showsOneStep() const override { return true; }
  void clear() override;

  const std::vector<LayerBar>& bars() const { return m_bars; }
  // Canvas areas of the bar chart and of the history plot (their axes excluded).
  QRect barsRect() const;
  QRect historyRect() const;
  // The layer whose bar is under a canvas point, -1 if none.
  int layerAt(const QPoint& pos) const;

 protected:
  void paintCanvas(QPainter& painter, const QRect& rect) override;
  void canvasPressed(QMouseEvent* event) override;
  QString canvasToolTip(const QPoint& pos) const override;
  void canvasResized() override;

 private:
  struct Line {
    int layer = 0;
    app::DecimatedSeries series;
  };
  struct Layout {
    QRect bars, history;
    int barsTitle = 0, barsLegend = 0, historyTitle = 0, historyLegend = 0;  // text tops
  };
  Layout layoutFor(const QRect& rect) const;
  void query();
  void paintBars(QPainter& painter, const Layout& layout, const QRect& rect);
  void paintHistory(QPainter& painter, const Layout& layout, const QRect& rect);

  LayerSelection* m_selection;
  const app::MetricHistory* m_history = nullptr;
  int m_run = 0;
  std::uint64_t m_revision = 0;
  int m_width = 0;
  std::vector<LayerBar> m_bars;
  std::vector<Line> m_lines;
  std::int64_t m_firstStep = 0, m_lastStep = -1;
};

}  // namespace gradscope::ui
