#include "ui/charts/painted_view.h"

#include <QContextMenuEvent>
#include <QHBoxLayout>
#include <QMenu>
#include <QScrollArea>
#include <QVBoxLayout>

#include "ui/charts/paint_canvas.h"
#include "ui/export/image_export.h"
#include "ui/window/theme.h"

namespace gradscope::ui {

PaintedView::PaintedView(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  m_canvas = new PaintCanvas(this, this);
  layout->addWidget(m_canvas, 1);
  connect(&ThemeManager::instance(), &ThemeManager::changed, this, &PaintedView::applyTheme);
  applyTheme();
}

PaintedView::~PaintedView() = default;

QWidget* PaintedView::canvas() const { return m_canvas; }

QHBoxLayout* PaintedView::controls() {
  if (!m_controls) {
    m_controls = new QHBoxLayout;
    m_controls->setContentsMargins(4, 2, 4, 0);
    m_controls->setSpacing(6);
    static_cast<QVBoxLayout*>(layout())->insertLayout(0, m_controls);
  }
  return m_controls;
}

void PaintedView::setCanvasScrollable(bool scrollable) {
  auto* box = static_cast<QVBoxLayout*>(layout());
  if (scrollable == (m_scroll != nullptr)) return;
  if (scrollable) {
    box->removeWidget(m_canvas);
    m_scroll = new QScrollArea(this);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setWidgetResizable(true);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setWidget(m_canvas);
    box->addWidget(m_scroll, 1);
  } else {
    m_scroll->takeWidget();
    m_canvas->setParent(this);
    box->removeWidget(m_scroll);
    delete m_scroll;
    m_scroll = nullptr;
    box->addWidget(m_canvas, 1);
  }
}

int PaintedView::visibleCanvasHeight() const {
  return m_scroll ? m_scroll->viewport()->height() : m_canvas->height();
}

void PaintedView::updateCanvas() { m_canvas->update(); }

void PaintedView::contextMenuEvent(QContextMenuEvent* event) {
  QMenu menu(this);
  addContextActions(&menu);
  if (!menu.isEmpty()) menu.addSeparator();
  addExportActions(&menu, m_canvas, viewTitle());
  menu.exec(event->globalPos());
}

void PaintedView::applyTheme() {
  setFont(theme().font());
  restyle();
  m_canvas->update();
}

}  // namespace gradscope::ui
