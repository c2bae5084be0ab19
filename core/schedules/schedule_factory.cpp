// makeSchedule(), validate(ScheduleSettings), previewLearningRates() and the schedule names:
// the one place that maps a ScheduleKind to its implementation. Every range check lives in
// the schedules' constructors, so validation is building the schedule.
#include <array>
#include <cmath>
#include <utility>

#include "core/schedules/constant_schedule.h"
#include "core/schedules/cosine_decay_schedule.h"
#include "core/schedules/decay_schedules.h"
#include "core/schedules/one_cycle_schedule.h"
#include "core/schedules/piecewise_constant_schedule.h"
#include "core/schedules/schedule.h"
#include "core/schedules/schedule_checks.h"

namespace gradscope::core {

namespace {

constexpr std::array<std::pair<ScheduleKind, std::string_view>, 8> kScheduleNames{{
    {ScheduleKind::Constant, "constant"},
    {ScheduleKind::PiecewiseConstant, "piecewise_constant"},
    {ScheduleKind::Power, "power"},
    {ScheduleKind::Exponential, "exponential"},
    {ScheduleKind::ExponentialDecay, "exponential_decay"},
    {ScheduleKind::InverseTimeDecay, "inverse_time_decay"},
    {ScheduleKind::CosineDecay, "cosine_decay"},
    {ScheduleKind::OneCycle, "one_cycle"},
}};

constexpr std::array<std::pair<OneCycleShape, std::string_view>, 2> kShapeNames{{
    {OneCycleShape::Linear, "linear"},
    {OneCycleShape::Cosine, "cosine"},
}};

}  // namespace

std::string_view toString(ScheduleKind kind) {
  for (const auto& [k, name] : kScheduleNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<ScheduleKind> scheduleKindFromString(std::string_view name) {
  for (const auto& [k, n] : kScheduleNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::string_view toString(OneCycleShape shape) {
  for (const auto& [s, name] : kShapeNames) {
    if (s == shape) return name;
  }
  return "unknown";
}

std::optional<OneCycleShape> oneCycleShapeFromString(std::string_view name) {
  for (const auto& [s, n] : kShapeNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

std::unique_ptr<Schedule> makeSchedule(const ScheduleSettings& s, double constantRate) {
  switch (s.kind) {
    case ScheduleKind::Constant:
      detail::requireRate(constantRate, "optimizer.learning_rate");
      return std::make_unique<ConstantSchedule>(constantRate);
    case ScheduleKind::PiecewiseConstant:
      return std::make_unique<PiecewiseConstantSchedule>(s.boundaries, s.values);
    case ScheduleKind::Power:
      return std::make_unique<PowerSchedule>(s.initialLearningRate, s.decaySteps, s.power);
    case ScheduleKind::Exponential:
      return std::make_unique<ExponentialSchedule>(s.initialLearningRate, s.decaySteps);
    case ScheduleKind::ExponentialDecay:
      return std::make_unique<ExponentialDecaySchedule>(s.initialLearningRate, s.decaySteps,
                                                        s.decayRate, s.staircase);
    case ScheduleKind::InverseTimeDecay:
      return std::make_unique<InverseTimeDecaySchedule>(s.initialLearningRate, s.decaySteps,
                                                        s.decayRate, s.staircase);
    case ScheduleKind::CosineDecay: {
      // The settings' 0 stands for Keras's warmup_target=None.
      const std::optional<double> target =
          s.warmupTarget != 0.0 ? std::optional<double>(s.warmupTarget) : std::nullopt;
      return std::make_unique<CosineDecaySchedule>(s.initialLearningRate, s.decaySteps, s.alpha,
                                                   target, s.warmupSteps);
    }
    case ScheduleKind::OneCycle:
      return std::make_unique<OneCycleSchedule>(s);
  }
  throw Error("schedule.kind", "unknown schedule kind");
}

void validate(const ScheduleSettings& settings) {
  // The constant schedule's rate is the optimiser's learning rate, validated with it.
  if (settings.kind == ScheduleKind::Constant) return;
  (void)makeSchedule(settings, 0.0);
}

std::vector<double> previewLearningRates(const Schedule& schedule, std::int64_t count,
                                         std::int64_t first) {
  std::vector<double> rates;
  if (count <= 0) return rates;
  rates.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) rates.push_back(schedule.learningRate(first + i));
  return rates;
}

}  // namespace gradscope::core
