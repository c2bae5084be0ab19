// Names and Keras 3 defaults of the optimiser settings.
#include "core/optimizers/optimizer_settings.h"

#include <array>
#include <utility>

#include "core/optimizers/optimizer_registry.h"

namespace gradscope::core {
namespace {

constexpr std::array<std::pair<ClipMode, std::string_view>, 4> kClipNames{{
    {ClipMode::None, "none"},
    {ClipMode::Value, "clipvalue"},
    {ClipMode::Norm, "clipnorm"},
    {ClipMode::GlobalNorm, "global_clipnorm"},
}};

}  // namespace

std::string_view toString(OptimizerKind kind) {
  const auto index = std::size_t(kind);
  const auto& registry = optimizerRegistry();
  return index < registry.size() ? registry[index]->key : std::string_view("unknown");
}

std::optional<OptimizerKind> optimizerKindFromString(std::string_view name) {
  if (const OptimizerDescriptor* d = findOptimizer(name)) return d->kind;
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

OptimizerSettings OptimizerSettings::defaultsFor(OptimizerKind kind, Conventions conventions) {
  const OptimizerDescriptor& d = descriptorOf(kind);
  OptimizerSettings settings = conventions == Conventions::PyTorch ? d.pytorchDefaults : d.defaults;
  settings.conventions = conventions;
  return settings;
}

void applyPlannedMomentum(OptimizerSettings& settings, double momentum) {
  switch (descriptorOf(settings.kind).plannedMomentum) {
    case PlannedMomentumTarget::Beta1:
      settings.beta1 = momentum;
      break;
    case PlannedMomentumTarget::Momentum:
      settings.momentum = momentum;
      break;
  }
}

const std::vector<OptimizerParameter>& optimizerParameters() {
  using S = OptimizerSettings;
  auto real = [](std::string_view key, std::string_view label, double lo, double hi,
                 std::string_view tooltip, double S::*field) {
    OptimizerParameter p;
    p.key = key;
    p.label = label;
    p.tooltip = tooltip;
    p.minimum = lo;
    p.maximum = hi;
    p.real = field;
    return p;
  };
  auto flag = [](std::string_view key, std::string_view label, std::string_view tooltip,
                 bool S::*field) {
    OptimizerParameter p;
    p.key = key;
    p.label = label;
    p.tooltip = tooltip;
    p.flag = field;
    return p;
  };
  auto build = [&] {
    std::vector<OptimizerParameter> all;
    // Up to 1000: a rate far too large is how the dashboard shows a run diverging.
    all.push_back(real("learning_rate", "Learning rate", 1e-7, 1000.0,
                       "The step size eta. Too small and training crawls; too large and the loss "
                       "oscillates or diverges.",
                       &S::learningRate));
    all.back().logScale = true;
    // Keras's SGD accepts momentum in [0, 1].
    all.push_back(real("momentum", "Momentum", 0.0, 1.0,
                       "Fraction of the previous update kept (friction 1 - momentum): larger "
                       "values move faster through flat regions but can overshoot.",
                       &S::momentum));
    all.push_back(real("rho", "Rho", 0.0, 1.0,
                       "RMSprop's decay of the running average of squared gradients: only "
                       "recent gradients count.",
                       &S::rho));
    all.push_back(flag("centered", "Centered",
                       "RMSprop divides by the variance rather than the second moment of the "
                       "gradient.",
                       &S::centered));
    all.push_back(real("initial_accumulator_value", "Initial accumulator", 0.0, 10.0,
                       "AdaGrad's starting sum of squared gradients (Keras 0.1).",
                       &S::initialAccumulatorValue));
    // beta = 1 would divide by 1 - beta^t = 0 in the bias correction.
    all.push_back(real("beta_1", "Beta 1", 0.0, 1.0,
                       "Decay of the first moment (the momentum) in Adam, AdaMax, Nadam and "
                       "AdamW; in Lion, how much of the momentum the update's sign mixes in.",
                       &S::beta1));
    all.back().maximumExcluded = true;
    all.push_back(real("beta_2", "Beta 2", 0.0, 1.0,
                       "Decay of the second moment (the squared gradients) in Adam, AdaMax, "
                       "Nadam and AdamW; in Lion, the decay of its momentum.",
                       &S::beta2));
    all.back().maximumExcluded = true;
    // Keras accepts 0, but then a parameter whose gradient has always been 0 divides 0 by 0.
    all.push_back(real("epsilon", "Epsilon", 1e-12, 1.0,
                       "Small constant that keeps the adaptive optimisers from dividing by zero "
                       "(Keras 1e-7).",
                       &S::epsilon));
    all.back().logScale = true;
    all.push_back(flag("amsgrad", "AMSGrad",
                       "Adam keeps the maximum of past second moments, so steps never grow back.",
                       &S::amsgrad));
    all.push_back(real("weight_decay", "Weight decay", 0.0, 10.0,
                       "Decoupled weight decay (Keras's weight_decay): before every update each "
                       "weight shrinks by weight_decay x learning rate of itself. Unlike the L2 "
                       "penalty it does not pass through Adam's scaling (Loshchilov & Hutter "
                       "2019).",
                       &S::weightDecay));
    all.push_back(flag("exclude_from_weight_decay", "No decay of biases and normalisation",
                       "Only the kernels decay; biases and BatchNorm's gamma and beta keep their "
                       "values (Keras's exclude_from_weight_decay).",
                       &S::excludeFromWeightDecay));
    return all;
  };
  static const std::vector<OptimizerParameter> parameters = build();
  return parameters;
}

const OptimizerParameter* findOptimizerParameter(std::string_view key) {
  for (const OptimizerParameter& p : optimizerParameters()) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

}  // namespace gradscope::core
