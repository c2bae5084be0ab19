// The model's prediction over the 2-D input plane, with the data on top: for one sigmoid
// output the probability of class 1 on a diverging map around 0.5 (with the p = 0.5 contour),
// for softmax the most likely class's colour faded by its probability, for regression the
// predicted value on a diverging map. Training points are filled circles, validation points
// rings, both in their class (or target) colour with a dark outline. The field arrives with
// snapshots a few times a second. For data that is not 2-D the panel draws the model insight
// instead (sample images and predictions, confusion matrix, first-layer weights, a projection
// of the last hidden layer, or the fitted curve of one-input data; see model_insight_painter.h),
// with a choice of page above the canvas.
//
// The Regions mode (a toggle above the plane, saved with the session) colours the plane by
// linear region instead: each activation pattern of the network's piecewise-linear hidden units
// (relu, leaky_relu) in its own colour, kept while the pattern lives, with the borders between
// regions drawn and the count in the legend (see core/regions). For networks with a curved
// hidden activation it says why there are no regions.
#pragma once

#include <QImage>
#include <QJsonObject>
#include <QLineF>

#include <cstdint>
#include <memory>
#include <vector>

#include "app/worker/snapshot.h"
#include "ui/charts/model_insight_painter.h"
#include "ui/charts/painted_view.h"

class QCheckBox;
class QComboBox;
class QLabel;

namespace gradscope::ui {

class DecisionBoundaryView : public PaintedView {
  Q_OBJECT
 public:
  enum class Task { Binary, MultiClass, Regression };
  enum class Mode { Prediction, Regions };

  explicit DecisionBoundaryView(QWidget* parent = nullptr);

  QString viewTitle() const override;
  void refresh(const app::MetricHistory& history, int run) override;
  void onSnapshot(const app::Snapshot& snapshot) override;
  bool showsOneStep() const override { return true; }
  void clear() override;
  // The step (steps trained) of the field or insight on screen, -1 before one arrived.
  std::int64_t shownStep() const { return m_step; }

  void setField(std::shared_ptr<const app::DecisionField> field, std::int64_t step = -1);
  void setDataPoints(std::shared_ptr<const app::DataPoints> points);
  // The data set has other than two inputs: drop the field and points; the model insight
  // takes their place when it arrives.
  void setNotPlanar();
  void setInsight(std::shared_ptr<const app::ModelInsight> insight);
  const app::ModelInsight* insight() const { return m_insight.get(); }
  // The binary boundary p = 0.5 as drawn, in grid units (column, row).
  const std::vector<QLineF>& boundaryLines() const { return m_contour; }
  // The insight's pages offered in the page box, and the one shown.
  const std::vector<ModelInsightPainter::Page>& insightPages() const { return m_pages; }
  ModelInsightPainter::Page insightPage() const { return m_page; }
  void setInsightPage(ModelInsightPainter::Page page);

  Mode mode() const { return m_mode; }
  void setMode(Mode mode);
  // The mode, for the session: {"mode": "regions"} (empty in the default mode).
  QJsonObject viewState() const override;
  void restoreViewState(const QJsonObject& state) override;
  // Why the Regions mode shows no regions (empty while it does, or before a field arrived).
  QString regionsUnavailable() const;
  // A distinct colour per region id, lighter in the light themes, deeper in the dark ones;
  // consecutive ids (neighbours, as the grid numbers them) far apart in hue.
  static QColor regionColor(int id);

  bool hasField() const { return m_field != nullptr; }
  Task task() const;
  // Class colours shared with the network view: blue and orange for two classes.
  static QColor classColor(int k, int classes);
  // The plane's area in canvas coordinates (equal units on both axes).
  QRect plotRect() const;
  // Canvas position of a point in data coordinates.
  QPointF toCanvas(double x, double y) const;

 protected:
  void paintCanvas(QPainter& painter, const QRect& rect) override;
  QString canvasToolTip(const QPoint& pos) const override;
  void restyle() override;

 private:
  struct Frame {
    double xMin = 0, xMax = 1, yMin = 0, yMax = 1;
  };
  Frame frame() const;
  struct LegendItem {
    enum Kind { Swatch, Train, Validation, Text } kind;
    QColor color;
    QString text;
  };
  struct Layout {
    QRect plot, legend;
    bool legendBelow = false;  // a flowing row under the plot instead of a column beside it
  };
  std::vector<LegendItem> legendItems() const;
  int legendRowsBelow(int width) const;
  Layout layoutIn(const QRect& rect) const;
  int yLabelWidth(const QRect& rect) const;
  int legendWidth() const;
  double regressionScale() const;
  QColor fieldColor(int index, Task task, double scale) const;
  void rebuildImage();
  void paintLegend(QPainter& painter, const Layout& layout);
  void paintAxes(QPainter& painter, const QRect& plot, const Frame& f);
  void paintPoints(QPainter& painter, const QRect& plot, const Frame& f);
  void paintContour(QPainter& painter, const QRect& plot);
  void paintRegionBorders(QPainter& painter, const QRect& plot);
  void rebuildRegions();
  bool showsRegions() const;

  std::shared_ptr<const app::DecisionField> m_field;
  std::shared_ptr<const app::DataPoints> m_points;
  std::shared_ptr<const app::ModelInsight> m_insight;
  std::vector<ModelInsightPainter::Page> m_pages;
  ModelInsightPainter::Page m_page = ModelInsightPainter::Page::Overview;
  QComboBox* m_pageBox = nullptr;
  QLabel* m_pageLabel = nullptr;
  std::int64_t m_step = -1;
  // While training, the newest field or insight waits for refresh(), which the window calls
  // with the status bar's refresh, so the title's step is never ahead of the status bar's.
  void showPending();
  std::shared_ptr<const app::DecisionField> m_pendingField;
  std::shared_ptr<const app::ModelInsight> m_pendingInsight;
  std::int64_t m_pendingStep = -1;
  bool m_notPlanar = false;
  QImage m_image;                 // resolution x resolution, top row = yMax
  std::vector<QLineF> m_contour;  // p = 0.5, in grid units (column, row)
  Mode m_mode = Mode::Prediction;
  QCheckBox* m_regionsBox = nullptr;
  QImage m_regionImage;                 // regionResolution squared, top row = yMax
  std::vector<QLineF> m_regionBorders;  // between grid points of two regions, in grid units
};

}  // namespace gradscope::ui
