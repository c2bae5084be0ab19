#include "core/landscapes/landscape_race.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "core/model/types.h"

namespace gradscope::core {

namespace {

// The tuned rates of one landscape, for the optimisers the lecture's comparison names.
struct TunedRates {
  double sgd, momentum, nesterov, adagrad, rmsprop, adam, adamax, nadam;

  std::optional<double> of(OptimizerKind kind) const {
    switch (kind) {
      case OptimizerKind::Sgd:
        return sgd;
      case OptimizerKind::Momentum:
        return momentum;
      case OptimizerKind::Nesterov:
        return nesterov;
      case OptimizerKind::Adagrad:
        return adagrad;
      case OptimizerKind::RmsProp:
        return rmsprop;
      case OptimizerKind::Adam:
        return adam;
      case OptimizerKind::Adamax:
        return adamax;
      case OptimizerKind::Nadam:
        return nadam;
      default:
        return std::nullopt;  // borrowed through the descriptor
    }
  }
};

TunedRates tunedRates(LandscapeKind kind) {
  // Chosen by running each optimiser from the landscape's default start for the default 500
  // steps, so that the first picture shows the lecture's point without any tuning.
  switch (kind) {
    case LandscapeKind::QuadraticBowl:
      // One rate for all: AdaGrad visibly stalls where RMSprop and Adam arrive.
      return {0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05};
    case LandscapeKind::Rosenbrock:
      // SGD creeps along the valley (larger rates diverge); momentum follows it.
      return {0.002, 0.001, 0.001, 0.5, 0.01, 0.1, 0.1, 0.1};
    case LandscapeKind::Beale:
      return {0.01, 0.002, 0.002, 0.5, 0.01, 0.1, 0.1, 0.1};
    case LandscapeKind::Saddle:
      // SGD lingers at the saddle; the adaptive methods rescale the small gradient and leave.
      return {0.01, 0.01, 0.01, 0.1, 0.01, 0.01, 0.01, 0.01};
    case LandscapeKind::GaussianWells:
      // At the same rate SGD and Nesterov settle in the shallow well; momentum rolls through.
      return {0.2, 0.2, 0.2, 0.5, 0.05, 0.05, 0.05, 0.05};
  }
  return {0.01, 0.01, 0.01, 0.1, 0.01, 0.01, 0.01, 0.01};
}

}  // namespace

std::vector<OptimizerKind> defaultRacers() {
  std::vector<OptimizerKind> kinds;
  for (const OptimizerDescriptor* d : optimizerRegistry()) {
    if (d->lectureRating.speed > 0) kinds.push_back(d->kind);
  }
  return kinds;
}

std::array<double, kOptimizerKindCount> suggestedLearningRates(LandscapeKind kind) {
  const TunedRates tuned = tunedRates(kind);
  std::array<double, kOptimizerKindCount> rates{};
  for (const OptimizerDescriptor* d : optimizerRegistry()) {
    std::optional<double> rate = tuned.of(d->kind);
    if (!rate) rate = tuned.of(d->landscapeRatesOf);
    if (!rate) throw Error("race.learning_rate." + std::string(d->key), "no suggested rate");
    rates[std::size_t(optimizerIndex(d->kind))] = *rate;
  }
  return rates;
}

OptimizerSettings optimizerSettingsFor(const RaceSettings& race, OptimizerKind kind) {
  OptimizerSettings s = OptimizerSettings::defaultsFor(kind);
  s.learningRate = race.learningRate(kind);
  s.rho = race.rho;
  const OptimizerDescriptor& d = descriptorOf(kind);
  s.beta1 = race.beta1;
  // The race's beta_2 is the Adam family's 0.999; an optimiser whose own default differs
  // (Lion's 0.99 decays its momentum) keeps it.
  if (d.defaults.beta2 == OptimizerSettings{}.beta2) s.beta2 = race.beta2;
  s.epsilon = race.epsilon;
  // Only the momentum kinds take the race's momentum: SGD is plain and RMSprop runs as in the
  // lecture (Keras's default momentum 0).
  s.momentum = d.racesWithMomentum ? race.momentum : 0.0;
  return s;
}

ScheduleSettings scheduleFor(const ScheduleSettings& shape, double learningRate) {
  ScheduleSettings s = shape;
  switch (s.kind) {
    case ScheduleKind::Constant:
      break;  // the constant schedule reads the optimiser's rate
    case ScheduleKind::PiecewiseConstant: {
      // Keep the ratios of the pieces; the first piece is the optimiser's rate.
      const double first = s.values.empty() ? 0.0 : s.values.front();
      if (first > 0.0) {
        for (double& v : s.values) v *= learningRate / first;
      }
      break;
    }
    case ScheduleKind::OneCycle:
      s.maxRate = learningRate;
      break;
    case ScheduleKind::CosineDecay:
      if (s.warmupTarget != 0.0 && s.initialLearningRate > 0.0) {
        s.warmupTarget *= learningRate / s.initialLearningRate;
      }
      s.initialLearningRate = learningRate;
      break;
    default:
      s.initialLearningRate = learningRate;
      break;
  }
  return s;
}

TrajectorySettings trajectorySettingsFor(const RaceSettings& race, OptimizerKind kind) {
  TrajectorySettings t;
  t.optimizer = optimizerSettingsFor(race, kind);
  t.clip = race.clip;
  t.schedule = scheduleFor(race.schedule, race.learningRate(kind));
  // A 1cycle of no given length spans the race, as it spans the planned run in the trainer.
  if (t.schedule.kind == ScheduleKind::OneCycle && t.schedule.totalSteps <= 0) {
    t.schedule.totalSteps = std::max(1, race.steps);
  }
  t.start = race.start;
  t.steps = race.steps;
  return t;
}

void validate(const RaceSettings& race) {
  validate(race.landscape);
  if (!race.start.allFinite()) throw Error("race.start", "must be a finite point");
  for (std::size_t i = 0; i < race.optimizers.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (race.optimizers[i] == race.optimizers[j]) {
        throw Error("race.optimizers",
                    "lists " + std::string(toString(race.optimizers[i])) + " twice");
      }
    }
  }
  for (OptimizerKind kind : allOptimizerKinds()) {
    const double rate = race.learningRate(kind);
    if (!std::isfinite(rate) || rate <= 0.0) {
      throw Error("race.learning_rate." + std::string(toString(kind)), "must be positive");
    }
    validate(trajectorySettingsFor(race, kind));
  }
}

std::vector<Trajectory> runRace(const Landscape& landscape, const RaceSettings& race) {
  validate(race);
  std::vector<Trajectory> trajectories;
  trajectories.reserve(race.optimizers.size());
  for (OptimizerKind kind : race.optimizers) {
    trajectories.push_back(runTrajectory(landscape, trajectorySettingsFor(race, kind)));
  }
  return trajectories;
}

}  // namespace gradscope::core
