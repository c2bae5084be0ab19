// How large a session may be, and the rule that makes every session GradScope writes open
// again.
//
// A session is one JSON text. Reading it holds the text, Qt's parsed document and each decoded
// array at the same time, about three times the file (bench/README.md), and the runs it builds
// need their networks on top. So the reader refuses files over kMaxSessionBytes (1 GiB), before
// reading a byte, and the writer must never produce more. Raising the cap for files GradScope
// wrote would only move the wall: a float32 network at the 200-million-parameter limit already
// has 1.07 GB of weights as base64, with Adam three times that, and a session that needs 5 GB of
// memory to open is not one a lecturer can reopen on a laptop.
//
// Instead the part of a session that grows with the network — the training state: weights,
// BatchNorm statistics, optimiser vectors, the best weights early stopping keeps, the batch
// order — is bounded when the network is built: a network whose state could take more than
// kMaxSessionStateBytes (768 MiB) in a session is refused up front, naming the setting, with the
// same rule on every path (dashboard, comparison, command line, opening a session). The bound is
// computed from counts (uncompressed base64, the most the writer emits), so nothing is allocated
// to apply it. The states of all runs of a comparison share that budget, which also caps what
// opening a session may allocate for its runs, however small the file that declares them.
//
// The rest of the cap (256 MiB) is left for what does not grow with the network: the metric
// history (per-layer series at most 2048 blocks, histograms 32 MiB a run; the per-step metrics
// of a run too long for the rest are saved thinned, below), embedded data (10 million values at
// most) and the configuration. The writer checks the final size before writing anything and
// refuses, with the size, rather than write a file that would not open (saveSessionFile).
#pragma once

#include <QtGlobal>

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/experiment_config.h"
#include "core/model/network_spec.h"

namespace gradscope::app {

inline constexpr qint64 kMaxSessionBytes = qint64(1) << 30;         // 1 GiB
inline constexpr qint64 kMaxSessionStateBytes = qint64(768) << 20;  // all runs' training states

// Per-step history, over all the runs of a session. Opening replays every step into the live
// history, so a session declares at most kMaxSessionSteps steps; and reading decodes every
// saved value before anything is built, so it holds at most kMaxSessionStepBlocks values per
// step metric (720 MB as doubles). A longer history is saved thinned: each step metric as the
// means of blocks of `step_stride` steps, the stride the smallest power of two that fits the
// blocks and the file's size (fitSessionToSize); a restored thinned history holds each block's
// mean at its first step, as the per-layer series do.
inline constexpr std::int64_t kMaxSessionSteps = 100'000'000;
inline constexpr std::int64_t kMaxSessionStepBlocks = 10'000'000;

// "1.25 GB", "768 MiB" style sizes for messages.
std::string describeBytes(std::int64_t bytes);

// Parameters and BatchNorm buffer values of a network built from `spec`, counted from the spec.
struct NetworkCounts {
  std::int64_t parameters = 0;
  std::int64_t bufferValues = 0;  // an upper bound: moving statistics and frozen gamma/beta
};
NetworkCounts countNetwork(const core::NetworkSpec& spec);

// Vectors of the parameters' size the optimiser of `settings` keeps (Adam 2, AMSGrad 3, ...),
// found by one step of the real optimiser on a single parameter.
int optimizerVectorCount(const core::OptimizerSettings& settings);

// The most bytes the "state" object of a run with this configuration, network and training
// set can take in a session.
std::int64_t stateBytesBound(const core::ExperimentConfig& config, const core::NetworkSpec& spec,
                             core::Index trainingSamples);

// Throws core::Error naming the setting when a run's state could not be saved in a session
// (`prefix` goes before the setting's name, e.g. "runs[2].config."). `otherRunsBytes`: the
// bound of the states of the other runs that would be saved with it.
void checkStateFitsSession(const core::ExperimentConfig& config, const core::NetworkSpec& spec,
                           core::Index trainingSamples, std::int64_t otherRunsBytes = 0,
                           const std::string& prefix = {});

// The same for the runs of a comparison on generated data, all together, before any is built:
// throws core::Error naming the first run that does not fit beside the ones before it
// ("runs[2].model.width").
void checkComparisonFitsSession(const std::vector<core::ExperimentConfig>& configs);

}  // namespace gradscope::app
