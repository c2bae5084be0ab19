// Draws a ModelInsight (what the model does on data that is not a 2-D plane) into a rectangle
// of a painted view: sample images with their true and predicted classes, the confusion
// matrix with each class's accuracy, the first layer's weights as images, the PCA projection
// of the last hidden layer, or the fitted curve of one-input data. Painting only: every
// number comes computed from the worker.
#pragma once

#include <QCoreApplication>
#include <QRect>
#include <QStringList>

#include "app/worker/model_insight.h"

class QPainter;

namespace gradscope::ui {

class ModelInsightPainter {
  Q_DECLARE_TR_FUNCTIONS(ModelInsightPainter)
 public:
  enum class Page { Overview, Samples, Confusion, Weights, Projection, Curve };

  // The pages worth showing for `insight`, Overview first.
  static std::vector<Page> pagesFor(const app::ModelInsight& insight);
  static QString pageName(Page page);
  // A title for the panel, e.g. "Fashion-MNIST predictions".
  static QString title(const app::ModelInsight& insight);

  static void paint(QPainter& painter, const QRect& rect, const app::ModelInsight& insight,
                    Page page);

  static void paintSamples(QPainter& painter, const QRect& rect, const app::ModelInsight& insight);
  static void paintConfusion(QPainter& painter, const QRect& rect,
                             const app::ModelInsight& insight);
  static void paintWeights(QPainter& painter, const QRect& rect, const app::ModelInsight& insight);
  static void paintProjection(QPainter& painter, const QRect& rect,
                              const app::ModelInsight& insight);
  static void paintCurve(QPainter& painter, const QRect& rect, const app::ModelInsight& insight);
};

}  // namespace gradscope::ui
