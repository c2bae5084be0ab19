// The order-to-chaos phase diagram of the signal-propagation view: chi_1 over (sigma_w^2,
// sigma_b^2) as computed by the worker (core/signal/phase_diagram.h), blue where the network is
// ordered (gradients vanish), red where it is chaotic (they explode), pale at the edge of chaos,
// with the critical line chi_1 = 1 and a cross at the current initialiser. Painted with QPainter
// only, so it exports to PNG and SVG; its context menu offers the export.
#pragma once

#include <QWidget>

#include <memory>

namespace gradscope::core {
struct SignalPropagation;
}

namespace gradscope::ui {

class PhaseDiagramCanvas : public QWidget {
  Q_OBJECT
 public:
  explicit PhaseDiagramCanvas(QWidget* parent = nullptr);
  void setResult(std::shared_ptr<const core::SignalPropagation> result);
  // Where the current initialiser's cross is drawn (widget coordinates; null without a result).
  QPointF markerPosition() const;

 protected:
  void paintEvent(QPaintEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;

 private:
  QRect plotRect() const;
  std::shared_ptr<const core::SignalPropagation> m_result;
};

}  // namespace gradscope::ui
