// Layers x steps: one per-layer metric of the whole run as a heatmap image, one pixel per
// (layer, step bucket), with a colour bar in the metric's own units. Gradient norms (log
// scale) show vanishing and exploding gradients at a glance; saturated fraction, update ratio
// and dead units are the other choices. Colour ranges are fixed (fractions) or grow by whole
// decades and never shrink (log metrics), so colours do not flicker as the run goes on.
// Clicking a row toggles that layer in the shared LayerSelection.
#pragma once

#include <QImage>

#include <cstdint>
#include <vector>

#include "app/history/metric_history.h"
#include "ui/charts/painted_view.h"

class QComboBox;

namespace gradscope::ui {

class LayerSelection;

class HeatmapView : public PaintedView {
  Q_OBJECT
 public:
  enum class Metric { GradientNorm, Saturated, UpdateRatio, DeadUnits };
  static constexpr int kMaxColumns = 2000;

  // `selection` may be null (no row toggling). The history given to refresh() must outlive
  // the view: a resize re-reads it at the new width.
  explicit HeatmapView(LayerSelection* selection, QWidget* parent = nullptr);

  QString viewTitle() const override;
  void refresh(const app::MetricHistory& history, int run) override;
  void clear() override;

  Metric metric() const { return m_metric; }
  void setMetric(Metric metric);
  // The colour range in the metric's units (log10 for the log metrics).
  double rangeLow() const { return m_low; }
  double rangeHigh() const { return m_high; }
  void resetRange();

  // One pixel per cell: width = columns, height = layers, row 0 = the input-side layer.
  const QImage& image() const { return m_image; }
  const app::LayerHeatmap& heatmap() const { return m_heatmap; }
  // The heatmap area in canvas coordinates, and the layer under a canvas point (-1 if none).
  QRect plotRect() const;
  int layerAt(const QPoint& pos) const;

 protected:
  void paintCanvas(QPainter& painter, const QRect& rect) override;
  void canvasPressed(QMouseEvent* event) override;
  QString canvasToolTip(const QPoint& pos) const override;
  void canvasResized() override;
  void addContextActions(QMenu* menu) override;
  void restyle() override;

 private:
  struct Margins {
    int left = 0, top = 0, right = 0, bottom = 0;
  };
  bool logScale() const;
  app::LayerMetric layerMetric() const;
  // The title, longest first: the first that fits the width is drawn.
  QStringList metricTitles() const;
  QString unitName() const;
  int wantedColumns() const;
  void query();
  void rebuildImage();
  void buildLookup();
  Margins margins() const;
  double toColorPosition(float value) const;  // t in [0, 1], NaN for "not measured"

  LayerSelection* m_selection;
  QComboBox* m_metricBox = nullptr;
  Metric m_metric = Metric::GradientNorm;
  const app::MetricHistory* m_history = nullptr;
  int m_run = 0;
  std::uint64_t m_revision = 0;
  int m_columns = 0;
  app::LayerHeatmap m_heatmap;
  QImage m_image;
  QRgb m_lookup[257] = {};  // the colour map, then the background
  std::vector<std::uint16_t> m_indices;
  bool m_hasRange = false;
  double m_low = 0.0, m_high = 1.0;
};

}  // namespace gradscope::ui
