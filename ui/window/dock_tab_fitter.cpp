#include "ui/window/dock_tab_fitter.h"

#include <QEvent>
#include <QFontMetrics>
#include <QTabBar>
#include <QVariant>

#include <algorithm>

namespace gradscope::ui {

namespace {

constexpr const char* kLargestFont = "gradscopeLargestTabFont";

bool vertical(const QTabBar* bar) {
  switch (bar->shape()) {
    case QTabBar::RoundedWest:
    case QTabBar::RoundedEast:
    case QTabBar::TriangularWest:
    case QTabBar::TriangularEast:
      return true;
    default:
      return false;
  }
}

// The length the tabs need along the row at `font`: each tab's text at that font plus what
// the style adds around the text at the bar's present font (margins, frame, close button).
int neededLength(const QTabBar* bar, const QFont& font) {
  const QFontMetrics now(bar->font());
  const QFontMetrics then(font);
  const bool down = vertical(bar);
  int length = 0;
  for (int i = 0; i < bar->count(); ++i) {
    const QSize hint = bar->tabRect(i).size();  // laid out at its size hint, never squeezed
    const int around =
        (down ? hint.height() : hint.width()) - now.horizontalAdvance(bar->tabText(i));
    length += then.horizontalAdvance(bar->tabText(i)) + std::max(0, around);
  }
  return length;
}

}  // namespace

DockTabFitter::DockTabFitter(QObject* parent) : QObject(parent) {}

void DockTabFitter::fit(QTabBar* bar, const QFont& font) {
  bar->setProperty(kLargestFont, font);
  bar->removeEventFilter(this);
  bar->installEventFilter(this);
  refit(bar);
}

bool DockTabFitter::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::Resize || event->type() == QEvent::LayoutRequest) {
    if (auto* bar = qobject_cast<QTabBar*>(watched)) refit(bar);
  }
  return QObject::eventFilter(watched, event);
}

void DockTabFitter::refit(QTabBar* bar) {
  const QVariant largest = bar->property(kLargestFont);
  if (!largest.isValid() || bar->count() == 0) return;
  const QFont font = largest.value<QFont>();
  const int room = vertical(bar) ? bar->height() : bar->width();
  if (room <= 0) return;
  // The largest size at which every name fits; none: the largest, and the scroll buttons
  // (a smaller font would only make what is shown harder to read).
  QFont fitted = font;
  for (int size = font.pointSize(); size >= kSmallestPointSize; --size) {
    QFont candidate = font;
    candidate.setPointSize(size);
    if (neededLength(bar, candidate) <= room) {
      fitted = candidate;
      break;
    }
  }
  if (bar->font() != fitted) bar->setFont(fitted);
}

}  // namespace gradscope::ui
