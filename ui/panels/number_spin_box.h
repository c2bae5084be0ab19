// A spin box for real-valued settings: shows 0.001 and 1e-05 alike readably, accepts typed
// scientific notation, and for log-scale settings steps by a quarter decade (x or / 10^0.25)
// so the arrows and the wheel cross 1e-4 .. 1 in a few turns.
#pragma once

#include <QDoubleSpinBox>

namespace gradscope::ui {

class NumberSpinBox : public QDoubleSpinBox {
  Q_OBJECT
 public:
  explicit NumberSpinBox(bool logScale, QWidget* parent = nullptr);

  bool logScale() const { return m_log; }
  void stepBy(int steps) override;
  QString textFromValue(double value) const override;
  double valueFromText(const QString& text) const override;
  QValidator::State validate(QString& text, int& pos) const override;

  // The value one step away from `value` (exposed for tests).
  double stepped(double value, int steps) const;

 protected:
  StepEnabled stepEnabled() const override;

 private:
  QString stripped(const QString& text) const;
  bool m_log = false;
};

}  // namespace gradscope::ui
