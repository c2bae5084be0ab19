// Everything a Trainer needs, beyond its settings and data, to continue a run exactly where it
// stopped: weights and BatchNorm statistics, optimiser state, the three random streams, the
// position in the run and in the current epoch (with the epoch's sample order), the
// schedule's origin, the callbacks' state and early stopping's kept weights.
//
// A trainer built from the same settings and data and given this state with
// Trainer::restoreState() makes bit for bit the same steps as the one it was captured from.
// Arrays are held in double precision whatever the trainer's scalar type: a float converts to
// double and back exactly, so a float run resumes exactly too. Sessions (app/) save it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/model/trainer.h"

namespace gradscope::core {

struct RngSnapshot {
  Rng::State words{};
  bool hasSpare = false;
  double spare = 0.0;
  bool operator==(const RngSnapshot&) const = default;

  static RngSnapshot of(const Rng& rng) {
    return {rng.state(), rng.hasSpareNormal(), rng.spareNormal()};
  }
  Rng toRng() const {
    Rng rng;
    rng.restore(words, hasSpare, spare);
    return rng;
  }
};

// A non-trainable buffer (BatchNorm moving mean or variance) of network layer `layer`.
struct BufferState {
  int layer = 0;
  std::string name;
  Eigen::VectorXd values;
  bool operator==(const BufferState&) const = default;
};

struct TrainerState {
  Eigen::VectorXd parameters;
  std::vector<BufferState> buffers;
  OptimizerState<double> optimizer;

  std::int64_t step = 0;
  int epoch = 0;
  Index batchInEpoch = 0;
  Index positionInEpoch = 0;        // samples of the current epoch already used, < training size
  std::vector<std::int64_t> order;  // the current epoch's sample order (a permutation)
  double epochLossSum = 0.0;
  double epochAccuracySum = 0.0;
  Index epochSamples = 0;

  RngSnapshot initRng, shuffleRng, dropoutRng;

  std::int64_t scheduleOrigin = 0;  // the step at which the schedule (re)started
  double learningRateScale = 1.0;   // the plateau rule's accumulated factor
  std::int64_t clippedSteps = 0;
  std::optional<EarlyStoppingState> earlyStopping;
  std::optional<PlateauState> plateau;
  // Early stopping's kept weights (restore_best_weights); empty when none were kept.
  Eigen::VectorXd bestParameters;
  std::vector<Eigen::VectorXd> bestBuffers;

  StopReason stopReason = StopReason::None;
  std::optional<EpochRecord> lastEpoch;  // the last completed epoch, as the trainer reports it
};

}  // namespace gradscope::core
