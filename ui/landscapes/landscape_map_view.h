// The Landscapes view's map: the surface as a pale colour map with contour lines (log-spaced
// levels of f - f* where the surface spans decades), its minima and saddles marked, and each
// racer's path from the start point up to the playback step in its own colour, with its
// current position. Beside the map: the colour bar and a legend that gives each racer's
// f - f* at the step shown. A left click on the map moves the start point there. Painted with
// QPainter only, so it exports to PNG and SVG; every number comes from the model.
#pragma once

#include <QImage>
#include <QWidget>

#include <optional>
#include <vector>

#include "core/landscapes/landscape.h"
#include "ui/charts/plot_axes.h"

namespace gradscope::app {
class LandscapeModel;
}

namespace gradscope::ui {

class LandscapeMapView : public QWidget {
  Q_OBJECT
 public:
  // Samples per side of the colour map (drawn smoothly scaled) and its contour lines.
  static constexpr int kGridSize = 240;

  explicit LandscapeMapView(app::LandscapeModel* model, QWidget* parent = nullptr);

  // The square plot in widget coordinates, and the mapping between it and parameter space.
  QRect plotRect() const;
  QPointF toWidget(const core::Point2& p) const;
  core::Point2 toParameters(const QPointF& pos) const;

  QSize sizeHint() const override { return {720, 620}; }
  QSize minimumSizeHint() const override { return {360, 300}; }

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;
  bool event(QEvent* event) override;

 private:
  struct Layout {
    QRect title, plot, bar, legend;
    int columns = 1;     // of the legend under the plot
    int entryWidth = 0;  // of one legend entry
  };
  // Cached: every mapped point needs the plot rectangle.
  const Layout& layout() const;
  Layout computeLayout() const;
  std::vector<AxisTick> colorBarTicks(int maxTicks) const;
  int colorBarWidth() const;
  int legendEntryWidth() const;
  int markerCount() const;
  int leftMargin() const;
  void rebuildImage();
  void paintSurface(QPainter& painter, const QRect& plot);
  void paintSurfaceLayer(QPainter& painter, const QRect& plot);
  void paintAxes(QPainter& painter, const QRect& plot);
  void paintCriticalPoints(QPainter& painter);
  void paintTrajectories(QPainter& painter, const QRect& plot);
  void paintColorBar(QPainter& painter, const QRect& bar);
  void paintLegend(QPainter& painter, const Layout& layout);

  app::LandscapeModel* m_model;
  QImage m_image;  // kGridSize x kGridSize, top row = the top of the view
  core::LandscapeSettings m_imageSettings;
  mutable std::optional<Layout> m_layout;
  mutable QSize m_layoutSize;
  QImage m_layer;  // colour map and contours at the plot's size in device pixels
  bool m_layerStale = true;
};

}  // namespace gradscope::ui
