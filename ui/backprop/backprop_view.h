// The Backprop view: one training step of a small network written out as the lecture does it
// by hand. The network is drawn with a card per unit; *Step* (or Enter) takes one step of the
// run with its trace, and → / ← walk through it: the sample, the forward pass layer by layer
// (each unit's z and a), the loss, the backward pass one layer at a time from the output (each
// unit's δ, each weight's gradient on its edge; hover for the chain-rule factors), the sum
// over paths of a chosen first-layer weight (click a first-layer edge to choose it), and the
// update old → new for the optimiser in use. A panel beside the network spells out the
// current sub-step with its numbers.
//
// Every number is the engine's (core/backprop/backprop_trace.h); the view only formats them.
// z, a and δ are those of one sample of the mini-batch (chosen with *Sample*); gradients and
// updates are the mini-batch's. Networks larger than the trace takes are refused by the worker
// and the view says which sizes it takes.
#pragma once

#include <QJsonObject>
#include <QLineF>
#include <QRect>

#include <vector>

#include "app/worker/backprop_snapshot.h"
#include "ui/backprop/backprop_walk.h"
#include "ui/charts/painted_view.h"

class QLabel;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace gradscope::ui {

class BackpropView : public PaintedView {
  Q_OBJECT
 public:
  struct Card {
    int column = 0;  // 0: the inputs; c: Dense layer c - 1
    int unit = 0;
    QRect rect;
  };
  struct Edge {
    int layer = 0;  // the Dense layer the weight belongs to
    int from = 0;   // unit of the column before (an input for layer 0)
    int to = 0;
    QLineF line;
  };

  explicit BackpropView(QWidget* parent = nullptr);

  QString viewTitle() const override { return tr("Backprop"); }
  void refresh(const app::MetricHistory& /*history*/, int /*run*/) override {}
  // The run was reset or rebuilt: the trace belongs to weights that are gone.
  void clear() override;

  bool hasTrace() const { return m_snapshot && m_snapshot->trace; }
  const core::BackpropTrace* trace() const;
  // What the canvas says instead of a network (a refusal or how to start); empty with a trace.
  QString message() const;
  const BackpropWalk& walk() const { return m_walk; }
  int sample() const { return m_sample; }
  int chosenInput() const { return m_chosenInput; }
  int chosenUnit() const { return m_chosenUnit; }
  // Geometry at the current size (empty without a trace or when too small to draw).
  const std::vector<Card>& cards() const { return m_cards; }
  const std::vector<Edge>& edges() const { return m_edges; }
  QRect detailRect() const { return m_detailRect; }
  // The panel's lines for the current sub-step, the title first.
  QStringList detailLines() const;
  QString edgeToolTip(const Edge& edge) const;
  QString cardToolTip(const Card& card) const;

  // The sub-step, sample and chosen weight, for sessions.
  QJsonObject state() const;
  void setState(const QJsonObject& state);
  QJsonObject viewState() const override { return state(); }
  void restoreViewState(const QJsonObject& state) override { setState(state); }

 public slots:
  void setTrace(const gradscope::app::BackpropSnapshotPtr& snapshot);
  void requestStep();
  void nextSubStep();
  void previousSubStep();
  void setSample(int sample);
  // Floats the view's dock over the dashboard at a size where the numbers are legible.
  void openLarger();
  // The first-layer weight whose paths the "sum over paths" sub-step shows.
  void chooseWeight(int input, int unit);

 signals:
  // "Step with trace" (takeStep) to the worker.
  void traceRequested(bool takeStep);

 protected:
  void paintCanvas(QPainter& painter, const QRect& rect) override;
  QString canvasToolTip(const QPoint& pos) const override;
  void canvasPressed(QMouseEvent* event) override;
  void canvasResized() override;
  void restyle() override;
  void keyPressEvent(QKeyEvent* event) override;
  // Shown without a trace: asks for a preview of the next step (or why it cannot be traced).
  void showEvent(QShowEvent* event) override;

 private:
  void layoutNetwork();
  void updateControls();
  const Edge* edgeAt(const QPointF& pos) const;
  const Card* cardAt(const QPoint& pos) const;
  // Lines of the card of a unit (inputs: x; Dense units: z, a, δ and the target at the output).
  QStringList cardLines(int column, int unit) const;
  // The value an edge shows at the current sub-step and whether it is in focus.
  double edgeValue(const Edge& edge) const;
  bool edgeInFocus(const Edge& edge) const;
  QString edgeLabel(const Edge& edge) const;
  bool onChosenPath(const Edge& edge) const;
  QString unitName(int column, int unit) const;
  int columnCount() const;
  int unitsIn(int column) const;
  void paintEdges(QPainter& painter);
  void paintCards(QPainter& painter);
  void paintEdgeLabels(QPainter& painter);
  void paintDetails(QPainter& painter);

  app::BackpropSnapshotPtr m_snapshot;
  BackpropWalk m_walk;
  int m_sample = 0;
  int m_chosenInput = 0;
  int m_chosenUnit = 0;
  QJsonObject m_pendingState;  // a session's state, applied to the next trace that fits

  QRect m_networkRect;
  QRect m_detailRect;
  std::vector<Card> m_cards;
  std::vector<Edge> m_edges;
  bool m_tooSmall = false;

  QPushButton* m_step = nullptr;
  QToolButton* m_previous = nullptr;
  QToolButton* m_next = nullptr;
  QLabel* m_position = nullptr;
  QLabel* m_sampleLabel = nullptr;
  QSpinBox* m_sampleBox = nullptr;
};

}  // namespace gradscope::ui
