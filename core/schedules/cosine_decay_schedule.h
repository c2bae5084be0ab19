// Cosine decay with an optional linear warm-up.
//
// Reference: keras.optimizers.schedules.CosineDecay (Keras 3); Loshchilov & Hutter 2017
// (SGDR) for the cosine, Goyal et al. 2017 for the warm-up. With decay_steps D, alpha a,
// warm-up steps W and warm-up target eta_w:
//   decayed(x) = (1 - a) * 0.5 * (1 + cos(pi * x / D)) + a
//   no warm-up target:  lr(t) = eta0 * decayed(min(t, D))           (W is ignored, as Keras)
//   with a target:      t' = min(t, W + D)
//                       lr(t) = eta0 + (eta_w - eta0) * t' / W      while t' < W
//                       lr(t) = eta_w * decayed(t' - W)             afterwards
// The rate ends at a * eta0 (or a * eta_w) and stays there.
#pragma once

#include <optional>

#include "core/schedules/schedule.h"

namespace gradscope::core {

class CosineDecaySchedule final : public Schedule {
 public:
  // Throws Error unless eta0 >= 0, decaySteps > 0, alpha in [0, 1], warmupSteps >= 0 and a
  // given warm-up target >= 0.
  CosineDecaySchedule(double initialLearningRate, double decaySteps, double alpha = 0.0,
                      std::optional<double> warmupTarget = std::nullopt, double warmupSteps = 0);

  ScheduleKind kind() const override { return ScheduleKind::CosineDecay; }
  double learningRate(std::int64_t step) const override;
  std::unique_ptr<Schedule> clone() const override;

 private:
  double decayed(double x) const;

  double m_initial;
  double m_decaySteps;
  double m_alpha;
  std::optional<double> m_warmupTarget;
  double m_warmupSteps;
};

}  // namespace gradscope::core
