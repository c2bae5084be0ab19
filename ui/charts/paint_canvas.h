// The painted area of a PaintedView: fills the theme background and hands painting, clicks,
// tooltips and resizes to its view.
#pragma once

#include <QWidget>

namespace gradscope::ui {

class PaintedView;

class PaintCanvas : public QWidget {
  Q_OBJECT
 public:
  explicit PaintCanvas(PaintedView* view, QWidget* parent = nullptr);
  // Every painted view reads well from about 400 x 300 pixels.
  QSize sizeHint() const override { return {400, 300}; }

 protected:
  bool event(QEvent* event) override;
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  PaintedView* m_view;
};

}  // namespace gradscope::ui
