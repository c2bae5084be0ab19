// Comparison runs in lockstep: the same data, the same mini-batch order and, where the
// layers match, the same initial weights, so that the only difference between two runs is
// the setting under study.
//
//  - Data: each run generates its data from its own data and split settings, which are
//    deterministic (seeded), so runs with equal settings see bit-identical data
//    (TrainingRun::dataFingerprint() checks it).
//  - Batch order: every run's shuffling stream is split from its training seed, and the
//    order of an epoch depends only on that stream and the training set's size, so runs with
//    the same seed and data visit the samples in the same order, whatever else differs
//    (dropout, weights and optimiser draw from other streams).
//  - Initial weights: every run whose seed equals the first run's takes the first run's
//    initial weights for each Dense layer whose kernel shape and initialisers match (hidden
//    layers by position, output to output). A run that differs in its initialiser, seed or
//    the shape of a layer keeps its own draw for that layer: that difference is the point.
#pragma once

#include <memory>
#include <vector>

#include "app/worker/training_run.h"

namespace gradscope::app {

// Builds one run per configuration (throws core::Error naming the field of the first bad
// one) and gives them the first run's initial weights as described above.
std::vector<std::unique_ptr<TrainingRun>> createLockstepRuns(
    const std::vector<core::ExperimentConfig>& configs);

// Gives `target` the weights of `source` (both at their start) where the rules above allow;
// returns the number of Dense layers taken (0 when the seeds differ).
int shareInitialWeights(const TrainingRun& source, TrainingRun& target);

// After a reset of every run: the runs after the first take its initial weights again.
void shareInitialWeights(const std::vector<TrainingRun*>& runs);

}  // namespace gradscope::app
