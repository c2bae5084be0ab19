// The base of the custom-painted dashboard views (heatmap, histograms, saturation, decision
// boundary, network view): an optional row of controls above a canvas the subclass paints with
// QPainter only, so the canvas exports to PNG and SVG through QWidget::render. The context
// menu offers the export actions for the canvas; theme changes restyle fonts and repaint.
#pragma once

#include <QWidget>

#include "ui/charts/dashboard_view.h"

class QHBoxLayout;
class QMenu;
class QMouseEvent;
class QPainter;
class QScrollArea;

namespace gradscope::ui {

class PaintCanvas;

class PaintedView : public QWidget, public DashboardView {
  Q_OBJECT
 public:
  explicit PaintedView(QWidget* parent = nullptr);
  ~PaintedView() override;

  QWidget* widget() override { return this; }
  // The painted part, without the controls (what "Export…" saves).
  QWidget* canvas() const;

 protected:
  // A row of controls above the canvas, created on first use.
  QHBoxLayout* controls();
  // Puts the canvas in a vertical scroll area; the subclass sets its minimum height.
  void setCanvasScrollable(bool scrollable);
  // The height of the canvas on screen (the scroll area's viewport when scrollable).
  int visibleCanvasHeight() const;
  // Repaints the canvas (only what the subclass says changed calls this).
  void updateCanvas();

  virtual void paintCanvas(QPainter& painter, const QRect& rect) = 0;
  virtual void canvasPressed(QMouseEvent* /*event*/) {}
  virtual QString canvasToolTip(const QPoint& /*pos*/) const { return {}; }
  virtual void canvasResized() {}
  // Extra entries above the export actions.
  virtual void addContextActions(QMenu* /*menu*/) {}
  // The theme changed; fonts of the controls are already set, the canvas repaints afterwards.
  virtual void restyle() {}

  void contextMenuEvent(QContextMenuEvent* event) override;

 private:
  friend class PaintCanvas;
  void applyTheme();

  PaintCanvas* m_canvas = nullptr;
  QHBoxLayout* m_controls = nullptr;
  QScrollArea* m_scroll = nullptr;
};

}  // namespace gradscope::ui
