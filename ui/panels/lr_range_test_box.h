// The Schedule panel's LR range test: a button that runs the test on a copy of the model
// (the run's weights are untouched) starting from the initial weights or, if chosen, from
// the current ones; its result in words (the suggested maximum rate and the rule behind it,
// or why there is none) and "Use for 1cycle", which switches the schedule to 1cycle peaking
// there. An empty result clears it (the run it was measured on is gone).
#pragma once

#include <QWidget>

#include "core/schedules/lr_range_test.h"

class QComboBox;
class QLabel;
class QPushButton;

namespace gradscope::ui {

class LrRangeTestBox : public QWidget {
  Q_OBJECT
 public:
  // The smallest maximum rate a schedule accepts (the settings schema's minimum).
  static constexpr double kMinimumRate = 1e-7;

  explicit LrRangeTestBox(QWidget* parent = nullptr);

  void setResult(const core::LrRangeTestResult& result);
  void setFailed(const QString& reason);
  bool hasResult() const { return m_suggested > 0.0; }
  double suggestedMaxRate() const { return m_suggested; }
  QPushButton* runButton() const { return m_run; }
  QPushButton* useButton() const { return m_use; }
  QComboBox* startBox() const { return m_start; }
  QString resultText() const;

 signals:
  void runRequested(const gradscope::core::LrRangeTestSettings& settings);
  void useForOneCycle(double maxRate);

 private:
  QPushButton* m_run = nullptr;
  QPushButton* m_use = nullptr;
  QLabel* m_result = nullptr;
  QComboBox* m_start = nullptr;
  double m_suggested = 0.0;
};

}  // namespace gradscope::ui
