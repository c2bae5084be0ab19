#include "ui/window/toolbar_icons.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace gradscope::ui {

namespace {

QPixmap draw(ToolbarIcon icon, const QColor& color, int size) {
  QPixmap pixmap(size, size);
  pixmap.fill(Qt::transparent);
  QPainter p(&pixmap);
  p.setRenderHint(QPainter::Antialiasing);
  p.setPen(Qt::NoPen);
  p.setBrush(color);
  p.scale(size / 16.0, size / 16.0);  // drawn on a 16 x 16 grid
  auto triangle = [&](double x, double width) {
    QPainterPath path;
    path.moveTo(x, 3);
    path.lineTo(x + width, 8);
    path.lineTo(x, 13);
    path.closeSubpath();
    p.drawPath(path);
  };
  switch (icon) {
    case ToolbarIcon::Play:
      triangle(4, 9);
      break;
    case ToolbarIcon::Pause:
      p.drawRect(QRectF(4, 3, 3, 10));
      p.drawRect(QRectF(9, 3, 3, 10));
      break;
    case ToolbarIcon::Step:
      triangle(3, 7);
      p.drawRect(QRectF(11, 3, 2, 10));
      break;
    case ToolbarIcon::Epoch:
      triangle(1, 6);
      triangle(7, 6);
      p.drawRect(QRectF(13, 3, 2, 10));
      break;
  }
  return pixmap;
}

}  // namespace

QIcon toolbarIcon(ToolbarIcon icon, const QColor& color) {
  QIcon result;
  for (int size : {16, 24, 32, 48, 64}) result.addPixmap(draw(icon, color, size));
  return result;
}

}  // namespace gradscope::ui
