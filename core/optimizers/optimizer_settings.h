// Every optimiser hyper-parameter in one plain value, with Keras 3 defaults. The trainer
// hands the optimiser a fresh copy before every step, so a live change (say of momentum)
// applies at the next step and keeps the optimiser's accumulated state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/conventions.h"
#include "core/optimizers/optimizer_list.h"

namespace gradscope::core {

#define GRADSCOPE_OPTIMIZER_ENUM(Kind, key) Kind,
enum class OptimizerKind { GRADSCOPE_FOR_EACH_OPTIMIZER(GRADSCOPE_OPTIMIZER_ENUM) };
#undef GRADSCOPE_OPTIMIZER_ENUM

#define GRADSCOPE_OPTIMIZER_COUNT(Kind, key) +1
// How many optimisers are registered (optimizer_list.h).
inline constexpr int kOptimizerKindCount =
    0 GRADSCOPE_FOR_EACH_OPTIMIZER(GRADSCOPE_OPTIMIZER_COUNT);
#undef GRADSCOPE_OPTIMIZER_COUNT

// The registered key of `kind`: "sgd", "momentum", ..., "adamw", "lion".
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
  // Keras's optimiser-level weight_decay (None is 0), decoupled from the gradient: before
  // every update w <- w - w * weight_decay * lr (Loshchilov & Hutter 2019). Every optimiser
  // applies it; AdamW's default is 0.004.
  double weightDecay = 0.0;
  // Keras's exclude_from_weight_decay for biases and BatchNorm's gamma and beta: only the
  // kernels decay.
  bool excludeFromWeightDecay = false;
  // Whose update rules the optimiser follows where Keras and PyTorch differ (conventions.h):
  // the momentum form, epsilon's place, the weight decay (coupled L2 in torch.optim except
  // AdamW), Nadam's momentum schedule.
  Conventions conventions = Conventions::Keras;

  // The defaults of `kind` under `conventions`: Keras's (SGD-with-momentum kinds use momentum
  // 0.9, the usual choice in the lecture's sources, since Keras's SGD default of 0 would make
  // them plain SGD), or torch.optim's epsilon, rho (alpha), initial accumulator and weight
  // decay. The learning rate is Keras's in both: it is the experiment's choice.
  static OptimizerSettings defaultsFor(OptimizerKind kind,
                                       Conventions conventions = Conventions::Keras);
  bool operator==(const OptimizerSettings&) const = default;
};

// One hyper-parameter of OptimizerSettings described once: its Keras argument name, label,
// tooltip and range. The settings schema makes "optimizer.<key>" of it, validate() checks
// the same range, and each optimiser's descriptor lists the keys it reads.
struct OptimizerParameter {
  std::string_view key;  // Keras's argument name: "learning_rate", "beta_1", ...
  std::string_view label;
  std::string_view tooltip;
  double minimum = 0.0;
  double maximum = 1.0;
  bool maximumExcluded = false;  // the range is [minimum, maximum)
  bool logScale = false;
  double OptimizerSettings::*real = nullptr;  // a number, or
  bool OptimizerSettings::*flag = nullptr;    // a switch
};

// Every hyper-parameter, in panel order (the learning rate first).
const std::vector<OptimizerParameter>& optimizerParameters();
const OptimizerParameter* findOptimizerParameter(std::string_view key);

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
