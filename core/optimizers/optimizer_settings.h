// Every optimiser hyper-parameter in one plain value, with Keras 3 defaults. The trainer
// hands the optimiser a fresh copy before every step, so a live change (say of momentum)
// applies at the next step and keeps the optimiser's accumulated state.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gradscope::core {

enum class OptimizerKind { Sgd, Momentum, Nesterov, Adagrad, RmsProp, Adam, Adamax, Nadam };

// "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamax", "nadam".
std::string_view toString(OptimizerKind kind);
std::optional<OptimizerKind> optimizerKindFromString(std::string_view name);

struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::Sgd;
  // Keras: SGD 0.01, every other optimiser 0.001. Use defaultsFor() to get them.
  double learningRate = 0.01;
  double momentum = 0.0;                 // SGD (Momentum/Nesterov kinds) and RMSprop
  bool nesterov = false;                 // SGD only; the Nesterov kind sets it
  double initialAccumulatorValue = 0.1;  // Adagrad
  double rho = 0.9;                      // RMSprop
  bool centered = false;                 // RMSprop
  double beta1 = 0.9;                    // Adam, Adamax, Nadam
  double beta2 = 0.999;                  // Adam, Adamax, Nadam
  double epsilon = 1e-7;                 // all adaptive optimisers
  bool amsgrad = false;                  // Adam

  // The Keras defaults of `kind` (SGD-with-momentum kinds use momentum 0.9, the usual choice
  // in the lecture's sources, since Keras's SGD default of 0 would make them plain SGD).
  static OptimizerSettings defaultsFor(OptimizerKind kind);
  bool operator==(const OptimizerSettings&) const = default;
};

// Writes a schedule's planned momentum (1cycle's momentum cycle) where `settings.kind` reads
// it: beta_1 for the Adam family, momentum for SGD and RMSprop.
void applyPlannedMomentum(OptimizerSettings& settings, double momentum);

// Gradient clipping as Keras's optimiser arguments. Keras allows only one of the three.
enum class ClipMode { None, Value, Norm, GlobalNorm };

// "none", "clipvalue", "clipnorm", "global_clipnorm" (Keras's argument names).
std::string_view toString(ClipMode mode);
std::optional<ClipMode> clipModeFromString(std::string_view name);

struct ClipSettings {
  ClipMode mode = ClipMode::None;
  double threshold = 1.0;  // clipvalue, clipnorm or global_clipnorm
  bool operator==(const ClipSettings&) const = default;
};

}  // namespace gradscope::core
