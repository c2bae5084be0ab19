#include "ui/charts/paint_canvas.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include "ui/charts/painted_view.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

PaintCanvas::PaintCanvas(PaintedView* view, QWidget* parent) : QWidget(parent), m_view(view) {
  setMouseTracking(false);
  setAttribute(Qt::WA_OpaquePaintEvent);
  setMinimumSize(120, 90);
}

bool PaintCanvas::event(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    const QString text = m_view->canvasToolTip(help->pos());
    if (text.isEmpty()) {
      QToolTip::hideText();
      event->ignore();
    } else {
      QToolTip::showText(help->globalPos(), text, this);
    }
    return true;
  }
  return QWidget::event(event);
}

void PaintCanvas::paintEvent(QPaintEvent* /*event*/) {
  QPainter painter(this);
  painter.fillRect(rect(), theme().background);
  painter.setFont(theme().font());
  painter.setPen(theme().foreground);
  m_view->paintCanvas(painter, rect());
}

void PaintCanvas::mousePressEvent(QMouseEvent* event) {
  m_view->canvasPressed(event);
  if (!event->isAccepted()) QWidget::mousePressEvent(event);
}

void PaintCanvas::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  m_view->canvasResized();
}

}  // namespace gradscope::ui
