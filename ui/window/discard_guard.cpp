#include "ui/window/discard_guard.h"

#include <QCheckBox>
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
  if (m_notAgain) return true;
  QMessageBox box(QMessageBox::Question, tr("Discard the trained run?"), text,
                  QMessageBox::Discard | QMessageBox::Cancel, m_window);
  box.setDefaultButton(QMessageBox::Cancel);
  // A lecturer trying widths one after another in front of a class answers once.
  auto* notAgain = new QCheckBox(tr("Do not ask again until GradScope is closed"), &box);
  box.setCheckBox(notAgain);
  const bool discard = box.exec() == QMessageBox::Discard;
  if (discard && notAgain->isChecked()) m_notAgain = true;
  return discard;
}

}  // namespace gradscope::ui
