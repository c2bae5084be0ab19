// Learning-rate schedules: pure functions of the 0-based update count, as Keras's
// LearningRateSchedule objects (Keras evaluates a schedule at optimizer.iterations, so the
// first update uses rate(0)). Being pure, the GUI can draw the whole planned curve before
// training and tests need no optimiser. A schedule may also plan the momentum (1cycle's
// inverse momentum cycle); the trainer writes it into the optimiser settings before a step.
//
// The performance schedule (Keras ReduceLROnPlateau) depends on a monitored metric, not on
// the step, so it is a stateful callback of its own (plateau_reducer.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace gradscope::core {

enum class ScheduleKind {
  Constant,           // the optimiser's learning rate, unchanged
  PiecewiseConstant,  // Keras PiecewiseConstantDecay
  Power,              // lecture: eta0 / (1 + t/s)^c
  Exponential,        // lecture: eta0 * 0.1^(t/s)
  ExponentialDecay,   // Keras ExponentialDecay(decay_steps, decay_rate, staircase)
  InverseTimeDecay,   // Keras InverseTimeDecay
  CosineDecay,        // Keras CosineDecay, with optional linear warm-up
  OneCycle,           // Smith 2018 as Geron's OneCycleScheduler; optional cosine variant
};

// "constant", "piecewise_constant", "power", "exponential", "exponential_decay",
// "inverse_time_decay", "cosine_decay", "one_cycle".
std::string_view toString(ScheduleKind kind);
std::optional<ScheduleKind> scheduleKindFromString(std::string_view name);

enum class OneCycleShape { Linear, Cosine };

// "linear", "cosine".
std::string_view toString(OneCycleShape shape);
std::optional<OneCycleShape> oneCycleShapeFromString(std::string_view name);

struct ScheduleSettings {
  ScheduleKind kind = ScheduleKind::Constant;
  double initialLearningRate = 0.01;  // eta0 / initial_learning_rate (all but piecewise/1cycle)

  // PiecewiseConstant: values.size() == boundaries.size() + 1 (lecture: 0.1 / 0.01 / 0.001).
  std::vector<double> boundaries{5, 10};
  std::vector<double> values{0.1, 0.01, 0.001};

  // Power: s = decaySteps, c = power. Exponential: s = decaySteps.
  // ExponentialDecay / InverseTimeDecay: decaySteps, decayRate, staircase.
  double decaySteps = 1000;
  double decayRate = 0.96;
  double power = 1.0;
  bool staircase = false;

  // CosineDecay: decaySteps, alpha (final fraction), warmupSteps, warmupTarget.
  double alpha = 0.0;
  double warmupSteps = 0;
  double warmupTarget = 0.0;  // 0: no warm-up target (Keras: None)

  // OneCycle over totalSteps updates; 0 (the default) spans the run's planned steps from the
  // step the schedule starts at (the trainer fills it in).
  std::int64_t totalSteps = 0;
  double maxRate = 0.1;
  OneCycleShape shape = OneCycleShape::Linear;
  double startDivisor = 10.0;  // start (and mid-end) rate = maxRate / startDivisor
  double lastRate = 0.0;       // Linear: 0 means maxRate / 1000 (the lecture's choice)
  // Fraction of the steps spent rising. 0 means the defaults: the reference's integer
  // phases (N // 10 + 1 steps in the last phase) for Linear, 0.25 for Cosine. Linear needs
  // pctStart < 0.5, since the fall takes as long as the rise.
  double pctStart = 0.0;
  double finalDivisor = 1e4;   // cosine variant: final rate = start / finalDivisor
  bool cycleMomentum = false;  // momentum maxMomentum -> minMomentum -> maxMomentum
  double maxMomentum = 0.95;
  double minMomentum = 0.85;

  bool operator==(const ScheduleSettings&) const = default;
};

class Schedule {
 public:
  virtual ~Schedule() = default;
  virtual ScheduleKind kind() const = 0;
  // Learning rate of update `step` (0-based).
  virtual double learningRate(std::int64_t step) const = 0;
  // Momentum (or Adam's beta_1) planned for `step`, if this schedule plans one.
  virtual std::optional<double> momentum(std::int64_t /*step*/) const { return std::nullopt; }
  virtual std::unique_ptr<Schedule> clone() const = 0;
};

// Throws Error naming the first invalid field. `constantRate` is used by the Constant kind.
std::unique_ptr<Schedule> makeSchedule(const ScheduleSettings& settings, double constantRate);
void validate(const ScheduleSettings& settings);

// learningRate(first .. first + count - 1), for drawing the plan.
std::vector<double> previewLearningRates(const Schedule& schedule, std::int64_t count,
                                         std::int64_t first = 0);

}  // namespace gradscope::core
