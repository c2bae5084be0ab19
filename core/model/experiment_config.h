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

// A stack of equal hidden layers, as the lecture's demos vary it: depth, width, activation,
// initialiser, BatchNorm, dropout and L2.
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
  bool operator==(const ModelConfig&) const = default;

  // The activation of hidden layer i.
  ActivationSpec activationOf(int hiddenLayer) const;
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

// Hidden layers from `model`, then the output Dense layer for `task`.
NetworkSpec buildNetworkSpec(const ModelConfig& model, Index inputs, Index outputs, TaskKind task);

// The index in the built spec of each hidden Dense layer and of the output layer.
std::vector<int> denseLayerIndices(const NetworkSpec& spec);

// Throws Error naming the first invalid field.
void validate(const ModelConfig& model);
void validate(const ExperimentConfig& config);

}  // namespace gradscope::core
