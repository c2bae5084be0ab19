// The learning-rate range test (Smith 2017): the loss against the learning rate on a log
// axis as the rate grew, raw and smoothed, with the suggested maximum rate (a decade below the
// smoothed minimum) and the minimum itself marked. Drawn when a result arrives; the history
// plays no part.
#pragma once

#include <QWidget>

#include <memory>

#include "ui/charts/dashboard_view.h"

class QLineSeries;
class QLogValueAxis;
class QValueAxis;

namespace gradscope::core {
struct LrRangeTestResult;
}  // namespace gradscope::core

namespace gradscope::ui {

class ChartView;

class LrRangeTestView : public QWidget, public DashboardView {
  Q_OBJECT
 public:
  explicit LrRangeTestView(QWidget* parent = nullptr);
  ~LrRangeTestView() override;

  QWidget* widget() override { return this; }
  QString viewTitle() const override { return tr("LR range test"); }
  void refresh(const app::MetricHistory& /*history*/, int /*run*/) override {}

  ChartView* chartView() const { return m_chart; }
  bool hasResult() const { return m_result != nullptr; }

 public slots:
  void setResult(const gradscope::core::LrRangeTestResult& result);

 private:
  void draw();
  void restyle();

  ChartView* m_chart = nullptr;
  QLogValueAxis* m_x = nullptr;
  QValueAxis* m_y = nullptr;
  QLineSeries* m_raw = nullptr;
  QLineSeries* m_smoothed = nullptr;
  std::unique_ptr<core::LrRangeTestResult> m_result;
};

}  // namespace gradscope::ui
