// The Loss surface view: the training loss of the real network around its current weights,
// computed on demand in the background (app/loss_surface/loss_surface_job.h) while the run
// trains on. Three modes: a 2-D slice along two filter-normalised random directions (Li et
// al. 2018), the training trajectory on the plane of its top two principal directions (Li et
// al. 2018, section 7), and the 1-D loss on the straight line from the initial to the current
// weights (Goodfellow et al. 2015). Slices are drawn as a colour map with contour lines; the
// numbers (grid, contours, curvature, path) all come from core/loss_surface.
#pragma once

#include <memory>

#include "core/loss_surface/loss_surface.h"
#include "ui/charts/painted_view.h"

class QComboBox;
class QProgressBar;
class QPushButton;

namespace gradscope::app {
class LossSurfaceJob;
class TrainingController;
}  // namespace gradscope::app

namespace gradscope::ui {

class LossSurfaceView : public PaintedView {
  Q_OBJECT
 public:
  // Without a controller the view only shows surfaces given to setSurface().
  explicit LossSurfaceView(app::TrainingController* controller, QWidget* parent = nullptr);
  ~LossSurfaceView() override;

  QString viewTitle() const override { return tr("Loss surface"); }
  void refresh(const app::MetricHistory& /*history*/, int /*run*/) override {}
  void clear() override;
  // The chosen mode and the surface shown (with its run's name), so that a session reopens
  // with what was computed.
  QJsonObject viewState() const override;
  void restoreViewState(const QJsonObject& state) override;

  core::LossSurfaceMode mode() const;
  void setMode(core::LossSurfaceMode mode);
  const core::LossSurface* surface() const { return m_surface.get(); }
  // Why there is no surface to show (a failed computation, an unreadable saved one), or empty.
  const QString& message() const { return m_message; }
  bool isComputing() const;
  // The data drawn, as CSV: "alpha,beta,loss" per grid point (and "path" rows with the step),
  // or "alpha,loss" along the line; empty without a surface.
  QString csv() const;

 public slots:
  // Computes the chosen mode for the selected run (Compute); cancels when computing.
  void compute();
  void cancel();
  void setSurface(std::shared_ptr<const gradscope::core::LossSurface> surface,
                  const QString& runName = {});
  void setFailed(const QString& message);

 protected:
  void paintCanvas(QPainter& painter, const QRect& rect) override;
  void addContextActions(QMenu* menu) override;
  QString canvasToolTip(const QPoint& pos) const override;
  void restyle() override;

 private:
  struct Layout {
    bool compact = false;  // a small dock: no title line, no axis names
    QRect title, subtitle, plot, bar;
  };
  Layout layout(const QRect& rect) const;
  void paintMap(QPainter& painter, const Layout& l);
  void paintLine(QPainter& painter, const Layout& l);
  void paintMapAxes(QPainter& painter, const Layout& l);
  QPointF toCanvas(const core::Point2& p, const QRect& plot) const;
  void rebuildImage();
  void setRunning(bool running);
  QStringList titleTexts() const;     // longest first
  QStringList subtitleTexts() const;  // longest first

  app::LossSurfaceJob* m_job = nullptr;
  QComboBox* m_modeBox = nullptr;
  QPushButton* m_compute = nullptr;
  QProgressBar* m_progress = nullptr;
  std::shared_ptr<const core::LossSurface> m_surface;
  QString m_runName;
  QString m_message;
  QImage m_image;  // the colour map, one pixel per grid point
  QRect m_lastPlot;
};

}  // namespace gradscope::ui
