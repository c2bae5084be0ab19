// How a run iterates over its data, as Keras's fit(): mini-batches of batchSize samples
// (the last batch of an epoch may be smaller), reshuffled every epoch when shuffle is on,
// all randomness derived from one seed.
#pragma once

#include <cstdint>
#include <optional>

#include "core/callbacks/early_stopping.h"
#include "core/callbacks/plateau_reducer.h"
#include "core/model/types.h"
#include "core/optimizers/optimizer_settings.h"

namespace gradscope::core {

inline constexpr int kMaxEpochs = 1'000'000;
inline constexpr int kMinCheckpointMemory = 1;      // MiB
inline constexpr int kMaxCheckpointMemory = 65536;  // MiB

struct TrainingSettings {
  Index batchSize = 32;  // Keras's default; >= the training set size means full batch
  int epochs = 100;      // the planned length of the run (schedules such as 1cycle span it)
  bool shuffle = true;
  std::uint64_t seed = 1;
  ClipSettings clip;
  std::optional<EarlyStoppingSettings> earlyStopping;  // Keras EarlyStopping callback
  std::optional<PlateauSettings> plateau;  // Keras ReduceLROnPlateau (performance schedule)
  // Memory the checkpoints that let a run go back to an earlier step may take (MiB); not
  // read by the trainer.
  int checkpointMemory = 256;
  bool operator==(const TrainingSettings&) const = default;
};

// Throws Error naming the bad field.
void validate(const TrainingSettings& settings);

}  // namespace gradscope::core
