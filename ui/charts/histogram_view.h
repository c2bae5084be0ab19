// Small multiples of the per-layer histograms, one cell per layer from input to output, as in
// the initialisation figures of Glorot & Bengio (2010): activations, pre-activations or the
// kernel gradients (log10 |g|), each cell's bars scaled to its own tallest bin, on the probes'
// fixed bins so cells compare directly. A slider scrubs back through the stored frames; at its
// right end the view follows the latest frame. Many layers scroll.
#pragma once

#include <QRect>

#include <cstdint>
#include <vector>

#include "app/history/metric_history.h"
#include "ui/charts/painted_view.h"

class QComboBox;
class QSlider;

namespace gradscope::ui {

class HistogramView : public PaintedView {
  Q_OBJECT
 public:
  enum class Quantity { Activation, PreActivation, GradientLog10 };

  // The history given to refresh() must outlive the view (scrubbing re-reads it).
  explicit HistogramView(QWidget* parent = nullptr);

  QString viewTitle() const override;
  void refresh(const app::MetricHistory& history, int run) override;
  bool showsOneStep() const override { return true; }
  void clear() override;

  Quantity quantity() const { return m_quantity; }
  void setQuantity(Quantity quantity);
  // The x range of activations and pre-activations: the probes' full [-6, 6), or about
  // [-1, 1] (the bins of [-1.2, 1.2), for tanh and sigmoid), or automatic: about [-1, 1] for
  // activations when every value of the frame lies in it.
  enum class ValueRange { Automatic, Full, Unit };
  void setValueRange(ValueRange range);
  ValueRange valueRange() const { return m_range; }
  bool showsUnitRange() const;

  // Shows the stored frame at `step` or the nearest one before it, and stops following.
  void showStep(std::int64_t step);
  void showLatest();
  bool followsLatest() const { return m_followLatest; }
  // The step of the frame on screen, -1 if none.
  std::int64_t shownStep() const { return m_hasFrame ? m_frame.step : -1; }
  const app::HistogramFrame& frame() const { return m_frame; }
  int cellCount() const { return m_hasFrame ? int(m_frame.layers.size()) : 0; }
  // The cell of a layer in canvas coordinates.
  QRect cellRect(int layer) const;

 protected:
  void paintCanvas(QPainter& painter, const QRect& rect) override;
  QString canvasToolTip(const QPoint& pos) const override;
  void canvasResized() override;
  void addContextActions(QMenu* menu) override;
  void restyle() override;

 private:
  struct Grid {
    int columns = 1;
    int cellWidth = 0, cellHeight = 0;
    int top = 0;  // of the first row
  };
  Grid grid() const;
  const core::Histogram& histogramOf(const core::LayerHistograms& h) const;
  void loadFrame();
  void syncSlider();
  void updateHeight();
  QStringList titles() const;  // longest first
  void paintCell(QPainter& painter, const QRect& cell, int layer);

  QComboBox* m_quantityBox = nullptr;
  QSlider* m_slider = nullptr;
  Quantity m_quantity = Quantity::Activation;
  ValueRange m_range = ValueRange::Automatic;
  bool m_frameWithinUnit = false;  // every activation of the frame lies in [-1, 1)
  const app::MetricHistory* m_history = nullptr;
  int m_run = 0;
  std::uint64_t m_revision = 0;
  std::vector<std::int64_t> m_steps;
  bool m_followLatest = true;
  bool m_rewound = false;  // following the run while the timeline has gone back
  std::int64_t m_wantedStep = 0;
  app::HistogramFrame m_frame;
  bool m_hasFrame = false;
};

}  // namespace gradscope::ui
