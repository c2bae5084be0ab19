#include "ui/panels/number_spin_box.h"

#include <QLineEdit>
#include <QLocale>
#include <QRegularExpression>

#include <cmath>

namespace gradscope::ui {

namespace {
constexpr double kQuarterDecade = 1.7782794100389228;  // 10^(1/4)

// A "nice" linear step for values around `value` in a range of `span`.
double linearStep(double value, double span) {
  const double spanStep = std::pow(10.0, std::ceil(std::log10(std::max(span, 1e-12))) - 2.0);
  if (span <= 100.0) return spanStep;
  // Large ranges (steps, thresholds): a tenth of the value's order of magnitude.
  const double magnitude = std::abs(value) < 1.0 ? 1.0 : std::abs(value);
  return std::max(1.0, std::pow(10.0, std::floor(std::log10(magnitude)) - 1.0));
}
}  // namespace

NumberSpinBox::NumberSpinBox(bool logScale, QWidget* parent)
    : QDoubleSpinBox(parent), m_log(logScale) {
  // Stored precisely (QDoubleSpinBox rounds the value to `decimals`); shown by textFromValue.
  setDecimals(15);
  setKeyboardTracking(false);
  setAccelerated(true);
}

double NumberSpinBox::stepped(double value, int steps) const {
  if (steps == 0) return value;
  if (m_log) {
    if (value <= 0.0) {
      // From zero (a disabled L2, say) the first step up goes to the smallest positive decade.
      const double start = minimum() > 0.0 ? minimum() : 1e-6;
      return steps > 0 ? std::min(maximum(), start) : minimum();
    }
    // Snap to the quarter-decade grid so that 1e-3 steps to 1.78e-3, not 1.7e-3.
    double exponent = std::round(std::log10(value) * 4.0) + double(steps);
    double next = std::pow(10.0, exponent / 4.0);
    const double rounded = std::pow(10.0, std::floor(std::log10(next)) - 2.0);
    next = std::round(next / rounded) * rounded;
    if (next < minimum()) next = steps < 0 && minimum() == 0.0 ? 0.0 : minimum();
    return std::clamp(next, minimum(), maximum());
  }
  const double step = linearStep(value, maximum() - minimum());
  const double next = std::round((value + double(steps) * step) / step) * step;
  return std::clamp(next, minimum(), maximum());
}

void NumberSpinBox::stepBy(int steps) {
  setValue(stepped(value(), steps));
  selectAll();
}

QAbstractSpinBox::StepEnabled NumberSpinBox::stepEnabled() const {
  if (isReadOnly()) return StepNone;
  StepEnabled enabled = StepNone;
  if (value() < maximum()) enabled |= StepUpEnabled;
  if (value() > minimum()) enabled |= StepDownEnabled;
  return enabled;
}

QString NumberSpinBox::textFromValue(double value) const {
  if (value == 0.0) return QStringLiteral("0");
  const double magnitude = std::abs(value);
  QString text;
  if (magnitude < 1e-3 || magnitude >= 1e6) {
    text = QString::number(value, 'e', 3);
    // 1.000e-05 -> 1e-5
    const qsizetype e = text.indexOf(QLatin1Char('e'));
    QString mantissa = text.left(e);
    QString exponent = text.mid(e + 1);
    while (mantissa.contains(QLatin1Char('.')) && mantissa.endsWith(QLatin1Char('0'))) {
      mantissa.chop(1);
    }
    if (mantissa.endsWith(QLatin1Char('.'))) mantissa.chop(1);
    const int power = exponent.toInt();
    text = mantissa + QStringLiteral("e") + QString::number(power);
  } else {
    text = QString::number(value, 'g', 6);
  }
  return text;
}

QString NumberSpinBox::stripped(const QString& text) const {
  QString t = text;
  if (!prefix().isEmpty() && t.startsWith(prefix())) t.remove(0, prefix().size());
  if (!suffix().isEmpty() && t.endsWith(suffix())) t.chop(suffix().size());
  return t.trimmed();
}

double NumberSpinBox::valueFromText(const QString& text) const {
  bool ok = false;
  const QString t = stripped(text);
  double v = t.toDouble(&ok);
  if (!ok) v = locale().toDouble(t, &ok);
  return ok ? v : value();
}

QValidator::State NumberSpinBox::validate(QString& text, int&) const {
  const QString t = stripped(text);
  if (t.isEmpty()) return QValidator::Intermediate;
  bool ok = false;
  double v = t.toDouble(&ok);
  if (!ok) v = locale().toDouble(t, &ok);
  if (ok) {
    return (v >= minimum() && v <= maximum()) ? QValidator::Acceptable : QValidator::Intermediate;
  }
  // Partly typed numbers: "-", "1e", "1e-", "2.".
  static const QRegularExpression partial(
      QStringLiteral("^[-+]?[0-9]*[.,]?[0-9]*([eE][-+]?[0-9]*)?$"));
  return partial.match(t).hasMatch() ? QValidator::Intermediate : QValidator::Invalid;
}

}  // namespace gradscope::ui
