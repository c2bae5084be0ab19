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
  // The plan a schedule held back in the panel would give (drawn dashed over the one in use),
  // or null.
  void setHeldPlan(std::shared_ptr<const app::LearningRatePlan> plan);
  const app::LearningRatePlan* heldPlan() const { return m_held.get(); }
  void setCurrentStep(std::int64_t step);
  const app::LearningRatePlan* plan() const { return m_plan.get(); }
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  int markerX(std::int64_t step) const;
  void updateRange();
  QRectF plotRect() const;

  std::shared_ptr<const app::LearningRatePlan> m_plan;
  std::shared_ptr<const app::LearningRatePlan> m_held;
  double m_maxRate = 0.0;
  double m_minRate = 0.0;
  std::int64_t m_step = 0;
};

}  // namespace gradscope::ui
