#include "ui/window/discard_guard.h"

#include <QLocale>
#include <QMessageBox>
#include <QWidget>

namespace gradscope::ui {

DiscardGuard::DiscardGuard(QWidget* window) : QObject(window), m_window(window) {}

bool DiscardGuard::confirm(const QString& action, std::int64_t trainedSteps, const QString& what,
                           bool unsaved) {
  if (trainedSteps <= 0 || !unsaved) return true;
  ++m_asked;
  const QString text = tr("%1 discards %2 (%3 trained steps, not saved). Discard them?")
                           .arg(action, what, QLocale().toString(qlonglong(trainedSteps)));
  if (m_prompt) return m_prompt(text);
  const auto answer =
      QMessageBox::question(m_window, tr("Discard the trained run?"), text,
                            QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Cancel);
  return answer == QMessageBox::Discard;
}

}  // namespace gradscope::ui
