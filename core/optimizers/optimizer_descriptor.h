// What the rest of GradScope knows about one optimiser, kept beside its implementation: its
// key and display name, its Keras defaults, the hyper-parameters it reads, how to build it,
// and the traits other parts ask about (where a planned momentum goes, the lecture's rating).
// The schema, validation, the factory, the optimiser race, run names, session and landscape
// files and colours all enumerate the registry (optimizer_registry.h); no other list of
// optimisers exists. QGroundControl's FactMetaData (metadata kept with its owner) and
// torch/optim (one file per optimiser) are the models.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/optimizers/optimizer.h"

namespace gradscope::core {

// Where a schedule's planned momentum (1cycle's momentum cycle) is written.
enum class PlannedMomentumTarget { Momentum, Beta1 };

// The lecture's optimiser comparison (Géron 2019): convergence speed and quality in stars 1..3;
// all zero for an optimiser the lecture's table does not rate.
struct LectureRating {
  int speed = 0;
  int qualityLow = 0;  // "** or ***" is 2..3
  int qualityHigh = 0;
  std::string_view note;  // e.g. "stops too early"
};

struct OptimizerDescriptor {
  OptimizerKind kind = OptimizerKind::Sgd;
  std::string_view key;          // "adam": files, the command line, the schema's choice
  std::string_view displayName;  // "Adam": run names, the race, the Landscapes legend
  OptimizerSettings defaults;    // Keras's defaults (the learning rate included)
  // torch.optim's defaults where they differ from Keras's (epsilon, RMSprop's alpha, AdaGrad's
  // initial accumulator, AdamW's weight decay); the learning rate stays Keras's.
  OptimizerSettings pytorchDefaults;
  // The OptimizerParameter keys this optimiser reads (the learning rate and weight decay are
  // read by every optimiser and need not be listed).
  std::vector<std::string_view> reads;
  PlannedMomentumTarget plannedMomentum = PlannedMomentumTarget::Momentum;
  // In the Landscapes race, the shared momentum setting drives it (SGD with momentum, Nesterov).
  bool racesWithMomentum = false;
  // The optimiser whose tuned Landscapes learning rates this one borrows (itself when the
  // landscape tables list it).
  OptimizerKind landscapeRatesOf = OptimizerKind::Sgd;
  LectureRating lectureRating;
  std::unique_ptr<Optimizer<float>> (*makeFloat)(const OptimizerSettings&) = nullptr;
  std::unique_ptr<Optimizer<double>> (*makeDouble)(const OptimizerSettings&) = nullptr;

  // True when this optimiser reads the hyper-parameter `key`.
  bool readsParameter(std::string_view key) const;
};

// The factory functions of descriptor.makeFloat / makeDouble for an optimiser class template.
template <template <typename> class OptimizerClass, typename T>
std::unique_ptr<Optimizer<T>> makeOptimizerOf(const OptimizerSettings& settings) {
  return std::make_unique<OptimizerClass<T>>(settings);
}

// Declares the descriptor function each optimiser's .cpp defines (optimizer_list.h).
#define GRADSCOPE_DECLARE_OPTIMIZER_DESCRIPTOR(Kind, key) \
  const OptimizerDescriptor& key##Descriptor();
GRADSCOPE_FOR_EACH_OPTIMIZER(GRADSCOPE_DECLARE_OPTIMIZER_DESCRIPTOR)
#undef GRADSCOPE_DECLARE_OPTIMIZER_DESCRIPTOR

}  // namespace gradscope::core
