// A small picture of the whole planned learning-rate curve (from the worker's plan), with a
// mark at the current step, so the Schedule panel shows what a change of schedule does
// before a single step is trained.
#pragma once

#include <QWidget>

#include <cstdint>
#include <memory>

#include "app/worker/snapshot.h"

namespace gradscope::ui {

class LrPlanPreview : public QWidget {
  Q_OBJECT
 public:
  explicit LrPlanPreview(QWidget* parent = nullptr);

  void setPlan(std::shared_ptr<const app::LearningRatePlan> plan);
  void setCurrentStep(std::int64_t step);
  const app::LearningRatePlan* plan() const { return m_plan.get(); }
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  int markerX(std::int64_t step) const;
  QRectF plotRect() const;

  std::shared_ptr<const app::LearningRatePlan> m_plan;
  double m_maxRate = 0.0;
  double m_minRate = 0.0;
  std::int64_t m_step = 0;
};

}  // namespace gradscope::ui
