// The complete description of one experiment as plain values: data, model, optimiser,
// schedule and training settings. The GUI edits it, sessions save it, the command line sets
// its fields by name, and makeExperiment() turns it into data and a trainer.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/data/data_generators.h"
#include "core/data/data_split.h"
#include "core/model/loss.h"
#include "core/model/network_spec.h"
#include "core/model/training_settings.h"
#include "core/optimizers/optimizer.h"
#include "core/schedules/schedule.h"

namespace gradscope::core {

enum class BatchNormPlacement { None, BeforeActivation, AfterActivation };
enum class Precision { Float32, Float64 };

std::string_view toString(BatchNormPlacement placement);
std::optional<BatchNormPlacement> batchNormPlacementFromString(std::string_view name);
std::string_view toString(Precision precision);
std::optional<Precision> precisionFromString(std::string_view name);

// One hidden layer of a network with layers of any shape (e.g. the book's 784-300-100-10):
// a Dense layer, its activation, where BatchNorm sits and its dropout rate.
struct HiddenLayer {
  Index units = 16;
  ActivationSpec activation{ActivationKind::Tanh};
  BatchNormPlacement batchNorm = BatchNormPlacement::None;
  double dropoutRate = 0.0;
  bool operator==(const HiddenLayer&) const = default;
};

// A stack of equal hidden layers, as the lecture's demos vary it: depth, width, activation,
// initialiser, BatchNorm, dropout and L2; or, when `layers` is given, hidden layers of any
// shape (see hidden_layer_list.h for their one-line text form, "300 relu, 100 relu").
struct ModelConfig {
  int hiddenLayers = 4;
  Index width = 16;
  ActivationSpec hiddenActivation{ActivationKind::Tanh};
  // Per-layer overrides of the hidden activation (index = hidden layer); may be shorter.
  std::vector<std::optional<ActivationSpec>> layerActivations;
  InitializerSpec initializer{InitializerKind::GlorotUniform};
  BatchNormPlacement batchNorm = BatchNormPlacement::None;
  double dropoutRate = 0.0;
  bool alphaDropout = false;  // AlphaDropout (for SELU) instead of Dropout
  double l2 = 0.0;            // on every Dense kernel
  // The hidden layers one by one; when not empty they replace the equal stack above
  // (hiddenLayers, width, hiddenActivation, layerActivations, batchNorm, dropoutRate).
  std::vector<HiddenLayer> layers;
  // A BatchNormalization layer on the inputs, before the first Dense layer (as the book's
  // BatchNorm model of Fashion-MNIST).
  bool inputBatchNorm = false;
  bool operator==(const ModelConfig&) const = default;

  // The activation of hidden layer i.
  ActivationSpec activationOf(int hiddenLayer) const;
  // The hidden layers as built: `layers`, or the equal stack spelled out.
  std::vector<HiddenLayer> hiddenLayerList() const;
  int hiddenLayerCount() const { return layers.empty() ? hiddenLayers : int(layers.size()); }
};

struct ExperimentConfig {
  DataSpec data;
  SplitOptions split;
  ModelConfig model;
  // Explicit layers (e.g. a hand-written session) take precedence over `model`.
  std::optional<NetworkSpec> network;
  OptimizerSettings optimizer = OptimizerSettings::defaultsFor(OptimizerKind::Momentum);
  ScheduleSettings schedule;
  TrainingSettings training;
  Precision precision = Precision::Float32;
  bool operator==(const ExperimentConfig&) const = default;
};

// The loss (and output activation) a task calls for.
LossKind lossFor(TaskKind task);
ActivationKind outputActivationFor(TaskKind task);

// Hidden layers from `model`, then the output Dense layer for `task`. Under PyTorch's
// conventions the BatchNorm layers take torch's momentum, epsilon and unbiased running
// variance.
NetworkSpec buildNetworkSpec(const ModelConfig& model, Index inputs, Index outputs, TaskKind task,
                             Conventions conventions = Conventions::Keras);

// Switches `config` to `conventions`: every optimiser hyper-parameter still at the old
// conventions' default takes the new one's (epsilon, rho, initial accumulator, weight decay;
// the learning rate is kept), and the default initialiser follows (glorot_uniform <->
// pytorch_default). Values the user chose stay.
void switchConventions(ExperimentConfig& config, Conventions conventions);

// The index in the built spec of each hidden Dense layer and of the output layer.
std::vector<int> denseLayerIndices(const NetworkSpec& spec);

// True when going from `before` to `after` redraws trained weights: a hidden layer's units or
// BatchNorm change, a layer goes away, or the input BatchNorm is switched. (Activations,
// dropout and L2 change no weight; a layer added at the end keeps every existing tensor but
// the output layer's, so it counts too.)
bool redrawsWeights(const ModelConfig& before, const ModelConfig& after);

// Throws Error naming the first invalid field.
void validate(const ModelConfig& model);
void validate(const ExperimentConfig& config);

}  // namespace gradscope::core
