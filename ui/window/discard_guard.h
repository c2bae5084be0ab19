// Asks before something throws a trained run away (Reset, a scenario or preset chosen): "Reset
// discards the 1,234 trained steps of 'relu'. Discard them?" Nothing is asked when nothing was
// trained, or when everything trained is saved. Tests and headless uses replace the question.
#pragma once

#include <QObject>
#include <QString>

#include <cstdint>
#include <functional>

class QWidget;

namespace gradscope::ui {

class DiscardGuard : public QObject {
  Q_OBJECT
 public:
  // Answers the question in `text`: true to discard.
  using Prompt = std::function<bool(const QString& text)>;

  explicit DiscardGuard(QWidget* window);

  // True when `action` may go ahead: nothing trained would be lost (`trainedSteps` 0, or
  // nothing unsaved), or the user agreed. `what` names the runs, e.g. "the 3 runs".
  bool confirm(const QString& action, std::int64_t trainedSteps, const QString& what, bool unsaved);
  void setPrompt(Prompt prompt) { m_prompt = std::move(prompt); }
  // How many times a question was asked (tests).
  int asked() const { return m_asked; }

 private:
  QWidget* m_window;
  Prompt m_prompt;
  int m_asked = 0;
  bool m_notAgain = false;  // the user ticked "do not ask again"
};

}  // namespace gradscope::ui
