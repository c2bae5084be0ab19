// makeOptimizer<T>() and validate(OptimizerSettings): the one place that maps an
// OptimizerKind to its implementation and checks every hyper-parameter's range.
#include <cmath>

#include "core/optimizers/adagrad_optimizer.h"
#include "core/optimizers/adam_optimizer.h"
#include "core/optimizers/adamax_optimizer.h"
#include "core/optimizers/nadam_optimizer.h"
#include "core/optimizers/optimizer.h"
#include "core/optimizers/rmsprop_optimizer.h"
#include "core/optimizers/sgd_optimizer.h"

namespace gradscope::core {

namespace {

void requireFinite(double value, const char* field) {
  if (!std::isfinite(value)) throw Error(field, "must be a finite number");
}

void requireNonNegative(double value, const char* field) {
  requireFinite(value, field);
  if (value < 0.0) throw Error(field, "must be >= 0");
}

void requireUnitClosed(double value, const char* field) {
  requireFinite(value, field);
  if (value < 0.0 || value > 1.0) throw Error(field, "must lie in [0, 1]");
}

void requireUnitHalfOpen(double value, const char* field) {
  requireFinite(value, field);
  // beta = 1 would divide by 1 - beta^t = 0 in the bias correction.
  if (value < 0.0 || value >= 1.0) throw Error(field, "must lie in [0, 1)");
}

}  // namespace

void validate(const OptimizerSettings& s) {
  requireNonNegative(s.learningRate, "optimizer.learning_rate");
  requireUnitClosed(s.momentum, "optimizer.momentum");  // Keras SGD: momentum in [0, 1]
  requireNonNegative(s.initialAccumulatorValue, "optimizer.initial_accumulator_value");
  requireUnitClosed(s.rho, "optimizer.rho");
  requireUnitHalfOpen(s.beta1, "optimizer.beta_1");
  requireUnitHalfOpen(s.beta2, "optimizer.beta_2");
  requireFinite(s.epsilon, "optimizer.epsilon");
  // Keras accepts 0, but then a parameter whose gradient has always been 0 divides 0 by 0.
  if (s.epsilon <= 0.0) throw Error("optimizer.epsilon", "must be positive");
}

template <typename T>
std::unique_ptr<Optimizer<T>> makeOptimizer(const OptimizerSettings& settings) {
  validate(settings);
  switch (settings.kind) {
    case OptimizerKind::Sgd:
    case OptimizerKind::Momentum:
    case OptimizerKind::Nesterov:
      return std::make_unique<SgdOptimizer<T>>(settings);
    case OptimizerKind::Adagrad:
      return std::make_unique<AdagradOptimizer<T>>(settings);
    case OptimizerKind::RmsProp:
      return std::make_unique<RmsPropOptimizer<T>>(settings);
    case OptimizerKind::Adam:
      return std::make_unique<AdamOptimizer<T>>(settings);
    case OptimizerKind::Adamax:
      return std::make_unique<AdamaxOptimizer<T>>(settings);
    case OptimizerKind::Nadam:
      return std::make_unique<NadamOptimizer<T>>(settings);
  }
  throw Error("optimizer.kind", "unknown optimiser kind");
}

template std::unique_ptr<Optimizer<float>> makeOptimizer<float>(const OptimizerSettings&);
template std::unique_ptr<Optimizer<double>> makeOptimizer<double>(const OptimizerSettings&);

}  // namespace gradscope::core
