// Names and Keras 3 defaults of the optimiser settings.
#include "core/optimizers/optimizer_settings.h"

#include <array>
#include <utility>

namespace gradscope::core {
namespace {

constexpr std::array<std::pair<OptimizerKind, std::string_view>, 8> kOptimizerNames{{
    {OptimizerKind::Sgd, "sgd"},
    {OptimizerKind::Momentum, "momentum"},
    {OptimizerKind::Nesterov, "nesterov"},
    {OptimizerKind::Adagrad, "adagrad"},
    {OptimizerKind::RmsProp, "rmsprop"},
    {OptimizerKind::Adam, "adam"},
    {OptimizerKind::Adamax, "adamax"},
    {OptimizerKind::Nadam, "nadam"},
}};

constexpr std::array<std::pair<ClipMode, std::string_view>, 4> kClipNames{{
    {ClipMode::None, "none"},
    {ClipMode::Value, "clipvalue"},
    {ClipMode::Norm, "clipnorm"},
    {ClipMode::GlobalNorm, "global_clipnorm"},
}};

}  // namespace

std::string_view toString(OptimizerKind kind) {
  for (const auto& [k, name] : kOptimizerNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<OptimizerKind> optimizerKindFromString(std::string_view name) {
  for (const auto& [k, n] : kOptimizerNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::string_view toString(ClipMode mode) {
  for (const auto& [m, name] : kClipNames) {
    if (m == mode) return name;
  }
  return "unknown";
}

std::optional<ClipMode> clipModeFromString(std::string_view name) {
  for (const auto& [m, n] : kClipNames) {
    if (n == name) return m;
  }
  return std::nullopt;
}

OptimizerSettings OptimizerSettings::defaultsFor(OptimizerKind kind) {
  OptimizerSettings s;  // the struct's defaults are Keras's for every shared field
  s.kind = kind;
  switch (kind) {
    case OptimizerKind::Sgd:
      s.learningRate = 0.01;  // keras.optimizers.SGD(learning_rate=0.01, momentum=0.0)
      s.momentum = 0.0;
      break;
    case OptimizerKind::Momentum:
      s.learningRate = 0.01;
      s.momentum = 0.9;
      break;
    case OptimizerKind::Nesterov:
      s.learningRate = 0.01;
      s.momentum = 0.9;
      s.nesterov = true;
      break;
    case OptimizerKind::Adagrad:  // initial_accumulator_value=0.1, epsilon=1e-7
    case OptimizerKind::RmsProp:  // rho=0.9, momentum=0.0, epsilon=1e-7, centered=False
    case OptimizerKind::Adam:     // beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False
    case OptimizerKind::Adamax:
    case OptimizerKind::Nadam:
      s.learningRate = 0.001;
      break;
  }
  return s;
}

void applyPlannedMomentum(OptimizerSettings& settings, double momentum) {
  switch (settings.kind) {
    case OptimizerKind::Adam:
    case OptimizerKind::Adamax:
    case OptimizerKind::Nadam:
      settings.beta1 = momentum;
      break;
    default:
      settings.momentum = momentum;
      break;
  }
}

}  // namespace gradscope::core
